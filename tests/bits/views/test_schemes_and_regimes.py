"""Tests of the scheme and regime explorers of the Part I views: every explorer renders statically within budget and shows what it says."""
import json

import numpy as np
import pytest

from lib.bits.views import achievability, correlated_drifting, in_context, regime_map
from lib.bits.bounds import correlation_factor
from lib.bits.drift import tracking_lower_bound
from lib.explore.static import static_spec

FACTORIES = [achievability.achievability_curves, correlated_drifting.correlation_bits, regime_map.regime_heatmap,
             regime_map.scheme_distance, in_context.discrete_vs_gaussian, correlated_drifting.drift_tracking]


@pytest.fixture(scope="module", params=FACTORIES, ids=lambda f: f.__name__)
def explorer(request):
    return request.param()


def test_static_rendering_fits_the_budget(explorer):
    spec = static_spec(explorer)  # also checks that every state has the same traces
    assert len(spec["states"]) <= 600
    assert len(json.dumps(spec)) < 300_000


def test_defaults_give_a_note(explorer):
    assert explorer.view().note


class TestAchievabilityCurves:
    def test_qsgd_hidden_where_it_cannot_run(self):
        view = achievability.achievability_curves().view(B=16, d=64)
        qsgd = next(t for t in view.traces if t.name == "QSGD")
        assert np.isnan(qsgd.y).all() and "QSGD n/a" in view.note

    def test_simulated_curves_lie_above_the_bound(self):
        view = achievability.achievability_curves().view(B=4, d=16)
        bound = next(t for t in view.traces if t.name == "product lower bound")
        sign = next(t for t in view.traces if t.name == "adaptive sign")
        assert sign.y[-1] > np.interp(sign.x[-1], bound.x, bound.y)


class TestCorrelationBits:
    def test_cyclic_prediction_far_below_the_product_hypothesis(self):
        view = correlated_drifting.correlation_bits().view(rho=0.9, d=64)
        traces = {t.name: t for t in view.traces}
        assert np.all(traces["sign, cyclic schedule (theory)"].y[:-1]
                      < traces["hypothesis: (1+ρ)/(1−ρ) × product bound"].y[:-1])
        assert traces["statistical bound (proved)"].y[0] == pytest.approx(correlation_factor(0.9))


class TestRegimeHeatmap:
    def test_heatmap_covers_the_grid(self):
        heat = regime_map.regime_heatmap().view(sigma=1.0, eps=0.1, rho=0.0).traces[0]
        assert heat.z.shape == (heat.y.size, heat.x.size) and np.nanmin(heat.z) >= 0


class TestDriftTracking:
    def test_simulated_tracker_stays_above_the_proved_bound(self):
        view = correlated_drifting.drift_tracking().view(B=4)
        sim = next(t for t in view.traces if t.name.startswith("sign tracker, simulated"))
        bounds = np.array([tracking_lower_bound(q, 1.0, 4, 16) for q in sim.x])
        assert np.all(sim.y + 1.5 * sim.error > bounds)


class TestLiveValuesOffTheGrid:
    """A live slider moves continuously; explorers backed by stored runs snap to the nearest stored value."""

    def test_table_backed_explorers_snap(self):
        assert "B = 4, d = 64" in achievability.achievability_curves().view(B=3, d=100).note
        assert "ρ = 0.5" in regime_map.scheme_distance().view(scheme="SR(b)", rho=0.37).note

    def test_schedules_and_trackers_snap_to_divisors(self):
        assert correlated_drifting.correlation_bits().view(rho=0.93, d=100).traces[0].x[-1] == 64
        assert "B = 4, d = 16" in correlated_drifting.drift_tracking().view(B=3).note
