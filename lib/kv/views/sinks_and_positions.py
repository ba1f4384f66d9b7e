"""Figures, numbers and explorer of page ``kv-sinks-and-positions`` (book/kv/sinks-and-positions.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value

from .. import limits
from ..analysis import VARIANT_LABELS, alpha_table, paired_alpha, ratio_curve
from ..fits import bootstrap_alpha, fit_power_law
from ..models import MEASURED, REGISTRY
from .common import (measured_choice, pending_numbers, stored_curves, variant_color, variant_curves,
                     variant_dash)

__all__ = ["VARIANTS", "EVICTION", "PAIRS", "exponent_numbers", "paired_numbers", "eviction_numbers", "variant_curves",
           "sinks_positions", "long_pair_numbers", "long_pair_table"]

#: The four re-encoded variants of the page, and re-encoding against eviction at original positions.
VARIANTS = ("sliding", "sliding:pres", "sink", "sink:pres")
EVICTION = ("sliding:pres", "evict_sliding:pres", "sink:pres", "evict_sink:pres")
#: Paired comparisons: key -> (variant a, variant b), reported as α_a − α_b.
PAIRS = {"sink": ("sink", "sliding"), "sink-pres": ("sink:pres", "sliding"),
         "pres-pres": ("sink:pres", "sliding:pres"), "pos": ("sliding:pres", "sliding"),
         "sink-pos": ("sink:pres", "sink")}


def _geometric_mean(x) -> float:
    return float(np.exp(np.log(x).mean()))


def exponent_numbers(ms: dict, w_range=(8, 256), n_boot: int = 2000, seed: int = 0) -> dict:
    """α of each variant on ``w_range`` with its interval, the largest |ln| of the original-position ratio,
    and the geometric mean of sink ÷ sliding over w ≥ 16."""
    out = {}
    for name, m in ms.items():
        tag = REGISTRY[name].tag
        for v, (a, lo, hi) in alpha_table(m, VARIANTS, w_range=w_range, n_boot=n_boot, seed=seed).items():
            key = f"{tag}-{v.replace(':', '-')}"
            out.update({key: a, f"{key}-ci": f"[{lo:.2f}, {hi:.2f}]"})
        _, ratio, _, _ = ratio_curve(m, "sliding:pres", "sliding", n_boot=200)
        out[f"{tag}-pres-max"] = float(np.abs(np.log(ratio)).max())
        w, ratio, _, _ = ratio_curve(m, "sink", "sliding", n_boot=200)
        out[f"{tag}-sink-gm"] = _geometric_mean(ratio[w >= 16])
    return out


def paired_numbers(ms: dict, w_range=(8, 256), n_boot: int = 2000, seed: int = 0) -> dict:
    """Each comparison of :data:`PAIRS`: α_a − α_b paired over articles, its interval and article count."""
    out = {}
    for name, m in ms.items():
        for key, (a, b) in PAIRS.items():
            diff, lo, hi, n = paired_alpha(m, a, b, w_range=w_range, n_boot=n_boot, seed=seed)
            k = f"{REGISTRY[name].tag}-paired-{key}"
            out.update({k: diff, f"{k}-ci": f"[{lo:+.2f}, {hi:+.2f}]", f"{k}-n": n})
    return out


def eviction_numbers(ms: dict, n_boot: int = 2000, seed: int = 0) -> dict:
    """Eviction without recompute against re-encoding: ratios at w = 32 and 256, and the exponents."""
    out = {}
    for name, m in ms.items():
        tag = REGISTRY[name].tag
        for num, den, key in (("evict_sliding:pres", "sliding:pres", "ev"), ("evict_sink:pres", "sink:pres", "evs")):
            w, ratio, _, _ = ratio_curve(m, num, den, n_boot=200)
            out.update({f"{tag}-{key}-{k}": float(ratio[w == k][0]) for k in (32, 256)})
        table = alpha_table(m, ["evict_sliding:pres", "evict_sink:pres"], n_boot=n_boot, seed=seed)
        for v, (a, lo, hi) in table.items():
            key = f"{tag}-{v.split(':')[0].replace('_', '-')}"
            out.update({key: a, f"{key}-ci": f"[{lo:.2f}, {hi:.2f}]"})
    return out


def sinks_positions() -> Explorer:
    """Sliding window against sink + recent, re-indexed against original positions, and eviction without
    recompute, each with the power law fitted from a chosen smallest window to 256 drawn over the windows
    it uses (chapter :ref:`kv-sinks-and-positions`)."""
    variants = ["sliding", "sliding:pres", "sink", "sink:pres", "evict_sliding:pres", "evict_sink:pres"]
    data = stored_curves(variants, n_boot=None)

    def compute(model, w_lo):
        traces, fits, parts = [], [], []
        for v in variants:
            w, mean, _, _, per_segment = data[model][v]
            a, a_lo, a_hi = bootstrap_alpha(w, per_segment, n_boot=300, seed=0, w_range=(w_lo, 256))
            sel = w >= w_lo
            C, alpha = fit_power_law(w[sel], mean[sel])
            traces.append(Trace(VARIANT_LABELS[v], w, mean, mode="markers", color=variant_color(v)))
            fits.append(Trace(f"fit, {VARIANT_LABELS[v]}", w[sel], C * w[sel] ** -alpha, color=variant_color(v),
                              dash=variant_dash(v), legend=False))
            short = v.replace("evict_", "evict ").replace(":pres", " pres").replace("sliding", "slide")
            parts.append(f"{short} {a:.2f} [{a_lo:.2f}, {a_hi:.2f}]")
        return View(traces + fits, note=f"lines: C·w^(−α) fitted on w ≥ {w_lo}; α " + "; ".join(parts))

    return Explorer("kv-sp-variants",
                    [measured_choice(),
                     Param("w_lo", 6, 32, default=8, integer=True, values=[6, 8, 16, 32],
                           label="fit from w (tokens)")],
                    compute, x_label="budget w (tokens)", y_label="mean KL (nats)", log_x=True, log_y=True,
                    caption="Measured mean KL against the budget w for the sliding window and sink + recent, "
                            "re-indexed or at "
                            "their original positions, and eviction without recompute, each with C·w^(−α) fitted on w "
                            "≥ w_lo.",
                    try_this=TryThis(
                        "Does the exponent α depend on how the cache is cut?",
                        [Move({"w_lo": 32}, "fitted only on large windows, the sliding window's α steepens",
                              note_value("α slide"), "up"),
                         Move({"model": "Gemma-3-270M"}, "on Gemma-3-270M eviction without recompute decays about as "
                                                         "fast as the "
                              "sliding window, unlike on SmolLM2-135M", note_value("evict slide pres"), "up")],
                        why="The exponent belongs to the model and to the policy together: the confidence intervals in "
                            "the note "
                            "say which differences are real."))


#: What an equivalence verdict says about two exponents.
_SAYS = {"reproduced": "equal within the margin", "not reproduced": "differ by more than the margin",
         "inconclusive": "undecided"}


def _long_pairs(m, w_range, margin, n_boot, seed) -> dict:
    """Each comparison of :data:`PAIRS` at the largest removed length as a :func:`lib.kv.limits.sink_claim`."""
    out = {}
    for key, (a, b) in PAIRS.items():
        w, va, vb = limits.limit_pair(m, a, b)
        out[key] = limits.sink_claim(w, va, vb, margin=margin, w_range=w_range, n_boot=n_boot, seed=seed)
        out[key]["n"] = int(va.shape[0])
    return out


def long_pair_numbers(long_ms: dict, w_range=(8, 2048), margin: float = 0.1, n_boot: int = 2000,
                      seed: int = 0) -> dict:
    """Claim (b) on the long-context data, as text: α_sink and α_sliding, every paired difference of
    :data:`PAIRS` at the largest removed length with its interval (``<tag>-long-<pair>``) and verdict
    (``-verdict``), the articles paired, the margin and the range; "pending" for a model without a long run."""
    suffixes = [f"long-{k}{x}" for k in PAIRS for x in ("", "-verdict")] + ["long-n", "long-alphas"]
    out = {"long-margin": f"{margin:g}", "long-range": f"{w_range[0]}–{w_range[1]}",
           **pending_numbers(long_ms, suffixes)}
    for name, m in long_ms.items():
        tag, pairs = REGISTRY[name].tag, _long_pairs(m, w_range, margin, n_boot, seed)
        for key, c in pairs.items():
            out.update({f"{tag}-long-{key}": f"{c['diff']:+.2f} [{c['lo']:+.2f}, {c['hi']:+.2f}]",
                        f"{tag}-long-{key}-verdict": c["verdict"]})
        c = pairs["sink"]
        out.update({f"{tag}-long-n": str(c["n"]),
                    f"{tag}-long-alphas": f"{c['alpha_sink']:.2f} and {c['alpha_sliding']:.2f}"})
    return out


def long_pair_table(long_ms: dict, w_range=(8, 2048), margin: float = 0.1, n_boot: int = 2000, seed: int = 0):
    """Table: every paired difference of :data:`PAIRS` at the largest removed length, with the verdict of the
    equivalence test (|difference| < ``margin``); pending models say so."""
    rows = []
    for name in MEASURED:
        label = REGISTRY[name].table_label
        if name not in long_ms:
            rows.append([label, "long-context run pending"] + ["—"] * (len(PAIRS) - 1))
            continue
        pairs = _long_pairs(long_ms[name], w_range, margin, n_boot, seed)
        rows.append([label] + [f"{c['diff']:+.2f} [{c['lo']:+.2f}, {c['hi']:+.2f}]: {_SAYS[c['verdict']]}"
                               for c in pairs.values()])
    head = [f"{VARIANT_LABELS[a]} − {VARIANT_LABELS[b]}" for a, b in PAIRS.values()]
    return show_table(["model"] + head, rows)
