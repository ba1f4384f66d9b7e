"""Numbers and explorer of page ``kv-in-context`` (book/kv/in-context.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value

from .. import limits
from ..fits import fit_power_law, measured_law, window_for_distortion
from ..memory import format_bytes, kv_bytes
from ..models import REGISTRY, by_label
from ..stats import window_interval, window_range_sensitivity
from .common import COLORS, MIB, PENDING, long_status, measured, shape_choice, window_text

__all__ = ["law", "context_numbers", "long_context_numbers", "memory_versus_context"]


def law(model: str = "smollm2-135m", n_boot: int = 200):
    """The measured power law of a model's sliding-window curve (:func:`lib.kv.fits.measured_law`)."""
    return measured_law(measured()[model], n_boot=n_boot)


def context_numbers(law, eps: float = 0.05, model: str = "smollm2-135m", contexts=((8192, "8k"),
                    (131072, "128k"), (10**6, "1m")), n_boot: int = 1000, seed: int = 0) -> dict:
    """The window w(ε) of the measured law, its memory against full caches of several context lengths, and
    its uncertainty (bootstrap interval over segments, range over fit ranges)."""
    spec = REGISTRY[model]
    w = window_for_distortion(eps, law.C, law.alpha)
    out = {"context": spec.shape.context, "alpha": law.alpha, "alpha-hi": law.hi, "wmax": int(law.w.max()),
           "w": w, "window-bytes": format_bytes(kv_bytes(w, spec))}
    for n, tag in contexts:
        out.update({f"full-{tag}": format_bytes(kv_bytes(n, spec)), f"saving-{tag}": n / w})
    w_s, mean, per_segment = measured()[model].curve("sliding")
    _, w_lo, w_hi = window_interval(eps, w_s, per_segment, n_boot=n_boot, seed=seed)
    spread = [v[1] for v in window_range_sensitivity(eps, w_s, mean).values()]
    out.update({"w-ci": f"[{w_lo}, {w_hi}]", "w-ranges": f"{min(spread)}–{max(spread)}"})
    return out


def long_context_numbers(long_ms: dict, eps: float = 0.05, model: str = "smollm2-135m", full: int = 8192,
                         n_boot: int = 1000, seed: int = 0) -> dict:
    """As text: w(ε) read off the long-context estimate of the infinite-past curve
    (:func:`lib.kv.limits.window_for_eps`, labelled if extrapolated) with its memory against a full cache of
    ``full`` tokens, and α(∞) with its interval; "pending" while the model has no long run."""
    out = {"long-status": long_status(long_ms)}
    if model not in long_ms:
        return {**out, "long-w": PENDING, "long-alpha": PENDING}
    spec = REGISTRY[model]
    _, w, _, values = limits.removed_curves(long_ms[model], "sliding")
    res = limits.window_for_eps(eps, w, values[-1], n_boot=n_boot, seed=seed)
    alpha, lo, hi = limits.limit_alpha(w, values, n_boot=n_boot, seed=seed)
    tokens = np.ceil(res["w"])
    where = "inside the measured range" if res["inside"] else "beyond the measured range"
    return {**out, "long-w": (f"{window_text(res)}, {where}: {format_bytes(kv_bytes(tokens, spec))} in bf16, "
                              f"{full / tokens:.1f} times less than a full cache of {full} tokens"),
            "long-alpha": f"{alpha:.2f} [{lo:.2f}, {hi:.2f}]"}


def memory_versus_context(C: float | None = None, alpha: float | None = None,
                          bytes_per_value: float = 2) -> Explorer:
    """KV memory against context length n: the full cache grows like n, a w(ε) window stays flat
    (chapter :ref:`kv-in-context`); ``C``, ``alpha`` default to the fit to SmolLM2-135M's stored curve."""
    if C is None or alpha is None:
        C, alpha = fit_power_law(*measured()["smollm2-135m"].curve("sliding")[:2])
    n = np.geomspace(1e2, 1e6, 80)

    def compute(eps, model):
        spec = by_label(model)
        w = window_for_distortion(eps, C, alpha)
        full = kv_bytes(n, spec, bytes_per_value) / MIB
        window = kv_bytes(np.minimum(n, w), spec, bytes_per_value) / MIB
        block = kv_bytes(np.minimum(n, 2 * w), spec, bytes_per_value) / MIB
        return View([
            Trace("full cache (all n tokens)", n, full, color=COLORS["full_cache"]),
            Trace("sliding window w(ε)", n, window, color=COLORS["window_cache"]),
            Trace("block-Markov, peak 2L with L = w(ε)", n, block, dash="dash", color=COLORS["block_cache"]),
        ], note=(f"{spec.label}, ε = {eps:.3g} nats: w(ε) = {w} tokens = "
                 f"{format_bytes(kv_bytes(w, spec, bytes_per_value))}; "
                 f"at n = 10^6 the full cache needs {format_bytes(kv_bytes(1e6, spec, bytes_per_value))}."))

    return Explorer("kv-memory-versus-context",
                    [Param("eps", 1e-3, 0.3, default=0.03, log=True, values=[1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3],
                           label="ε (nats)"),
                     shape_choice()],
                    compute, x_label="context length n (tokens)", y_label="KV memory (MiB, bf16)",
                    log_x=True, log_y=True,
                    caption="KV memory against the context length n: the full cache grows like n, a window of w(ε) "
                            "tokens "
                            "stays flat once n exceeds it, and block-Markov peaks at 2L with L = w(ε).",
                    try_this=TryThis(
                        "When does a window save memory?",
                        [Move({"eps": 0.001}, "a thirty times tighter target multiplies the window many times over",
                              note_value("w(ε) ="), "up"),
                         Move({"model": "Llama-3.2-3B"}, "a larger model scales every curve by its bytes per token; "
                                                         "the window in "
                              "tokens stays", note_value("w(ε) ="), "same")],
                        why="The window depends on ε and on the model's decay C·w^(−α) only, not on n: past n = w(ε) "
                            "the saving "
                            "grows without bound."))
