"""Tests of lib.kv.views: every explorer draws the library functions it shows, every slider changes what its
figure shows, every static grid fits the budget, every figure draws with decade labels on its log axes.

References: the library functions themselves (the explorers must not re-derive them), called here
independently on the same grids; the stored measurements for the measured explorers.
"""
import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.ticker import NullFormatter  # noqa: E402

from lib.explore.static import static_spec  # noqa: E402
from lib.kv import store  # noqa: E402
from lib.kv.analysis import ratio_curve  # noqa: E402
from lib.kv.block_markov import block_markov_distortion, mean_memory  # noqa: E402
from lib.kv.fits import bootstrap_alpha, extrapolation_test, fit_power_law, window_for_distortion  # noqa: E402
from lib.kv.memory import kv_bytes  # noqa: E402
from lib.kv.models import MEASURED, by_label  # noqa: E402
from lib.kv.toy_attention import toy_b_study  # noqa: E402
from lib.kv.toys import ToyA, gaussian_kl_rate  # noqa: E402
from lib.kv.views import (block_markov, common, in_context, policies, polynomial_sensitivity,  # noqa: E402
                          sequential_wyner_ziv, sinks_and_positions, window_theorem)

MIB = 2.0 ** 20
THEORY = {"toy_a_policies": sequential_wyner_ziv.toy_a_policies,
          "window_theorem": lambda: window_theorem.window_theorem(6.0, 0.81),
          "block_markov": block_markov.block_markov,
          "memory_versus_context": lambda: in_context.memory_versus_context(6.0, 0.81)}
MEASURED_EXPLORERS = {"fit_range": polynomial_sensitivity.fit_range,
                      "sinks_positions": sinks_and_positions.sinks_positions,
                      "equal_budget": policies.equal_budget}


def _stored():
    if not set(MEASURED) <= set(store.names()):
        pytest.skip("the stored measurements are not there yet")
    return common.measured()


@pytest.fixture(scope="module")
def explorers():
    _stored()
    return {name: make() for name, make in {**THEORY, **MEASURED_EXPLORERS}.items()}


@pytest.mark.parametrize("name", sorted({**THEORY, **MEASURED_EXPLORERS}))
def test_static_grid_within_budget(explorers, name):
    spec = static_spec(explorers[name])
    assert len(spec["states"]) <= 600
    assert len(json.dumps(spec)) < 400_000


def _grid_values(param):
    return list(param.grid())


@pytest.mark.parametrize("name", sorted({**THEORY, **MEASURED_EXPLORERS}))
def test_every_slider_changes_the_figure(explorers, name):
    ex = explorers[name]
    base = ex.view()
    for param in ex.params:
        others = [v for v in _grid_values(param) if v != ex.defaults[param.name]]
        moved = ex.view(**{param.name: others[-1]})
        changed = any(a.y.shape != b.y.shape or a.x.shape != b.x.shape
                      or not (np.allclose(a.y, b.y, equal_nan=True) and np.allclose(a.x, b.x, equal_nan=True))
                      for a, b in zip(base.traces, moved.traces))
        assert changed, f"{name}: moving `{param.name}` changes only the note, not the figure"


class TestTheoryExplorersCallTheLibrary:
    def test_toy_a_policies(self):
        view = sequential_wyner_ziv.toy_a_policies().view(beta=1.5, s=2.0, t=256)
        toy = ToyA(beta=1.5, s=2.0)
        sliding, bayes, random, bound = view.traces
        assert np.allclose(sliding.y, toy.delta(sliding.x))
        assert np.allclose(bayes.y, toy.bayes_gap(bayes.x))
        inside = random.x <= 256
        assert np.allclose(random.y[inside], toy.random_retention(random.x[inside], 256))
        assert np.all(np.isnan(random.y[~inside]))
        assert np.allclose(bound.y, toy.power_law_bounds()[1] * bound.x ** -toy.alpha)

    def test_window_theorem(self):
        view = window_theorem.window_theorem(2.0, 0.8).view(alpha=1.0, eps=0.01, model="Llama-3.2-1B")
        curve, marker, full = view.traces
        spec = by_label("Llama-3.2-1B")
        w = [window_for_distortion(e, 2.0, 1.0) for e in curve.x]
        assert np.allclose(curve.y * MIB, kv_bytes(np.array(w), spec))
        assert marker.y[0] * MIB == pytest.approx(kv_bytes(200, spec))        # w = (2/0.01)^1 = 200
        assert full.y[0] * MIB == pytest.approx(kv_bytes(32768, spec))
        assert "w(ε = 0.01) = 200 tokens" in view.note

    def test_block_markov(self):
        view = block_markov.block_markov().view(beta=1.0, L=64)
        toy = ToyA(beta=1.0)
        sliding, mean, peak, marker, _ = view.traces
        assert np.allclose(sliding.y, toy.delta(sliding.x))
        assert np.allclose(mean.y, [block_markov_distortion(toy.delta, int(L)) for L in peak.x / 2])
        assert np.allclose(mean.x, [mean_memory(int(L)) for L in peak.x / 2])
        assert marker.y[1] == pytest.approx(block_markov_distortion(toy.delta, 64))
        assert marker.y[2] <= marker.y[1] <= marker.y[0] and "0.00542" in view.note

    def test_memory_versus_context(self):
        view = in_context.memory_versus_context(0.5, 1.0).view(eps=0.01, model="SmolLM2-135M")
        full, window, block = view.traces
        spec = by_label("SmolLM2-135M")
        assert np.allclose(full.y * MIB, kv_bytes(full.x, spec))
        assert np.allclose(window.y * MIB, kv_bytes(np.minimum(window.x, 50), spec))   # w = 0.5/0.01
        assert np.allclose(block.y * MIB, kv_bytes(np.minimum(block.x, 100), spec))


class TestMeasuredExplorersCallTheLibrary:
    def test_fit_range_draws_the_fits_and_states_the_extrapolation_test(self, explorers):
        m = _stored()["gemma3-270m"]
        view = explorers["fit_range"].view(model="Gemma-3-270M", w_lo=8, w_hi=64)
        w, mean, _ = m.curve("sliding")
        sel = (w >= 8) & (w <= 64)
        C, alpha = fit_power_law(w[sel], mean[sel])
        power = view.traces[3]
        assert np.allclose(power.y, C * power.x ** -alpha)
        test = extrapolation_test(w, mean, fit_max=64, fit_min=8)
        assert f"power law {test.power_dex:.2f} dex, exponential {test.exp_dex:.2f} dex" in view.note
        assert "no window is held out" in explorers["fit_range"].view(w_lo=4, w_hi=256).note

    def test_sinks_positions_draws_the_lines_it_fits(self, explorers):
        m = _stored()["smollm2-135m"]
        view = explorers["sinks_positions"].view(model="SmolLM2-135M", w_lo=16)
        lines = {t.name: t for t in view.traces}
        w, mean, per_segment = m.curve("sink", True)
        sel = w >= 16
        C, alpha = fit_power_law(w[sel], mean[sel])
        line = lines["fit, sink + recent, original positions"]
        assert np.allclose(line.x, w[sel]) and np.allclose(line.y, C * w[sel] ** -alpha)
        a, lo, hi = bootstrap_alpha(w, per_segment, n_boot=300, seed=0, w_range=(16, 256))
        assert f"sink pres {a:.2f} [{lo:.2f}, {hi:.2f}]" in view.note

    def test_equal_budget_note_states_the_stored_ratio(self, explorers):
        m = _stored()["smollm2-135m"]
        view = explorers["equal_budget"].view(model="SmolLM2-135M", w=64)
        w, ratio, _, _ = ratio_curve(m, "random", "sliding", n_boot=10)
        assert f"= {ratio[w == 64][0]:.1f}×" in view.note
        for trace, v in zip(view.traces, policies.EQUAL_BUDGET):
            wv, mean, _ = m.curve(*v.split(":")[:1], v.endswith(":pres"))
            assert np.allclose(trace.x, wv) and np.allclose(trace.y, mean)


def _decades_only(fig):
    """Log axes spanning a decade or more label decades only; a shorter one keeps some labelled ticks."""
    for ax in fig.axes:
        for axis, scale, limits in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()),
                                    (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
            if scale == "log":
                lo, hi = sorted(limits)
                unlabelled = isinstance(axis.get_minor_formatter(), NullFormatter)
                assert unlabelled == (hi / lo >= 10), f"log axis over [{lo:.3g}, {hi:.3g}]: minor labels wrong"


def test_theory_figures_draw_with_decade_labels():
    study = toy_b_study(n=256, n_seq=2, budgets=[8, 16, 32, 64])
    toy, w = ToyA(beta=1.0), np.array([4, 8, 16, 32, 64, 128, 256])
    comparison = {"smollm2-135m": {"w": w, "L": (w + 1) // 2, "block_markov": toy.delta(w),
                                   "sliding_w": toy.delta(w), "sliding_L": toy.delta((w + 1) // 2)}}
    made = [sequential_wyner_ziv.wyner_ziv_schematic(), sequential_wyner_ziv.gaussian_kl_rate_curves(),
            window_theorem.toy_a_window_theorem(), window_theorem.toy_b_findings(study, fit_range=(8, 64)),
            block_markov.block_markov_timeline(L=8), block_markov.block_markov_measured(comparison)]
    for fig in made:
        assert fig.axes
        _decades_only(fig)
    rate = made[1].axes[0].lines[0]
    assert np.allclose(rate.get_ydata(), gaussian_kl_rate(rate.get_xdata(), 1.0))


def test_measured_figures_draw_with_decade_labels():
    ms = _stored()
    laws = {name: in_context.law(name, n_boot=20) for name in ms}
    made = [polynomial_sensitivity.sensitivity_bands(ms, n_boot=50),
            polynomial_sensitivity.local_slope_profile(ms, n_boot=50),
            common.variant_curves(ms, ["sliding", "sink:pres", "evict_sink:pres"], n_boot=50),
            policies.ratio_profile(ms, n_boot=50), window_theorem.measured_extrapolation(laws)]
    for fig in made:
        assert fig.axes
        _decades_only(fig)


def test_colours_are_by_meaning():
    assert common.variant_color("sink:pres") == common.variant_color("sink") == common.COLORS["sink"]
    assert common.variant_dash("sink:pres") == "dash" and common.variant_dash("evict_sink:pres") == "dot"
    assert common.variant_dash("sliding") is None and common.variant_linestyle("evict_sliding:pres") == ":"
    assert all(name in common.COLORS for name in MEASURED)


def test_only_views_draw():
    """The maths modules of lib.kv return arrays and rows: no matplotlib, lib.explore, IPython or HTML."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "lib" / "kv"
    drawing = ("matplotlib", "lib.explore", "IPython", "plotly")
    bad = {}
    for path in root.glob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        wrong = sorted(n for n in names if n.startswith(drawing))
        if wrong:
            bad[path.name] = wrong
    assert not bad, f"maths modules that draw (move the drawing into lib/kv/views): {bad}"
    pages = {p.stem.replace("-", "_") for p in (root.parents[1] / "book" / "kv").glob("*.md")}
    assert pages and pages <= {p.stem for p in (root / "views").glob("*.py")}, "a page of book/kv without a view"
    for page in sorted(pages):
        text = (root.parents[1] / "book" / "kv" / f"{page.replace('_', '-')}.md").read_text()
        assert f"from lib.kv.views import {page} as view" in text, f"{page}: the page does not import its view"
