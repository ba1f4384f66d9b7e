"""Tests of lib.bits.scheme_theory: SR(b) and sign-scheme predictions, the b-sweep and the ratio table."""
import math

import numpy as np
import pytest

from lib.bits.bounds import mse_lower_bound
from lib.bits.encoders import make_encoder, stochastic_round
from lib.bits.scheme_runs import SETTINGS, lookup
from lib.bits.scheme_theory import (ratio_table, rounding_variance, sign_asymptote, sr_b_sweep, sr_default_bits,
                                    sr_error)
from lib.bits.simulate import simulate


class TestSrRangeAndVariance:
    def test_stored_runs_use_range_2r_plus_kappa_sigma(self):
        assert lookup("stochastic_rounding", 16, 64)["encoder"]["M"] == pytest.approx(2 * 2.0 + 6.0 * 1.0)

    def test_rounding_is_unbiased_with_variance_u_minus_v_times_v_minus_l(self):
        rng = np.random.default_rng(4)
        b, M = 2, 3.0
        step = 2 * M / (2**b - 1)
        for v in (-2.5, -0.4, 1.0, 2.9):
            q = -M + stochastic_round(np.full(200_000, v), rng, b, M) * step
            low = -M + np.floor((v + M) / step) * step
            assert abs(q.mean() - v) < 0.01
            assert q.var() == pytest.approx((low + step - v) * (v - low), rel=0.02)

    def test_average_variance_over_a_cell_is_delta2_over_6(self):
        rng = np.random.default_rng(5)
        b, M = 3, 1.0
        step = 2 * M / (2**b - 1)
        v = rng.uniform(-M, M, 400_000)
        q = -M + stochastic_round(v, rng, b, M) * step
        assert np.mean((q - v) ** 2) == pytest.approx(step**2 / 6, rel=0.01)


class TestSignGain:
    def test_gain_is_inverse_slope_of_the_mean_sign(self):
        sigma, h = 1.7, 1e-6
        slope = (math.erf(h / (sigma * math.sqrt(2))) - math.erf(-h / (sigma * math.sqrt(2)))) / (2 * h)
        assert make_encoder("sign", B=4, d=4, sigma=sigma).gain == pytest.approx(1 / slope, rel=1e-8)


class TestSrError:
    def test_matches_the_formula(self):
        T, d, B, b, sigma, M = 100, 16, 8, 2, 1.0, 10.0
        k, step = 4, 2 * M / 3
        assert sr_error(T, d, B, b, sigma, M) == pytest.approx(d**2 / (k * T) * (sigma**2 + step**2 / 4))
        assert sr_error(T, d, B, b, sigma, M, "even") == pytest.approx(d**2 / (k * T) * (sigma**2 + step**2 / 6))

    def test_simulation_falls_in_the_predicted_band(self):
        d, B, b, T = 8, 8, 4, 400
        run = simulate("stochastic_rounding", d=d, B=B, sigma=1.0, T=T, reps=400, r=2.0, record=[T], seed=1, b=b)
        lo, hi = (sr_error(T, d, B, b, 1.0, 10.0, s) for s in ("even", "worst"))
        assert 0.85 * lo - 3 * run.se[-1] < run.mse[-1] < 1.15 * hi + 3 * run.se[-1]

    def test_vectorised_over_T(self):
        out = sr_error(np.array([10, 20]), 4, 4, 1, 1.0, 2.0)
        assert out[0] == pytest.approx(2 * out[1])

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match=r"`b` must lie in \[1, B\]"):
            sr_error(10, 4, 2, 3, 1.0, 2.0)
        with pytest.raises(ValueError, match="`spread` must be"):
            sr_error(10, 4, 2, 1, 1.0, 2.0, "middle")
        with pytest.raises(TypeError, match="`d` must be an integer"):
            sr_error(10, 2.5, 2, 1, 1.0, 2.0)


class TestSrDefaultBits:
    def test_agrees_with_the_encoder_default(self):
        for M in (0.5, 3.0, 10.0, 100.0):
            assert sr_default_bits(M, 1.0) == make_encoder("stochastic_rounding", B=64, d=4, M=M).b

    def test_makes_the_grid_no_coarser_than_twice_sigma(self):
        for M in (1.0, 10.0, 1000.0):
            b = sr_default_bits(M, 1.0)
            assert 2 * M / (2**b - 1) <= 2.0


class TestSignAsymptote:
    def test_ratio_to_product_bound_is_pi_ln2_when_bits_are_scarce(self):
        T, d, B = 1000, 64, 4
        assert sign_asymptote(T, d, B, 1.0) / mse_lower_bound(T, d, B, 1.0) == pytest.approx(math.pi * math.log(2))

    def test_ratio_is_pi_over_2_when_every_coordinate_is_described(self):
        assert sign_asymptote(1000, 16, 32, 1.0) / mse_lower_bound(1000, 16, 32, 1.0) == pytest.approx(math.pi / 2)

    def test_matches_simulation_for_large_T(self):
        T, d = 4000, 4
        run = simulate("sign", d=d, B=d, sigma=1.0, T=T, reps=400, record=[T], seed=2)
        assert run.mse[-1] == pytest.approx(sign_asymptote(T, d, d, 1.0), rel=0.1)


class TestSrBSweep:
    @pytest.fixture(scope="class")
    @staticmethod
    def sweep():
        return sr_b_sweep([1, 2, 3, 4], d=8, B=4, T=200, reps=16, seed=3)

    def test_stays_within_budget_and_reports_the_best_b(self, sweep):
        assert sweep["max_bits"] <= 4
        assert sweep["best_b"] == sweep["b"][int(np.argmin(sweep["mse"]))]

    def test_errors_exceed_the_bound(self, sweep):
        assert np.all(sweep["mse"] + 3 * sweep["se"] > sweep["bound"])

    def test_rejects_b_above_budget(self):
        with pytest.raises(ValueError, match="`b` must lie in"):
            sr_b_sweep([5], d=8, B=4, T=10, reps=2)


class TestRatioTable:
    def test_entries_are_stored_error_over_the_bound(self):
        table = ratio_table([(16, 64)])
        run = lookup("sign", 16, 64)
        bound = mse_lower_bound(SETTINGS["T"], 64, 16, 1.0, SETTINGS["r"])
        assert table["ratio"]["sign"][0] == pytest.approx(run["mse"][-1] / bound)

    def test_marks_qsgd_as_not_run_below_34_bits(self):
        table = ratio_table([(16, 64), (64, 64)])
        assert math.isnan(table["ratio"]["qsgd"][0]) and table["max_bits"]["qsgd"][1] <= 64


class TestRoundingVariance:
    @pytest.mark.parametrize("step,shift", [(4.0, 0.0), (2.0, 0.3), (0.5, 0.7)])
    def test_matches_monte_carlo_of_the_library_rounding(self, step, shift):
        rng = np.random.default_rng(0)
        M = step * 31.5  # a grid of 64 levels -M + i*2M/63 = step * (i - 31.5): shift the mean accordingly
        x = rng.normal((shift - 0.5) * step, 1.0, size=400_000)
        values = -M + stochastic_round(x, rng, 6, M) * step
        mc = np.mean((values - x) ** 2)  # E[(Q - X)^2 | X] = (u - X)(X - l)
        assert rounding_variance(step, 1.0, shift) == pytest.approx(mc, rel=0.01)

    def test_below_the_even_spread_value_when_the_mean_sits_at_a_level(self):
        v = rounding_variance(4.0, 1.0, 0.0)
        assert v < 4.0**2 / 6 and v == pytest.approx(2.1917, abs=1e-3)  # the band Delta^2/6..Delta^2/4 is not a bound

    def test_between_zero_and_the_worst_case_and_even_for_wide_noise(self):
        assert 0 < rounding_variance(4.0, 1e-3, 0.25) <= 4.0**2 / 4
        assert rounding_variance(4.0, 1e-3, 0.25) == pytest.approx(0.25 * 0.75 * 16, rel=1e-3)
        assert rounding_variance(0.1, 1.0, 0.4) == pytest.approx(0.1**2 / 6, rel=1e-4)


class TestRatioTableUnderCorrelation:
    def test_uses_the_ar1_bound_not_the_iid_product_bound(self):
        from lib.bits.bounds import ar1_mse_lower_bound
        table = ratio_table([(4, 16)], rho=0.9)
        run = lookup("sign", 4, 16, 0.9)
        bound = ar1_mse_lower_bound(SETTINGS["T"], 16, SETTINGS["sigma"], 0.9, SETTINGS["r"])
        assert table["ratio"]["sign"][0] == pytest.approx(run["mse"][-1] / bound)
        assert bound != pytest.approx(mse_lower_bound(SETTINGS["T"], 16, 4, SETTINGS["sigma"], SETTINGS["r"]))
