"""Static figures of the measured chapters (polynomial sensitivity, sinks and positions, policies).

Every function reads stored measurements (``{name: lib.kv.store.Measurement}``), never a model, and returns
the figure it draws. Bands are 95 % percentile bootstraps over text segments. No titles: the caption is
the title; axis labels are lowercase with units.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .fits import fit_exponential, fit_power_law
from .measured import (MODELS_MEASURED, VARIANT_LABELS, curve_band, local_slopes, parse_variant, ratio_curve,
                       ratio_law)

__all__ = ["VARIANT_STYLE", "sensitivity_bands", "local_slope_profile", "variant_curves", "ratio_profile"]

_LW = 2
#: Colour and line style of each variant (position-preserving variants dashed).
VARIANT_STYLE = {
    "sliding": ("#1f77b4", "-"), "sliding:pres": ("#1f77b4", "--"),
    "sink": ("#9467bd", "-"), "sink:pres": ("#9467bd", "--"),
    "random": ("#d62728", "-"), "random:pres": ("#d62728", "--"),
    "block_markov": ("#ff7f0e", "-"),
    "evict_sliding:pres": ("#8c564b", ":"), "evict_sink:pres": ("#2ca02c", ":"),
    "streaming_llm": ("#17becf", "-."), "evict_h2o:pres": ("#bcbd22", ":"), "h2o": ("#bcbd22", "-"),
}
_MODEL_COLORS = ("#1f77b4", "#e377c2")


def _panels(measurements, xlabel, ylabel="mean KL (nats)", height=3.6):
    names = list(measurements)
    fig, axes = plt.subplots(1, len(names), figsize=(4.7 * len(names), height), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.set_xlabel(xlabel)
        ax.text(0.97, 0.96, MODELS_MEASURED.get(name, name), transform=ax.transAxes, ha="right", va="top",
                fontsize=9)
    axes[0][0].set_ylabel(ylabel)
    return fig, axes[0]


def _finish(fig, axes, loc="lower left"):
    for ax in axes:
        ax.legend(frameon=False, fontsize=8, loc=loc)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _band(ax, w, per_segment, color, n_boot, seed):
    lo, hi = curve_band(per_segment, n_boot=n_boot, seed=seed)
    ax.fill_between(w, lo, hi, color=color, alpha=0.18, lw=0)


def sensitivity_bands(measurements: dict, n_boot: int = 1000, seed: int = 0):
    """Measured Δ(w) of the sliding window per model: mean, bootstrap band, segments, power-law fit."""
    fig, axes = _panels(measurements, "window w (tokens)")
    for ax, m in zip(axes, measurements.values()):
        w, mean, per_segment = m.curve("sliding")
        for row in per_segment:
            ax.loglog(w, row, color="0.6", lw=0.5, alpha=0.35)
        _band(ax, w, per_segment, VARIANT_STYLE["sliding"][0], n_boot, seed)
        ax.loglog(w, mean, "o-", color=VARIANT_STYLE["sliding"][0], lw=_LW, ms=4, label="mean over segments")
        C, alpha = fit_power_law(w, mean)
        ax.loglog(w, C * w ** -alpha, "k--", lw=1.2, label=f"C·w^(−α), α = {alpha:.2f}")
        ax.plot([], [], color="0.6", lw=0.8, label="single segments")
        ax.set_ylim(np.nanmin(per_segment[per_segment > 0]) * 0.8, np.nanmax(per_segment) * 1.3)
    return _finish(fig, axes)


def local_slope_profile(measurements: dict, fit_max: float = 32, step: int = 2, n_boot: int = 1000,
                        seed: int = 0):
    """Local exponent between windows a factor 2 apart, against what the power law and the exponential
    (fitted on w ≤ ``fit_max``) predict for the same pairs of windows."""
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for k, (name, m) in enumerate(measurements.items()):
        w, mean, per_segment = m.curve("sliding")
        mid, slope, lo, hi = local_slopes(w, per_segment, step=step, n_boot=n_boot, seed=seed)
        color = _MODEL_COLORS[k % len(_MODEL_COLORS)]
        shift = 1.0 + 0.05 * (k - 0.5)  # side by side
        label = MODELS_MEASURED.get(name, name)
        ax.errorbar(mid * shift, slope, yerr=[slope - lo, hi - slope], fmt="o", ms=4, color=color, capsize=2,
                    label=f"{label}: measured local exponent")
        _, alpha = fit_power_law(w, mean)
        ax.semilogx(mid, np.full(mid.shape, alpha), "--", color=color, lw=1.2, label=f"{label}: power law, all w")
        train = w <= fit_max
        _, lam = fit_exponential(w[train], mean[train])
        pred = lam * (w[step:] - w[:-step]) / np.log(w[step:] / w[:-step])
        ax.semilogx(mid, pred, ":", color=color, lw=1.4, label=f"{label}: exponential fitted on w ≤ {fit_max:g}")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_ylim(-0.5, 3.5)
    ax.set_xlabel("window w (tokens, geometric midpoint of w and 2w)")
    ax.set_ylabel("local exponent")
    ax.legend(frameon=False, fontsize=7.5, loc="upper left")
    fig.tight_layout()
    plt.close(fig)
    return fig


def variant_curves(measurements: dict, variants, n_boot: int = 1000, seed: int = 0, xlabel="budget w (tokens)"):
    """Mean KL against the budget for several variants per model, each with its bootstrap band."""
    fig, axes = _panels(measurements, xlabel)
    for ax, m in zip(axes, measurements.values()):
        for variant in variants:
            w, mean, per_segment = m.curve(*parse_variant(variant))
            color, ls = VARIANT_STYLE[variant]
            _band(ax, w, per_segment, color, n_boot, seed)
            ax.loglog(w, mean, ls, color=color, lw=_LW, marker="o", ms=3, label=VARIANT_LABELS[variant])
    return _finish(fig, axes)


def ratio_profile(measurements: dict, num: str = "random", den: str = "sliding", target: float = 100.0,
                  n_boot: int = 1000, seed: int = 0):
    """Ratio of two policies' KL at equal budget with its band, and the fitted c·w^γ run out to ``target``."""
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    w_end = 0
    for k, (name, m) in enumerate(measurements.items()):
        w, ratio, lo, hi = ratio_curve(m, num, den, n_boot=n_boot, seed=seed)
        c, gamma, w_target = ratio_law(w, ratio, target)
        color = _MODEL_COLORS[k % len(_MODEL_COLORS)]
        ax.fill_between(w, lo, hi, color=color, alpha=0.18, lw=0)
        ax.loglog(w, ratio, "o-", color=color, lw=_LW, ms=4, label=f"{MODELS_MEASURED.get(name, name)}")
        grid = np.geomspace(w.min(), min(max(w_target, w.max()), 1e6), 100)
        ax.loglog(grid, c * grid ** gamma, ":", color=color, lw=1.2, label=f"c·w^γ, γ = {gamma:.2f}")
        w_end = max(w_end, grid.max())
    ax.axhline(target, color="0.4", lw=1, ls="--")
    ax.set_xlim(3, w_end * 1.5)
    ax.set_ylim(top=target * 2.5)
    ax.text(w_end * 1.4, target * 1.12, f"{target:g}×", fontsize=8.5, color="0.35", ha="right")
    ax.set_xlabel("budget w (tokens)")
    ax.set_ylabel(f"{num} ÷ {den}, mean KL")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout()
    plt.close(fig)
    return fig
