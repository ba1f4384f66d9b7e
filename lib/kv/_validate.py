"""Argument checks of the theory modules of :mod:`lib.kv`: the shared checks of :mod:`lib.checks`, as scalars."""
from __future__ import annotations

from lib.checks import count as _count
from lib.checks import positive as _positive

__all__ = ["integer", "positive"]


def integer(value, name: str, minimum: int = 1) -> int:
    """``value`` as a Python int ``>= minimum`` (``TypeError``/``ValueError`` naming ``name`` otherwise)."""
    return _count(value, name, low=minimum)


def positive(value, name: str) -> float:
    """``value`` as a finite float > 0 (``ValueError`` naming ``name`` otherwise)."""
    return float(_positive(value, name))
