"""Tests of lib.bits.views.other_routes: the explorer renders within budget and draws what the library computes."""
import numpy as np
import pytest

from lib.bits.views import other_routes
from lib.bits import mse_lower_bound
from lib.bits.routes import assouad_sdpi_bound, tail_scheme_budget, truncation_level
from lib.explore.explorer import MAX_STATES
from lib.explore.static import static_spec


def test_static_spec_within_budget():
    explorer = other_routes.routes_bounds()
    assert len(explorer.grid()) <= MAX_STATES
    assert len(static_spec(explorer)["states"]) == len(explorer.grid())


@pytest.mark.parametrize("name,values", [("d", (16, 256)), ("B", (1, 512)), ("fail", (0.01, 0.5))])
def test_every_slider_changes_the_figure(name, values):
    base = dict(d=1024, B=2, fail=0.1)   # the default state: bit-limited even after truncation
    views = [other_routes.routes_bounds().view(**(base | {name: value})) for value in values]
    ys = [np.concatenate([np.asarray(t.y, dtype=float) for t in view.traces]) for view in views]
    assert not np.allclose(ys[0], ys[1])


def test_traces_are_the_library_curves():
    view = other_routes.routes_bounds().view(d=256, B=4, fail=0.1)
    T = np.asarray(view.traces[0].x).astype(int)
    assert np.allclose(view.traces[0].y, mse_lower_bound(T, 256, 4, 1.0))
    assert np.allclose(view.traces[1].y, assouad_sdpi_bound(T, 256, 4, 1.0)[0])
    tau = truncation_level(T[-1], 256, 0.1)
    assert view.traces[2].y[-1] == pytest.approx(assouad_sdpi_bound(int(T[-1]), 256, 4, 1.0, 4 * tau**2)[0])
    assert np.allclose(view.traces[3].y * T, 256**2 / tail_scheme_budget(256, 4))
    assert np.all(view.traces[3].y >= view.traces[0].y) and np.all(view.traces[2].y < view.traces[1].y)
