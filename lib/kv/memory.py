"""KV-cache memory in bytes: what a window of w tokens costs for a given model shape.

Every cached token stores one key and one value vector per layer and per key–value head, so

    bytes(w) = 2 · n_layers · n_kv_heads · head_dim · bytes_per_value · w.

Models with local (sliding-window) attention layers, such as Gemma 3, cap those layers at their own window.
The shapes in :data:`SHAPES` are from each model's public config (``config.json``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import integer

__all__ = ["ModelShape", "SHAPES", "bytes_per_token", "kv_bytes", "format_bytes", "shape"]


@dataclass(frozen=True)
class ModelShape:
    """The attention shape that sets a model's KV-cache size.

    Parameters
    ----------
    name : str
        Display name.
    n_layers : int
        Transformer layers (each caches its own keys and values).
    n_kv_heads : int
        Key–value heads per layer (fewer than query heads under grouped-query attention).
    head_dim : int
        Dimension of one key (or value) vector.
    n_local_layers : int, optional
        How many of the layers use local attention with window ``local_window``; they never cache more than
        ``local_window`` tokens.
    local_window : int, optional
        The local-attention window (tokens); required when ``n_local_layers > 0``.
    context : int, optional
        The longest context the model was configured for (``max_position_embeddings``), if recorded here.
    source : str, optional
        Where the numbers come from.
    """

    name: str
    n_layers: int
    n_kv_heads: int
    head_dim: int
    n_local_layers: int = 0
    local_window: int | None = None
    context: int | None = None
    source: str = "from the model's public config"

    def __post_init__(self):
        integer(self.n_layers, "n_layers")
        integer(self.n_kv_heads, "n_kv_heads")
        integer(self.head_dim, "head_dim")
        integer(self.n_local_layers, "n_local_layers", minimum=0)
        if self.n_local_layers > self.n_layers:
            raise ValueError(
                f"`n_local_layers` must be <= n_layers = {self.n_layers}, got {self.n_local_layers}."
            )
        if self.n_local_layers and self.local_window is None:
            raise ValueError("`local_window` is required when `n_local_layers` > 0.")
        if self.local_window is not None:
            integer(self.local_window, "local_window")
        if self.context is not None:
            integer(self.context, "context")


#: Shapes of the models the book measures or discusses, from their public ``config.json``.
SHAPES: dict[str, ModelShape] = {s.name: s for s in [
    ModelShape("SmolLM2-135M", n_layers=30, n_kv_heads=3, head_dim=64, context=8192),
    ModelShape("Gemma-3-270M", n_layers=18, n_kv_heads=1, head_dim=256, n_local_layers=15, local_window=512,
               context=32768),
    ModelShape("Qwen2.5-0.5B", n_layers=24, n_kv_heads=2, head_dim=64),
    ModelShape("Llama-3.2-1B", n_layers=16, n_kv_heads=8, head_dim=64),
    ModelShape("Qwen2.5-3B", n_layers=36, n_kv_heads=2, head_dim=128),
    ModelShape("Llama-3.2-3B", n_layers=28, n_kv_heads=8, head_dim=128),
]}


def shape(name: str) -> ModelShape:
    """The :class:`ModelShape` called ``name`` in :data:`SHAPES` (ValueError listing the names otherwise)."""
    if name not in SHAPES:
        raise ValueError(f"`name` must be one of {sorted(SHAPES)}, got {name!r}.")
    return SHAPES[name]


def _bytes_per_value(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`bytes_per_value` must be a number, got {value!r}.") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(
            f"`bytes_per_value` must be > 0 (2 for fp16/bf16, 1 for fp8, 0.5 for 4-bit), got {value!r}."
        )
    return v


def bytes_per_token(model: ModelShape, bytes_per_value: float = 2) -> float:
    """Bytes one token adds to the cache in every (global) layer: 2 · layers · kv heads · head dim · bytes.

    Parameters
    ----------
    model : ModelShape
    bytes_per_value : float, optional
        Storage per number: 2 (fp16/bf16, default), 1 (fp8), 0.5 (4-bit).

    Returns
    -------
    float
        Bytes per token when no layer is local (the slope of :func:`kv_bytes` for w ≤ ``local_window``).

    Notes
    -----
    The per-token cost of :eq:`eq-kv-memory-bytes`.

    Examples
    --------
    >>> bytes_per_token(SHAPES["SmolLM2-135M"])     # 2 · 30 layers · 3 heads · 64 dims · 2 bytes
    23040.0
    """
    b = _bytes_per_value(bytes_per_value)
    return 2.0 * model.n_layers * model.n_kv_heads * model.head_dim * b


def kv_bytes(w, model: ModelShape, bytes_per_value: float = 2):
    """KV-cache size in bytes of a window of ``w`` tokens.

    Parameters
    ----------
    w : int or array_like of int
        Cached tokens, ≥ 0.
    model : ModelShape
    bytes_per_value : float, optional
        Storage per number (2 for fp16/bf16).

    Returns
    -------
    float or numpy.ndarray
        2 · head_dim · kv heads · bytes · (n_global · w + n_local · min(w, local_window)).

    Notes
    -----
    :eq:`eq-kv-memory-bytes`; for a model without local layers this is ``bytes_per_token · w``.
    """
    if not isinstance(model, ModelShape):
        raise TypeError(f"`model` must be a ModelShape (see lib.kv.memory.SHAPES), got {type(model).__name__}.")
    arr = np.asarray(w, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"`w` must be a number of tokens >= 0, got {w!r}.")
    b = _bytes_per_value(bytes_per_value)
    per_layer = 2.0 * model.n_kv_heads * model.head_dim * b
    n_global = model.n_layers - model.n_local_layers
    local = np.minimum(arr, model.local_window) if model.n_local_layers else 0.0
    out = per_layer * (n_global * arr + model.n_local_layers * local)
    return float(out) if np.ndim(out) == 0 else out


def format_bytes(n) -> str:
    """Human-readable binary size: ``format_bytes(1536) == '1.5 KiB'``."""
    n = float(n)
    if not (math.isfinite(n) and n >= 0):
        raise ValueError(f"`n` must be a finite number of bytes >= 0, got {n!r}.")
    if n < 1024:
        return f"{n:.0f} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024:
            break
    return f"{n:.3g} {unit}"
