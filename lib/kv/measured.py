"""Analysis of the stored language-model measurements: bootstrap bands, local slopes, policy ratios.

Every function takes a :class:`lib.kv.store.Measurement` (or its per-segment arrays) and resamples whole
text segments, so the dependence between windows of the same text is kept. Power-law fits use
:func:`lib.kv.fits.fit_power_law`.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .fits import bootstrap_alpha, fit_power_law

__all__ = ["MODELS_MEASURED", "VARIANT_LABELS", "parse_variant", "curve_band", "local_slopes", "ratio_curve",
           "ratio_law", "alpha_table", "paired_alpha_difference"]

#: Stored measurements in display order, with short labels.
MODELS_MEASURED = {"smollm2-135m": "SmolLM2-135M", "gemma3-270m": "Gemma-3-270M"}
#: Variant name (``policy`` or ``policy:pres``) -> label for figures and tables.
VARIANT_LABELS = {"sliding": "sliding window", "sliding:pres": "sliding, original positions",
                  "sink": "sink + recent", "sink:pres": "sink + recent, original positions",
                  "random": "random", "random:pres": "random, original positions",
                  "block_markov": "block-Markov", "evict_sliding:pres": "evict, no recompute",
                  "evict_sink:pres": "sink + window eviction, original positions",
                  "streaming_llm": "StreamingLLM (positions in the cache)",
                  "evict_h2o:pres": "H2O, eviction", "h2o": "H2O, re-encoded",
                  "h2o_self": "H2O on a re-encoding decoder"}


def parse_variant(variant: str):
    """``"sink:pres"`` -> ``("sink", True)``; ``"sliding"`` -> ``("sliding", False)``."""
    if variant not in VARIANT_LABELS:
        raise ValueError(f"unknown `variant` {variant!r}: use one of {list(VARIANT_LABELS)}")
    policy, _, flag = variant.partition(":")
    return policy, flag == "pres"


def _checked(n_boot, seed, level):
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 10:
        raise ValueError(f"`n_boot` must be an integer >= 10, got {n_boot!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, got {seed!r}")
    if not 0 < float(level) < 1:
        raise ValueError(f"`level` must lie in (0, 1), got {level!r}")
    return np.random.default_rng(seed), 100 * (1 - float(level)) / 2


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
    rng, tail = _checked(n_boot, seed, level)
    means = _resampled_means(per_segment, int(n_boot), rng)
    return np.nanpercentile(means, tail, axis=0), np.nanpercentile(means, 100 - tail, axis=0)


def local_slopes(w, per_segment, step: int = 2, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """Local exponent between windows ``step`` grid points apart, with a bootstrap band over segments.

    Notes
    -----
    ``alpha_loc = -(ln D(w_{k+s}) - ln D(w_k)) / (ln w_{k+s} - ln w_k)`` at the geometric midpoint, see
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
    rng, tail = _checked(n_boot, seed, level)
    seg = np.asarray(per_segment, dtype=float)
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or not 1 <= step < w.size:
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
    rng, tail = _checked(n_boot, seed, level)
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
    if not float(target) > 0:
        raise ValueError(f"`target` must be > 0, got {target!r}")
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


def paired_alpha_difference(measurement, a: str, b: str = "sliding", w_range=None, n_boot: int = 1000,
                            seed: int = 0, level: float = 0.95):
    """Exponent difference ``alpha_a - alpha_b`` with a *paired* bootstrap over the segments both measured.

    Each replicate resamples segments once and fits both variants' mean curves on those same segments, so
    the variation the two share cancels (a minimal stand-in for a general paired bootstrap).

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
    a, b : str
        Variant names (see ``VARIANT_LABELS``).
    w_range : (float, float), optional
        Windows used in both fits.

    Returns
    -------
    diff, lo, hi : float
        ``alpha_a - alpha_b`` of the log-log least-squares fits to the mean curves, and its percentile
        interval.
    """
    rng, tail = _checked(n_boot, seed, level)
    (wa, _, pa), (wb, _, pb) = (measurement.curve(*parse_variant(v)) for v in (a, b))
    w = np.intersect1d(wa, wb)
    if w_range is not None:
        w = w[(w >= w_range[0]) & (w <= w_range[1])]
    pa, pb = pa[:, np.searchsorted(wa, w)], pb[:, np.searchsorted(wb, w)]
    n = min(pa.shape[0], pb.shape[0])
    if n < 2 or w.size < 2:
        raise ValueError(f"{a!r} and {b!r} share {n} segments and {w.size} windows; need at least 2 of each")
    pa, pb = pa[:n], pb[:n]

    def diff(rows):
        return fit_power_law(w, np.nanmean(pa[rows], 0))[1] - fit_power_law(w, np.nanmean(pb[rows], 0))[1]

    boot = np.array([diff(rng.integers(0, n, n)) for _ in range(int(n_boot))])
    return diff(np.arange(n)), np.percentile(boot, tail), np.percentile(boot, 100 - tail)
