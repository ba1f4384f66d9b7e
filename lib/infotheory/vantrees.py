"""The van Trees inequality, the cos² prior and exact Bayes risks of the Gaussian location model.

The formulas are printed on the primer page :doc:`/book/primer/van-trees`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from lib.checks import count, counts, positive, real_array, scalar_or_array

from .quadrature import gauss_legendre

__all__ = ["van_trees_bound", "cos2_prior_fisher", "cos2_prior_pdf", "cos2_prior_cdf", "cos2_prior_variance",
           "sample_cos2_prior", "gaussian_posterior_variance", "gaussian_location_bayes_risk", "bayes_risk_cos2"]


def van_trees_bound(d, fisher_trace, prior_fisher):
    r"""Multivariate van Trees lower bound on the Bayes risk :math:`\mathbb E\|\hat\theta - \theta\|^2`.

    Parameters
    ----------
    d : int
        Dimension of θ (>= 1).
    fisher_trace : float or array_like
        Trace of the Fisher information matrix of all the data, averaged over the prior
        (:math:`\int \operatorname{tr} I(\theta)\,\pi(\theta)d\theta`, >= 0).
    prior_fisher : float or array_like
        Trace of the Fisher information of the prior, :math:`J(\pi)` (> 0).

    Returns
    -------
    float or ndarray
        :math:`d^2 / (\text{fisher\_trace} + J(\pi))`.

    Notes
    -----
    eq. ``eq-primer-van-trees-multi`` (Gill & Levit 1995), from the coordinate-wise inequality and
    :math:`\sum_j 1/a_j \ge d^2/\sum_j a_j`.

    Examples
    --------
    >>> van_trees_bound(1, 4.0, 1.0)
    0.2
    """
    dd = count(d, "d")
    ft = real_array(fisher_trace, "fisher_trace")
    if (ft < 0).any():
        raise ValueError(f"`fisher_trace` must lie in [0, inf], got {fisher_trace!r}.")
    jp = positive(prior_fisher, "prior_fisher", allow_inf=True)
    return scalar_or_array(dd ** 2 / (ft + jp))


def cos2_prior_fisher(d, r):
    r"""Fisher information (trace) of the product cos² prior on :math:`[-r, r]^d`: :math:`d\pi^2/r^2`.

    Parameters
    ----------
    d : int
        Dimension (>= 1).
    r : float or array_like
        Half-width of the prior's support (> 0).

    Returns
    -------
    float or ndarray

    Notes
    -----
    eq. ``eq-primer-cos2-fisher``; the prior is :math:`\prod_j r^{-1}\cos^2(\pi\theta_j/(2r))`
    (eq. ``eq-primer-cos2-prior``).

    Examples
    --------
    >>> bool(np.isclose(cos2_prior_fisher(1, np.pi), 1.0))
    True
    """
    dd = count(d, "d")
    with np.errstate(over="ignore"):
        return scalar_or_array(dd * (np.pi / np.asarray(positive(r, "r"), dtype=float)) ** 2)


def cos2_prior_pdf(theta, r):
    r"""Density of one coordinate of the cos² prior, :math:`r^{-1}\cos^2(\pi\theta/(2r))` on :math:`[-r, r]`.

    Parameters
    ----------
    theta : float or array_like
        Points (elementwise; for the d-dimensional product prior multiply over coordinates).
    r : float
        Half-width (> 0).

    Returns
    -------
    float or ndarray
        Zero outside :math:`[-r, r]`.

    Notes
    -----
    eq. ``eq-primer-cos2-prior``.

    Examples
    --------
    >>> cos2_prior_pdf(0.0, 2.0)
    0.5
    """
    th = real_array(theta, "theta")
    rr = float(positive(r, "r"))
    dens = np.where(np.abs(th) <= rr, np.cos(np.pi * th / (2 * rr)) ** 2 / rr, 0.0)
    return scalar_or_array(dens)


def cos2_prior_cdf(u, r):
    r"""Distribution function of one coordinate of the cos² prior, :math:`F(u) = (u + r + (r/\pi)\sin(\pi u/r))/(2r)`.

    Parameters
    ----------
    u : float or array_like
        Points; the cdf is 0 below :math:`-r` and 1 above :math:`r`.
    r : float
        Half-width (> 0).

    Returns
    -------
    float or ndarray

    Notes
    -----
    Integral of eq. ``eq-primer-cos2-prior``; inverted by :func:`sample_cos2_prior`.

    Examples
    --------
    >>> cos2_prior_cdf(0.0, 1.0)
    0.5
    """
    uu = real_array(u, "u")
    rr = float(positive(r, "r"))
    return scalar_or_array(np.where(uu <= -rr, 0.0, np.where(uu >= rr, 1.0, _cos2_cdf(np.clip(uu, -rr, rr), rr))))


def sample_cos2_prior(rng, size, r):
    r"""Draw from the cos² prior on :math:`[-r, r]` by inverting its cdf (vectorised bisection).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness, e.g. ``numpy.random.default_rng(0)``.
    size : int or tuple of int
        Output shape (the d-dimensional prior is ``size=(..., d)``: coordinates are independent).
    r : float
        Half-width (> 0).

    Returns
    -------
    ndarray
        Samples in :math:`[-r, r]`, accurate to about 1e-12 r.

    Notes
    -----
    Solves :math:`F(\theta) = U` for uniform U (eq. ``eq-primer-cos2-prior``); F is strictly increasing, so
    bisection on :math:`[-r, r]` converges for every U.

    Examples
    --------
    >>> x = sample_cos2_prior(np.random.default_rng(0), 1000, 1.0)
    >>> bool(np.all(np.abs(x) <= 1.0))
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy.random.Generator (numpy.random.default_rng(seed)), "
                        f"got {type(rng).__name__}.")
    rr = float(positive(r, "r"))
    u = rng.random(size)
    lo = np.full(u.shape, -rr)
    hi = np.full(u.shape, rr)
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        below = _cos2_cdf(mid, rr) < u
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def gaussian_posterior_variance(n, sigma, prior_var):
    r"""Bayes risk of the posterior mean for :math:`X_i \sim N(\theta,\sigma^2)`, :math:`\theta\sim N(0,\tau^2)`.

    Parameters
    ----------
    n : int
        Number of observations (>= 1).
    sigma : float or array_like
        Noise standard deviation (> 0).
    prior_var : float or array_like
        Prior variance :math:`\tau^2` (> 0).

    Returns
    -------
    float or ndarray
        :math:`1/(n/\sigma^2 + 1/\tau^2)`; the van Trees bound with the Gaussian prior holds with equality.

    Notes
    -----
    eq. ``eq-primer-conjugate-risk`` (conjugate prior, closed form).

    Examples
    --------
    >>> gaussian_posterior_variance(1, 1.0, 1.0)
    0.5
    """
    nn = count(n, "n")
    return scalar_or_array(1.0 / (nn / positive(sigma, "sigma") ** 2 + 1.0 / positive(prior_var, "prior_var")))


def gaussian_location_bayes_risk(n, sigma, r, nodes=64):
    r"""Exact Bayes risk of the Gaussian location model under the cos² prior on :math:`[-r, r]` (quadrature).

    Parameters
    ----------
    n : int
        Number of observations :math:`X_i \sim N(\theta, \sigma^2)` (>= 1).
    sigma : float
        Noise standard deviation (> 0).
    r : float
        Half-width of the cos² prior (> 0).
    nodes : int, optional
        Gauss–Legendre nodes per panel (>= 16).

    Returns
    -------
    float
        :math:`\mathbb E[\operatorname{Var}(\theta \mid \bar X)]`, the risk of the posterior mean (the Bayes
        estimator), which no estimator beats on average over the prior.

    Notes
    -----
    The sample mean :math:`\bar X = y \sim N(\theta, s^2)`, :math:`s = \sigma/\sqrt n`, is sufficient. With
    :math:`\theta = y - s z` the posterior of :math:`z` has weight :math:`\pi(y - s z)\varphi(z)`, so
    :math:`\operatorname{Var}(\theta\mid y) = s^2 \operatorname{Var}(z \mid y)` and the marginal density is
    :math:`f(y) = \int \pi(y - sz)\varphi(z)dz`. Both integrals use Gauss–Legendre nodes (z over the part of
    :math:`[-10, 10]` where the prior is positive; y over panels that resolve the edges at scale s, on y >= 0
    only, as the integrand is even), which keeps the result accurate from :math:`s \ll r` to :math:`s \gg r`.
    Compared with eq. ``eq-primer-van-trees`` on the van Trees page.

    Examples
    --------
    >>> risk = gaussian_location_bayes_risk(1, 1.0, 1.0)
    >>> bool(van_trees_bound(1, 1.0, cos2_prior_fisher(1, 1.0)) < risk < 1 / 3 - 2 / np.pi ** 2)
    True
    """
    nn = count(n, "n")
    s = float(positive(sigma, "sigma")) / np.sqrt(nn)
    rr = float(positive(r, "r"))
    k = count(nodes, "nodes", low=16)
    x, w = gauss_legendre(k)
    # The integrand is even in y (the posterior at -y is that at y mirrored), so only y >= 0 is integrated: the
    # right half of the panel around 0 and, if the edges are resolved apart, the panel around r, both doubled.
    half = x >= 0
    x_half, w_half = x[half], np.where(x[half] > 0, 2.0, 1.0) * w[half]
    if 10 * s < rr:
        y = np.concatenate([(rr - 10 * s) * x_half, rr + 10 * s * x])
        wy = np.concatenate([(rr - 10 * s) * w_half, 2 * 10 * s * w])
    else:
        y, wy = (rr + 10 * s) * x_half, (rr + 10 * s) * w_half
    z_lo = np.maximum(-10.0, (y - rr) / s)[:, None]
    z_hi = np.minimum(10.0, (y + rr) / s)[:, None]
    z = (z_lo + z_hi) / 2 + (z_hi - z_lo) / 2 * x[None, :]
    wz = np.clip(z_hi - z_lo, 0.0, None) / 2 * w[None, :]
    prior = np.cos(np.pi * (y[:, None] - s * z) / (2 * rr)) ** 2 / rr
    weight = wz * np.exp(-0.5 * z ** 2) / np.sqrt(2 * np.pi) * prior
    f = weight.sum(axis=1)
    safe = np.where(f > 0, f, 1.0)
    mean_z = (weight * z).sum(axis=1) / safe
    var_z = (weight * (z - mean_z[:, None]) ** 2).sum(axis=1) / safe
    return float(np.sum(wy * f * s ** 2 * var_z))


def cos2_prior_variance(r):
    r"""Variance of the cos² prior on :math:`[-r, r]`: :math:`r^2(1/3 - 2/\pi^2)` (the Bayes risk with no data).

    Parameters
    ----------
    r : float or array_like
        Half-width of the prior (> 0).

    Returns
    -------
    float or ndarray
        :math:`\int \theta^2 \cos^2(\pi\theta/(2r))/r \, d\theta = r^2(1/3 - 2/\pi^2)`.

    Examples
    --------
    >>> round(cos2_prior_variance(1.0), 6)
    0.130691
    """
    return positive(r, "r") ** 2 * (1 / 3 - 2 / np.pi ** 2)


@lru_cache(maxsize=1)
def _bayes_table():
    u = np.geomspace(1e-3, 1e3, 121)
    return np.log(u), np.log([gaussian_location_bayes_risk(1, float(x), 1.0) for x in u])


def bayes_risk_cos2(T, sigma, r):
    r"""Per-coordinate Bayes risk of ``T`` samples :math:`N(\theta, \sigma^2)` under the cos² prior on
    :math:`[-r, r]`, for many ``T`` at once.

    Parameters
    ----------
    T : array_like of int
        Sample sizes (>= 1).
    sigma, r : float
        Noise standard deviation and prior half-width (> 0).

    Returns
    -------
    ndarray
        :math:`r^2\rho(u)`, :math:`u = \sigma/(\sqrt T r)` (scale invariance), with :math:`\rho` tabulated once
        from :func:`gaussian_location_bayes_risk` and interpolated in log-log; below the table
        :math:`\rho(u) = u^2` (the data dominate), above it the prior variance. It lies above the van Trees bound
        ``eq-primer-van-trees``.

    Examples
    --------
    >>> risk = bayes_risk_cos2([1], 1.0, 1.0)[0]
    >>> bool(abs(risk - gaussian_location_bayes_risk(1, 1.0, 1.0)) < 1e-9)
    True
    """
    T = counts(T, "T").astype(float)
    sigma, r = positive(sigma, "sigma"), positive(r, "r")
    log_u, log_rho = _bayes_table()
    u = sigma / (np.sqrt(T) * r)
    with np.errstate(divide="ignore"):
        log_of_u = np.log(u)
    inside = np.exp(np.interp(log_of_u, log_u, log_rho))
    return r ** 2 * np.where(log_of_u < log_u[0], u ** 2, inside)


def _cos2_cdf(u, r):
    return (u + r + (r / np.pi) * np.sin(np.pi * u / r)) / (2 * r)
