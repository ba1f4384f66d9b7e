"""lib.explore.style: one colour per meaning in both renderers; log axes labelled by decades only."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lib.explore import Explorer, Param, Trace, View  # noqa: E402
from lib.explore import style  # noqa: E402
from lib.explore.figure import layout, trace_style  # noqa: E402


def test_every_part_ii_model_and_policy_and_part_i_scheme_has_a_colour():
    from lib.bits.scheme_runs import SCHEMES
    wanted = list(SCHEMES) + ["smollm2-135m", "gemma3-270m", "sliding", "sink+recent", "random", "streaming", "h2o"]
    assert all(style.color(name).startswith("#") for name in wanted)
    # schemes and models are told apart by colour; bounds are black
    assert len({style.color(s) for s in SCHEMES}) == len(SCHEMES)
    assert style.color("smollm2-135m") != style.color("gemma3-270m") and style.color("bound") == "#000000"


def test_unknown_meaning_is_an_error():
    with pytest.raises(ValueError, match="`meaning`"):
        style.color("sign scheme")


def test_a_plotly_trace_keeps_the_colour_of_its_meaning():
    assert trace_style(Trace("sign", [1], [1], color=style.color("sign")), 5)["line"]["color"] == style.color("sign")


def test_plotly_log_axes_label_decades_only():
    ex = Explorer("style-test", [Param("a", 1, 2, 1, steps=2)], lambda a: View([Trace("y", [1, 10], [a, a])]),
                  log_x=True, log_y=False)
    spec = layout(ex)
    assert spec["xaxis"]["type"] == "log" and spec["xaxis"]["dtick"] == 1
    assert spec["yaxis"]["type"] == "linear" and "dtick" not in spec["yaxis"]


def test_matplotlib_log_axes_label_decades_only():
    fig, ax = style.axes()
    ax.plot([1, 1000], [1, 1e4])
    style.log_decades(ax, x=True, y=True)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.yaxis.get_minorticklabels()]
    assert ax.get_yscale() == "log" and all(text == "" for text in labels)
    majors = [t for t in ax.yaxis.get_majorticklocs() if 1 <= t <= 1e4]
    assert np.allclose(np.log10(majors), np.round(np.log10(majors)))
    style.done(fig)


def test_an_axis_within_one_decade_keeps_some_labels():
    fig, ax = style.axes()
    ax.plot([1, 2], [2.0, 5.0])
    style.log_decades(ax)
    fig.canvas.draw()
    shown = [t.get_text() for t in ax.yaxis.get_majorticklabels() + ax.yaxis.get_minorticklabels()
             if 2.0 <= t.get_position()[1] <= 5.0]
    assert any(shown)
    style.done(fig)
