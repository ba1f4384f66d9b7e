"""Tests of the scheme figures of the Part I views: each figure draws its data, with lowercase labels and no title."""
import matplotlib
import numpy as np
import pytest

from lib.bits.views import achievability, correlated_drifting, regime_map
from lib.bits.correlated import ScheduleExperiment

matplotlib.use("Agg")


def check_axes(fig):
    ax = fig.axes[0]
    assert ax.get_title() == ""
    assert ax.get_xlabel()[:1].islower() and ax.get_ylabel()[:1].islower()
    return ax


def test_b_sweep_draws_points_band_and_bound():
    sweep = {"b": np.arange(1, 4), "mse": np.array([3.0, 1.0, 1.5]), "se": np.full(3, 0.1),
             "even": np.array([2.5, 0.9, 1.4]), "worst": np.array([3.2, 1.1, 1.6]), "bound": 0.2, "M": 10.0}
    ax = check_axes(achievability.b_sweep(sweep))
    assert len(ax.get_legend().get_texts()) == 3


def test_ar1_factor_with_monte_carlo_points():
    ax = check_axes(correlated_drifting.ar1_factor(50, [0.0, 0.5], [1.0, 2.9], [0.05, 0.1]))
    assert len(ax.get_legend().get_texts()) == 4


def test_schedule_comparison_draws_both_schedules():
    exp = ScheduleExperiment(np.array([0.0, 0.9]), {"cyclic": np.array([1.6, 1.7]), "random": np.array([1.6, 2.2])},
                             {"cyclic": np.full(2, 0.05), "random": np.full(2, 0.05)},
                             {"cyclic": np.array([1.57, 1.64]), "random": np.array([1.57, 2.17])}, 2,
                             {"d": 64, "B": 2})
    ax = check_axes(correlated_drifting.schedule_comparison(exp))
    assert len(ax.get_legend().get_texts()) == 6


@pytest.mark.parametrize("sigma", [1.0, 0.01])
def test_regime_slice_draws_three_bounds_and_the_envelope(sigma):
    ax = check_axes(regime_map.regime_slice(256, sigma, 0.1))
    assert len(ax.get_lines()) == 5  # three bounds, the envelope, the change point
