"""Fisher information and the Cramér–Rao bound.

Closed forms sit next to a quadrature routine (:func:`fisher_information`) that checks them. The formulas are
printed on the primer page :doc:`/book/primer/fisher-cramer-rao`; the van Trees inequality and the cos² prior
are in :mod:`lib.infotheory.vantrees`.
"""
from __future__ import annotations

import numpy as np
from scipy import integrate, special

from lib.checks import count, in_open_unit, positive, real_array, scalar_or_array

__all__ = ["gaussian_fisher", "bernoulli_fisher", "binomial_fisher", "threshold_quantiser_fisher",
           "fisher_information", "cramer_rao_bound"]

#: Offsets beyond this are evaluated here: log phi(a)^2 still fits a double, and every ratio has converged.
_A_MAX = 1e100
_LOG_2PI = np.log(2 * np.pi)


def gaussian_fisher(sigma):
    r"""Fisher information of the Gaussian location family :math:`N(\theta, \sigma^2)`: :math:`1/\sigma^2`.

    Parameters
    ----------
    sigma : float or array_like
        Noise standard deviation (> 0).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-gaussian-fisher``.

    Examples
    --------
    >>> gaussian_fisher(2.0)
    0.25
    """
    with np.errstate(over="ignore"):
        return scalar_or_array((1.0 / np.asarray(positive(sigma, "sigma"), dtype=float)) ** 2)


def bernoulli_fisher(p):
    r"""Fisher information of one Bernoulli(p) observation about p: :math:`1/(p(1-p))`.

    Parameters
    ----------
    p : float or array_like
        Success probability in (0, 1).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-bernoulli-fisher``.

    Examples
    --------
    >>> bernoulli_fisher(0.5)
    4.0
    """
    pa = in_open_unit(p, "p")
    return scalar_or_array(1.0 / (pa * (1 - pa)))


def binomial_fisher(n, p):
    r"""Fisher information of a Binomial(n, p) count about p: :math:`n/(p(1-p))` (additivity over n trials).

    Parameters
    ----------
    n : int
        Number of trials (>= 1).
    p : float or array_like
        Success probability in (0, 1).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-bernoulli-fisher`` times n (Fisher information adds over independent observations).

    Examples
    --------
    >>> binomial_fisher(10, 0.5)
    40.0
    """
    return scalar_or_array(count(n, "n") * bernoulli_fisher(p))


def threshold_quantiser_fisher(a, sigma=1.0, log=False):
    r"""Fisher information about θ of one bit :math:`\mathbf 1\{X > t\}`, :math:`X \sim N(\theta,\sigma^2)`.

    Parameters
    ----------
    a : float or array_like
        Standardised threshold :math:`a = (t - \theta)/\sigma` (any real number).
    sigma : float, optional
        Noise standard deviation (> 0).
    log : bool, optional
        Return the natural log of the information (finite where the information itself underflows to 0).

    Returns
    -------
    float or ndarray
        :math:`\varphi(a)^2 / (\Phi(a)(1-\Phi(a))) / \sigma^2`; equals :math:`2/(\pi\sigma^2)` at :math:`a = 0`.

    Notes
    -----
    eq. ``eq-primer-one-bit-fisher`` (``eq-bits-fisher-sign`` in Part I: the sign quantiser is this one bit).
    Evaluated in logs with :func:`scipy.special.log_ndtr` so that it stays accurate (and positive) for large
    :math:`|a|`; offsets beyond :math:`10^{100}` are evaluated at :math:`10^{100}`, where every quantity derived
    from it has reached its limit in double precision. Extreme :math:`\sigma` give the limits 0 or inf, never
    an overflow error.

    Examples
    --------
    >>> bool(np.isclose(threshold_quantiser_fisher(0.0), 2 / np.pi))
    True
    """
    aa = real_array(a, "a")
    if not np.isfinite(aa).all():
        raise ValueError(f"`a` must be finite, got {a!r}.")
    aa = np.clip(np.abs(aa), 0.0, _A_MAX)  # symmetric in a
    log_s = np.log(positive(sigma, "sigma"))
    # log Phi(-a) = -a^2/2 + log(erfcx(a/sqrt 2)/2): the a^2 of phi(a)^2 cancels without rounding
    log_mills = np.log(0.5 * special.erfcx(aa / np.sqrt(2.0)))
    log_info = -0.5 * aa ** 2 - _LOG_2PI - special.log_ndtr(aa) - log_mills - 2 * log_s
    if log:
        return scalar_or_array(log_info)
    with np.errstate(over="ignore"):
        return scalar_or_array(np.exp(log_info))


def fisher_information(pdf, theta, support=(-np.inf, np.inf), step=None, discrete=False):
    r"""Fisher information :math:`I(\theta) = \int (\partial_\theta p(x;\theta))^2 / p(x;\theta)\,dx` numerically.

    Parameters
    ----------
    pdf : callable
        ``pdf(x, theta)``, the density (or, with ``discrete=True``, the probability mass) of one observation,
        vectorised in ``x``.
    theta : float
        Parameter value at which to evaluate the information.
    support : tuple of two floats, or array_like of outcomes
        Integration limits ``(lower, upper)`` (may be infinite); with ``discrete=True``, the list of outcomes.
    step : float, optional
        Step of the central difference in θ (default ``1e-5 * max(1, |theta|)``).
    discrete : bool, optional
        Sum over the outcomes in ``support`` instead of integrating.

    Returns
    -------
    float

    Notes
    -----
    The definition, eq. ``eq-primer-fisher``, with the score taken by central differences and the integral by
    :func:`scipy.integrate.quad`. Used in the tests and on the page to check closed forms such as
    :func:`gaussian_fisher` and :func:`threshold_quantiser_fisher`.

    Examples
    --------
    >>> from scipy import stats
    >>> round(fisher_information(lambda x, t: stats.norm.pdf(x, t, 2.0), 0.0), 6)
    0.25
    """
    if not callable(pdf):
        raise TypeError(f"`pdf` must be a callable pdf(x, theta), got {type(pdf).__name__}.")
    t = float(real_array(theta, "theta"))
    h = 1e-5 * max(1.0, abs(t)) if step is None else float(positive(step, "step"))

    def integrand(x):
        p = np.asarray(pdf(x, t), dtype=float)
        dp = (np.asarray(pdf(x, t + h), dtype=float) - np.asarray(pdf(x, t - h), dtype=float)) / (2 * h)
        return np.where(p > 0, dp ** 2 / np.where(p > 0, p, 1.0), 0.0)

    if discrete:
        outcomes = real_array(support, "support").ravel()
        return float(np.sum(integrand(outcomes)))
    lower, upper = _limits(support)
    value, _ = integrate.quad(integrand, lower, upper, limit=200, epsabs=1e-12, epsrel=1e-10)
    return float(value)


def cramer_rao_bound(fisher, n=1):
    r"""Cramér–Rao lower bound on the variance of an unbiased estimator from n i.i.d. observations: 1/(n I).

    Parameters
    ----------
    fisher : float or array_like
        Fisher information of one observation (> 0).
    n : int, optional
        Number of independent observations (>= 1).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-cramer-rao``.

    Examples
    --------
    >>> cramer_rao_bound(4.0, n=5)
    0.05
    """
    return scalar_or_array(1.0 / (count(n, "n") * positive(fisher, "fisher")))


def _limits(support):
    try:
        lower, upper = (float(v) for v in support)
    except (TypeError, ValueError):
        raise ValueError(f"`support` must be a pair (lower, upper), got {support!r}.") from None
    if not lower < upper:
        raise ValueError(f"`support` must satisfy lower < upper, got {support!r}.")
    return lower, upper
