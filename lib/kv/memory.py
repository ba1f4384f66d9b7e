"""KV-cache memory in bytes: what a window of w tokens costs for a given model shape.

Every cached token stores one key and one value vector per layer and per key–value head, so

    bytes(w) = 2 · n_layers · n_kv_heads · head_dim · bytes_per_value · w.

Models with local (sliding-window) attention layers, such as Gemma 3, cap those layers at their own window.
Each model of the registry :data:`lib.kv.models.REGISTRY` carries its shape, from its public config
(``config.json``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lib import checks

__all__ = ["ModelShape", "bytes_per_token", "kv_bytes", "format_bytes"]


@dataclass(frozen=True)
class ModelShape:
    """The attention shape that sets a model's KV-cache size.

    Parameters
    ----------
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

    n_layers: int
    n_kv_heads: int
    head_dim: int
    n_local_layers: int = 0
    local_window: int | None = None
    context: int | None = None
    source: str = "from the model's public config"

    def __post_init__(self):
        checks.count(self.n_layers, "n_layers")
        checks.count(self.n_kv_heads, "n_kv_heads")
        checks.count(self.head_dim, "head_dim")
        checks.count(self.n_local_layers, "n_local_layers", low=0)
        if self.n_local_layers > self.n_layers:
            raise ValueError(
                f"`n_local_layers` must be <= n_layers = {self.n_layers}, got {self.n_local_layers}."
            )
        if self.n_local_layers and self.local_window is None:
            raise ValueError("`local_window` is required when `n_local_layers` > 0.")
        if self.local_window is not None:
            checks.count(self.local_window, "local_window")
        if self.context is not None:
            checks.count(self.context, "context")


def _shape(model) -> ModelShape:
    """The :class:`ModelShape` of ``model``: a shape, or a registry entry carrying one (``.shape``)."""
    found = getattr(model, "shape", model)
    if not isinstance(found, ModelShape):
        raise TypeError(f"`model` must be a ModelShape or a model of lib.kv.models.REGISTRY, got "
                        f"{type(model).__name__}.")
    return found


def _bytes_per_value(value) -> float:
    try:
        return checks.positive(value, "bytes_per_value")
    except ValueError:
        raise ValueError(f"`bytes_per_value` must be > 0 (2 for fp16/bf16, 1 for fp8, 0.5 for 4-bit), "
                         f"got {value!r}.") from None


def bytes_per_token(model, bytes_per_value: float = 2) -> float:
    """Bytes one token adds to the cache when every layer is global.

    :math:`b = 2\\, n_{\\mathrm{layers}}\\, n_{\\mathrm{kv}}\\, d_{\\mathrm{head}}\\, \\beta` for
    :math:`\\beta` bytes per value.

    Parameters
    ----------
    model : ModelShape or lib.kv.models.ModelSpec
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
    >>> from lib.kv.models import REGISTRY
    >>> bytes_per_token(REGISTRY["smollm2-135m"])     # 2 · 30 layers · 3 heads · 64 dims · 2 bytes
    23040.0
    """
    b = _bytes_per_value(bytes_per_value)
    model = _shape(model)
    return 2.0 * model.n_layers * model.n_kv_heads * model.head_dim * b


def kv_bytes(w, model, bytes_per_value: float = 2):
    """KV-cache size in bytes of a window of ``w`` tokens.

    :math:`\\mathrm{bytes}(w) = 2\\, n_{\\mathrm{kv}}\\, d_{\\mathrm{head}}\\, \\beta\\,
    \\bigl(n_{\\mathrm{global}}\\, w + n_{\\mathrm{local}} \\min(w, w_{\\mathrm{local}})\\bigr)`.

    Parameters
    ----------
    w : int or array_like of int
        Cached tokens, ≥ 0.
    model : ModelShape or lib.kv.models.ModelSpec
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
    model = _shape(model)
    try:
        arr = np.asarray(checks.nonnegative(w, "w"), dtype=float)
    except ValueError:
        raise ValueError(f"`w` must be a number of tokens >= 0, got {w!r}.") from None
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
