"""Static figures of the Part I pages on the reduction and the lower bounds (matplotlib).

Each function draws one figure from library computations, closes it in pyplot and returns it, so a page cell
that ends with the call shows it exactly once. Axis labels are lowercase with units; no titles (the caption is on
the page). Colours: the Okabe-Ito palette shared with :mod:`lib.explore`.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from lib.explore.figure import PALETTE
from lib.infotheory import gaussian_location_bayes_risk

from .bounds import LN2, mse_lower_bound
from .noiseless import bisection_error, uniform_distortion_bound
from .quantizers import (best_uniform_quantizer, fisher_per_bit_families, fisher_sign, fisher_stochastic_round,
                         quantizer_entropy, uniform_thresholds)

__all__ = ["error_vs_rounds", "bisection_vs_bound", "statistical_bound", "fisher_per_bit_bars",
           "fisher_vs_entropy", "best_uniform_table"]


def _axes(width: float = 6.4, height: float = 3.8):
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.grid(True, which="major", alpha=0.3)
    return fig, ax


def _done(fig):
    plt.close(fig)
    return fig


def error_vs_rounds(runs: dict, reference=None, reference_label: str = "", log_y: bool = True):
    """Monte Carlo error curves ``E||x_t - theta||^2`` (mean +- 2 SE) against rounds, with a reference curve.

    Parameters
    ----------
    runs : dict
        ``label -> SimulationResult``.
    reference : tuple of arrays, optional
        ``(t, value)`` drawn dashed in black (e.g. ``d sigma^2/t``, ``eq-bits-sgd-exact``).
    reference_label : str, optional
        Its legend entry.
    log_y : bool, optional
        Logarithmic error axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes()
    markers = "osD^v"
    for i, (label, res) in enumerate(runs.items()):
        ax.errorbar(res.rounds, res.mse, yerr=2 * res.se, fmt=markers[i % 5], ms=4, color=PALETTE[i % 8],
                    label=label, alpha=0.85, lw=1)
    if reference is not None:
        ax.plot(*reference, "k--", lw=2, label=reference_label)
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel("round t")
    ax.set_ylabel(r"mean squared error $E\|x_t-\theta\|^2$")
    ax.legend(frameon=False)
    return _done(fig)


def bisection_vs_bound(d: int = 8, r: float = 1.0, max_bits: int = 96, mc: tuple | None = None):
    """Noiseless case: bisection error against total bits, with the rate-distortion (Shannon) lower bound.

    Parameters
    ----------
    d : int
        Dimension.
    r : float
        Half-width of the cube (``theta`` uniform on it).
    max_bits : int
        Largest ``TB`` shown.
    mc : tuple of arrays, optional
        ``(bits, mse, se)`` Monte Carlo points from :func:`lib.bits.noiseless.simulate_bisection`.

    Returns
    -------
    matplotlib.figure.Figure
        ``eq-bits-bisection-error`` against ``eq-bits-communication-bound-uniform``.
    """
    fig, ax = _axes()
    bits = np.arange(0, max_bits + 1)
    ax.step(bits, [bisection_error(d, int(b), r) for b in bits], where="post", color=PALETTE[0], lw=2,
            label="bisection (exact)")
    ax.plot(bits, uniform_distortion_bound(d, bits, r), "k--", lw=2, label="rate–distortion bound")
    if mc is not None:
        ax.errorbar(mc[0], mc[1], yerr=2 * np.asarray(mc[2]), fmt="o", color=PALETTE[1], ms=5,
                    label="bisection (Monte Carlo)")
    ax.axvline(d, color="0.5", lw=1, ls=":")
    ax.text(d, uniform_distortion_bound(d, 0, r), "  TB = d", color="0.4", va="top", fontsize=9)
    ax.set_yscale("log")
    ax.set_xlabel("total bits TB")
    ax.set_ylabel(r"mean squared error $E\|\hat\theta-\theta\|^2$")
    ax.legend(frameon=False)
    return _done(fig)


def statistical_bound(d: int, sigma: float, r: float, mc=None, T_max: int = 10_000):
    """The statistical bound: van Trees (cos^2 prior), the Bayes risk and ``d sigma^2/T`` against ``T``.

    Parameters
    ----------
    d : int
        Dimension.
    sigma : float
        Noise standard deviation.
    r : float
        Prior half-width.
    mc : SimulationResult, optional
        Full-precision SGD runs, drawn as points.
    T_max : int
        Largest round shown.

    Returns
    -------
    matplotlib.figure.Figure
        The bound is ``eq-bits-statistical-bound``.
    """
    fig, ax = _axes()
    T = np.unique(np.geomspace(1, T_max, 60).astype(int))
    ax.plot(T, d * sigma**2 / T, color=PALETTE[1], lw=2, label=r"sample mean / SGD: $d\sigma^2/T$")
    bayes = d * np.array([gaussian_location_bayes_risk(int(t), sigma, r) for t in T])
    ax.plot(T, bayes, color=PALETTE[2], lw=2, label="Bayes risk (posterior mean)")
    ax.plot(T, mse_lower_bound(T, d, 10**9, sigma, r), "k--", lw=2, label="van Trees bound")
    ax.axhline(d * r**2 * (1 / 3 - 2 / math.pi**2), color="0.5", lw=1, ls=":", label="prior variance")
    if mc is not None:
        ax.errorbar(mc.rounds, mc.mse, yerr=2 * mc.se, fmt="o", ms=4, color=PALETTE[0], label="SGD (Monte Carlo)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rounds T")
    ax.set_ylabel(r"mean squared error $E\|\hat\theta-\theta\|^2$")
    ax.legend(frameon=False, fontsize=9)
    return _done(fig)


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
    fig, ax = _axes(8.6, 3.8)
    ax.bar(range(len(values)), values, color=colors)
    ax.axhline(2 * LN2, color="k", ls="--", lw=2)
    ax.text(len(values) - 0.5, 2 * LN2, "2 ln 2 ceiling", ha="right", va="bottom", fontsize=9)
    ax.set_xticks(range(len(values)), labels, fontsize=8)
    ax.set_xlabel("quantiser family and message length")
    ax.set_ylabel(r"fisher information per bit ($1/\sigma^2$)")
    ax.set_ylim(0, 1.55)
    ax.grid(False)
    return _done(fig)


def fisher_vs_entropy(fisher: np.ndarray, entropy: np.ndarray, offsets=np.linspace(0, 12, 121)):
    """Fisher information per nat of output entropy, ``sigma^2 I_Q / H(Y)``, against ``H(Y)``, with the ceiling 2.

    Parameters
    ----------
    fisher, entropy : ndarray
        From :func:`lib.bits.quantizers.random_quantizers` (units ``1/sigma^2`` and nats).
    offsets : array_like
        Offsets ``a`` of the one-threshold curve (it approaches 2 as ``a`` grows and ``H`` falls).

    Returns
    -------
    matplotlib.figure.Figure
        The ratio never exceeds 2 (equation ``eq-bits-fisher-mi``).
    """
    fig, ax = _axes()
    ax.scatter(entropy, fisher / entropy, s=3, alpha=0.25, color=PALETTE[0], label="random quantisers",
               rasterized=True)
    offsets = np.asarray(offsets, dtype=float)
    h = np.array([quantizer_entropy([a]) for a in offsets])
    ax.plot(h, fisher_sign(offsets) / h, color=PALETTE[1], lw=2, label="one threshold at offset a")
    ax.axhline(2.0, color="k", ls="--", lw=2, label="ceiling 2 (Barnes–Özgür)")
    ax.set_xscale("log")
    ax.set_ylim(0, 2.2)
    ax.set_xlabel("output entropy H(Y) (nats)")
    ax.set_ylabel(r"fisher information per nat ($1/\sigma^2$)")
    ax.legend(frameon=False, fontsize=9, loc="lower left")
    return _done(fig)


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
        :func:`lib.bits.quantizers.best_uniform_quantizer` (``eq-bits-quantizer-fisher``).
    """
    from IPython.display import HTML

    head = ("<thead><tr><th>bits b</th><th>best σ²I<sub>Q</sub></th><th>step Δ/σ</th>"
            "<th>entropy H(Y) (bits)</th><th>σ²I<sub>Q</sub> per bit</th></tr></thead>")
    rows = []
    for b in range(1, max_b + 1):
        fisher, step = best_uniform_quantizer(b)
        thresholds = [0.0] if b == 1 else uniform_thresholds(b, step)
        entropy = quantizer_entropy(thresholds) / LN2
        step_text = "–" if b == 1 else f"{step:.3f}"
        rows.append(f"<tr><td>{b}</td><td>{fisher:.4f}</td><td>{step_text}</td><td>{entropy:.3f}</td>"
                    f"<td>{fisher / b:.4f}</td></tr>")
    return HTML(f'<table class="table">{head}<tbody>{"".join(rows)}</tbody></table>')
