"""Tests of lib.bits.simulate (theory-spec I.2, I.9 items 4 and 7)."""
import math

import numpy as np
import pytest

from lib.bits import ENCODERS, mse_lower_bound, sgd_error, simulate
from lib.bits.bounds import ar1_mse_lower_bound, communication_distortion_bound
from lib.bits.simulate import memory_counterexample, record_grid, run_lower_bound


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
        assert np.all(res.mse >= res.lower_bound - 3 * res.se)
        if not ENCODERS[scheme].memory:
            bound = mse_lower_bound(res.rounds, d, max(B, d) if scheme == "full" else B, 1.0, 2.0)
            assert np.allclose(res.lower_bound, bound)

    def test_max_bits_never_above_budget(self):
        for scheme in ("sign", "stochastic_rounding", "randk"):
            assert simulate(scheme, d=32, B=7, sigma=1.0, T=20, reps=3).max_bits <= 7


class TestMemoryEncoderBeatsTheProductBound:
    def test_far_below_the_memoryless_product_bound_and_above_the_bound_that_holds(self):
        d, B, T, sigma, r = 16, 1, 3000, 1.0, 2.0
        res, product = memory_counterexample(d=d, B=B, T=T, reps=60, seed=4, r=r)
        assert product == pytest.approx(mse_lower_bound(T, d, B, sigma, r))
        assert res.mse[-1] + 3 * res.se[-1] < product / 5
        assert res.bound == "memory" and res.max_bits == B
        assert res.mse[-1] >= res.lower_bound[-1] - 3 * res.se[-1]
        # independent prediction: variance of the stored mean plus the last bisection interval (width 2M 2^-n)
        n, M = res.options["encoder"]["n"], res.options["encoder"]["M"]
        predicted = d * sigma**2 / (T - math.ceil(d * n / B)) + d * (2 * M * 2.0**-n) ** 2 / 12
        assert abs(res.mse[-1] - predicted) < 4 * res.se[-1]


class TestLowerBoundOfTheRun:
    def test_correlated_noise_reports_the_ar1_bound(self):
        res = simulate("sign", d=8, B=2, sigma=1.0, T=200, reps=20, seed=1, rho=0.6, record=[50, 200])
        assert res.bound == "ar1-statistical"
        assert np.allclose(res.lower_bound, ar1_mse_lower_bound(res.rounds, 8, 1.0, 0.6, 2.0))
        assert np.allclose(res.ratio, res.mse / res.lower_bound)

    def test_memory_reports_statistical_or_communication_never_the_product_bound(self):
        rounds = np.array([1, 10, 100, 10**4])
        bound, name = run_lower_bound(rounds, 64, 1, 1.0, 2.0, memory=True)
        stat = mse_lower_bound(rounds, 64, 64, 1.0, 2.0)
        comm = communication_distortion_bound(rounds, 64, 2.0)
        assert name == "memory" and np.allclose(bound, np.maximum(stat, comm))
        assert bound[-1] < mse_lower_bound(10**4, 64, 1, 1.0, 2.0) / 10  # the product bound would be wrong here

    def test_iid_memoryless_is_the_product_bound(self):
        bound, name = run_lower_bound([5, 50], 16, 4, 1.0, 2.0)
        assert name == "product" and np.allclose(bound, mse_lower_bound(np.array([5, 50]), 16, 4, 1.0, 2.0))


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
        (dict(sigma=0.0), "`sigma` must lie in"), (dict(rho=1.0), r"`rho` must lie in \(-1, 1\)"),
        (dict(rho=-1.2), r"`rho` must lie in \(-1, 1\)"), (dict(record=[5, 500]), r"`record` must hold rounds"),
        (dict(reps=0), "`reps` must be an integer >= 1"), (dict(r=math.inf), "`r` must lie in"),
    ])
    def test_rejects_bad_input(self, kw, match):
        args = dict(d=4, B=2, sigma=1.0, T=10, reps=2) | kw
        with pytest.raises(ValueError, match=match):
            simulate("sign", **args)

    @pytest.mark.parametrize("kw,match", [(dict(B=2.5), "`B` must be an integer"),
                                          (dict(T=1.0), "`T` must be an integer")])
    def test_rejects_wrong_types(self, kw, match):
        with pytest.raises(TypeError, match=match):
            simulate("sign", **(dict(d=4, B=2, sigma=1.0, T=10, reps=2) | kw))

    def test_rejects_unknown_scheme(self):
        with pytest.raises(ValueError, match="`scheme` must be one of"):
            simulate("top-k", d=4, B=2, sigma=1.0, T=10, reps=2)
