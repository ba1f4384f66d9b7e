"""The figures, table and explorers of page ``bits-fisher-per-bit`` (book/bits/fisher-per-bit.md)."""
from __future__ import annotations

import math

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value

from ..bounds import LN2, bit_limited_threshold, rounds_lower_bound
from ..scheme_theory import sign_asymptote
from ..quantisers import (best_uniform_quantiser, fisher_entropy_many, fisher_per_bit_families, fisher_sign,
                          fisher_stochastic_round, quantiser_entropy, uniform_thresholds)

__all__ = ['fisher_per_bit_bars', 'fisher_vs_entropy', 'best_uniform_table', 'product_bound', 'quantiser_calculator']


def fisher_per_bit_bars(max_b: int = 6, ks=(1, 2, 4, 8, 16), tails=(2.0, 3.0, 5.0), sr_range: float = 4.0):
    """Fisher information per bit (units ``1/sigma^2``) of each quantiser family, with the ``2 ln 2`` ceiling.

    Parameters
    ----------
    max_b : int
        Largest bit depth of the best uniform quantiser.
    ks : sequence of int
        Message lengths of the argmax scheme.
    tails : sequence of float
        Offsets ``a`` of the entropy-coded tail threshold.
    sr_range : float
        Range ``M/sigma`` of the one-bit stochastic rounding bar.

    Returns
    -------
    matplotlib.figure.Figure
        Bars against the ceiling of ``eq-bits-fisher-mi``.
    """
    fam = fisher_per_bit_families(max_b, ks, tails)
    labels, values, colors = [], [], []
    for b, val in zip(*fam["uniform"]):
        labels.append("sign" if b == 1 else f"uniform\nb={b}")
        values.append(val)
        colors.append(PALETTE[0])
    for k, val in zip(*fam["argmax"]):
        labels.append(f"argmax\nk={k}")
        values.append(val)
        colors.append(PALETTE[2])
    for a, val in zip(*fam["tail"]):
        labels.append(f"tail\na={a:g}σ")
        values.append(val)
        colors.append(PALETTE[3])
    labels.append(f"SR 1 bit\nM={sr_range:g}σ")
    values.append(fisher_stochastic_round(sr_range))
    colors.append(PALETTE[1])
    fig, ax = axes(8.6, 3.8)
    ax.bar(range(len(values)), values, color=colors)
    ax.axhline(2 * LN2, color="k", ls="--", lw=2)
    ax.text(len(values) - 0.5, 2 * LN2, "2 ln 2 ceiling", ha="right", va="bottom", fontsize=9)
    ax.set_xticks(range(len(values)), labels, fontsize=8)
    ax.set_xlabel("quantiser family and message length")
    ax.set_ylabel(r"fisher information per bit ($1/\sigma^2$)")
    ax.set_ylim(0, 1.55)
    ax.grid(False)
    return done(fig)


def fisher_vs_entropy(fisher: np.ndarray, entropy: np.ndarray, offsets=np.linspace(0, 12, 121)):
    """Fisher information per nat of output entropy, ``sigma^2 I_Q / H(Y)``, against ``H(Y)``, with the ceiling 2.

    Parameters
    ----------
    fisher, entropy : ndarray
        From :func:`lib.bits.quantisers.random_quantisers` (units ``1/sigma^2`` and nats).
    offsets : array_like
        Offsets ``a`` of the one-threshold curve (it approaches 2 as ``a`` grows and ``H`` falls).

    Returns
    -------
    matplotlib.figure.Figure
        The ratio never exceeds 2 (equation ``eq-bits-fisher-mi``).
    """
    fig, ax = axes()
    ax.scatter(entropy, fisher / entropy, s=3, alpha=0.25, color=PALETTE[0], label="random quantisers",
               rasterized=True)
    offsets = np.asarray(offsets, dtype=float)
    h = np.array([quantiser_entropy([a]) for a in offsets])
    ax.plot(h, fisher_sign(offsets) / h, color=PALETTE[1], lw=2, label="one threshold at offset a")
    ax.axhline(2.0, color="k", ls="--", lw=2, label="ceiling 2 (Barnes–Özgür)")
    log_decades(ax, x=True, y=False)
    ax.set_ylim(0, 2.2)
    ax.set_xlabel("output entropy H(Y) (nats)")
    ax.set_ylabel(r"fisher information per nat ($1/\sigma^2$)")
    ax.legend(frameon=False, fontsize=9, loc="lower left")
    return done(fig)


def best_uniform_table(max_b: int = 6):
    """HTML table of the best uniform b-bit quantisers: Fisher information, step, entropy, Fisher per bit.

    Parameters
    ----------
    max_b : int
        Largest bit depth.

    Returns
    -------
    IPython.display.HTML
        One row per ``b`` (units ``1/sigma^2`` and ``sigma``), computed by
        :func:`lib.bits.quantisers.best_uniform_quantiser` (``eq-bits-quantizer-fisher``).
    """
    rows = []
    for b in range(1, max_b + 1):
        fisher, step = best_uniform_quantiser(b)
        thresholds = [0.0] if b == 1 else uniform_thresholds(b, step)
        entropy = quantiser_entropy(thresholds) / LN2
        rows.append([b, f"{fisher:.4f}", "–" if b == 1 else f"{step:.3f}", f"{entropy:.3f}", f"{fisher / b:.4f}"])
    return show_table(["bits b", "best σ²I_Q", "step Δ/σ", "entropy H(Y) (bits)", "σ²I_Q per bit"], rows)


def _product_view(B, d, sigma, eps):
    kink = bit_limited_threshold(d)
    Bs = np.unique(np.concatenate([2 ** np.arange(0, 13), [math.floor(kink), math.ceil(kink)]]))
    bound = rounds_lower_bound(eps, d, Bs, sigma)
    stat = float(bound[-1])  # B = 4096 >= d/(2 ln 2): the statistical term alone
    sign = sign_asymptote(1, d, Bs, sigma) / eps**2  # rounds at which the sign scheme's error is eps^2
    here = rounds_lower_bound(eps, d, B, sigma)
    regime = "bit-limited" if B < bit_limited_threshold(d) else "statistical"
    return View([
        Trace("product bound T(ε)", Bs, bound, color=color("bound")),
        Trace("statistical term σ²d/(2ε²)", [1, 4096], [stat, stat], dash="dot", color="#009E73"),
        Trace("bit-limited term σ²d²/(4 ln2 Bε²)", [1, 4096], [stat * d / (2 * LN2), stat * d / (2 * LN2 * 4096)],
              dash="dot", color="#D55E00"),
        Trace("adaptive sign scheme (asymptotic)", Bs, sign, dash="dash", color=color("sign")),
        Trace("chosen B", [B], [here], mode="markers", color=color("bound")),
    ], note=f"B = {B}: T ≥ {here:.4g} rounds, {regime} regime (kink at B = d/(2 ln 2) = "
            f"{bit_limited_threshold(d):.4g}); TB ≥ {here * B:.4g} bits")


def product_bound() -> Explorer:
    """Rounds needed against bits per round: the product bound, its two terms and the adaptive sign scheme.

    Returns
    -------
    lib.explore.Explorer
        Sliders B, d, sigma and eps; the curve is ``eq-bits-rounds-bound``, the sign scheme's asymptote is
        ``(pi/2) sigma^2 d max(1, d/B)/eps^2``.
    """
    return Explorer(
        "bits-product-bound",
        [Param("B", 1, 1024, default=16, values=[2**i for i in range(11)], integer=True, log=True,
               label="bits per round B"),
         Param("d", 16, 1024, default=64, values=[16, 64, 256, 1024], integer=True, label="dimension d"),
         Param("sigma", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="noise σ"),
         Param("eps", 0.1, 1.0, default=0.3, values=[0.1, 0.3, 1.0], log=True, label="target ε")],
        _product_view, x_label="bits per round B", y_label="rounds T", log_x=True, log_y=True,
        caption="Rounds T needed against the bits per round B: the product bound T(ε), the larger of its "
                "statistical term σ²d/(2ε²) and its bit-limited term σ²d²/(4 ln 2·Bε²), and the adaptive sign "
                "scheme's asymptotic rounds.",
        try_this=TryThis(
            "Where does the bit budget stop mattering?",
            [Move({"B": 1}, "T grows sixteen-fold, but the total bits TB in the note stay put: below the kink only TB "
                  "matters", note_value("TB ≥"), "same"),
             Move({"B": 64}, "past the kink at B = d/(2 ln 2) T sits on the statistical floor", note_value("T ≥"),
                  "down"),
             Move({"d": 1024}, "a larger dimension moves the kink to the right", note_value("d/(2 ln 2) ="), "up")],
            why="Below d/(2 ln 2) bits a round the bound needs TB ≥ σ²d²/(4 ln 2·ε²) bits in total, however they are "
                "spread over rounds; above it the noise alone sets T."))


def _quantiser_view(b, offset, step):
    steps = np.geomspace(0.02, 5.0, 40)
    m = 2**b - 1
    centred = np.arange(m) - (m - 1) / 2.0
    a = steps[:, None] * centred[None, :] - offset
    fisher, _ = fisher_entropy_many(a)
    f_here, h_here = (x[0] for x in fisher_entropy_many((step * centred - offset)[None, :]))
    bits = h_here / LN2
    return View([
        Trace("fisher information σ²I_Q", steps, fisher),
        Trace("per bit sent, σ²I_Q/b", steps, fisher / b, dash="dot"),
        Trace("unquantised (1/σ²)", [steps[0], steps[-1]], [1.0, 1.0], dash="dash", color=color("bound")),
        Trace("chosen step", [step], [f_here], mode="markers", color=color("bound")),
    ], note=f"b = {b}, step {step:g}σ, mean offset {offset:g}σ: σ²I_Q = {f_here:.4f}, H = {bits:.3f} bits, "
            f"σ²I_Q per bit sent = {f_here / b:.4f}, per bit of entropy = {f_here / max(bits, 1e-300):.4f} "
            f"(ceiling 2 ln 2 = {2 * LN2:.4f})")


def quantiser_calculator() -> Explorer:
    """Fisher information of a uniform b-bit quantiser against its step, with the mean offset from the centre.

    Returns
    -------
    lib.explore.Explorer
        Sliders b, offset and step; the curve is ``eq-bits-quantizer-fisher`` over the step.
    """
    return Explorer(
        "bits-quantizer-fisher",
        [Param("b", 1, 5, default=2, values=[1, 2, 3, 4, 5], integer=True, label="bits b"),
         Param("offset", 0.0, 2.0, default=0.0, values=[0.0, 0.5, 1.0, 2.0], label="mean offset (θ − centre)/σ"),
         Param("step", 0.05, 3.0, default=1.0, values=[0.05, 0.1, 0.2, 0.32, 0.56, 1.0, 2.0, 3.0], log=True,
               label="step Δ/σ")],
        _quantiser_view, x_label="threshold spacing Δ/σ", y_label="fisher information (1/σ²)", log_x=True,
        caption="Fisher information σ²I_Q of a uniform b-bit quantiser of one Gaussian gradient coordinate against "
                "its threshold spacing Δ/σ, also per bit sent, with the mean offset from the quantiser's centre and "
                "the unquantised value 1.",
        try_this=TryThis(
            "How much Fisher information can b bits carry?",
            [Move({"b": 1}, "a single bit at the centre keeps 2/π of the information, more per bit sent than two bits "
                            "do",
                  note_value("per bit sent ="), "up"),
             Move({"offset": 2.0}, "with the mean 2σ off the threshold that bit carries little", note_value("σ²I_Q ="),
                  "down"),
             Move({"b": 5}, "five bits cover the offset again and recover most of the information",
                  note_value("σ²I_Q ="), "up")],
            why="Information per bit is largest for one bit aimed at the mean: the adaptive sign scheme, which keeps "
                "its thresholds at the current estimate, is built on this."))
