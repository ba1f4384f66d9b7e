"""Tests of lib.bits.simulate (theory-spec I.2, I.9 items 4 and 7)."""
import math

import numpy as np
import pytest

from lib.bits import ENCODERS, mse_lower_bound, sgd_error, simulate
from lib.bits.simulate import record_grid


class TestFullPrecisionSGD:
    @pytest.mark.parametrize("x0", [0.0, 5.0, -1e3, "random"])
    def test_error_is_d_sigma2_over_T_from_any_start(self, x0):
        d, sigma, T = 8, 1.5, 50
        start = np.random.default_rng(9).normal(0, 100, size=d) if x0 == "random" else x0
        res = simulate("full", d=d, B=1, sigma=sigma, T=T, reps=4000, seed=1, x0=start, record=[1, 10, T])
        expected = d * sigma**2 / res.rounds
        assert np.all(np.abs(res.mse - expected) < 3 * res.se)

    def test_exact_recursion_matches_monte_carlo_for_other_gains(self):
        d, sigma, T, gain, x0 = 4, 1.0, 40, 0.5, 3.0
        res = simulate("full", d=d, B=1, sigma=sigma, T=T, reps=6000, seed=2, theta=0.0, x0=x0, record=[5, T],
                       step_gain=gain)
        exact = sgd_error(T, d, sigma, gain=gain, start_sq=d * x0**2)[res.rounds - 1]
        assert np.all(np.abs(res.mse - exact) < 3 * res.se)

    def test_exact_recursion_with_unit_gain_is_d_sigma2_over_t(self):
        out = sgd_error(100, 5, 2.0, start_sq=1e6)
        assert out == pytest.approx(5 * 4.0 / np.arange(1, 101), rel=1e-12)


class TestAboveTheLowerBound:
    @pytest.mark.parametrize("scheme", sorted(ENCODERS))
    @pytest.mark.parametrize("d,B", [(16, 4), (8, 64)])
    def test_monte_carlo_error_stays_above_the_van_trees_bound(self, scheme, d, B):
        if scheme == "qsgd":
            B += 40
        res = simulate(scheme, d=d, B=B, sigma=1.0, T=300, reps=400, seed=3, r=2.0)
        bound = mse_lower_bound(res.rounds, d, max(B, d) if scheme == "full" else B, 1.0, 2.0)
        assert np.all(res.mse >= bound - 3 * res.se)
        assert np.allclose(res.lower_bound, bound)

    def test_max_bits_never_above_budget(self):
        for scheme in ("sign", "stochastic_rounding", "randk"):
            assert simulate(scheme, d=32, B=7, sigma=1.0, T=20, reps=3).max_bits <= 7


class TestSimulateInterface:
    def test_result_fields_and_reproducibility(self):
        a = simulate("sign", d=8, B=2, sigma=1.0, T=100, reps=5, seed=7)
        b = simulate("sign", d=8, B=2, sigma=1.0, T=100, reps=5, seed=7)
        assert np.array_equal(a.mse, b.mse) and a.rounds[0] == 1 and a.rounds[-1] == 100
        assert a.options["encoder"]["k"] == 2 and a.max_bits == 2 and np.all(a.ratio > 0)

    def test_record_grid_is_log_spaced_and_distinct(self):
        grid = record_grid(2000)
        assert grid[0] == 1 and grid[-1] == 2000 and np.all(np.diff(grid) > 0)

    def test_extreme_valid_values(self):
        res = simulate("sign", d=1, B=10**6, sigma=1.0, T=30, reps=4, rho=0.999)
        assert np.all(np.isfinite(res.mse)) and res.max_bits == 1
        res = simulate("stochastic_rounding", d=1, B=10**6, sigma=1.0, T=30, reps=4)
        assert np.all(np.isfinite(res.mse)) and res.max_bits <= 30

    @pytest.mark.parametrize("kw,match", [
        (dict(B=0), "`B` must be an integer >= 1"), (dict(d=0), "`d` must be an integer >= 1"),
        (dict(B=2.5), "`B` must be an integer"), (dict(T=1.0), "`T` must be an integer"),
        (dict(sigma=0.0), "`sigma` must lie in"), (dict(rho=1.0), r"`rho` must lie in \(-1, 1\)"),
        (dict(rho=-1.2), r"`rho` must lie in \(-1, 1\)"), (dict(record=[5, 500]), r"`record` must hold rounds"),
        (dict(reps=0), "`reps` must be an integer >= 1"), (dict(r=math.inf), "`r` must lie in"),
    ])
    def test_rejects_bad_input(self, kw, match):
        args = dict(d=4, B=2, sigma=1.0, T=10, reps=2) | kw
        with pytest.raises(ValueError, match=match):
            simulate("sign", **args)

    def test_rejects_unknown_scheme(self):
        with pytest.raises(ValueError, match="`scheme` must be one of"):
            simulate("top-k", d=4, B=2, sigma=1.0, T=10, reps=2)
