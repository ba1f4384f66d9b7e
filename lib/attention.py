r"""Single-head softmax attention, rotary position embeddings (RoPE) and sink tokens: the mechanics Part II's
caches store (primer page ``primer-attention``). Arrays in, arrays out; no model is loaded.

Example
-------
>>> import numpy as np
>>> q, k = np.array([1.0, 0.0]), np.array([[1.0, 0.0]])
>>> bool(np.isclose(rope_logits(q, k, 7, [3]), rope_logits(q, k, 104, [100])).all())  # only t − j matters
True
"""
from __future__ import annotations

import numpy as np

from lib import checks

__all__ = ["softmax", "attention", "rope", "rope_logits", "kept_output", "truncation_bound", "toy_head"]


def softmax(logits, axis: int = -1) -> np.ndarray:
    r""":math:`a_j = e^{\ell_j}/\sum_i e^{\ell_i}`, computed after subtracting the maximum (no overflow)."""
    x = checks.real_array(logits, "logits")
    z = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def attention(q, K, V, bias=None):
    r"""One query's attention output :math:`o = \sum_j a_j v_j`, :math:`a = \mathrm{softmax}(Kq/\sqrt m + b)`.

    Parameters
    ----------
    q : array_like, shape (m,)
        Query.
    K, V : array_like, shape (t, m) and (t, p)
        Keys and values of the ``t`` cached tokens.
    bias : array_like, shape (t,), optional
        Added logits (e.g. a sink's extra logit).

    Returns
    -------
    output : ndarray, shape (p,)
    weights : ndarray, shape (t,)
    """
    q, K, V = (checks.real_array(a, n) for a, n in ((q, "q"), (K, "K"), (V, "V")))
    if K.ndim != 2 or K.shape[1] != q.shape[-1] or V.shape[0] != K.shape[0]:
        raise ValueError(f"shapes do not fit: q {q.shape}, K {K.shape}, V {V.shape}; need K (t, m), V (t, p)")
    logits = K @ q / np.sqrt(q.shape[-1])
    if bias is not None:
        logits = logits + checks.real_array(bias, "bias")
    weights = softmax(logits)
    return weights @ V, weights


def rope(x, positions, base: float = 10_000.0) -> np.ndarray:
    r"""Rotary position embedding: rotate each pair :math:`(x_{2i}, x_{2i+1})` by :math:`p\,\omega_i`,
    :math:`\omega_i = \text{base}^{-2i/m}`, for the position :math:`p` of each row.

    Parameters
    ----------
    x : array_like, shape (t, m) or (m,)
        Vectors, ``m`` even.
    positions : array_like, shape (t,) or scalar
    base : float

    Returns
    -------
    ndarray, the shape of ``x``
    """
    x = checks.real_array(x, "x")
    m = x.shape[-1]
    if m % 2:
        raise ValueError(f"RoPE rotates pairs of coordinates: the width must be even, got {m}")
    omega = checks.positive(base, "base") ** (-np.arange(0, m, 2) / m)
    angle = np.asarray(positions, dtype=float)[..., None] * omega
    cos, sin = np.cos(angle), np.sin(angle)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty(np.broadcast_shapes(x.shape, angle.shape[:-1] + (m,)))
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def rope_logits(q, K, q_pos, k_pos, base: float = 10_000.0) -> np.ndarray:
    r"""Attention logits with RoPE, :math:`\langle R_{t} q, R_{j} k_j\rangle/\sqrt m = \langle q, R_{j-t} k_j\rangle/\sqrt m`:
    they depend on the positions only through :math:`j - t`."""
    K = np.atleast_2d(checks.real_array(K, "K"))
    return rope(K, k_pos, base) @ rope(q, q_pos, base) / np.sqrt(K.shape[1])


def kept_output(weights, V, kept) -> tuple[np.ndarray, float]:
    r"""Output when only the tokens ``kept`` stay in the cache: the weights renormalised over them.

    Returns
    -------
    output : ndarray
        :math:`\sum_{j\in S} a_j v_j / A_S`.
    mass : float
        :math:`A_S = \sum_{j \in S} a_j`, the attention mass the kept tokens had.
    """
    w = checks.probability(weights, "weights")
    V = checks.real_array(V, "V")
    mask = np.zeros(w.size, dtype=bool)
    mask[np.asarray(kept, dtype=int)] = True
    mass = float(w[mask].sum())
    if mass <= 0:
        raise ValueError("the kept tokens have no attention mass: keep at least one token with weight > 0")
    return (w[mask] @ V[mask]) / mass, mass


def truncation_bound(mass: float, v_max: float) -> float:
    r"""The bound :math:`\|o_S - o\| \le 2(1 - A_S)\max_j\|v_j\|` on the output change when only :math:`S` is kept."""
    mass = float(checks.nonnegative(mass, "mass"))
    if mass > 1 + 1e-12:
        raise ValueError(f"`mass` is an attention mass in [0, 1], got {mass}")
    return 2 * (1 - mass) * float(checks.nonnegative(v_max, "v_max"))


def toy_head(t: int = 64, m: int = 16, seed: int = 0) -> dict:
    """A random head over ``t`` tokens: query at position ``t``, keys and values at 0..t−1 (token 0 is the sink).

    Returns
    -------
    dict
        ``q`` (m,), ``K`` (t, m), ``V`` (t, m), ``positions`` (t,) and ``query_position``.
    """
    t, m = checks.count(t, "t", low=2), checks.count(m, "m", low=2)
    rng = np.random.default_rng(checks.count(seed, "seed", low=0))
    return {"q": rng.normal(size=m), "K": rng.normal(size=(t, m)), "V": rng.normal(size=(t, m)),
            "positions": np.arange(t), "query_position": t}
