"""What an explorer teaches: its numbered caption's text and its "Try this" box, declared with the explorer.

A :class:`TryThis` box asks a question and names two or three slider moves (:class:`Move`), each with what the
reader should see. A move also says which number of the figure the reader watches (a function of the
:class:`~lib.explore.spec.View`, e.g. :func:`value_at`) and which way it goes, so that a test computes the
explorer at the states the box names and checks the claim (:func:`outcomes`). The book's Sphinx extension
(``_ext/book_sphinx.py``) turns the caption into a numbered figure caption and the box into an admonition; a
kernel shows both under the widget (:mod:`lib.explore.live`).

Example
-------
>>> import numpy as np
>>> from lib.explore import Explorer, Param, Trace, View
>>> from lib.explore.teach import Move, TryThis, outcomes, value_at
>>> def compute(a):
...     return View([Trace("line", [0.0, 1.0], [0.0, a])])
>>> box = TryThis("What does a do to the end of the line?",
...               [Move({"a": 2.0}, "the line ends higher", value_at("line", 1.0), "up"),
...                Move({"a": 0.0}, "the line lies flat", value_at("line", 1.0), "down")])
>>> ex = Explorer("doc-teach", [Param("a", 0.0, 2.0, 1.0, steps=3)], compute, caption="A line.", try_this=box)
>>> [(o.before, o.after, o.holds) for o in outcomes(ex)]
[(1.0, 2.0, True), (2.0, 0.0, True)]
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from .spec import Choice, View

__all__ = ["Move", "TryThis", "Outcome", "outcomes", "move_text", "check_teaching", "teaching_meta",
           "teaching_html", "value_at", "ratio_at", "peak", "trough", "where_min", "finite_count", "mean_of",
           "share_of", "note_value"]

#: The ways a watched number can go; "same" means within :data:`SAME_TOLERANCE` (relative).
CHANGES = ("up", "down", "same")
SAME_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Move:
    """One step of a "Try this" box: set some sliders, and what one number of the figure then does.

    Parameters
    ----------
    values : mapping of str to float or str
        The sliders to set (the others keep their values from the previous move, or their defaults). Every
        value must be on the slider's static grid, so that the built book's reader can make the move too.
    see : str
        What the reader should see, in plain text (it is shown in HTML, JupyterLab and the PDF alike).
    watch : callable
        ``watch(view) -> float``: the number the claim is about (:func:`value_at`, :func:`peak`, ...).
    change : {"up", "down", "same"}
        Which way ``watch`` goes from the state before the move to the state after it.
    """

    values: Mapping[str, float | str]
    see: str
    watch: Callable[[View], float]
    change: str

    def __post_init__(self):
        if not self.values:
            raise ValueError("A Move must set at least one slider (values={...}).")
        if self.change not in CHANGES:
            raise ValueError(f"Move change must be one of {CHANGES}, got {self.change!r}.")
        if not self.see.strip():
            raise ValueError("A Move must say what the reader sees (see=...).")


@dataclass(frozen=True)
class TryThis:
    """A "Try this" box: a question, two or three moves, and optionally why the figure does what it does.

    Parameters
    ----------
    question : str
        What the reader should find out.
    moves : sequence of Move
        Two or three moves, made one after the other from the explorer's default state.
    why : str, optional
        One sentence that ties what the reader saw to the chapter.
    """

    question: str
    moves: Sequence[Move]
    why: str = ""

    def __post_init__(self):
        if not self.question.strip():
            raise ValueError("A TryThis box needs a question.")
        if not 2 <= len(self.moves) <= 3:
            raise ValueError(f"A TryThis box has two or three moves, got {len(self.moves)}.")


@dataclass(frozen=True)
class Outcome:
    """What a move did: the watched number before and after it, and whether the box's claim holds."""

    move: Move
    state: dict
    before: float
    after: float
    holds: bool


def _on_grid(param, value) -> bool:
    if isinstance(param, Choice):
        return value in param.options
    return any(math.isclose(float(value), float(v), rel_tol=1e-9, abs_tol=1e-12) for v in param.grid())


def check_teaching(explorer) -> None:
    """Raise ``ValueError`` if a caption is empty or a move names an unknown slider or a value off its grid."""
    if explorer.caption is not None and not explorer.caption.strip():
        raise ValueError(f"Explorer `{explorer.name}`: the caption is empty; say what the figure shows.")
    if explorer.try_this is None:
        return
    params = {p.name: p for p in explorer.params}
    for i, move in enumerate(explorer.try_this.moves, 1):
        for name, value in move.values.items():
            if name not in params:
                raise ValueError(f"Explorer `{explorer.name}`, Try-this move {i}: no slider `{name}`; the sliders "
                                 f"are {sorted(params)}.")
            if not _on_grid(params[name], value):
                raise ValueError(
                    f"Explorer `{explorer.name}`, Try-this move {i}: {name} = {value!r} is not on the slider's "
                    f"grid {params[name].grid()}, so the built book's reader cannot set it. Pick a grid value.")


def _holds(change: str, before: float, after: float) -> bool:
    if not (math.isfinite(before) and math.isfinite(after)):
        return False
    if change == "same":
        return abs(after - before) <= SAME_TOLERANCE * max(1.0, abs(before))
    return after > before if change == "up" else after < before


def outcomes(explorer) -> list[Outcome]:
    """Make the Try-this box's moves one after the other from the default state and read each watched number.

    Returns
    -------
    list of Outcome
        One per move: the state after it, the watched number before (previous state) and after, and
        ``holds``: ``after > before`` for "up", ``after < before`` for "down",
        ``|after − before| ≤ 10⁻⁶·max(1, |before|)`` for "same" (both finite).
    """
    state = dict(explorer.defaults)
    out = []
    for move in explorer.try_this.moves:
        before = float(move.watch(explorer.view(**state)))
        state = {**state, **move.values}
        after = float(move.watch(explorer.view(**state)))
        out.append(Outcome(move, dict(state), before, after, _holds(move.change, before, after)))
    return out


def _shown(value) -> str:
    """A slider value as the static slider shows it (3 significant digits, integers as integers)."""
    if isinstance(value, str):
        return value
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{float(value):.3g}"


def move_text(explorer, move: Move) -> str:
    """The move in words, from its data: e.g. ``"Set noise σ to 0.01 and set accuracy ε to 1: <see>."``

    A :class:`~lib.explore.spec.Choice` is a row of buttons: ``"Press “gaussian” for source: <see>."``
    """
    params = {p.name: p for p in explorer.params}
    parts = [f"press “{v}” for {params[n].text}" if isinstance(params[n], Choice) else
             f"set {params[n].text} to {_shown(v)}" for n, v in move.values.items()]
    text = " and ".join(parts)
    return f"{text[0].upper()}{text[1:]}: {move.see.rstrip('.')}."


def teaching_meta(explorer) -> dict:
    """The caption and Try-this box as plain text, for the book's Sphinx extension (embedded in the page)."""
    meta = {"name": explorer.name, "caption": explorer.caption or ""}
    if explorer.try_this is not None:
        box = explorer.try_this
        meta["try"] = {"question": box.question, "moves": [move_text(explorer, m) for m in box.moves],
                       "why": box.why}
    return meta


def teaching_html(explorer) -> str:
    """The caption and Try-this box as HTML, for a kernel (JupyterLab shows no figure numbers)."""
    meta = teaching_meta(explorer)
    parts = []
    if meta["caption"]:
        parts.append(f'<p class="book-explorer-caption"><b>Explorer.</b> {html.escape(meta["caption"])}</p>')
    if "try" in meta:
        box = meta["try"]
        items = "".join(f"<li>{html.escape(m)}</li>" for m in box["moves"])
        why = f"<p>{html.escape(box['why'])}</p>" if box["why"] else ""
        parts.append(f'<div class="book-try"><p><b>Try this.</b> {html.escape(box["question"])}</p>'
                     f"<ol>{items}</ol>{why}</div>")
    return "".join(parts)


# Numbers a move watches: each returns ``watch(view) -> float``.

def _trace(view: View, name: str):
    for t in view.traces:
        if t.name == name:
            return t
    raise KeyError(f"the view has no trace {name!r}; it has {[t.name for t in view.traces]}")


def _values(trace) -> np.ndarray:
    return np.asarray(trace.z if trace.kind == "heatmap" else trace.y, dtype=float)


def value_at(name: str, x: float) -> Callable[[View], float]:
    """``y`` of trace ``name`` at the point whose ``x`` is nearest to ``x``."""
    def watch(view):
        t = _trace(view, name)
        return float(t.y[int(np.argmin(np.abs(t.x - x)))])
    return watch


def ratio_at(numerator: str, denominator: str, x: float) -> Callable[[View], float]:
    """``y`` of trace ``numerator`` over ``y`` of trace ``denominator``, each at the point nearest to ``x``."""
    top, bottom = value_at(numerator, x), value_at(denominator, x)
    return lambda view: top(view) / bottom(view)


def note_value(after: str) -> Callable[[View], float]:
    """The first number in the note after the text ``after`` (the note is what the reader reads under the plot)."""
    number = re.compile(re.escape(after) + r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)")

    def watch(view):
        found = number.search(view.note)
        if not found:
            raise ValueError(f"the note {view.note!r} has no number after {after!r}")
        return float(found.group(1))
    return watch


def peak(name: str) -> Callable[[View], float]:
    """The largest finite ``y`` (or heat-map ``z``) of trace ``name``."""
    return lambda view: float(np.nanmax(_values(_trace(view, name))))


def trough(name: str) -> Callable[[View], float]:
    """The smallest finite ``y`` (or heat-map ``z``) of trace ``name``."""
    return lambda view: float(np.nanmin(_values(_trace(view, name))))


def where_min(name: str) -> Callable[[View], float]:
    """The ``x`` at which trace ``name`` is smallest."""
    def watch(view):
        t = _trace(view, name)
        return float(t.x[int(np.nanargmin(t.y))])
    return watch


def finite_count(name: str) -> Callable[[View], float]:
    """How many points of trace ``name`` are drawn (``x`` and ``y`` finite), or cells of a heat map (``z`` finite)."""
    def watch(view):
        t = _trace(view, name)
        if t.kind == "heatmap":
            return float(np.isfinite(t.z).sum())
        return float((np.isfinite(t.x) & np.isfinite(t.y)).sum())
    return watch


def mean_of(name: str) -> Callable[[View], float]:
    """The mean of the finite ``y`` (or heat-map ``z``) of trace ``name``."""
    return lambda view: float(np.nanmean(_values(_trace(view, name))))


def share_of(name: str, below: float) -> Callable[[View], float]:
    """The share of the finite cells (or points) of trace ``name`` whose value is below ``below``."""
    def watch(view):
        v = _values(_trace(view, name))
        v = v[np.isfinite(v)]
        return float(np.mean(v < below))
    return watch
