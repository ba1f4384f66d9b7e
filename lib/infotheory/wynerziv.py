r"""Wyner–Ziv coding of a Gaussian source with side information at the decoder, and a nested scalar quantiser.

Model: :math:`X \sim N(0, \sigma_x^2)`, the decoder sees :math:`Y = X + N`, :math:`N \sim N(0, \sigma_n^2)`
independent of X. Rates in bits, distortions are mean squared errors. The formulas are printed on the primer
page :doc:`/book/primer/wyner-ziv`.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, special

from lib.checks import count, nonnegative, positive, scalar_or_array

from .quadrature import gauss_legendre

__all__ = ["conditional_variance_gaussian", "wyner_ziv_gaussian", "wyner_ziv_distortion", "nested_quantise",
           "nested_quantiser_mse", "best_nested_quantiser"]

_DECODERS = ("mmse", "nearest")


def conditional_variance_gaussian(var_x, var_noise):
    r"""Variance of X given :math:`Y = X + N`, X and N independent Gaussians: :math:`v_x v_n/(v_x + v_n)`.

    Parameters
    ----------
    var_x : float or array_like
        Variance of the source X (> 0).
    var_noise : float or array_like
        Variance of the noise N in the side information (> 0; ``inf`` means no side information).

    Returns
    -------
    float or ndarray
        :math:`\sigma^2_{X\mid Y}`, the error of the best estimate of X from Y alone.

    Notes
    -----
    eq. ``eq-primer-conditional-variance``.

    Examples
    --------
    >>> conditional_variance_gaussian(1.0, 1.0)
    0.5
    """
    vx = positive(var_x, "var_x")
    vn = positive(var_noise, "var_noise", allow_inf=True)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isinf(vn), vx, vx * vn / (vx + vn))
    return scalar_or_array(out)


def wyner_ziv_gaussian(D, var_x, var_noise):
    r"""Wyner–Ziv rate (bits) of a Gaussian source with decoder side information :math:`Y = X + N`.

    Parameters
    ----------
    D : float or array_like
        Mean squared error allowed (> 0).
    var_x : float or array_like
        Source variance (> 0).
    var_noise : float or array_like
        Side-information noise variance (> 0; ``inf`` for none).

    Returns
    -------
    float or ndarray
        :math:`\max(0, \tfrac12\log_2(\sigma^2_{X\mid Y}/D))`, the same as when the encoder also sees Y.

    Notes
    -----
    eq. ``eq-primer-wyner-ziv`` (Wyner & Ziv 1976): no rate loss for Gaussians. It is at most
    :func:`gaussian_rate_distortion` ``(D, var_x)`` and tends to it as ``var_noise`` grows.

    Examples
    --------
    >>> wyner_ziv_gaussian(0.125, 1.0, 1.0)
    1.0
    """
    d = positive(D, "D")
    cond = conditional_variance_gaussian(var_x, var_noise)
    return scalar_or_array(np.maximum(0.0, 0.5 * np.log2(cond / d)))


def wyner_ziv_distortion(R, var_x, var_noise):
    r"""Inverse of :func:`wyner_ziv_gaussian`: least distortion at rate R, :math:`\sigma^2_{X\mid Y}2^{-2R}`.

    Parameters
    ----------
    R : float or array_like
        Rate in bits per sample (>= 0).
    var_x : float or array_like
        Source variance (> 0).
    var_noise : float or array_like
        Side-information noise variance (> 0; ``inf`` for none).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-wyner-ziv-dr``.

    Examples
    --------
    >>> wyner_ziv_distortion(1.0, 1.0, 1.0)
    0.125
    """
    r = nonnegative(R, "R")
    return scalar_or_array(conditional_variance_gaussian(var_x, var_noise) * 2.0 ** (-2 * r))


def nested_quantise(x, y, R, step, var_x, var_noise, decoder="mmse"):
    r"""Nested (coset) scalar quantiser: the encoder sends a fine-lattice index modulo :math:`2^R`.

    Parameters
    ----------
    x : array_like
        Source samples (seen by the encoder only).
    y : array_like
        Side information :math:`Y = X + N` (seen by the decoder only), same shape as ``x``.
    R : int
        Bits per sample (>= 1); the encoder sends :math:`k = \operatorname{round}(x/\Delta) \bmod 2^R`.
    step : float
        Fine-lattice step Δ (> 0). Points of one coset are :math:`2^R\Delta` apart.
    var_x, var_noise : float
        Variances of X and N (> 0), used by the decoder's estimate :math:`\tilde x = \mathbb E[X\mid Y]`.
    decoder : {"mmse", "nearest"}, optional
        ``"nearest"`` returns the lattice point of the signalled coset nearest to :math:`\tilde x`; ``"mmse"``
        (default) returns :math:`\mathbb E[X \mid Y, k]`, the mean of :math:`N(\tilde x, \sigma^2_{X\mid Y})`
        restricted to the cells of the coset (all cells within :math:`8\sigma_{X\mid Y}` of the nearest one).

    Returns
    -------
    ndarray
        The decoder's reconstruction.

    Notes
    -----
    Binning in its simplest form: a coset of the lattice :math:`\Delta\mathbb Z` modulo :math:`2^R\Delta`
    plays the role of a Wyner–Ziv bin, and the side information picks the codeword inside the bin. It fails
    (a jump of a multiple of :math:`2^R\Delta`) when :math:`|x - \tilde x|` exceeds about half the coset
    spacing. The MMSE decoder never does worse than :math:`\tilde x` alone, since it conditions on more. Its
    error sits above eq. ``eq-primer-wyner-ziv-dr``.

    Examples
    --------
    >>> nested_quantise([0.3], [0.25], 1, 0.5, 1.0, 0.01, decoder="nearest").tolist()
    [0.5]
    """
    bins, dx, vx, vn = _scheme(R, step, var_x, var_noise, decoder)
    xx, yy = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    estimate = vx / (vx + vn) * yy
    k = np.mod(np.round(xx / dx), bins)
    return estimate + _decode_offset(k, estimate, bins, dx, np.sqrt(vx * vn / (vx + vn)), decoder)


def nested_quantiser_mse(R, var_x, var_noise, step, decoder="mmse"):
    r"""Exact mean squared error of :func:`nested_quantise` for :math:`X \sim N(0, \sigma_x^2)`, :math:`Y = X + N`.

    Parameters
    ----------
    R : int
        Bits per sample (>= 1).
    var_x, var_noise : float
        Source and side-information noise variances (> 0).
    step : float
        Fine-lattice step Δ (> 0).
    decoder : {"mmse", "nearest"}, optional
        As in :func:`nested_quantise`.

    Returns
    -------
    float

    Notes
    -----
    Write :math:`\tilde X = \mathbb E[X\mid Y] \sim N(0, \sigma_x^2 - \sigma^2_{X\mid Y})` and
    :math:`X = \tilde X + \sigma_{X\mid Y}Z` with Z independent. Given :math:`\tilde X = u` the error is
    :math:`g(u) = \sum_i \int_{\text{cell } i} (x - \hat x(i \bmod 2^R, u))^2\, N(x; u, \sigma^2_{X\mid Y})dx`,
    a sum of Gaussian partial moments, and :math:`g` has period :math:`\Delta` (shifting x, u and the coset
    index by one cell shifts the reconstruction by Δ). So the error is
    :math:`\int_{-\Delta/2}^{\Delta/2} g(u)\, f_{\text{wrap}}(u)\,du` with the density of :math:`\tilde X`
    wrapped modulo Δ, integrated by Gauss–Legendre panels narrower than both :math:`\sigma_{X\mid Y}` and the
    spread of :math:`\tilde X` (8 nodes per cell were not enough when either is far below Δ: with
    :math:`\sigma_n = 8\sigma_x` they put the error below the Wyner–Ziv bound). No Monte Carlo noise, which
    matters because rare coset confusions make the sample error heavy-tailed. Compared with eq.
    ``eq-primer-wyner-ziv-dr``.

    Examples
    --------
    >>> bool(nested_quantiser_mse(2, 1.0, 0.1, 0.5) > wyner_ziv_distortion(2, 1.0, 0.1))
    True
    """
    bins, dx, vx, vn = _scheme(R, step, var_x, var_noise, decoder)
    return _exact_mse(bins, dx, vx, vn, decoder)


def best_nested_quantiser(R, var_x, var_noise, decoder="mmse"):
    r"""The step Δ of :func:`nested_quantise` with the least exact error, and that error.

    Parameters
    ----------
    R : int
        Bits per sample (>= 1).
    var_x, var_noise : float
        Source and side-information noise variances (> 0).
    decoder : {"mmse", "nearest"}, optional
        As in :func:`nested_quantise`.

    Returns
    -------
    tuple of float
        ``(step, mse)``.

    Notes
    -----
    A log-spaced grid of 16 steps (coset spacing :math:`2^R\Delta` from :math:`2\sigma_{X\mid Y}` to
    :math:`16\sigma_{X\mid Y}`) refined by :func:`scipy.optimize.minimize_scalar` around the best point. The
    optimum trades the fine-lattice error (about :math:`\Delta^2/12`) against coset confusions (when
    :math:`|X - \mathbb E[X\mid Y]| > 2^{R-1}\Delta`); eq. ``eq-primer-wyner-ziv-dr`` lies below it.

    Examples
    --------
    >>> step, mse = best_nested_quantiser(1, 1.0, 0.1)
    >>> bool(wyner_ziv_distortion(1, 1.0, 0.1) < mse < conditional_variance_gaussian(1.0, 0.1))
    True
    """
    bins, _, vx, vn = _scheme(R, 1.0, var_x, var_noise, decoder)
    scale = np.sqrt(vx * vn / (vx + vn)) / bins
    logs = np.log(np.geomspace(2.0, 16.0, 16) * scale)
    errs = _exact_mse(bins, np.exp(logs), vx, vn, decoder)
    i = int(np.argmin(errs))
    lo, hi = logs[max(i - 1, 0)], logs[min(i + 1, logs.size - 1)]
    res = optimize.minimize_scalar(lambda v: _exact_mse(bins, float(np.exp(v)), vx, vn, decoder),
                                   bounds=(lo, hi), method="bounded", options={"xatol": 1e-4})
    if res.fun < errs[i]:
        return float(np.exp(res.x)), float(res.fun)
    return float(np.exp(logs[i])), float(errs[i])


def _scheme(R, step, var_x, var_noise, decoder):
    if decoder not in _DECODERS:
        raise ValueError(f"`decoder` must be 'mmse' or 'nearest', got {decoder!r}.")
    return (2 ** count(R, "R"), float(positive(step, "step")), float(positive(var_x, "var_x")),
            float(positive(var_noise, "var_noise")))


def _decode_offset(k, estimate, bins, dx, sd, decoder):
    """Reconstruction minus the estimate E[X|Y], given coset index k (any shape) and the estimate."""
    j = k + bins * np.round((estimate / dx - k) / bins)
    if decoder == "nearest":
        return j * dx - estimate
    reach = int(np.ceil(8 * sd / (bins * dx))) + 1
    centres = (j[..., None] + bins * np.arange(-reach, reach + 1)) * dx - estimate[..., None]
    lo = (centres - dx / 2) / sd
    hi = (centres + dx / 2) / sd
    mass = (special.ndtr(hi) - special.ndtr(lo)).sum(axis=-1)
    moment = (sd * (_phi(lo) - _phi(hi))).sum(axis=-1)
    return np.where(mass > 0, moment / np.where(mass > 0, mass, 1.0), 0.0)


def _exact_mse(bins, dx, vx, vn, decoder, nodes=8, width=1.0):
    r"""The exact error at one step dx (a float) or at each of a 1-D array of steps (an array).

    Given E[X|Y] = u, with :math:`P_k(u)` the probability of coset k and :math:`M_k(u) = \mathbb E[(X - u)
    1\{k\}]`, the error is :math:`g(u) = \sigma^2_{X|Y} - \sum_k M_k^2/P_k` for the MMSE decoder (total
    variance) and :math:`\sigma^2_{X|Y} - \sum_k (2 e_k M_k - e_k^2 P_k)` for the nearest point
    :math:`u + e_k` of coset k.
    """
    # g(u) has period Δ, not only 2^R Δ: moving x, the estimate u and the coset index by one cell moves the
    # reconstruction by Δ. So integrate g over one cell against the density of E[X|Y] wrapped modulo Δ. The
    # integrand varies on the scales sd(E[X|Y]) (the law of u) and sd(X|Y) (g near a cell edge), either of which
    # can be far below Δ. Where 10 sd(E[X|Y]) < Δ/2 the wrapped law is nil (< e^-50) outside |u| <= 10
    # sd(E[X|Y]), so only that part of the cell is integrated. The range is cut into an even number of panels no
    # wider than ``width`` times the smaller scale (even, so that u = 0, where the nearest decoder's choice
    # flips, is an edge). Axes: (step, node, cell edge or coset or shift).
    step = np.atleast_1d(np.asarray(dx, dtype=float))[:, None, None]
    sc = np.sqrt(vx * vn / (vx + vn))
    st = vx / np.sqrt(vx + vn)
    reach = np.minimum(step / 2, 10 * st)
    panels = 2 * int(np.ceil(reach.max() / (width * min(sc, st))))
    x, w = gauss_legendre(nodes)
    t = ((np.arange(panels) + 0.5)[:, None] + x[None, :] / 2).ravel() / panels * 2 - 1  # nodes on [-1, 1]
    u = t[None, :, None] * reach
    wu = np.tile(w / panels, panels)[None, :] * reach[:, :, 0]
    wrapped = _wrapped_normal(u, step, st).sum(axis=2)
    groups = int(np.ceil((10 * sc / step.min() + 1) / bins))  # cells within 10 sd(X|Y) of u, in whole cosets
    edges = ((np.arange(-groups * bins, (groups + 1) * bins + 1) - 0.5) * step - u) / sc
    cdf, pdf = special.ndtr(edges), _phi(edges)
    by_coset = (step.shape[0], t.size, 2 * groups + 1, bins)
    mass = (cdf[..., 1:] - cdf[..., :-1]).reshape(by_coset).sum(axis=2)
    moment = sc * (pdf[..., :-1] - pdf[..., 1:]).reshape(by_coset).sum(axis=2)
    if decoder == "mmse":
        explained = np.where(mass > 0, moment ** 2 / np.where(mass > 0, mass, 1.0), 0.0).sum(axis=2)
    else:
        e = _decode_offset(np.arange(bins, dtype=float), u, bins, step, sc, decoder)
        explained = (2 * e * moment - e ** 2 * mass).sum(axis=2)
    mse = (wu * wrapped * (sc ** 2 - explained)).sum(axis=1)
    return float(mse[0]) if np.ndim(dx) == 0 else mse


def _wrapped_normal(u, period, sd):
    r"""Density of :math:`N(0, \mathrm{sd}^2)` wrapped modulo ``period`` at u (arrays that broadcast; the last
    axis of the result holds the terms of the series, to be summed).

    The sum of shifted densities :math:`\sum_n \varphi((u + n p)/s)/s` needs about 20 s/p terms; its Poisson dual
    :math:`\frac1p\sum_k e^{-2\pi^2k^2s^2/p^2}\cos(2\pi k u/p)` about 3.2 p/s. Whichever is shorter is used,
    both truncated where the terms fall below :math:`e^{-50}`.
    """
    p_min, p_max = float(np.min(period)), float(np.max(period))
    direct = int(np.ceil(10 * sd / p_min)) + 1
    dual = int(np.ceil(np.sqrt(25.0) / np.pi * p_max / sd)) + 1
    if direct <= dual:
        return _phi((u + period * np.arange(-direct, direct + 1)) / sd) / sd
    k = np.arange(-dual, dual + 1)
    return np.exp(-2 * (np.pi * k * sd / period) ** 2) * np.cos(2 * np.pi * k * u / period) / period


def _phi(z):
    return np.exp(-0.5 * z ** 2) / np.sqrt(2 * np.pi)
