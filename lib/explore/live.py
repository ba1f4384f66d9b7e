"""Live rendering: ipywidgets sliders over continuous ranges that recompute the view on every change."""
from __future__ import annotations

import numpy as np

from .figure import fixed_y_range, layout, plotly_traces
from .spec import Choice
from .teach import teaching_html

__all__ = ["live_y_range", "render_live", "slider_for"]

#: Number of positions of a log-scaled integer slider (B, d, T, w).
LOG_INTEGER_POSITIONS = 200


def slider_for(param):
    """The ipywidgets slider that covers ``param``'s continuous range."""
    import ipywidgets as w

    common = {"description": param.text, "continuous_update": False, "style": {"description_width": "initial"}}
    if isinstance(param, Choice):
        return w.ToggleButtons(options=param.grid(), value=param.default, description=param.text,
                               style={"description_width": "initial"})
    if param.values is not None:
        return w.SelectionSlider(options=param.grid(), value=param.check(param.default), **common)
    if param.integer and param.log:
        options = sorted({int(round(v)) for v in np.geomspace(param.low, param.high, LOG_INTEGER_POSITIONS)}
                         | {int(param.default)})
        return w.SelectionSlider(options=options, value=int(param.default), **common)
    if param.integer:
        return w.IntSlider(min=int(param.low), max=int(param.high), value=int(param.default), **common)
    if param.log:
        return w.FloatLogSlider(base=10, min=np.log10(param.low), max=np.log10(param.high),
                                value=param.default, step=0.01, **common)
    return w.FloatSlider(min=param.low, max=param.high, value=param.default,
                         step=(param.high - param.low) / 200, readout_format=".3g", **common)


def live_y_range(explorer, fixed, view):
    """The range ``fixed`` (the built book's), widened only as far as ``view`` draws outside it (between grid points)."""
    own = fixed_y_range([view], explorer.log_y)
    if fixed is None or own is None:
        return fixed
    return [min(fixed[0], own[0]), max(fixed[1], own[1])]


def render_live(explorer):
    """A VBox of sliders, the figure, the note, the caption and the Try-this box; a move calls ``explorer.view``.

    The y axis keeps the built book's range (:meth:`Explorer.y_range`), so a move shows as a move. A
    :class:`~lib.explore.spec.Choice` is a row of toggle buttons.
    """
    import ipywidgets as w
    import plotly.graph_objects as go
    from IPython.display import display

    sliders = {p.name: slider_for(p) for p in explorer.params}
    out = w.Output(layout={"min_height": f"{explorer.height}px"})
    note = w.HTML()
    shown = {"y_range": explorer.y_range(), "figure": None}

    def redraw(_change=None):
        view = explorer.view(**{name: s.value for name, s in sliders.items()})
        shown["y_range"] = live_y_range(explorer, shown["y_range"], view)
        fig = go.Figure(data=plotly_traces(view), layout=layout(explorer, shown["y_range"]))
        shown["figure"] = fig
        note.value = f"<p>{view.note}</p>" if view.note else ""
        out.clear_output(wait=True)
        with out:
            display(fig)

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    teaching = teaching_html(explorer)
    box = w.VBox([*sliders.values(), out, note, *([w.HTML(teaching)] if teaching else [])])
    box.sliders = sliders
    box.redraw = redraw
    box.figure = lambda: shown["figure"]
    return box
