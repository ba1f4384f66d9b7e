"""Monte Carlo experiments of the primer, vectorised over replicates and cached (the explorers reuse them).

Everything is for unit noise (σ = 1) and θ = 0 and is rescaled by the callers: the errors of location
estimators scale as σ², and the nested quantiser's as σ_x² at a fixed ratio σ_n/σ_x.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

from lib.checks import count, positive, real_array

from .ratedistortion import optimal_uniform_step, uniform_quantise
from .wynerziv import best_nested_quantiser

__all__ = ["N_GRID", "location_estimator_mse", "one_bit_mle_mse", "uniform_quantiser_mc", "nested_quantiser_curve"]

#: Sample sizes of the Cramér–Rao explorer.
N_GRID = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def location_estimator_mse(reps=4000, seed=0):
    r"""Monte Carlo mean squared error of the sample mean and the sample median of n draws from N(0, 1).

    Parameters
    ----------
    reps : int, optional
        Replicates per sample size (>= 10).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    dict
        ``{"n": array, "mean": (mse, se), "median": (mse, se)}`` over :data:`N_GRID`; multiply by σ² for
        noise level σ.

    Notes
    -----
    The sample mean attains the Cramér–Rao bound 1/n (eq. ``eq-primer-cramer-rao``); the median's error
    tends to π/(2n).

    Examples
    --------
    >>> out = location_estimator_mse(reps=200)
    >>> bool(out["mean"][0][-1] < out["median"][0][-1])
    True
    """
    return _location_estimator_mse(count(reps, "reps", low=10), int(seed))


def one_bit_mle_mse(a, reps=4000, seed=0):
    r"""Monte Carlo error of the maximum-likelihood estimate of θ from n one-bit messages :math:`1\{X_i > t\}`.

    Parameters
    ----------
    a : float
        Standardised threshold offset :math:`a = (t - \theta)/\sigma`.
    reps : int, optional
        Replicates per sample size (>= 10).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    tuple of ndarray
        ``(mse, se)`` over :data:`N_GRID`, for σ = 1 (multiply by σ²).

    Notes
    -----
    The count K of ones is Binomial(n, 1 − Φ(a)); the estimate is :math:`t - \Phi^{-1}(1 - \hat p)` with
    :math:`\hat p = K/n` clipped to :math:`[1/(2n), 1 - 1/(2n)]` so that it stays finite. Its error tends to
    :math:`1/(n I(a))` with :math:`I(a)` of eq. ``eq-primer-one-bit-fisher``; for small n the clipping biases it
    and it can fall below that bound (the bound holds for unbiased estimators only).

    Examples
    --------
    >>> mse, se = one_bit_mle_mse(0.0, reps=500)
    >>> bool(abs(mse[-1] * 1024 - np.pi / 2) < 0.3)
    True
    """
    aa = real_array(a, "a")
    if aa.ndim != 0 or not np.isfinite(aa):
        raise ValueError(f"`a` must be a finite number, got {a!r}.")
    return _one_bit_mle_mse(float(aa), count(reps, "reps", low=10), int(seed))


def uniform_quantiser_mc(rates=(1, 2, 3, 4, 5, 6, 7, 8), samples=100_000, seed=0):
    r"""Monte Carlo error of the best uniform quantiser of N(0, 1) at each rate, with standard errors.

    Parameters
    ----------
    rates : tuple of int, optional
        Bits per sample.
    samples : int, optional
        Gaussian samples (>= 100), shared by all rates.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    tuple of ndarray
        ``(rates, mse, se)`` for unit variance (multiply by σ²).

    Notes
    -----
    Simulates :func:`lib.infotheory.uniform_quantise` with the step of
    :func:`lib.infotheory.optimal_uniform_step`; compared with eq. ``eq-primer-gaussian-dr``.

    Examples
    --------
    >>> r, mse, se = uniform_quantiser_mc(rates=(1,), samples=20_000)
    >>> bool(abs(mse[0] - 0.3634) < 4 * se[0])
    True
    """
    bits = tuple(count(b, "rates") for b in rates)
    return _uniform_mc(bits, count(samples, "samples", low=100), int(seed))


def nested_quantiser_curve(ratio, rates=(1, 2, 3, 4)):
    r"""Least error of the nested scalar quantiser at each rate, for :math:`\sigma_x = 1`, :math:`\sigma_n =` ``ratio``.

    Parameters
    ----------
    ratio : float
        :math:`\sigma_n/\sigma_x` (> 0).
    rates : tuple of int, optional
        Bits per sample.

    Returns
    -------
    tuple of ndarray
        ``(rates, mse)``; multiply the errors by :math:`\sigma_x^2` (the scheme is scale-equivariant).

    Notes
    -----
    Exact errors from :func:`lib.infotheory.best_nested_quantiser`, cached on ``(ratio, rates)``; compared with
    eq. ``eq-primer-wyner-ziv-dr``.

    Examples
    --------
    >>> r, mse = nested_quantiser_curve(1.0, rates=(1,))
    >>> bool(mse[0] < 0.5)
    True
    """
    rho = float(positive(ratio, "ratio"))
    bits = tuple(count(b, "rates") for b in rates)
    return _nested_curve(round(rho, 9), bits)


@lru_cache(maxsize=8)
def _location_estimator_mse(reps, seed):
    rng = np.random.default_rng(seed)
    mean, median = [], []
    for n in N_GRID:
        x = rng.standard_normal((reps, n))
        for out, est in ((mean, x.mean(axis=1)), (median, np.median(x, axis=1))):
            err = est ** 2
            out.append((err.mean(), err.std(ddof=1) / np.sqrt(reps)))
    return {"n": np.array(N_GRID), "mean": tuple(np.array(v) for v in zip(*mean)),
            "median": tuple(np.array(v) for v in zip(*median))}


@lru_cache(maxsize=64)
def _one_bit_mle_mse(a, reps, seed):
    rng = np.random.default_rng(seed)
    n = np.array(N_GRID)
    counts = rng.binomial(n[:, None], special.ndtr(-a), size=(n.size, reps))
    p_hat = np.clip(counts / n[:, None], 0.5 / n[:, None], 1 - 0.5 / n[:, None])
    err = (a - special.ndtri(1 - p_hat)) ** 2
    return err.mean(axis=1), err.std(axis=1, ddof=1) / np.sqrt(reps)


@lru_cache(maxsize=64)
def _nested_curve(ratio, rates):
    return np.array(rates), np.array([best_nested_quantiser(b, 1.0, ratio ** 2)[1] for b in rates])


@lru_cache(maxsize=8)
def _uniform_mc(rates, samples, seed):
    x = np.random.default_rng(seed).standard_normal(samples)
    err = np.stack([(uniform_quantise(x, b, optimal_uniform_step(b)) - x) ** 2 for b in rates])
    return np.array(rates), err.mean(axis=1), err.std(axis=1, ddof=1) / np.sqrt(samples)
