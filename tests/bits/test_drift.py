"""Tests of lib.bits.drift: Kalman steady state, causal rate-distortion bound, trackers."""
import math

import numpy as np
import pytest

from lib.bits.drift import (causal_rd_bound, kalman_steady_state, product_tracking_heuristic,
                            sign_tracker_approx, simulate_kalman, simulate_sign_tracker, simulate_sign_trackers,
                            tracking_lower_bound)


def sign_tracker_loop(q, sigma, m, steps, updates, reps, seed):
    """The sign tracker as written in its docstring, one update at a time: the time-averaged error per (step, rep)."""
    rng = np.random.default_rng(seed)
    c = np.asarray(steps, dtype=float)[:, None]
    u = math.sqrt(math.sqrt(math.pi / 2.0) * sigma * q * math.sqrt(m)) * rng.standard_normal((c.shape[0], reps))
    burn, total = updates // 5, np.zeros_like(u)
    for k in range(updates):
        u = u - q * math.sqrt(m) * rng.standard_normal(reps)
        u = u - c * np.sign(u + sigma * rng.standard_normal(reps))
        if k >= burn:
            total += u**2
    return total / (updates - burn) + q * q * (m - 1) / 2.0


def kalman_loop(q, sigma, T, reps, seed):
    """The Kalman filter's error, one round at a time (predict, then update on X = θ + σZ)."""
    rng = np.random.default_rng(seed)
    err, P, total = np.zeros(reps), 0.0, np.zeros(reps)
    for t in range(T):
        err -= q * rng.standard_normal(reps)
        prior = P + q * q
        gain = prior / (prior + sigma * sigma)
        err = (1.0 - gain) * err + gain * sigma * rng.standard_normal(reps)
        P = prior * sigma * sigma / (prior + sigma * sigma)
        if t >= T // 4:
            total += err**2
    per_rep = total / (T - T // 4)
    return per_rep.mean(), per_rep.std(ddof=1) / math.sqrt(reps)


class TestKalmanSteadyState:
    @pytest.mark.parametrize("q,sigma", [(0.01, 1.0), (0.3, 2.0), (5.0, 0.5)])
    def test_is_the_fixed_point_of_predict_and_update(self, q, sigma):
        P = 0.0
        for _ in range(20_000):
            prior = P + q**2
            P = prior * sigma**2 / (prior + sigma**2)
        assert kalman_steady_state(q, sigma) == pytest.approx(P, rel=1e-10)

    def test_is_the_positive_root_of_the_riccati_quadratic(self):
        q, sigma = 0.7, 1.3
        root = max(np.roots([1.0, q**2, -(q**2) * sigma**2]).real)
        assert kalman_steady_state(q, sigma) == pytest.approx(root, rel=1e-12)

    def test_approximately_q_sigma_for_small_drift(self):
        assert kalman_steady_state(1e-6, 2.0) == pytest.approx(2e-6, rel=1e-5)

    def test_zero_without_drift(self):
        assert kalman_steady_state(0.0, 1.0) == 0.0

    def test_array_of_drifts_equals_one_at_a_time(self):
        q = np.array([0.0, 1e-6, 0.3, 5.0])
        assert kalman_steady_state(q, 1.5).tolist() == [kalman_steady_state(float(v), 1.5) for v in q]

    def test_rejects_negative_q_and_nonpositive_sigma(self):
        with pytest.raises(ValueError, match=r"`q` must lie in \[0, inf\)"):
            kalman_steady_state(-0.1, 1.0)
        with pytest.raises(ValueError, match="`sigma` must lie in"):
            kalman_steady_state(0.1, 0.0)


class TestCausalRdBound:
    def test_inverts_the_sequential_rate_distortion_function(self):
        q, B, d = 0.3, 3, 8
        D = causal_rd_bound(q, B, d)
        assert 0.5 * math.log2(1 + q**2 / D) == pytest.approx(B / d, rel=1e-12)

    def test_approximately_q2_d_over_2ln2_B_when_bits_are_scarce(self):
        assert causal_rd_bound(0.1, 1, 10_000) == pytest.approx(0.01 * 10_000 / (2 * math.log(2)), rel=1e-3)

    def test_rejects_bad_counts(self):
        with pytest.raises(ValueError, match="`B` must be an integer >= 1"):
            causal_rd_bound(0.1, 0, 4)
        with pytest.raises(TypeError, match="`d` must be an integer"):
            causal_rd_bound(0.1, 2, 2.5)
        with pytest.raises(ValueError, match=r"`q` must lie in \[0, inf\)"):
            causal_rd_bound(-1.0, 2, 4)


class TestTrackingLowerBound:
    def test_is_the_larger_of_the_two_bounds(self):
        for q, B in ((0.01, 16), (0.5, 1)):
            expected = max(kalman_steady_state(q, 1.0), causal_rd_bound(q, B, 16))
            assert tracking_lower_bound(q, 1.0, B, 16) == expected


class TestProductTrackingHeuristic:
    def test_equals_kalman_when_bits_are_plentiful(self):
        assert product_tracking_heuristic(0.1, 1.0, 16, 16) == kalman_steady_state(0.1, 1.0)

    def test_inflates_the_noise_when_bits_are_scarce(self):
        sigma_eff = math.sqrt(64 / (2 * math.log(2) * 2))
        assert product_tracking_heuristic(0.05, 1.0, 2, 64) == pytest.approx(kalman_steady_state(0.05, sigma_eff))


class TestSignTrackerApprox:
    @pytest.mark.parametrize("B,d", [(4, 4), (1, 4)])
    def test_matches_simulation_for_small_drift(self, B, d):
        q = 0.03
        res = simulate_sign_tracker(q, 1.0, B=B, d=d, updates=6000, reps=32, seed=1)
        assert res.best_mse == pytest.approx(sign_tracker_approx(q, 1.0, B, d), rel=0.12)

    def test_rejects_B_not_dividing_d(self):
        with pytest.raises(ValueError, match="`B` must divide `d`"):
            sign_tracker_approx(0.1, 1.0, 3, 4)


class TestSimulateKalman:
    def test_converges_to_steady_state(self):
        q, sigma = 0.1, 1.0
        mse, se = simulate_kalman(q, sigma, T=4000, reps=64, seed=2)
        assert abs(mse - kalman_steady_state(q, sigma)) < 3 * se + 1e-3 * mse

    def test_equals_the_filter_run_one_round_at_a_time(self):
        mse, se = simulate_kalman(0.2, 1.3, T=300, reps=8, seed=9)
        ref_mse, ref_se = kalman_loop(0.2, 1.3, 300, 8, 9)
        assert mse == pytest.approx(ref_mse, rel=1e-12) and se == pytest.approx(ref_se, rel=1e-12)

    def test_array_of_drifts_equals_one_at_a_time(self):
        q = [0.01, 0.3, 2.0]
        mse, se = simulate_kalman(np.array(q), 1.0, T=200, reps=4, seed=3)
        one = [simulate_kalman(v, 1.0, T=200, reps=4, seed=3) for v in q]
        np.testing.assert_allclose(mse, [m for m, _ in one], rtol=1e-13)
        np.testing.assert_allclose(se, [s for _, s in one], rtol=1e-13)

    def test_rejects_zero_drift(self):
        with pytest.raises(ValueError, match="`q` must lie in"):
            simulate_kalman(0.0, 1.0, T=10, reps=2)
        with pytest.raises(ValueError, match="`q` must be a drift > 0 or a 1-D array"):
            simulate_kalman(np.ones((2, 2)), 1.0, T=10, reps=2)


class TestSimulateSignTracker:
    def test_stays_above_the_tracking_lower_bound(self):
        for q, B, d in ((0.05, 4, 4), (0.3, 1, 8)):
            res = simulate_sign_tracker(q, 1.0, B=B, d=d, updates=2000, reps=16, seed=3)
            assert res.best_mse > tracking_lower_bound(q, 1.0, B, d) - 3 * res.best_se

    def test_best_step_near_q_sqrt_period(self):
        q, B, d = 0.02, 1, 4
        res = simulate_sign_tracker(q, 1.0, B=B, d=d, updates=4000, reps=32, seed=4)
        assert 0.5 < res.best_step / (q * math.sqrt(d / B)) < 2.0

    def test_error_is_convex_like_around_the_best_step(self):
        res = simulate_sign_tracker(0.05, 1.0, B=2, d=2, updates=2000, reps=16, seed=5)
        assert res.mse[0] > res.mse.min() and res.mse[-1] > res.mse.min()

    @pytest.mark.parametrize("q,B,d", [(0.02, 1, 4), (0.5, 2, 2)])
    def test_equals_the_tracker_run_one_update_at_a_time(self, q, B, d):
        res = simulate_sign_tracker(q, 1.0, B=B, d=d, updates=400, reps=4, seed=7)
        m = d // B
        grid = sign_tracker_loop(q, 1.0, m, res.steps, 400, 4, 7)
        np.testing.assert_allclose(res.mse, grid.mean(axis=1), rtol=1e-12)
        assert res.best_step == res.steps[int(np.argmin(grid.mean(axis=1)))]
        again = sign_tracker_loop(q, 1.0, m, [res.best_step], 400, 4, 8)[0]
        assert res.best_mse == pytest.approx(again.mean(), rel=1e-12)
        assert res.best_se == pytest.approx(again.std(ddof=1) / 2, rel=1e-12)

    def test_several_drifts_equal_one_at_a_time(self):
        q = (0.01, 0.1, 1.0)
        together = simulate_sign_trackers(q, 1.0, B=2, d=8, updates=300, reps=4, seed=2)
        for v, res in zip(q, together):
            alone = simulate_sign_tracker(v, 1.0, B=2, d=8, updates=300, reps=4, seed=2)
            np.testing.assert_allclose(res.mse, alone.mse, rtol=1e-13)
            assert res.best_step == alone.best_step and res.best_mse == pytest.approx(alone.best_mse, rel=1e-13)
        with pytest.raises(ValueError, match="`q_values` must lie in"):
            simulate_sign_trackers([0.1, -1.0], 1.0, B=2, d=8, updates=300, reps=4)

    def test_reproducible_with_seed(self):
        a = simulate_sign_tracker(0.1, 1.0, B=1, d=2, updates=50, reps=2, seed=6)
        b = simulate_sign_tracker(0.1, 1.0, B=1, d=2, updates=50, reps=2, seed=6)
        assert np.array_equal(a.mse, b.mse) and a.best_mse == b.best_mse

    def test_rejects_bad_steps_and_budgets(self):
        with pytest.raises(ValueError, match="`steps` must be a 1-D array"):
            simulate_sign_tracker(0.1, 1.0, B=1, d=2, updates=50, reps=2, steps=[-1.0])
        with pytest.raises(ValueError, match="`B` must divide `d`"):
            simulate_sign_tracker(0.1, 1.0, B=3, d=2, updates=50, reps=2)
        with pytest.raises(ValueError, match="`updates` must be an integer >= 10"):
            simulate_sign_tracker(0.1, 1.0, B=1, d=2, updates=5, reps=2)
