"""Tests of lib.kv.stats on synthetic data with known answers.

Known answers: noise-free laws are recovered exactly; a paired bootstrap of two curves that share their segment
noise has a narrower interval than the unpaired intervals and covers the true difference; the finite-past
Toy A curve is checked against a direct sum over lags; the tail share against a hand count.
"""
import math

import numpy as np
import pytest
from scipy.special import zeta

from lib.kv.fits import bootstrap_alpha, fit_power_law, window_for_distortion
from lib.kv.stats import (cutoff_window, finite_past_delta, fit_power_law_cutoff, fit_stretched_exponential, law_comparison,
                          loglog_curvature, paired_bootstrap_alpha, tail_summary, window_interval,
                          window_range_sensitivity)
from lib.kv.toys import ToyA

W = np.array([4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256], dtype=float)


def _segments(alpha, n_seg=24, noise=0.4, seed=0, shared=None):
    """Per-segment curves a_i·w^(−alpha)·noise, with the segment factors a_i optionally shared."""
    rng = np.random.default_rng(seed)
    scale = np.exp(rng.normal(0, 1.0, (n_seg, 1))) if shared is None else shared
    return scale * W ** -alpha * np.exp(rng.normal(0, noise, (n_seg, W.size))), scale


class TestPairedBootstrap:
    def test_identical_curves_give_zero(self):
        seg, _ = _segments(0.7)
        assert paired_bootstrap_alpha(W, seg, seg, n_boot=200) == (0.0, 0.0, 0.0)

    def test_covers_true_difference_and_is_narrower_than_unpaired(self):
        # Each article has its own exponent and scale (a text whose far context matters matters for both
        # variants); b = a·w^0.1 up to independent per-window noise, so α_a − α_b = 0.1 for the mean curves.
        rng = np.random.default_rng(1)
        a = (np.exp(rng.normal(0, 1.0, (24, 1))) * W ** -(0.8 + rng.normal(0, 0.15, (24, 1)))
             * np.exp(rng.normal(0, 0.1, (24, W.size))))
        b = a * W ** 0.1 * np.exp(rng.normal(0, 0.1, (24, W.size)))
        diff, lo, hi = paired_bootstrap_alpha(W, a, b, n_boot=2000, seed=0)
        assert lo < 0.1 < hi
        assert diff == pytest.approx(0.1, abs=0.05)
        _, lo_a, hi_a = bootstrap_alpha(W, a, n_boot=2000)
        _, lo_b, hi_b = bootstrap_alpha(W, b, n_boot=2000)
        assert hi - lo < 0.5 * max(hi_a - lo_a, hi_b - lo_b)

    def test_sign_flips_with_order(self):
        a, scale = _segments(0.8, seed=3)
        b, _ = _segments(0.6, seed=4, shared=scale)
        d1, lo1, hi1 = paired_bootstrap_alpha(W, a, b, n_boot=500, seed=5)
        d2, lo2, hi2 = paired_bootstrap_alpha(W, b, a, n_boot=500, seed=5)
        assert d1 == pytest.approx(-d2) and lo1 == pytest.approx(-hi2) and hi1 == pytest.approx(-lo2)

    def test_w_range_selects_windows(self):
        a, scale = _segments(0.8, noise=0.0)
        b = scale * W ** -np.where(W <= 64, 0.8, 0.2)                         # differs only above 64
        assert paired_bootstrap_alpha(W, a, b, n_boot=50, w_range=(4, 64))[0] == pytest.approx(0.0, abs=1e-12)

    def test_rejects_misaligned_segments(self):
        a, _ = _segments(0.8)
        with pytest.raises(ValueError, match="same segments"):
            paired_bootstrap_alpha(W, a, a[:10], n_boot=50)


class TestCompetingLaws:
    def test_cutoff_recovers_noise_free_law(self):
        C, alpha, lam = fit_power_law_cutoff(W, 1.7 * W ** -0.65 * np.exp(-W / 300))
        assert (C, alpha, lam) == pytest.approx((1.7, 0.65, 1 / 300), rel=1e-9)

    def test_cutoff_of_pure_power_law_has_zero_rate(self):
        assert fit_power_law_cutoff(W, 2 * W ** -0.9)[2] == pytest.approx(0.0, abs=1e-12)

    def test_stretched_recovers_noise_free_law(self):
        C, tau, beta = fit_stretched_exponential(W, 0.9 * np.exp(-(W / 35.0) ** 0.55))
        assert (C, tau, beta) == pytest.approx((0.9, 35.0, 0.55), rel=1e-6)

    def test_stretched_reports_its_power_law_limit(self):
        with pytest.raises(ValueError, match="power-law limit"):
            fit_stretched_exponential(W, 2 * W ** -0.8)
        log_c, k, beta = law_comparison(W, 2 * W ** -0.8)["stretched"]["params"]
        assert beta < 0.01 and k * beta == pytest.approx(0.8, rel=0.01)      # exp(−k w^β) ≈ e^(−k) w^(−kβ)

    def test_stretched_refuses_increasing_curve(self):
        with pytest.raises(ValueError, match="does not decrease"):
            fit_stretched_exponential(W, W ** 0.3)

    def test_stretched_refuses_a_fit_at_its_upper_bound(self):
        fast = 3 * np.exp(-(W / 60.0) ** 4)                                  # β = 4 lies outside [10⁻³, 3]
        with pytest.raises(ValueError, match="bound"):
            fit_stretched_exponential(W, fast)
        with pytest.raises(ValueError, match="bound"):
            law_comparison(W, fast)
        assert fit_stretched_exponential(W, 3 * np.exp(-(W / 60.0) ** 2.5))[2] == pytest.approx(2.5, rel=1e-4)

    def test_comparison_ranks_the_generating_law_first(self):
        rng = np.random.default_rng(0)
        d = 2 * W ** -0.7 * np.exp(-W / 200) * np.exp(rng.normal(0, 0.02, W.size))
        table = law_comparison(W, d)
        assert table["cutoff"]["rms"] < table["power"]["rms"]
        assert table["cutoff"]["rms"] < table["exponential"]["rms"]
        assert math.isnan(table["power"]["rms_out"])

    def test_held_out_rms_matches_a_direct_computation(self):
        d = 3 * W ** -0.8
        table = law_comparison(W, d, fit_max=32)
        C, lam = table["exponential"]["params"]
        out = W > 32
        direct = np.sqrt(np.mean((math.log(C) - lam * W[out] - np.log(d[out])) ** 2))
        assert table["exponential"]["rms_out"] == pytest.approx(direct)
        assert table["power"]["rms_out"] == pytest.approx(0.0, abs=1e-10)


class TestCutoffWindow:
    def test_equals_the_power_law_rule_without_cutoff(self):
        for eps in (0.1, 0.01, 0.001):
            assert cutoff_window(eps, 5.0, 0.7, 0.0) == window_for_distortion(eps, 5.0, 0.7)

    def test_is_the_least_window_meeting_the_target(self):
        C, alpha, lam, eps = 6.0, 0.68, 1 / 600, 0.01
        w = cutoff_window(eps, C, alpha, lam)
        law = lambda x: C * x ** -alpha * math.exp(-lam * x)                    # noqa: E731
        assert law(w) <= eps < law(w - 1)
        assert w < window_for_distortion(eps, C, alpha)

    def test_rejects_a_law_that_does_not_decrease(self):
        with pytest.raises(ValueError, match="not both 0"):
            cutoff_window(0.01, 1.0, 0.0, 0.0)


class TestCurvature:
    def test_power_law_has_zero_curvature(self):
        seg, _ = _segments(0.7, noise=0.0)
        kappa, lo, hi = loglog_curvature(W, seg, n_boot=100)
        assert abs(kappa) < 1e-10 and abs(lo) < 1e-10 and abs(hi) < 1e-10

    def test_known_quadratic(self):
        x = np.log(W)
        seg = np.exp(1.0 - 0.5 * x - 0.03 * x ** 2) * np.ones((5, 1))          # κ = 2·(−0.03)
        assert loglog_curvature(W, seg, n_boot=20)[0] == pytest.approx(-0.06)

    def test_exponential_cutoff_bends_down_and_interval_excludes_zero(self):
        seg, _ = _segments(0.6, noise=0.1, seed=7)
        kappa, lo, hi = loglog_curvature(W, seg * np.exp(-W / 150), n_boot=500)
        assert kappa < 0 and hi < 0


class TestWindowIntervals:
    def test_noise_free_interval_collapses_to_the_rule(self):
        seg, _ = _segments(0.8, noise=0.0)
        seg = 0.5 * seg / seg[:, :1] * 4 ** -0.8                               # every segment 0.5·w^(−0.8)
        expected = window_for_distortion(0.01, 0.5, 0.8)
        assert window_interval(0.01, W, seg, n_boot=50) == (expected, expected, expected)

    def test_interval_brackets_point(self):
        seg, _ = _segments(0.8, seed=8)
        point, lo, hi = window_interval(0.01, W, seg, n_boot=300)
        assert lo <= point <= hi and lo < hi

    def test_range_sensitivity_matches_separate_fits(self):
        d = 2 * W ** -0.7 * np.exp(-W / 400)
        table = window_range_sensitivity(0.01, W, d, [(4, 64), (16, 256)])
        for (lo_w, hi_w), (alpha, w_eps) in table.items():
            keep = (W >= lo_w) & (W <= hi_w)
            C, a = fit_power_law(W[keep], d[keep])
            assert alpha == pytest.approx(a) and w_eps == window_for_distortion(0.01, C, a)
        assert table[(16, 256)][0] > table[(4, 64)][0]                          # the cutoff steepens the tail


class TestFinitePast:
    def test_matches_direct_sum_over_removed_lags(self):
        toy = ToyA(beta=0.8, c=1.3)
        w, r = np.array([4, 16, 64]), np.array([512, 640])
        direct = [np.mean([1.3 ** 2 / 2 * sum(k ** -1.6 for k in range(wi + 1, wi + ri + 1)) for ri in r])
                  for wi in w]
        assert finite_past_delta(toy, w, r) == pytest.approx(direct, rel=1e-10)

    def test_tends_to_infinite_past(self):
        toy = ToyA(beta=0.8)
        assert finite_past_delta(toy, [16], [10 ** 9])[0] == pytest.approx(toy.delta(16), rel=1e-4)

    def test_finite_past_steepens_the_fit(self):
        toy = ToyA(beta=0.8)                                                    # true α = 0.6
        d = finite_past_delta(toy, W, np.arange(512, 768, 32))
        assert fit_power_law(W, d)[1] > toy.alpha + 0.05

    def test_rejects_finite_history_toy(self):
        with pytest.raises(ValueError, match="infinite past"):
            finite_past_delta(ToyA(beta=0.8, history=100), [4], [10])


class TestTailSummary:
    def test_hand_count(self):
        v = np.r_[np.full(99, 1.0), 101.0]                                      # top 1 % = the one value 101
        out = tail_summary(v, top=0.01)
        assert out["n_top"] == 1 and out["top_share"] == pytest.approx(101 / 200)
        assert out["median"] == 1.0 and out["mean"] == pytest.approx(2.0)

    def test_rounds_the_count_up(self):
        assert tail_summary(np.arange(1.0, 11.0), top=0.15)["n_top"] == 2

    def test_rejects_negative_values(self):
        with pytest.raises(ValueError, match="non-negative"):
            tail_summary([1.0, -0.5])


def test_zeta_identity_used_by_finite_past():
    # Σ_{k=w+1}^{w+r} k^(−s) = ζ(s, w+1) − ζ(s, w+r+1), the closed form finite_past_delta relies on.
    assert zeta(1.6, 5) - zeta(1.6, 9) == pytest.approx(sum(k ** -1.6 for k in range(5, 9)))


class TestExcessEntropyIdentity:
    """The chain-rule identity of in-context.md, Σ_{w<n} g(w) = H(X_{1:n}) − n·h, on a stationary Gaussian process.

    For a Gaussian process, H(X_{w+1} | X_{1:w}) = ½ ln(2πe σ²_w) with σ²_w the error of the best linear
    predictor from w past values, so g(w) = ½ ln(σ²_w / σ²_∞) and H(X_{1:n}) = ½ ln((2πe)^n det Σ_n).
    """

    @staticmethod
    def _cov(n, rho=0.7, noise=0.5):
        lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        return rho ** lag / (1 - rho ** 2) + noise * (lag == 0)                 # AR(1) plus white noise

    def _errors(self, n):
        cov = self._cov(n + 1)
        out = [cov[0, 0]]
        for w in range(1, n + 1):                                               # predict X_{w+1} from X_{1:w}
            past = cov[:w, :w]
            out.append(cov[w, w] - cov[w, :w] @ np.linalg.solve(past, cov[:w, w]))
        return np.array(out)

    def test_sum_of_gaps_is_the_block_entropy_excess(self):
        err = self._errors(200)
        h_inf = 0.5 * math.log(err[-1])                                          # σ²_∞ reached to 1e-12
        for n in (1, 5, 30):
            gaps = 0.5 * np.log(err[:n]) - h_inf
            excess = 0.5 * np.linalg.slogdet(self._cov(n))[1] - n * h_inf
            assert gaps.sum() == pytest.approx(excess, rel=1e-9)
        assert np.all(np.diff(err) <= 1e-12)                                     # g is nonincreasing

    def test_power_law_gap_sum_diverges_iff_alpha_at_most_one(self):
        n = np.arange(1, 10 ** 6 + 1, dtype=float)
        for alpha, diverges in ((0.8, True), (1.0, True), (1.5, False)):
            partial = np.cumsum(n ** -alpha)
            growth = partial[-1] - partial[10 ** 5 - 1]                          # Σ over (1e5, 1e6]
            assert (growth > 1.0) == diverges
            if alpha < 1:                             # E(n) = n^(1−α)/(1−α) + const + o(1): β = 1 − α
                law = (n[-1] ** (1 - alpha) - n[10 ** 5 - 1] ** (1 - alpha)) / (1 - alpha)
                assert growth / law == pytest.approx(1, abs=1e-4)
