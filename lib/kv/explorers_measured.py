"""Explorers of the measured chapters: each function returns a :class:`lib.explore.Explorer`.

They read the stored measurements once (``lib.kv.store``) and then only refit small arrays, so one state
costs a few milliseconds. Bootstrap bands are drawn as dotted lower and upper edges.
"""
from __future__ import annotations

import numpy as np

from lib.explore import Choice, Explorer, Param, Trace, View

from . import store
from .fits import bootstrap_alpha, fit_exponential, fit_power_law
from .measured import MODELS_MEASURED, VARIANT_LABELS, curve_band, parse_variant, ratio_curve

__all__ = ["fit_range", "sinks_positions", "equal_budget"]

_NAMES = tuple(MODELS_MEASURED)
_BY_TITLE = {MODELS_MEASURED[n]: n for n in _NAMES}
_COLORS = {"sliding": "#1f77b4", "sliding:pres": "#17becf", "sink": "#9467bd", "sink:pres": "#c5b0d5",
           "random": "#d62728", "block_markov": "#ff7f0e", "evict_sliding:pres": "#8c564b",
           "evict_sink:pres": "#2ca02c"}


def _model_param() -> Choice:
    return Choice("model", list(_BY_TITLE), default=MODELS_MEASURED[_NAMES[0]])


def _curves(variants, n_boot=400):
    """``{model: {variant: (w, mean, lo, hi, per_segment)}}`` read once from the stored data (no band, i.e.
    ``lo = hi = mean``, when ``n_boot`` is None)."""
    out = {}
    for name in _NAMES:
        m = store.load(name)
        out[name] = {}
        for v in variants:
            w, mean, per_segment = m.curve(*parse_variant(v))
            lo, hi = (mean, mean) if n_boot is None else curve_band(per_segment, n_boot=n_boot)
            out[name][v] = (w.astype(float), mean, lo, hi, per_segment)
    return out


def fit_range() -> Explorer:
    """Power law and exponential fitted on a chosen window range, extrapolated over the whole grid
    (chapter :ref:`kv-polynomial-sensitivity`)."""
    data = _curves(["sliding"])

    def compute(model, w_lo, w_hi):
        w, mean, lo, hi, per_segment = data[_BY_TITLE[model]]["sliding"]
        fit = (w >= w_lo) & (w <= w_hi)
        C, alpha = fit_power_law(w[fit], mean[fit])
        Ce, lam = fit_exponential(w[fit], mean[fit])
        _, a_lo, a_hi = bootstrap_alpha(w, per_segment, n_boot=300, seed=0, w_range=(w_lo, w_hi))
        out = ~fit
        err_p = np.mean(np.abs(np.log10(C * w[out] ** -alpha / mean[out]))) if out.any() else 0.0
        err_e = np.mean(np.abs(np.log10(Ce * np.exp(-lam * w[out]) / mean[out]))) if out.any() else 0.0
        grid = np.geomspace(4, 256, 80)
        return View([
            Trace("measured Δ(w)", w, mean, mode="markers", color="#333333"),
            Trace("95% band", w, lo, dash="dot", color="#999999"),
            Trace("95% band (upper)", w, hi, dash="dot", color="#999999"),
            Trace("power law fitted on the range", grid, C * grid ** -alpha, color="#1f77b4"),
            Trace("exponential fitted on the range", grid, np.maximum(Ce * np.exp(-lam * grid), 1e-4),
                  dash="dash", color="#d62728"),
            Trace("windows used in the fit", w[fit], mean[fit], mode="markers", color="#1f77b4"),
        ], note=(f"{model}, fit on {w_lo}–{w_hi}: α = {alpha:.2f} "
                 f"[{a_lo:.2f}, {a_hi:.2f}]; error outside the range: power law {err_p:.2f} dex, "
                 f"exponential {err_e:.2f} dex."))

    return Explorer("kv-ps-fit-range",
                    [_model_param(),
                     Param("w_lo", 4, 16, default=4, integer=True, values=[4, 6, 8, 11, 16],
                           label="fit from w (tokens)"),
                     Param("w_hi", 23, 256, default=32, integer=True, values=[23, 32, 45, 64, 128, 256],
                           label="fit up to w (tokens)")],
                    compute, x_label="window w (tokens)", y_label="mean KL (nats)", log_x=True, log_y=True)


def sinks_positions() -> Explorer:
    """Sliding window against sink + recent, re-indexed against original positions, and eviction without
    recompute; exponents fitted from a chosen smallest window (chapter :ref:`kv-sinks-and-positions`)."""
    variants = ["sliding", "sliding:pres", "sink", "sink:pres", "evict_sliding:pres", "evict_sink:pres"]
    data = _curves(variants)

    def compute(model, w_lo):
        traces, parts = [], []
        for v in variants:
            w, mean, lo, hi, per_segment = data[_BY_TITLE[model]][v]
            a, a_lo, a_hi = bootstrap_alpha(w, per_segment, n_boot=300, seed=0, w_range=(w_lo, 256))
            traces.append(Trace(VARIANT_LABELS[v], w, mean, mode="lines+markers", color=_COLORS[v],
                                dash="dot" if v.startswith("evict") else ("dash" if ":pres" in v else None)))
            short = v.replace("evict_", "evict ").replace(":pres", " pres").replace("sliding", "slide")
            parts.append(f"{short} {a:.2f} [{a_lo:.2f}, {a_hi:.2f}]")
        return View(traces, note=f"α fitted on w ≥ {w_lo}: " + "; ".join(parts))

    return Explorer("kv-sp-variants",
                    [_model_param(),
                     Param("w_lo", 6, 32, default=8, integer=True, values=[6, 8, 16, 32],
                           label="fit from w (tokens)")],
                    compute, x_label="budget w (tokens)", y_label="mean KL (nats)", log_x=True, log_y=True)


def equal_budget() -> Explorer:
    """All policies at equal budget, with the random / sliding ratio at a chosen budget
    (chapter :ref:`kv-policies`)."""
    variants = ["sliding", "sink", "block_markov", "random", "evict_sink:pres"]
    data = _curves(variants, n_boot=None)
    ratios = {name: ratio_curve(store.load(name), "random", "sliding", n_boot=400) for name in _NAMES}
    grid = [int(v) for v in data[_NAMES[0]]["sliding"][0]]

    def compute(model, w):
        name = _BY_TITLE[model]
        traces = [Trace(VARIANT_LABELS[v], data[name][v][0], data[name][v][1], mode="lines+markers",
                        color=_COLORS[v], dash="dot" if v.startswith("evict") else None) for v in variants]
        at = []
        for v in variants:
            wv, mean = data[name][v][0], data[name][v][1]
            at.append(mean[wv == w][0] if (wv == w).any() else np.nan)
        traces.append(Trace("chosen budget", [w] * len(variants), at, mode="markers", color="#000000"))
        rw, ratio, lo, hi = ratios[name]
        k = int(np.flatnonzero(rw == w)[0])
        sink = at[1] / at[0] if np.isfinite(at[1]) else np.nan
        return View(traces, note=(f"{MODELS_MEASURED[name]}, w = {w}: random ÷ sliding = {ratio[k]:.1f}× "
                                  f"[{lo[k]:.1f}, {hi[k]:.1f}]; sink+recent ÷ sliding = {sink:.2f}; "
                                  f"block-Markov ÷ sliding = {at[2] / at[0]:.2f}."))

    return Explorer("kv-pol-equal-budget",
                    [_model_param(),
                     Param("w", min(grid), max(grid), default=64, integer=True, values=grid,
                           label="budget w (tokens)")],
                    compute, x_label="budget w (tokens)", y_label="mean KL (nats)", log_x=True, log_y=True)
