"""Explorers of Part II's theory chapters: each function returns a :class:`lib.explore.Explorer`.

Every compute function is closed-form (Toy A, the window rule, the memory formula), so a state costs well
under a millisecond and the static book can precompute every grid point.
"""
from __future__ import annotations

import numpy as np

from lib.explore import Choice, Explorer, Param, Trace, View

from .block_markov import block_markov_distortion, mean_memory
from .fits import window_for_distortion
from .memory import SHAPES, format_bytes, kv_bytes
from .toys import ToyA

__all__ = ["toy_a_policies", "window_theorem", "block_markov", "memory_versus_context", "MODEL_ORDER"]

#: Model shapes in slider order.
MODEL_ORDER = tuple(SHAPES)
_MIB = 2.0 ** 20


def _model_param() -> Choice:
    return Choice("model", list(MODEL_ORDER), default=MODEL_ORDER[0], label="model shape")


def toy_a_policies() -> Explorer:
    """Toy A: distortion against memory for the model run on a suffix, the best suffix-only predictor and
    random retention (chapter :ref:`kv-sequential-wyner-ziv`)."""

    def compute(beta, s, t):
        toy = ToyA(beta=beta, s=s)
        m = np.unique(np.geomspace(1, 4096, 90).round())
        _, C = toy.power_law_bounds()
        random = np.where(m <= t, toy.random_retention(np.minimum(m, t), t), np.nan)
        d64, r64 = toy.delta(64), toy.random_retention(64, t)
        return View([
            Trace("model run on the last m tokens", m, toy.delta(m)),
            Trace("best suffix-only predictor", m, toy.bayes_gap(m), dash="dash"),
            Trace("random m of the last t tokens", m, random),
            Trace("C·m^(−α)", m, C * m ** -toy.alpha, dash="dot", color="#888888"),
        ], note=(f"α = 2β − 1 = {toy.alpha:.2f}. At m = 64: suffix {d64:.3g} nats, random {r64:.3g} nats "
                 f"({r64 / d64:.0f}× worse)."))

    return Explorer("kv-toy-a-policies",
                    [Param("beta", 0.75, 2.0, default=1.0, values=[0.75, 1.0, 1.25, 1.5, 2.0], label="β"),
                     Param("s", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="noise s"),
                     Param("t", 256, 4096, default=1024, integer=True, values=[256, 1024, 4096],
                           label="random pool t (tokens)")],
                    compute, x_label="memory m (tokens)", y_label="distortion (nats)", log_x=True, log_y=True)


def window_theorem(C: float, alpha: float, n_full: int = 32768, bytes_per_value: float = 2) -> Explorer:
    """Window rule w(ε) = ⌈(C/ε)^(1/α)⌉ and its KV memory for a model shape (chapter :ref:`kv-window-theorem`).

    Parameters
    ----------
    C, alpha : float
        Power-law constants; ``alpha`` is the slider's default (e.g. a measured exponent), ``C`` stays fixed.
    n_full : int, optional
        Context length of the full cache drawn for comparison.
    bytes_per_value : float, optional
        Storage per number (2 = bf16).
    """
    alphas = sorted({0.5, 0.75, 1.0, 1.5, round(float(alpha), 3)})
    eps_grid = np.geomspace(1e-3, 1.0, 40)

    def compute(alpha, eps, model):
        shape = SHAPES[model]
        w = np.array([window_for_distortion(e, C, alpha) for e in eps_grid])
        w_eps = window_for_distortion(eps, C, alpha)
        full = kv_bytes(n_full, shape, bytes_per_value)
        mem = kv_bytes(w_eps, shape, bytes_per_value)
        return View([
            Trace("window memory, w(ε) tokens", eps_grid, kv_bytes(w, shape, bytes_per_value) / _MIB),
            Trace("chosen ε", [eps], [mem / _MIB], mode="markers"),
            Trace(f"full cache, {n_full} tokens", eps_grid[[0, -1]], [full / _MIB] * 2, dash="dash",
                  color="#888888"),
        ], note=(f"{shape.name}: w(ε = {eps:.3g}) = {w_eps} tokens → {format_bytes(mem)} "
                 f"(C = {C:.3g}, α = {alpha:.2f}); the {n_full}-token full cache takes {format_bytes(full)}."))

    return Explorer("kv-window-theorem",
                    [Param("alpha", min(alphas), max(alphas), default=round(float(alpha), 3), values=alphas,
                           label="α"),
                     Param("eps", 1e-3, 0.3, default=0.03, log=True, values=[1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3],
                           label="ε (nats)"),
                     _model_param()],
                    compute, x_label="target distortion ε (nats)", y_label="KV memory (MiB, bf16)",
                    log_x=True, log_y=True)


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
            Trace("sliding window, memory w", m, toy.delta(m)),
            Trace("block-Markov at mean memory 1.5L", [mean_memory(int(b)) for b in blocks], bm),
            Trace("block-Markov at peak memory 2L", 2 * blocks, bm, dash="dash"),
            Trace("chosen L: sliding(L), block-Markov, sliding(2L)", [L, mean_memory(L), 2 * L],
                  [toy.delta(L), d_bm, toy.delta(2 * L)], mode="markers"),
            Trace("γ = α/2 rate C·m^(−α/2)", m, C * m ** (-toy.alpha / 2), dash="dot", color="#888888"),
        ], note=(f"L = {L}: block-Markov {d_bm:.3g} nats with 1.5L ≈ {mean_memory(L):.0f} tokens on average, "
                 f"between sliding(2L) = {toy.delta(2 * L):.3g} and sliding(L) = {toy.delta(L):.3g}."))

    return Explorer("kv-block-markov",
                    [Param("beta", 0.75, 2.0, default=1.0, values=[0.75, 1.0, 1.5, 2.0], label="β"),
                     Param("L", 4, 512, default=64, integer=True, values=[4, 8, 16, 32, 64, 128, 256, 512],
                           label="block length L (tokens)")],
                    compute, x_label="memory m (tokens)", y_label="distortion (nats)", log_x=True, log_y=True)


def memory_versus_context(C: float, alpha: float, bytes_per_value: float = 2) -> Explorer:
    """KV memory against context length n: the full cache grows like n, a w(ε) window stays flat
    (chapter :ref:`kv-in-context`)."""
    n = np.geomspace(1e2, 1e6, 80)

    def compute(eps, model):
        shape = SHAPES[model]
        w = window_for_distortion(eps, C, alpha)
        full = kv_bytes(n, shape, bytes_per_value) / _MIB
        window = kv_bytes(np.minimum(n, w), shape, bytes_per_value) / _MIB
        block = kv_bytes(np.minimum(n, 2 * w), shape, bytes_per_value) / _MIB
        return View([
            Trace("full cache (all n tokens)", n, full, color="#D55E00"),
            Trace("sliding window w(ε)", n, window, color="#0072B2"),
            Trace("block-Markov, peak 2L with L = w(ε)", n, block, dash="dash", color="#009E73"),
        ], note=(f"{shape.name}, ε = {eps:.3g} nats: w(ε) = {w} tokens = {format_bytes(kv_bytes(w, shape, bytes_per_value))}; "
                 f"at n = 10^6 the full cache needs {format_bytes(kv_bytes(1e6, shape, bytes_per_value))}."))

    return Explorer("kv-memory-versus-context",
                    [Param("eps", 1e-3, 0.3, default=0.03, log=True, values=[1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3],
                           label="ε (nats)"),
                     _model_param()],
                    compute, x_label="context length n (tokens)", y_label="KV memory (MiB, bf16)",
                    log_x=True, log_y=True)
