"""The noiseless case ``sigma = 0``: coordinate-wise bisection meets the communication bound within a constant.

With ``G_t = x_t - theta`` exactly, the sign of ``G_{t,j}`` says on which side of the query ``x_j`` the unknown
``theta_j`` lies, so one bit halves coordinate ``j``'s interval. After ``n_j`` bits on ``[-r, r]`` the midpoint
estimate has error ``r^2 4^{-n_j}/3`` for ``theta`` uniform (page ``bits-communication-bound``,
``eq-bits-bisection-error``). The Shannon lower bound ``(2 r^2 d/(pi e)) 4^{-TB/d}`` is a factor ``pi e/6`` below.
"""
from __future__ import annotations

import math

import numpy as np

from lib import checks


__all__ = ["bisection_error", "uniform_distortion_bound", "simulate_bisection"]


def _bits_per_coordinate(d: int, total_bits: int) -> np.ndarray:
    """Round-robin split of ``total_bits`` over ``d`` coordinates."""
    n = np.full(d, total_bits // d)
    n[: total_bits % d] += 1
    return n


def bisection_error(d: int, total_bits: int, r: float) -> float:
    """Exact ``E||theta_hat - theta||^2`` of round-robin bisection, ``theta`` uniform on ``[-r, r]^d``.

    Parameters
    ----------
    d : int
        Dimension.
    total_bits : int
        Bits in the whole transcript (``T B``), ``>= 0``.
    r : float
        Half-width of the cube.

    Returns
    -------
    float
        ``sum_j r^2 4^{-n_j}/3`` with ``n_j`` the bits spent on coordinate ``j`` (``eq-bits-bisection-error``).
    """
    d = checks.count(d, "d")
    total_bits = checks.count(total_bits, "total_bits", low=0)
    r = checks.positive(r, "r")
    n = _bits_per_coordinate(d, total_bits)
    return float(np.sum(r**2 * 4.0 ** (-n.astype(float)) / 3))


def uniform_distortion_bound(d: int, total_bits, r: float):
    """Smallest mean squared error any ``TB``-bit transcript allows for ``theta`` uniform on ``[-r, r]^d``.

    Parameters
    ----------
    d : int
        Dimension.
    total_bits : float or array_like
        Bits ``T B`` (``>= 0``).
    r : float
        Half-width of the cube.

    Returns
    -------
    float or ndarray
        ``min(d r^2/3, (2 r^2 d/(pi e)) 4^{-TB/d})``: the Shannon lower bound (``eq-bits-communication-bound-uniform``)
        solved for the distortion, capped by the prior variance.
    """
    d = checks.count(d, "d")
    r = checks.positive(r, "r")
    bits = np.asarray(total_bits, dtype=float)
    if np.any(~np.isfinite(bits)) or np.any(bits < 0):
        raise ValueError("`total_bits` must be finite and >= 0.")
    out = np.minimum(d * r**2 / 3, 2 * r**2 * d / (math.pi * math.e) * 4.0 ** (-bits / d))
    return checks.scalar_or_array(out)


def simulate_bisection(d: int, B: int, T: int, r: float, reps: int, seed: int = 0) -> tuple[float, float]:
    """Monte Carlo of bisection through a noiseless B-bit oracle (``B`` coordinates per round, cyclic).

    Parameters
    ----------
    d, B, T, reps : int
        Dimension, bits per round, rounds and replicates.
    r : float
        Half-width of the cube; ``theta`` is uniform on it.
    seed : int, optional
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    mse, se : float
        Mean of ``||x_T - theta||^2`` over replicates and its standard error (compare ``eq-bits-bisection-error``).

    Notes
    -----
    Each round the oracle returns ``G = x - theta``; the encoder sends ``1{G_j >= 0}`` for ``min(B, d)``
    coordinates, the decoder moves ``x_j`` by ``r 2^{-n_j}`` against the sign (``n_j`` counts the bits received).
    """
    d, B, T, reps = (checks.count(x, n) for n, x in (("d", d), ("B", B), ("T", T), ("reps", reps)))
    r = checks.positive(r, "r")
    rng = np.random.default_rng(checks.count(seed, "seed", low=0))
    theta = rng.uniform(-r, r, size=(reps, d))
    x = np.zeros((reps, d))
    n = np.zeros(d)
    k = min(B, d)
    for t in range(T):
        cols = (t * k + np.arange(k)) % d
        bit = (x[:, cols] - theta[:, cols]) >= 0
        n[cols] += 1
        x[:, cols] -= np.where(bit, 1.0, -1.0) * r * 2.0 ** (-n[cols])
    err = np.sum((x - theta) ** 2, axis=1)
    return float(err.mean()), float(err.std(ddof=1) / math.sqrt(reps)) if reps > 1 else math.nan
