"""Tests of lib.kv.fits: power-law and exponential fits, the extrapolation test, the bootstrap, w(ε).

Reference values come from the law that generated the data (noise-free recovery), from an independent
least-squares solve (numpy.polyfit) and from the spec's invariants II.9 items 3 and 4.
"""
import math

import numpy as np
import pytest

from lib.kv.fits import (bootstrap_alpha, extrapolation_test, fit_exponential, fit_power_law, power_law_r2,
                         window_for_distortion)

W = np.unique(np.round(2.0 ** np.arange(1, 11.01, 0.5)))


class TestFitPowerLaw:
    def test_recovers_noise_free_law_exactly(self):
        C, alpha = fit_power_law(W, 3.2 * W ** -0.77)
        assert C == pytest.approx(3.2, rel=1e-12)
        assert alpha == pytest.approx(0.77, rel=1e-12)

    def test_matches_polyfit_on_noisy_data(self):
        rng = np.random.default_rng(1)
        d = 2.0 * W ** -0.9 * np.exp(rng.normal(0, 0.3, W.size))
        slope, intercept = np.polyfit(np.log(W), np.log(d), 1)
        C, alpha = fit_power_law(W, d)
        assert alpha == pytest.approx(-slope, rel=1e-10)
        assert math.log(C) == pytest.approx(intercept, rel=1e-10)

    def test_noisy_recovery_within_stated_tolerance(self):
        # 5% multiplicative noise over 2..2048: the exponent is recovered to ±0.02 (≈ 6 standard errors).
        rng = np.random.default_rng(2)
        d = 0.5 * W ** -1.1 * np.exp(rng.normal(0, 0.05, W.size))
        _, alpha = fit_power_law(W, d)
        assert abs(alpha - 1.1) < 0.02

    def test_rejects_mismatched_lengths(self):
        with pytest.raises(ValueError, match="`w` and `delta` must have the same length"):
            fit_power_law([1, 2, 3], [1, 2])

    def test_rejects_nonpositive_delta(self):
        with pytest.raises(ValueError, match="`delta` must be finite and > 0"):
            fit_power_law([1, 2, 3], [1.0, 0.0, 0.5])

    def test_rejects_nonpositive_window(self):
        with pytest.raises(ValueError, match="`w` must hold finite windows > 0"):
            fit_power_law([0, 2, 3], [1.0, 0.7, 0.5])

    def test_needs_two_distinct_windows(self):
        with pytest.raises(ValueError, match="at least 2 distinct windows"):
            fit_power_law([4, 4], [1.0, 0.9])


class TestFitExponential:
    def test_recovers_noise_free_law_exactly(self):
        C, lam = fit_exponential(W, 1.5 * np.exp(-0.01 * W))
        assert C == pytest.approx(1.5, rel=1e-10)
        assert lam == pytest.approx(0.01, rel=1e-10)

    def test_matches_polyfit(self):
        d = np.exp(-0.3 * np.sqrt(W))
        slope, intercept = np.polyfit(W, np.log(d), 1)
        C, lam = fit_exponential(W, d)
        assert lam == pytest.approx(-slope, rel=1e-10)
        assert math.log(C) == pytest.approx(intercept, rel=1e-10)

    def test_rejects_nonpositive_delta(self):
        with pytest.raises(ValueError, match="`delta` must be finite and > 0"):
            fit_exponential([1, 2], [1.0, -1.0])


class TestExtrapolationTest:
    def test_power_law_data_favour_power_law(self):
        res = extrapolation_test(W, 0.5 * W ** -0.8, fit_max=64)
        assert res.power_mse < 1e-20 and res.power_dex < 1e-10
        assert res.ratio > 10 and res.exp_dex > 1

    def test_exponential_data_favour_exponential(self):
        res = extrapolation_test(W, 2.0 * np.exp(-W / 300), fit_max=64)
        assert res.exp_mse < 1e-20
        assert res.ratio < 0.1

    def test_spec_toy_a_ratio(self):
        # Spec II.3: Toy A (β = 1) fitted on [4, 64] and scored on (64, 512]: α ≈ 0.97, ratio ≈ 3e4.
        from lib.kv.toys import ToyA

        w = np.arange(4, 513)
        res = extrapolation_test(w, ToyA(beta=1.0).delta(w), fit_max=64)
        assert res.power[1] == pytest.approx(0.97, abs=0.01)
        assert 1e4 < res.ratio < 1e5

    def test_dex_is_mean_absolute_log10_error(self):
        d = 0.5 * W ** -0.8 * np.exp(np.linspace(-0.2, 0.2, W.size))
        res = extrapolation_test(W, d, fit_max=64)
        C, alpha = fit_power_law(W[W <= 64], d[W <= 64])
        test = W > 64
        expected = np.mean(np.abs(np.log10(C * W[test] ** -alpha / d[test])))
        assert res.power_dex == pytest.approx(expected, rel=1e-10)
        assert res.n_fit + res.n_test == W.size

    def test_rejects_fit_max_without_held_out_windows(self):
        with pytest.raises(ValueError, match="`fit_max`"):
            extrapolation_test(W, W ** -1.0, fit_max=W.max())

    def test_rejects_nonpositive_fit_max(self):
        with pytest.raises(ValueError, match="`fit_max` must lie in \\(0, inf\\)"):
            extrapolation_test(W, W ** -1.0, fit_max=0)


class TestBootstrapAlpha:
    def test_interval_covers_true_exponent(self):
        rng = np.random.default_rng(3)
        seg = 1.3 * W ** -0.8 * np.exp(rng.normal(0, 0.3, (40, W.size)))
        alpha, lo, hi = bootstrap_alpha(W, seg, n_boot=400, seed=1)
        assert lo < alpha < hi
        assert lo < 0.8 < hi
        assert hi - lo < 0.1

    def test_point_estimate_is_fit_of_mean_curve(self):
        rng = np.random.default_rng(4)
        seg = W ** -0.5 * rng.uniform(0.5, 1.5, (10, W.size))
        alpha, _, _ = bootstrap_alpha(W, seg, n_boot=50)
        assert alpha == pytest.approx(fit_power_law(W, seg.mean(axis=0))[1], rel=1e-12)

    def test_w_range_restricts_fit(self):
        seg = np.vstack([np.where(W <= 64, W ** -1.0, 1e-9 * W ** -3.0)] * 3)
        alpha, lo, hi = bootstrap_alpha(W, seg, n_boot=20, w_range=(2, 64))
        assert alpha == pytest.approx(1.0, rel=1e-10) and lo == pytest.approx(1.0) and hi == pytest.approx(1.0)

    def test_ignores_missing_windows(self):
        seg = np.vstack([W ** -0.7] * 4)
        seg[0, 3] = np.nan
        alpha, _, _ = bootstrap_alpha(W, seg, n_boot=20)
        assert alpha == pytest.approx(0.7, rel=1e-10)

    def test_rejects_wrong_shape(self):
        with pytest.raises(ValueError, match="`per_segment` must have shape"):
            bootstrap_alpha(W, np.ones((3, W.size + 1)))

    def test_rejects_single_segment(self):
        with pytest.raises(ValueError, match="at least 2 segments"):
            bootstrap_alpha(W, np.ones((1, W.size)))

    def test_rejects_small_n_boot(self):
        with pytest.raises(TypeError, match="`n_boot` must be an integer >= 10"):
            bootstrap_alpha(W, np.ones((3, W.size)), n_boot=2.5)
        with pytest.raises(ValueError, match="`n_boot` must be an integer >= 10"):
            bootstrap_alpha(W, np.ones((3, W.size)), n_boot=5)

    def test_rejects_bad_level_and_range(self):
        with pytest.raises(ValueError, match="`level` must lie in"):
            bootstrap_alpha(W, np.ones((3, W.size)), level=1.0)
        with pytest.raises(ValueError, match="`w_range` must be"):
            bootstrap_alpha(W, np.ones((3, W.size)), w_range=(64, 2))


class TestWindowForDistortion:
    def test_spec_sliding_rule(self):
        # Spec II.8: β = 1, C = 1/2 gives 50, 500, 5000 for ε = 1e-2, 1e-3, 1e-4.
        assert [window_for_distortion(e, 0.5, 1.0) for e in (1e-2, 1e-3, 1e-4)] == [50, 500, 5000]

    def test_is_smallest_window_meeting_eps(self):
        for eps, C, alpha in [(0.05, 2.0, 0.8), (0.3, 1.1, 0.65), (1e-3, 0.7, 1.3)]:
            w = window_for_distortion(eps, C, alpha)
            assert C * w ** -alpha <= eps * (1 + 1e-9)
            assert w == 1 or C * (w - 1) ** -alpha > eps

    def test_nonincreasing_in_eps(self):
        ws = [window_for_distortion(e, 1.7, 0.8) for e in np.geomspace(1e-4, 1, 50)]
        assert all(a >= b for a, b in zip(ws, ws[1:]))

    def test_doubling(self):
        # w(ε·2^(−α)) ≈ 2·w(ε) up to the ceiling.
        for alpha in (0.6, 0.8, 1.2):
            w = window_for_distortion(1e-3, 1.0, alpha)
            w2 = window_for_distortion(1e-3 * 2 ** -alpha, 1.0, alpha)
            assert abs(w2 - 2 * w) <= 2

    def test_one_when_eps_above_C(self):
        assert window_for_distortion(2.0, 1.0, 0.5) == 1

    @pytest.mark.parametrize("kwargs, name", [({"eps": 0}, "eps"), ({"C": -1}, "C"), ({"alpha": 0}, "alpha")])
    def test_rejects_nonpositive_arguments(self, kwargs, name):
        args = {"eps": 0.1, "C": 1.0, "alpha": 0.8, **kwargs}
        with pytest.raises(ValueError, match=f"`{name}` must lie in \\(0, inf\\)"):
            window_for_distortion(**args)

    def test_rejects_astronomical_windows(self):
        with pytest.raises(ValueError, match="too small"):
            window_for_distortion(1e-300, 1.0, 0.1)


class TestMeasuredLaw:
    @staticmethod
    def stored(tmp_path, C=3.0, alpha=0.8):
        from lib.kv import store

        rows = {k: [] for k in store.COLUMNS}
        rng = np.random.default_rng(0)
        for seg in range(6):
            for w in W[W <= 512]:
                for key, value in (("policy", "sliding"), ("position_preserving", False), ("segment", seg),
                                   ("target", -1), ("window", int(w)), ("n", 4),
                                   ("kl", C * w ** -alpha * np.exp(rng.normal(0, 0.05)))):
                    rows[key].append(value)
        store.write("toy", rows, {"model": "m", "corpus": "c", "protocol": {}, "versions": {}, "date": "d",
                                  "command": "x"}, data_dir=tmp_path)
        return store.load("toy", data_dir=tmp_path)

    def test_fits_stored_curve(self, tmp_path):
        from lib.kv.fits import measured_law

        law = measured_law(self.stored(tmp_path), n_boot=100)
        w, mean, _ = self.stored(tmp_path).curve()
        assert (law.C, law.alpha) == pytest.approx(fit_power_law(w, mean), rel=1e-12)
        assert law.lo < 0.8 < law.hi and law.n_segments == 6
        assert law.fit_max == 512 / 8 and law.extrapolation.ratio > 10

    def test_w_range_and_fit_max(self, tmp_path):
        from lib.kv.fits import measured_law

        law = measured_law(self.stored(tmp_path), w_range=(4, 256), fit_max=32, n_boot=20)
        assert law.w.min() == 4 and law.w.max() == 256 and law.fit_max == 32


class TestPowerLawR2:
    def test_exact_power_law_is_one_and_known_residuals_give_their_share(self):
        w = np.array([1.0, 2.0, 4.0, 8.0])
        assert power_law_r2(w, 3 * w ** -0.7) == pytest.approx(1.0)
        # ln Δ = -ln w + e with residuals e = ±0.1 orthogonal to [1, ln w]: R² = 1 - Var(e) / Var(ln Δ)
        e = 0.1 * np.array([1.0, -1.0, -1.0, 1.0])
        delta = np.exp(-np.log(w) + e)
        assert power_law_r2(w, delta) == pytest.approx(1 - np.var(e) / np.var(np.log(delta)))

    def test_flat_curve_is_nan(self):
        assert math.isnan(power_law_r2([1.0, 2.0, 4.0], [0.5, 0.5, 0.5]))


class TestExtrapolationFitMin:
    def test_a_range_fits_inside_and_scores_outside(self):
        w = np.array([4.0, 8.0, 16.0, 32.0, 64.0])
        delta = 2.0 * w ** -0.5
        delta[0] *= 10                                        # off the law, outside the fitting range
        r = extrapolation_test(w, delta, fit_max=32, fit_min=8)
        assert r.power == pytest.approx((2.0, 0.5)) and r.n_fit == 3 and r.n_test == 2
        assert r.power_dex == pytest.approx(0.5)                # |log10 10| on w = 4, 0 on w = 64: mean 0.5

    def test_needs_a_window_outside(self):
        with pytest.raises(ValueError, match="one to test outside them"):
            extrapolation_test([4.0, 8.0, 16.0], [1.0, 0.5, 0.25], fit_max=16, fit_min=4)
