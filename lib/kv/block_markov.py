"""The block-Markov cache: keep the previous block of L tokens plus the current one, drop a block at a time.

While the decoder produces position i (0 ≤ i < L) of block j, the cache holds block j−1 and the first i tokens of
block j, so its memory is L + i tokens and the prediction is the sliding-window one at w = L + i. Averaged over
a block (after the first one),

    memory  = L + (L − 1)/2 ≈ 1.5 L tokens,       distortion  D_BM(L) = (1/L) Σ_{i<L} Δ(L + i),

which lies between Δ(2L) and Δ(L) whenever Δ is nonincreasing. The functions take any curve: a closed form
(a callable), or a measured curve on a grid (interpolated linearly in log–log coordinates).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from lib import checks

from .fits import _curve, fit_power_law

__all__ = ["block_markov_distortion", "block_markov_schedule", "loglog_interpolator", "mean_memory",
           "measured_comparison", "block_markov_exponent", "bracketed"]


def loglog_interpolator(w, delta) -> Callable[[np.ndarray], np.ndarray]:
    """A function w ↦ Δ(w) interpolating a measured curve linearly in (ln w, ln Δ).

    Parameters
    ----------
    w, delta : array_like
        The measured grid (tokens, nats), Δ > 0.

    Returns
    -------
    callable
        Evaluates at any w inside ``[min(w), max(w)]``; outside it raises ValueError (no extrapolation).
    """
    w, delta = _curve(w, delta)
    order = np.argsort(w)
    lw, ld = np.log(w[order]), np.log(delta[order])

    def interpolate(x):
        x = np.asarray(x, dtype=float)
        if np.any(x < w.min() * (1 - 1e-12)) or np.any(x > w.max() * (1 + 1e-12)):
            raise ValueError(
                f"`w` must lie inside the measured range [{w.min():g}, {w.max():g}]; this curve does not "
                "extrapolate. Use a smaller block length."
            )
        return np.exp(np.interp(np.log(x), lw, ld))

    return interpolate


def block_markov_distortion(delta: Callable, L) -> float:
    """Average distortion of the block-Markov cache with block length ``L``.

    :math:`D_{\\mathrm{BM}}(L) = \\frac{1}{L} \\sum_{i=0}^{L-1} \\Delta(L + i)`.

    Parameters
    ----------
    delta : callable
        Vectorised Δ(w) (nats) for integer windows, e.g. ``ToyA(beta=1).delta`` or :func:`loglog_interpolator`.
    L : int
        Block length (tokens), ≥ 1.

    Returns
    -------
    float

    Notes
    -----
    :eq:`eq-kv-block-markov-distortion`.

    Examples
    --------
    Spec II.5: Toy A with β = 1 and L = 64 lies between Δ(128) = 0.00389 and Δ(64) = 0.00775.

    >>> from lib.kv.toys import ToyA
    >>> round(block_markov_distortion(ToyA(beta=1.0).delta, 64), 5)
    0.00542
    """
    L = checks.count(L, "L")
    if not callable(delta):
        raise TypeError(f"`delta` must be a callable w -> Δ(w), got {type(delta).__name__}.")
    return float(np.mean(delta(np.arange(L, 2 * L))))


def mean_memory(L) -> float:
    """Average cache size of the block-Markov scheme over a block.

    Parameters
    ----------
    L : int
        Block length, ≥ 1.

    Returns
    -------
    float
        :math:`\\bar m(L) = L + (L - 1)/2` tokens (the cache holds :math:`L + i` tokens at phase :math:`i`).
    """
    L = checks.count(L, "L")
    return L + (L - 1) / 2


def block_markov_schedule(L, n_blocks: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Cache size at each step: L + i at position i of every block after the first (i at position i of block 0).

    Parameters
    ----------
    L : int
        Block length, ≥ 1.
    n_blocks : int, optional
        Blocks to lay out, ≥ 1.

    Returns
    -------
    t, memory : numpy.ndarray
        Positions 0 .. n_blocks·L − 1 and the number of cached tokens the decoder sees at each.
    """
    L = checks.count(L, "L")
    t = np.arange(checks.count(n_blocks, "n_blocks") * L)
    i = t % L
    return t, np.where(t < L, i, L + i).astype(float)


def block_markov_exponent(delta: Callable, L_min: int = 16, L_max: int = 1024) -> tuple[float, float]:
    """The power law of block-Markov distortion against its mean memory, over block lengths ``L_min .. L_max``.

    Parameters
    ----------
    delta : callable
        Vectorised Δ(w), as in :func:`block_markov_distortion`.
    L_min, L_max : int
        Block lengths fitted (every integer in between), ``1 <= L_min < L_max``.

    Returns
    -------
    C, gamma : float
        The least-squares fit :math:`D_{\\mathrm{BM}}(L) \\approx C\\, \\bar m(L)^{-\\gamma}` in log–log, with
        :math:`\\bar m(L) = 1.5 L` the mean memory. For :math:`\\Delta(w) = w^{-\\alpha}`,
        :math:`D_{\\mathrm{BM}}(L) \\to L^{-\\alpha} \\int_1^2 x^{-\\alpha} dx` and :math:`\\gamma \\to \\alpha`.
    """
    L_min, L_max = checks.count(L_min, "L_min"), checks.count(L_max, "L_max")
    if L_min >= L_max:
        raise ValueError(f"`L_min` ({L_min}) must be smaller than `L_max` ({L_max}).")
    L = np.arange(L_min, L_max + 1)
    return fit_power_law(1.5 * L, [block_markov_distortion(delta, int(b)) for b in L])


def bracketed(comparison: dict) -> dict:
    """How many measured block-Markov points lie between the two sliding windows that bracket them.

    Parameters
    ----------
    comparison : dict
        Output of :func:`measured_comparison`.

    Returns
    -------
    dict
        ``n``: budgets where Δ(L) was measured; ``between``: those with
        :math:`\\Delta(w) \\le D_{\\mathrm{BM}}(w) \\le \\Delta(L)`.
    """
    ok = np.isfinite(comparison["sliding_L"])
    bm = comparison["block_markov"][ok]
    between = (comparison["sliding_w"][ok] <= bm) & (bm <= comparison["sliding_L"][ok])
    return {"between": int(between.sum()), "n": int(ok.sum())}


def measured_comparison(measurement) -> dict:
    """A stored block-Markov curve next to the sliding windows of its peak budget w and block length L.

    The measurement stores the block-Markov policy under its budget w, with block length L = ⌈w/2⌉, so the
    cache holds between L and 2L − 1 ≤ w tokens.

    Parameters
    ----------
    measurement : lib.kv.store.Measurement
        Must hold the ``"sliding"`` and ``"block_markov"`` curves.

    Returns
    -------
    dict
        ``w`` (budgets), ``L``, ``block_markov`` (measured, nats), ``sliding_w`` = Δ(w) and ``sliding_L`` =
        Δ(L), both from the sliding curve interpolated in log–log (NaN outside its measured range).
    """
    w_s, d_s, _ = measurement.curve("sliding")
    w_b, d_b, _ = measurement.curve("block_markov")
    ok = np.isfinite(d_s) & (d_s > 0)
    sliding = loglog_interpolator(w_s[ok], d_s[ok])
    L = (w_b + 1) // 2
    lo, hi = w_s[ok].min(), w_s[ok].max()

    def at(x):
        x = np.asarray(x, dtype=float)
        inside = (x >= lo) & (x <= hi)
        out = np.full(x.shape, np.nan)
        out[inside] = sliding(x[inside])
        return out

    return {"w": w_b, "L": L, "block_markov": d_b, "sliding_w": at(w_b), "sliding_L": at(L)}
