"""The press comparison of :ref:`kv-policies`: exponents in the budget and paired ratios at equal budget.

Reads ``book/data/kv/<model>-presses`` (``python -m lib.kv press``) into a :class:`lib.kv.store.Measurement`
(press → policy, budget → window), so that the book's curve and bootstrap tools apply unchanged.
"""
from __future__ import annotations

import numpy as np

from lib import store

from .fits import bootstrap_alpha
from .store import Measurement

__all__ = ["press_measurement", "paired_ratio", "press_summary"]

_TYPES = {"press": str, "budget": int, "entries": float, "segment": int, "kl": float, "nll_excess": float,
          "n": int}


def press_measurement(model: str, column: str = "kl", data_dir=None) -> Measurement:
    """The stored press table of ``model`` as a Measurement whose ``kl`` is ``column`` (kl or nll_excess)."""
    folder = store.DATA_DIR / "kv" if data_dir is None else data_dir
    meta, rows = store.read_table(folder / f"{model}-presses", _TYPES)
    n = len(rows["press"])
    return Measurement(f"{model}-presses", meta, {
        "policy": rows["press"], "position_preserving": np.zeros(n, dtype=bool), "segment": rows["segment"],
        "target": np.full(n, -1), "window": rows["budget"], "kl": rows[column], "n": rows["n"]})


def paired_ratio(per_a, per_b, n_boot: int = 1000, seed: int = 0, level: float = 0.95):
    """Ratio of mean distortions ``mean(a) / mean(b)`` with a paired percentile bootstrap over segments.

    Parameters
    ----------
    per_a, per_b : array_like, shape [n_segments]
        Per-segment means of two methods on the same segments (row i = the same segment).
    n_boot, seed, level
        Replicates (>= 10), seed of ``numpy.random.default_rng``, coverage in (0, 1).

    Returns
    -------
    ratio, lo, hi : float
        ``Σ a_i / Σ b_i`` and the interval of the same ratio over resampled segments.
    """
    a, b = np.asarray(per_a, dtype=float), np.asarray(per_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError(f"`per_a` and `per_b` must be 1-D, of one length >= 2, got {a.shape} and {b.shape}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise ValueError(f"`n_boot` must be an integer >= 10, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"`level` must lie in (0, 1), got {level!r}")
    picks = np.random.default_rng(seed).integers(0, a.size, size=(int(n_boot), a.size))
    boot = a[picks].sum(1) / b[picks].sum(1)
    tail = 100 * (1 - level) / 2
    return float(a.sum() / b.sum()), float(np.percentile(boot, tail)), float(np.percentile(boot, 100 - tail))


def press_summary(m: Measurement, budget: int, n_boot: int = 1000, seed: int = 0) -> list:
    """Per press: α [CI] over every budget, mean KL at ``budget``, and paired ratios to ``window`` and ``random``.

    Returns
    -------
    list of dict, sorted by the mean KL at ``budget`` (best first)
    """
    curves = {p: m.curve(p, False) for p, _ in m.variants()}
    out = []
    for press, (w, mean, seg) in curves.items():
        k = int(np.flatnonzero(w == budget)[0])
        alpha, lo, hi = bootstrap_alpha(w, seg, n_boot=n_boot, seed=seed)
        row = {"press": press, "alpha": alpha, "alpha_lo": lo, "alpha_hi": hi, "kl": float(mean[k])}
        for ref in ("window", "random"):
            row[ref] = paired_ratio(seg[:, k], curves[ref][2][:, k], n_boot=n_boot, seed=seed)
        out.append(row)
    return sorted(out, key=lambda r: r["kl"])
