"""Argument checks of the theory modules of :mod:`lib.kv`: the shared checks of :mod:`lib.infotheory`, as scalars."""
from __future__ import annotations

from lib.infotheory._validate import count as integer
from lib.infotheory._validate import positive as _positive

__all__ = ["integer", "positive"]


def positive(value, name: str) -> float:
    """``value`` as a finite float > 0 (``ValueError`` naming ``name`` otherwise)."""
    return float(_positive(value, name))
