"""Tests of lib.bits.correlated: AR(1) Fisher information, exact SGD error, arcsine inflation, schedules."""
import math

import numpy as np
import pytest

from lib.bits.bounds import correlation_factor, mse_lower_bound
from lib.bits.correlated import (ar1_fisher, ar1_mse_lower_bound, ar1_sgd_mse, schedule_experiment,
                                 schedule_inflation, sign_inflation)


def ar1_correlation_matrix(T, rho):
    k = np.arange(T)
    return rho ** np.abs(k[:, None] - k[None, :])


def ar1_paths(rng, reps, T, rho):
    """Stationary AR(1) noise paths, shape (reps, T), built step by step (independent of the library)."""
    z = np.empty((reps, T))
    z[:, 0] = rng.standard_normal(reps)
    for t in range(1, T):
        z[:, t] = rho * z[:, t - 1] + math.sqrt(1 - rho**2) * rng.standard_normal(reps)
    return z


class TestCorrelationFactor:
    @pytest.mark.parametrize("rho", [-0.6, 0.3, 0.9])
    def test_is_the_long_run_variance_sum(self, rho):
        k = np.arange(-5000, 5001)
        assert correlation_factor(rho) == pytest.approx(np.sum(rho ** np.abs(k)), rel=1e-12)


class TestAr1Fisher:
    @pytest.mark.parametrize("T,rho,sigma", [(1, 0.3, 1.0), (2, 0.5, 2.0), (7, -0.6, 0.5), (40, 0.9, 1.3),
                                             (60, 0.999, 1.0)])
    def test_matches_matrix_inversion(self, T, rho, sigma):
        cov = sigma**2 * ar1_correlation_matrix(T, rho)
        ones = np.ones(T)
        assert ar1_fisher(T, rho, sigma) == pytest.approx(ones @ np.linalg.solve(cov, ones), rel=1e-8)

    def test_equals_T_over_sigma2_at_rho_zero(self):
        assert ar1_fisher(25, 0.0, 2.0) == pytest.approx(25 / 4)

    def test_effective_sample_size_for_large_T(self):
        T, rho = 100_000, 0.8
        assert ar1_fisher(T, rho) / T == pytest.approx((1 - rho) / (1 + rho), rel=1e-4)

    def test_rejects_rho_outside_open_interval(self):
        for rho in (1.0, -1.0, 1.5):
            with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
                ar1_fisher(10, rho)

    def test_rejects_non_integer_T(self):
        with pytest.raises(TypeError, match="`T` must be an integer"):
            ar1_fisher(2.5, 0.1)

    def test_rejects_nonpositive_sigma(self):
        with pytest.raises(ValueError, match="`sigma` must lie in"):
            ar1_fisher(3, 0.1, 0.0)


class TestAr1SgdMse:
    @pytest.mark.parametrize("T,rho", [(1, 0.5), (5, 0.5), (30, 0.8), (30, -0.4), (200, 0.999)])
    def test_matches_quadratic_form(self, T, rho):
        d, sigma = 3, 1.5
        expected = sigma**2 * d * ar1_correlation_matrix(T, rho).sum() / T**2
        assert ar1_sgd_mse(T, rho, d=d, sigma=sigma) == pytest.approx(expected, rel=1e-9)

    def test_equals_d_sigma2_over_T_at_rho_zero(self):
        assert ar1_sgd_mse(50, 0.0, d=8, sigma=2.0) == pytest.approx(8 * 4 / 50)

    def test_matches_monte_carlo_sgd_recursion(self):
        # SGD x <- x - (x - theta + sigma Z_t)/(t+1) from x0 = 3, with AR(1) noise; 3-SE tolerance.
        rng = np.random.default_rng(1)
        T, rho, sigma, reps, theta = 20, 0.8, 1.0, 40_000, 0.7
        z = ar1_paths(rng, reps, T, rho)
        x = np.full(reps, 3.0)
        for t in range(T):
            x = x - (x - theta + sigma * z[:, t]) / (t + 1)
        err = (x - theta) ** 2
        assert abs(err.mean() - ar1_sgd_mse(T, rho, sigma=sigma)) < 3 * err.std(ddof=1) / math.sqrt(reps)

    def test_tends_to_correlation_factor_times_iid_error(self):
        T, rho = 10**7, 0.9
        assert ar1_sgd_mse(T, rho) * T == pytest.approx((1 + rho) / (1 - rho), rel=1e-5)

    def test_finite_near_one(self):
        value = ar1_sgd_mse(10, 0.999)
        assert math.isfinite(value) and 0.99 < value <= 1.0  # nearly one effective sample

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
            ar1_sgd_mse(10, 1.0)
        with pytest.raises(ValueError, match="`d` must be an integer"):
            ar1_sgd_mse(10, 0.2, d=0)


class TestSignInflation:
    @pytest.mark.parametrize("rho", [0.5, 0.9, 0.999, -0.7, -0.999])
    def test_matches_direct_sum(self, rho):
        k = np.arange(1, 200_000)
        assert sign_inflation(rho) == pytest.approx(1 + 4 / math.pi * np.sum(np.arcsin(rho**k)), rel=1e-10)

    def test_euler_maclaurin_tail_matches_direct_sum(self):
        rho, total = 0.99999, 0.0
        for start in range(1, 8_000_001, 1_000_000):
            total += np.sum(np.arcsin(rho ** np.arange(start, start + 1_000_000)))
        assert sign_inflation(rho) == pytest.approx(1 + 4 / math.pi * total, rel=1e-9)

    def test_one_at_rho_zero_and_below_one_for_negative_rho(self):
        assert sign_inflation(0.0) == 1.0
        assert sign_inflation(-0.5) < 1.0

    def test_below_unquantised_factor_with_ratio_tending_to_ln2(self):
        for rho in (0.3, 0.9, 0.99):
            assert sign_inflation(rho) < (1 + rho) / (1 - rho)
        rho = 0.99999
        assert sign_inflation(rho) / ((1 + rho) / (1 - rho)) == pytest.approx(math.log(2), rel=1e-3)

    def test_matches_monte_carlo_long_run_variance_of_signs(self):
        rng = np.random.default_rng(2)
        rho, n, reps = 0.6, 1000, 3000
        sums = np.sign(ar1_paths(rng, reps, n, rho)).sum(axis=1)
        var = sums.var(ddof=1) / n
        assert abs(var - sign_inflation(rho)) < 3 * var * math.sqrt(2 / (reps - 1)) + 0.01  # + O(1/n) edge

    def test_rejects_rho_outside_open_interval(self):
        with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
            sign_inflation(-1.0)


class TestScheduleInflation:
    def test_both_schedules_reduce_to_sign_inflation_when_B_equals_d(self):
        for schedule in ("random", "cyclic"):
            assert schedule_inflation(0.7, 8, 8, schedule) == pytest.approx(sign_inflation(0.7))

    def test_cyclic_sees_correlation_rho_to_the_period(self):
        assert schedule_inflation(0.9, 64, 2, "cyclic") == pytest.approx(sign_inflation(0.9**32))

    @pytest.mark.parametrize("schedule", ["random", "cyclic"])
    def test_matches_monte_carlo_of_one_coordinate(self, schedule):
        # Coordinate 0 of d = 8 with B = 2 per round: variance of the sum of its signs per visit. Under uniform
        # B-subsets drawn afresh each round, one coordinate is visited independently with probability B/d.
        rng = np.random.default_rng(3)
        rho, d, B, n, reps = 0.8, 8, 2, 2000, 2000
        z = ar1_paths(rng, reps, n, rho)
        if schedule == "random":
            visited = rng.random((reps, n)) < B / d
        else:
            visited = np.broadcast_to((np.arange(n) % (d // B)) == 0, (reps, n))
        sums = np.where(visited, np.sign(z), 0.0).sum(axis=1)
        var = sums.var(ddof=1) / visited.sum(axis=1).mean()
        expected = schedule_inflation(rho, d, B, schedule)
        assert abs(var - expected) < 3 * var * math.sqrt(2 / (reps - 1)) + 0.02

    def test_finite_near_one(self):
        for schedule in ("random", "cyclic"):
            value = schedule_inflation(0.999, 64, 2, schedule)
            assert math.isfinite(value) and value >= 1.0

    def test_random_is_worse_than_cyclic_for_positive_rho(self):
        assert schedule_inflation(0.9, 64, 2, "random") > schedule_inflation(0.9, 64, 2, "cyclic")

    def test_rejects_bad_schedules_and_budgets(self):
        with pytest.raises(ValueError, match="`schedule` must be one of"):
            schedule_inflation(0.5, 8, 2, "zigzag")
        with pytest.raises(ValueError, match=r"`B` must lie in \[1, d\]"):
            schedule_inflation(0.5, 8, 9)
        with pytest.raises(ValueError, match="`B` must divide `d`"):
            schedule_inflation(0.5, 8, 3, "cyclic")
        with pytest.raises(ValueError, match="`B` must be an integer"):
            schedule_inflation(0.5, 8, 0)


class TestAr1MseLowerBound:
    def test_equals_product_bound_at_rho_zero_with_plentiful_bits(self):
        assert ar1_mse_lower_bound(100, 4, 1.0, 0.0, r=2.0) == pytest.approx(mse_lower_bound(100, 4, 64, 1.0, 2.0))

    def test_is_van_trees_with_the_ar1_information(self):
        T, d, sigma, rho, r = 30, 3, 1.2, 0.7, 1.5
        info = np.ones(T) @ np.linalg.solve(sigma**2 * ar1_correlation_matrix(T, rho), np.ones(T))
        expected = d**2 / (d * info + d * math.pi**2 / r**2)
        assert ar1_mse_lower_bound(T, d, sigma, rho, r=r) == pytest.approx(expected, rel=1e-9)

    def test_below_exact_sgd_error(self):
        for rho in (-0.5, 0.0, 0.5, 0.9):
            assert ar1_mse_lower_bound(50, 2, 1.0, rho) <= ar1_sgd_mse(50, rho, d=2) * (1 + 1e-12)

    def test_vectorised_over_T(self):
        T = np.array([10, 100])
        out = ar1_mse_lower_bound(T, 2, 1.0, 0.5)
        assert out.shape == (2,) and out[0] == pytest.approx(ar1_mse_lower_bound(10, 2, 1.0, 0.5))


@pytest.fixture(scope="module")
def experiment():
    return schedule_experiment([0.0, 0.9], d=16, B=2, T=4000, reps=48, seed=5)


class TestScheduleExperiment:
    def test_agrees_with_schedule_inflation(self, experiment):
        for schedule in ("cyclic", "random"):
            measured, se = experiment.normalised[schedule], experiment.se[schedule]
            predicted = experiment.predicted[schedule]
            assert np.all(np.abs(measured - predicted) < 3 * se + 0.12 * predicted)

    def test_cyclic_beats_random_at_high_correlation(self, experiment):
        cyc, ran = experiment.normalised["cyclic"][1], experiment.normalised["random"][1]
        assert cyc + 3 * experiment.se["cyclic"][1] < ran

    def test_never_exceeds_the_bit_budget(self, experiment):
        assert experiment.max_bits == 2

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match=r"`rho` must lie in \(-1, 1\)"):
            schedule_experiment([0.2, 1.0], d=4, B=2, T=10, reps=2)
        with pytest.raises(TypeError, match="`T` must be an integer"):
            schedule_experiment(0.1, d=4, B=2, T=10.5, reps=2)
        with pytest.raises(ValueError, match="`B` must divide `d`"):
            schedule_experiment(0.1, d=4, B=3, T=10, reps=2)
