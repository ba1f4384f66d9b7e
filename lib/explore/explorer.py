"""The :class:`Explorer`: declare parameters and a compute function once, show it in both worlds.

* In the built book (no kernel) it renders precomputed states over the parameter grid as a Plotly figure with
  one HTML slider per parameter (:mod:`lib.explore.static`). Moving any slider swaps in the precomputed state.
* In a live kernel it renders ipywidgets sliders over the continuous ranges that call the compute function
  again on every change (:mod:`lib.explore.live`).
* In the reader's browser, when the reader switches an explorer to live, the same compute function runs in
  Pyodide (:mod:`lib.explore.browser`, ``worker.js``): the explorer records where it was made (``source``).

The book build sets ``BOOK_EXPLORER_MODE=static`` (see ``_ext/book_sphinx.py``); anything else is live.
"""
from __future__ import annotations

import inspect
import itertools
import math
import os
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .spec import Choice, Param, View
from .teach import TryThis, check_teaching

__all__ = ["Explorer", "MODE_VARIABLE", "mode"]

MODE_VARIABLE = "BOOK_EXPLORER_MODE"
#: Largest number of precomputed states one static explorer may hold.
MAX_STATES = 600
#: Largest precomputed payload one static explorer may add to its page, in bytes.
MAX_BYTES = 1_500_000


def mode() -> str:
    """``"static"`` while the book is being built, ``"live"`` in a reader's kernel."""
    return "static" if os.environ.get(MODE_VARIABLE, "").lower() == "static" else "live"


@dataclass
class Explorer:
    """A figure whose parameters the reader moves.

    Parameters
    ----------
    name : str
        Kebab-case identifier, unique within the book (used as the HTML id).
    params : sequence of Param or Choice
        The sliders. Their names must be exactly the keyword parameters of ``compute``.
    compute : callable
        ``compute(**values) -> View``. It should be fast (it runs once per static state and on every live move).
    x_label, y_label : str
        Axis titles, lowercase with units.
    log_x, log_y : bool
        Logarithmic axes.
    fixed_y : bool
        Keep the y range fixed across all states (default), so that a move shows as a move and not as a
        rescaled axis: the range covering every state of the grid (:meth:`y_range`), in the built book and in
        a live kernel alike.
    height : int
        Figure height in pixels; the width follows the page.
    seed : int, optional
        For an explorer that simulates: ``compute`` then takes a keyword ``seed``, the static book and a kernel
        draw with this seed, and the browser's "re-run" control passes a new one.
    caption : str, optional
        What the figure shows, in plain text: the book numbers it as a figure ("Fig. 13.2", cited as
        ``{numref}`explorer-<name>```), a kernel shows it under the widget (:mod:`lib.explore.teach`).
    try_this : lib.explore.teach.TryThis, optional
        The "Try this" box under the explorer: a question and two or three slider moves whose claims a test
        computes (:func:`lib.explore.teach.outcomes`).
    """

    name: str
    params: Sequence[Param | Choice]
    compute: Callable[..., View]
    x_label: str = ""
    y_label: str = ""
    log_x: bool = False
    log_y: bool = False
    fixed_y: bool = True
    height: int = 420
    seed: int | None = None
    caption: str | None = None
    try_this: TryThis | None = None
    source: dict = field(default_factory=dict, init=False, repr=False)
    _cache: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        if not self.name or not all(c.isalnum() or c == "-" for c in self.name):
            raise ValueError(f"Explorer name `{self.name}` must be kebab-case letters, digits and '-'.")
        if not self.params:
            raise ValueError(f"Explorer `{self.name}` needs at least one Param; use a plain figure otherwise.")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"Explorer `{self.name}`: parameter names repeat: {names}.")
        sig = inspect.signature(self.compute)
        accepted = {n for n, p in sig.parameters.items()
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        has_var_kw = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        missing = [n for n in names + (["seed"] if self.seed is not None else [])
                   if n not in accepted and not has_var_kw]
        if missing:
            raise ValueError(
                f"Explorer `{self.name}`: compute() does not accept {missing}; its parameters are "
                f"{sorted(accepted)}. Name each Param after a keyword of compute() (and accept `seed` if the "
                "explorer declares one)."
            )
        check_teaching(self)
        from .browser import factory_source

        self.source = factory_source(self.name)

    @property
    def defaults(self) -> dict:
        return {p.name: p.check(p.default) for p in self.params}

    def view(self, seed=None, **values) -> View:
        """Validate ``values`` against the declared ranges (missing ones take defaults) and compute the view.

        ``seed`` (an explorer that declares one) replaces the declared seed, e.g. for a re-run; it is ignored
        by an explorer without one.
        """
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"Explorer `{self.name}` has no parameter(s) {sorted(unknown)}.")
        args = {p.name: p.check(values.get(p.name, p.default)) for p in self.params}
        if self.seed is not None:
            args["seed"] = int(self.seed if seed is None else seed)
        key = tuple(args.values())
        if key not in self._cache:
            result = self.compute(**args)
            if not isinstance(result, View):
                raise TypeError(
                    f"Explorer `{self.name}`: compute() returned {type(result).__name__}; it must return a "
                    "lib.explore.View (a list of Trace and an optional note)."
                )
            self._cache[key] = result
        return self._cache[key]

    def state_count(self) -> int:
        """How many states the static grid holds (the product of the parameters' grid sizes)."""
        return math.prod(len(p.grid()) for p in self.params)

    def grid(self) -> list[dict]:
        """Every combination of the parameters' static grids, first parameter slowest."""
        grids = [p.grid() for p in self.params]
        count = self.state_count()
        if count > MAX_STATES:
            sizes = " x ".join(f"{p.name}:{len(g)}" for p, g in zip(self.params, grids))
            raise ValueError(
                f"Explorer `{self.name}` would precompute {count} states ({sizes}), more than {MAX_STATES}. "
                "Lower some Param steps or pass fewer explicit values."
            )
        return [dict(zip([p.name for p in self.params], combo)) for combo in itertools.product(*grids)]

    def y_range(self, views=None):
        """The fixed y range of this explorer: it covers every state of the grid.

        None if ``fixed_y`` is off or the grid is too large to precompute (such an explorer fails the book
        build anyway; in a kernel its axis then follows the data).

        ``views`` are the grid's views when the caller has them already (the static renderer); otherwise they
        are computed once (and cached), as the built book computes them.
        """
        from .figure import fixed_y_range

        if not self.fixed_y or (views is None and self.state_count() > MAX_STATES):
            return None
        if views is None:
            views = [self.view(**values) for values in self.grid()]
        return fixed_y_range(views, self.log_y)

    def static_html(self) -> str:
        """The self-contained HTML fragment of the static explorer (needs the vendored plotly.min.js)."""
        from .static import render_static

        return render_static(self)

    def widget(self):
        """The live ipywidgets explorer (sliders plus an output that recomputes)."""
        from .live import render_live

        return render_live(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        if mode() == "static":  # the HTML build shows the sliders, the PDF build the printed default state
            from .printed import print_bundle

            return {**print_bundle(self), "text/html": self.static_html()}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)
