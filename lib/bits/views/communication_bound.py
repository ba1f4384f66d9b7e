"""The figure and explorer of page ``bits-communication-bound`` (book/bits/communication-bound.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.teach import Move, TryThis, note_value

from ..bounds import communication_lower_bound, fisher_route_bits
from ..noiseless import bisection_error, uniform_distortion_bound

__all__ = ['bisection_vs_bound', 'communication_bits']


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
    fig, ax = axes()
    bits = np.arange(0, max_bits + 1)
    ax.step(bits, [bisection_error(d, int(b), r) for b in bits], where="post", color=PALETTE[0], lw=2,
            label="bisection (exact)")
    ax.plot(bits, uniform_distortion_bound(d, bits, r), "k--", lw=2, label="rate–distortion bound")
    if mc is not None:
        ax.errorbar(mc[0], mc[1], yerr=2 * np.asarray(mc[2]), fmt="o", color=PALETTE[1], ms=5,
                    label="bisection (Monte Carlo)")
    ax.axvline(d, color="0.5", lw=1, ls=":")
    ax.text(d, uniform_distortion_bound(d, 0, r), "  TB = d", color="0.4", va="top", fontsize=9)
    log_decades(ax)
    ax.set_xlabel("total bits TB")
    ax.set_ylabel(r"mean squared error $E\|\hat\theta-\theta\|^2$")
    ax.legend(frameon=False)
    return done(fig)


def _at_least(values, floor: float) -> np.ndarray:
    """``values`` with entries below ``floor`` hidden (NaN), for log axes."""
    values = np.asarray(values, dtype=float)
    return np.where(values >= floor, values, np.nan)


def _communication_view(d, s, sigma, eps):
    grid = np.geomspace(1e-3, 10.0, 30)
    rd = np.array([communication_lower_bound(d, e, s) for e in grid])
    fisher = np.array([fisher_route_bits(d, e, sigma, s) for e in grid])
    rd_eps, fisher_eps = communication_lower_bound(d, eps, s), fisher_route_bits(d, eps, sigma, s)
    binding = "rate–distortion" if rd_eps >= fisher_eps else "Fisher route"
    return View([
        Trace("rate–distortion bound (Theorem 1)", grid, _at_least(rd, 1.0)),
        Trace("Fisher route (needs noise)", grid, _at_least(fisher, 1.0)),
        Trace("TB = d", [grid[0], grid[-1]], [d, d], dash="dot", color=color("bound_alt")),
        Trace("chosen ε", [eps], _at_least([max(rd_eps, fisher_eps)], 1.0), mode="markers", color=color("bound")),
    ], note=f"at ε = {eps:g}: TB ≥ {rd_eps:.4g} bits (rate–distortion), ≥ {fisher_eps:.4g} bits (Fisher route); "
            f"{binding} binds")


def _fisher_over_rd(view) -> float:
    """The Fisher route's TB over the rate–distortion TB, read from the explorer's note."""
    return note_value("bits (rate–distortion), ≥")(view) / note_value("TB ≥")(view)


def communication_bits() -> Explorer:
    """Total bits ``TB`` needed against the target ``eps``: rate-distortion vs the Fisher route, prior N(0, s^2 I).

    Returns
    -------
    lib.explore.Explorer
        Sliders d, s, sigma and eps; curves ``eq-bits-communication-bound`` and ``eq-bits-fisher-route-bits``.
    """
    return Explorer(
        "bits-communication",
        [Param("d", 1, 256, default=16, values=[1, 16, 64, 256], integer=True, label="dimension d"),
         Param("s", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="prior scale s"),
         Param("sigma", 0.0, 1.0, default=0.1, values=[0.0, 0.01, 0.1, 1.0], label="noise σ"),
         Param("eps", 0.01, 3.0, default=0.1, values=[0.01, 0.03, 0.1, 0.3, 1.0, 3.0], log=True,
               label="target ε")],
        _communication_view, x_label="target rms error ε", y_label="total bits TB", log_x=True, log_y=True,
        caption="Total bits TB needed to reach the rms error ε: the rate–distortion bound (Theorem 1, prior "
                "N(0, s²I)) against the Fisher route, which needs noise in the oracle; the larger bound binds.",
        try_this=TryThis(
            "When does the noise, rather than describing θ, set the bit budget?",
            [Move({"sigma": 0.0}, "without noise the Fisher route gives nothing and rate–distortion binds",
                  note_value("bits (rate–distortion), ≥"), "down"),
             Move({"sigma": 1.0}, "with unit noise the Fisher route asks for far more bits than describing θ",
                  note_value("bits (rate–distortion), ≥"), "up"),
             Move({"d": 256}, "in more dimensions the Fisher route pulls further ahead of rate–distortion",
                  _fisher_over_rd, "up")],
            why="Describing θ to accuracy ε costs (d/2)·log₂(ds²/ε²) bits whatever the noise; learning it from "
                "noisy gradients costs bits in proportion to σ²d²/ε², which dominates unless the noise is small."))
