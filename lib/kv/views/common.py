"""What every Part II view shares: colours by meaning, model and variant styles, panels, the stored curves.

Colours are keyed by what they mean (:data:`COLORS`): a cache policy, a model and the kinds of curve both
parts draw take the book's colour (:func:`lib.explore.style.color`); the few that only Part II needs (eviction
variants, cache memories, a measurement and its band) are added here. A variant ``policy:pres`` (original positions) takes its
policy's colour with a dashed line; eviction without recompute (``evict_*``) a dotted one.
"""
from __future__ import annotations

import numpy as np

from lib.explore import Choice
from lib.explore.style import color, log_decades

from .. import store
from ..analysis import VARIANT_LABELS, curve_band, parse_variant
from ..models import DEFAULT_MODEL, MEASURED, REGISTRY

__all__ = ["COLORS", "LW", "MIB", "variant_color", "variant_dash", "variant_linestyle", "measured_choice",
           "shape_choice", "model_label", "measured", "long_measured", "long_pending", "long_status",
           "PENDING", "pending_numbers", "window_text", "stored_curves", "panels", "finish", "band",
           "variant_curves"]

#: Colours by meaning: cache policies, models, kinds of curve, memory of a cache.
COLORS = {name: color(name) for name in ("sliding", "sink", "random", "block_markov", "streaming_llm", "h2o",
                                         "smollm2-135m", "gemma3-270m", "bayes", "bound")}
COLORS.update({"evict_sliding": "#8c564b", "evict_sink": "#117733", "evict_h2o": COLORS["h2o"],
               "h2o_self": COLORS["h2o"], "measured": "#333333", "band": color("reference"), "marker": "#000000",
               "full_cache": COLORS["h2o"], "window_cache": COLORS["sliding"], "block_cache": COLORS["block_markov"]})
LW = 2
MIB = 2.0 ** 20


def _policy(variant: str) -> str:
    return parse_variant(variant)[0]


def variant_color(variant: str) -> str:
    """The colour of a variant: that of its policy (``evict_sink:pres`` -> ``evict_sink``)."""
    return COLORS[_policy(variant)]


def variant_dash(variant: str):
    """Plotly dash of a variant: dotted for eviction, dashed for original positions, solid otherwise."""
    policy, pres = parse_variant(variant)
    return "dot" if policy.startswith("evict") else ("dash" if pres else None)


def variant_linestyle(variant: str) -> str:
    """Matplotlib line style matching :func:`variant_dash`."""
    return {"dot": ":", "dash": "--", None: "-"}[variant_dash(variant)]


def measured_choice() -> Choice:
    """A slider over the measured models, by label."""
    labels = [REGISTRY[name].label for name in MEASURED]
    return Choice("model", labels, default=labels[0])


def shape_choice() -> Choice:
    """A slider over every registered model shape, by label."""
    labels = [m.label for m in REGISTRY.values()]
    return Choice("model", labels, default=labels[0], label="model shape")


def measured(suffix: str = "") -> dict:
    """``{model id: Measurement}`` of the measured models (``suffix="-online"`` for the online runs)."""
    return {name: store.load(f"{name}{suffix}") for name in MEASURED}


def long_measured(suffix: str = "-long") -> dict:
    """``{model id: Measurement}`` of the measured models whose long-context file ``<id><suffix>`` is stored
    (``"-sampled"``: the model's own text); a model whose run has not landed yet is simply absent."""
    stored = store.names()
    return {name: store.load(f"{name}{suffix}") for name in MEASURED if f"{name}{suffix}" in stored}


def long_pending(suffix: str = "-long") -> list:
    """Labels of the measured models whose long-context file ``<id><suffix>`` is not stored yet."""
    stored = store.names()
    return [REGISTRY[name].label for name in MEASURED if f"{name}{suffix}" not in stored]


def long_status(long_ms: dict) -> str:
    """Sentences: which measured models have a long-context run stored, which are pending, and whether the run
    on text sampled from the default model itself is stored."""
    have = [model_label(n) for n in long_ms]
    pending = [model_label(n) for n in MEASURED if n not in long_ms]
    text = f"Long-context data are stored for {', '.join(have) if have else 'no model yet'}"
    runs = f"the run of {pending[0]} is" if len(pending) == 1 else f"the runs of {' and '.join(pending)} are"
    text += (f"; {runs} pending, and the results of this chapter for {'it' if len(pending) == 1 else 'them'} are "
             "the 1024-token ones." if pending else "; every measured model has its long-context run.")
    own = model_label(DEFAULT_MODEL)
    state = "stored" if f"{DEFAULT_MODEL}-sampled" in store.names() else "pending"
    return text + f" The run on text that {own} sampled itself is {state}."


#: What a glued number of a run not stored yet reads.
PENDING = "pending"


def pending_numbers(long_ms: dict, suffixes) -> dict:
    """``<tag>-<suffix>`` = :data:`PENDING` for each measured model without a run in ``long_ms``, so that a page
    glues the same keys before and after the run lands."""
    return {f"{REGISTRY[name].tag}-{s}": PENDING for name in MEASURED if name not in long_ms for s in suffixes}


def window_text(res: dict) -> str:
    """A :func:`lib.kv.limits.window_for_eps` result as a phrase: the window read off the measured curve with
    its interval, or the power law's window labelled as an extrapolation."""
    if not res["inside"]:
        return (f"{res['w']:.0f} tokens, extrapolated ({res['method'].split(': ')[1]}; the measurement stops "
                f"at {res['w_max']:.0f})")
    hi = f"{res['hi']:.0f}" if np.isfinite(res["hi"]) else f"beyond {res['w_max']:.0f}"
    return f"{res['w']:.0f} tokens [{res['lo']:.0f}, {hi}]"


def stored_curves(variants, n_boot=400) -> dict:
    """``{model label: {variant: (w, mean, lo, hi, per_segment)}}`` from the stored data (``lo = hi = mean``
    when ``n_boot`` is None)."""
    out = {}
    for name, m in measured().items():
        out[REGISTRY[name].label] = curves = {}
        for v in variants:
            w, mean, per_segment = m.curve(*parse_variant(v))
            lo, hi = (mean, mean) if n_boot is None else curve_band(per_segment, n_boot=n_boot)
            curves[v] = (w.astype(float), mean, lo, hi, per_segment)
    return out


def panels(names, xlabel: str, ylabel: str = "mean KL (nats)", height: float = 3.6):
    """One panel per model id (labelled in its corner), sharing the y axis; returns ``fig, axes``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(names), figsize=(4.7 * len(names), height), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.set_xlabel(xlabel)
        ax.text(0.97, 0.96, model_label(name), transform=ax.transAxes, ha="right", va="top", fontsize=9)
    axes[0][0].set_ylabel(ylabel)
    return fig, axes[0]


def finish(fig, axes, loc="lower left", fontsize=8):
    """Legends (where none is set), decade ticks on log axes, a tight layout; the figure is closed, so that a
    page cell ending with the call shows it once."""
    import matplotlib.pyplot as plt

    for ax in np.atleast_1d(axes):
        if ax.get_legend() is None and ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=fontsize, loc=loc)
        log_decades(ax, x=ax.get_xscale() == "log", y=ax.get_yscale() == "log")
    fig.tight_layout()
    plt.close(fig)
    return fig


def band(ax, w, per_segment, color, n_boot, seed):
    """Shade the bootstrap band of the mean curve over segments."""
    lo, hi = curve_band(per_segment, n_boot=n_boot, seed=seed)
    ax.fill_between(w, lo, hi, color=color, alpha=0.18, lw=0)


def variant_curves(measurements: dict, variants, n_boot: int = 1000, seed: int = 0, xlabel="budget w (tokens)"):
    """Mean KL against the budget for several variants per model, each with its bootstrap band.

    ``measurements`` maps a model id to its :class:`lib.kv.store.Measurement`.
    """
    fig, axes = panels(list(measurements), xlabel)
    for ax, m in zip(axes, measurements.values()):
        for variant in variants:
            w, mean, per_segment = m.curve(*parse_variant(variant))
            color = variant_color(variant)
            band(ax, w, per_segment, color, n_boot, seed)
            ax.loglog(w, mean, variant_linestyle(variant), color=color, lw=LW, marker="o", ms=3,
                      label=VARIANT_LABELS[variant])
    return finish(fig, axes)


def model_label(name: str) -> str:
    """The label of a model id (the id itself if it is not registered)."""
    return REGISTRY[name].label if name in REGISTRY else name

