"""The press comparison of :ref:`kv-policies`: exponents in the budget and paired ratios at equal budget.

Reads ``book/data/kv/<model>-presses`` (``python -m lib.kv press``) into a :class:`lib.kv.store.Measurement`
(press → policy, budget → window), so that the book's curve and bootstrap tools apply unchanged.

Every interval resamples **articles** (segments) with replacement, the same draw for every press and budget:
two presses compared at one budget are read on the same (article, target) pairs, and an article's targets
stay together (they share its text, so they are not independent).
"""
from __future__ import annotations

import numpy as np

from lib import store

from .fits import _boot_args, bootstrap_alpha
from .stats import loglog_curvature
from .store import Measurement

__all__ = ["press_measurement", "paired_ratio", "press_curves", "press_law", "press_ratios", "press_summary"]

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
    per_a, per_b : array_like, shape [n_segments] or [n_segments, n_budgets]
        Per-segment means of two methods on the same segments (row i = the same segment; column j = the same
        budget). Every replicate draws one set of segments for both methods and every budget.
    n_boot, seed, level
        Replicates (>= 10), seed of ``numpy.random.default_rng``, coverage in (0, 1).

    Returns
    -------
    ratio, lo, hi : float, or ndarray [n_budgets] for 2-D input
        ``Σ_i a_i / Σ_i b_i`` and the interval of the same ratio over resampled segments.
    """
    a, b = np.asarray(per_a, dtype=float), np.asarray(per_b, dtype=float)
    if a.shape != b.shape or a.ndim not in (1, 2) or a.shape[0] < 2:
        raise ValueError(f"`per_a` and `per_b` must have one shape [n_segments >= 2] or [n_segments, n_budgets], "
                         f"got {a.shape} and {b.shape}")
    rng, tail = _boot_args(n_boot, seed, level)
    picks = rng.integers(0, a.shape[0], size=(int(n_boot), a.shape[0]))
    boot = a[picks].sum(1) / b[picks].sum(1)
    out = (a.sum(0) / b.sum(0), np.percentile(boot, tail, axis=0), np.percentile(boot, 100 - tail, axis=0))
    return tuple(float(v) for v in out) if a.ndim == 1 else out


def press_curves(m: Measurement) -> dict:
    """``press -> (w, mean, per_segment)`` for every press of ``m``, checked to share budgets and segments."""
    curves = {p: m.curve(p, False) for p, _ in m.variants()}
    segs = {p: tuple(np.unique(m.rows["segment"][m.rows["policy"] == p])) for p in curves}
    if len(set(segs.values())) != 1 or len({tuple(c[0]) for c in curves.values()}) != 1:
        raise ValueError(f"the presses of {m.name!r} must share their segments and budgets to be paired; "
                         "merge only finished runs")
    return curves


def press_law(w, per_segment, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """Power-law exponent and log-log curvature of one press's curve, with bootstrap intervals over articles.

    Parameters
    ----------
    w : array_like, shape [n_budgets]
    per_segment : array_like, shape [n_segments, n_budgets]

    Returns
    -------
    dict
        ``alpha`` = (α, lo, hi) of :math:`\\bar D(w) \\approx C w^{-\\alpha}` (least squares in log-log);
        ``kappa`` = (κ, lo, hi), κ = d² ln D̄ / d(ln w)² of a quadratic fit (0 for a power law); ``power_law``:
        whether κ's interval contains 0, i.e. no curvature is detectable over the budgets measured.
    """
    alpha = bootstrap_alpha(w, per_segment, n_boot=n_boot, seed=seed, level=level)
    kappa = loglog_curvature(w, per_segment, n_boot=n_boot, seed=seed, level=level)
    return {"alpha": alpha, "kappa": kappa, "power_law": bool(kappa[1] <= 0 <= kappa[2])}


def press_ratios(m: Measurement, reference: str, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """``press -> (w, ratio, lo, hi)``: each press's mean KL over ``reference``'s at every budget, paired.

    The ratio at budget w is :math:`\\sum_i D_{p,i}(w) / \\sum_i D_{\\mathrm{ref},i}(w)` over articles i, both
    on the same targets; its interval comes from :func:`paired_ratio` (one draw of articles for all budgets).
    """
    curves = press_curves(m)
    if reference not in curves:
        raise ValueError(f"unknown `reference` {reference!r}: use one of {sorted(curves)}")
    ref = curves[reference][2]
    return {p: (w, *paired_ratio(seg, ref, n_boot=n_boot, seed=seed, level=level))
            for p, (w, _, seg) in curves.items()}


def press_summary(m: Measurement, budget: int, n_boot: int = 1000, seed: int = 0) -> list:
    """Per press: its law (:func:`press_law`), mean KL at ``budget``, and paired ratios to ``window`` and ``random``.

    Returns
    -------
    list of dict, sorted by the mean KL at ``budget`` (best first)
        Keys ``press``, ``alpha``, ``alpha_lo``, ``alpha_hi``, ``kappa`` (triple), ``power_law``, ``kl``, and
        ``window`` / ``random``: (ratio, lo, hi) at ``budget``.
    """
    curves = press_curves(m)
    ratios = {ref: press_ratios(m, ref, n_boot=n_boot, seed=seed) for ref in ("window", "random")}
    out = []
    for press, (w, mean, seg) in curves.items():
        if budget not in w:
            raise ValueError(f"`budget` {budget} was not measured; use one of {w.tolist()}")
        k = int(np.flatnonzero(w == budget)[0])
        law = press_law(w, seg, n_boot=n_boot, seed=seed)
        row = {"press": press, "alpha": law["alpha"][0], "alpha_lo": law["alpha"][1], "alpha_hi": law["alpha"][2],
               "kappa": law["kappa"], "power_law": law["power_law"], "kl": float(mean[k])}
        for ref, table in ratios.items():
            row[ref] = tuple(float(v[k]) for v in table[press][1:])
        out.append(row)
    return sorted(out, key=lambda r: r["kl"])
