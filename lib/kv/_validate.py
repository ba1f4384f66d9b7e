"""Argument checks shared by the theory modules of :mod:`lib.kv` (fits, toys, memory, block-Markov)."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["integer", "positive"]


def integer(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``; numpy integers are fine, bools and non-integers (2.5) are not."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {value}.")
    return int(value)


def positive(value, name: str) -> float:
    """``value`` as a finite float > 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be a number, got {value!r}.")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be a finite number > 0, got {value!r}.")
    return float(value)
