"""Tests of lib.bits.regime: the three bounds on T over the (B, d) plane and the distance of the schemes."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from lib.bits.bounds import communication_lower_bound_uniform, mse_lower_bound, rounds_lower_bound
from lib.bits.correlated import ar1_mse_lower_bound
from lib.bits.regime import (REGIMES, binding_regime, distance_map, power_grid, regime_boundary, regime_map,
                             rounds_bounds, scheme_bound)
from lib.bits.scheme_runs import B_GRID, D_GRID, SCHEMES


class TestRoundsBounds:
    @pytest.mark.parametrize("B,d", [(1, 8), (16, 64), (512, 64)])
    def test_statistical_and_bit_limited_give_the_rounds_bound_at_rho_zero(self, B, d):
        bounds = rounds_bounds(B, d, 1.3, 0.2)
        assert max(bounds["statistical"], bounds["bit-limited"]) == pytest.approx(rounds_lower_bound(0.2, d, B, 1.3))

    def test_communication_is_the_cube_bits_over_B_with_the_same_r(self):
        assert rounds_bounds(8, 32, 1.0, 0.1, r=1.5)["communication"] == pytest.approx(
            communication_lower_bound_uniform(32, 0.1, 1.5) / 8)

    def test_statistical_is_the_exact_ar1_inversion(self):
        base = rounds_bounds(4, 16, 1.0, 0.1)["statistical"]
        assert rounds_bounds(4, 16, 1.0, 0.1, rho=0.8)["statistical"] == pytest.approx(9 * base - 2 * 0.8 / 0.2)

    @pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, -0.3])
    def test_statistical_rounds_reach_eps_at_the_smallest_admissible_cube(self, rho):
        d, eps = 16, 0.1
        T = rounds_bounds(4, d, 1.0, eps, rho=rho)["statistical"]
        r_min = math.pi * eps * math.sqrt(2 / d)
        # below T rounds the proved AR(1) bound on that cube still exceeds eps^2 (one round of slack for integers)
        assert ar1_mse_lower_bound(int(math.floor(T)) - 1, d, 1.0, rho, r_min) > eps**2
        assert ar1_mse_lower_bound(int(math.ceil(T)) + 1, d, 1.0, rho, r_min) < eps**2

    def test_finite_near_one(self):
        assert all(np.isfinite(v) for v in rounds_bounds(4, 16, 1.0, 0.1, rho=0.999).values())

    def test_broadcasts_over_B_and_d(self):
        out = rounds_bounds(np.array([1, 2, 4])[None, :], np.array([8, 16])[:, None], 1.0, 0.1)
        assert all(v.shape == (2, 3) for v in out.values())

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match="`B` must be an integer >= 1"):
            rounds_bounds(0, 4, 1.0, 0.1)
        with pytest.raises(TypeError, match="`d` must be an integer"):
            rounds_bounds(2, 2.5, 1.0, 0.1)
        with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
            rounds_bounds(2, 4, 1.0, 0.1, rho=1.0)
        with pytest.raises(ValueError, match="`eps` must lie in"):
            rounds_bounds(2, 4, 1.0, 0.0)


class TestBindingRegime:
    def test_each_regime_occurs_where_expected(self):
        assert REGIMES[int(binding_regime(1, 64, 1e-3, 0.1))] == "communication"
        assert REGIMES[int(binding_regime(4096, 64, 1.0, 0.1))] == "statistical"
        assert REGIMES[int(binding_regime(1, 64, 1.0, 0.1))] == "bit-limited"

    def test_high_correlation_enlarges_the_statistical_region(self):
        assert REGIMES[int(binding_regime(16, 64, 1.0, 0.1))] == "bit-limited"
        assert REGIMES[int(binding_regime(16, 64, 1.0, 0.1, rho=0.9))] == "statistical"


class TestRegimeBoundary:
    def continuous_bounds(self, B, d, sigma, eps, rho, r=2.0):
        base = sigma**2 * d / (2 * eps**2)
        comm = 0.5 * d * math.log2(2 * r**2 * d / (math.pi * math.e * eps**2)) / B
        stat = max(1.0, base * (1 + rho) / (1 - rho) - 2 * rho / (1 - rho))  # no bound asks for less than one round
        return comm, stat, base * d / (2 * math.log(2) * B)

    @pytest.mark.parametrize("d,sigma,rho", [(64, 1.0, 0.0), (64, 1.0, 0.6), (16, 1e-3, 0.0)])
    def test_change_point_solves_the_equality_of_the_bounds(self, d, sigma, rho):
        eps = 0.1
        change, below = regime_boundary(d, sigma, eps, rho)
        comm, stat, bit = self.continuous_bounds(1.0, d, sigma, eps, rho)
        limiting = comm if int(below) == 0 else bit
        root = brentq(lambda B: limiting / B - stat, 1e-9, 1e9)
        assert float(change) == pytest.approx(root, rel=1e-9)

    @pytest.mark.parametrize("d,sigma,eps", [(256, 1.0, 0.1), (256, 0.02, 0.1), (16, 0.1, 1.0), (1024, 0.01, 0.01)])
    def test_communication_rows_follow_the_log_criterion(self, d, sigma, eps):
        _, below = regime_boundary(d, sigma, eps)
        r = 2.0
        assert (int(below) == 0) == (math.log(2 * r**2 * d / (math.pi * math.e * eps**2)) > sigma**2 * d / (2 * eps**2))

    def test_regime_flips_across_the_change_point(self):
        change, below = regime_boundary(256, 1.0, 0.1)
        B_low, B_high = int(math.floor(change)), int(math.ceil(change))
        assert int(binding_regime(B_low, 256, 1.0, 0.1)) == int(below)
        assert REGIMES[int(binding_regime(B_high, 256, 1.0, 0.1))] == "statistical"


class TestRegimeMap:
    def test_rounds_are_the_largest_bound_and_codes_match(self):
        m = regime_map(0.05, 0.1, rho=0.3)
        bounds = rounds_bounds(m.B[None, :], m.d[:, None], 0.05, 0.1, 0.3)
        assert np.allclose(m.rounds, np.maximum.reduce(list(bounds.values())))
        assert np.array_equal(m.regime, binding_regime(m.B[None, :], m.d[:, None], 0.05, 0.1, 0.3))

    def test_default_grid_spans_1_to_4096(self):
        m = regime_map(1.0, 0.1)
        assert m.B[0] == 1 and m.B[-1] == 4096 and m.rounds.shape == (m.d.size, m.B.size)


class TestPowerGrid:
    def test_half_octaves(self):
        assert power_grid(16).tolist() == [1, 2, 3, 4, 6, 8, 11, 16]


class TestSchemeBound:
    def test_equals_product_bound_at_rho_zero(self):
        T = np.array([10, 100, 1000])
        assert np.allclose(scheme_bound(T, 16, 4, 1.0, 0.0, 2.0), mse_lower_bound(T, 16, 4, 1.0, 2.0))

    def test_at_least_the_proved_ar1_bound(self):
        assert scheme_bound(500, 16, 64, 1.0, 0.9, 2.0) >= ar1_mse_lower_bound(500, 16, 1.0, 0.9, 2.0)


class TestDistanceMap:
    @pytest.mark.parametrize("scheme", SCHEMES)
    def test_every_scheme_stays_above_the_proved_bound(self, scheme):
        ratio, se = distance_map(scheme, 0.0)
        ok = np.isnan(ratio) | (ratio > 1 - 3 * se)
        assert ok.all()

    def test_qsgd_is_missing_below_34_bits(self):
        ratio, _ = distance_map("qsgd", 0.0)
        assert np.isnan(ratio[:, np.array(B_GRID) < 34]).all() and np.isfinite(ratio[:, np.array(B_GRID) >= 34]).all()

    def test_shape_follows_the_stored_grid(self):
        ratio, se = distance_map("sign", 0.5)
        assert ratio.shape == se.shape == (len(D_GRID), len(B_GRID))

    def test_rejects_unknown_scheme(self):
        with pytest.raises(ValueError, match="`scheme` must be one of"):
            distance_map("topk")
