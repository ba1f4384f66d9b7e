"""Lower bounds for optimisation under a B-bit oracle (Part I): Fisher route, product form, communication.

The Omega-forms are stated in Kim (2026a); the constants below are this book's reconstruction
(``theory-spec`` I.3-I.4). With ``mu = 1`` and accuracy measured as ``E||x_T - theta||^2 <= eps^2``:

* Fisher trace of a B-bit transcript: ``tr I <= T min(d, 2 ln2 B)/sigma^2`` (``eq-bits-fisher-trace-budget``);
* product bound (van Trees, cos^2 prior on ``[-r, r]^d``): ``d^2/(T min(d, 2 ln2 B)/sigma^2 + d pi^2/r^2)``
  (``eq-bits-product-bound``);
* rounds: ``T >= (sigma^2 d/(2 eps^2)) max{1, d/(2 ln2 B)}`` when ``r >= pi eps sqrt(2/d)``
  (``eq-bits-rounds-bound``);
* communication (rate-distortion, Gaussian prior ``N(0, s^2 I)``): ``TB >= (d/2) log2(d s^2/eps^2)``
  (``eq-bits-communication-bound``), valid even when ``sigma = 0``.
"""
from __future__ import annotations

import math

import numpy as np

from lib.infotheory import cos2_prior_fisher, gaussian_rate_distortion, van_trees_bound

from . import _validate as v

__all__ = [
    "LN2",
    "fisher_budget_per_round",
    "fisher_trace_bound",
    "mse_lower_bound",
    "rounds_lower_bound",
    "min_rounds",
    "bit_limited_threshold",
    "communication_lower_bound",
    "communication_lower_bound_uniform",
    "fisher_route_bits",
    "correlation_factor",
]

#: ``ln 2``: the Fisher-per-bit ceiling is ``2 ln 2 / sigma^2``.
LN2 = math.log(2.0)


def _scalar(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def fisher_budget_per_round(d: int, B: int, sigma: float) -> float:
    """Largest Fisher trace one B-bit message about ``N(theta, sigma^2 I_d)`` can carry: ``min(d, 2 ln2 B)/sigma^2``.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    B : int
        Bits per round, ``>= 1``.
    sigma : float
        Noise standard deviation per coordinate, ``> 0``.

    Returns
    -------
    float
        ``min(d, 2 ln 2 B)/sigma^2``: data processing (``d/sigma^2``) and Barnes-Ozgur (``2 ln2 B/sigma^2``),
        equation ``eq-bits-fisher-trace-budget``.
    """
    d = v.count("d", d)
    B = v.count("B", B)
    sigma = v.positive("sigma", sigma)
    return min(d, 2 * LN2 * B) / sigma**2


def fisher_trace_bound(T, d: int, B: int, sigma: float):
    """Fisher trace of a whole adaptive, public-coin transcript: ``T min(d, 2 ln2 B)/sigma^2`` (chain rule).

    Parameters
    ----------
    T : int or array_like of int
        Rounds, ``>= 1``.
    d, B : int
        Dimension and bits per round.
    sigma : float
        Noise standard deviation.

    Returns
    -------
    float or ndarray
        Equation ``eq-bits-fisher-trace-budget`` summed over rounds.
    """
    T = v.counts("T", T)
    return _scalar(T * fisher_budget_per_round(d, B, sigma))


def mse_lower_bound(T, d: int, B: int, sigma: float, r: float = math.inf):
    """Product-form lower bound on the Bayes risk ``E||x_T - theta||^2`` (Theorem 3 with our constants).

    Parameters
    ----------
    T : int or array_like of int
        Rounds, ``>= 1``.
    d : int
        Dimension, ``>= 1``.
    B : int
        Bits per round, ``>= 1``.
    sigma : float
        Noise standard deviation per coordinate, ``> 0``.
    r : float, optional
        Half-width of the cos^2 prior on ``[-r, r]^d`` (``inf``: no prior term).

    Returns
    -------
    float or ndarray
        ``d^2 / (T min(d, 2 ln2 B)/sigma^2 + d pi^2/r^2)``, equation ``eq-bits-product-bound``.

    Notes
    -----
    Multivariate van Trees (Gill and Levit 1995) with the Fisher budget of ``eq-bits-fisher-trace-budget``. It bounds
    the worst case over the cube ``[-r, r]^d`` too. With ``r = inf`` and ``B >= d/(2 ln 2)`` it equals
    ``sigma^2 d/T``, which full-precision SGD attains exactly.

    Examples
    --------
    >>> mse_lower_bound(100, 10, 64, 1.0)
    0.1
    """
    r = v.positive("r", r, allow_inf=True)
    fisher = fisher_trace_bound(T, d, B, sigma)
    if math.isinf(r):
        return _scalar(d**2 / np.asarray(fisher))
    return _scalar(van_trees_bound(d, fisher, cos2_prior_fisher(d, r)))


def rounds_lower_bound(eps: float, d: int, B: int, sigma: float) -> float:
    """Rounds needed to reach ``E||x_T - theta||^2 <= eps^2``: ``(sigma^2 d/(2 eps^2)) max{1, d/(2 ln2 B)}``.

    Parameters
    ----------
    eps : float
        Target root-mean-square distance, ``> 0``.
    d, B : int
        Dimension and bits per round.
    sigma : float
        Noise standard deviation per coordinate.

    Returns
    -------
    float
        Equation ``eq-bits-rounds-bound``.

    Notes
    -----
    Valid for every prior half-width ``r >= pi eps sqrt(2/d)``: then the prior term ``d pi^2/r^2`` is at most
    ``d^2/(2 eps^2)`` and the product bound forces ``T min(d, 2 ln2 B)/sigma^2 >= d^2/(2 eps^2)``. For the exact
    inversion at a given ``r`` use :func:`min_rounds`. ``B >= d/(2 ln 2)`` gives Theorem 2,
    ``T >= sigma^2 d/(2 eps^2)``.
    """
    eps = v.positive("eps", eps)
    d = v.count("d", d)
    B = v.count("B", B)
    sigma = v.positive("sigma", sigma)
    return (sigma**2 * d / (2 * eps**2)) * max(1.0, d / (2 * LN2 * B))


def min_rounds(eps: float, d: int, B: int, sigma: float, r: float = math.inf) -> float:
    """The smallest (real) ``T`` at which :func:`mse_lower_bound` drops to ``eps^2``.

    Parameters
    ----------
    eps, d, B, sigma
        As in :func:`rounds_lower_bound`.
    r : float, optional
        Prior half-width; ``inf`` removes the prior term.

    Returns
    -------
    float
        ``max(0, (d^2/eps^2 - d pi^2/r^2) sigma^2 / min(d, 2 ln2 B))`` (from ``eq-bits-product-bound``). It is at
        least :func:`rounds_lower_bound` when ``r >= pi eps sqrt(2/d)`` and equals twice it as ``r -> inf``.
    """
    eps = v.positive("eps", eps)
    r = v.positive("r", r, allow_inf=True)
    budget = fisher_budget_per_round(d, B, sigma)
    prior = 0.0 if math.isinf(r) else d * math.pi**2 / r**2
    return max(0.0, (d**2 / eps**2 - prior) / budget)


def bit_limited_threshold(d: int) -> float:
    """The bit budget ``d/(2 ln 2)`` above which bits stop limiting (the kink of ``eq-bits-rounds-bound``).

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.

    Returns
    -------
    float
        ``d/(2 ln 2)``, about ``0.72 d``.
    """
    return v.count("d", d) / (2 * LN2)


def communication_lower_bound(d: int, eps: float, s: float) -> float:
    """Total bits ``TB`` needed for ``E||theta_hat - theta||^2 <= eps^2`` under the prior ``N(0, s^2 I_d)``.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    eps : float
        Target root-mean-square error, ``> 0``.
    s : float
        Prior standard deviation per coordinate, ``> 0``.

    Returns
    -------
    float
        ``(d/2) log2(d s^2/eps^2)`` bits (0 once ``eps^2 >= d s^2``), equation ``eq-bits-communication-bound``.

    Notes
    -----
    ``I(theta; Y^T | U) <= TB`` and the rate-distortion function of ``N(0, s^2 I_d)`` at total distortion
    ``eps^2`` (reverse water-filling gives ``eps^2/d`` per coordinate). No noise assumption: it holds for
    ``sigma = 0``. It is at least ``d`` bits whenever ``eps^2 <= d s^2/4``.

    Examples
    --------
    >>> communication_lower_bound(8, 1.0, 1.0)
    12.0
    """
    d = v.count("d", d)
    eps = v.positive("eps", eps)
    s = v.positive("s", s)
    return d * float(gaussian_rate_distortion(eps**2 / d, s**2))


def communication_lower_bound_uniform(d: int, eps: float, r: float) -> float:
    """Bits for ``eps^2`` mean squared error over ``theta`` uniform on ``[-r, r]^d`` (Shannon lower bound).

    Parameters
    ----------
    d : int
        Dimension.
    eps : float
        Target root-mean-square error.
    r : float
        Half-width of the cube.

    Returns
    -------
    float
        ``max(0, (d/2) log2(2 r^2 d/(pi e eps^2)))`` bits, equation ``eq-bits-communication-bound-uniform``.
    """
    d = v.count("d", d)
    eps = v.positive("eps", eps)
    r = v.positive("r", r)
    return max(0.0, 0.5 * d * math.log2(2 * r**2 * d / (math.pi * math.e * eps**2)))


def fisher_route_bits(d: int, eps: float, sigma: float, s: float) -> float:
    """The bound on ``TB`` that the Fisher route gives under the same Gaussian prior ``N(0, s^2 I_d)``.

    Parameters
    ----------
    d : int
        Dimension.
    eps : float
        Target root-mean-square error.
    sigma : float
        Noise standard deviation per coordinate, ``>= 0`` (0 gives 0: the route is vacuous without noise).
    s : float
        Prior standard deviation.

    Returns
    -------
    float
        ``max(0, sigma^2 (d^2/eps^2 - d/s^2)/(2 ln 2))`` bits, equation ``eq-bits-fisher-route-bits``: van Trees with
        prior information ``d/s^2`` and ``tr I <= 2 ln2 TB/sigma^2``.
    """
    d = v.count("d", d)
    eps = v.positive("eps", eps)
    sigma = v.nonnegative("sigma", sigma)
    s = v.positive("s", s)
    return max(0.0, sigma**2 * (d**2 / eps**2 - d / s**2) / (2 * LN2))


def correlation_factor(rho: float) -> float:
    """Long-run variance inflation of stationary AR(1) noise: ``(1 + rho)/(1 - rho)``.

    Parameters
    ----------
    rho : float
        Lag-one correlation, in ``(-1, 1)``.

    Returns
    -------
    float
        ``sum_k rho^|k| = (1 + rho)/(1 - rho)``, equation ``eq-bits-correlation-factor``.

    Examples
    --------
    >>> correlation_factor(0.5)
    3.0
    """
    rho = v.correlation("rho", rho)
    return (1 + rho) / (1 - rho)
