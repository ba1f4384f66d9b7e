"""Every explorer of every part: its curves are the library's (tests/explorer_curves.py), and every slider moves
what the figure shows (not only the note below it). New explorers are found through ``lib/<part>/views``."""
from __future__ import annotations

import numpy as np
import pytest

from tests.explorer_curves import COVERED, CURVES, HEATMAPS
from tests.viewtools import ROOT, explorer_factories

PARTS = sorted(p.parent.name for p in (ROOT / "lib").glob("*/views"))
FACTORIES = [pytest.param(part, f, id=f"{part}.{name}") for part in PARTS for name, f in explorer_factories(part)]


def spread(items: list, k: int = 5) -> list:
    """``k`` items spread over ``items`` (first and last included)."""
    idx = np.unique(np.linspace(0, len(items) - 1, min(k, len(items))).round().astype(int))
    return [items[i] for i in idx]


def figure_data(view) -> list:
    """What the reader sees of a view: every trace's x, y and z (the note excluded)."""
    out = []
    for t in view.traces:
        for arr in (t.x, t.y, t.z):
            out.append(None if arr is None else np.round(np.asarray(arr, dtype=float), 10))
    return out


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        (x is None and y is None) or (x is not None and y is not None and x.shape == y.shape
                                      and np.array_equal(x, y, equal_nan=True)) for x, y in zip(a, b))


def check_close(drawn, expected, what):
    drawn, expected = np.asarray(drawn, dtype=float), np.asarray(expected, dtype=float)
    assert drawn.shape == expected.shape, f"{what}: drew {drawn.shape} values, the library gives {expected.shape}"
    both = np.isfinite(drawn) & np.isfinite(expected)
    assert np.array_equal(np.isfinite(drawn), np.isfinite(expected)), f"{what}: gaps differ from the library's"
    np.testing.assert_allclose(drawn[both], expected[both], rtol=1e-6, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("part,factory", FACTORIES)
def test_curves_are_the_library_functions(part, factory):
    ex = factory()
    lines, maps = CURVES.get(ex.name, {}), HEATMAPS.get(ex.name, {})
    if not lines and not maps:
        if part in COVERED:
            pytest.fail(f"explorer {ex.name} has no entry in tests/explorer_curves.py: register what it draws")
        pytest.skip(f"part {part} registers no curves yet")
    for state in spread(ex.grid()):
        traces = {t.name: t for t in ex.view(**state).traces}
        for name, fn in lines.items():
            assert name in traces, f"{ex.name} draws no trace {name!r}; it draws {sorted(traces)}"
            check_close(traces[name].y, fn(state, np.asarray(traces[name].x)), f"{ex.name} / {name} at {state}")
        for name, fn in maps.items():
            t = traces[name]
            check_close(t.z, fn(state, np.asarray(t.x), np.asarray(t.y)), f"{ex.name} / {name} at {state}")


@pytest.mark.parametrize("part,factory", FACTORIES)
def test_every_slider_changes_the_figure(part, factory):
    ex = factory()
    base = figure_data(ex.view())
    still = []
    for p in ex.params:
        others = [v for v in p.grid() if v != ex.defaults[p.name]]
        if not any(not same(figure_data(ex.view(**{p.name: v})), base) for v in others):
            still.append(p.name)
    assert not still, f"{ex.name}: moving {still} changes only the note, not the figure"


def test_the_checks_can_fail():
    """A slider that changes only the note, and a curve off the library by 1e-3, are both caught."""
    from lib.explore import Explorer, Param, Trace, View

    def compute(a, b):
        return View([Trace("line", [1, 2], [a, 2 * a])], note=f"b = {b}")

    ex = Explorer("test-note-only", [Param("a", 1, 2, 1, steps=2), Param("b", 1, 2, 1, steps=2)], compute)
    base = figure_data(ex.view())
    assert not same(figure_data(ex.view(a=2)), base) and same(figure_data(ex.view(b=2)), base)
    with pytest.raises(AssertionError):
        check_close([1.0, 2.0], [1.0, 2.002], "a curve off by 1e-3")
    with pytest.raises(AssertionError, match="gaps"):
        check_close([1.0, np.nan], [1.0, 2.0], "a gap the library does not have")


def test_explorers_run_without_matplotlib():
    """The reader's browser has numpy and scipy but no matplotlib: every views module must import, and every
    explorer compute its default view, with matplotlib unavailable (figure functions import it when called)."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from tests.viewtools import explorer_factories\n"
        f"for part in {PARTS!r}:\n"
        "    for name, factory in explorer_factories(part):\n"
        "        ex = factory()\n"
        "        ex.view(**{p.name: p.default for p in ex.params})\n"
        "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]


@pytest.mark.parametrize("part,factory", FACTORIES)
def test_every_explorer_has_a_caption_and_a_try_this_box(part, factory):
    ex = factory()
    assert ex.caption and len(ex.caption) >= 40, f"{ex.name}: no caption (Explorer(..., caption=...))"
    assert ex.try_this is not None, f"{ex.name}: no Try-this box (Explorer(..., try_this=TryThis(...)))"
    assert ex.try_this.question.endswith("?"), f"{ex.name}: the Try-this box should ask a question"


@pytest.mark.parametrize("part,factory", FACTORIES)
def test_every_try_this_move_does_what_the_box_says(part, factory):
    """Each move is made from the previous state and the watched number must go the declared way."""
    from lib.explore.teach import outcomes

    ex = factory()
    wrong = [f"move {i} {o.move.values}: {o.move.change} claimed, {o.before:.4g} -> {o.after:.4g}"
             for i, o in enumerate(outcomes(ex), 1) if not o.holds]
    assert not wrong, f"{ex.name}: {wrong}"
    assert any(o.move.change != "same" for o in outcomes(ex)), f"{ex.name}: no move changes anything"
