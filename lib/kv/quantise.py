"""KIVI-style quantised KV caches: keys per channel, values per token, and their exact size in bytes.

A cached key tensor of one layer and one KV head has shape ``[T, d]`` (tokens × channels). KIVI (Liu et al.
2024) quantises **keys per channel** (a group is ``G`` consecutive tokens of one channel: keys have outlier
channels) and **values per token** (a group is ``G`` consecutive channels of one token). Each group stores
``b``-bit codes ``q = round((x - z) / s)`` in ``{0, …, 2^b - 1}`` with its own scale ``s = (max - min) / (2^b - 1)``
and zero point ``z = min``, both in float16, and is read back as ``q·s + z``. ``b = 16`` means the plain
float16 cache (no scales).

Exact bytes of ``T`` tokens in one layer and KV head (codes packed densely, ``⌈·⌉`` per tensor)::

    keys:   ⌈T·d·b / 8⌉ + 4·d·⌈T / G⌉        values: ⌈T·d·b / 8⌉ + 4·T·⌈d / G⌉

(2 bytes of scale + 2 of zero point per group), times ``n_layers · n_kv_heads``.

>>> kivi_bytes(64, 2, head_dim=64, n_layers=1, n_kv_heads=1, group=32)
3072
>>> kivi_bytes(64, 16, head_dim=64, n_layers=1, n_kv_heads=1)
16384
"""
from __future__ import annotations

import math

from lib import checks

__all__ = ["BITS", "GROUP", "kivi_bytes", "bytes_per_token", "fake_quantise"]

#: The bit widths the book measures (16 = the float16 cache, the unquantised reference of a deployment).
BITS = (2, 3, 4, 8, 16)
#: KIVI's group size (tokens per key group, channels per value group).
GROUP = 32


def _check_bits(bits):
    checks.count(bits, "bits")
    if bits > 16:
        raise ValueError(f"`bits` must be at most 16 (16 = the float16 cache), got {bits}")
    return int(bits)


def kivi_bytes(n_tokens, bits, head_dim, n_layers, n_kv_heads, group=GROUP) -> int:
    """Exact bytes of a KIVI-quantised cache of ``n_tokens`` tokens, codes, scales and zero points included.

    Parameters
    ----------
    n_tokens : int
        Cached tokens per layer and KV head (0 allowed).
    bits : int
        Bits per code, 1..16; 16 is the float16 cache (2 bytes a value, no scales).
    head_dim, n_layers, n_kv_heads : int
        The model's attention shape.
    group : int
        Tokens per key group and channels per value group.

    Returns
    -------
    int
        ``n_layers · n_kv_heads · (2⌈T d b/8⌉ + 4 d ⌈T/G⌉ + 4 T ⌈d/G⌉)`` (``4 T d`` per layer-head for b = 16).
    """
    checks.count(n_tokens, "n_tokens", low=0)
    bits = _check_bits(bits)
    for value, name in ((head_dim, "head_dim"), (n_layers, "n_layers"), (n_kv_heads, "n_kv_heads"),
                        (group, "group")):
        checks.count(value, name)
    if bits == 16:
        per_head = 2 * 2 * n_tokens * head_dim
    else:
        codes = math.ceil(n_tokens * head_dim * bits / 8)
        per_head = 2 * codes + 4 * head_dim * math.ceil(n_tokens / group) + 4 * n_tokens * math.ceil(head_dim / group)
    return int(n_layers * n_kv_heads * per_head)


def bytes_per_token(bits, head_dim, n_layers, n_kv_heads, group=GROUP) -> float:
    """Bytes a token costs in the limit of long caches: ``L·H·d·(b/4 + 8/G)`` (``4 L H d`` for b = 16)."""
    bits = _check_bits(bits)
    if bits == 16:
        return 4.0 * n_layers * n_kv_heads * head_dim
    return n_layers * n_kv_heads * head_dim * (bits / 4 + 8 / group)


def fake_quantise(x, bits, group=GROUP, axis="channel"):
    """Quantise and dequantise a key or value tensor the KIVI way (asymmetric min–max, float16 scales).

    Parameters
    ----------
    x : torch.Tensor, shape [..., T, d]
        Keys or values (any leading dims: batch, heads).
    bits : int
        Bits per code (1..16); 16 rounds to float16 only.
    group : int
        Group size: tokens per group (``axis="channel"``) or channels per group (``axis="token"``).
    axis : {"channel", "token"}
        ``"channel"``: keys, one (scale, zero) per channel and group of ``group`` tokens; ``"token"``:
        values, one per token and group of ``group`` channels.

    Returns
    -------
    torch.Tensor
        ``q·s + z`` with ``q = clamp(round((x - z)/s), 0, 2^b - 1)``, same shape and dtype as ``x``.
    """
    import torch

    bits = _check_bits(bits)
    checks.count(group, "group")
    checks.choice(axis, "axis", ("channel", "token"))
    if bits == 16:
        return x.to(torch.float16).to(x.dtype)
    y = x.transpose(-1, -2) if axis == "channel" else x  # groups run along the last dim
    n = y.shape[-1]
    pad = (-n) % group
    if pad:  # the last group is shorter: repeat its last element (changes no min or max)
        y = torch.cat([y, y[..., -1:].expand(*y.shape[:-1], pad)], dim=-1)
    g = y.reshape(*y.shape[:-1], -1, group)
    lo = g.amin(-1, keepdim=True).to(torch.float16).to(x.dtype)
    scale = ((g.amax(-1, keepdim=True) - lo) / (2 ** bits - 1)).to(torch.float16).to(x.dtype)
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.clamp(torch.round((g - lo) / safe), 0, 2 ** bits - 1)
    out = (q * scale + lo).reshape(*y.shape)[..., :n]
    return out.transpose(-1, -2) if axis == "channel" else out
