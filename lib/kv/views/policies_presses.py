"""The press comparison section of :ref:`kv-policies`: a table per model and an explorer of the curves.

Reads ``book/data/kv/<model>-presses`` through :mod:`lib.kv.press_compare`; never loads a model.
"""
from __future__ import annotations

import numpy as np

from lib.explore import Choice, Explorer, Trace, View
from lib.explore.tables import html_table
from lib.explore.teach import Move, TryThis, ratio_at

from .. import pincheck
from ..models import MEASURED, REGISTRY
from ..press_compare import press_measurement, press_ratios, press_summary
from ..presses import PRESSES

__all__ = ["BUDGET", "press_table", "press_tables", "ratio_table", "ratio_tables", "press_numbers", "press_curves"]

#: The budget at which presses are ranked (entries per layer and KV head).
BUDGET = 64


def _ci(triple, fmt="{:.2f}"):
    return f"{fmt.format(triple[0])} [{fmt.format(triple[1])}, {fmt.format(triple[2])}]"


def press_table(model: str, budget: int = BUDGET, data_dir=None) -> str:
    """HTML table of ``model``'s presses, best first at ``budget``: α, curvature κ, KL, ratios to window and random."""
    rows = press_summary(press_measurement(model, data_dir=data_dir), budget)
    body = [[PRESSES[r["press"]].label, _ci((r["alpha"], r["alpha_lo"], r["alpha_hi"])), _ci(r["kappa"]),
             "yes" if r["power_law"] else "no", f"{r['kl']:.3f}", _ci(r["window"]), _ci(r["random"])]
            for r in rows]
    return html_table([f"{_label(model)}: press", "α over w = 16–256 [95%]", "curvature κ [95%]",
                       "power law? (κ = 0 inside)", f"KL at w = {budget} (nats)", "÷ sliding window [95%]",
                       "÷ random [95%]"], body, fit=True)


def ratio_table(model: str, reference: str, data_dir=None) -> str:
    """HTML table: every press's mean KL over ``reference``'s at every budget, with paired 95% intervals."""
    ratios = press_ratios(press_measurement(model, data_dir=data_dir), reference)
    w = next(iter(ratios.values()))[0]
    body = [[PRESSES[p].label] + [_ci((r[k], lo[k], hi[k])) for k in range(len(w))]
            for p, (_, r, lo, hi) in ratios.items() if p != reference]
    return html_table([f"{_label(model)}: ÷ {PRESSES[reference].label}"] + [f"w = {v}" for v in w], body, fit=True)


def ratio_tables(reference: str, models=None, data_dir=None):
    """:func:`ratio_table` of every measured model against ``reference``, as one displayable HTML object."""
    from IPython.display import HTML

    return HTML("".join(ratio_table(m, reference, data_dir=data_dir) for m in models or MEASURED))


def _label(model: str) -> str:
    return REGISTRY[model].label if model in REGISTRY else model


def press_tables(models=None, budget: int = BUDGET, data_dir=None):
    """:func:`press_table` of every measured model, as one displayable HTML object."""
    from IPython.display import HTML

    return HTML("".join(press_table(m, budget, data_dir=data_dir) for m in models or MEASURED))


def press_numbers(budget: int = BUDGET, data_dir=None) -> dict:
    """Numbers for the prose, per model (tags ``smol``, ``gemma``): articles, best press, ranking, exponents,
    the presses without detectable curvature, and paired ratios at the smallest and largest budgets; and the
    stored pincheck's largest |Δ log p| (:func:`lib.kv.pincheck.stored`)."""
    out = {"budget": budget, "pincheck_max": max(r[2] for r in pincheck.stored(data_dir)[0])}
    for model, tag in (("smollm2-135m", "smol"), ("gemma3-270m", "gemma")):
        m = press_measurement(model, data_dir=data_dir)
        rows = press_summary(m, budget)
        best = rows[0]
        plain = [PRESSES[r["press"]].label for r in rows if r["power_law"]]
        out.update({f"{tag}_best": PRESSES[best["press"]].label, f"{tag}_best_kl": best["kl"],
                    f"{tag}_best_vs_window": best["window"][0], f"{tag}_best_vs_random": best["random"][0],
                    f"{tag}_segments": int(len(np.unique(m.rows["segment"]))),
                    f"{tag}_ranking": ", ".join(PRESSES[r["press"]].label for r in rows),
                    f"{tag}_power_law": ", ".join(plain) if plain else "none of them"})
        by = {r["press"]: r for r in rows}
        for press in ("window", "snapkv", "tova", "observed_attention", "random"):
            out[f"{tag}_{press}_alpha"] = by[press]["alpha"]
        out[f"{tag}_window_vs_random"] = by["window"]["random"][0]
        out[f"{tag}_streaming_vs_window"] = by["streaming_llm"]["window"][0]
        w, r, lo, hi = press_ratios(m, "window")[best["press"]]
        for k, end in ((0, "first"), (-1, "last")):
            out.update({f"{tag}_w_{end}": int(w[k]), f"{tag}_best_window_{end}": r[k],
                        f"{tag}_best_window_{end}_ci": f"[{lo[k]:.3f}, {hi[k]:.3f}]"})
    return out


def press_curves(data_dir=None) -> Explorer:
    """Mean KL against the budget for every press, one model at a time."""
    data = {}
    for model, title in ((m, REGISTRY[m].label) for m in MEASURED):
        m = press_measurement(model, data_dir=data_dir)
        data[title] = {p: m.curve(p, False)[:2] for p in PRESSES}

    def compute(model):
        return View([Trace(PRESSES[p].label, w, mean, mode="lines+markers",
                           dash="dash" if p in ("window", "random") else None) for p, (w, mean) in data[model].items()],
                    note=f"{model}: one-shot compression after an exact prefill of 480 tokens; 8 targets a segment.")

    return Explorer("kv-pol-presses", [Choice("model", list(data), default=next(iter(data)))], compute,
                    x_label="budget w (entries per layer and KV head)", y_label="mean KL (nats)", log_x=True,
                    log_y=True,
                    caption="Measured mean KL against the budget w for every press (one-shot compression after an "
                            "exact "
                            "prefill), one model at a time.",
                    try_this=TryThis(
                        "Do the presses keep their ranking from one model to the next?",
                        [Move({"model": "Gemma-3-270M"}, "on Gemma-3-270M the one-shot sliding window is less far "
                                                         "behind TOVA at "
                              "w = 256, still far above it",
                              ratio_at("sliding window (one-shot)", "TOVA", 256), "down"),
                         Move({"model": "SmolLM2-135M"}, "back on SmolLM2-135M, Knorm beats Random at w = 256, which "
                                                         "on Gemma it "
                              "does not", ratio_at("Knorm", "Random", 256), "down")],
                        why="SnapKV, TOVA and ObservedAttention keep the entries the queries attend to and beat the "
                            "one-shot "
                            "window on both models; Knorm's place in the ranking changes with the model."))
