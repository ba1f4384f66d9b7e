"""Argument checks shared by the modules of :mod:`lib.bits` (private).

Every check raises ``ValueError`` (or ``TypeError`` for a wrong type) whose message names the argument in
backticks, states the allowed range and what was received.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__: list[str] = []


def count(name: str, value, low: int = 1) -> int:
    """``value`` as a Python int if it is a whole number (int or numpy integer, not bool) and ``>= low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"`{name}` must be an integer >= {low} (a count), got {value!r} of type {type(value).__name__}; "
            "pass a whole number such as 16."
        )
    value = int(value)
    if value < low:
        raise ValueError(f"`{name}` must be an integer >= {low}, got {value}.")
    return value


def counts(name: str, value, low: int = 1) -> np.ndarray:
    """A scalar or array of whole numbers ``>= low``, returned as an int64 array (shape kept)."""
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"`{name}` must be an integer >= {low} or an array of them, got {value!r}; "
            "pass whole numbers such as 1000."
        )
    if arr.size and arr.min() < low:
        raise ValueError(f"`{name}` must be >= {low} everywhere, got a minimum of {arr.min()}.")
    return arr.astype(np.int64)


def _real_number(name: str, value, allowed: str) -> float:
    """``value`` as a float if it is a real number (not bool); ``TypeError`` naming ``allowed`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number in {allowed}, got {value!r} of type {type(value).__name__}.")
    return float(value)


def positive(name: str, value, allow_inf: bool = False) -> float:
    """``value`` as a float if it is a real number ``> 0`` (finite unless ``allow_inf``)."""
    allowed = "(0, inf]" if allow_inf else "(0, inf) (finite)"
    value = _real_number(name, value, allowed)
    if math.isnan(value) or value <= 0 or (math.isinf(value) and not allow_inf):
        raise ValueError(f"`{name}` must lie in {allowed}, got {value}.")
    return value


def nonnegative(name: str, value) -> float:
    """``value`` as a float if it is a finite real number ``>= 0``."""
    value = _real_number(name, value, "[0, inf)")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"`{name}` must lie in [0, inf) (finite), got {value}.")
    return value


def real(name: str, value) -> float:
    """``value`` as a float if it is a finite real number."""
    value = _real_number(name, value, "(-inf, inf)")
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite real number, got {value}.")
    return value


def correlation(name: str, value) -> float:
    """``value`` as a float if it lies in the open interval (-1, 1)."""
    value = _real_number(name, value, "(-1, 1)")
    if not (-1.0 < value < 1.0):
        raise ValueError(f"`{name}` must lie in (-1, 1) (a stationary AR(1) correlation), got {value}.")
    return value


def sorted_thresholds(name: str, value) -> np.ndarray:
    """A 1-D float array of finite, strictly increasing thresholds (may be empty)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a 1-D sequence of real numbers, got {value!r}.") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite (no NaN or inf), got {arr.tolist()}.")
    if arr.size > 1 and not np.all(np.diff(arr) > 0):
        raise ValueError(
            f"`{name}` must be sorted in strictly increasing order, got {arr.tolist()}; sort them and "
            "remove repeats."
        )
    return arr
