"""Statistics of truncation curves beyond a single power law: paired comparisons, competing laws, curvature,
intervals on derived windows, the finite-past bias of the protocol, and the tails of per-position KL.

Every bootstrap here resamples whole segments (articles) with replacement, as :func:`lib.kv.fits.bootstrap_alpha`
does, and fits the log of the mean curve of each replicate. A *paired* bootstrap draws the same articles for both
curves, so the article-to-article variation that the two share cancels in their difference.

The laws compared, all fitted by least squares on ln Δ:

* power law                C · w^(−α)
* exponential              C · e^(−λ w)
* power law with cutoff    C · w^(−α) · e^(−λ w)
* stretched exponential    C · exp(−(w/τ)^β)
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import zeta

from lib import checks

from .fits import (_boot_args, _curve, _replicates, _segments, _slopes, fit_exponential, fit_power_law,
                   window_for_distortion)

__all__ = ["FIT_RANGES", "paired_bootstrap_alpha", "fit_power_law_cutoff", "cutoff_window", "fit_stretched_exponential", "law_comparison",
           "loglog_curvature", "window_interval", "window_range_sensitivity", "finite_past_delta",
           "tail_summary"]

_LAWS = ("power", "exponential", "cutoff", "stretched")
#: Fit ranges (inclusive, tokens) over which the book reports the spread of a derived window w(ε).
FIT_RANGES = ((4, 64), (4, 128), (4, 256), (8, 256), (16, 256), (32, 256))
#: Largest stretching exponent β the stretched-exponential fit searches; a fit that reaches it raises.
_BETA_MAX = 3.0


def paired_bootstrap_alpha(w, per_segment_a, per_segment_b, *, n_boot: int = 1000, seed: int = 0, w_range=None,
                           level: float = 0.95) -> tuple[float, float, float]:
    """Difference α_a − α_b of two power-law exponents measured on the same segments, with a paired interval.

    Parameters
    ----------
    w : array_like, shape (n_windows,)
        Windows (tokens) shared by both curves.
    per_segment_a, per_segment_b : array_like, shape (n_segments, n_windows)
        Per-segment mean distortions of the two variants; row i of both must be the same segment.
    n_boot, seed, level : optional
        Replicates (≥ 10), seed of ``numpy.random.default_rng``, coverage in (0, 1).
    w_range : (float, float), optional
        Fit only windows with ``w_range[0] <= w <= w_range[1]``.

    Returns
    -------
    diff, lo, hi : float
        α_a − α_b of the two mean curves, and the percentile interval of the differences over replicates
        that resample the same segments for both curves.

    Notes
    -----
    Replicate b draws segment indices i_1 … i_n once and fits both mean curves Δ̄_a(w) = mean_k a[i_k, w],
    Δ̄_b(w) = mean_k b[i_k, w], so that d_b = α(Δ̄_a) − α(Δ̄_b). A segment that is hard for both variants then
    moves both exponents together and leaves d_b alone.
    """
    w_a, a = _segments(w, per_segment_a, w_range, "per_segment_a")
    _, b = _segments(w, per_segment_b, w_range, "per_segment_b")
    if a.shape != b.shape:
        raise ValueError(f"`per_segment_a` and `per_segment_b` must describe the same segments and windows, got "
                         f"shapes {a.shape} and {b.shape}; align them by segment first.")
    rng, tail = _boot_args(n_boot, seed, level)
    diff = fit_power_law(w_a, np.nanmean(a, axis=0))[1] - fit_power_law(w_a, np.nanmean(b, axis=0))[1]
    picks = rng.integers(0, a.shape[0], size=(int(n_boot), a.shape[0]))
    d = _slopes(w_a, _replicates(a, picks)) - _slopes(w_a, _replicates(b, picks))
    lo, hi = np.percentile(d[np.isfinite(d)], [tail, 100 - tail])
    return float(diff), float(lo), float(hi)


def fit_power_law_cutoff(w, delta) -> tuple[float, float, float]:
    """Fit Δ(w) = C·w^(−α)·e^(−λ w) by least squares of ln Δ on [1, −ln w, −w].

    Minimises :math:`\\sum_i (\\ln \\Delta_i - \\ln C + \\alpha \\ln w_i + \\lambda w_i)^2`.

    Parameters
    ----------
    w, delta : array_like
        Windows (tokens) and distortions (nats), all > 0; at least three distinct windows.

    Returns
    -------
    C, alpha, lam : float
        Prefactor, exponent and cutoff rate (per token). The fit is unconstrained, so ``lam`` may come out
        negative; 1/λ is the window where the cutoff starts to bite.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([4.0, 16.0, 64.0, 256.0])
    >>> [round(v, 6) for v in fit_power_law_cutoff(w, 2.0 * w ** -0.7 * np.exp(-w / 500))]
    [2.0, 0.7, 0.002]
    """
    w, delta = _curve(w, delta, need=3)
    design = np.column_stack([np.ones_like(w), -np.log(w), -w])
    (log_c, alpha, lam), *_ = np.linalg.lstsq(design, np.log(delta), rcond=None)
    return math.exp(log_c), float(alpha), float(lam)


def cutoff_window(eps, C, alpha, lam) -> int:
    """Smallest whole window with C·w^(−α)·e^(−λ w) ≤ ``eps`` (the window rule of the cutoff law).

    :math:`w(\\varepsilon) = \\min\\{w \\in \\mathbb{N} : C w^{-\\alpha} e^{-\\lambda w} \\le \\varepsilon\\}`.

    Parameters
    ----------
    eps, C : float
        Target distortion and prefactor (nats), both > 0.
    alpha, lam : float
        Exponent and cutoff rate, both ≥ 0 and not both 0 (so that the law decreases).

    Returns
    -------
    int
        w(ε) found by doubling and bisection on the decreasing law; equals
        :func:`lib.kv.fits.window_for_distortion` when ``lam`` = 0.
    """
    eps, C = checks.positive(eps, "eps"), checks.positive(C, "C")
    alpha, lam = float(alpha), float(lam)
    if not (math.isfinite(alpha) and math.isfinite(lam)) or alpha < 0 or lam < 0 or alpha == lam == 0:
        raise ValueError(f"`alpha` and `lam` must be >= 0 and not both 0 for a decreasing law, got {alpha!r}, "
                         f"{lam!r}.")

    def above(w):
        return math.log(C) - alpha * math.log(w) - lam * w > math.log(eps)

    if not above(1):
        return 1
    hi = 2
    while above(hi):
        hi *= 2
        if hi > 2 ** 100:
            raise ValueError(f"`eps` = {eps:g} needs a window above 2^100 tokens under this law.")
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if above(mid) else (lo, mid)
    return hi


def _stretched_given_beta(w, log_d, beta) -> tuple[float, float, float]:
    """For fixed β, ln Δ = ln C − k·w^β is linear in (ln C, k); returns (ln C, k, sum of squared residuals)."""
    design = np.column_stack([np.ones_like(w), -w ** beta])
    coef, *_ = np.linalg.lstsq(design, log_d, rcond=None)
    resid = log_d - design @ coef
    return float(coef[0]), float(coef[1]), float(resid @ resid)


def fit_stretched_exponential(w, delta) -> tuple[float, float, float]:
    """Fit Δ(w) = C·exp(−(w/τ)^β) by least squares of ln Δ, profiling over β ∈ [10⁻³, 3].

    Parameters
    ----------
    w, delta : array_like
        As in :func:`fit_power_law_cutoff`.

    Returns
    -------
    C, tau, beta : float
        Prefactor, scale (tokens) and stretching exponent. β < 1 is slower than exponential, β = 1 is the
        exponential of :func:`lib.kv.fits.fit_exponential`.

    Notes
    -----
    For each β the model ln Δ = ln C − k·w^β is linear in (ln C, k) with k = τ^(−β); β minimises the
    residual sum of squares (bounded scalar search in ln β). A curve that increases with w (k ≤ 0) has no
    stretched-exponential fit and raises ``ValueError``, and so does a curve whose best β is the upper bound
    3 (it falls faster than the family allows there).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([4.0, 8.0, 16.0, 64.0, 256.0])
    >>> [round(v, 4) for v in fit_stretched_exponential(w, 3.0 * np.exp(-(w / 20.0) ** 0.4))]
    [3.0, 20.0, 0.4]
    """
    log_c, k, beta = _stretched_fit(w, delta)
    if log_c > 700 or abs(math.log(k) / beta) > 700:
        raise ValueError(f"the stretched-exponential fit degenerates to its power-law limit (β = {beta:.3g} → 0, "
                         "C and τ overflow); fit a power law to this curve instead.")
    return math.exp(log_c), float(math.exp(-math.log(k) / beta)), float(beta)


def _stretched_fit(w, delta) -> tuple[float, float, float]:
    """(ln C, k, β) of the stretched exponential ln Δ = ln C − k·w^β (k = τ^(−β), finite even when τ is not)."""
    w, delta = _curve(w, delta, need=3)
    log_d = np.log(delta)
    res = minimize_scalar(lambda lb: _stretched_given_beta(w, log_d, math.exp(lb))[2],
                          bounds=(math.log(1e-3), math.log(_BETA_MAX)), method="bounded", options={"xatol": 1e-10})
    beta = math.exp(res.x)
    log_c, k, _ = _stretched_given_beta(w, log_d, beta)
    if not k > 0:
        raise ValueError("`delta` does not decrease with `w`: no stretched exponential C·exp(−(w/τ)^β) fits it.")
    if res.x > math.log(_BETA_MAX) - 1e-6:
        raise ValueError(f"the stretched-exponential fit reaches its bound β = {_BETA_MAX:g}: `delta` falls faster "
                         "than exp(−(w/τ)^3), outside the family; fit an exponential or a cutoff law instead.")
    return log_c, k, beta


def _law_log(name, params, w) -> np.ndarray:
    """ln Δ̂(w) of a fitted law."""
    w = np.asarray(w, dtype=float)
    if name == "power":
        return math.log(params[0]) - params[1] * np.log(w)
    if name == "exponential":
        return math.log(params[0]) - params[1] * w
    if name == "cutoff":
        return math.log(params[0]) - params[1] * np.log(w) - params[2] * w
    log_c, k, beta = params
    return log_c - k * w ** beta


_FITTERS = {"power": fit_power_law, "exponential": fit_exponential, "cutoff": fit_power_law_cutoff,
            "stretched": _stretched_fit}


def law_comparison(w, delta, fit_max=None) -> dict:
    """The four laws fitted on one curve: parameters, in-range RMS of ln Δ, and held-out RMS beyond ``fit_max``.

    Parameters
    ----------
    w, delta : array_like
        The curve Δ(w) (tokens, nats), all > 0.
    fit_max : float, optional
        Fit on w ≤ ``fit_max`` and score the larger windows too (default: fit on every window, no held-out set).

    Returns
    -------
    dict
        ``law -> {"params": tuple, "rms": float, "rms_out": float}`` for ``law`` in power, exponential, cutoff,
        stretched. The stretched law's params are (ln C, k, β) with k = τ^(−β): finite also where the fit
        degenerates to its power-law limit (β → 0 with k·β → α). ``rms`` = sqrt(mean (ln Δ̂ − ln Δ)²) on the fitting windows, ``rms_out`` the same on the
        held-out ones (NaN without ``fit_max``).
    """
    w, delta = _curve(w, delta, need=3)
    train = np.ones(w.size, dtype=bool) if fit_max is None else w <= checks.positive(fit_max, "fit_max")
    if np.unique(w[train]).size < 3:
        raise ValueError(f"`fit_max` = {fit_max!r} leaves fewer than 3 windows to fit the three-parameter laws.")
    out = {}
    for name in _LAWS:
        params = _FITTERS[name](w[train], delta[train])
        err = _law_log(name, params, w) - np.log(delta)
        out[name] = {"params": params, "rms": float(np.sqrt(np.mean(err[train] ** 2))),
                     "rms_out": float(np.sqrt(np.mean(err[~train] ** 2))) if np.any(~train) else math.nan}
    return out


def loglog_curvature(w, per_segment, *, n_boot: int = 1000, seed: int = 0, w_range=None,
                     level: float = 0.95) -> tuple[float, float, float]:
    """Curvature of ln Δ̄ in ln w (second derivative of a quadratic fit), with a bootstrap interval over segments.

    Parameters
    ----------
    w : array_like, shape (n_windows,)
    per_segment : array_like, shape (n_segments, n_windows)
    n_boot, seed, w_range, level : optional
        As in :func:`paired_bootstrap_alpha`.

    Returns
    -------
    kappa, lo, hi : float
        κ = 2·q for the least-squares fit ln Δ̄ = a + b·x + q·x² with x = ln w, and its percentile interval.
        A power law has κ = 0; κ < 0 means the local exponent −d ln Δ/d ln w grows with w (by −κ per unit of
        ln w), as it does for an exponential or a cutoff.
    """
    w, seg = _segments(w, per_segment, w_range)
    rng, tail = _boot_args(n_boot, seed, level)
    x = np.log(w)
    design = np.column_stack([np.ones_like(x), x, x ** 2])
    proj = np.linalg.pinv(design)[2]                                            # row giving q from ln Δ

    def kappa(curves):
        with np.errstate(invalid="ignore", divide="ignore"):
            return 2 * np.log(np.where(curves > 0, curves, np.nan)) @ proj

    point = float(kappa(np.nanmean(seg, axis=0)[None, :])[0])
    picks = rng.integers(0, seg.shape[0], size=(int(n_boot), seg.shape[0]))
    boot = kappa(_replicates(seg, picks))
    lo, hi = np.percentile(boot[np.isfinite(boot)], [tail, 100 - tail])
    return point, float(lo), float(hi)


def window_interval(eps, w, per_segment, *, n_boot: int = 1000, seed: int = 0, w_range=None,
                    level: float = 0.95) -> tuple[int, int, int]:
    """The power-law window w(ε) = ⌈(C/ε)^(1/α)⌉ of the mean curve, with a bootstrap interval over segments.

    Parameters
    ----------
    eps : float
        Target distortion (nats), > 0.
    w, per_segment, n_boot, seed, w_range, level
        As in :func:`loglog_curvature`.

    Returns
    -------
    w_eps, lo, hi : int
        Window of the fit to the mean curve and the percentile interval of the replicates' windows.

    Notes
    -----
    Each replicate refits (C, α) and applies :func:`lib.kv.fits.window_for_distortion`. The interval covers
    sampling noise of the segments only, not the choice of fit range (:func:`window_range_sensitivity`) nor
    the bias of the protocol.
    """
    eps = checks.positive(eps, "eps")
    w, seg = _segments(w, per_segment, w_range)
    rng, tail = _boot_args(n_boot, seed, level)
    point = window_for_distortion(eps, *fit_power_law(w, np.nanmean(seg, axis=0)))
    picks = rng.integers(0, seg.shape[0], size=(int(n_boot), seg.shape[0]))
    windows = [window_for_distortion(eps, *fit_power_law(w, c)) for c in _replicates(seg, picks)
               if np.all(np.isfinite(c) & (c > 0))]
    lo, hi = np.percentile(windows, [tail, 100 - tail])
    return int(point), int(round(lo)), int(round(hi))


def window_range_sensitivity(eps, w, delta, ranges=FIT_RANGES) -> dict:
    """w(ε) of the power law fitted on each of several window ranges.

    Parameters
    ----------
    eps : float
        Target distortion (nats), > 0.
    w, delta : array_like
        The mean curve.
    ranges : iterable of (float, float), optional
        Fit ranges (low, high), inclusive (default :data:`FIT_RANGES`).

    Returns
    -------
    dict
        ``(low, high) -> (alpha, w_eps)``.
    """
    eps = checks.positive(eps, "eps")
    w, delta = _curve(w, delta)
    out = {}
    for lo_w, hi_w in ranges:
        keep = (w >= lo_w) & (w <= hi_w)
        C, alpha = fit_power_law(w[keep], delta[keep])
        out[(lo_w, hi_w)] = (alpha, window_for_distortion(eps, C, alpha))
    return out


def finite_past_delta(toy, w, starts) -> np.ndarray:
    """Toy A measured with the book's protocol: target t = r + w, so only the lags w+1 … w+r are removed.

    Parameters
    ----------
    toy : lib.kv.toys.ToyA
        With an infinite past (``history=None``).
    w : array_like of int
        Windows, ≥ 1.
    starts : array_like of int
        Starts r (tokens before the window), ≥ 1; the curve is averaged over them.

    Returns
    -------
    numpy.ndarray
        Δ(w; r) averaged over r, with Δ(w; r) = (c²σ_u²/2s²)·Σ_{k=w+1}^{w+r} k^(−2β)
        = (c²σ_u²/2s²)·[ζ(2β, w+1) − ζ(2β, w+r+1)]. As r → ∞ it tends to ``toy.delta(w)``.
    """
    if toy.history is not None:
        raise ValueError("`toy` must have an infinite past (history=None); the starts set the finite past here.")
    w = np.asarray(w, dtype=float).ravel()
    r = np.asarray(starts, dtype=float).ravel()
    if w.size == 0 or r.size == 0 or np.any(w < 1) or np.any(r < 1) or np.any(w != np.round(w)) \
            or np.any(r != np.round(r)):
        raise ValueError("`w` and `starts` must be non-empty arrays of whole numbers >= 1.")
    two_beta = 2 * toy.beta
    scale = toy.c ** 2 * toy.sigma_u ** 2 / (2 * toy.s ** 2)
    tails = zeta(two_beta, w[:, None] + 1) - zeta(two_beta, w[:, None] + r[None, :] + 1)
    return scale * tails.mean(axis=1)


def tail_summary(values, top: float = 0.01) -> dict:
    """Mean, median and the share of the total carried by the largest ``top`` fraction of per-position KL values.

    Parameters
    ----------
    values : array_like
        Non-negative per-position values (nats), at least 2.
    top : float, optional
        Fraction in (0, 1); the largest ⌈top·n⌉ values are counted.

    Returns
    -------
    dict
        ``{"n", "mean", "median", "top_share", "n_top"}`` with
        :math:`\\mathrm{top\\_share} = \\sum_{i \\le k} v_{(i)} / \\sum_i v_i`, :math:`v_{(1)} \\ge v_{(2)} \\ge \\dots`,
        :math:`k = \\lceil \\mathrm{top} \\cdot n \\rceil`.
    """
    v = np.asarray(values, dtype=float).ravel()
    if v.size < 2 or not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError(f"`values` must hold at least 2 finite non-negative numbers, got {v.size} values.")
    n_top = checks.count(math.ceil(checks.in_open_unit(top, "top") * v.size), "n_top")
    total = v.sum()
    share = float(np.sort(v)[::-1][:n_top].sum() / total) if total > 0 else math.nan
    return {"n": int(v.size), "mean": float(v.mean()), "median": float(np.median(v)), "top_share": share,
            "n_top": n_top}
