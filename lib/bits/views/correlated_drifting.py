"""The figures and explorers of page ``bits-correlated-drifting`` (book/bits/correlated-drifting.md)."""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.teach import Move, TryThis, note_value

from ..bounds import LN2, correlation_factor
from ..correlated import ar1_sgd_mse, schedule_inflation, sign_inflation
from ..drift import (causal_rd_bound, kalman_steady_state, product_tracking_heuristic, simulate_kalman,
                     simulate_sign_trackers, sign_tracker_approx)
from ..scheme_runs import B_GRID, D_GRID, RHO_GRID, SETTINGS, lookup, snap

__all__ = ['ar1_factor', 'schedule_comparison', 'correlation_bits', 'drift_tracking']


def ar1_factor(T: int, rho_mc=None, mc=None, mc_se=None):
    """Error of full-precision SGD under AR(1) noise, in units of the i.i.d. error, against rho.

    Parameters
    ----------
    T : int
        Rounds of the exact curve.
    rho_mc, mc, mc_se : array_like, optional
        Monte Carlo points: correlations, ``MSE T/(sigma^2 d)`` and standard errors.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = axes()
    rho = np.linspace(-0.9, 0.97, 200)
    ax.plot(rho, [correlation_factor(x) for x in rho], color="k", ls="--", lw=2,
            label=r"long-run factor $(1+\rho)/(1-\rho)$")
    ax.plot(rho, [ar1_sgd_mse(T, x) * T for x in rho], color=PALETTE[0], lw=2, label=f"exact SGD error, T = {T}")
    ax.plot(rho, [sign_inflation(x) for x in rho], color=PALETTE[2], lw=2, ls="-.",
            label="sign messages: arcsine-law factor")
    if mc is not None:
        ax.errorbar(rho_mc, mc, yerr=2 * np.asarray(mc_se), fmt="o", color=PALETTE[1], ms=5,
                    label="SGD, simulated (±2 SE)")
    log_decades(ax)
    ax.set_xlabel(r"noise correlation $\rho$")
    ax.set_ylabel(r"error $\times\, T/(\sigma^2 d)$")
    ax.legend(frameon=False, fontsize=9)
    return done(fig)


def schedule_comparison(experiment):
    """The sign scheme under AR(1) noise: cyclic versus random schedule, measured and predicted.

    Parameters
    ----------
    experiment : lib.bits.correlated.ScheduleExperiment

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = axes()
    rho = experiment.rho
    fine = np.linspace(0.0, rho.max(), 100)
    iid = np.pi / 2
    ax.axhline(1 / (2 * LN2), color="k", ls=":", lw=2, label=r"bit-limited bound, $1/(2\ln 2)$")
    ax.plot(fine, [correlation_factor(x) / (2 * LN2) for x in fine], color="k", ls="--", lw=2,
            label=r"hypothesis: $(1+\rho)/(1-\rho)\times$ bit-limited bound")
    d, B = experiment.options["d"], experiment.options["B"]
    for i, schedule in enumerate(("random", "cyclic")):
        shade = PALETTE[1 + i]
        ax.plot(fine, [iid * schedule_inflation(x, d, B, schedule) for x in fine], color=shade, lw=1.5, ls=":",
                label=f"{schedule} schedule, predicted")
        ax.errorbar(rho, experiment.normalised[schedule], yerr=2 * experiment.se[schedule], fmt="os"[i],
                    color=shade, ms=6, label=f"{schedule} schedule, simulated (±2 SE)")
    log_decades(ax)
    ax.set_xlabel(r"noise correlation $\rho$")
    ax.set_ylabel(r"error $\times\, TB/(\sigma^2 d^2)$")
    ax.legend(frameon=False, fontsize=9)
    return done(fig)


def _random_minus_cyclic(view) -> float:
    """Random minus cyclic schedule at B = 2 (units of σ²d/T), read from the explorer's note."""
    return note_value("random")(view) - note_value("cyclic")(view)


def _hypothesis_over_cyclic(view) -> float:
    """The (1+ρ)/(1−ρ) hypothesis over the cyclic schedule at B = 2, read from the explorer's note."""
    return note_value("hypothesis")(view) / note_value("cyclic")(view)


def correlation_bits() -> Explorer:
    r"""Asymptotic error of the sign scheme under AR(1) noise against B, both schedules, with the bounds.

    Returns
    -------
    lib.explore.Explorer
        Sliders ρ and d; the bounds in units of :math:`\sigma^2 d/T` and the schedules of
        :func:`lib.bits.correlated.schedule_inflation` (``eq-bits-schedule-inflation``).
    """

    def compute(rho, d):
        d = int(snap(d, (16, 64, 256)))  # powers of two, so every B = 2^k divides d (cyclic schedule)
        B = 2 ** np.arange(int(math.log2(d)) + 1)
        factor = correlation_factor(rho)
        bit = d / (2 * LN2 * B)
        cyclic = [math.pi / 2 * d / b * schedule_inflation(rho, d, int(b), "cyclic") for b in B]
        random = np.array([math.pi / 2 * d / b * schedule_inflation(rho, d, int(b), "random") for b in B])
        sims = [lookup("sign", int(b), d, rho) if (rho in RHO_GRID and d in D_GRID and b in B_GRID) else None
                for b in B]
        sim_y = [np.nan if s is None else s["mse"][-1] * SETTINGS["T"] / d for s in sims]
        traces = [Trace("statistical bound (proved)", B, np.full(B.shape, factor), dash="dash", color=color("bound")),
                  Trace("bit-limited bound (proved for ρ = 0)", B, bit, dash="dot", color=color("bound")),
                  Trace("hypothesis: (1+ρ)/(1−ρ) × product bound", B, factor * np.maximum(1, bit), dash="dash",
                        color=color("reference")),
                  Trace("sign, random schedule (theory)", B, random),
                  Trace("sign, cyclic schedule (theory)", B, cyclic),
                  Trace("sign, random schedule (simulated, T = 4000)", B, sim_y, mode="markers")]
        i = min(1, B.size - 1)
        note = (f"ρ = {rho:g}: (1+ρ)/(1−ρ) = {factor:.3g}; at B = {B[i]}: cyclic {cyclic[i]:.3g}, "
                f"random {random[i]:.3g}, hypothesis {factor * max(1, bit[i]):.3g} (units of σ²d/T)")
        return View(traces, note=note)

    return Explorer("bits-correlation-bits",
                    [Param("rho", -0.5, 0.99, 0.9, values=(-0.5, 0.0, 0.5, 0.75, 0.9, 0.95, 0.99),
                           label="correlation ρ"),
                     Param("d", 16, 256, 64, values=(16, 64, 256), integer=True, label="dimension d")],
                    compute, x_label="bits per round B", y_label="error × T/(σ²d)", log_x=True, log_y=True,
                    caption="Asymptotic error of the adaptive sign scheme under AR(1) gradient noise against B, for "
                            "the cyclic "
                            "and the random schedule (theory, and simulated at T = 4000), with the proved bounds and "
                            "the "
                            "hypothesis (1+ρ)/(1−ρ) times the product bound.",
                    try_this=TryThis(
                        "Does correlated noise cost the sign scheme the factor (1+ρ)/(1−ρ)?",
                        [Move({"rho": 0.0}, "with independent noise the two schedules coincide", _random_minus_cyclic,
                              "down"),
                         Move({"rho": 0.99}, "with strongly correlated noise the hypothesis climbs far above both "
                                             "schedules",
                              _hypothesis_over_cyclic, "up"),
                         Move({"rho": -0.5}, "with anti-correlated noise the random schedule does no worse than the "
                                             "cyclic one",
                              _random_minus_cyclic, "down")],
                        why="Revisiting a coordinate only every d/B rounds lets the noise decorrelate in between, so "
                            "the scheme "
                            "pays far less than (1+ρ)/(1−ρ): that factor cannot be a lower bound for small B."))


@lru_cache(maxsize=None)
def _kalman_points(q_values: tuple) -> tuple:
    mse, se = simulate_kalman(np.array(q_values), 1.0, T=2000, reps=32, seed=11)
    return tuple(mse.tolist()), tuple(se.tolist())


def drift_tracking(d: int = 16) -> Explorer:
    """Tracking error against the drift q: the two lower bounds, the unproved product guess and the trackers.

    Parameters
    ----------
    d : int, optional
        Dimension of the tracked parameter.

    Returns
    -------
    lib.explore.Explorer
        Slider B (divisors of d); the bounds and trackers of :mod:`lib.bits.drift`.
    """
    q_fine = np.geomspace(0.005, 1.5, 60)
    q_sim = (0.01, 0.03, 0.1, 0.3, 1.0)
    divisors = tuple(b for b in range(1, d + 1) if d % b == 0)
    kalman = kalman_steady_state(q_fine, 1.0)

    def compute(B):
        B = int(snap(B, divisors))  # the cyclic tracker needs B to divide d
        kal_m, kal_s = _kalman_points(q_sim)
        tracker = simulate_sign_trackers(q_sim, 1.0, B=B, d=d, updates=1500, reps=8, seed=12)
        approx = np.where(q_fine * math.sqrt(d / B) < 0.5, sign_tracker_approx(q_fine, 1.0, B, d), np.nan)
        traces = [Trace("Kalman bound (no quantisation)", q_fine, kalman, dash="dash", color=color("bound")),
                  Trace("causal rate–distortion bound (no noise)", q_fine, causal_rd_bound(q_fine, B, d),
                        dash="dot", color=color("bound")),
                  Trace("product-form guess (unproved)", q_fine, product_tracking_heuristic(q_fine, 1.0, B, d),
                        dash="dash", color=color("reference")),
                  Trace("sign tracker, small-q theory", q_fine, approx, dash="dot"),
                  Trace("sign tracker, simulated (tuned step)", q_sim, [t.best_mse for t in tracker],
                        mode="markers", error=[2 * t.best_se for t in tracker]),
                  Trace("Kalman filter, simulated", q_sim, kal_m, mode="markers", error=2 * np.asarray(kal_s))]
        ratio = tracker[1].best_mse / max(kalman_steady_state(q_sim[1], 1.0), causal_rd_bound(q_sim[1], B, d))
        return View(traces, note=f"B = {B}, d = {d}, σ = 1: at q = {q_sim[1]} the tuned sign tracker sits "
                                 f"{ratio:.2f}× above the larger lower bound")

    return Explorer("bits-drift-tracking",
                    [Param("B", 1, d, 2, values=tuple(b for b in divisors if b & (b - 1) == 0), integer=True,
                           label="bits per round B")],
                    compute, x_label="drift per round q/σ", y_label="tracking error per coordinate",
                    log_x=True, log_y=True,
                    caption="Tracking error per coordinate against the drift q per round of the optimum: the Kalman "
                            "bound "
                            "(no quantisation), the causal rate–distortion bound (no noise), the unproved product-form "
                            "guess, and "
                            "the sign tracker and Kalman filter simulated (d = 16, σ = 1).",
                    try_this=TryThis(
                        "How close does a one-bit-per-coordinate tracker come to the bounds?",
                        [Move({"B": 16}, "with one bit per coordinate and round the tuned sign tracker comes close to "
                                         "the larger "
                              "lower bound", note_value("tracker sits"), "down"),
                         Move({"B": 1}, "with one bit a round for 16 coordinates it falls much further behind",
                              note_value("tracker sits"), "up")],
                        why="A drifting optimum has to be described again every round: the bits per round, not only "
                            "the noise, "
                            "limit how well it can be tracked."))
