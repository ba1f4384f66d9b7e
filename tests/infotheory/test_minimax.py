"""Le Cam, Assouad, Fano and van Trees on the Gaussian mean: each below an exact or simulated risk."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from lib.infotheory import minimax as mm


def test_two_point_bayes_risk_matches_monte_carlo():
    rng = np.random.default_rng(7)
    delta, n, sigma = 0.8, 4, 1.5
    theta = delta * rng.choice([-1.0, 1.0], size=1_000_000)
    xbar = theta + sigma / math.sqrt(n) * rng.normal(size=theta.size)
    posterior_mean = delta * np.tanh(n * delta * xbar / sigma ** 2)
    err = (posterior_mean - theta) ** 2
    assert mm.two_point_bayes_risk(delta, n, sigma) == pytest.approx(err.mean(), abs=3 * err.std() / 1000)


@pytest.mark.parametrize("delta", [0.1, 0.5, 1.0, 1.25, 2.0, 4.0])
def test_le_cam_at_delta_is_below_the_two_point_bayes_risk(delta):
    at_delta = delta ** 2 * (1 - mm.two_point_tv(delta))
    assert at_delta <= mm.two_point_bayes_risk(delta) <= 1.0
    # Assouad's per-coordinate term at the same δ is half of it, below the hypercube prior's exact Bayes risk
    assert 0.5 * at_delta <= mm.two_point_bayes_risk(delta)


def test_le_cam_constant_is_the_maximum_over_a_fine_grid():
    c = np.linspace(1e-3, 6, 600_001)
    assert mm.le_cam_constant() == pytest.approx(np.max(2 * c ** 2 * stats.norm.cdf(-c)), rel=1e-9)
    assert mm.le_cam_bound(9, 3.0) == pytest.approx(mm.le_cam_constant() * 1.0, rel=1e-9)  # σ²/n = 1


def test_fano_wide_cube_closed_form_and_void_below_nine():
    for d in (9, 64, 1000):
        assert mm.fano_bound(d, 5, 2.0) == pytest.approx((1 - 8 / d) ** 2 * math.log(2) / 128 * d * 4 / 5, rel=1e-8)
    assert mm.fano_bound(8, 1, 1.0) == 0.0


@pytest.mark.parametrize("d", [1, 16, 256])
def test_every_bound_is_below_the_sample_mean_and_the_zero_estimator(d):
    rho = np.geomspace(0.05, 200, 25)
    rows = mm.lower_bound_ratios(d, rho)
    for method in mm.METHODS:
        assert np.all(rows[method] <= rows["upper"] + 1e-12), method
        assert np.all(np.diff(rows[method]) >= -1e-9), f"{method} must not fall as the cube widens"
    assert rows["van Trees"][-1] == pytest.approx(1.0, abs=1e-3)  # sharp for wide cubes


def test_bounds_scale_like_sigma_squared_over_n():
    for f in (lambda n, s: mm.le_cam_bound(n, s), lambda n, s: mm.assouad_bound(32, n, s),
              lambda n, s: mm.fano_bound(32, n, s), lambda n, s: mm.van_trees_cube(32, n, s, 1e6)):
        assert f(10, 2.0) == pytest.approx(f(1, 1.0) * 4 / 10, rel=1e-6)


def test_small_cube_ordering():
    """For a cube a tenth of a standard error wide per side... Assouad beats the cos² prior's van Trees bound."""
    rows = mm.lower_bound_ratios(64, [0.5])
    assert rows["Assouad"][0] > rows["van Trees"][0]


@pytest.mark.parametrize("call, match", [
    (lambda: mm.le_cam_bound(0, 1.0), "n"), (lambda: mm.assouad_bound(4, 1, -1.0), "sigma"),
    (lambda: mm.fano_bound(16, 1, 1.0, r=0.0), "r"), (lambda: mm.lower_bound_ratios(4, [-1.0]), "rho"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
