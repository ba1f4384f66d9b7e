"""Figures, numbers and explorer of page ``kv-window-theorem`` (book/kv/window-theorem.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value, peak

from .. import limits
from ..analysis import VARIANT_LABELS
from ..fits import fit_exponential, fit_power_law, measured_law, window_for_distortion
from ..memory import format_bytes, kv_bytes
from ..models import MEASURED, REGISTRY, by_label
from ..stats import cutoff_window, fit_power_law_cutoff, window_interval, window_range_sensitivity
from ..toys import ToyA
from .common import (COLORS, LW, MIB, finish, measured, panels, pending_numbers, shape_choice, variant_color,
                     window_text)

__all__ = ["toy_a_numbers", "toy_a_window_theorem", "toy_b_findings", "laws", "law_numbers",
           "measured_extrapolation", "window_numbers", "window_theorem", "long_window_numbers", "long_window_table"]


def toy_a_numbers(beta: float = 1.0, eps=(1e-2, 1e-3, 1e-4)) -> dict:
    """Toy A's window rule against its exact minimal windows, for each target ``eps``.

    Keys ``<k>-rule`` (the rule's window :math:`\\lceil (C/\\varepsilon)^{1/\\alpha} \\rceil` with the upper
    envelope's ``C``), ``<k>-delta`` (Δ there), ``<k>-model``, ``<k>-bayes`` (the smallest windows at which
    Δ and the Bayes gap reach ε) and ``<k>-lower`` (the lower envelope's window), with ``k = -log10 ε``;
    ``C``, ``c`` (envelope constants) and ``gap-factor`` (upper over lower window at ε = 0.01, α = 1).
    """
    toy = ToyA(beta=beta)
    c_lo, C = toy.power_law_bounds()
    out = {"C": C, "c": c_lo,
           "gap-factor": window_for_distortion(1e-2, C, 1.0) / window_for_distortion(1e-2, c_lo, 1.0)}
    for e in eps:
        k, rule = round(-np.log10(e)), window_for_distortion(e, C, toy.alpha)
        out.update({f"{k}-rule": rule, f"{k}-delta": toy.delta(rule), f"{k}-model": toy.min_window(e, "model"),
                    f"{k}-bayes": toy.min_window(e, "bayes"),
                    f"{k}-lower": window_for_distortion(e, c_lo, toy.alpha)})
    return out


def toy_a_window_theorem(beta: float = 1.0, eps=(1e-2, 1e-3, 1e-4), w_max: int = 20000):
    """Toy A: Δ_model and the Bayes gap between the power-law envelopes, with the window rule w(ε) marked."""
    import matplotlib.pyplot as plt

    toy = ToyA(beta=beta)
    c_lo, C = toy.power_law_bounds()
    w = np.unique(np.geomspace(1, w_max, 300).round())
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    ax.loglog(w, toy.delta(w), lw=LW, color=COLORS["sliding"], label="model run on the suffix, $\\Delta(w)$")
    ax.loglog(w, toy.bayes_gap(w), lw=LW, color=COLORS["bayes"], ls="-.",
              label="best suffix-only predictor, $R_w - R_\\infty$")
    ax.loglog(w, C * w ** -toy.alpha, lw=1.2, color=COLORS["bound"], ls="--", label="$C w^{-\\alpha}$")
    ax.loglog(w, c_lo * w ** -toy.alpha, lw=1.2, color=COLORS["bound"], ls=":", label="$c\\, w^{-\\alpha}$")
    for e in eps:
        wr = window_for_distortion(e, C, toy.alpha)
        ax.axhline(e, color="0.8", lw=0.8, zorder=0)
        ax.plot([wr], [toy.delta(wr)], "o", color=COLORS["sliding"], ms=6)
        ax.annotate(f"w = {wr}", (wr, e), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.set_xlabel("window w (tokens)")
    ax.set_ylabel("distortion (nats)")
    return finish(fig, ax, fontsize=9)


def toy_b_findings(study: dict, fit_range=(16, 512)):
    """Toy B: (a) every policy with a no-op sink; (b) a sink that carries value stalls pure truncation."""
    import matplotlib.pyplot as plt

    w = study["w"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9.6, 3.9), sharey=True)
    for key, ls in (("sliding", "-"), ("sink", "--"), ("random", "-")):
        a.loglog(w, study[key].mean(axis=0), lw=LW, color=variant_color(key), ls=ls, label=VARIANT_LABELS[key])
    sel = (w >= fit_range[0]) & (w <= fit_range[1])
    C, alpha = fit_power_law(w[sel], study["sliding"].mean(axis=0)[sel])
    a.loglog(w[sel], C * w[sel] ** -alpha, color="k", lw=1, ls=":", label=f"fit, α = {alpha:.2f}")
    for policy, ls in (("sliding", "-"), ("sink", "--")):
        b.loglog(w, study[f"{policy}_valued_sink"].mean(axis=0), lw=LW, color=variant_color(policy), ls=ls,
                 label=VARIANT_LABELS[policy])
    for ax, tag in ((a, "(a) no-op sink"), (b, "(b) sink with value")):
        ax.set_xlabel("budget w (tokens)")
        ax.legend(frameon=False, fontsize=8.5, loc="lower left", title=tag, title_fontsize=9, alignment="left")
    a.set_ylabel("mean KL (nats)")
    return finish(fig, (a, b))


def laws(n_boot: int = 1000, seed: int = 0) -> dict:
    """``{model id: MeasuredLaw}``: the sliding-window power law of each measured model (:func:`measured_law`)."""
    return {name: measured_law(m, n_boot=n_boot, seed=seed) for name, m in measured().items()}


def law_numbers(laws: dict) -> dict:
    """The fitted law of each measured model (keys ``<tag>-<field>``) and the protocol behind them."""
    out = {}
    for name, law in laws.items():
        tag = REGISTRY[name].tag
        out.update({f"{tag}-alpha": law.alpha, f"{tag}-lo": law.lo, f"{tag}-hi": law.hi, f"{tag}-C": law.C,
                    f"{tag}-fit-max": law.fit_max, f"{tag}-n-segments": law.n_segments,
                    f"{tag}-dex-pow": law.extrapolation.power_dex, f"{tag}-dex-exp": law.extrapolation.exp_dex,
                    f"{tag}-ratio": law.extrapolation.ratio})
    first = next(iter(laws.values()))
    meta = measured()[first.name].meta
    out.update(corpus=meta["corpus"]["name"], length=int(meta["protocol"]["length"]), wmin=int(first.w.min()),
               wmax=int(first.w.max()))
    return out


def measured_extrapolation(laws: dict):
    """Measured Δ(w) per model with both laws fitted on w ≤ fit_max and extrapolated to the larger windows.

    ``laws`` maps a model id to its :class:`lib.kv.fits.MeasuredLaw`; the first law's ``fit_max`` is used.
    """
    fit_max = next(iter(laws.values())).fit_max
    fig, axes = panels(list(laws), "window w (tokens)", height=3.8)
    for ax, law in zip(axes, laws.values()):
        w, d = np.asarray(law.w, float), np.asarray(law.delta, float)
        train = w <= fit_max
        grid = np.geomspace(w.min(), w.max(), 100)
        c_p, alpha = fit_power_law(w[train], d[train])
        c_e, lam = fit_exponential(w[train], d[train])
        ax.axvspan(fit_max, w.max() * 1.1, color="0.93", zorder=0)
        ax.text(fit_max * 1.08, d.max() * 2, "held out", fontsize=8.5, va="top", color="0.35")
        ax.loglog(w, d, "o", color="k", ms=5, label="measured")
        ax.loglog(grid, c_p * grid ** -alpha, lw=LW, color=COLORS["sliding"], label=f"power law, α = {alpha:.2f}")
        ax.loglog(grid, c_e * np.exp(-lam * grid), lw=LW, ls="--", color=COLORS["random"], label="exponential")
        ax.set_ylim(d.min() / 5, d.max() * 3)
    return finish(fig, axes, fontsize=8.5)


def window_numbers(eps=((0.1, "e1"), (0.01, "e2")), n_boot: int = 1000, seed: int = 0) -> dict:
    """w(ε) of each measured model with its bootstrap interval, its range over fit ranges and its memory.

    Keys ``<tag>-<w|lo|hi|rmin|rmax|bytes>-<e>`` for each ``(ε, e)``, ``<tag>-cut-e2`` (the window of the
    power law with an exponential cutoff at ε = 0.01) and ``<tag>-context``.
    """
    out = {}
    for name, m in measured().items():
        spec, (w, mean, per_segment) = REGISTRY[name], m.curve("sliding")
        for e, key in eps:
            w_eps, lo, hi = window_interval(e, w, per_segment, n_boot=n_boot, seed=seed)
            spread = [v[1] for v in window_range_sensitivity(e, w, mean).values()]
            out.update({f"{spec.tag}-w-{key}": w_eps, f"{spec.tag}-lo-{key}": lo, f"{spec.tag}-hi-{key}": hi,
                        f"{spec.tag}-rmin-{key}": min(spread), f"{spec.tag}-rmax-{key}": max(spread),
                        f"{spec.tag}-bytes-{key}": format_bytes(kv_bytes(w_eps, spec))})
        out[f"{spec.tag}-cut-e2"] = cutoff_window(0.01, *fit_power_law_cutoff(w, mean))
        out[f"{spec.tag}-context"] = spec.shape.context
    return out


def window_theorem(C: float | None = None, alpha: float | None = None, n_full: int = 32768,
                   bytes_per_value: float = 2) -> Explorer:
    """Window rule w(ε) = ⌈(C/ε)^(1/α)⌉ and its KV memory for a model shape (chapter :ref:`kv-window-theorem`).

    Parameters
    ----------
    C, alpha : float, optional
        Power-law constants; ``alpha`` is the slider's default (e.g. a measured exponent), ``C`` stays fixed.
        Default: the fit to SmolLM2-135M's stored sliding-window curve.
    n_full : int, optional
        Context length of the full cache drawn for comparison.
    bytes_per_value : float, optional
        Storage per number (2 = bf16).
    """
    if C is None or alpha is None:
        C, alpha = fit_power_law(*measured()["smollm2-135m"].curve("sliding")[:2])
    alphas = sorted({0.5, 0.75, 1.0, 1.5, round(float(alpha), 3)})
    eps_grid = np.geomspace(1e-3, 1.0, 40)

    def compute(alpha, eps, model):
        spec = by_label(model)
        w = np.array([window_for_distortion(e, C, alpha) for e in eps_grid])
        w_eps = window_for_distortion(eps, C, alpha)
        full = kv_bytes(n_full, spec, bytes_per_value)
        mem = kv_bytes(w_eps, spec, bytes_per_value)
        return View([
            Trace("window memory, w(ε) tokens", eps_grid, kv_bytes(w, spec, bytes_per_value) / MIB,
                  color=COLORS["window_cache"]),
            Trace("chosen ε", [eps], [mem / MIB], mode="markers", color=COLORS["marker"]),
            Trace(f"full cache, {n_full} tokens", eps_grid[[0, -1]], [full / MIB] * 2, dash="dash",
                  color=COLORS["full_cache"]),
        ], note=(f"{spec.label}: w(ε = {eps:.3g}) = {w_eps} tokens → {format_bytes(mem)} "
                 f"(C = {C:.3g}, α = {alpha:.2f}); the {n_full}-token full cache takes {format_bytes(full)}."))

    return Explorer("kv-window-theorem",
                    [Param("alpha", min(alphas), max(alphas), default=round(float(alpha), 3), values=alphas,
                           label="α"),
                     Param("eps", 1e-3, 0.3, default=0.03, log=True, values=[1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3],
                           label="ε (nats)"),
                     shape_choice()],
                    compute, x_label="target distortion ε (nats)", y_label="KV memory (MiB, bf16)",
                    log_x=True, log_y=True,
                    caption="The window rule w(ε) = ⌈(C/ε)^(1/α)⌉ and the KV memory of that window for a model shape, "
                            "against the target distortion ε, with the full cache of 32768 tokens.",
                    try_this=TryThis(
                        "How sensitive is the window to the exponent α?",
                        [Move({"alpha": 0.5}, "a slower decay α = 1/2: the window for the same ε grows many times over",
                              note_value(") ="), "up"),
                         Move({"eps": 0.001}, "a tighter target: the window grows as ε^(−1/α), here ε^(−2)",
                              note_value(") ="), "up"),
                         Move({"model": "Llama-3.2-3B"}, "a larger model: the same window in tokens takes several "
                                                         "times the memory",
                              peak("window memory, w(ε) tokens"), "up")],
                        why="The window is Θ(ε^(−1/α)): a small α makes every factor in ε expensive, and the model's "
                            "shape turns "
                            "tokens into bytes."))


def _long_windows(m, eps, n_boot, seed) -> dict:
    _, w, _, values = limits.removed_curves(m, "sliding")
    return {e: limits.window_for_eps(e, w, values[-1], n_boot=n_boot, seed=seed) for e in eps}


def long_window_numbers(long_ms: dict, eps=((0.1, "e1"), (0.01, "e2"), (0.001, "e3")), n_boot: int = 1000,
                        seed: int = 0) -> dict:
    """w(ε) on the infinite-past estimate of each long-measured model, as phrases (``<tag>-long-w-<e>``), and
    where it lies against the model's context (``<tag>-long-context-<e>``); "pending" for a model without a long
    run."""
    out = pending_numbers(long_ms, [f"long-{k}-{key}" for _, key in eps for k in ("w", "context")])
    for name, m in long_ms.items():
        spec, got = REGISTRY[name], _long_windows(m, [e for e, _ in eps], n_boot, seed)
        for e, key in eps:
            w, context = got[e]["w"], spec.shape.context
            out.update({f"{spec.tag}-long-w-{key}": window_text(got[e]), f"{spec.tag}-long-context-{key}": (
                f"beyond {spec.label}'s context of {context} tokens, so no measurement of this model can check it"
                if w > context else f"within {spec.label}'s context of {context} tokens")})
    return out


def long_window_table(long_ms: dict, eps=(0.3, 0.1, 0.03, 0.01, 0.003, 0.001), n_boot: int = 1000, seed: int = 0):
    """Table: w(ε) on the infinite-past estimate Δ(w; r_max), read off inside the measured range with a
    95 % interval over articles, labelled extrapolation beyond it; pending models say so."""
    rows = []
    for name in MEASURED:
        spec = REGISTRY[name]
        if name not in long_ms:
            rows.append([spec.table_label] + ["long-context run pending"] + ["—"] * (len(eps) - 1))
            continue
        got = _long_windows(long_ms[name], eps, n_boot, seed)
        rows.append([spec.table_label] + [window_text(got[e]) for e in eps])
    return show_table(["model"] + [f"w({e:g})" for e in eps], rows)
