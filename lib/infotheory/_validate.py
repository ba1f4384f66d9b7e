"""Argument checks shared by the modules of :mod:`lib.infotheory` (private).

Every check raises ``ValueError`` (or ``TypeError``) whose message names the argument in backticks, states the
allowed range and says what to do, as the book's library rules ask.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["PROB_ATOL", "as_float_array", "positive", "nonnegative", "in_open_unit", "count", "base_factor",
           "probability", "scalar_or_array"]

#: Tolerance on ``sum(p) == 1`` for probability vectors.
PROB_ATOL = 1e-8


def as_float_array(x, name: str) -> np.ndarray:
    """``x`` as a float array; ``TypeError`` if it is not numeric, ``ValueError`` if it holds NaN."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a number or an array of numbers, got {x!r}.") from None
    if np.isnan(arr).any():
        raise ValueError(f"`{name}` must not contain NaN; got {x!r}. Remove or replace the missing values.")
    return arr


def positive(x, name: str, allow_inf: bool = False) -> np.ndarray:
    """Array of ``x`` checked to be > 0 (and finite unless ``allow_inf``)."""
    arr = as_float_array(x, name)
    bad = ~(arr > 0) | (~np.isfinite(arr) if not allow_inf else np.zeros(arr.shape, bool))
    if bad.any():
        upper = "inf]" if allow_inf else "inf)"
        raise ValueError(f"`{name}` must lie in (0, {upper}, got {x!r}. Pass a positive value.")
    return arr


def nonnegative(x, name: str) -> np.ndarray:
    """Array of ``x`` checked to be finite and >= 0."""
    arr = as_float_array(x, name)
    if (~np.isfinite(arr) | (arr < 0)).any():
        raise ValueError(f"`{name}` must lie in [0, inf), got {x!r}. Pass a finite non-negative value.")
    return arr


def in_open_unit(x, name: str) -> np.ndarray:
    """Array of ``x`` checked to lie in (0, 1)."""
    arr = as_float_array(x, name)
    if ((arr <= 0) | (arr >= 1)).any():
        raise ValueError(f"`{name}` must lie in (0, 1), got {x!r}. Pass a probability strictly between 0 and 1.")
    return arr


def count(x, name: str, minimum: int = 1) -> int:
    """``x`` as a Python int >= ``minimum``; non-integers (2.5, True) are errors, numpy integers are fine."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer >= {minimum}, got {x!r}. Pass a whole number.")
    if int(x) < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {x!r}.")
    return int(x)


def base_factor(base, name: str = "base") -> float:
    """Divisor that converts nats to units of ``base`` (1 for ``None``, i.e. nats)."""
    if base is None:
        return 1.0
    b = as_float_array(base, name)
    if b.ndim != 0 or not np.isfinite(b) or b <= 0 or b == 1:
        raise ValueError(f"`{name}` must be None (nats) or a positive number other than 1 (2 gives bits), "
                         f"got {base!r}.")
    return float(np.log(b))


def probability(p, name: str, ndim: int | None = None) -> np.ndarray:
    """Probability array: finite, non-negative, summing to 1 along the last axis (all axes if ``ndim == 2``)."""
    arr = as_float_array(p, name)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"`{name}` must be a non-empty array of probabilities, got {p!r}.")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"`{name}` must be a {ndim}-dimensional array, got shape {arr.shape}.")
    if (~np.isfinite(arr) | (arr < 0)).any():
        raise ValueError(f"`{name}` must have entries in [0, 1] (non-negative and finite), got {p!r}.")
    total = arr.sum() if ndim == 2 else arr.sum(axis=-1)
    if not np.allclose(total, 1.0, rtol=0, atol=PROB_ATOL):
        raise ValueError(f"`{name}` must sum to 1 (within {PROB_ATOL:g}), got sum {np.round(total, 10)}. "
                         "Normalise it first, e.g. p / p.sum().")
    return arr


def scalar_or_array(values: np.ndarray):
    """Return a Python float for 0-d results, the array otherwise."""
    return float(values) if np.ndim(values) == 0 else values
