r"""Le Cam, Assouad and Fano beside van Trees, on one problem (primer page ``primer-lower-bound-methods``).

The problem: estimate :math:`\theta \in [-r, r]^d` from :math:`n` samples :math:`N(\theta, \sigma^2 I_d)` under
squared error. The sample mean has risk :math:`d\sigma^2/n`; every method below gives a lower bound of the form
:math:`(\text{constant})\cdot d\sigma^2/n` once the cube is wide. All of them depend on the data only through the
sufficient statistic :math:`\bar X \sim N(\theta, \sigma^2/n)`, so the signal-to-noise ratio of a half-width
:math:`\delta` is :math:`c = \delta\sqrt n/\sigma`.

Example
-------
>>> round(le_cam_constant(), 4)    # max over c of 2 c² Φ(−c): Le Cam's fraction of σ²/n in one dimension
0.3314
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from lib import checks

from .vantrees import cos2_prior_fisher, van_trees_bound

__all__ = ["two_point_tv", "le_cam_constant", "le_cam_bound", "assouad_bound", "fano_bound", "van_trees_cube",
           "two_point_bayes_risk", "lower_bound_ratios", "METHODS"]

#: The four methods, in the order the page presents them.
METHODS = ("van Trees", "Le Cam", "Assouad", "Fano")


def two_point_tv(delta, n: int = 1, sigma: float = 1.0):
    r"""Total variation between the laws of :math:`n` samples at :math:`\theta = -\delta` and :math:`+\delta`:
    :math:`2\Phi(\delta\sqrt n/\sigma) - 1` (that of the sample means, which are sufficient).

    Parameters
    ----------
    delta : float or array_like
        Half-distance :math:`\delta \ge 0` between the two parameters.
    n : int
        Samples.
    sigma : float
        Noise standard deviation.

    Returns
    -------
    float or ndarray
        :math:`\mathrm{TV}(P_{-\delta}^n, P_\delta^n) = 2\Phi(\delta\sqrt n/\sigma) - 1`, the shape of ``delta``.
    """
    delta = checks.nonnegative(delta, "delta")
    n = checks.count(n, "n")
    sigma = checks.positive(sigma, "sigma")
    return checks.scalar_or_array(2 * stats.norm.cdf(np.asarray(delta) * math.sqrt(n) / sigma) - 1)


def _max_over_c(f, c_max: float) -> float:
    """``max f(c)`` over ``0 < c <= c_max`` (``f`` unimodal), by bounded scalar minimisation."""
    if c_max <= 0:
        return 0.0
    upper = min(c_max, 50.0)
    res = optimize.minimize_scalar(lambda c: -f(c), bounds=(0.0, upper), method="bounded",
                                   options={"xatol": 1e-10})
    return float(max(-res.fun, f(upper)))


def _assouad_fraction(rho: float) -> float:
    """``max_{c <= rho} c² Φ(−c)``: Assouad's bound in units of dσ²/n on a cube of half-width ρ standard errors."""
    return _max_over_c(lambda c: c * c * special.ndtr(-c), rho)


def le_cam_constant() -> float:
    r""":math:`\max_c 2c^2\Phi(-c)`, Le Cam's two-point bound as a fraction of :math:`\sigma^2/n` (wide interval).

    Returns
    -------
    float
        :math:`\max_{c > 0} 2c^2\Phi(-c) \approx 0.3314`.
    """
    return 2 * _assouad_fraction(math.inf)


def le_cam_bound(n: int, sigma: float, r: float = math.inf) -> float:
    r"""Le Cam's two-point bound for :math:`\theta \in [-r, r]` (any :math:`d`: it tests one coordinate).

    .. math:: \inf_{\hat\theta}\sup_\theta \E(\hat\theta - \theta)^2 \ge \max_{0 < \delta \le r}
              \delta^2\,\big(1 - \mathrm{TV}(P_{-\delta}^n, P_{\delta}^n)\big)
              = \frac{\sigma^2}{n}\max_{c \le r\sqrt n/\sigma} 2c^2\Phi(-c).

    Parameters
    ----------
    n : int
        Samples.
    sigma : float
        Noise standard deviation.
    r : float
        Half-width of the parameter interval (``inf`` for the whole line).

    Returns
    -------
    float
    """
    n, sigma = checks.count(n, "n"), checks.positive(sigma, "sigma")
    rho = checks.positive(r, "r", allow_inf=True) * math.sqrt(n) / sigma
    return sigma ** 2 / n * 2 * _assouad_fraction(rho)


def assouad_bound(d: int, n: int, sigma: float, r: float = math.inf) -> float:
    r"""Assouad's hypercube bound for :math:`\theta \in [-r, r]^d`.

    With :math:`\theta_v = \delta v`, :math:`v \in \{-1, 1\}^d`, the loss splits over coordinates,
    :math:`\|\hat\theta - \theta_v\|^2 \ge \delta^2 \sum_j \mathbf 1\{\operatorname{sign}\hat\theta_j \ne v_j\}`, and
    Assouad's lemma gives

    .. math:: \inf_{\hat\theta}\sup_v \E\|\hat\theta - \theta_v\|^2 \ge \frac{d\delta^2}{2}
              \big(1 - \max_{v \sim v'}\mathrm{TV}(P_v^n, P_{v'}^n)\big)
              = \frac{d\sigma^2}{n}\max_{c \le r\sqrt n/\sigma} c^2\Phi(-c).

    Parameters
    ----------
    d : int
        Dimension.
    n : int
        Samples.
    sigma : float
        Noise standard deviation.
    r : float
        Half-width of the cube (``inf`` for the whole space).

    Returns
    -------
    float
    """
    d, n, sigma = checks.count(d, "d"), checks.count(n, "n"), checks.positive(sigma, "sigma")
    rho = checks.positive(r, "r", allow_inf=True) * math.sqrt(n) / sigma
    return d * sigma ** 2 / n * _assouad_fraction(rho)


def fano_bound(d: int, n: int, sigma: float, r: float = math.inf) -> float:
    r"""Fano's bound on a Gilbert–Varshamov packing of the cube :math:`\{-\delta, \delta\}^d`, :math:`d \ge 9`.

    The packing has :math:`M \ge 2^{d/8}` points at pairwise squared distance :math:`\ge d\delta^2/2`, and
    :math:`I(V; X^n) \le \max_v \mathrm{KL}(P_v^n \| P_0^n) = nd\delta^2/(2\sigma^2)`. Fano's inequality gives, with
    :math:`c = n\delta^2/\sigma^2 \le nr^2/\sigma^2`,

    .. math:: \inf_{\hat\theta}\sup_\theta \E\|\hat\theta - \theta\|^2 \ge \frac{d\delta^2}{8}
              \Big(1 - \frac{I + \ln 2}{\ln M}\Big)
              = \frac{d\sigma^2}{n}\max_c \frac c8\Big(1 - \frac8d - \frac{4c}{\ln 2}\Big),

    which is :math:`(1 - 8/d)^2 \frac{\ln 2}{128}\, d\sigma^2/n` for a wide cube.

    Parameters
    ----------
    d : int
        Dimension.
    n : int
        Samples.
    sigma : float
        Noise standard deviation.
    r : float
        Half-width of the cube (``inf`` for the whole space).

    Returns
    -------
    float
        0 where the bound is void (``d <= 8``).
    """
    d, n, sigma = checks.count(d, "d"), checks.count(n, "n"), checks.positive(sigma, "sigma")
    c_max = (checks.positive(r, "r", allow_inf=True) * math.sqrt(n) / sigma) ** 2
    a = 1 - 8 / d
    if a <= 0:
        return 0.0
    fraction = _max_over_c(lambda c: c / 8 * (a - 4 * c / math.log(2)), c_max)
    return d * sigma ** 2 / n * max(fraction, 0.0)


def van_trees_cube(d: int, n: int, sigma: float, r: float) -> float:
    r"""Van Trees with the cos² prior on :math:`[-r, r]^d`: :math:`d^2/(nd/\sigma^2 + d\pi^2/r^2)`.

    Parameters
    ----------
    d : int
        Dimension.
    n : int
        Samples.
    sigma : float
        Noise standard deviation.
    r : float
        Half-width of the cube (finite: the prior needs a bounded support).

    Returns
    -------
    float
        :math:`\frac{d^2}{nd/\sigma^2 + d\pi^2/r^2}`, a lower bound on the Bayes (hence minimax) risk
        :math:`\E\|\hat\theta - \theta\|^2`.
    """
    d, n, sigma = checks.count(d, "d"), checks.count(n, "n"), checks.positive(sigma, "sigma")
    return float(van_trees_bound(d, n * d / sigma ** 2, cos2_prior_fisher(d, checks.positive(r, "r"))))


def two_point_bayes_risk(delta: float, n: int = 1, sigma: float = 1.0, nodes: int = 80) -> float:
    r"""Exact Bayes risk of the prior uniform on :math:`\{-\delta, \delta\}` (posterior mean
    :math:`\delta\tanh(n\delta\bar X/\sigma^2)`), :math:`\delta^2\,\E[1 - \tanh^2(n\delta\bar X/\sigma^2)]` with
    :math:`\bar X \sim N(\delta, \sigma^2/n)`, by Gauss–Hermite quadrature. Le Cam's bound at :math:`\delta` lies below
    it, and it lies below :math:`\sigma^2/n`.

    Parameters
    ----------
    delta : float
        Half-distance :math:`\delta > 0` of the two prior points.
    n : int
        Samples.
    sigma : float
        Noise standard deviation.
    nodes : int
        Gauss–Hermite nodes (at least 8).

    Returns
    -------
    float
        :math:`\delta^2\,\E[1 - \tanh^2(n\delta\bar X/\sigma^2)]`, :math:`\bar X \sim N(\delta, \sigma^2/n)`.
    """
    delta = float(checks.positive(delta, "delta"))
    n, sigma = checks.count(n, "n"), checks.positive(sigma, "sigma")
    z, w = np.polynomial.hermite_e.hermegauss(checks.count(nodes, "nodes", low=8))
    xbar = delta + sigma / math.sqrt(n) * z
    return float(delta ** 2 * np.sum(w * (1 - np.tanh(n * delta * xbar / sigma ** 2) ** 2)) / math.sqrt(2 * math.pi))


def lower_bound_ratios(d: int, rho) -> dict[str, np.ndarray]:
    r"""Each method's bound divided by :math:`d\sigma^2/n`, against the cube's half-width
    :math:`\rho = r\sqrt n/\sigma` in standard errors (the ratios depend on nothing else).

    Parameters
    ----------
    d : int
        Dimension.
    rho : array_like
        Half-widths in standard errors, ``> 0``.

    Returns
    -------
    dict
        ``{method: array}`` for :data:`METHODS`, and ``"upper"``: :math:`\min\{1, \rho^2\}` (the sample mean, or
        the estimate 0, whichever is better).
    """
    d = checks.count(d, "d")
    rho = np.atleast_1d(checks.positive(rho, "rho"))
    unit = d  # d σ²/n with n = σ = 1
    rows = {
        "van Trees": np.array([van_trees_cube(d, 1, 1.0, r) for r in rho]) / unit,
        "Le Cam": np.array([le_cam_bound(1, 1.0, r) for r in rho]) / unit,
        "Assouad": np.array([assouad_bound(d, 1, 1.0, r) for r in rho]) / unit,
        "Fano": np.array([fano_bound(d, 1, 1.0, r) for r in rho]) / unit,
    }
    rows["upper"] = np.minimum(1.0, rho ** 2)
    return rows
