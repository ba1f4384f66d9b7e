"""Plotly styling shared by the static and the live renderers: one layout, one way to draw a trace."""
from __future__ import annotations

import math

import numpy as np

from .spec import Trace
from .style import PALETTE, PLOTLY_LOG_AXIS

__all__ = ["PALETTE", "fixed_y_range", "layout", "trace_style", "trace_data", "plotly_traces"]


def layout(explorer, y_range=None) -> dict:
    """Plotly layout of an explorer: responsive width, labelled axes, legend below the plot."""
    yaxis = {"title": {"text": explorer.y_label}, **_axis(explorer.log_y)}
    if y_range is not None:
        yaxis["range"] = list(y_range)
        yaxis["autorange"] = False
    return {
        "autosize": True,
        "height": explorer.height,
        "margin": {"l": 70, "r": 20, "t": 20, "b": 60},
        "xaxis": {"title": {"text": explorer.x_label}, **_axis(explorer.log_x)},
        "yaxis": yaxis,
        "legend": {"orientation": "h", "y": -0.22},
        "template": "plotly_white",
        "font": {"size": 13},
    }


def _axis(log: bool) -> dict:
    """A log axis labelled by decades only, or a plain linear axis."""
    return dict(PLOTLY_LOG_AXIS) if log else {"type": "linear", "exponentformat": "none"}


def trace_style(trace: Trace, index: int) -> dict:
    """The parts of a Plotly trace that do not change with the sliders."""
    color = trace.color or PALETTE[index % len(PALETTE)]
    if trace.kind == "heatmap":
        style = {"type": "heatmap", "name": trace.name, "colorscale": trace.colorscale or "Viridis",
                 "colorbar": {"title": {"text": trace.name}}}
        if trace.zmin is not None and trace.zmax is not None:
            style.update(zmin=trace.zmin, zmax=trace.zmax, zauto=False)
        return style
    style = {"type": "scatter", "name": trace.name, "mode": trace.mode,
             "line": {"color": color, "width": 2}, "marker": {"color": color, "size": 7}}
    if trace.dash:
        style["line"]["dash"] = trace.dash
    if trace.fill:
        style.update(fill=trace.fill, fillcolor=_translucent(color))
    if not trace.legend:
        style["showlegend"] = False
    return style


def _translucent(color: str, alpha: float = 0.18) -> str:
    """``#rrggbb`` as an ``rgba`` string with opacity ``alpha`` (band fills)."""
    if color.startswith("#") and len(color) == 7:
        r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgba({r},{g},{b},{alpha})"
    return color


def _finite_list(values: np.ndarray, digits: int = 5) -> list:
    """Round to ``digits`` significant digits; NaN and infinities become ``None`` (a gap in Plotly)."""
    out = []
    for v in np.asarray(values, dtype=float).ravel():
        out.append(float(f"{v:.{digits}g}") if math.isfinite(v) else None)
    return out


def trace_data(trace: Trace) -> dict:
    """The parts of a Plotly trace that change with the sliders, as JSON-ready lists."""
    data = {"x": _finite_list(trace.x), "y": _finite_list(trace.y)}
    if trace.kind == "heatmap":
        data["z"] = [_finite_list(row) for row in trace.z]
    if trace.error is not None:
        data["error_y"] = {"type": "data", "array": _finite_list(trace.error), "visible": True}
    return data


def plotly_traces(view) -> list[dict]:
    """Full Plotly trace dicts of a view (style merged with data)."""
    return [{**trace_style(t, i), **trace_data(t)} for i, t in enumerate(view.traces)]


def fixed_y_range(views, log: bool):
    """A y range covering every view's scatter traces (and error bars), padded by 5 %, or None if empty.

    On a log axis the range is in decades (Plotly's convention): ``[log10(min) - pad, log10(max) + pad]``.
    """
    values = []
    for view in views:
        for t in view.traces:
            if t.kind != "scatter":
                continue
            y = np.asarray(t.y, dtype=float)
            if t.error is not None:
                y = np.concatenate([y - t.error, y + t.error])
            values.append(y[np.isfinite(y) & ((y > 0) if log else True)])
    values = np.concatenate(values) if values else np.array([])
    if values.size == 0:
        return None
    lo, hi = float(values.min()), float(values.max())
    if log:
        lo, hi = math.log10(lo), math.log10(hi)
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    return [lo - pad, hi + pad]
