"""Figures, table and explorer of page ``kv-sequential-wyner-ziv`` (book/kv/sequential-wyner-ziv.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.tables import html_table
from lib.explore.teach import Move, TryThis, ratio_at

from ..memory import bytes_per_token, format_bytes, kv_bytes
from ..models import REGISTRY
from ..toys import ToyA, gaussian_kl_rate
from .common import COLORS, LW, finish

__all__ = ["cache_sizes", "per_token_table", "wyner_ziv_schematic", "monte_carlo_numbers", "toy_a_policies",
           "toy_a_numbers", "rate_numbers", "gaussian_kl_rate_curves"]


def cache_sizes() -> dict:
    """Per-token and full-context KV memory of the two measured models (bf16), for the prose."""
    smol, gemma = REGISTRY["smollm2-135m"], REGISTRY["gemma3-270m"]
    return {"smol-per-token": format_bytes(bytes_per_token(smol)), "smol-context": smol.shape.context,
            "smol-full": format_bytes(kv_bytes(smol.shape.context, smol)), "gemma-context": gemma.shape.context,
            "gemma-full": format_bytes(kv_bytes(gemma.shape.context, gemma))}


def per_token_table():
    """KV bytes per cached token (bf16, every layer global) of every registered model, as an HTML table."""
    from IPython.display import HTML

    rows = [(m.label, m.shape.n_layers, m.shape.n_kv_heads, m.shape.head_dim, format_bytes(bytes_per_token(m)))
            for m in REGISTRY.values()]
    return HTML(html_table(["model", "layers", "KV heads", "head dim", "bytes per token"], rows))


def _box(ax, xy, text, width=0.2, height=0.16, color="#e8eef7"):
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.015", fc=color, ec="0.3", lw=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end, text="", offset=(0, 0.04), style="-|>"):
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, lw=1.4, color="0.25"))
    if text:
        ax.text((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text,
                ha="center", va="bottom", fontsize=9)


def wyner_ziv_schematic():
    """The cache as a sequential Wyner–Ziv encoder: q_t = g(S_{t−1}, x_t), the query of x_t is side information."""
    from matplotlib.patches import FancyArrowPatch
    import matplotlib.pyplot as plt

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
    plt.close(fig)
    return fig


def monte_carlo_numbers(toy: ToyA, mc: dict, w: int) -> dict:
    """Simulated excess losses (mean, standard error) of ``toy.sample_excess_loss(w)`` beside the closed forms."""
    out = {}
    for key, exact in (("model", toy.delta(w)), ("bayes", toy.bayes_gap(w))):
        out.update({f"mc-{key}": mc[key].mean, f"mc-{key}-se": mc[key].se, f"exact-{key}": exact})
    return out


def rate_numbers(eps: float = 0.05, var_x: float = 1.0, var_noise: float = 1.0) -> dict:
    """Bits per token for KL ``eps`` in the Gaussian proxy, without and with side information of ``var_noise``."""
    return {"rate-without": gaussian_kl_rate(eps, var_x), "rate-with": gaussian_kl_rate(eps, var_x, var_noise)}


def toy_a_numbers(w: int = 64, t: int = 1024, beta: float = 1.0) -> dict:
    """Toy A at memory ``w``: the suffix distortion, random retention from the last ``t`` and their ratio."""
    toy = ToyA(beta=beta)
    d, r = toy.delta(w), toy.random_retention(w, t)
    return {f"d{w}": d, f"r{w}": r, f"ratio{w}": r / d}


def toy_a_policies() -> Explorer:
    """Toy A: distortion against memory for the model run on a suffix, the best suffix-only predictor and
    random retention (chapter :ref:`kv-sequential-wyner-ziv`)."""
    m = np.unique(np.geomspace(1, 4096, 90).round())

    def compute(beta, s, t):
        toy = ToyA(beta=beta, s=s)
        _, C = toy.power_law_bounds()
        random = np.full(m.shape, np.nan)
        inside = m <= t
        random[inside] = toy.random_retention(m[inside], t)
        d64, r64 = toy.delta(64), toy.random_retention(64, t)
        return View([
            Trace("model run on the last m tokens", m, toy.delta(m), color=COLORS["sliding"]),
            Trace("best suffix-only predictor", m, toy.bayes_gap(m), dash="dash", color=COLORS["bayes"]),
            Trace("random m of the last t tokens", m, random, color=COLORS["random"]),
            Trace("C·m^(−α)", m, C * m ** -toy.alpha, dash="dot", color=COLORS["bound"]),
        ], note=(f"α = 2β − 1 = {toy.alpha:.2f}. At m = 64: suffix {d64:.3g} nats, random {r64:.3g} nats "
                 f"({r64 / d64:.0f}× worse)."))

    return Explorer("kv-toy-a-policies",
                    [Param("beta", 0.75, 2.0, default=1.0, values=[0.75, 1.0, 1.25, 1.5, 2.0], label="β"),
                     Param("s", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="noise s"),
                     Param("t", 256, 4096, default=1024, integer=True, values=[256, 1024, 4096],
                           label="random pool t (tokens)")],
                    compute, x_label="memory m (tokens)", y_label="distortion (nats)", log_x=True, log_y=True,
                    caption="Toy A: distortion against the memory m for the model run on the last m tokens, the best "
                            "suffix-only predictor, m random tokens of the last t, and the power law C·m^(−α) with α = "
                            "2β − 1.",
                    try_this=TryThis(
                        "What does keeping random tokens instead of the recent ones cost?",
                        [Move({"beta": 2.0}, "a faster decay α = 3: the suffix's distortion collapses while the random "
                                             "policy's "
                              "barely moves", ratio_at("random m of the last t tokens", "model run on the last m "
                                                                                        "tokens", 64), "up"),
                         Move({"t": 4096}, "drawing from a longer past makes the random policy worse still",
                              ratio_at("random m of the last t tokens", "model run on the last m tokens", 64), "up"),
                         Move({"s": 2.0}, "the noise s scales every curve by the same factor: the ratio stays",
                              ratio_at("random m of the last t tokens", "model run on the last m tokens", 64), "same")],
                        why="When dependence decays with distance the recent tokens carry the information: a "
                            "suffix-only cache "
                            "loses C·m^(−α), a random one loses a constant share."))


def gaussian_kl_rate_curves(var_x: float = 1.0, noise=(0.25, 1.0, 4.0), s: float = 1.0):
    """Bits per token for a KL target in the Gaussian proxy, without and with decoder side information."""
    import matplotlib.pyplot as plt

    eps = np.geomspace(1e-3, 1.0, 200)
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    ax.semilogx(eps, gaussian_kl_rate(eps, var_x, s=s), lw=LW, color="k", label="no side information")
    for vn, ls in zip(noise, ("-", "--", ":")):
        ax.semilogx(eps, gaussian_kl_rate(eps, var_x, vn, s=s), lw=LW, ls=ls, color=COLORS["bayes"],
                    label=f"side information, noise variance {vn:g}")
    ax.set_xlabel("allowed KL ε (nats)")
    ax.set_ylabel("rate (bits per token)")
    return finish(fig, ax, loc="upper right", fontsize=9)
