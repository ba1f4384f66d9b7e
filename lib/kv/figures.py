"""Static figures of Part II's theory chapters (matplotlib). Each function returns the figure it draws.

Pages call one function per figure cell, ending the line with ``;`` so the inline backend shows it once.
Axis labels are lowercase with units; there are no titles (the caption is the title).
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .block_markov import block_markov_schedule
from .fits import fit_exponential, fit_power_law, window_for_distortion
from .toys import ToyA, gaussian_kl_rate

__all__ = ["wyner_ziv_schematic", "gaussian_kl_rate_curves", "toy_a_window_theorem", "toy_b_findings", "measured_extrapolation",
           "block_markov_timeline", "block_markov_measured"]

_LW = 2
_COLORS = {"sliding": "#1f77b4", "bayes": "#2ca02c", "random": "#d62728", "sink": "#9467bd",
           "block": "#ff7f0e", "bound": "0.45"}


def _box(ax, xy, text, width=0.2, height=0.16, color="#e8eef7"):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.015", fc=color, ec="0.3", lw=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _model_panels(names, xlabel: str, ylabel: str = "mean KL (nats)"):
    """One panel per model, sharing the y axis; returns the figure and a finishing function."""
    fig, axes = plt.subplots(1, len(names), figsize=(4.6 * len(names), 3.8), sharey=True, squeeze=False)

    def finish():
        for ax, name in zip(axes[0], names):
            ax.set_xlabel(xlabel)
            ax.text(0.97, 0.96, name, transform=ax.transAxes, ha="right", va="top", fontsize=9)
            ax.legend(frameon=False, fontsize=8.5, loc="lower left")
        axes[0][0].set_ylabel(ylabel)
        fig.tight_layout()
        return fig

    return fig, axes[0], finish


def _arrow(ax, start, end, text="", offset=(0, 0.04), style="-|>"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, lw=1.4, color="0.25"))
    if text:
        ax.text((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text,
                ha="center", va="bottom", fontsize=9)


def wyner_ziv_schematic():
    """The cache as a sequential Wyner–Ziv encoder: q_t = g(S_{t−1}, x_t), the query of x_t is side information."""
    fig, ax = plt.subplots(figsize=(8.2, 3.0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    _box(ax, (0.09, 0.62), "token\n$x_t$", width=0.12)
    _box(ax, (0.33, 0.62), "encoder $f_t$\n(eviction rule)", width=0.2)
    _box(ax, (0.57, 0.62), "cache $S_{t-1}$\n($\\leq m$ tokens)", width=0.18, color="#fdf0d5")
    _box(ax, (0.82, 0.62), "decoder $g$\n(attention)", width=0.18)
    _box(ax, (0.82, 0.15), "query of $x_t$\n(side information)", width=0.22, color="#e3f2e1")
    _arrow(ax, (0.15, 0.62), (0.23, 0.62))
    _arrow(ax, (0.43, 0.62), (0.48, 0.62))
    _arrow(ax, (0.66, 0.62), (0.73, 0.62))
    _arrow(ax, (0.82, 0.23), (0.82, 0.54))
    _arrow(ax, (0.91, 0.62), (0.99, 0.62), "$q_t$", offset=(0, 0.03))
    ax.add_patch(FancyArrowPatch((0.57, 0.70), (0.33, 0.70), connectionstyle="arc3,rad=0.6",
                                 arrowstyle="-|>", mutation_scale=12, lw=1.2, color="0.45", ls="--"))
    ax.text(0.45, 0.93, "$S_t = f_t(S_{t-1}, x_t)$ (the encoder's memory)", ha="center", fontsize=9, color="0.3")
    ax.text(0.45, 0.28, "distortion: KL($p_t$ ‖ $q_t$), $p_t$ = full-context law", ha="center", fontsize=9.5)
    return fig


def gaussian_kl_rate_curves(var_x: float = 1.0, noise=(0.25, 1.0, 4.0), s: float = 1.0):
    """Bits per token for a KL target in the Gaussian proxy, without and with decoder side information."""
    eps = np.geomspace(1e-3, 1.0, 200)
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    ax.semilogx(eps, gaussian_kl_rate(eps, var_x, s=s), lw=_LW, color="k", label="no side information")
    for vn, ls in zip(noise, ("-", "--", ":")):
        ax.semilogx(eps, gaussian_kl_rate(eps, var_x, vn, s=s), lw=_LW, ls=ls, color=_COLORS["bayes"],
                    label=f"side information, noise variance {vn:g}")
    ax.set_xlabel("allowed KL ε (nats)")
    ax.set_ylabel("rate (bits per token)")
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def toy_a_window_theorem(beta: float = 1.0, eps=(1e-2, 1e-3, 1e-4), w_max: int = 20000):
    """Toy A: Δ_model and the Bayes gap between the power-law envelopes, with the window rule w(ε) marked."""
    toy = ToyA(beta=beta)
    c_lo, C = toy.power_law_bounds()
    w = np.unique(np.geomspace(1, w_max, 300).round())
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    ax.loglog(w, toy.delta(w), lw=_LW, color=_COLORS["sliding"], label="model run on the suffix, $\\Delta(w)$")
    ax.loglog(w, toy.bayes_gap(w), lw=_LW, color=_COLORS["bayes"], ls="-.",
              label="best suffix-only predictor, $R_w - R_\\infty$")
    ax.loglog(w, C * w ** -toy.alpha, lw=1.2, color=_COLORS["bound"], ls="--", label="$C w^{-\\alpha}$")
    ax.loglog(w, c_lo * w ** -toy.alpha, lw=1.2, color=_COLORS["bound"], ls=":", label="$c\\, w^{-\\alpha}$")
    for e in eps:
        wr = window_for_distortion(e, C, toy.alpha)
        ax.axhline(e, color="0.8", lw=0.8, zorder=0)
        ax.plot([wr], [toy.delta(wr)], "o", color=_COLORS["sliding"], ms=6)
        ax.annotate(f"w = {wr}", (wr, e), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.set_xlabel("window w (tokens)")
    ax.set_ylabel("distortion (nats)")
    ax.legend(frameon=False, fontsize=9, loc="lower left")
    fig.tight_layout()
    return fig


def toy_b_findings(study: dict, fit_range=(16, 512)):
    """Toy B: (a) every policy with a no-op sink; (b) a sink that carries value stalls pure truncation."""
    w = study["w"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9.6, 3.9), sharey=True)
    for key, label, color, ls in (("sliding", "sliding window", _COLORS["sliding"], "-"),
                                  ("sink", "sink + recent", _COLORS["sink"], "--"),
                                  ("random", "random retention", _COLORS["random"], "-")):
        a.loglog(w, study[key].mean(axis=0), lw=_LW, color=color, ls=ls, label=label)
    sel = (w >= fit_range[0]) & (w <= fit_range[1])
    C, alpha = fit_power_law(w[sel], study["sliding"].mean(axis=0)[sel])
    a.loglog(w[sel], C * w[sel] ** -alpha, color="k", lw=1, ls=":", label=f"fit, α = {alpha:.2f}")
    for key, label, color, ls in (("sliding_valued_sink", "sliding window", _COLORS["sliding"], "-"),
                                  ("sink_valued_sink", "sink + recent", _COLORS["sink"], "--")):
        b.loglog(w, study[key].mean(axis=0), lw=_LW, color=color, ls=ls, label=label)
    for ax, tag in ((a, "(a) no-op sink"), (b, "(b) sink with value")):
        ax.set_xlabel("budget w (tokens)")
        ax.legend(frameon=False, fontsize=8.5, loc="lower left", title=tag, title_fontsize=9,
                  alignment="left")
    a.set_ylabel("mean KL (nats)")
    fig.tight_layout()
    return fig


def measured_extrapolation(curves: dict, fit_max: float):
    """Measured Δ(w) per model with both laws fitted on w ≤ fit_max and extrapolated to the larger windows.

    ``curves`` maps a model name to ``(w, delta)``.
    """
    _, axes, finish = _model_panels(list(curves), "window w (tokens)")
    for ax, (w, d) in zip(axes, curves.values()):
        w, d = np.asarray(w, float), np.asarray(d, float)
        train = w <= fit_max
        grid = np.geomspace(w.min(), w.max(), 100)
        c_p, alpha = fit_power_law(w[train], d[train])
        c_e, lam = fit_exponential(w[train], d[train])
        ax.axvspan(fit_max, w.max() * 1.1, color="0.93", zorder=0)
        ax.text(fit_max * 1.08, d.max() * 2, "held out", fontsize=8.5, va="top", color="0.35")
        ax.loglog(w, d, "o", color="k", ms=5, label="measured")
        ax.loglog(grid, c_p * grid ** -alpha, lw=_LW, color=_COLORS["sliding"], label=f"power law, α = {alpha:.2f}")
        ax.loglog(grid, c_e * np.exp(-lam * grid), lw=_LW, ls="--", color=_COLORS["random"], label="exponential")
        ax.set_ylim(d.min() / 5, d.max() * 3)
    return finish()


def block_markov_timeline(L: int = 64, beta: float = 1.0, n_blocks: int = 4):
    """Toy A: cache size and per-step distortion of the block-Markov cache against two sliding windows."""
    toy = ToyA(beta=beta)
    t, mem = block_markov_schedule(L, n_blocks)
    fig, (a, b) = plt.subplots(2, 1, figsize=(7.6, 4.8), sharex=True)
    a.step(t, mem, where="post", lw=_LW, color=_COLORS["block"], label="block-Markov")
    a.axhline(L, color=_COLORS["sliding"], lw=1.2, ls="--", label="sliding, w = L")
    a.axhline(2 * L, color=_COLORS["bayes"], lw=1.2, ls=":", label="sliding, w = 2L")
    a.set_ylabel("cached tokens")
    a.legend(frameon=False, fontsize=8.5, ncol=3, loc="lower right")
    steady = t >= L
    b.semilogy(t[steady], toy.delta(mem[steady]), lw=_LW, color=_COLORS["block"])
    b.axhline(toy.delta(L), color=_COLORS["sliding"], lw=1.2, ls="--")
    b.axhline(toy.delta(2 * L), color=_COLORS["bayes"], lw=1.2, ls=":")
    b.set_ylabel("distortion (nats)")
    b.set_xlabel("position t (tokens)")
    fig.tight_layout()
    return fig


def block_markov_measured(comparisons: dict):
    """Measured block-Markov distortion at budget w against the sliding windows w and L = ⌈w/2⌉.

    ``comparisons`` maps a model name to the dict of :func:`lib.kv.block_markov.measured_comparison`.
    """
    _, axes, finish = _model_panels(list(comparisons), "peak memory w (tokens)")
    for ax, c in zip(axes, comparisons.values()):
        ax.loglog(c["w"], c["sliding_L"], lw=1.4, ls="--", color=_COLORS["sliding"], label="sliding, w = L")
        ax.loglog(c["w"], c["block_markov"], "o-", lw=_LW, color=_COLORS["block"], ms=5,
                  label="block-Markov, L = ⌈w/2⌉")
        ax.loglog(c["w"], c["sliding_w"], lw=1.4, ls=":", color=_COLORS["bayes"], label="sliding, w = 2L")
    return finish()
