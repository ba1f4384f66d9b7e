"""Figures, numbers and explorer of page ``kv-policies`` (book/kv/policies.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value

from .. import limits
from ..analysis import VARIANT_LABELS, alpha_table, paired_alpha, parse_variant, ratio_curve, ratio_law, segments_below
from ..fits import power_law_r2
from ..measure import online_plan
from ..models import REGISTRY
from ..policies import POLICIES, selection_bits
from .common import (COLORS, LW, finish, long_status, measured, measured_choice, model_label, pending_numbers,
                     stored_curves, variant_color, variant_curves, variant_dash)

__all__ = ["EQUAL_BUDGET", "ONLINE", "retained_sets", "exponent_numbers", "ratio_numbers", "selection_numbers",
           "online_numbers", "online_ratio_numbers", "variant_curves", "ratio_profile", "equal_budget",
           "long_ratio_numbers", "long_ratio_profile"]

#: The variants compared at equal budget, and those of the online protocol.
EQUAL_BUDGET = ("sliding", "sink", "block_markov", "random", "evict_sink:pres")
ONLINE = ("sliding", "evict_sink:pres", "streaming_llm", "evict_h2o:pres", "h2o")


def retained_sets(t: int = 40, w: int = 8, scorer=None) -> dict:
    """The tokens each registered policy keeps for target ``t`` at budget ``w`` (H2O with ``scorer``)."""
    kept = {name: cls().retained(t, w).tolist() for name, cls in POLICIES.items() if name != "h2o"}
    if scorer is not None:
        kept["h2o (toy attention)"] = POLICIES["h2o"](scorer=scorer).retained(t, w).tolist()
    return kept


def _key(variant: str) -> str:
    return variant.split(":")[0].replace("_", "-")


def exponent_numbers(ms: dict, w_range=(8, 256), n_boot: int = 2000) -> dict:
    """α of each re-encoded policy on ``w_range`` with its interval, sliding − random, and how well a power
    law describes random retention (its R² in log–log and its mean KL)."""
    out = {}
    for name, m in ms.items():
        tag = REGISTRY[name].tag
        table = alpha_table(m, EQUAL_BUDGET[:4], w_range=w_range, n_boot=n_boot)
        for v, (a, lo, hi) in table.items():
            out.update({f"{tag}-{_key(v)}": a, f"{tag}-{_key(v)}-ci": f"[{lo:.2f}, {hi:.2f}]"})
        w, mean, _ = m.curve("random")
        out.update({f"{tag}-gap": table["sliding"][0] - table["random"][0], f"{tag}-random-r2": power_law_r2(w, mean),
                    f"{tag}-random-mean": float(mean.mean())})
    return out


def ratio_numbers(ms: dict, at=(16, 64, 256), target: float = 100, n_boot: int = 2000, seed: int = 0) -> dict:
    """Random ÷ sliding at equal budget: at w = 4 and at ``at`` with intervals, the fitted growth c·w^γ, the
    budget where it would reach ``target`` and its largest measured value."""
    out = {}
    for name, m in ms.items():
        tag = REGISTRY[name].tag
        w, ratio, lo, hi = ratio_curve(m, "random", "sliding", n_boot=n_boot, seed=seed)
        for k in at:
            i = w == k
            out.update({f"{tag}-ratio-{k}": float(ratio[i][0]),
                        f"{tag}-ratio-{k}-ci": f"[{lo[i][0]:.1f}, {hi[i][0]:.1f}]"})
        _, gamma, w_target = ratio_law(w, ratio, target=target)
        out.update({f"{tag}-ratio-4": float(ratio[w == 4][0]), f"{tag}-gamma": gamma, f"{tag}-w100": w_target,
                    f"{tag}-max": float(ratio.max())})
    return out


def selection_numbers(model: str = "smollm2-135m", w: int = 64) -> dict:
    """Bits that name a keep-set of ``w`` of the online protocol's last target's past, and the cost (thousands
    of re-encoded tokens) of measuring H2O on a re-encoding decoder."""
    plan = online_plan(model)
    t_max = int(plan.common_targets().max())
    return {"sel-bits": selection_bits(t_max, w), "sel-t": t_max, "sel-w": w,
            "h2o-self-cost": sum(b * (t_max - b) for b in plan.windows) / 1000}


def online_numbers(mo: dict, at=(64, 128, 256)) -> dict:
    """The online runs: articles, targets, where the cut falls, each variant's KL at ``at`` and on how many
    articles it beats the sliding window at the largest budget."""
    out = {}
    for name, m in mo.items():
        tag, t = REGISTRY[name].tag, np.unique(m.rows["target"])
        out.update({f"{tag}-on-segs": len(m.meta["corpus"]["segments"]),
                    f"{tag}-on-t": f"{t.min()}, {t.min() + 2}, …, {t.max()}",
                    f"{tag}-on-cut": f"{t.min() - 256} to {t.max() - 256}", f"{tag}-on-n": len(t)})
        for v in ONLINE:
            w, mean, _ = m.curve(*parse_variant(v))
            out.update({f"{tag}-{_key(v)}-{k}": float(mean[w == k][0]) for k in at})
            below, n = segments_below(m, v, "sliding")
            out[f"{tag}-{_key(v)}-below"] = f"{below} of {n}"
    return out


def online_ratio_numbers(mo: dict, at=(64, 256), w_range=(8, 256), n_boot: int = 2000, seed: int = 0) -> dict:
    """Each online policy ÷ the sliding window at ``at`` with intervals, and its paired exponent difference."""
    out = {}
    for name, m in mo.items():
        for v in ONLINE[1:]:
            key = f"{REGISTRY[name].tag}-{_key(v)}"
            w, ratio, lo, hi = ratio_curve(m, v, "sliding", n_boot=n_boot, seed=seed)
            for k in at:
                i = w == k
                out.update({f"{key}-r{k}": float(ratio[i][0]), f"{key}-r{k}-ci": f"[{lo[i][0]:.2f}, {hi[i][0]:.2f}]"})
            d, lo, hi, _ = paired_alpha(m, v, "sliding", w_range=w_range, n_boot=n_boot, seed=seed)
            out.update({f"{key}-da": d, f"{key}-da-ci": f"[{lo:.2f}, {hi:.2f}]"})
    return out


def ratio_profile(measurements: dict, num: str = "random", den: str = "sliding", target: float = 100.0,
                  n_boot: int = 1000, seed: int = 0):
    """Ratio of two policies' KL at equal budget with its band, and the fitted c·w^γ run out to ``target``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    w_end = 0
    for name, m in measurements.items():
        w, ratio, lo, hi = ratio_curve(m, num, den, n_boot=n_boot, seed=seed)
        c, gamma, w_target = ratio_law(w, ratio, target)
        color = COLORS[name]
        ax.fill_between(w, lo, hi, color=color, alpha=0.18, lw=0)
        ax.loglog(w, ratio, "o-", color=color, lw=LW, ms=4, label=model_label(name))
        grid = np.geomspace(w.min(), min(max(w_target, w.max()), 1e6), 100)
        ax.loglog(grid, c * grid ** gamma, ":", color=color, lw=1.2, label=f"c·w^γ, γ = {gamma:.2f}")
        w_end = max(w_end, grid.max())
    ax.axhline(target, color="0.4", lw=1, ls="--")
    ax.set_xlim(3, w_end * 1.5)
    ax.set_ylim(top=target * 2.5)
    ax.text(w_end * 1.4, target * 1.12, f"{target:g}×", fontsize=8.5, color="0.35", ha="right")
    ax.set_xlabel("budget w (tokens)")
    ax.set_ylabel(f"{num} ÷ {den}, mean KL")
    return finish(fig, ax, loc="lower right")


def equal_budget() -> Explorer:
    """All policies at equal budget, with the random / sliding ratio at a chosen budget
    (chapter :ref:`kv-policies`)."""
    variants = list(EQUAL_BUDGET)
    data = stored_curves(variants, n_boot=None)
    ratios = {REGISTRY[name].label: ratio_curve(m, "random", "sliding", n_boot=400) for name, m in measured().items()}
    grid = [int(v) for v in next(iter(data.values()))["sliding"][0]]

    def compute(model, w):
        curves = data[model]
        traces = [Trace(VARIANT_LABELS[v], curves[v][0], curves[v][1], mode="lines+markers", color=variant_color(v),
                        dash=variant_dash(v)) for v in variants]
        at = [curves[v][1][curves[v][0] == w][0] if (curves[v][0] == w).any() else np.nan for v in variants]
        traces.append(Trace("chosen budget", [w] * len(variants), at, mode="markers", color=COLORS["marker"]))
        rw, ratio, lo, hi = ratios[model]
        k = int(np.flatnonzero(rw == w)[0])
        sink = at[1] / at[0] if np.isfinite(at[1]) else np.nan
        return View(traces, note=(f"{model}, w = {w}: random ÷ sliding = {ratio[k]:.1f}× "
                                  f"[{lo[k]:.1f}, {hi[k]:.1f}]; sink+recent ÷ sliding = {sink:.2f}; "
                                  f"block-Markov ÷ sliding = {at[2] / at[0]:.2f}."))

    return Explorer("kv-pol-equal-budget",
                    [measured_choice(),
                     Param("w", min(grid), max(grid), default=64, integer=True, values=grid,
                           label="budget w (tokens)")],
                    compute, x_label="budget w (tokens)", y_label="mean KL (nats)", log_x=True, log_y=True,
                    caption="Measured mean KL of the next-token law against the budget w for every stored policy at "
                            "equal "
                            "budget; the note gives each policy's ratio to the sliding window at the chosen w.",
                    try_this=TryThis(
                        "Which policy wastes its budget?",
                        [Move({"w": 256}, "random retention falls further behind the sliding window as the budget "
                                          "grows",
                              note_value("random ÷ sliding ="), "up"),
                         Move({"model": "Gemma-3-270M"}, "on Gemma-3-270M at this budget the sink does not help: sink "
                                                         "+ recent "
                              "lies above the sliding window", note_value("sink+recent ÷ sliding ="), "up")],
                        why="Keeping the most recent tokens is what a power-law decay rewards; which extra token helps "
                            "(a sink) "
                            "depends on the model."))


def _long_ratio(m, factor, n_boot, seed, recency: str = "sliding") -> dict:
    """Claim (c) at the largest removed length: random over ``recency``, paired by article and target."""
    w, rand, rec = limits.limit_pair(m, "random", recency)
    return {**limits.random_claim(w, rand, rec, factor=factor, n_boot=n_boot, seed=seed), "n": int(rand.shape[0])}


def _budgets(w, verdicts, which: str) -> str:
    chosen = [f"{x:.0f}" for x, v in zip(w, verdicts) if v == which]
    return ", ".join(chosen) if chosen else "none"


def long_ratio_numbers(long_ms: dict, at=(16, 256, 1024, 2048), factor: float = 100, n_boot: int = 2000,
                       seed: int = 0) -> dict:
    """Claim (c) on the long-context data per model (by tag), as text: random ÷ sliding with its paired
    interval at the budgets ``at``, the budgets where it is within half a decade of ``factor`` and those where
    it misses, from which budget on every interval lies above the band, the growth law c·w^γ and where it
    reaches ``factor``, and sink + recent at the largest budget; "pending" for a model without a long run."""
    suffixes = [f"long-ratio-{x}" for x in at] + [f"long-{k}" for k in ("n", "within", "below", "first", "law",
                                                                          "sink-max")]
    out = {"long-band": "{:.0f} and {:.0f}".format(factor / 10 ** 0.5, factor * 10 ** 0.5),
           "long-status": long_status(long_ms), **pending_numbers(long_ms, suffixes)}
    for name, m in long_ms.items():
        tag, c = REGISTRY[name].tag, _long_ratio(m, factor, n_boot, seed)
        for x in at:
            k = int(np.flatnonzero(c["w"] == x)[0])
            out[f"{tag}-long-ratio-{x}"] = f"{c['ratio'][k]:.0f} [{c['lo'][k]:.0f}, {c['hi'][k]:.0f}]"
        _, gamma, w100 = ratio_law(c["w"], c["ratio"], factor)
        where = "inside the measured budgets" if w100 <= c["w"].max() else "beyond the measured budgets"
        sink = _long_ratio(m, factor, n_boot, seed, "sink")["largest"]
        first = c["first_above"]
        out.update({f"{tag}-long-n": str(c["n"]), f"{tag}-long-within": _budgets(c["w"], c["verdicts"], "reproduced"),
                    f"{tag}-long-below": _budgets(c["w"], c["verdicts"], "not reproduced"),
                    f"{tag}-long-first": (f"from w = {first:.0f} on, every interval lies above the band's lower "
                                          "edge" if first is not None else "no budget starts a run of intervals "
                                          "that all lie above the band's lower edge"),
                    f"{tag}-long-law": f"γ = {gamma:.2f}, reaching {factor:g} at w = {w100:.0f}, {where}",
                    f"{tag}-long-sink-max": f"{sink[0]:.0f} [{sink[1]:.0f}, {sink[2]:.0f}]"})
    return out


def long_ratio_profile(long_ms: dict, factor: float = 100, n_boot: int = 2000, seed: int = 0):
    """Random ÷ sliding at the largest removed length with its paired band, against the band of ``factor``
    within half a decade (claim (c))."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for name, m in long_ms.items():
        c = _long_ratio(m, factor, n_boot, seed)
        ax.fill_between(c["w"], c["lo"], c["hi"], color=COLORS[name], alpha=0.18, lw=0)
        ax.loglog(c["w"], c["ratio"], "o-", color=COLORS[name], lw=LW, ms=4, label=model_label(name))
    if not long_ms:
        ax.text(0.5, 0.5, "long-context run pending", transform=ax.transAxes, ha="center")
    ax.axhspan(factor / 10 ** 0.5, factor * 10 ** 0.5, color="0.85", zorder=0,
               label=f"{factor:g}× within half a decade")
    ax.axhline(factor, color="0.4", lw=1, ls="--")
    ax.set_xlabel("budget w (tokens)")
    ax.set_ylabel("random ÷ sliding, mean KL")
    return finish(fig, ax, loc="upper left")
