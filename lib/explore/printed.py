"""Print rendering: an explorer as a static figure of its default state, for the PDF.

In the book build an explorer's output carries, beside the ``text/html`` sliders, an ``image/png`` of the very
:class:`View` its ``compute`` returns at the default parameter values, on the same fixed y range, with the slider
settings and the note printed under the plot. The HTML builder shows the sliders; the LaTeX builder
(``make pdf``) picks the image. One execution serves both, and nothing is declared twice.
"""
from __future__ import annotations

import base64
import io

import numpy as np

from .figure import PALETTE

__all__ = ["print_figure", "print_png", "print_bundle", "settings_line"]

_DASHES = {None: "-", "solid": "-", "dash": "--", "dot": ":", "dashdot": "-.", "longdash": (0, (8, 3))}


def settings_line(explorer) -> str:
    """The default slider settings as one line, e.g. ``"B = 8, d = 64"``."""
    parts = []
    for p in explorer.params:
        value = explorer.defaults[p.name]
        shown = value if isinstance(value, str) else f"{value:.4g}"
        parts.append(f"{p.text} = {shown}")
    return ", ".join(parts)


def _colormap(scale):
    """A matplotlib colour map for a Plotly colour scale: a known name, or ``[[position, "#rrggbb"], ...]``."""
    import matplotlib
    from matplotlib.colors import LinearSegmentedColormap

    if scale is None:
        return "viridis"
    if isinstance(scale, str):
        return scale.lower() if scale.lower() in matplotlib.colormaps else "viridis"
    return LinearSegmentedColormap.from_list("explorer", [(float(v), c) for v, c in scale])


def _draw(ax, trace, index):
    color = trace.color or PALETTE[index % len(PALETTE)]
    label = trace.name if trace.legend else None
    if trace.kind == "heatmap":
        mesh = ax.pcolormesh(trace.x, trace.y, np.ma.masked_invalid(trace.z), shading="nearest",
                             vmin=trace.zmin, vmax=trace.zmax, cmap=_colormap(trace.colorscale))
        ax.figure.colorbar(mesh, ax=ax, label=trace.name)
        return
    style = _DASHES.get(trace.dash, "--")
    if trace.fill == "tonexty" and index > 0:
        previous = ax.lines[-1] if ax.lines else None
        if previous is not None and len(previous.get_xdata()) == trace.x.size:
            ax.fill_between(trace.x, previous.get_ydata(), trace.y, color=color, alpha=0.18, linewidth=0)
    if trace.mode == "markers":
        ax.errorbar(trace.x, trace.y, yerr=trace.error, fmt="o", color=color, markersize=4, label=label,
                    capsize=2 if trace.error is not None else 0)
        return
    marker = "o" if trace.mode == "lines+markers" else None
    ax.plot(trace.x, trace.y, linestyle=style, marker=marker, markersize=4, color=color, linewidth=1.6,
            label=label)
    if trace.error is not None:
        ax.errorbar(trace.x, trace.y, yerr=trace.error, fmt="none", ecolor=color, capsize=2)


def print_figure(explorer):
    """A matplotlib figure of ``explorer`` at its default state (legend under the plot, settings and note below)."""
    from matplotlib.figure import Figure  # no pyplot: the kernel's own figures and backend stay untouched

    view = explorer.view(**explorer.defaults)
    fig = Figure(figsize=(6.4, 0.0085 * explorer.height + 0.6), dpi=150)
    ax = fig.subplots()
    for i, trace in enumerate(view.traces):
        _draw(ax, trace, i)
    if explorer.log_x:
        ax.set_xscale("log")
    if explorer.log_y:
        ax.set_yscale("log")
    y_range = explorer.y_range()
    if y_range is not None:
        ax.set_ylim(*(10.0 ** np.asarray(y_range) if explorer.log_y else y_range))
    ax.set_xlabel(explorer.x_label, fontsize=9)
    ax.set_ylabel(explorer.y_label, fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(alpha=0.3)
    if any(t.legend and t.kind == "scatter" for t in view.traces):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8, frameon=False)
    caption = f"Default state: {settings_line(explorer)}." + (f"\n{view.note}" if view.note else "")
    fig.text(0.01, 0.005, caption, fontsize=8, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def print_png(explorer) -> bytes:
    """The PNG bytes of :func:`print_figure`."""
    buffer = io.BytesIO()
    print_figure(explorer).savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def print_bundle(explorer) -> dict:
    """The display bundle of an explorer in a printed book: the PNG of its default state and a text line."""
    return {"image/png": base64.b64encode(print_png(explorer)).decode("ascii"),
            "text/plain": f"Explorer {explorer.name} at its default state ({settings_line(explorer)})."}
