"""The long-context analysis: Δ(w; r) with the removed length r, its infinite-past limit, and the paper's claims.

A long-context measurement (``--protocol long``, :mod:`lib.kv.long`) stores, for every article s, removed
length r and window w, the KL at the one target t = r + w: the decoder has read x_0 … x_{t−1}, keeps w of
them and exactly r tokens of the past are removed. Δ(w; r) is the mean over articles,

.. math:: \\Delta(w; r) = \\frac{1}{S} \\sum_s D_s(w; r).

Every interval here is a percentile bootstrap that resamples whole articles; a *paired* bootstrap draws the
same articles for every curve it compares (every r, every variant), so what two curves share cancels.

The infinite-past limit :math:`\\Delta(w; \\infty) = \\lim_{r \\to \\infty} \\Delta(w; r)` is estimated by
:func:`limit_estimate` (see its Notes for why that estimator); :func:`limit_alpha` fits the power law to it.
The paper's three empirical claims are tested by :func:`extrapolation_claim`, :func:`sink_claim` and
:func:`random_claim`, each returning its numbers and a verdict; :func:`window_for_eps` gives w(ε) from the
measured curve inside the measured range and labels the power-law extrapolation beyond it;
:func:`metric_agreement` and :func:`disagreements` compare the KL with the excess log-loss of the actual token.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from lib import checks

from .analysis import parse_variant
from .fits import _boot_args, _replicates, _slopes, bootstrap_alpha, extrapolation_test, fit_power_law, \
    window_for_distortion
from .stats import paired_bootstrap_alpha

__all__ = ["removed_curves", "limit_pair", "removed_bands", "LimitEstimate", "limit_estimate", "limit_alpha",
           "removed_alpha_shift", "extrapolation_claim", "sink_claim", "random_claim", "window_for_eps",
           "metric_agreement", "disagreements", "VERDICTS"]

#: The verdicts a claim test returns.
VERDICTS = ("reproduced", "not reproduced", "inconclusive")


def removed_curves(measurement, variant: str = "sliding", column: str = "kl"):
    """Per-article values of one variant, by removed length and window.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
        A long-context measurement (its ``removed`` column recorded).
    variant : str
        ``policy`` or ``policy:pres`` (see :data:`lib.kv.analysis.VARIANT_LABELS`).
    column : str
        ``"kl"`` or ``"nll_excess"`` (nats).

    Returns
    -------
    removed : ndarray of int, shape [n_r]
    w : ndarray of float, shape [n_w]
    segments : ndarray of int, shape [n_s]
        Articles measured by the variant, in increasing order.
    values : ndarray, shape [n_r, n_s, n_w]
        :math:`D_s(w; r) = \\sum_i n_i v_i / \\sum_i n_i` over the rows of (s, w, r); NaN where none.
    """
    column = checks.choice(column, "column", ("kl", "nll_excess"))
    policy, pres = parse_variant(variant)
    rows = measurement.rows
    sel = (rows["policy"] == policy) & (rows["position_preserving"] == pres)
    if not sel.any():
        raise ValueError(f"no rows for `variant`={variant!r} in {measurement.name!r}; available: "
                         f"{measurement.variants()}")
    if np.any(rows["removed"][sel] < 0):
        raise ValueError(f"{measurement.name!r} does not record the removed length; use a long-context measurement "
                         "(python -m lib.kv measure --protocol long)")
    r, s, win = rows["removed"][sel], rows["segment"][sel], rows["window"][sel]
    v, n = rows[column][sel], rows["n"][sel]
    removed, segments, w = np.unique(r), np.unique(s), np.unique(win)
    idx = (np.searchsorted(removed, r), np.searchsorted(segments, s), np.searchsorted(w, win))
    total, count = np.zeros((removed.size, segments.size, w.size)), np.zeros((removed.size, segments.size, w.size))
    np.add.at(total, idx, v * n)
    np.add.at(count, idx, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(count > 0, total / count, np.nan)
    return removed, w.astype(float), segments, values


def limit_pair(measurement, a: str, b: str, column: str = "kl"):
    """Per-article values of two variants at the largest removed length, on the articles and windows both have.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    a, b : str
        Variant names (e.g. ``"sink"`` and ``"sliding"``, or ``"random"`` and ``"sliding"``).
    column : str
        ``"kl"`` or ``"nll_excess"``.

    Returns
    -------
    w : ndarray, shape [n_w]
        Windows both variants measured.
    values_a, values_b : ndarray, shape [n_s, n_w]
        :math:`D_s(w; r_{\\max})` of each variant; row i of both is the same article.
    """
    (ra, wa, sa, va), (rb, wb, sb, vb) = (removed_curves(measurement, v, column) for v in (a, b))
    if ra[-1] != rb[-1]:
        raise ValueError(f"`{a}` and `{b}` have different largest removed lengths ({ra[-1]}, {rb[-1]})")
    w, segs = np.intersect1d(wa, wb), np.intersect1d(sa, sb)
    if segs.size < 2:
        raise ValueError(f"`{a}` and `{b}` share {segs.size} articles in {measurement.name!r}; at least 2 needed")
    return (w, va[-1][np.searchsorted(sa, segs)][:, np.searchsorted(wa, w)],
            vb[-1][np.searchsorted(sb, segs)][:, np.searchsorted(wb, w)])


def _values(values, name="values") -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 3 or arr.shape[1] < 2:
        raise ValueError(f"`{name}` must have shape (n_r, n_segments >= 2, n_windows), got {arr.shape}")
    return arr


def _picks(n_seg, n_boot, seed, level):
    rng, tail = _boot_args(n_boot, seed, level)
    return rng.integers(0, n_seg, size=(int(n_boot), n_seg)), tail


def _boot_means(arr, picks) -> np.ndarray:
    """Mean over resampled articles (axis -2) of ``arr [..., n_s, n_w]`` -> [n_boot, ..., n_w]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.moveaxis(arr[..., picks, :], -3, 0), axis=-2)


def removed_bands(values, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """Δ(w; r) for every removed length with a bootstrap band, the same articles drawn for every r.

    Parameters
    ----------
    values : array_like, shape [n_r, n_s, n_w]
        Per-article values (:func:`removed_curves`).
    n_boot, seed, level
        Replicates (>= 10), seed of ``numpy.random.default_rng``, coverage in (0, 1).

    Returns
    -------
    mean, lo, hi : ndarray, shape [n_r, n_w]
        :math:`\\Delta(w; r) = \\frac{1}{S}\\sum_s D_s(w; r)` and its percentile band.
    """
    arr = _values(values)
    picks, tail = _picks(arr.shape[1], n_boot, seed, level)
    boot = _boot_means(arr, picks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (np.nanmean(arr, axis=1), np.nanpercentile(boot, tail, axis=0),
                np.nanpercentile(boot, 100 - tail, axis=0))


@dataclass(frozen=True)
class LimitEstimate:
    """The infinite-past limit Δ(w; ∞) estimated from the largest removed lengths (:func:`limit_estimate`).

    Attributes
    ----------
    w : ndarray
        Windows (tokens).
    delta, lo, hi : ndarray
        Estimate Δ(w; r_max) and the interval for Δ(w; ∞): lower end that of Δ(w; r_max), upper end that of
        Δ(w; r_max) plus the bound on the remaining tail.
    step, step_lo, step_hi : ndarray
        Last increment Δ(w; r_max) − Δ(w; r_prev) with its paired interval.
    settled : ndarray of bool
        Windows where the last increment is not detectably positive (``step_lo <= 0``).
    r_max, r_prev : int
        The two largest removed lengths.
    tail_ratio : float
        The assumed bound q on the ratio of successive increments.
    n_segments : int
    """

    w: np.ndarray
    delta: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    step: np.ndarray
    step_lo: np.ndarray
    step_hi: np.ndarray
    settled: np.ndarray
    r_max: int
    r_prev: int
    tail_ratio: float
    n_segments: int


def limit_estimate(removed, w, values, tail_ratio: float = 0.5, n_boot: int = 1000, seed: int = 0,
                   level: float = 0.95) -> LimitEstimate:
    """Estimate Δ(w; ∞) by the largest removed length, with a convergence test and a tail bound.

    Parameters
    ----------
    removed : array_like of int, shape [n_r]
        Removed lengths, increasing, at least two.
    w : array_like, shape [n_w]
    values : array_like, shape [n_r, n_s, n_w]
        Per-article values (:func:`removed_curves`).
    tail_ratio : float
        q in (0, 1): the assumed bound on the ratio of the increment from r_max to
        r_max·ρ to the increment from r_prev to r_max (ρ = r_max / r_prev), and so on for every later stage.
    n_boot, seed, level
        As in :func:`removed_bands`; one set of resampled articles serves every r.

    Returns
    -------
    LimitEstimate

    Notes
    -----
    **Why this estimator.** If the truncated law were the Bayes predictor from the window (as for a stationary
    source that predicts its own text), Δ(w; r) would be the conditional mutual information
    :math:`I(X_t; X_{t-w-r}^{t-w-1} \\mid X_{t-w}^{t-1})`: non-decreasing in r and bounded, so convergent from
    below. For a language model on other text that is a premise, which the measured increments check. Three
    removed lengths cannot pin a per-window fit :math:`\\Delta(w; r) = \\Delta_\\infty(w) - c(w)\\, r^{-\\beta}`
    (three parameters, three noisy points), so the estimate is the value at the largest r,

    .. math:: \\hat\\Delta(w; \\infty) = \\Delta(w; r_{\\max}),

    with its last increment :math:`\\delta(w) = \\Delta(w; r_{\\max}) - \\Delta(w; r_{\\mathrm{prev}})` tested
    against zero (paired over articles). If each later stage of the removed past (r → ρr, ρ = r_max/r_prev)
    adds at most q times what the stage before added, the part still missing is at most
    :math:`\\delta\\, q/(1-q)` (a geometric series); the interval is

    .. math:: [\\mathrm{lo}\\,\\Delta(w; r_{\\max}),\\; \\mathrm{hi}(\\Delta(w; r_{\\max}) + \\tfrac{q}{1-q}\\max(\\delta, 0))],

    with both ends percentiles over the same bootstrap replicates. A tail
    :math:`\\Delta_\\infty - \\Delta(w; r) \\propto r^{-\\beta}` has q = ρ^(−β): q = 1/2 for β = 1 and ρ = 2.
    """
    r = np.asarray(removed, dtype=int).ravel()
    arr = _values(values)
    if r.size < 2 or r.size != arr.shape[0] or np.any(np.diff(r) <= 0):
        raise ValueError(f"`removed` must hold at least 2 increasing lengths, one per row of `values`, got {r}")
    q = checks.in_open_unit(tail_ratio, "tail_ratio")
    picks, tail = _picks(arr.shape[1], n_boot, seed, level)
    boot = _boot_means(arr[-2:], picks)                        # [n_boot, 2, n_w]
    last, step_b = boot[:, 1], boot[:, 1] - boot[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(arr[-2:], axis=1)
        step_lo, step_hi = np.nanpercentile(step_b, [tail, 100 - tail], axis=0)
        upper = last + q / (1 - q) * np.maximum(step_b, 0)
        lo, hi = np.nanpercentile(last, tail, axis=0), np.nanpercentile(upper, 100 - tail, axis=0)
    return LimitEstimate(w=np.asarray(w, dtype=float), delta=mean[1], lo=lo, hi=hi, step=mean[1] - mean[0],
                         step_lo=step_lo, step_hi=step_hi, settled=step_lo <= 0, r_max=int(r[-1]),
                         r_prev=int(r[-2]), tail_ratio=q, n_segments=int(arr.shape[1]))


def limit_alpha(w, values, w_range=None, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """The power-law exponent of the limit estimate Δ(w; r_max), with a bootstrap interval over articles.

    :math:`\\hat\\Delta(w; \\infty) \\approx C w^{-\\alpha}`, fitted by least squares of ln Δ on ln w
    (:func:`lib.kv.fits.bootstrap_alpha`) on the per-article values of the largest removed length.

    Parameters
    ----------
    w : array_like, shape [n_w]
    values : array_like, shape [n_r, n_s, n_w]
    w_range : (float, float), optional
        Windows used (state it: α depends on it).

    Returns
    -------
    alpha, lo, hi : float
    """
    return bootstrap_alpha(w, _values(values)[-1], n_boot=n_boot, seed=seed, w_range=w_range, level=level)


def removed_alpha_shift(w, values, w_range=None, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """α at the largest removed length minus α at the smallest, paired over articles: the finite-past bias.

    Returns
    -------
    diff, lo, hi : float
        :math:`\\alpha(r_{\\max}) - \\alpha(r_{\\min})` (:func:`lib.kv.stats.paired_bootstrap_alpha`).
    """
    arr = _values(values)
    return paired_bootstrap_alpha(w, arr[-1], arr[0], n_boot=n_boot, seed=seed, w_range=w_range, level=level)


def _verdict(lo: float, hi: float, low: float, high: float = math.inf) -> str:
    """'reproduced' if [lo, hi] lies inside [low, high], 'not reproduced' if it misses it, else 'inconclusive'."""
    if lo >= low and hi <= high:
        return VERDICTS[0]
    if hi < low or lo > high:
        return VERDICTS[1]
    return VERDICTS[2]


def extrapolation_claim(w, per_segment, fit_max: float, factor: float = 10.0, n_boot: int = 1000, seed: int = 0,
                        level: float = 0.95) -> dict:
    """Claim (a): fitted on w ≤ ``fit_max``, a power law extrapolates ``factor`` times better than an exponential.

    Parameters
    ----------
    w : array_like, shape [n_w]
    per_segment : array_like, shape [n_s, n_w]
        Per-article values of one curve (e.g. the limit estimate's largest r).
    fit_max : float
        Largest window fitted; the larger ones are held out.
    factor : float
        The claimed improvement (10: "an order of magnitude").

    Returns
    -------
    dict
        ``power_dex``, ``exp_dex`` (mean held-out |log10 error|), ``ratio`` = MSE_exp / MSE_pow of ln Δ on the
        held-out windows (:func:`lib.kv.fits.extrapolation_test`), ``lo``, ``hi`` (its interval over article
        replicates), ``verdict`` ('reproduced' if lo ≥ factor, 'not reproduced' if hi < factor), ``n_fit``,
        ``n_test``.
    """
    factor = checks.positive(factor, "factor")
    seg = np.asarray(per_segment, dtype=float)
    w = np.asarray(w, dtype=float)
    test = extrapolation_test(w, np.nanmean(seg, axis=0), fit_max)
    picks, tail = _picks(seg.shape[0], n_boot, seed, level)
    ratios = [extrapolation_test(w, c, fit_max).ratio for c in _replicates(seg, picks) if np.all(c > 0)]
    lo, hi = np.percentile(ratios, [tail, 100 - tail])
    return {"power_dex": test.power_dex, "exp_dex": test.exp_dex, "ratio": test.ratio, "lo": float(lo),
            "hi": float(hi), "verdict": _verdict(lo, hi, factor), "n_fit": test.n_fit, "n_test": test.n_test}


def sink_claim(w, per_sink, per_sliding, margin: float = 0.1, w_range=None, n_boot: int = 1000, seed: int = 0,
               level: float = 0.95) -> dict:
    """Claim (b): sink + recent recovers the sliding window's exponent, tested by a paired bootstrap.

    Parameters
    ----------
    w : array_like, shape [n_w]
    per_sink, per_sliding : array_like, shape [n_s, n_w]
        The two variants on the same articles and targets (row i of both is article i).
    margin : float
        Equivalence margin m on α: "recovered" means |α_sink − α_sliding| < m.

    Returns
    -------
    dict
        ``alpha_sink``, ``alpha_sliding`` and ``diff`` = α_sink − α_sliding with ``lo``, ``hi`` (paired
        interval, :func:`lib.kv.stats.paired_bootstrap_alpha`); ``verdict``: 'reproduced' if [lo, hi] ⊂ [−m, m]
        (equivalence), 'not reproduced' if it misses [−m, m], 'inconclusive' otherwise; ``margin``.
    """
    margin = checks.positive(margin, "margin")
    diff, lo, hi = paired_bootstrap_alpha(w, per_sink, per_sliding, n_boot=n_boot, seed=seed, w_range=w_range,
                                          level=level)
    keep = np.ones(np.size(w), bool) if w_range is None else (np.asarray(w) >= w_range[0]) & (
        np.asarray(w) <= w_range[1])
    a_sink = fit_power_law(np.asarray(w)[keep], np.nanmean(np.asarray(per_sink)[:, keep], axis=0))[1]
    a_slide = fit_power_law(np.asarray(w)[keep], np.nanmean(np.asarray(per_sliding)[:, keep], axis=0))[1]
    return {"alpha_sink": a_sink, "alpha_sliding": a_slide, "diff": diff, "lo": lo, "hi": hi, "margin": margin,
            "verdict": _verdict(lo, hi, -margin, margin)}


def random_claim(w, per_random, per_recency, factor: float = 100.0, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> dict:
    """Claim (c): recency beats random retention by about ``factor`` at equal budget, budget by budget.

    Parameters
    ----------
    w : array_like, shape [n_w]
        Budgets shared by the two variants.
    per_random, per_recency : array_like, shape [n_s, n_w]
        The same articles and targets (row i of both is article i).
    factor : float
        The claimed ratio (100: "two orders of magnitude"); "about" means within half a decade,
        [factor/√10, factor·√10].

    Returns
    -------
    dict
        ``w``, ``ratio`` = Δ̄_random(w) / Δ̄_recency(w), ``lo``, ``hi`` (paired interval: one resampling of
        articles for both), ``verdicts`` (per budget: 'reproduced' if [lo, hi] lies within half a decade of
        ``factor``, 'not reproduced' if it misses that band, 'inconclusive' otherwise), ``first_above`` (the
        smallest budget from which every interval lies above factor/√10, or None) and ``largest`` (ratio, lo, hi at the
        largest budget).
    """
    factor = checks.positive(factor, "factor")
    a, b = np.asarray(per_random, dtype=float), np.asarray(per_recency, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] != np.size(w):
        raise ValueError(f"`per_random` and `per_recency` must both have shape (n_segments, {np.size(w)}), got "
                         f"{a.shape} and {b.shape}; align them by article first")
    picks, tail = _picks(a.shape[0], n_boot, seed, level)
    boot = _replicates(a, picks) / _replicates(b, picks)
    ratio = np.nanmean(a, axis=0) / np.nanmean(b, axis=0)
    lo, hi = np.nanpercentile(boot, [tail, 100 - tail], axis=0)
    band = (factor / math.sqrt(10), factor * math.sqrt(10))
    verdicts = [_verdict(x, y, *band) for x, y in zip(lo, hi)]
    below = np.flatnonzero(~(lo >= band[0]))                    # budgets whose interval reaches below the band
    first = 0 if below.size == 0 else below[-1] + 1
    return {"w": np.asarray(w, dtype=float), "ratio": ratio, "lo": lo, "hi": hi, "verdicts": verdicts,
            "first_above": float(np.asarray(w)[first]) if first < lo.size else None,
            "largest": (float(ratio[-1]), float(lo[-1]), float(hi[-1])), "band": band}


def _crossing(w, curve, eps) -> float:
    """Smallest w (log-log interpolated) from which ``curve`` stays ≤ eps up to the largest window; inf if never."""
    above = np.flatnonzero(~(curve <= eps))
    if above.size == 0:
        return float(w[0])
    k = above[-1]
    if k == w.size - 1:
        return math.inf
    x0, x1, y0, y1 = np.log(w[k]), np.log(w[k + 1]), np.log(curve[k]), np.log(max(curve[k + 1], 1e-300))
    return float(np.exp(x0 + (np.log(eps) - y0) * (x1 - x0) / (y1 - y0)))


def window_for_eps(eps, w, per_segment, fit_range=None, n_boot: int = 1000, seed: int = 0,
                   level: float = 0.95) -> dict:
    """w(ε) read off the measured curve where it reaches ε, with an interval; labelled extrapolation beyond.

    Parameters
    ----------
    eps : float
        Target distortion (nats), > 0.
    w : array_like, shape [n_w]
    per_segment : array_like, shape [n_s, n_w]
    fit_range : (float, float), optional
        Windows of the power-law fit used beyond the measured range (default: all).

    Returns
    -------
    dict
        ``inside`` (bool): whether the mean curve reaches ε within the measured windows. If so, ``w`` is the
        smallest window from which the curve stays ≤ ε (log–log interpolation between grid points), ``lo``,
        ``hi`` its percentile interval over article replicates (``hi`` = inf when more than the upper tail of
        replicates never reach ε inside the range). If not, ``w`` is the power-law window
        :math:`\\lceil (C/\\varepsilon)^{1/\\alpha} \\rceil` of the fit on ``fit_range``
        (:func:`lib.kv.fits.window_for_distortion`), an *extrapolation* beyond ``w_max``, with no interval.
        Also ``method`` and ``w_max``.
    """
    eps = checks.positive(eps, "eps")
    w = np.asarray(w, dtype=float)
    seg = np.asarray(per_segment, dtype=float)
    mean = np.nanmean(seg, axis=0)
    point = _crossing(w, mean, eps)
    if math.isfinite(point):
        picks, tail = _picks(seg.shape[0], n_boot, seed, level)
        reps = np.array([_crossing(w, c, eps) for c in _replicates(seg, picks)])
        lo, hi = np.percentile(reps, [tail, 100 - tail], method="inverted_cdf")  # keeps inf: no interpolation
        return {"inside": True, "w": point, "lo": float(lo), "hi": float(hi), "method": "interpolated",
                "w_max": float(w.max())}
    keep = np.ones(w.size, bool) if fit_range is None else (w >= fit_range[0]) & (w <= fit_range[1])
    C, alpha = fit_power_law(w[keep], mean[keep])
    return {"inside": False, "w": float(window_for_distortion(eps, C, alpha)), "lo": math.nan, "hi": math.nan,
            "method": f"extrapolated: power law fitted on {w[keep].min():g}–{w[keep].max():g}",
            "w_max": float(w.max())}


def metric_agreement(measurement, variant: str = "sliding", removed=None, n_boot: int = 1000, seed: int = 0,
                     level: float = 0.95) -> dict:
    """KL against the excess log-loss of the actual next token, window by window, paired by position.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
        A long-context measurement with ``nll_excess`` recorded.
    variant : str
    removed : int, optional
        Removed length (default: the largest).

    Returns
    -------
    dict
        ``w``; ``kl``, ``nll`` (means over articles, nats); ``diff`` = mean(nll − kl) with ``lo``, ``hi``
        (bootstrap over articles); ``rank_corr`` (Spearman correlation of the two over all positions at each
        window); ``removed``. On text drawn from the model itself E[nll_excess] = KL; on other text they differ
        by :math:`\\mathbb{E}_{x \\sim \\text{data}}[\\ln p/q] - \\mathbb{E}_{x \\sim p}[\\ln p/q]`.
    """
    from scipy.stats import spearmanr

    r, w, _, kl = removed_curves(measurement, variant, "kl")
    nll = removed_curves(measurement, variant, "nll_excess")[3]
    k = r.size - 1 if removed is None else int(np.flatnonzero(r == removed)[0]) if (r == removed).any() else None
    if k is None:
        raise ValueError(f"`removed`={removed} was not measured; measured: {r.tolist()}")
    a, b = kl[k], nll[k]
    picks, tail = _picks(a.shape[0], n_boot, seed, level)
    boot = _replicates(b - a, picks)
    lo, hi = np.nanpercentile(boot, [tail, 100 - tail], axis=0)
    corr = np.array([spearmanr(a[:, j], b[:, j], nan_policy="omit")[0] for j in range(w.size)])
    return {"w": w, "kl": np.nanmean(a, axis=0), "nll": np.nanmean(b, axis=0), "diff": np.nanmean(b - a, axis=0),
            "lo": lo, "hi": hi, "rank_corr": corr, "removed": int(r[k])}


def disagreements(measurement, variant: str = "sliding", k: int = 5) -> list:
    """The ``k`` positions where the excess log-loss of the actual token and the KL differ most.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    variant : str
    k : int

    Returns
    -------
    list of dict
        ``segment``, ``title`` (if recorded), ``target`` (token index t of the actual next token x_t),
        ``window``, ``removed``, ``kl``, ``nll_excess``, largest :math:`|\\mathrm{nll} - \\mathrm{kl}|` first.
    """
    k = checks.count(k, "k")
    policy, pres = parse_variant(variant)
    rows = measurement.rows
    sel = np.flatnonzero((rows["policy"] == policy) & (rows["position_preserving"] == pres)
                         & np.isfinite(rows["nll_excess"]))
    if sel.size == 0:
        raise ValueError(f"{measurement.name!r} has no `nll_excess` for `variant`={variant!r}")
    gap = np.abs(rows["nll_excess"][sel] - rows["kl"][sel])
    titles = measurement.meta.get("corpus", {}).get("segments", [])
    out = []
    for i in sel[np.argsort(-gap, kind="stable")[:k]]:
        s = int(rows["segment"][i])
        out.append({"segment": s, "title": titles[s] if s < len(titles) else None, "target": int(rows["target"][i]),
                    "window": int(rows["window"][i]), "removed": int(rows["removed"][i]),
                    "kl": float(rows["kl"][i]), "nll_excess": float(rows["nll_excess"][i])})
    return out
