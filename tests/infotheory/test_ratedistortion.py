"""lib.infotheory.ratedistortion against brute-force optimisation, Monte Carlo and published constants."""
import numpy as np
import pytest
from scipy import integrate, optimize, stats

from lib.infotheory import ratedistortion as rd


class TestGaussianRateDistortion:
    def test_half_log_ratio_in_bits(self):
        assert rd.gaussian_rate_distortion(0.1, 2.0) == pytest.approx(0.5 * np.log(20) / np.log(2), rel=1e-14)

    def test_zero_at_and_beyond_variance(self):
        assert np.all(rd.gaussian_rate_distortion(np.array([1.0, 3.0]), 1.0) == 0.0)

    def test_inverts_distortion_rate(self):
        for R in (0.3, 1.0, 4.5):
            assert rd.gaussian_rate_distortion(rd.gaussian_distortion_rate(R, 3.0), 3.0) == pytest.approx(R)

    def test_at_least_shannon_lower_bound(self):
        # R(D) >= h(X) - 0.5 log2(2 pi e D), with h from scipy's differential entropy (bits)
        var = 2.5
        h_bits = stats.norm(0, np.sqrt(var)).entropy() / np.log(2)
        for D in (0.01, 0.5, 2.0):
            assert rd.gaussian_rate_distortion(D, var) >= h_bits - 0.5 * np.log2(2 * np.pi * np.e * D) - 1e-12

    def test_rejects_zero_distortion(self):
        with pytest.raises(ValueError, match=r"`D` must lie in \(0, inf\)"):
            rd.gaussian_rate_distortion(0.0, 1.0)


class TestGaussianDistortionRate:
    def test_each_bit_gains_six_decibels(self):
        gain = 10 * np.log10(rd.gaussian_distortion_rate(2.0, 1.0) / rd.gaussian_distortion_rate(3.0, 1.0))
        assert gain == pytest.approx(20 * np.log10(2)) and round(gain, 2) == 6.02

    def test_zero_rate_is_the_variance(self):
        assert rd.gaussian_distortion_rate(0.0, 5.0) == 5.0

    def test_rejects_negative_rate(self):
        with pytest.raises(ValueError, match=r"`R` must lie in \[0, inf\)"):
            rd.gaussian_distortion_rate(-1.0, 1.0)


class TestReverseWaterFilling:
    def test_matches_constrained_minimisation(self):
        var = np.array([4.0, 1.0, 0.5, 0.1])
        D = 1.2
        res = rd.reverse_water_filling(var, D)
        cons = {"type": "eq", "fun": lambda x: x.sum() - D}
        rate = lambda x: np.sum(np.maximum(0.0, 0.5 * np.log2(var / x)))  # noqa: E731
        opt = optimize.minimize(rate, np.full(4, D / 4), constraints=[cons], bounds=[(1e-9, v) for v in var],
                                method="SLSQP")
        assert res.total_rate == pytest.approx(opt.fun, abs=1e-5)
        assert res.distortions.sum() == pytest.approx(D)

    def test_equal_variances_reduce_to_d_over_two_log(self):
        d, var, D = 16, 2.0, 3.0
        res = rd.reverse_water_filling(np.full(d, var), D)
        assert res.total_rate == pytest.approx(d / 2 * np.log2(d * var / D))
        assert res.level == pytest.approx(D / d)

    def test_small_components_get_no_bits(self):
        res = rd.reverse_water_filling([4.0, 1.0, 0.01], 0.5)
        assert res.rates[2] == 0.0 and res.distortions[2] == pytest.approx(0.01)

    def test_budget_above_total_variance_needs_no_bits(self):
        res = rd.reverse_water_filling([1.0, 2.0], 5.0)
        assert res.total_rate == 0.0 and np.allclose(res.distortions, [1.0, 2.0])

    def test_rejects_matrix(self):
        with pytest.raises(ValueError, match=r"`variances` must be a 1-dimensional array"):
            rd.reverse_water_filling(np.ones((2, 2)), 1.0)

    def test_rejects_zero_variance(self):
        with pytest.raises(ValueError, match=r"`variances` must lie in \(0, inf\)"):
            rd.reverse_water_filling([1.0, 0.0], 1.0)


class TestUniformQuantise:
    def test_levels_and_clipping(self):
        out = rd.uniform_quantise(np.array([-9.0, -0.2, 0.2, 9.0]), 2, 1.0)
        assert out.tolist() == [-1.5, -0.5, 0.5, 1.5]

    def test_uses_exactly_two_to_the_r_levels(self):
        x = np.random.default_rng(9).normal(size=10_000) * 5
        assert np.unique(rd.uniform_quantise(x, 3, 0.5)).size == 8

    def test_rejects_zero_bits(self):
        with pytest.raises(ValueError, match=r"`R` must be an integer >= 1"):
            rd.uniform_quantise([0.0], 0, 1.0)

    def test_rejects_negative_step(self):
        with pytest.raises(ValueError, match=r"`step` must lie in \(0, inf\)"):
            rd.uniform_quantise([0.0], 1, -1.0)


class TestUniformQuantiserMSE:
    @pytest.mark.parametrize("R", [1, 2, 3])
    def test_matches_monte_carlo(self, R):
        x = np.random.default_rng(R).normal(0, 2.0, 200_000)
        err = (x - rd.uniform_quantise(x, R, 2.0 * rd.optimal_uniform_step(R))) ** 2
        assert abs(rd.uniform_quantiser_mse(R, 4.0) - err.mean()) < 3 * err.std() / np.sqrt(err.size)

    def test_matches_quadrature_for_a_given_step(self):
        R, step = 2, 0.7
        ref, _ = integrate.quad(lambda x: (x - rd.uniform_quantise(x, R, step)) ** 2 * stats.norm.pdf(x),
                                -12, 12, points=[-0.7, 0.0, 0.7], limit=200)
        assert rd.uniform_quantiser_mse(R, 1.0, step) == pytest.approx(ref, rel=1e-8)

    def test_max_1960_table(self):
        # Max (1960), Table II, optimum uniform quantiser of a unit Gaussian: error for 2, 4, 8, 16 levels
        got = [rd.uniform_quantiser_mse(R) for R in (1, 2, 3, 4)]
        assert np.round(got, 4).tolist() == [0.3634, 0.1188, 0.0374, 0.0115]

    def test_sits_above_distortion_rate_function(self):
        for R in range(1, 9):
            assert rd.uniform_quantiser_mse(R) > rd.gaussian_distortion_rate(R, 1.0)


class TestOptimalUniformStep:
    def test_max_1960_steps(self):
        got = [rd.optimal_uniform_step(R) for R in (1, 2, 3, 4)]
        assert np.round(got, 3).tolist() == [1.596, 0.996, 0.586, 0.335]

    def test_is_a_minimum_on_a_grid(self):
        best = rd.optimal_uniform_step(3)
        grid = np.linspace(0.3, 1.0, 141)
        errs = [rd.uniform_quantiser_mse(3, 1.0, s) for s in grid]
        assert rd.uniform_quantiser_mse(3) <= min(errs) + 1e-12
        assert abs(grid[np.argmin(errs)] - best) < 0.01


class TestUniformQuantiserEntropy:
    def test_matches_monte_carlo_plug_in_entropy(self):
        x = np.random.default_rng(11).normal(size=400_000)
        _, counts = np.unique(rd.uniform_quantise(x, 3, rd.optimal_uniform_step(3)), return_counts=True)
        freq = counts / counts.sum()
        assert rd.uniform_quantiser_entropy(3) == pytest.approx(-(freq * np.log2(freq)).sum(), abs=3e-3)

    def test_at_most_r_bits_and_exactly_one_for_the_sign(self):
        assert rd.uniform_quantiser_entropy(1) == pytest.approx(1.0, abs=1e-15)
        assert all(rd.uniform_quantiser_entropy(R) < R for R in range(2, 8))

    def test_high_resolution_gap_is_pi_e_over_six(self):
        H = rd.uniform_quantiser_entropy(10, step=0.01)
        D = rd.uniform_quantiser_mse(10, 1.0, step=0.01)
        assert 10 * np.log10(D / 2.0 ** (-2 * H)) == pytest.approx(10 * np.log10(np.pi * np.e / 6), abs=0.02)

    def test_nats_are_bits_times_ln2(self):
        assert rd.uniform_quantiser_entropy(2, base=None) == pytest.approx(rd.uniform_quantiser_entropy(2) * np.log(2))
