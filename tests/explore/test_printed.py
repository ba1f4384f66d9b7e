"""The printed explorer is the explorer's default state: same traces, same axes, same fixed y range."""
from __future__ import annotations

import base64

import numpy as np
import pytest

from lib.explore import Explorer, Param, Trace, View
from lib.explore.explorer import MODE_VARIABLE
from lib.explore.printed import print_bundle, print_figure, settings_line


def make(log_y=False):
    def compute(a, kind):
        x = np.linspace(1.0, 10.0, 20)
        return View([Trace("curve", x, a * x ** 2), Trace("points", x[::5], a * x[::5], mode="markers",
                                                          error=0.1 * x[::5]),
                     Trace("band", x, a * x ** 2 + 1, fill="tonexty")], note=f"a = {a}, {kind}")

    from lib.explore import Choice
    return Explorer("printed-test", [Param("a", 0.5, 2.0, default=1.0, steps=4), Choice("kind", ["p", "q"], "q")],
                    compute, x_label="x", y_label="y", log_y=log_y)


@pytest.mark.parametrize("log_y", [False, True])
def test_printed_figure_draws_the_default_state(log_y):
    ex = make(log_y)
    fig = print_figure(ex)
    ax = fig.axes[0]
    curve = ax.lines[0]
    default = ex.view(**ex.defaults).traces[0]
    np.testing.assert_allclose(curve.get_xdata(), default.x)
    np.testing.assert_allclose(curve.get_ydata(), default.y)
    assert ax.get_yscale() == ("log" if log_y else "linear")
    lo, hi = ex.y_range()
    expected = (10 ** lo, 10 ** hi) if log_y else (lo, hi)
    np.testing.assert_allclose(ax.get_ylim(), expected)
    assert ax.get_legend() is not None and [t.get_text() for t in ax.get_legend().get_texts()][:1] == ["curve"]
    assert "a = 1" in " ".join(t.get_text() for t in fig.texts) and "kind = q" in settings_line(ex)


def test_heatmap_prints_with_a_colour_bar():
    def compute(s):
        return View([Trace("z", [1, 2, 3], [1, 2], z=s * np.arange(6).reshape(2, 3), kind="heatmap",
                           colorscale=[[0, "#ffffff"], [1, "#0072B2"]], zmin=0, zmax=10)])

    fig = print_figure(Explorer("printed-heat", [Param("s", 1.0, 2.0, default=1.0, steps=2)], compute))
    assert len(fig.axes) == 2  # the plot and its colour bar


def test_the_book_build_bundle_holds_sliders_and_the_printed_image(monkeypatch):
    ex = make()
    monkeypatch.setenv(MODE_VARIABLE, "static")
    bundle = ex._repr_mimebundle_()
    assert 'class="book-explorer"' in bundle["text/html"]
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(print_bundle(ex)) == {"image/png", "text/plain"}


def test_printing_leaves_the_kernels_figures_and_backend_alone():
    import matplotlib
    import matplotlib.pyplot as plt

    backend, open_figures = matplotlib.get_backend(), plt.get_fignums()
    print_bundle(make())
    assert matplotlib.get_backend() == backend and plt.get_fignums() == open_figures
