"""Fewer tokens or fewer bits: the best split of a fixed cache memory between tokens w and bits b.

**This book's reasoning** (not the papers'). Two small, independent perturbations of the cache add to first
order in KL, so model the distortion of a cache that keeps ``w`` tokens at ``b`` bits as

    D(w, b) = C · w^(−α) + A · 2^(−2b),

the window law (truncation, exponent α) plus the Gaussian rate–distortion law (mean squared error
σ²·2^(−2b) per value, and KL ≈ ½ δᵀFδ is linear in it). A token costs ``β(b + b0)`` bytes
(:func:`lib.kv.quantise.bytes_per_token`: ``β = L·H·d/4``, ``b0 = 32/G``), so at memory ``M`` the window is
``w = M / (β(b + b0))`` and the split minimises ``f(b) = C (β(b + b0)/M)^α + A 2^(−2b)``. Setting
``f′(b) = 0``:

    α C (β/M)^α (b + b0)^(α−1) = 2 ln 2 · A · 2^(−2b),

so ``b*(M) = (α/2) log₂ M + O(log log M)``: the bits per value grow only logarithmically with the memory,
and almost all added memory goes to tokens (``w* ∝ M / log M``).

>>> b = optimal_bits(1e6, C=1.0, alpha=0.8, A=4.0, beta=1.0, b0=1.0)
>>> round(b, 3)
9.711
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

from lib import checks

__all__ = ["distortion", "optimal_bits", "iso_memory", "fit_window_law", "fit_bits_law", "best_split"]


def distortion(w, b, C, alpha, A, t0=None):
    """The model ``C·w^(−α) + A·2^(−2b)`` (nats); ``w`` and ``b`` broadcast.

    With ``t0`` (the context length) a cache of ``w >= t0`` tokens drops none, and its truncation term is 0.
    """
    w = np.asarray(w, dtype=float)
    if np.any(w <= 0):
        raise ValueError("`w` must be positive (tokens kept)")
    trunc = C * w ** (-alpha)
    if t0 is not None:
        trunc = np.where(w >= checks.positive(t0, "t0"), 0.0, trunc)
    return checks.scalar_or_array(trunc + A * 2.0 ** (-2.0 * np.asarray(b, dtype=float)))


def iso_memory(M, b, beta, b0):
    """The window that memory ``M`` buys at ``b`` bits: ``M / (β (b + b0))`` (tokens, not rounded)."""
    checks.positive(M, "M")
    checks.positive(beta, "beta")
    return checks.scalar_or_array(M / (beta * (np.asarray(b, dtype=float) + b0)))


def optimal_bits(M, C, alpha, A, beta, b0, b_range=(1.0, 16.0)) -> float:
    """The bits ``b*`` that minimise ``C (β(b+b0)/M)^α + A 2^(−2b)`` over ``b_range`` (this book's reasoning).

    Parameters
    ----------
    M : float
        Memory in bytes.
    C, alpha : float
        The window law ``C w^(−α)``.
    A : float
        The quantisation law ``A 2^(−2b)``.
    beta, b0 : float
        A token costs ``β (b + b0)`` bytes.
    b_range : (float, float)
        Where ``b`` may lie.

    Returns
    -------
    float
        The minimiser (bounded Brent search on a convex-in-practice function of one variable).
    """
    for value, name in ((M, "M"), (C, "C"), (alpha, "alpha"), (A, "A"), (beta, "beta")):
        checks.positive(value, name)
    checks.nonnegative(b0, "b0")
    lo, hi = b_range
    res = minimize_scalar(lambda b: distortion(M / (beta * (b + b0)), b, C, alpha, A), bounds=(lo, hi),
                          method="bounded", options={"xatol": 1e-6})
    return float(res.x)


def fit_window_law(w, kl):
    """``(C, alpha)`` of ``C w^(−α)``: least squares of log KL on log w (positive KL only)."""
    w, kl = np.asarray(w, dtype=float), np.asarray(kl, dtype=float)
    ok = (w > 0) & (kl > 0)
    if ok.sum() < 2:
        raise ValueError("`kl` needs at least two positive values to fit the window law")
    slope, icpt = np.polyfit(np.log(w[ok]), np.log(kl[ok]), 1)
    return float(math.exp(icpt)), float(-slope)


def fit_bits_law(b, kl):
    """``(A, slope)``: ``A`` of ``A 2^(−2b)`` with the slope fixed (geometric mean of ``kl·4^b``), and the
    free least-squares slope of log₂ KL on b (−2 if the Gaussian law holds)."""
    b, kl = np.asarray(b, dtype=float), np.asarray(kl, dtype=float)
    ok = kl > 0
    if ok.sum() < 2:
        raise ValueError("`kl` needs at least two positive values to fit the bits law")
    A = float(np.exp(np.mean(np.log(kl[ok]) + 2 * b[ok] * math.log(2))))
    slope = float(np.polyfit(b[ok], np.log2(kl[ok]), 1)[0])
    return A, slope


def best_split(M, w, b, nbytes, kl):
    """The measured best split at memory ``M``: the grid point with the least ``kl`` among ``nbytes ≤ M``.

    Parameters
    ----------
    M : float
        Memory in bytes.
    w, b, nbytes, kl : array_like, one entry per grid point
        Tokens, bits, exact bytes and mean distortion.

    Returns
    -------
    dict
        ``w``, ``b``, ``bytes``, ``kl`` of the best point, and ``feasible`` (how many points fit).

    Raises
    ------
    ValueError
        If no grid point fits in ``M`` bytes.
    """
    checks.positive(M, "M")
    w, b, nbytes, kl = (np.asarray(v) for v in (w, b, nbytes, kl))
    ok = nbytes <= M
    if not ok.any():
        raise ValueError(f"no grid point fits in `M` = {M:.0f} bytes; the smallest needs {nbytes.min():.0f}")
    i = np.flatnonzero(ok)[np.argmin(kl[ok])]
    return {"w": int(w[i]), "b": int(b[i]), "bytes": int(nbytes[i]), "kl": float(kl[i]), "feasible": int(ok.sum())}
