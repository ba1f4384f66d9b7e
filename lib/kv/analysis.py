"""Analysis of the stored language-model measurements: bootstrap bands, local slopes, policy ratios.

Every function takes a :class:`lib.kv.store.Measurement` (or its per-segment arrays) and resamples whole
text segments, so the dependence between windows of the same text is kept. Power-law fits use
:func:`lib.kv.fits.fit_power_law`.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from lib import checks

from .fits import _boot_args, bootstrap_alpha, fit_power_law
from .policies import POLICIES
from .stats import paired_bootstrap_alpha

__all__ = ["VARIANT_LABELS", "parse_variant", "curve_band", "local_slopes", "ratio_curve", "ratio_law",
           "alpha_table", "paired_alpha", "segments_below", "position_values", "position_array",
           "quantile_alpha", "paired_models"]

#: Variant name (``policy`` or ``policy:pres``) -> label for figures and tables: each policy's own label,
#: then the measured variants that are not a policy of their own (original positions, eviction without
#: recompute, H2O on a re-encoding decoder).
VARIANT_LABELS = {**{name: cls.label for name, cls in POLICIES.items() if name != "h2o"},
                  "sliding:pres": "sliding, original positions",
                  "sink:pres": "sink + recent, original positions",
                  "random:pres": "random, original positions",
                  "evict_sliding:pres": "evict, no recompute",
                  "evict_sink:pres": "sink + window eviction, original positions",
                  "evict_h2o:pres": "H2O, eviction", "h2o": POLICIES["h2o"].label,
                  "h2o_self": "H2O on a re-encoding decoder"}


def parse_variant(variant: str):
    """The policy and position flag of a variant name.

    Parameters
    ----------
    variant : str
        A key of :data:`VARIANT_LABELS`: ``policy`` or ``policy:pres`` (original positions).

    Returns
    -------
    policy : str
    position_preserving : bool

    Examples
    --------
    >>> parse_variant("sink:pres"), parse_variant("sliding")
    (('sink', True), ('sliding', False))
    """
    if variant not in VARIANT_LABELS:
        raise ValueError(f"unknown `variant` {variant!r}: use one of {list(VARIANT_LABELS)}")
    policy, _, flag = variant.partition(":")
    return policy, flag == "pres"


def _resampled_means(per_segment, n_boot, rng):
    seg = np.asarray(per_segment, dtype=float)
    if seg.ndim != 2 or seg.shape[0] < 2:
        raise ValueError(f"`per_segment` must be a 2-D array with at least 2 segments, got shape {seg.shape}")
    picks = rng.integers(0, seg.shape[0], size=(n_boot, seg.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(seg[picks], axis=1)


def curve_band(per_segment, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """Percentile bootstrap band of the mean curve, resampling segments.

    Replicate :math:`b` draws segments :math:`s_1^b, \\dots, s_S^b` with replacement and averages
    :math:`\\bar D^b(w) = \\frac{1}{S} \\sum_j D_{s_j^b}(w)`; the band is the percentile interval of
    :math:`\\bar D^b(w)` at each window.

    Parameters
    ----------
    per_segment : array_like, shape [n_segments, n_windows]
        Per-segment mean KL (NaN where a segment lacks a window).
    n_boot, seed, level
        Replicates (>= 10), seed of ``numpy.random.default_rng``, coverage in (0, 1).

    Returns
    -------
    lo, hi : ndarray, shape [n_windows]
    """
    rng, tail = _boot_args(n_boot, seed, level)
    means = _resampled_means(per_segment, int(n_boot), rng)
    return np.nanpercentile(means, tail, axis=0), np.nanpercentile(means, 100 - tail, axis=0)


def local_slopes(w, per_segment, step: int = 2, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """Local exponent between windows ``step`` grid points apart, with a bootstrap band over segments.

    Notes
    -----
    :math:`\\alpha_{\\mathrm{loc}} = -(\\ln D(w_{k+s}) - \\ln D(w_k)) / (\\ln w_{k+s} - \\ln w_k)` at the geometric
    midpoint :math:`\\sqrt{w_k w_{k+s}}`, see
    :eq:`eq-kv-local-slope`. A power law has a constant local slope; an exponential ``C e^{-lam w}`` has
    ``alpha_loc = lam w``, growing linearly in ``w``.

    Parameters
    ----------
    w : array_like, shape [n_windows]
    per_segment : array_like, shape [n_segments, n_windows]
    step : int
        Grid points between the two windows of a slope (2 on a sqrt(2) grid: a factor of 2 in w).

    Returns
    -------
    w_mid, slope, lo, hi : ndarray, shape [n_windows - step]
    """
    w = np.asarray(w, dtype=float)
    rng, tail = _boot_args(n_boot, seed, level)
    seg = np.asarray(per_segment, dtype=float)
    if not checks.count(step, "step") < w.size:
        raise ValueError(f"`step` must be an integer in [1, {w.size - 1}], got {step!r}")
    if seg.ndim != 2 or seg.shape[1] != w.size:
        raise ValueError(f"`per_segment` must have shape (n_segments, {w.size}), got {seg.shape}")

    def slopes(log_d):
        return -(log_d[..., step:] - log_d[..., :-step]) / (np.log(w[step:]) - np.log(w[:-step]))

    slope = slopes(np.log(np.nanmean(seg, axis=0)))
    boot = slopes(np.log(_resampled_means(seg, int(n_boot), rng)))
    return (np.sqrt(w[step:] * w[:-step]), slope, np.nanpercentile(boot, tail, axis=0),
            np.nanpercentile(boot, 100 - tail, axis=0))


def ratio_curve(measurement, num: str = "random", den: str = "sliding", n_boot: int = 1000, seed: int = 0,
                level: float = 0.95):
    """Ratio of two variants' mean KL at equal budget, with a bootstrap band over shared segments.

    :math:`r(w) = \\bar D_{\\mathrm{num}}(w) / \\bar D_{\\mathrm{den}}(w)`, both means over the same segments.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    num, den : str
        Variant names (see ``VARIANT_LABELS``), e.g. ``"random"`` over ``"sliding"``.

    Returns
    -------
    w, ratio, lo, hi : ndarray
        Windows measured by both variants; ratio of the means over the segments both measured.
    """
    rng, tail = _boot_args(n_boot, seed, level)
    (wa, _, a), (wb, _, b) = (measurement.curve(*parse_variant(v)) for v in (num, den))
    w = np.intersect1d(wa, wb)
    a, b = a[:, np.searchsorted(wa, w)], b[:, np.searchsorted(wb, w)]
    n = min(a.shape[0], b.shape[0])  # segments are numbered 0, 1, ... in every variant
    a, b = a[:n], b[:n]
    picks = rng.integers(0, n, size=(int(n_boot), n))
    boot = np.nanmean(a[picks], axis=1) / np.nanmean(b[picks], axis=1)
    ratio = np.nanmean(a, axis=0) / np.nanmean(b, axis=0)
    return w, ratio, np.percentile(boot, tail, axis=0), np.percentile(boot, 100 - tail, axis=0)


def ratio_law(w, ratio, target: float = 100.0):
    """Fit ``ratio = c * w**gamma`` in log-log and the budget where it would reach ``target``.

    Returns
    -------
    c, gamma, w_target : float
        ``w_target = (target / c) ** (1 / gamma)`` (inf if ``gamma <= 0``), :eq:`eq-kv-ratio-law`.
    """
    target = checks.positive(target, "target")
    c, minus_gamma = fit_power_law(w, ratio)
    gamma = -minus_gamma
    w_target = (target / c) ** (1 / gamma) if gamma > 0 else math.inf
    return c, gamma, w_target


def alpha_table(measurement, variants, w_range=None, n_boot: int = 1000, seed: int = 0) -> dict:
    """``variant -> (alpha, lo, hi)``: power-law exponent of each variant with a bootstrap interval.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    variants : iterable of str
        Variant names (see ``VARIANT_LABELS``).
    w_range : (float, float), optional
        Windows used in the fit (state it: the exponent depends on it).
    """
    out = {}
    for variant in variants:
        w, mean, per_segment = measurement.curve(*parse_variant(variant))
        out[variant] = bootstrap_alpha(w, per_segment, n_boot=n_boot, seed=seed, w_range=w_range)
    return out


def _aligned(measurement, a: str, b: str):
    """Per-segment curves of variants ``a`` and ``b`` on the segments and windows both measured."""
    out = []
    for v in (a, b):
        policy, pres = parse_variant(v)
        w, _, seg = measurement.curve(policy, pres)
        rows = measurement.rows
        sel = (rows["policy"] == policy) & (rows["position_preserving"] == pres)
        out.append((w, np.unique(rows["segment"][sel]), seg))
    (wa, sa, ca), (wb, sb, cb) = out
    w, segs = np.intersect1d(wa, wb), np.intersect1d(sa, sb)
    pick = [c[np.searchsorted(s, segs)][:, np.searchsorted(wv, w)] for wv, s, c in ((wa, sa, ca), (wb, sb, cb))]
    return w, pick[0], pick[1]


def paired_alpha(measurement, a: str, b: str, w_range=None, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95):
    """α_a − α_b of two variants on the articles both measured, with a paired bootstrap interval.

    Returns
    -------
    diff, lo, hi : float
        See :func:`lib.kv.stats.paired_bootstrap_alpha`.
    n_segments : int
        Articles shared by the two variants.
    """
    w, ca, cb = _aligned(measurement, a, b)
    diff, lo, hi = paired_bootstrap_alpha(w, ca, cb, n_boot=n_boot, seed=seed, w_range=w_range, level=level)
    return diff, lo, hi, int(ca.shape[0])


def segments_below(measurement, variant: str, reference: str = "sliding", window=None) -> tuple[int, int]:
    """On how many articles ``variant`` has a lower mean KL than ``reference`` at one window.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    variant, reference : str
        Variant names (see ``VARIANT_LABELS``).
    window : int, optional
        The budget compared (default: the largest both measured).

    Returns
    -------
    below, n : int
        Articles with :math:`\\bar D_{\\mathrm{variant}}(w) < \\bar D_{\\mathrm{reference}}(w)`, and articles
        both measured at ``w``.
    """
    w, a, b = _aligned(measurement, variant, reference)
    k = w.size - 1 if window is None else int(np.flatnonzero(w == window)[0]) if (w == window).any() else None
    if k is None:
        raise ValueError(f"`window` {window} was not measured by both {variant!r} and {reference!r}; "
                         f"shared windows: {w.tolist()}")
    ok = np.isfinite(a[:, k]) & np.isfinite(b[:, k])
    return int((a[ok, k] < b[ok, k]).sum()), int(ok.sum())


def position_values(measurement, variant: str, window: int) -> np.ndarray:
    """Per-position KL (nats) of one variant at one window, for variants stored one row per target."""
    policy, pres = parse_variant(variant)
    rows = measurement.rows
    sel = ((rows["policy"] == policy) & (rows["position_preserving"] == pres) & (rows["window"] == int(window)))
    if not sel.any():
        raise ValueError(f"no rows for `variant`={variant!r} at `window`={window} in {measurement.name!r}")
    if np.any(rows["n"][sel] != 1):
        raise ValueError(f"`variant`={variant!r} stores averages over targets, not one row per position; "
                         "use a per-position variant (sliding, sink, random)")
    return rows["kl"][sel]


def position_array(measurement, variant: str = "sliding"):
    """Per-position KL of a variant stored one row per target, as an array [segment, window, target].

    Returns
    -------
    w : ndarray, shape [n_windows]
    kl : ndarray, shape [n_segments, n_windows, n_targets]
        Targets of each (segment, window) in increasing order; every pair must have the same number.
    """
    policy, pres = parse_variant(variant)
    rows = measurement.rows
    sel = (rows["policy"] == policy) & (rows["position_preserving"] == pres)
    if not sel.any() or np.any(rows["n"][sel] != 1):
        raise ValueError(f"`variant`={variant!r} has no per-position rows in {measurement.name!r}; use a variant "
                         "stored one row per target (sliding, sink, random)")
    seg, win, tgt, kl = (rows[k][sel] for k in ("segment", "window", "target", "kl"))
    segs, w = np.unique(seg), np.unique(win)
    order = np.lexsort((tgt, win, seg))
    if order.size % (segs.size * w.size):
        raise ValueError(f"`variant`={variant!r} has unequal numbers of targets per segment and window")
    return w, kl[order].reshape(segs.size, w.size, -1)


def quantile_alpha(measurement, variant: str = "sliding", q: float = 0.5, w_range=None, n_boot: int = 1000,
                   seed: int = 0, level: float = 0.95):
    """Power-law exponent of a quantile of per-position KL (the median by default), bootstrapped over articles.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    variant : str
        A variant stored one row per target.
    q : float
        Quantile in (0, 1) of the pooled positions at each window.
    w_range, n_boot, seed, level
        As in :func:`lib.kv.fits.bootstrap_alpha`.

    Returns
    -------
    alpha, lo, hi : float
        Exponent of Q_q(w), the q-quantile over all positions at window w, and its percentile interval over
        replicates that resample whole articles (with all their positions).
    """
    q = checks.in_open_unit(q, "q")
    rng, tail = _boot_args(n_boot, seed, level)
    w, kl = position_array(measurement, variant)
    keep = np.ones(w.size, bool) if w_range is None else (w >= w_range[0]) & (w <= w_range[1])
    w, kl = w[keep], kl[:, keep]

    def alpha_of(arr):                                   # arr [..., n_seg, n_w, n_t] -> exponent per replicate
        pooled = np.moveaxis(arr, -2, -3).reshape(*arr.shape[:-3], w.size, -1)
        return -np.polyfit(np.log(w), np.log(np.quantile(pooled, q, axis=-1)).T, 1)[0]

    picks = rng.integers(0, kl.shape[0], size=(int(n_boot), kl.shape[0]))
    boot = alpha_of(kl[picks])
    return float(alpha_of(kl[None])[0]), float(np.percentile(boot, tail)), float(np.percentile(boot, 100 - tail))


def paired_models(measurement_a, measurement_b, variant: str = "sliding", w_range=None, n_boot: int = 1000,
                  seed: int = 0, level: float = 0.95):
    """α_a − α_b of one variant measured on two models, paired over the articles both measured.

    Articles are matched by title (``meta["corpus"]["segments"]``), so the two models read the same texts,
    each through its own tokenizer: a window of w tokens covers somewhat different text in the two.

    Returns
    -------
    diff, lo, hi : float
        See :func:`lib.kv.stats.paired_bootstrap_alpha`.
    n_segments : int
        Articles shared by the two measurements.
    """
    policy, pres = parse_variant(variant)
    curves = []
    for m in (measurement_a, measurement_b):
        w, _, seg = m.curve(policy, pres)
        sel = (m.rows["policy"] == policy) & (m.rows["position_preserving"] == pres)
        titles = [m.meta["corpus"]["segments"][i] for i in np.unique(m.rows["segment"][sel])]
        curves.append((w, dict(zip(titles, seg))))
    (wa, ca), (wb, cb) = curves
    w, shared = np.intersect1d(wa, wb), [t for t in ca if t in cb]
    if len(shared) < 2:
        raise ValueError(f"{measurement_a.name!r} and {measurement_b.name!r} share {len(shared)} articles; "
                         "a paired comparison needs at least 2")
    a = np.array([ca[t][np.searchsorted(wa, w)] for t in shared])
    b = np.array([cb[t][np.searchsorted(wb, w)] for t in shared])
    diff, lo, hi = paired_bootstrap_alpha(w, a, b, n_boot=n_boot, seed=seed, w_range=w_range, level=level)
    return diff, lo, hi, len(shared)
