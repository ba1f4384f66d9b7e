"""Figures, numbers and explorer of page ``kv-block-markov`` (book/kv/block-markov.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value

from ..analysis import paired_alpha
from ..block_markov import (block_markov_distortion, block_markov_exponent, block_markov_schedule, bracketed,
                            mean_memory, measured_comparison)
from ..fits import bootstrap_alpha, window_for_distortion
from ..models import REGISTRY
from ..toys import ToyA
from .common import COLORS, LW, finish, measured, panels

__all__ = ["block_markov_timeline", "toy_numbers", "comparisons", "measured_numbers", "block_markov_measured",
           "halved_exponent_numbers", "block_markov"]


def block_markov_timeline(L: int = 64, beta: float = 1.0, n_blocks: int = 4):
    """Toy A: cache size and per-step distortion of the block-Markov cache against two sliding windows."""
    import matplotlib.pyplot as plt

    toy = ToyA(beta=beta)
    t, mem = block_markov_schedule(L, n_blocks)
    fig, (a, b) = plt.subplots(2, 1, figsize=(7.6, 4.8), sharex=True)
    a.step(t, mem, where="post", lw=LW, color=COLORS["block_markov"], label="block-Markov")
    a.axhline(L, color=COLORS["sliding"], lw=1.2, ls="--", label="sliding, w = L")
    a.axhline(2 * L, color=COLORS["bayes"], lw=1.2, ls=":", label="sliding, w = 2L")
    a.set_ylabel("cached tokens")
    a.legend(frameon=False, fontsize=8.5, ncol=3, loc="lower right")
    steady = t >= L
    b.semilogy(t[steady], toy.delta(mem[steady]), lw=LW, color=COLORS["block_markov"])
    b.axhline(toy.delta(L), color=COLORS["sliding"], lw=1.2, ls="--")
    b.axhline(toy.delta(2 * L), color=COLORS["bayes"], lw=1.2, ls=":")
    b.set_ylabel("distortion (nats)")
    b.set_xlabel("position t (tokens)")
    return finish(fig, (a, b))


def toy_numbers(L: int = 64, beta: float = 1.0) -> dict:
    """Toy A at block length ``L``: block-Markov distortion, the sliding windows L, 2L and the mean memory,
    and the fitted exponent γ of block-Markov distortion against mean memory (L from 16 to 1024)."""
    toy = ToyA(beta=beta)
    return {"toy-bm": block_markov_distortion(toy.delta, L), "toy-L": toy.delta(L), "toy-2L": toy.delta(2 * L),
            "toy-mean-w": toy.delta(round(mean_memory(L))), "mean-memory": mean_memory(L),
            "toy-gamma": block_markov_exponent(toy.delta, 16, 1024)[1]}


def comparisons() -> dict:
    """``{model id: measured_comparison}`` of the stored curves."""
    return {name: measured_comparison(m) for name, m in measured().items()}


def measured_numbers(n_boot: int = 1000, seed: int = 0) -> dict:
    """Per model (keys ``<tag>-…``): how many block-Markov points lie between the sliding windows, the
    exponents γ (block-Markov) and α (sliding) with intervals, and their paired difference."""
    out = {}
    for name, m in measured().items():
        tag = REGISTRY[name].tag
        out.update({f"{tag}-{k}": v for k, v in bracketed(measured_comparison(m)).items()})
        for policy, key in (("block_markov", "gamma"), ("sliding", "alpha")):
            w, _, per_segment = m.curve(policy)
            a, lo, hi = bootstrap_alpha(w, per_segment, n_boot=n_boot, seed=seed)
            out.update({f"{tag}-{key}": a, f"{tag}-{key}-lo": lo, f"{tag}-{key}-hi": hi})
        diff, lo, hi, _ = paired_alpha(m, "block_markov", "sliding", n_boot=n_boot, seed=seed)
        out.update({f"{tag}-paired": diff, f"{tag}-paired-ci": f"[{lo:+.2f}, {hi:+.2f}]"})
    return out


def block_markov_measured(comparisons: dict):
    """Measured block-Markov distortion at budget w against the sliding windows w and L = ⌈w/2⌉.

    ``comparisons`` maps a model id to the dict of :func:`lib.kv.block_markov.measured_comparison`.
    """
    fig, axes = panels(list(comparisons), "peak memory w (tokens)", height=3.8)
    for ax, c in zip(axes, comparisons.values()):
        ax.loglog(c["w"], c["sliding_L"], lw=1.4, ls="--", color=COLORS["sliding"], label="sliding, w = L")
        ax.loglog(c["w"], c["block_markov"], "o-", lw=LW, color=COLORS["block_markov"], ms=5,
                  label="block-Markov, L = ⌈w/2⌉")
        ax.loglog(c["w"], c["sliding_w"], lw=1.4, ls=":", color=COLORS["bayes"], label="sliding, w = 2L")
    return finish(fig, axes, fontsize=8.5)


def halved_exponent_numbers(alpha: float = 0.8, eps: float = 0.01) -> dict:
    """Windows for ``eps`` at exponent α and at α/2 (C = 1): what halving the exponent costs."""
    return {"w-alpha": window_for_distortion(eps, 1.0, alpha), "w-half": window_for_distortion(eps, 1.0, alpha / 2)}


def _block_over_sliding(view) -> float:
    """Block-Markov's distortion over the sliding window's at its peak memory 2L, read from the note."""
    return note_value("block-Markov")(view) / note_value("sliding(2L) =")(view)


def block_markov() -> Explorer:
    """Toy A: block-Markov against sliding windows, at the block's mean and peak memory
    (chapter :ref:`kv-block-markov`)."""
    m = np.unique(np.geomspace(2, 2048, 80).round()).astype(int)
    blocks = np.unique(np.geomspace(2, 1024, 40).round()).astype(int)

    def compute(beta, L):
        toy = ToyA(beta=beta)
        _, C = toy.power_law_bounds()
        bm = np.array([block_markov_distortion(toy.delta, int(b)) for b in blocks])
        d_bm = block_markov_distortion(toy.delta, L)
        return View([
            Trace("sliding window, memory w", m, toy.delta(m), color=COLORS["sliding"]),
            Trace("block-Markov at mean memory 1.5L", [mean_memory(int(b)) for b in blocks], bm,
                  color=COLORS["block_markov"]),
            Trace("block-Markov at peak memory 2L", 2 * blocks, bm, dash="dash", color=COLORS["block_markov"]),
            Trace("chosen L: sliding(L), block-Markov, sliding(2L)", [L, mean_memory(L), 2 * L],
                  [toy.delta(L), d_bm, toy.delta(2 * L)], mode="markers", color=COLORS["marker"]),
            Trace("γ = α/2 rate C·m^(−α/2)", m, C * m ** (-toy.alpha / 2), dash="dot", color=COLORS["bound"]),
        ], note=(f"L = {L}: block-Markov {d_bm:.3g} nats with 1.5L ≈ {mean_memory(L):.0f} tokens on average, "
                 f"between sliding(2L) = {toy.delta(2 * L):.3g} and sliding(L) = {toy.delta(L):.3g}."))

    return Explorer("kv-block-markov",
                    [Param("beta", 0.75, 2.0, default=1.0, values=[0.75, 1.0, 1.5, 2.0], label="β"),
                     Param("L", 4, 512, default=64, integer=True, values=[4, 8, 16, 32, 64, 128, 256, 512],
                           label="block length L (tokens)")],
                    compute, x_label="memory m (tokens)", y_label="distortion (nats)", log_x=True, log_y=True,
                    caption="Toy A: distortion against memory for a sliding window and for the block-Markov policy "
                            "(blocks of "
                            "L tokens) at its mean memory 1.5L and its peak memory 2L, with the rate C·m^(−α/2).",
                    try_this=TryThis(
                        "Does a block-Markov cache beat a sliding window of the same peak memory?",
                        [Move({"beta": 2.0}, "with a faster-decaying dependence block-Markov falls further behind "
                                             "sliding(2L)",
                              _block_over_sliding, "up"),
                         Move({"beta": 0.75}, "with a slow decay the gap narrows, but block-Markov stays above "
                                              "sliding(2L)",
                              _block_over_sliding, "down")],
                        why="Block-Markov forgets its context every L tokens, so at the same peak memory it is never "
                            "better than "
                            "the sliding window; the gap is largest when recent tokens matter most."))
