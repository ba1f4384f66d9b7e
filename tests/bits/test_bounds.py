"""Tests of lib.bits.bounds and lib.bits.noiseless (theory-spec I.4, I.9 items 5 and 8)."""
import math

import numpy as np
import pytest
from scipy import optimize

from lib.bits import bounds as bd
from lib.bits import noiseless as nl
from lib.infotheory import gaussian_location_bayes_risk

LN2 = math.log(2)


class TestFisherBudget:
    def test_is_min_of_dimension_and_two_ln2_bits(self):
        assert bd.fisher_budget_per_round(100, 10, 2.0) == pytest.approx(2 * LN2 * 10 / 4)
        assert bd.fisher_budget_per_round(10, 100, 2.0) == pytest.approx(10 / 4)

    def test_trace_bound_vectorised_in_T(self):
        out = bd.fisher_trace_bound(np.array([1, 10]), 4, 1, 1.0)
        assert out == pytest.approx([2 * LN2, 20 * LN2])


class TestMseLowerBound:
    def test_example_equals_statistical_bound_when_bits_are_plenty(self):
        assert bd.mse_lower_bound(100, 10, 64, 1.0) == pytest.approx(10 / 100)

    def test_decreases_in_T_and_B_increases_in_d_and_sigma(self):
        base = bd.mse_lower_bound(100, 32, 4, 1.0, r=2.0)
        assert bd.mse_lower_bound(200, 32, 4, 1.0, r=2.0) < base
        assert bd.mse_lower_bound(100, 32, 8, 1.0, r=2.0) < base
        assert bd.mse_lower_bound(100, 64, 4, 1.0, r=2.0) > base
        assert bd.mse_lower_bound(100, 32, 4, 1.5, r=2.0) > base

    def test_constant_in_B_beyond_d_over_two_ln2(self):
        d = 64
        b0 = math.ceil(d / (2 * LN2))
        values = [bd.mse_lower_bound(50, d, B, 1.0, r=3.0) for B in (b0, b0 + 1, 10 * b0, 10**6)]
        assert np.allclose(values, values[0], rtol=0, atol=0)
        assert bd.mse_lower_bound(50, d, b0 - 1, 1.0, r=3.0) > values[0]

    def test_tends_to_fisher_only_bound_as_r_grows(self):
        T, d, B, sigma = 100, 16, 2, 1.3
        limit = sigma**2 * d**2 / (T * min(d, 2 * LN2 * B))
        assert bd.mse_lower_bound(T, d, B, sigma, r=1e6) == pytest.approx(limit, rel=1e-9)
        assert bd.mse_lower_bound(T, d, B, sigma) == pytest.approx(limit, rel=1e-14)

    @pytest.mark.parametrize("n,r", [(1, 1.0), (4, 0.5), (20, 2.0)])
    def test_below_exact_bayes_risk_of_unquantised_samples(self, n, r):
        # d = 1, unconstrained (B large): the bound must sit below the true Bayes risk under the cos^2 prior.
        assert bd.mse_lower_bound(n, 1, 10**6, 1.0, r=r) <= gaussian_location_bayes_risk(n, 1.0, r)

    def test_vectorised_over_T(self):
        T = np.array([1, 10, 100])
        assert bd.mse_lower_bound(T, 8, 2, 1.0, 2.0) == pytest.approx(
            [bd.mse_lower_bound(int(t), 8, 2, 1.0, 2.0) for t in T])

    @pytest.mark.parametrize("kw,error,match", [
        (dict(B=0), ValueError, r"`B` must be an integer >= 1"), (dict(d=0), ValueError, r"`d` must be an integer >= 1"),
        (dict(B=2.5), TypeError, r"`B` must be an integer >= 1"), (dict(T=10.0), TypeError, r"`T` must be an integer"),
        (dict(sigma=0.0), ValueError, r"`sigma` must lie in \(0, inf\)"),
        (dict(r=-1.0), ValueError, r"`r` must lie in \(0, inf\]"),
    ])
    def test_rejects_bad_input(self, kw, error, match):
        args = dict(T=10, d=4, B=2, sigma=1.0, r=2.0) | kw
        with pytest.raises(error, match=match):
            bd.mse_lower_bound(**args)

    def test_extreme_valid_values_are_finite(self):
        assert math.isfinite(bd.mse_lower_bound(10, 1, 10**6, 1.0))
        assert math.isfinite(bd.mse_lower_bound(10**9, 10**4, 1, 1e-3, r=1e3))


class TestRoundsLowerBound:
    def test_closed_form_regimes(self):
        assert bd.rounds_lower_bound(0.1, 10, 100, 1.0) == pytest.approx(10 / (2 * 0.01))
        assert bd.rounds_lower_bound(0.1, 100, 1, 1.0) == pytest.approx(100 / 0.02 * 100 / (2 * LN2))

    @pytest.mark.parametrize("d,B,sigma,eps", [(16, 2, 1.0, 0.5), (64, 64, 2.0, 1.0), (8, 1, 0.5, 0.1)])
    def test_fewer_rounds_cannot_reach_eps_for_any_admissible_r(self, d, B, sigma, eps):
        T_lb = bd.rounds_lower_bound(eps, d, B, sigma)
        r_min = math.pi * eps * math.sqrt(2 / d)
        for r in (r_min, 3 * r_min, math.inf):
            T = max(1, math.floor(T_lb * (1 - 1e-9)))
            assert bd.mse_lower_bound(T, d, B, sigma, r) > eps**2 * (1 - 1e-12) or T_lb < 1

    def test_rejects_bad_eps(self):
        with pytest.raises(ValueError, match="`eps`"):
            bd.rounds_lower_bound(0.0, 4, 2, 1.0)


class TestMinRounds:
    def test_inverts_the_product_bound(self):
        d, B, sigma, eps, r = 32, 3, 1.0, 0.7, 2.0
        t = bd.min_rounds(eps, d, B, sigma, r)
        assert bd.mse_lower_bound(math.ceil(t), d, B, sigma, r) <= eps**2
        assert bd.mse_lower_bound(math.floor(t), d, B, sigma, r) >= eps**2

    def test_twice_the_rounds_bound_without_prior(self):
        assert bd.min_rounds(0.3, 20, 5, 1.0) == pytest.approx(2 * bd.rounds_lower_bound(0.3, 20, 5, 1.0))

    def test_kink_at_bit_limited_threshold(self):
        d = 100
        assert bd.bit_limited_threshold(d) == pytest.approx(d / (2 * LN2))


class TestCommunicationLowerBound:
    def test_example(self):
        assert bd.communication_lower_bound(8, 1.0, 1.0) == pytest.approx(12.0)

    @pytest.mark.parametrize("d", [1, 3, 50])
    def test_at_least_d_bits_when_eps_small(self, d):
        for eps2 in (d / 4, d / 40, 1e-6):
            assert bd.communication_lower_bound(d, math.sqrt(eps2), 1.0) >= d - 1e-9

    def test_equal_split_minimises_the_rate(self):
        # Independent check: minimise sum_j 1/2 log2(s^2/D_j) subject to sum D_j = eps^2 numerically (d = 3).
        d, eps, s = 3, 0.5, 1.0
        rate = lambda D: np.sum(0.5 * np.log2(s**2 / np.abs(D)))  # noqa: E731
        res = optimize.minimize(rate, x0=[0.05, 0.1, 0.1], constraints={"type": "eq", "fun": lambda D: D.sum() - eps**2},
                                bounds=[(1e-6, s**2)] * d)
        assert bd.communication_lower_bound(d, eps, s) == pytest.approx(res.fun, rel=1e-6)

    def test_zero_beyond_prior_variance(self):
        assert bd.communication_lower_bound(4, 3.0, 1.0) == 0.0

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match="`s`"):
            bd.communication_lower_bound(4, 1.0, 0.0)


class TestUniformCommunicationAndBisection:
    def test_bisection_matches_monte_carlo(self):
        mse, se = nl.simulate_bisection(8, 3, 10, 1.5, 4000, seed=2)
        assert abs(mse - nl.bisection_error(8, 30, 1.5)) < 3 * se

    @pytest.mark.parametrize("bits", [0, 8, 40, 200])
    def test_bisection_sits_above_the_shannon_bound_by_pi_e_over_six_at_most(self, bits):
        d, r = 8, 1.0
        err, lb = nl.bisection_error(d, bits, r), nl.uniform_distortion_bound(d, bits, r)
        assert lb <= err <= math.pi * math.e / 6 * lb * (1 + 1e-12) or bits == 0

    def test_bits_and_distortion_forms_agree(self):
        d, r, eps = 10, 2.0, 0.3
        bits = bd.communication_lower_bound_uniform(d, eps, r)
        assert nl.uniform_distortion_bound(d, bits, r) == pytest.approx(eps**2, rel=1e-12)


class TestFisherRouteBits:
    def test_vacuous_without_noise(self):
        assert bd.fisher_route_bits(16, 0.1, 0.0, 1.0) == 0.0

    def test_implied_by_product_bound_in_bit_limited_regime(self):
        d, eps, sigma = 64, 0.5, 1.0
        expected = sigma**2 * (d**2 / eps**2 - d) / (2 * LN2)
        assert bd.fisher_route_bits(d, eps, sigma, 1.0) == pytest.approx(expected)


class TestCos2CommunicationBound:
    @pytest.mark.parametrize("r", [0.3, 1.0, 2.0])
    def test_entropy_of_the_cos2_prior_by_quadrature(self, r):
        from scipy import integrate
        def minus_p_log_p(x):
            p = math.cos(math.pi * x / (2 * r)) ** 2 / r
            return -p * math.log(p) if p > 0 else 0.0
        h = integrate.quad(minus_p_log_p, -r, r, limit=200)[0]
        assert h == pytest.approx(math.log(r) + bd.COS2_ENTROPY_SHIFT, rel=1e-9)

    def test_is_the_shannon_lower_bound_solved_for_the_distortion(self):
        d, r, bits = 8, 2.0, np.array([0.0, 5.0, 40.0])
        D = bd.communication_distortion_bound(bits, d, r)
        h_bits = d * math.log2(4 * r / math.e)  # differential entropy in bits
        assert np.allclose(h_bits - d / 2 * np.log2(2 * math.pi * math.e * D / d), bits)

    def test_below_the_prior_variance_and_the_bisection_error(self):
        d, r = 4, 1.0
        assert bd.communication_distortion_bound(0, d, r) < d * r**2 * (1 / 3 - 2 / math.pi**2)
        # bisection of the cos2 prior after n bits: the midpoint of an interval of width 2r 2^-n
        assert bd.communication_distortion_bound(4 * 12, d, r) < d * (2 * r * 2.0**-12) ** 2 / 12 * 1.5

    def test_rejects_negative_bits(self):
        with pytest.raises(ValueError, match="total_bits"):
            bd.communication_distortion_bound(-1, 4, 1.0)


class TestLocalisationIsChargedByTheCubeBound:
    @pytest.mark.parametrize("d,r,sigma,shrink", [(64, 100.0, 1.0, 1.0), (8, 50.0, 0.5, 0.3), (256, 1e4, 2.0, 0.01)])
    def test_cube_bits_at_least_localisation_minus_half_log_pi_e_over_2(self, d, r, sigma, shrink):
        eps = shrink * math.sqrt(d) * sigma  # eps^2 <= d sigma^2
        localisation = d * math.log2(r / sigma)
        bits = bd.communication_lower_bound_uniform(d, eps, r)
        slack = d / 2 * math.log2(math.pi * math.e / 2)
        assert bits >= localisation - slack - 1e-9
        if shrink == 1.0:
            assert bits == pytest.approx(localisation - slack)


class TestAr1MinRounds:
    @pytest.mark.parametrize("rho,d,eps", [(0.9, 16, 0.3), (0.5, 64, 1.0), (-0.4, 8, 0.2), (0.0, 4, 0.5)])
    def test_is_where_the_ar1_bound_at_the_smallest_admissible_r_reaches_eps2(self, rho, d, eps):
        from lib.bits.bounds import ar1_mse_lower_bound
        T = bd.ar1_min_rounds(eps, d, 1.0, rho)
        r = math.pi * eps * math.sqrt(2 / d)
        fisher = ((T - 2) * (1 - rho) + 2) / (1 + rho)  # 1' Sigma^-1 1, written out
        assert d**2 / (d * fisher + d * math.pi**2 / r**2) == pytest.approx(eps**2, rel=1e-10)
        assert ar1_mse_lower_bound(math.ceil(T) + 1, d, 1.0, rho, r) < eps**2 < ar1_mse_lower_bound(
            max(1, math.floor(T) - 1), d, 1.0, rho, r)

    def test_equals_the_iid_rounds_bound_at_rho_zero(self):
        assert bd.ar1_min_rounds(0.3, 16, 1.0, 0.0) == pytest.approx(bd.rounds_lower_bound(0.3, 16, 10**6, 1.0))


class TestCorrelationFactor:
    @pytest.mark.parametrize("rho", [-0.6, 0.0, 0.5, 0.9])
    def test_equals_sum_of_autocorrelations(self, rho):
        k = np.arange(-4000, 4001)
        assert bd.correlation_factor(rho) == pytest.approx(np.sum(rho ** np.abs(k)), rel=1e-10)

    def test_extreme_rho_is_finite(self):
        assert bd.correlation_factor(0.999) == pytest.approx(1999.0)

    @pytest.mark.parametrize("rho", [1.0, -1.0, 1.5])
    def test_rejects_rho_outside_open_interval(self, rho):
        with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
            bd.correlation_factor(rho)


class TestMatrixVanTreesForAnisotropicNoise:
    def test_sample_mean_attains_trace_sigma_over_T_above_the_scalar_form(self):
        d, T, reps = 16, 50, 4000
        var = np.r_[np.ones(d - 1), 100.0]
        rng = np.random.default_rng(3)
        means = rng.normal(0.0, np.sqrt(var / T), size=(reps, d))  # sample mean of T samples, theta = 0
        mse = np.sum(means**2, axis=1)
        matrix = np.sum(1 / (T / var + math.pi**2 / 1e6**2))  # tr (T Sigma^-1 + J)^-1 with r = 1e6
        scalar = d**2 / (T * np.sum(1 / var))
        assert abs(mse.mean() - matrix) < 3 * mse.std() / math.sqrt(reps)
        assert matrix == pytest.approx(var.sum() / T, rel=1e-9) and scalar < matrix / 6


class TestExtremeButFiniteInputs:
    """A huge or tiny sigma gives the bound's limit (or inf where the value exceeds a double), never an error."""

    def test_huge_noise_leaves_the_prior_term(self):
        # sigma -> inf: the samples carry no information and the van Trees bound tends to d^2/(d pi^2/r^2).
        assert bd.mse_lower_bound(10, 4, 2, 1e300, 2.0) == pytest.approx(4 * 2.0**2 / math.pi**2, rel=1e-12)
        assert bd.mse_lower_bound(10, 4, 2, 1e300) == math.inf

    def test_tiny_noise_gives_zero_error_bound(self):
        assert bd.mse_lower_bound(10, 4, 2, 1e-300, 2.0) == 0.0

    @pytest.mark.parametrize("fn,args", [
        (bd.rounds_lower_bound, (0.1, 4, 2, 1e300)), (bd.min_rounds, (0.1, 4, 2, 1e300, 2.0)),
        (bd.fisher_route_bits, (4, 0.1, 1e300, 1.0)), (bd.ar1_min_rounds, (0.1, 4, 1e300, 0.5)),
    ])
    def test_rounds_and_bits_beyond_a_double_are_inf(self, fn, args):
        assert fn(*args) == math.inf

    def test_communication_bound_stays_exact_for_extreme_ratios(self):
        # (d/2) log2(d s^2/eps^2) with s/eps = 1e600: computed in logs, not via an overflowing ratio.
        expected = 0.5 * 8 * (math.log2(8) + 2 * 600 * math.log2(10))
        assert bd.communication_lower_bound(8, 1e-300, 1e300) == pytest.approx(expected, rel=1e-12)

    def test_fisher_budget_of_extreme_noise(self):
        assert bd.fisher_budget_per_round(4, 2, 1e300) == 0.0
        assert bd.fisher_budget_per_round(4, 2, 1e-300) == math.inf


class TestBoundsAcceptArrays:
    @pytest.mark.parametrize("fn,args,i", [
        (bd.rounds_lower_bound, (0.3, 64, [1, 16, 64, 1024], 1.0), 2),
        (bd.min_rounds, (0.3, 64, [1, 16, 64, 1024], 1.0, 2.0), 2),
        (bd.fisher_budget_per_round, (64, [1, 16, 64, 1024], 1.0), 1),
        (bd.communication_lower_bound, (8, [0.1, 1.0, 10.0], 1.0), 1),
        (bd.fisher_route_bits, (8, [0.1, 1.0, 10.0], 0.5, 1.0), 1),
        (bd.correlation_factor, ([0.0, 0.5, 0.9],), 0),
        (bd.bit_limited_threshold, ([4, 64, 1024],), 0),
    ])
    def test_an_array_argument_gives_the_scalar_results(self, fn, args, i):
        arr = np.asarray(args[i])
        out = fn(*args)
        assert out.shape == arr.shape
        for k, value in enumerate(arr):
            scalar = fn(*(args[:i] + (value.item(),) + args[i + 1:]))
            assert isinstance(scalar, float) and out[k] == pytest.approx(scalar, rel=1e-14)

    def test_communication_bound_is_the_gaussian_rate_distortion(self):
        # independent route: d times R(D) of N(0, s^2) at the per-coordinate distortion eps^2/d
        from lib.infotheory import gaussian_rate_distortion
        for d, eps, s in [(8, 1.0, 1.0), (16, 0.3, 2.0), (4, 5.0, 1.0)]:
            assert bd.communication_lower_bound(d, eps, s) == pytest.approx(
                d * gaussian_rate_distortion(eps**2 / d, s**2), abs=1e-12)
