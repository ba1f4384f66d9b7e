"""Fitting truncation-sensitivity curves: power law against exponential, extrapolation, bootstrap, w(ε).

The curve is Δ(w), the mean KL divergence (nats) between the full-context and the truncated next-token law
at window w. The book compares two laws,

* power law   Δ(w) = C · w^(−α)   (polynomial truncation sensitivity, :ref:`kv-window-theorem`),
* exponential Δ(w) = C · e^(−λ w) (geometric decay, the usual Markov intuition),

each fitted by least squares in log space, and judges them by how well a fit on small windows predicts the
larger windows it never saw. The window rule ``window_for_distortion`` inverts the power law.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from lib import checks

__all__ = [
    "fit_power_law",
    "power_law_r2",
    "fit_exponential",
    "extrapolation_test",
    "ExtrapolationResult",
    "bootstrap_alpha",
    "window_for_distortion",
    "MeasuredLaw",
    "measured_law",
]


def _curve(w, delta, need: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Validate a curve (w, Δ): equal lengths, w > 0, Δ > 0 and finite, at least ``need`` distinct windows."""
    w = np.asarray(w, dtype=float).ravel()
    delta = np.asarray(delta, dtype=float).ravel()
    if w.shape != delta.shape:
        raise ValueError(f"`w` and `delta` must have the same length, got {w.size} and {delta.size}.")
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError(f"`w` must hold finite windows > 0, got min {np.min(w) if w.size else 'none'}.")
    if not np.all(np.isfinite(delta)) or np.any(delta <= 0):
        bad = delta[~(np.isfinite(delta) & (delta > 0))]
        raise ValueError(
            f"`delta` must be finite and > 0 for a log-space fit, got {bad[0]!r}. "
            "Drop windows whose distortion is zero or missing before fitting."
        )
    if np.unique(w).size < need:
        raise ValueError(f"`w` needs at least {need} distinct windows to fit a two-parameter law, got {w.size}.")
    return w, delta


def _lstsq(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares y ≈ a − b·x; returns (a, b)."""
    design = np.column_stack([np.ones_like(x), -x])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(a), float(b)


def fit_power_law(w, delta) -> tuple[float, float]:
    """Fit Δ(w) = C·w^(−α) by least squares of ln Δ on [1, −ln w].

    Parameters
    ----------
    w : array_like
        Windows (tokens), all > 0, at least two distinct.
    delta : array_like
        Distortions Δ(w) (nats), all > 0, same length as ``w``.

    Returns
    -------
    C, alpha : float
        Prefactor and exponent.

    Notes
    -----
    Minimises :math:`\\sum_i (\\ln \\Delta_i - \\ln C + \\alpha \\ln w_i)^2`, the law of :eq:`eq-kv-pts`.
    Noise-free power-law data are recovered exactly.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([4.0, 16.0, 64.0])
    >>> C, alpha = fit_power_law(w, 2.0 * w ** -0.8)
    >>> round(C, 6), round(alpha, 6)
    (2.0, 0.8)
    """
    w, delta = _curve(w, delta)
    log_c, alpha = _lstsq(np.log(w), np.log(delta))
    return math.exp(log_c), alpha


def power_law_r2(w, delta) -> float:
    """The share of the variance of ln Δ that the fitted power law explains (R² in log–log).

    Parameters
    ----------
    w, delta : array_like
        As in :func:`fit_power_law`.

    Returns
    -------
    float
        :math:`R^2 = 1 - \\mathrm{Var}(\\ln \\Delta - \\ln \\hat C w^{-\\hat\\alpha}) / \\mathrm{Var}(\\ln \\Delta)`:
        1 for an exact power law, near 0 for a flat curve with noise; NaN if ln Δ is constant.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([4.0, 16.0, 64.0])
    >>> round(power_law_r2(w, 3.0 * w ** -0.5), 12)
    1.0
    """
    w, delta = _curve(w, delta)
    C, alpha = fit_power_law(w, delta)
    spread = np.var(np.log(delta))
    return float(1 - np.var(np.log(delta) - np.log(C * w ** -alpha)) / spread) if spread > 0 else math.nan


def fit_exponential(w, delta) -> tuple[float, float]:
    """Fit Δ(w) = C·e^(−λ w) by least squares of ln Δ on [1, −w].

    Parameters
    ----------
    w, delta : array_like
        As in :func:`fit_power_law`.

    Returns
    -------
    C, lam : float
        Prefactor and decay rate (per token).

    Notes
    -----
    Minimises Σ (ln Δ_i − ln C + λ w_i)², the geometric law of :eq:`eq-kv-geometric`.
    """
    w, delta = _curve(w, delta)
    log_c, lam = _lstsq(w, np.log(delta))
    return math.exp(log_c), lam


@dataclass(frozen=True)
class ExtrapolationResult:
    """Both laws fitted on w ≤ ``fit_max`` and scored on the held-out windows w > ``fit_max``.

    Attributes
    ----------
    power, exponential : tuple of float
        The fitted ``(C, alpha)`` and ``(C, lam)``.
    power_dex, exp_dex : float
        Mean |log10(predicted / observed)| on the held-out windows (orders of magnitude).
    power_mse, exp_mse : float
        Mean squared error of ln Δ on the held-out windows.
    ratio : float
        ``exp_mse / power_mse``: how many times worse the exponential extrapolates (> 1 favours the power law).
    n_fit, n_test : int
        Number of windows used for fitting and for scoring.
    """

    power: tuple[float, float]
    exponential: tuple[float, float]
    power_dex: float
    exp_dex: float
    power_mse: float
    exp_mse: float
    ratio: float
    n_fit: int
    n_test: int


def extrapolation_test(w, delta, fit_max, fit_min=None) -> ExtrapolationResult:
    """Fit the power law and the exponential on ``fit_min`` ≤ w ≤ ``fit_max``; score both on the other windows.

    Parameters
    ----------
    w, delta : array_like
        The curve Δ(w) (tokens, nats), all > 0.
    fit_max : float
        Largest window used for fitting. At least two windows must lie in the fitting range and one outside.
    fit_min : float, optional
        Smallest window used for fitting (default: all windows up to ``fit_max``).

    Returns
    -------
    ExtrapolationResult
        Fitted laws, held-out errors in dex and in MSE of ln Δ, and the ratio exp/power of the MSEs.

    Notes
    -----
    The test of :eq:`eq-kv-extrapolation-score`: err = mean over held-out w of (ln Δ̂(w) − ln Δ(w))². "An order
    of magnitude better" means ``ratio >= 10``.
    """
    w, delta = _curve(w, delta)
    fit_max = checks.positive(fit_max, "fit_max")
    fit_min = 0.0 if fit_min is None else checks.positive(fit_min, "fit_min")
    train = (w >= fit_min) & (w <= fit_max)
    if np.unique(w[train]).size < 2 or not np.any(~train):
        raise ValueError(
            f"`fit_min`, `fit_max` = {fit_min:g}, {fit_max:g} must leave at least two distinct windows to fit "
            f"and one to test outside them; the windows span [{w.min():g}, {w.max():g}]."
        )
    c_p, alpha = fit_power_law(w[train], delta[train])
    c_e, lam = fit_exponential(w[train], delta[train])
    w_test, obs = w[~train], np.log(delta[~train])
    pred_p = math.log(c_p) - alpha * np.log(w_test)
    pred_e = math.log(c_e) - lam * w_test
    power_mse = float(np.mean((pred_p - obs) ** 2))
    exp_mse = float(np.mean((pred_e - obs) ** 2))
    return ExtrapolationResult(
        power=(c_p, alpha), exponential=(c_e, lam),
        power_dex=float(np.mean(np.abs(pred_p - obs))) / math.log(10),
        exp_dex=float(np.mean(np.abs(pred_e - obs))) / math.log(10),
        power_mse=power_mse, exp_mse=exp_mse,
        ratio=exp_mse / power_mse if power_mse > 0 else math.inf,
        n_fit=int(train.sum()), n_test=int((~train).sum()),
    )


def _boot_args(n_boot, seed, level) -> tuple[np.random.Generator, float]:
    """The generator and the lower tail (percent) of a bootstrap with ``n_boot`` replicates at ``level``."""
    checks.count(n_boot, "n_boot", low=10)
    level = checks.in_open_unit(level, "level")
    return np.random.default_rng(checks.count(seed, "seed", low=0)), 100 * (1 - level) / 2


def _segments(w, per_segment, w_range, name="per_segment", need=3) -> tuple[np.ndarray, np.ndarray]:
    """Windows and per-segment curves restricted to ``w_range`` (at least ``need`` windows); shape checks."""
    w = np.asarray(w, dtype=float).ravel()
    seg = np.asarray(per_segment, dtype=float)
    if seg.ndim != 2 or seg.shape[1] != w.size:
        raise ValueError(f"`{name}` must have shape (n_segments, {w.size}) to match `w`, got {seg.shape}.")
    if seg.shape[0] < 2:
        raise ValueError(f"`{name}` needs at least 2 segments to bootstrap, got {seg.shape[0]}.")
    keep = np.ones(w.size, dtype=bool)
    if w_range is not None:
        lo_w, hi_w = (float(v) for v in w_range)
        if not lo_w < hi_w:
            raise ValueError(f"`w_range` must be (low, high) with low < high, got {w_range!r}.")
        keep = (w >= lo_w) & (w <= hi_w)
    if keep.sum() < need:
        raise ValueError(f"`w_range` = {w_range!r} leaves {int(keep.sum())} windows; at least {need} are needed.")
    return w[keep], seg[:, keep]


def _replicates(seg, picks) -> np.ndarray:
    """Mean curve of each bootstrap replicate, shape (n_boot, n_windows); NaN where a replicate lacks a window."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(seg[picks], axis=1)


def _slopes(w, curves) -> np.ndarray:
    """Least-squares power-law exponent of each row of ``curves`` (rows with a non-positive value give NaN)."""
    x = np.log(w) - np.log(w).mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.log(np.where(curves > 0, curves, np.nan))
    return -((y - y.mean(axis=1, keepdims=True)) @ x) / (x @ x)


def bootstrap_alpha(w, per_segment, n_boot: int = 1000, seed: int = 0, w_range=None, level: float = 0.95):
    """Power-law exponent of the mean curve with a percentile bootstrap interval over segments.

    Parameters
    ----------
    w : array_like, shape (n_windows,)
        Windows (tokens), > 0.
    per_segment : array_like, shape (n_segments, n_windows)
        Per-segment mean distortions; NaN marks a window a segment did not measure.
    n_boot : int, optional
        Bootstrap replicates (segments resampled with replacement), ≥ 10.
    seed : int, optional
        Seed of ``numpy.random.default_rng``.
    w_range : (float, float), optional
        Fit only windows with ``w_range[0] <= w <= w_range[1]``. Always state it: the fitted α drifts with it.
    level : float, optional
        Coverage of the interval, in (0, 1).

    Returns
    -------
    alpha, lo, hi : float
        Exponent of the mean over all segments and the ``level`` percentile interval.

    Notes
    -----
    Each replicate averages a resampled set of segments window by window, then fits :eq:`eq-kv-pts`.
    Resampling whole segments keeps the dependence between windows of the same text.
    """
    w, seg = _segments(w, per_segment, w_range, need=2)
    rng, tail = _boot_args(n_boot, seed, level)
    _, alpha = fit_power_law(w, np.nanmean(seg, axis=0))
    picks = rng.integers(0, seg.shape[0], size=(int(n_boot), seg.shape[0]))
    slopes = _slopes(w, _replicates(seg, picks))                    # a replicate may miss a window: NaN
    lo, hi = np.percentile(slopes[np.isfinite(slopes)], [tail, 100 - tail])
    return alpha, float(lo), float(hi)


def window_for_distortion(eps, C, alpha) -> int:
    """Smallest sliding window guaranteed by the power law to reach distortion ``eps``: ⌈(C/ε)^(1/α)⌉.

    :math:`w(\\varepsilon) = \\lceil (C/\\varepsilon)^{1/\\alpha} \\rceil`.

    Parameters
    ----------
    eps : float
        Target distortion (nats), > 0.
    C, alpha : float
        Power-law prefactor and exponent, both > 0 (Δ(w) ≤ C·w^(−α)).

    Returns
    -------
    int
        The window w(ε) of :eq:`eq-kv-window-rule`; it satisfies C·w^(−α) ≤ ε, and w − 1 does not when
        w > 1.

    Notes
    -----
    A value within a relative 1e-9 of an integer is rounded to it, so (0.5/0.01)^1, which floating point may
    put a hair above 50, gives 50 and not 51.

    Examples
    --------
    The sliding rule of Toy A (β = 1, C = 1/2), spec invariant II.8:

    >>> [window_for_distortion(eps, 0.5, 1.0) for eps in (1e-2, 1e-3, 1e-4)]
    [50, 500, 5000]
    """
    eps = checks.positive(eps, "eps")
    C = checks.positive(C, "C")
    alpha = checks.positive(alpha, "alpha")
    log_x = (math.log(C) - math.log(eps)) / alpha
    if log_x > 700:
        raise ValueError(
            f"`eps` = {eps:g} is too small for C = {C:g}, alpha = {alpha:g}: the window exceeds 1e300 tokens."
        )
    if log_x <= 0:
        return 1
    x = math.exp(log_x)
    nearest = round(x)
    return int(nearest) if abs(x - nearest) <= 1e-9 * x else int(math.ceil(x))


@dataclass(frozen=True)
class MeasuredLaw:
    """The power law of one stored curve: the fit, its bootstrap interval and the extrapolation test.

    Attributes
    ----------
    name : str
        The measurement's name.
    w, delta : numpy.ndarray
        Windows and mean distortion (nats) used.
    C, alpha, lo, hi : float
        Power-law fit of the mean curve and the 95 % bootstrap interval of ``alpha`` over segments.
    fit_max : float
        Largest window of the extrapolation test's fitting range.
    extrapolation : ExtrapolationResult
    n_segments : int
    """

    name: str
    w: np.ndarray
    delta: np.ndarray
    C: float
    alpha: float
    lo: float
    hi: float
    fit_max: float
    extrapolation: ExtrapolationResult
    n_segments: int


def measured_law(measurement, policy: str = "sliding", position_preserving: bool = False, w_range=None,
                 fit_max=None, n_boot: int = 1000, seed: int = 0) -> MeasuredLaw:
    """Fit a stored curve: power law with a bootstrap interval over segments, and the extrapolation test.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
        Anything with ``name`` and ``curve(policy, position_preserving) -> (w, mean, per_segment)``.
    policy, position_preserving : optional
        Which curve of the measurement.
    w_range : (float, float), optional
        Windows used for the fit and the bootstrap (default: all measured windows).
    fit_max : float, optional
        Fitting range of the extrapolation test, w ≤ ``fit_max`` (default: the largest window / 8).
    n_boot, seed : int, optional
        Bootstrap replicates and seed.

    Returns
    -------
    MeasuredLaw
    """
    w, mean, per_segment = measurement.curve(policy, position_preserving)
    keep = np.isfinite(mean) & (mean > 0)
    if w_range is not None:
        keep &= (w >= w_range[0]) & (w <= w_range[1])
    w, mean, per_segment = w[keep], mean[keep], per_segment[:, keep]
    C, alpha = fit_power_law(w, mean)
    _, lo, hi = bootstrap_alpha(w, per_segment, n_boot=n_boot, seed=seed)
    fit_max = float(w.max()) / 8 if fit_max is None else float(fit_max)
    return MeasuredLaw(name=measurement.name, w=w, delta=mean, C=C, alpha=alpha, lo=lo, hi=hi, fit_max=fit_max,
                       extrapolation=extrapolation_test(w, mean, fit_max), n_segments=int(per_segment.shape[0]))
