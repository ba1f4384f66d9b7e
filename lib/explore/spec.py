"""What an explorer is made of: parameters, traces and views.

A chapter declares an explorer once, as a list of :class:`Param` and a function from parameter values to a
:class:`View` (the traces to draw). :mod:`lib.explore.static` and :mod:`lib.explore.live` render it; nothing
here draws or computes mathematics.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Param", "Choice", "Trace", "View"]


@dataclass(frozen=True)
class Param:
    """One slider: a named parameter with a range, a default and a grid for the static book.

    Parameters
    ----------
    name : str
        Keyword argument of the compute function (a Python identifier, e.g. ``"B"``, ``"sigma"``).
    low, high : float
        The range a live slider covers. ``low < high``; for ``log=True`` also ``low > 0``.
    default : float
        Initial value, inside ``[low, high]``.
    steps : int, optional
        Number of grid values precomputed for the static book (default 9). The grid always contains the
        default, so the page opens on the same state a live kernel would show.
    log : bool, optional
        Log-spaced grid and a logarithmic live slider.
    integer : bool, optional
        Values are whole numbers (B, d, T, w); the grid is rounded and deduplicated.
    label : str, optional
        Text shown beside the slider; defaults to ``name``.
    values : sequence of float, optional
        An explicit set of values instead of ``steps`` (e.g. the powers of two, or the grid of a stored table).
        Must include the default. The kernel's live slider then offers exactly these values too; the browser's
        live mode covers ``[low, high]`` and, where compute exists only on these values, shows the nearest one
        and says so (:func:`lib.explore.browser.nearest_declared`).
    """

    name: str
    low: float
    high: float
    default: float
    steps: int = 9
    log: bool = False
    integer: bool = False
    label: str = ""
    values: Sequence[float] | None = None

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"Param name `{self.name}` must be a Python identifier (it is passed as a keyword).")
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"Param `{self.name}`: need finite low < high, got low={self.low}, high={self.high}.")
        if self.log and self.low <= 0:
            raise ValueError(f"Param `{self.name}`: a log-scale slider needs low > 0, got low={self.low}.")
        self.check(self.default, what="default")
        if self.values is None and (not isinstance(self.steps, int) or self.steps < 2):
            raise ValueError(f"Param `{self.name}`: steps must be an integer >= 2, got {self.steps!r}.")
        if self.values is not None:
            for v in self.values:
                self.check(v, what="grid value")
            if not any(np.isclose(v, self.default) for v in self.values):
                raise ValueError(f"Param `{self.name}`: the default {self.default} must be one of `values`.")

    @property
    def text(self) -> str:
        return self.label or self.name

    def check(self, value, what: str = "value") -> float:
        """Return ``value`` as a number if it lies in ``[low, high]``; raise ``ValueError`` naming the range."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"Param `{self.name}`: {what} {value!r} is not a number.") from None
        tol = 1e-9 * max(1.0, abs(self.low), abs(self.high))
        if not (self.low - tol <= v <= self.high + tol):
            raise ValueError(
                f"Param `{self.name}`: {what} {value!r} is outside its declared range "
                f"[{self.low}, {self.high}]. Choose a value inside the range, or widen the Param."
            )
        return int(round(v)) if self.integer else v

    def grid(self) -> list[float]:
        """The static grid: ``values`` if given, else ``steps`` points (log- or linearly spaced) plus the default."""
        if self.values is not None:
            raw = list(self.values)
        elif self.log:
            raw = list(np.geomspace(self.low, self.high, self.steps))
        else:
            raw = list(np.linspace(self.low, self.high, self.steps))
        raw.append(self.default)
        if self.integer:
            raw = [int(round(v)) for v in raw]
        out: list[float] = []
        for v in sorted(raw):
            if not out or not np.isclose(v, out[-1], rtol=1e-9, atol=0):
                out.append(v)
        return [self.check(v, what="grid value") for v in out]

    def default_index(self) -> int:
        grid = self.grid()
        return int(np.argmin([abs(v - self.default) for v in grid]))


@dataclass(frozen=True)
class Choice:
    """A categorical parameter (a model, a scheme, a policy): a row of buttons, one per named option.

    Parameters
    ----------
    name : str
        Keyword argument of the compute function.
    options : sequence of str
        The options, in button order; the compute function receives one of them.
    default : str
        The option shown first.
    label : str, optional
        Text shown beside the buttons; defaults to ``name``.
    """

    name: str
    options: Sequence[str]
    default: str
    label: str = ""

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"Choice name `{self.name}` must be a Python identifier (it is passed as a keyword).")
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise ValueError(f"Choice `{self.name}` needs at least two distinct options, got {list(self.options)}.")
        self.check(self.default, what="default")

    @property
    def text(self) -> str:
        return self.label or self.name

    def check(self, value, what: str = "value") -> str:
        """Return ``value`` if it is one of the options; raise ``ValueError`` listing them otherwise."""
        if value not in self.options:
            raise ValueError(f"Choice `{self.name}`: {what} {value!r} is not one of {list(self.options)}.")
        return value

    def grid(self) -> list[str]:
        return list(self.options)

    def default_index(self) -> int:
        return list(self.options).index(self.default)


@dataclass
class Trace:
    """One curve, point set or heat map of a view.

    Parameters
    ----------
    name : str
        Legend entry; also the identity of the trace across states (same names in every state, same order).
    x, y : array_like
        Coordinates. For ``kind="heatmap"`` they are the axes of ``z``.
    z : array_like, optional
        Heat-map values, shape ``(len(y), len(x))``.
    mode : {"lines", "markers", "lines+markers"}
        How a scatter trace is drawn.
    dash : str, optional
        Line style, e.g. ``"dash"`` for bounds.
    error : array_like, optional
        Symmetric error bars on ``y`` (e.g. 2 standard errors).
    kind : {"scatter", "heatmap"}
    color : str, optional
        A CSS colour; by default traces take the palette in order.
    zmin, zmax : float, optional
        Fixed colour range of a heat map (e.g. categories 0, 1, 2), the same in every state.
    colorscale : str or list, optional
        Plotly colour scale of a heat map; default ``"Viridis"``.
    fill : {None, "tonexty"}
        ``"tonexty"`` shades the area between this trace and the previous one (a confidence band).
    legend : bool
        Whether the trace has a legend entry (hide the lower edge of a band).
    """

    name: str
    x: Sequence[float]
    y: Sequence[float]
    z: Sequence[Sequence[float]] | None = None
    mode: str = "lines"
    dash: str | None = None
    error: Sequence[float] | None = None
    kind: str = "scatter"
    color: str | None = None
    zmin: float | None = None
    zmax: float | None = None
    colorscale: str | list | None = None
    fill: str | None = None
    legend: bool = True

    def __post_init__(self):
        if self.fill not in (None, "tonexty"):
            raise ValueError(f"Trace `{self.name}`: fill must be None or 'tonexty', got {self.fill!r}.")
        if self.kind not in ("scatter", "heatmap"):
            raise ValueError(f"Trace `{self.name}`: kind must be 'scatter' or 'heatmap', got {self.kind!r}.")
        if self.mode not in ("lines", "markers", "lines+markers"):
            raise ValueError(f"Trace `{self.name}`: mode must be lines, markers or lines+markers, got {self.mode!r}.")
        self.x = np.asarray(self.x, dtype=float).ravel()
        self.y = np.asarray(self.y, dtype=float).ravel()
        if self.kind == "heatmap":
            if self.z is None:
                raise ValueError(f"Trace `{self.name}`: a heatmap needs z.")
            self.z = np.asarray(self.z, dtype=float)
            if self.z.shape != (self.y.size, self.x.size):
                raise ValueError(f"Trace `{self.name}`: z has shape {self.z.shape}, expected (len(y), len(x)).")
        elif self.x.shape != self.y.shape:
            raise ValueError(f"Trace `{self.name}`: x and y differ in length ({self.x.size} vs {self.y.size}).")
        if self.error is not None:
            self.error = np.asarray(self.error, dtype=float).ravel()
            if self.error.shape != self.y.shape:
                raise ValueError(f"Trace `{self.name}`: error must have the length of y.")


@dataclass
class View:
    """What a compute function returns for one choice of parameters: traces plus an optional one-line note.

    The note is plain text shown under the figure (e.g. ``"w(ε) = 412 tokens = 9.1 MiB"``); it changes with the
    sliders like the traces do.
    """

    traces: list[Trace]
    note: str = ""

    def __post_init__(self):
        if not self.traces:
            raise ValueError("A View needs at least one Trace; an empty figure explains nothing.")
        names = [t.name for t in self.traces]
        if len(set(names)) != len(names):
            raise ValueError(f"Trace names in a View must be unique, got {names}.")
