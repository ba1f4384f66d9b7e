"""Tests of lib.kv.analysis (analysis of stored curves), on synthetic measurements with known answers."""
import numpy as np
import pytest

from lib.kv.analysis import (alpha_table, curve_band, local_slopes, paired_alpha, paired_models, parse_variant,
                             position_array, position_values, quantile_alpha, ratio_curve, ratio_law,
                             segments_below)
from lib.kv.store import Measurement

W = np.array([4, 8, 16, 32, 64, 128, 256])


def _synthetic(policies, n_seg=12, seed=0):
    """A Measurement with per-segment curves c_s * law(w), c_s log-normal around 1."""
    rng = np.random.default_rng(seed)
    cols = {k: [] for k in ("policy", "position_preserving", "segment", "target", "window", "kl", "n")}
    scale = np.exp(0.3 * rng.normal(size=n_seg))
    for policy, law in policies.items():
        for s in range(n_seg):
            for w in W:
                for c, v in zip(cols, (policy, False, s, -1, w, scale[s] * law(w), 1)):
                    cols[c].append(v)
    rows = {k: np.array(v) for k, v in cols.items()}
    return Measurement("synthetic", {}, rows)


class TestCurveBand:
    def test_band_contains_the_mean_and_shrinks_with_more_segments(self):
        rng = np.random.default_rng(0)
        small, large = rng.lognormal(size=(8, 5)), rng.lognormal(size=(200, 5))
        for seg in (small, large):
            lo, hi = curve_band(seg, n_boot=500)
            assert np.all(lo <= seg.mean(0)) and np.all(seg.mean(0) <= hi)
        width = {k: np.subtract(*curve_band(seg)[::-1]) for k, seg in (("small", small), ("large", large))}
        assert np.all(width["large"] < width["small"])

    def test_coverage_of_the_mean_is_near_nominal(self):
        rng = np.random.default_rng(1)
        hits = 0
        for _ in range(200):
            seg = rng.exponential(size=(40, 1))
            lo, hi = curve_band(seg, n_boot=300, seed=int(rng.integers(1e6)))
            hits += lo[0] <= 1.0 <= hi[0]
        assert 0.85 <= hits / 200 <= 0.99

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="at least 2 segments"):
            curve_band(np.ones((1, 3)))
        with pytest.raises(ValueError, match="`n_boot` must be an integer >= 10"):
            curve_band(np.ones((3, 3)), n_boot=5)
        with pytest.raises(ValueError, match=r"`level` must lie in \(0, 1\)"):
            curve_band(np.ones((3, 3)), level=1.0)


class TestLocalSlopes:
    def test_power_law_has_constant_local_exponent(self):
        seg = np.outer(np.linspace(0.5, 2, 6), 3.0 * W ** -0.8)
        mid, slope, lo, hi = local_slopes(W, seg, step=1, n_boot=50)
        np.testing.assert_allclose(slope, 0.8, rtol=1e-12)
        np.testing.assert_allclose(mid, np.sqrt(W[1:] * W[:-1]))

    def test_exponential_local_exponent_is_lambda_w_over_ln2(self):
        lam = 0.01
        seg = np.outer(np.ones(4), np.exp(-lam * W))
        _, slope, _, _ = local_slopes(W, seg, step=1, n_boot=50)
        np.testing.assert_allclose(slope, lam * W[:-1] / np.log(2), rtol=1e-12)  # W doubles: eq-kv-local-slope

    def test_bad_step(self):
        with pytest.raises(ValueError, match="`step` must be an integer"):
            local_slopes(W, np.ones((3, W.size)), step=W.size)


class TestRatioLaw:
    def test_recovers_exact_power_law_and_target_budget(self):
        c, gamma, w100 = ratio_law(W, 2.0 * W ** 0.5, target=100)
        assert (c, gamma) == pytest.approx((2.0, 0.5))
        assert w100 == pytest.approx(2500.0)

    def test_nonincreasing_ratio_never_reaches_target(self):
        assert ratio_law(W, 5.0 * W ** -0.1)[2] == np.inf

    def test_bad_target(self):
        with pytest.raises(ValueError, match="`target` must lie in \\(0, inf\\)"):
            ratio_law(W, W, target=0)


class TestRatioCurveAndAlphaTable:
    def test_ratio_of_synthetic_laws(self):
        m = _synthetic({"random": lambda w: 4.0 * w ** -0.1, "sliding": lambda w: 2.0 * w ** -0.9})
        w, ratio, lo, hi = ratio_curve(m, "random", "sliding", n_boot=200)
        np.testing.assert_allclose(ratio, 2.0 * W ** 0.8, rtol=1e-12)
        assert np.all(lo <= ratio + 1e-9) and np.all(ratio <= hi + 1e-9)

    def test_alpha_table_recovers_exponents(self):
        m = _synthetic({"sliding": lambda w: 2.0 * w ** -0.9, "sink": lambda w: 1.0 * w ** -0.7})
        table = alpha_table(m, ["sliding", "sink"], n_boot=100)
        assert table["sliding"][0] == pytest.approx(0.9) and table["sink"][0] == pytest.approx(0.7)

    def test_paired_difference_cancels_what_the_segments_share(self):
        rng = np.random.default_rng(4)
        jitter = 0.15 * rng.normal(size=12)  # each segment's own exponent, shared by both policies
        cols = {k: [] for k in ("policy", "position_preserving", "segment", "target", "window", "kl", "n")}
        for policy, alpha in (("sliding", 0.8), ("h2o", 0.6)):
            for s_, j in enumerate(jitter):
                for w in W:
                    for c, v in zip(cols, (policy, False, s_, -1, w, float(w) ** -(alpha + j), 1)):
                        cols[c].append(v)
        m = Measurement("paired", {}, {k: np.array(v) for k, v in cols.items()})
        d, lo, hi, n = paired_alpha(m, "h2o", "sliding", n_boot=200)
        unpaired = alpha_table(m, ["h2o", "sliding"], n_boot=200)
        assert d == pytest.approx(-0.2, abs=0.02) and lo <= d <= hi
        assert hi - lo < 0.5 * min(b - a for _, a, b in unpaired.values())
        assert n == 12
        with pytest.raises(ValueError, match="`w_range`"):
            paired_alpha(m, "h2o", "sliding", w_range=(8, 8))

    def test_unknown_variant(self):
        with pytest.raises(ValueError, match="unknown `variant` 'lru'"):
            parse_variant("lru")
        assert parse_variant("evict_sink:pres") == ("evict_sink", True)


class TestSegmentsBelow:
    def test_counts_the_articles_where_a_variant_is_lower(self):
        # sink = sliding * (1 + 0.1 * (s - 5.5)): lower than sliding exactly on segments 0..5 of 12
        m = _synthetic({"sliding": lambda w: w ** -0.8, "sink": lambda w: w ** -0.8})
        sink = m.rows["policy"] == "sink"
        m.rows["kl"][sink] *= 1 + 0.1 * (m.rows["segment"][sink] - 5.5)
        assert segments_below(m, "sink", "sliding") == (6, 12)
        assert segments_below(m, "sliding", "sink", window=16) == (6, 12)
        with pytest.raises(ValueError, match="`window` 5 was not measured"):
            segments_below(m, "sink", "sliding", window=5)


class TestPairedAlpha:
    def test_aligns_segments_by_id(self):
        # With segment scales shared, sink = sliding·w^0.2 gives α_sink − α_sliding = −0.2 exactly; then
        # "sink" keeps only segments 6..11 and the comparison must use those 6.
        m = _synthetic({"sliding": lambda w: w ** -0.8, "sink": lambda w: w ** -0.6})
        diff, lo, hi, n = paired_alpha(m, "sink", "sliding", n_boot=100)
        assert n == 12 and diff == pytest.approx(-0.2) and lo == pytest.approx(-0.2) and hi == pytest.approx(-0.2)
        keep = (m.rows["policy"] != "sink") | (m.rows["segment"] >= 6)
        part = Measurement("part", {}, {k: v[keep] for k, v in m.rows.items()})
        assert paired_alpha(part, "sink", "sliding", n_boot=100)[3] == 6

    def test_position_values_refuses_averaged_rows(self):
        m = _synthetic({"block_markov": lambda w: w ** -0.8})
        m.rows["n"][:] = 64
        with pytest.raises(ValueError, match="averages over targets"):
            position_values(m, "block_markov", 16)


def _per_target(alpha=0.9, n_seg=10, n_t=8, seed=0):
    """One row per target: KL = c_s · z_k · w^(−alpha), with article scales c_s and position factors z_k."""
    rng = np.random.default_rng(seed)
    scale, z = np.exp(rng.normal(0, 0.5, n_seg)), np.exp(rng.normal(0, 1.5, n_t))
    cols = {k: [] for k in ("policy", "position_preserving", "segment", "target", "window", "kl", "n")}
    for s in range(n_seg):
        for w in W:
            for k in range(n_t):
                for c, v in zip(cols, ("sliding", False, s, 512 + 32 * k + w, w, scale[s] * z[k] * w ** -alpha, 1)):
                    cols[c].append(v)
    return Measurement("targets", {}, {k: np.array(v) for k, v in cols.items()})


class TestQuantileAlpha:
    def test_position_array_orders_segments_windows_targets(self):
        w, kl = position_array(_per_target(n_seg=3, n_t=4))
        assert kl.shape == (3, W.size, 4) and np.array_equal(w, W)
        assert np.allclose(kl[:, 1:, :] / kl[:, :-1, :], (W[1:] / W[:-1])[None, :, None] ** -0.9)

    def test_separable_law_gives_the_exponent_for_every_quantile(self):
        m = _per_target(alpha=0.9)
        for q in (0.5, 0.9):
            alpha, lo, hi = quantile_alpha(m, q=q, n_boot=50)
            assert alpha == pytest.approx(0.9) and lo == pytest.approx(0.9) and hi == pytest.approx(0.9)

    def test_median_ignores_a_heavy_tail_that_the_mean_follows(self):
        m = _per_target(alpha=0.9, n_t=9)
        tail = (m.rows["target"] - m.rows["window"] == 512 + 32 * 8)                # one position in nine
        m.rows["kl"][tail] = 50.0 * m.rows["window"][tail] ** -0.2              # decays slowly, dominates
        assert quantile_alpha(m, n_boot=50)[0] == pytest.approx(0.9)
        assert alpha_table(m, ["sliding"], n_boot=50)["sliding"][0] < 0.5

    def test_rejects_averaged_rows_and_bad_quantile(self):
        m = _synthetic({"block_markov": lambda w: w ** -0.8})
        m.rows["n"][:] = 64
        with pytest.raises(ValueError, match="per-position rows"):
            quantile_alpha(m, "block_markov", n_boot=20)
        with pytest.raises(ValueError, match="`q` must lie in"):
            quantile_alpha(_per_target(), q=1.0)


class TestPairedModels:
    def test_matches_articles_by_title(self):
        # Model a measured articles X, Y, Z (ids 0-2); model b measured Y, Z (ids 0-1) with the same scales
        # per article and a steeper law: the shared articles give α_b − α_a = 0.3 exactly.
        a = _synthetic({"sliding": lambda w: w ** -0.5}, n_seg=3)
        a.meta["corpus"] = {"segments": ["X", "Y", "Z"]}
        b = _synthetic({"sliding": lambda w: w ** -0.8}, n_seg=3)
        keep = b.rows["segment"] >= 1
        b = Measurement("b", {"corpus": {"segments": ["Y", "Z"]}},
                        {k: v[keep] for k, v in b.rows.items()})
        b.rows["segment"] = b.rows["segment"] - 1                               # Y -> 0, Z -> 1, scales kept
        diff, lo, hi, n = paired_models(b, a, n_boot=50)
        assert n == 2 and diff == pytest.approx(0.3) and lo == pytest.approx(0.3) and hi == pytest.approx(0.3)

    def test_needs_two_shared_articles(self):
        a = _synthetic({"sliding": lambda w: w ** -0.5}, n_seg=2)
        a.meta["corpus"] = {"segments": ["X", "Y"]}
        b = _synthetic({"sliding": lambda w: w ** -0.5}, n_seg=2)
        b.meta["corpus"] = {"segments": ["Y", "Q"]}
        with pytest.raises(ValueError, match="share 1 articles"):
            paired_models(a, b, n_boot=20)
