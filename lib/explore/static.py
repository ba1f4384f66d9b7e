"""Static rendering: every state over the parameter grid, precomputed, in one HTML fragment.

The fragment holds a JSON spec (sliders, trace styles, layout and the states) read by the vendored
``book-explorer.js``, which draws HTML range sliders and swaps states with ``Plotly.react``. No kernel, no
network: moving any slider changes the figure. The spec also records where the explorer was made (``source``)
and each slider's declared range, so that the reader can switch it to live: ``book-explorer.js`` then starts
the page's web worker (``worker.js``, Pyodide) and the sliders cover the declared ranges continuously.
"""
from __future__ import annotations

import html
import json

from .figure import layout, trace_data, trace_style
from .spec import Choice
from .teach import teaching_meta

__all__ = ["live_range", "render_static", "static_spec"]


def static_spec(explorer) -> dict:
    """The JSON-ready spec of an explorer: sliders, styles, layout and every precomputed state."""
    from .explorer import MAX_BYTES

    grid = explorer.grid()
    views = [explorer.view(**values) for values in grid]
    first = views[0]
    names = [t.name for t in first.traces]
    for values, view in zip(grid, views):
        if [t.name for t in view.traces] != names:
            raise ValueError(
                f"Explorer `{explorer.name}`: at {values} compute() returned traces "
                f"{[t.name for t in view.traces]}, but the first state has {names}. Every state must return "
                "the same traces in the same order (use NaN values to hide a curve)."
            )
    y_range = explorer.y_range(views)
    spec = {
        "name": explorer.name,
        "params": [{"name": p.name, "label": p.text, "values": p.grid(), "index": p.default_index(),
                    **live_range(p)} for p in explorer.params],
        "source": explorer.source,
        "seed": explorer.seed,
        "styles": [trace_style(t, i) for i, t in enumerate(first.traces)],
        "layout": layout(explorer, y_range),
        "states": [{"traces": [trace_data(t) for t in v.traces], "note": v.note} for v in views],
    }
    size = len(json.dumps(spec))
    if size > MAX_BYTES:
        raise ValueError(
            f"Explorer `{explorer.name}` would add {size / 1e6:.2f} MB to its page, more than "
            f"{MAX_BYTES / 1e6:.1f} MB. Use fewer grid steps or fewer points per trace."
        )
    return spec


def live_range(param) -> dict:
    """What the browser's live slider covers: the declared range (numbers) or the options (a Choice)."""
    if isinstance(param, Choice):
        return {"live": "options"}
    return {"live": "range", "low": param.low, "high": param.high, "log": param.log, "integer": param.integer}


def _json(data) -> str:
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def render_static(explorer) -> str:
    """HTML fragment: controls, plot area, note, the embedded spec and the teaching text.

    The teaching text (caption and Try-this box, :func:`lib.explore.teach.teaching_meta`) is read by the book's
    Sphinx extension, which makes the explorer a numbered figure with the id ``explorer-<name>``.
    """
    spec = _json(static_spec(explorer))
    name = html.escape(explorer.name)
    return (
        f'<div class="book-explorer" data-explorer="{name}">'
        '<div class="book-explorer-controls"></div>'
        f'<div class="book-explorer-plot" style="min-height:{int(explorer.height)}px"></div>'
        '<p class="book-explorer-note"></p>'
        '<noscript>This explorer needs JavaScript (no network): its states are embedded in the page.</noscript>'
        f'<script type="application/json" class="book-explorer-spec">{spec}</script>'
        f'<script type="application/json" class="book-explorer-teach">{_json(teaching_meta(explorer))}</script>'
        "</div>"
    )
