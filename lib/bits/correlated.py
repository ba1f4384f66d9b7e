r"""Correlated oracle noise: AR(1) noise across rounds, its Fisher information and the sign scheme under it.

The noise of round t is :math:`Z_t = \rho Z_{t-1} + \sqrt{1-\rho^2}\,W_t` per coordinate (stationary, unit
variance, :math:`W_t` i.i.d. N(0, 1)), so the oracle returns :math:`G_t = x_t - \theta + \sigma Z_t`. The book
prints these formulas on the page ``bits-correlated-drifting``.

Functions
---------
ar1_fisher
    Fisher information about θ of T unquantised AR(1) samples, :math:`\mathbf 1^\top\Sigma^{-1}\mathbf 1`.
ar1_sgd_mse
    Exact error of full-precision SGD with step 1/(t+1) under AR(1) noise.
sign_inflation
    Arcsine-law long-run variance factor of the signs of AR(1) noise.
schedule_inflation
    The same factor seen by one coordinate under a cyclic or a random coordinate schedule.
ar1_mse_lower_bound
    The proved statistical part of the error bound under AR(1) noise (van Trees with the AR(1) information).
schedule_experiment
    The sign scheme under AR(1) noise with a cyclic and a random schedule, measured and predicted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from lib import checks

from .bounds import ar1_fisher, ar1_mse_lower_bound
from .simulate import simulate

__all__ = ["ar1_fisher", "ar1_sgd_mse", "ar1_mse_lower_bound", "sign_inflation", "schedule_inflation",
           "ScheduleExperiment", "schedule_experiment", "SCHEDULES"]

#: Coordinate schedules of the sign scheme: which B of the d coordinates are described in a round.
SCHEDULES = ("cyclic", "random")

# Direct summation of sum_m arcsin(c q^m) is used while it needs at most this many terms; beyond it the head
# is summed exactly and the tail by Euler-Maclaurin.
_DIRECT_TERMS = 200_000
_HEAD_TERMS = 4096


def ar1_sgd_mse(T, rho, d=1, sigma=1.0):
    r"""Exact mean squared error of full-precision SGD with step 1/(t+1) after T rounds of AR(1) noise.

    Parameters
    ----------
    T : int
        Number of rounds (>= 1).
    rho : float
        Noise correlation between consecutive rounds, in (-1, 1).
    d : int, optional
        Dimension.
    sigma : float, optional
        Noise standard deviation per coordinate.

    Returns
    -------
    float
        :math:`\frac{\sigma^2 d}{T}\Big[\frac{1+\rho}{1-\rho} - \frac{2\rho(1-\rho^T)}{T(1-\rho)^2}\Big]`.

    Notes
    -----
    Equation ``eq-bits-ar1-sgd-mse``. SGD with step 1/(t+1) returns the sample mean, so
    :math:`x_T - \theta = -(\sigma/T)\sum_t Z_t` and the error is :math:`\sigma^2 d\,\mathbf 1^\top R\,\mathbf 1/T^2`
    with :math:`R_{ij} = \rho^{|i-j|}`. The bracket tends to the long-run factor :math:`(1+\rho)/(1-\rho)`.

    Examples
    --------
    >>> ar1_sgd_mse(100, 0.0, d=4)
    0.04
    """
    T = checks.count(T, "T")
    rho = checks.correlation(rho, "rho")
    d = checks.count(d, "d")
    sigma = checks.positive(sigma, "sigma")
    if rho == 0.0:
        return sigma**2 * d / T
    # 1 - rho^T without cancellation for rho near 1.
    one_minus_power = -math.expm1(T * math.log(rho)) if rho > 0 else 1.0 - rho**T
    bracket = (1.0 + rho) / (1.0 - rho) - 2.0 * rho * one_minus_power / (T * (1.0 - rho) ** 2)
    return sigma**2 * d / T * bracket


def _arcsin_geometric_sum(c: float, q: float) -> float:
    """``sum_{m >= 0} arcsin(c q^m)`` for 0 <= c <= 1 and 0 <= q < 1 (absolute error about 1e-12)."""
    if c == 0.0:
        return 0.0
    if q == 0.0:
        return math.asin(c)
    log_q = math.log(q)
    needed = math.ceil(math.log(1e-18) / log_q) + 1  # terms until c q^m < 1e-18, where arcsin(x) = x
    if needed <= _DIRECT_TERMS:
        m = np.arange(needed)
        head = float(np.sum(np.arcsin(c * q**m)))
        return head + c * q**needed / (1.0 - q)
    m = np.arange(_HEAD_TERMS)
    head = float(np.sum(np.arcsin(c * q**m)))
    # Euler-Maclaurin from m0 on: integral + f(m0)/2 - f'(m0)/12; f is smooth there and f''' is negligible.
    m0 = _HEAD_TERMS
    x0 = c * q**m0
    tail_integral, _ = integrate.quad(lambda u: math.asin(u) / u, 0.0, x0, epsabs=1e-14, epsrel=1e-13)
    f0 = math.asin(x0)
    df0 = x0 * log_q / math.sqrt(1.0 - x0 * x0)
    return head + tail_integral / (-log_q) + f0 / 2.0 - df0 / 12.0


def _arcsin_power_sum(rho: float) -> float:
    """``S(rho) = sum_{k >= 1} arcsin(rho^k)``, for rho in (-1, 1)."""
    if rho >= 0:
        return _arcsin_geometric_sum(rho, rho)
    a = -rho  # even powers count positive, odd ones negative
    return _arcsin_geometric_sum(a * a, a * a) - _arcsin_geometric_sum(a, a * a)


def sign_inflation(rho):
    r"""Long-run variance factor of :math:`\mathrm{sign}(Z_t)` for stationary Gaussian AR(1) noise.

    Parameters
    ----------
    rho : float
        Correlation of consecutive noise values, in (-1, 1).

    Returns
    -------
    float
        :math:`1 + 2\sum_{k\ge1} \tfrac{2}{\pi}\arcsin(\rho^k)`.

    Notes
    -----
    Equation ``eq-bits-sign-inflation``. By the arcsine law, :math:`\mathrm{Corr}(\mathrm{sign}\,Z_0,
    \mathrm{sign}\,Z_k) = (2/\pi)\arcsin(\rho^k)`. Once the iterate of the sign scheme sits at θ its messages are
    these signs, so its error is inflated by this factor over the i.i.d. case (B = d, every coordinate every
    round). It is smaller than the unquantised factor :math:`(1+\rho)/(1-\rho)`; the ratio tends to ln 2 as
    ρ → 1 because :math:`\int_0^1 \arcsin(u)/u\,du = (\pi/2)\ln 2`. Negative ρ gives a factor below 1.
    The tail of the sum is evaluated by Euler–Maclaurin, so every ρ in (-1, 1) gives a finite value.

    Examples
    --------
    >>> sign_inflation(0.0)
    1.0
    """
    rho = checks.correlation(rho, "rho")
    return 1.0 + 4.0 / math.pi * _arcsin_power_sum(rho)


def schedule_inflation(rho, d, B, schedule="random"):
    r"""Correlation inflation of the sign scheme for one coordinate under a coordinate schedule.

    Parameters
    ----------
    rho : float
        Noise correlation between consecutive rounds, in (-1, 1).
    d : int
        Dimension.
    B : int
        Bits per round, ``1 <= B <= d``: the sign scheme describes B coordinates per round.
    schedule : {"random", "cyclic"}
        ``"random"``: a fresh uniformly random set of B coordinates each round (public coin). ``"cyclic"``:
        coordinates in a fixed cyclic order, each revisited every d/B rounds (needs B to divide d).

    Returns
    -------
    float
        random: :math:`1 + \tfrac{B}{d}\,(\kappa(\rho) - 1)`; cyclic: :math:`\kappa(\rho^{d/B})`, where
        κ is :func:`sign_inflation`.

    Notes
    -----
    Equation ``eq-bits-schedule-inflation``. Asymptotic (the iterate sits at θ). Random schedule: a coordinate is
    described in each round independently with probability p = B/d, so by the renewal identity
    :math:`\sum_{m\ge1}\mathbb E\,f(S_m) = p\sum_{k\ge1} f(k)` over its visit times :math:`S_m` the
    correlation sum shrinks by p. Cyclic schedule: consecutive visits are d/B rounds apart, so the
    coordinate sees AR(1) noise with correlation :math:`\rho^{d/B}`.

    Examples
    --------
    >>> round(schedule_inflation(0.5, 8, 8), 12) == round(sign_inflation(0.5), 12)
    True
    """
    rho = checks.correlation(rho, "rho")
    d = checks.count(d, "d")
    B = checks.count(B, "B")
    _check_schedule(schedule, d, B)
    if schedule == "cyclic":
        return sign_inflation(rho ** (d // B))
    return 1.0 + B / d * (sign_inflation(rho) - 1.0)


def _check_schedule(schedule, d: int, B: int) -> None:
    if schedule not in SCHEDULES:
        raise ValueError(f"`schedule` must be one of {SCHEDULES}, got {schedule!r}.")
    if B > d:
        raise ValueError(f"`B` must lie in [1, d] = [1, {d}] for the sign scheme (one bit per described "
                         f"coordinate), got {B}.")
    if schedule == "cyclic" and d % B:
        raise ValueError(f"`B` must divide `d` for the cyclic schedule (each coordinate revisited every d/B "
                         f"rounds), got d={d}, B={B}; use schedule='random' or a divisor of d.")



@dataclass(frozen=True)
class ScheduleExperiment:
    """The sign scheme under AR(1) noise with both coordinate schedules (:func:`schedule_experiment`).

    Attributes
    ----------
    rho : ndarray
        The correlations simulated.
    normalised, se : dict of str to ndarray
        Per schedule, the final error in units of the i.i.d. bit-limited rate, ``MSE * T * B / (sigma^2 d^2)``,
        and its standard error. The i.i.d. asymptote is π/2.
    predicted : dict of str to ndarray
        ``(pi/2) * schedule_inflation(rho, d, B, schedule)``.
    max_bits : int
        The most bits any round used (never above B).
    options : dict
        ``d, B, T, reps, sigma, seed``.
    """

    rho: np.ndarray
    normalised: dict
    se: dict
    predicted: dict
    max_bits: int
    options: dict


def schedule_experiment(rhos, *, d, B, T, reps, sigma=1.0, seed=0):
    r"""Measure the adaptive sign scheme under AR(1) noise with a cyclic and a random schedule.

    Parameters
    ----------
    rhos : float or array_like
        Noise correlations, each in (-1, 1).
    d, B : int
        Dimension and bits per round; ``B <= d`` and B divides d (so the cyclic schedule has period d/B).
    T, reps : int
        Rounds and replicates of each run.
    sigma : float, optional
        Noise standard deviation.
    seed : int, optional
        Seed of every run (the same θ draws and noise for both schedules: common random numbers).

    Returns
    -------
    ScheduleExperiment

    Notes
    -----
    Each run is :func:`lib.bits.simulate.simulate` with ``scheme="sign"`` and ``schedule`` set: θ from the cos²
    prior on [-2, 2]^d, start at 0, gain :math:`\sigma\sqrt{\pi/2}/n_j`. The prediction is the asymptotic
    one of equation ``eq-bits-schedule-inflation``.
    """
    rho = np.atleast_1d(np.asarray(rhos, dtype=float))
    for value in rho:
        checks.correlation(float(value), "rho")
    d, B, T, reps = (checks.count(x, n) for n, x in (("d", d), ("B", B), ("T", T), ("reps", reps)))
    _check_schedule("cyclic", d, B)
    scale = T * B / (sigma**2 * d**2)
    normalised, se, predicted, max_bits = {}, {}, {}, 0
    for schedule in SCHEDULES:
        runs = [simulate("sign", d=d, B=B, sigma=sigma, T=T, reps=reps, rho=float(value), seed=seed,
                         record=[T], schedule=schedule) for value in rho]
        normalised[schedule] = np.array([run.mse[-1] * scale for run in runs])
        se[schedule] = np.array([run.se[-1] * scale for run in runs])
        predicted[schedule] = np.array([math.pi / 2 * schedule_inflation(float(value), d, B, schedule)
                                        for value in rho])
        max_bits = max([max_bits] + [run.max_bits for run in runs])
    options = dict(d=d, B=B, T=T, reps=reps, sigma=sigma, seed=seed)
    return ScheduleExperiment(rho, normalised, se, predicted, max_bits, options)
