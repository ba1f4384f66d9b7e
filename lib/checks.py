"""Argument checks for the whole library: one dialect, value first (like numpy and scipy).

Every check takes the value, then the parameter's name as the reader sees it in the signature, and either
returns the value in a canonical form or raises:

- ``TypeError`` when the value has the wrong type (a string for a count, 2.5 for a whole number);
- ``ValueError`` when the type is right but the value is not allowed (a negative ``B``, ``rho`` outside (-1, 1)).

Messages name the parameter in backticks, state the allowed range, say what was received and, where it
helps, how to fix it.  Checks that accept arrays return a Python ``float`` for a scalar and a float array
(shape kept) otherwise, so a bound written once serves a number and a grid.

>>> positive(2, "sigma")
2.0
>>> positive([1, 2.5], "sigma")
array([1. , 2.5])
>>> correlation(1.0, "rho")
Traceback (most recent call last):
...
ValueError: `rho` must lie in (-1, 1) (a stationary AR(1) correlation), got 1.0.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

__all__ = ["PROB_ATOL", "count", "counts", "real_array", "positive", "nonnegative", "real", "correlation",
           "in_open_unit", "probability", "log_base", "sorted_thresholds", "choice", "scalar_or_array"]

#: Tolerance on ``sum(p) == 1`` for probability vectors.
PROB_ATOL = 1e-8


def scalar_or_array(values):
    """A Python float for a 0-d result, the float array otherwise."""
    arr = np.asarray(values, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def count(value, name: str, low: int = 1) -> int:
    """``value`` as a Python int: a whole number (int or numpy integer, not bool) ``>= low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer >= {low}, got {value!r} of type {type(value).__name__}; "
                        "pass a whole number such as 16.")
    if int(value) < low:
        raise ValueError(f"`{name}` must be an integer >= {low}, got {int(value)}.")
    return int(value)


def counts(value, name: str, low: int = 1) -> np.ndarray:
    """A scalar or array of whole numbers ``>= low``, as an int64 array (shape kept)."""
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"`{name}` must be an integer >= {low} or an array of them, got {value!r}; "
                        "pass whole numbers such as 1000.")
    if arr.size and arr.min() < low:
        raise ValueError(f"`{name}` must be an integer >= {low} everywhere, got a minimum of {arr.min()}.")
    return arr.astype(np.int64)


def real_array(value, name: str) -> np.ndarray:
    """``value`` as a float array: ``TypeError`` if it is not numeric, ``ValueError`` if it holds NaN."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"`{name}` must be a real number or an array of them, got {value!r}.")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a real number or an array of them, got {value!r}.") from None
    if np.isnan(arr).any():
        raise ValueError(f"`{name}` must not contain NaN, got {value!r}; remove or replace the missing values.")
    return arr


def positive(value, name: str, allow_inf: bool = False):
    """``value`` checked to be ``> 0`` (and finite unless ``allow_inf``); float or float array."""
    arr = real_array(value, name)
    bad = ~(arr > 0) if allow_inf else ~((arr > 0) & np.isfinite(arr))
    if bad.any():
        allowed = "(0, inf]" if allow_inf else "(0, inf) (finite)"
        raise ValueError(f"`{name}` must lie in {allowed}, got {value!r}; pass a positive value.")
    return scalar_or_array(arr)


def nonnegative(value, name: str):
    """``value`` checked to be finite and ``>= 0``; float or float array."""
    arr = real_array(value, name)
    if (~np.isfinite(arr) | (arr < 0)).any():
        raise ValueError(f"`{name}` must lie in [0, inf) (finite), got {value!r}.")
    return scalar_or_array(arr)


def real(value, name: str):
    """``value`` checked to be finite; float or float array."""
    arr = real_array(value, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite, got {value!r}.")
    return scalar_or_array(arr)


def correlation(value, name: str):
    """``value`` checked to lie in the open interval (-1, 1); float or float array."""
    arr = real_array(value, name)
    if ((arr <= -1) | (arr >= 1)).any():
        raise ValueError(f"`{name}` must lie in (-1, 1) (a stationary AR(1) correlation), got {value!r}.")
    return scalar_or_array(arr)


def in_open_unit(value, name: str):
    """``value`` checked to lie in (0, 1); float or float array."""
    arr = real_array(value, name)
    if ((arr <= 0) | (arr >= 1)).any():
        raise ValueError(f"`{name}` must lie in (0, 1), got {value!r}; pass a probability strictly between "
                         "0 and 1.")
    return scalar_or_array(arr)


def probability(value, name: str, ndim: int | None = None) -> np.ndarray:
    """A probability array: finite, non-negative, summing to 1 along the last axis (all axes if ``ndim == 2``)."""
    arr = real_array(value, name)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"`{name}` must be a non-empty array of probabilities, got {value!r}.")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"`{name}` must be a {ndim}-dimensional array, got shape {arr.shape}.")
    if (~np.isfinite(arr) | (arr < 0)).any():
        raise ValueError(f"`{name}` must have entries in [0, 1] (non-negative and finite), got {value!r}.")
    total = arr.sum() if ndim == 2 else arr.sum(axis=-1)
    if not np.allclose(total, 1.0, rtol=0, atol=PROB_ATOL):
        raise ValueError(f"`{name}` must sum to 1 (within {PROB_ATOL:g}), got sum {np.round(total, 10)}; "
                         "normalise it first, e.g. p / p.sum().")
    return arr


def log_base(base, name: str = "base") -> float:
    """The divisor ``ln(base)`` that turns nats into units of ``base`` (1 for ``None``, i.e. nats)."""
    if base is None:
        return 1.0
    b = real_array(base, name)
    if b.ndim != 0 or not np.isfinite(b) or b <= 0 or b == 1:
        raise ValueError(f"`{name}` must be None (nats) or a positive number other than 1 (2 gives bits), "
                         f"got {base!r}.")
    return float(np.log(b))


def sorted_thresholds(value, name: str) -> np.ndarray:
    """A 1-D float array of finite, strictly increasing thresholds (may be empty)."""
    arr = np.atleast_1d(real_array(value, name))
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite (no inf), got {arr.tolist()}.")
    if arr.size > 1 and not np.all(np.diff(arr) > 0):
        raise ValueError(f"`{name}` must be strictly increasing, got {arr.tolist()}; sort them and remove "
                         "repeats.")
    return arr


def choice(value, name: str, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options`` (strings); the message lists them otherwise."""
    options = list(options)
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be one of {options}, got {value!r} of type {type(value).__name__}.")
    if value not in options:
        raise ValueError(f"`{name}` must be one of {options}, got {value!r}.")
    return value
