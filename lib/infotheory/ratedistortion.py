"""Rate–distortion of Gaussian sources, reverse water-filling and uniform scalar quantisers.

Rates are in bits, distortions are mean squared errors. The formulas are printed on the primer page
:doc:`/book/primer/rate-distortion`; decoder side information is in :mod:`lib.infotheory.wynerziv`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import optimize, special

from lib.checks import count, log_base, nonnegative, positive, real_array, scalar_or_array

__all__ = ["gaussian_rate_distortion", "gaussian_distortion_rate", "WaterFilling", "reverse_water_filling",
           "uniform_quantise", "uniform_quantiser_mse", "optimal_uniform_step", "uniform_quantiser_entropy"]


def gaussian_rate_distortion(D, variance):
    r"""Rate–distortion function of a Gaussian source in bits: :math:`R(D) = \max(0, \tfrac12\log_2(\sigma^2/D))`.

    Parameters
    ----------
    D : float or array_like
        Mean squared error allowed (> 0).
    variance : float or array_like
        Source variance :math:`\sigma^2` (> 0). Arguments broadcast.

    Returns
    -------
    float or ndarray
        Bits per source sample; zero once :math:`D \ge \sigma^2`.

    Notes
    -----
    eq. ``eq-primer-gaussian-rd`` (Cover & Thomas, Thm 10.3.2).

    Examples
    --------
    >>> gaussian_rate_distortion(0.25, 1.0)
    1.0
    """
    d = positive(D, "D")
    v = positive(variance, "variance")
    return scalar_or_array(np.maximum(0.0, 0.5 * np.log2(v / d)))


def gaussian_distortion_rate(R, variance):
    r"""Distortion–rate function of a Gaussian source: :math:`D(R) = \sigma^2 2^{-2R}`.

    Parameters
    ----------
    R : float or array_like
        Rate in bits per sample (>= 0).
    variance : float or array_like
        Source variance (> 0).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-gaussian-dr``: every extra bit divides the distortion by 4, i.e. 6.02 dB.

    Examples
    --------
    >>> gaussian_distortion_rate(1.0, 1.0)
    0.25
    """
    r = nonnegative(R, "R")
    v = positive(variance, "variance")
    return scalar_or_array(v * 2.0 ** (-2 * r))


class WaterFilling(NamedTuple):
    """Result of :func:`reverse_water_filling`."""

    #: Water level λ: component i gets distortion min(λ, σ_i²).
    level: float
    #: Distortion of each component (sums to the target D, or to Σσ² if D is larger).
    distortions: np.ndarray
    #: Rate of each component in bits, ½ log2(σ_i²/D_i).
    rates: np.ndarray
    #: Total rate in bits, the rate–distortion function of the vector source.
    total_rate: float


def reverse_water_filling(variances, D):
    r"""Rate–distortion of independent Gaussian components under a total squared-error budget.

    Parameters
    ----------
    variances : array_like, shape (d,)
        Component variances :math:`\sigma_i^2` (> 0).
    D : float
        Total distortion :math:`\sum_i \mathbb E(X_i - \hat X_i)^2` allowed (> 0).

    Returns
    -------
    WaterFilling
        ``level`` λ with :math:`\sum_i \min(\lambda, \sigma_i^2) = D`, per-component ``distortions`` and
        ``rates``, and ``total_rate`` :math:`\sum_i \tfrac12\log_2(\sigma_i^2/D_i)` in bits.

    Notes
    -----
    eq. ``eq-primer-water-filling`` (Cover & Thomas, Thm 10.3.3). Components whose variance is below the level
    get no bits. For equal variances :math:`\sigma^2` it reduces to :math:`(d/2)\log_2(d\sigma^2/D)`.

    Examples
    --------
    >>> reverse_water_filling([1.0, 1.0], 0.5).total_rate
    2.0
    """
    v = positive(variances, "variances")
    if v.ndim != 1:
        raise ValueError(f"`variances` must be a 1-dimensional array, got shape {v.shape}.")
    target = float(positive(D, "D"))
    if target >= v.sum():
        level = float(v.max())
    else:
        srt = np.sort(v)
        below = np.concatenate([[0.0], np.cumsum(srt)])
        level = float(srt[-1])
        for k in range(srt.size):
            candidate = (target - below[k]) / (srt.size - k)
            if candidate <= srt[k]:
                level = candidate
                break
    dist = np.minimum(level, v)
    rates = 0.5 * np.log2(v / dist)
    return WaterFilling(float(level), dist, rates, float(rates.sum()))


def uniform_quantise(x, R, step):
    r"""Mid-rise uniform scalar quantiser with :math:`2^R` levels, vectorised.

    Parameters
    ----------
    x : array_like
        Samples.
    R : int
        Bits per sample (>= 1); the quantiser has :math:`L = 2^R` cells.
    step : float
        Cell width Δ (> 0). Inner cell edges sit at :math:`k\Delta`, :math:`|k| < L/2`; the two outer cells are
        unbounded (overload). Reconstruction points are :math:`(j + 1/2)\Delta`, :math:`j = -L/2, \dots, L/2 - 1`.

    Returns
    -------
    ndarray
        The reconstructions.

    Notes
    -----
    The quantiser simulated on the rate–distortion page; its exact error is :func:`uniform_quantiser_mse`.

    Examples
    --------
    >>> uniform_quantise([0.1, -5.0], 1, 1.0).tolist()
    [0.5, -0.5]
    """
    xx = real_array(x, "x")
    levels = 2 ** count(R, "R")
    dx = float(positive(step, "step"))
    j = np.clip(np.floor(xx / dx), -levels // 2, levels // 2 - 1)
    return (j + 0.5) * dx


def uniform_quantiser_mse(R, variance=1.0, step=None):
    r"""Exact mean squared error of :func:`uniform_quantise` on :math:`N(0, \sigma^2)` samples.

    Parameters
    ----------
    R : int
        Bits per sample (>= 1).
    variance : float, optional
        Source variance (> 0).
    step : float, optional
        Cell width in units of σ; by default the width that minimises the error (:func:`optimal_uniform_step`).

    Returns
    -------
    float

    Notes
    -----
    Sum over cells of :math:`\int_a^b (x - c)^2\varphi(x)dx = [(1 + c^2)\Phi(x) + (2c - x)\varphi(x)]_a^b`
    (standard units, then times :math:`\sigma^2`). Always above :math:`D(R)` of eq. ``eq-primer-gaussian-dr``.

    Examples
    --------
    >>> round(uniform_quantiser_mse(1), 4)
    0.3634
    """
    bits = count(R, "R")
    v = float(positive(variance, "variance"))
    dx = optimal_uniform_step(bits) if step is None else float(positive(step, "step"))
    return v * _uniform_mse_standard(bits, dx)


def optimal_uniform_step(R):
    r"""Cell width (in units of σ) of the :math:`2^R`-level uniform quantiser with least error on a Gaussian.

    Parameters
    ----------
    R : int
        Bits per sample (>= 1).

    Returns
    -------
    float

    Notes
    -----
    Minimises :func:`uniform_quantiser_mse` with :func:`scipy.optimize.minimize_scalar` (bounded); cached.

    Examples
    --------
    >>> round(optimal_uniform_step(1), 4)
    1.5958
    """
    return _optimal_step(count(R, "R"))


def uniform_quantiser_entropy(R, step=None, base=2):
    r"""Entropy of the output of :func:`uniform_quantise` on N(0, 1), i.e. the information :math:`I(X; Q(X))`.

    Parameters
    ----------
    R : int
        Bits per sample (>= 1).
    step : float, optional
        Cell width in units of σ; by default :func:`optimal_uniform_step`.
    base : float, optional
        2 (default) for bits, ``None`` for nats.

    Returns
    -------
    float
        :math:`H(Q(X)) = -\sum_j p_j \log p_j` over the :math:`2^R` cells; at most R bits.

    Notes
    -----
    Q is deterministic, so :math:`I(X;Q(X)) = H(Q(X)) \le R` bits, eq. ``eq-primer-message-bound``.

    Examples
    --------
    >>> uniform_quantiser_entropy(1)
    1.0
    """
    bits = count(R, "R")
    dx = optimal_uniform_step(bits) if step is None else float(positive(step, "step"))
    levels = 2 ** bits
    edges = np.concatenate([[-np.inf], np.arange(-levels // 2 + 1, levels // 2) * dx, [np.inf]])
    probs = np.diff(special.ndtr(edges))
    return float(-special.xlogy(probs, probs).sum() / log_base(base))


def _uniform_mse_standard(bits, step):
    levels = 2 ** bits
    j = np.arange(-levels // 2, levels // 2)
    lo = np.where(j == j[0], -np.inf, j * step)
    hi = np.where(j == j[-1], np.inf, (j + 1) * step)
    c = (j + 0.5) * step

    def antiderivative(x):
        finite = np.isfinite(x)
        xf = np.where(finite, x, 0.0)
        tail = np.where(finite, (2 * c - xf) * np.exp(-0.5 * xf ** 2) / np.sqrt(2 * np.pi), 0.0)
        return (1 + c ** 2) * special.ndtr(x) + tail

    return float(np.sum(antiderivative(hi) - antiderivative(lo)))


@lru_cache(maxsize=64)
def _optimal_step(bits):
    upper = 8.0 / 2 ** bits + 2.0
    res = optimize.minimize_scalar(lambda s: _uniform_mse_standard(bits, s), bounds=(1e-4, upper),
                                   method="bounded", options={"xatol": 1e-10})
    return float(res.x)
