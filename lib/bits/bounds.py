"""Lower bounds for optimisation under a B-bit oracle (Part I): Fisher route, product form, communication.

The Omega-forms are stated in Kim (2026a); the constants below are this book's reconstruction
(``theory-spec`` I.3-I.4). With ``mu = 1`` and accuracy measured as ``E||x_T - theta||^2 <= eps^2``:

* Fisher trace of a B-bit transcript: ``tr I <= T min(d, 2 ln2 B)/sigma^2`` (``eq-bits-fisher-trace-budget``);
* product bound (van Trees, cos^2 prior on ``[-r, r]^d``): ``d^2/(T min(d, 2 ln2 B)/sigma^2 + d pi^2/r^2)``
  (``eq-bits-product-bound``);
* rounds: ``T >= (sigma^2 d/(2 eps^2)) max{1, d/(2 ln2 B)}`` when ``r >= pi eps sqrt(2/d)``
  (``eq-bits-rounds-bound``);
* communication (rate-distortion, Gaussian prior ``N(0, s^2 I)``): ``TB >= (d/2) log2(d s^2/eps^2)``
  (``eq-bits-communication-bound``), valid even when ``sigma = 0``; for the cos^2 prior, as a distortion,
  :func:`communication_distortion_bound`;
* AR(1) noise: the statistical bound :func:`ar1_mse_lower_bound` and its inversion :func:`ar1_min_rounds`.

Which hold for encoders WITH memory (``Encoder.memory``): the statistical and communication bounds (data processing
on all samples; ``I <= TB``). The product bound needs memoryless encoders.
"""
from __future__ import annotations

import math

import numpy as np

from lib import checks
from lib.infotheory import cos2_prior_fisher, van_trees_bound

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
    "ar1_fisher",
    "ar1_mse_lower_bound",
    "ar1_min_rounds",
    "COS2_ENTROPY_SHIFT",
    "communication_distortion_bound",
]

#: ``ln 2``: the Fisher-per-bit ceiling is ``2 ln 2 / sigma^2``.
LN2 = math.log(2.0)


def _quiet():
    """Extreme but finite inputs (sigma = 1e300) overflow to the right limit (inf or 0), not to an error."""
    return np.errstate(over="ignore", under="ignore", divide="ignore")


def _inverse(value, name: str) -> np.ndarray:
    """``1/value`` for a checked positive ``value`` (float array: squares of it overflow quietly to inf)."""
    return 1.0 / np.asarray(checks.positive(value, name), dtype=float)


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
    d, B = checks.counts(d, "d"), checks.counts(B, "B")
    with _quiet():
        return checks.scalar_or_array(np.minimum(d, 2 * LN2 * B) * _inverse(sigma, "sigma") ** 2)


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
    T = checks.counts(T, "T")
    with _quiet():
        return checks.scalar_or_array(T * fisher_budget_per_round(d, B, sigma))


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
    r = checks.positive(r, "r", allow_inf=True)
    fisher = fisher_trace_bound(T, d, B, sigma)
    with _quiet():
        if math.isinf(r):
            return checks.scalar_or_array(checks.count(d, "d") ** 2 / np.asarray(fisher))
        return checks.scalar_or_array(van_trees_bound(d, fisher, cos2_prior_fisher(d, r)))


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
    d, B = checks.counts(d, "d"), checks.counts(B, "B")
    with _quiet():
        ratio = np.asarray(checks.positive(sigma, "sigma"), dtype=float) / checks.positive(eps, "eps")
        return checks.scalar_or_array(0.5 * d * ratio**2 * np.maximum(1.0, d / (2 * LN2 * B)))


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
    d = checks.counts(d, "d")
    r = checks.positive(r, "r", allow_inf=True)
    with _quiet():
        inv_eps = _inverse(eps, "eps")
        need = (d * inv_eps) ** 2 - d * (math.pi / np.asarray(r, dtype=float)) ** 2
        per_round = fisher_budget_per_round(d, B, sigma)
        return checks.scalar_or_array(np.where(need > 0, need / np.where(need > 0, per_round, 1.0), 0.0))


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
    return checks.scalar_or_array(checks.counts(d, "d") / (2 * LN2))


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
    d = checks.counts(d, "d")
    log_ratio = np.log2(np.asarray(checks.positive(s, "s"), dtype=float)) - np.log2(checks.positive(eps, "eps"))
    return checks.scalar_or_array(0.5 * d * np.maximum(0.0, np.log2(d) + 2 * log_ratio))


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
    d = checks.counts(d, "d")
    log_ratio = np.log2(np.asarray(checks.positive(r, "r"), dtype=float)) - np.log2(checks.positive(eps, "eps"))
    return checks.scalar_or_array(np.maximum(0.0, 0.5 * d * (np.log2(2 * d / (math.pi * math.e)) + 2 * log_ratio)))


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
    d = checks.counts(d, "d")
    sigma = np.asarray(checks.nonnegative(sigma, "sigma"), dtype=float)
    with _quiet():
        need = (d * _inverse(eps, "eps")) ** 2 - d * _inverse(s, "s") ** 2
        bits = np.where((need > 0) & (sigma > 0), need * np.where(sigma > 0, sigma, 1.0) ** 2 / (2 * LN2), 0.0)
        return checks.scalar_or_array(bits)


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
    rho = checks.correlation(rho, "rho")
    return checks.scalar_or_array((1 + np.asarray(rho)) / (1 - np.asarray(rho)))


def ar1_fisher(T, rho, sigma=1.0):
    r"""Fisher information about θ (one coordinate) carried by T unquantised AR(1) samples.

    Parameters
    ----------
    T : int or array_like of int
        Number of samples (rounds), ``T >= 1``.
    rho : float
        Correlation of consecutive noise values, in (-1, 1).
    sigma : float, optional
        Noise standard deviation per coordinate (> 0).

    Returns
    -------
    float or ndarray
        :math:`\mathbf 1^\top \Sigma^{-1} \mathbf 1 = ((T-2)(1-\rho) + 2)/((1+\rho)\sigma^2)` with
        :math:`\Sigma_{ij} = \sigma^2\rho^{|i-j|}`.

    Notes
    -----
    Equation ``eq-bits-ar1-fisher``. For large T it is :math:`T(1-\rho)/((1+\rho)\sigma^2)`: the effective sample
    size is :math:`T(1-\rho)/(1+\rho)`. At ρ = 0 it is :math:`T/\sigma^2`.

    Examples
    --------
    >>> ar1_fisher(10, 0.0)
    10.0
    """
    T = checks.counts(T, "T")
    rho = checks.correlation(rho, "rho")
    sigma = checks.positive(sigma, "sigma")
    out = ((T - 2) * (1.0 - rho) + 2.0) / ((1.0 + rho) * sigma**2)
    return checks.scalar_or_array(out)


def ar1_mse_lower_bound(T, d, sigma, rho, r=math.inf):
    r"""Proved lower bound on :math:`\mathbb E\|\hat\theta - \theta\|^2` under AR(1) noise, any number of bits.

    Parameters
    ----------
    T : int or array_like of int
        Rounds.
    d : int
        Dimension.
    sigma : float
        Noise standard deviation per coordinate.
    rho : float
        Noise correlation between consecutive rounds, in (-1, 1).
    r : float, optional
        Half-width of the cos² prior on :math:`[-r, r]^d` (``inf``: no prior term).

    Returns
    -------
    float or ndarray
        :math:`d^2/(d\,\mathbf 1^\top\Sigma^{-1}\mathbf 1 + d\pi^2/r^2)`, about
        :math:`\frac{1+\rho}{1-\rho}\,\sigma^2 d/T` for large T and r.

    Notes
    -----
    Equation ``eq-bits-ar1-statistical-bound``: van Trees with the Fisher information :func:`ar1_fisher` per
    coordinate; quantising the samples can only lower it (data processing), so it holds for every B-bit
    scheme. The bit-limited term :math:`\sigma^2 d^2/(2\ln 2\,BT)` is proved only for ρ = 0.
    """
    d = checks.count(d, "d")
    r = checks.positive(r, "r", allow_inf=True)
    fisher = d * np.asarray(ar1_fisher(T, rho, sigma))
    out = d**2 / fisher if math.isinf(r) else van_trees_bound(d, fisher, cos2_prior_fisher(d, r))
    out = np.asarray(out, dtype=float)
    return checks.scalar_or_array(out)


def ar1_min_rounds(eps: float, d: int, sigma: float, rho: float) -> float:
    r"""Rounds that the AR(1) statistical bound demands, uniformly in the prior half-width ``r >= pi eps sqrt(2/d)``.

    Parameters
    ----------
    eps : float
        Target root-mean-square distance, ``> 0``.
    d : int
        Dimension.
    sigma : float
        Noise standard deviation per coordinate.
    rho : float
        AR(1) correlation, in ``(-1, 1)``.

    Returns
    -------
    float
        :math:`\frac{1+\rho}{1-\rho}\,\frac{\sigma^2 d}{2\varepsilon^2} - \frac{2\rho}{1-\rho}` (at least 1),
        equation ``eq-bits-regime-bounds``: :func:`ar1_mse_lower_bound` at ``r = pi eps sqrt(2/d)`` equals
        ``eps^2`` exactly there. At ``rho = 0`` it is :func:`rounds_lower_bound` with ``B >= d``.

    Notes
    -----
    From ``d^2/(d F_T + d pi^2/r^2) <= eps^2`` with ``F_T = ((T-2)(1-rho) + 2)/((1+rho) sigma^2)`` and
    ``d pi^2/r^2 <= d^2/(2 eps^2)``: ``F_T >= d/(2 eps^2)``, solved for ``T``.
    """
    d = checks.counts(d, "d")
    rho = np.asarray(checks.correlation(rho, "rho"), dtype=float)
    with _quiet():
        ratio = np.asarray(checks.positive(sigma, "sigma"), dtype=float) / checks.positive(eps, "eps")
        rounds = (1 + rho) / (1 - rho) * 0.5 * d * ratio**2 - 2 * rho / (1 - rho)
        return checks.scalar_or_array(np.maximum(1.0, rounds))


#: Differential entropy of the cos^2 prior on ``[-r, r]`` is ``ln r + COS2_ENTROPY_SHIFT`` nats: ``ln(4/e)``.
COS2_ENTROPY_SHIFT = math.log(4.0) - 1.0


def communication_distortion_bound(total_bits, d: int, r: float):
    r"""Smallest ``E||theta_hat - theta||^2`` any ``TB``-bit transcript allows for ``theta`` from the cos^2 prior.

    Parameters
    ----------
    total_bits : float or array_like
        Bits of the whole transcript, ``>= 0``.
    d : int
        Dimension.
    r : float
        Half-width of the cos^2 prior ``pi_r`` on ``[-r, r]^d`` (the prior of :func:`mse_lower_bound`).

    Returns
    -------
    float or ndarray
        :math:`\frac{8 r^2 d}{\pi e^3}\,4^{-TB/d}`, equation ``eq-bits-communication-distortion-cos2``: the
        Shannon lower bound ``TB >= h(theta) - (d/2) log2(2 pi e D/d)`` with ``h(pi_r) = d log2(4r/e)``,
        solved for ``D``.

    Notes
    -----
    Only ``I(theta; Y^T | U) <= TB`` is used, so it holds for encoders with memory and for any noise.
    """
    d = checks.count(d, "d")
    r = checks.positive(r, "r")
    bits = np.asarray(total_bits, dtype=float)
    if np.any(~np.isfinite(bits)) or np.any(bits < 0):
        raise ValueError("`total_bits` must be finite and >= 0.")
    return checks.scalar_or_array(8 * r**2 * d / (math.pi * math.e**3) * 4.0 ** (-bits / d))
