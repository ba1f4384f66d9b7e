"""Tests of lib.kv.limits on synthetic long-context measurements with known answers."""
import math

import numpy as np
import pytest

from lib.kv import limits as L
from lib.kv.fits import window_for_distortion
from lib.kv.store import Measurement

W = np.array([4.0, 8, 16, 32, 64, 128, 256, 512, 1024, 2048])
R = np.array([256, 1024, 2048])
C, ALPHA = 2.0, 0.8


def _truth(q=0.5, gap=0.4):
    """Δ(w; r) = Δ∞(w)·(1 − gap·q^k) for the k-th removed length: every stage adds q times the one before."""
    limit = C * W ** -ALPHA
    return limit, np.stack([limit * (1 - gap * q ** k) for k in range(R.size)])


def _noisy(curves, n_seg=32, sigma=0.5, seed=0):
    """Per-article values: the curves times log-normal noise of mean 1 (independent per article, r and w)."""
    rng = np.random.default_rng(seed)
    noise = np.exp(sigma * rng.normal(size=(curves.shape[0], n_seg, curves.shape[1])) - sigma ** 2 / 2)
    return curves[:, None, :] * noise


def _measurement(values, variant=("sliding", False), nll_shift=0.0, removed=R):
    cols = {k: [] for k in ("policy", "position_preserving", "segment", "target", "window", "kl", "n", "removed",
                            "nll_excess")}
    for a, r in enumerate(removed):
        for s in range(values.shape[1]):
            for b, w in enumerate(W):
                for c, v in zip(cols, (*variant, s, int(r + w), int(w), values[a, s, b], 1, int(r),
                                       values[a, s, b] + nll_shift * (s + 1))):
                    cols[c].append(v)
    return Measurement("synthetic-long", {"corpus": {"segments": [f"t{s}" for s in range(values.shape[1])]}},
                       {k: np.array(v) for k, v in cols.items()})


class TestRemovedCurves:
    def test_values_come_back_by_removed_length_article_and_window(self):
        values = _noisy(_truth()[1], n_seg=5)
        r, w, segs, back = L.removed_curves(_measurement(values))
        assert r.tolist() == R.tolist() and w.tolist() == W.tolist() and segs.tolist() == list(range(5))
        np.testing.assert_allclose(back, values)

    def test_a_short_protocol_file_is_refused(self):
        m = _measurement(_noisy(_truth()[1], n_seg=3), removed=[-1, -1, -1])
        with pytest.raises(ValueError, match="removed length"):
            L.removed_curves(m)

    def test_unknown_variant_and_column_are_refused(self):
        m = _measurement(_noisy(_truth()[1], n_seg=3))
        with pytest.raises(ValueError, match="random"):
            L.removed_curves(m, "random")
        with pytest.raises(ValueError, match="column"):
            L.removed_curves(m, "sliding", "loss")


class TestLimitPair:
    def test_two_variants_are_aligned_on_shared_articles_and_windows(self):
        a = _measurement(_noisy(_truth()[1], n_seg=6, seed=1), variant=("random", False))
        b = _measurement(_noisy(_truth()[1], n_seg=4, seed=2))
        keep = b.rows["window"] >= 8
        b.rows.update({k: v[keep] for k, v in b.rows.items()})
        both = Measurement("both", a.meta, {k: np.concatenate([a.rows[k], b.rows[k]]) for k in a.rows})
        w, va, vb = L.limit_pair(both, "random", "sliding")
        assert w.tolist() == W[1:].tolist() and va.shape == vb.shape == (4, W.size - 1)
        np.testing.assert_allclose(va, L.removed_curves(a, "random")[3][-1][:4, 1:])
        np.testing.assert_allclose(vb, L.removed_curves(b)[3][-1])


class TestRemovedBands:
    def test_mean_is_the_article_mean_and_the_band_covers_the_truth(self):
        curves = _truth()[1]
        hits = []
        for seed in range(100):
            values = _noisy(curves, seed=seed)
            mean, lo, hi = L.removed_bands(values, n_boot=200, seed=seed)
            np.testing.assert_allclose(mean, values.mean(axis=1))
            hits.append((lo <= curves) & (curves <= hi))
        assert 0.88 <= np.mean(hits) <= 0.99


class TestLimitEstimate:
    def test_noise_free_geometric_convergence_is_bracketed_exactly(self):
        limit, curves = _truth(q=0.5)
        values = np.repeat(curves[:, None, :], 4, axis=1)
        est = L.limit_estimate(R, W, values, tail_ratio=0.5, n_boot=50)
        np.testing.assert_allclose(est.delta, curves[-1])
        np.testing.assert_allclose(est.lo, curves[-1])
        np.testing.assert_allclose(est.hi, limit, rtol=1e-12)        # the geometric tail bound is attained
        assert est.r_max == 2048 and est.r_prev == 1024 and not est.settled.any()

    def test_interval_covers_the_limit_under_noise(self):
        limit, curves = _truth(q=0.4)
        hits = [(lambda e: (e.lo <= limit) & (limit <= e.hi))(
            L.limit_estimate(R, W, _noisy(curves, seed=seed), n_boot=200, seed=seed)) for seed in range(100)]
        assert np.mean(hits) >= 0.9

    def test_a_converged_curve_is_settled_and_a_growing_one_is_not(self):
        limit, _ = _truth()
        flat = _noisy(np.stack([limit] * 3), sigma=0.3, seed=3)
        assert L.limit_estimate(R, W, flat, n_boot=300).settled.mean() >= 0.8
        growing = _noisy(np.stack([limit * f for f in (0.2, 0.4, 0.8)]), sigma=0.1, seed=3)
        assert not L.limit_estimate(R, W, growing, n_boot=300).settled.any()

    def test_bad_inputs(self):
        values = _noisy(_truth()[1], n_seg=4)
        with pytest.raises(ValueError, match="removed"):
            L.limit_estimate([256, 256, 2048], W, values)
        with pytest.raises(ValueError, match="tail_ratio"):
            L.limit_estimate(R, W, values, tail_ratio=1.0)
        with pytest.raises(ValueError, match="values"):
            L.limit_estimate(R, W, values[:, :1])


class TestAlpha:
    def test_limit_alpha_recovers_the_exponent_of_the_largest_removed_length(self):
        limit, curves = _truth()
        alpha, lo, hi = L.limit_alpha(W, _noisy(curves, sigma=0.2, n_seg=64))
        assert lo < ALPHA < hi and abs(alpha - ALPHA) < 0.05
        exact = L.limit_alpha(W, np.repeat(curves[:, None, :], 3, axis=1))
        assert exact[0] == pytest.approx(ALPHA)

    def test_shift_between_removed_lengths_is_the_difference_of_exponents(self):
        limit = C * W ** -ALPHA
        curves = np.stack([C * W ** -(ALPHA + 0.3), limit, limit])
        diff, lo, hi = L.removed_alpha_shift(W, np.repeat(curves[:, None, :], 3, axis=1), n_boot=50)
        assert diff == pytest.approx(-0.3) and lo == pytest.approx(-0.3) and hi == pytest.approx(-0.3)


class TestClaims:
    def test_extrapolation_claim_on_a_power_law_and_on_an_exponential(self):
        power = _noisy(C * W[None] ** -ALPHA, sigma=0.2)[0]
        res = L.extrapolation_claim(W, power, fit_max=256, n_boot=200)
        assert res["verdict"] == "reproduced" and res["lo"] >= 10 and res["n_test"] == 3
        expo = _noisy(np.exp(-W[None] / 600.0), sigma=0.05)[0]
        assert L.extrapolation_claim(W, expo, fit_max=256, n_boot=200)["verdict"] == "not reproduced"

    def test_sink_claim_equal_and_different_exponents(self):
        slide = _noisy(C * W[None] ** -ALPHA, sigma=0.05, seed=1)[0]
        same = _noisy(3 * C * W[None] ** -ALPHA, sigma=0.05, seed=2)[0]
        res = L.sink_claim(W, same, slide, n_boot=300)
        assert res["verdict"] == "reproduced" and res["lo"] <= 0 <= res["hi"]
        steeper = _noisy(C * W[None] ** -(ALPHA + 0.4), sigma=0.05, seed=2)[0]
        res = L.sink_claim(W, steeper, slide, n_boot=300)
        assert res["verdict"] == "not reproduced" and res["diff"] == pytest.approx(0.4, abs=0.05)

    def test_random_claim_finds_the_factor_where_it_holds(self):
        recency = _noisy(C * W[None] ** -ALPHA, sigma=0.2, seed=1)[0]
        ratio = np.where(W < 100, 3.0, 100.0)
        random = _noisy(ratio * C * W[None] ** -ALPHA, sigma=0.2, seed=2)[0]
        res = L.random_claim(W, random, recency, n_boot=300)
        small, large = W < 100, W > 100
        assert all(v == "not reproduced" for v, s in zip(res["verdicts"], small) if s)
        assert all(v == "reproduced" for v, s in zip(res["verdicts"], large) if s)
        assert res["first_above"] == 128 and res["largest"][1] < 100 < res["largest"][2]
        dip = np.where(W == 512, 1.0, 1.0 * (W > 100) * 100 + 3.0 * (W < 100)) * C * W[None] ** -ALPHA
        late = L.random_claim(W, _noisy(dip, sigma=0.05, seed=3)[0], recency, n_boot=300)
        assert late["first_above"] == 1024                            # the dip at 512 resets "from here on"
        with pytest.raises(ValueError, match="align"):
            L.random_claim(W, random[:3], recency)


class TestWindowForEps:
    def test_inside_the_range_it_is_the_exact_power_law_window(self):
        seg = np.repeat((C * W ** -ALPHA)[None], 3, axis=0)
        for eps in (0.5, 0.05, 0.01):
            res = L.window_for_eps(eps, W, seg, n_boot=20)
            assert res["inside"] and res["w"] == pytest.approx((C / eps) ** (1 / ALPHA))
            assert res["lo"] == pytest.approx(res["w"]) and res["hi"] == pytest.approx(res["w"])

    def test_beyond_the_range_it_is_labelled_extrapolation(self):
        seg = np.repeat((C * W ** -ALPHA)[None], 3, axis=0)
        res = L.window_for_eps(1e-4, W, seg)
        assert not res["inside"] and res["method"].startswith("extrapolated") and math.isnan(res["lo"])
        assert res["w"] == window_for_distortion(1e-4, C, ALPHA)

    def test_interval_is_open_above_when_replicates_do_not_reach_eps(self):
        seg = _noisy(C * W[None] ** -ALPHA, sigma=1.5, seed=4)[0]
        eps = float(np.mean(seg, axis=0)[-1]) * 1.01
        res = L.window_for_eps(eps, W, seg, n_boot=300)
        assert res["inside"] and res["hi"] == math.inf


class TestMetrics:
    def test_agreement_reports_the_offset_and_the_rank_correlation(self):
        values = _noisy(_truth()[1], n_seg=6)
        res = L.metric_agreement(_measurement(values, nll_shift=0.01), n_boot=100)
        np.testing.assert_allclose(res["diff"], 0.035)                # mean of 0.01·(s+1), s = 0..5
        np.testing.assert_allclose(res["kl"], values[-1].mean(axis=0))
        assert res["removed"] == 2048
        np.testing.assert_allclose(L.metric_agreement(_measurement(values), n_boot=100)["rank_corr"], 1.0)
        with pytest.raises(ValueError, match="removed"):
            L.metric_agreement(_measurement(values), removed=512)

    def test_disagreements_are_ordered_by_the_gap(self):
        values = _noisy(_truth()[1], n_seg=4)
        top = L.disagreements(_measurement(values, nll_shift=0.5), k=3)
        assert [t["segment"] for t in top] == [3, 3, 3] and top[0]["title"] == "t3"
        gaps = [abs(t["nll_excess"] - t["kl"]) for t in top]
        assert gaps == sorted(gaps, reverse=True) and top[0]["target"] == top[0]["removed"] + top[0]["window"]
