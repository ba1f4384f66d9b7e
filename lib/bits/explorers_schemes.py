"""Explorers of the Part I pages on achievability, correlated and drifting oracles, the regime map and context.

Each factory returns a :class:`lib.explore.Explorer`; a page cell is just the call. Expensive simulations come
from the stored table of :mod:`lib.bits.scheme_runs` or are cached here, so one state costs well under a second.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.figure import PALETTE

from .bounds import LN2, correlation_factor, mse_lower_bound
from .correlated import schedule_inflation, sign_inflation
from .drift import (causal_rd_bound, kalman_steady_state, product_tracking_heuristic, simulate_kalman,
                    simulate_sign_tracker, sign_tracker_approx)
from .literature import discrete_bit_factor, gaussian_bit_factor
from .regime import REGIMES, distance_map, power_grid, regime_map
from .scheme_runs import B_GRID, D_GRID, RHO_GRID, SCHEMES, SETTINGS, lookup
from .scheme_theory import SCHEME_LABELS, sign_asymptote

__all__ = ["achievability_curves", "correlation_bits", "drift_tracking", "regime_heatmap", "scheme_distance",
           "discrete_vs_gaussian"]

_SCHEME_BY_LABEL = {SCHEME_LABELS[name]: name for name in SCHEMES}

_NAN2 = (np.nan, np.nan)
#: One colour per stored scheme, the same in every explorer (black and grey are kept for bounds).
_COLORS = dict(zip(SCHEMES, (PALETTE[0], PALETTE[1], PALETTE[3], PALETTE[4])))


def _snap(value, grid):
    """The grid value nearest to ``value`` (on a log scale when the grid is positive): a live slider moves
    continuously, but stored runs exist only on their grid."""
    grid = np.asarray(grid, dtype=float)
    if np.all(grid > 0) and value > 0:
        return float(grid[np.argmin(np.abs(np.log(grid) - math.log(value)))])
    return float(grid[np.argmin(np.abs(grid - value))])


def achievability_curves() -> Explorer:
    """Error against rounds of the four stored schemes, with the product bound, for B and d on the stored grid."""
    sigma, r = SETTINGS["sigma"], SETTINGS["r"]
    t = np.unique(np.rint(np.geomspace(1, SETTINGS["T"], 60)).astype(int))

    def compute(B, d):
        B, d = int(_snap(B, B_GRID)), int(_snap(d, D_GRID))
        traces = [Trace("product lower bound", t, mse_lower_bound(t, d, B, sigma, r), dash="dash", color="#000000"),
                  Trace("full precision, dσ²/T", t, d * sigma**2 / t, dash="dot", color="#777777"),
                  Trace("adaptive sign, asymptote", t, sign_asymptote(t, d, B, sigma), dash="dot",
                        color=_COLORS["sign"])]
        ratios = []
        for scheme in SCHEMES:
            run = lookup(scheme, B, d)
            if run is None:
                traces.append(Trace(SCHEME_LABELS[scheme], *_NAN2, mode="lines+markers", color=_COLORS[scheme]))
                ratios.append(f"{SCHEME_LABELS[scheme]} n/a")
                continue
            traces.append(Trace(SCHEME_LABELS[scheme], run["rounds"], run["mse"], mode="lines+markers",
                                error=2 * run["se"], color=_COLORS[scheme]))
            bound = float(mse_lower_bound(SETTINGS["T"], d, B, sigma, r))
            ratios.append(f"{SCHEME_LABELS[scheme]} {run['mse'][-1] / bound:.2f}×")
        return View(traces, note=f"B = {B}, d = {d}, after T = {SETTINGS['T']} rounds, error over the bound: "
                                 + ", ".join(ratios))

    return Explorer("bits-achievability-curves",
                    [Param("B", 1, 256, 16, values=B_GRID, integer=True, label="bits per round B"),
                     Param("d", 4, 256, 64, values=D_GRID, integer=True, label="dimension d")],
                    compute, x_label="round t", y_label="mean squared error", log_x=True, log_y=True,
                    fixed_y=False)


def correlation_bits() -> Explorer:
    """Asymptotic error of the sign scheme under AR(1) noise against B, both schedules, with the bounds."""

    def compute(rho, d):
        d = int(_snap(d, (16, 64, 256)))  # powers of two, so every B = 2^k divides d (cyclic schedule)
        B = 2 ** np.arange(int(math.log2(d)) + 1)
        factor, kappa = correlation_factor(rho), sign_inflation(rho)
        bit = d / (2 * LN2 * B)
        cyclic = [math.pi / 2 * d / b * schedule_inflation(rho, d, int(b), "cyclic") for b in B]
        random = math.pi / 2 * d / B * (1 + B / d * (kappa - 1))
        sims = [lookup("sign", int(b), d, rho) if (rho in RHO_GRID and d in D_GRID and b in B_GRID) else None
                for b in B]
        sim_y = [np.nan if s is None else s["mse"][-1] * SETTINGS["T"] / d for s in sims]
        traces = [Trace("statistical bound (proved)", B, np.full(B.shape, factor), dash="dash", color="#000000"),
                  Trace("bit-limited bound (proved for ρ = 0)", B, bit, dash="dot", color="#000000"),
                  Trace("hypothesis: (1+ρ)/(1−ρ) × product bound", B, factor * np.maximum(1, bit), dash="dash",
                        color="#999999"),
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
                    compute, x_label="bits per round B", y_label="error × T/(σ²d)", log_x=True, log_y=True)


@lru_cache(maxsize=None)
def _kalman_points(q_values: tuple) -> tuple:
    runs = [simulate_kalman(q, 1.0, T=2000, reps=32, seed=11) for q in q_values]
    return tuple(m for m, _ in runs), tuple(s for _, s in runs)


def drift_tracking(d: int = 16) -> Explorer:
    """Tracking error against the drift q: the two lower bounds, the unproved product guess and the trackers."""
    q_fine = np.geomspace(0.005, 1.5, 60)
    q_sim = (0.01, 0.03, 0.1, 0.3, 1.0)
    divisors = tuple(b for b in range(1, d + 1) if d % b == 0)

    def compute(B):
        B = int(_snap(B, divisors))  # the cyclic tracker needs B to divide d
        kal_m, kal_s = _kalman_points(q_sim)
        tracker = [simulate_sign_tracker(q, 1.0, B=B, d=d, updates=1500, reps=8, seed=12) for q in q_sim]
        approx = [sign_tracker_approx(q, 1.0, B, d) if q * math.sqrt(d / B) < 0.5 else np.nan for q in q_fine]
        traces = [Trace("Kalman bound (no quantisation)", q_fine, [kalman_steady_state(q, 1.0) for q in q_fine],
                        dash="dash", color="#000000"),
                  Trace("causal rate–distortion bound (no noise)", q_fine, [causal_rd_bound(q, B, d) for q in q_fine],
                        dash="dot", color="#000000"),
                  Trace("product-form guess (unproved)", q_fine,
                        [product_tracking_heuristic(q, 1.0, B, d) for q in q_fine], dash="dash", color="#999999"),
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
                    log_x=True, log_y=True)


def _boundary_traces(change, below, d, B_max):
    """Two line traces (in log2 units) of the change of regime: towards bit-limited and towards communication."""
    inside = (change >= 1.0) & (change <= B_max)
    x = np.where(inside, np.log2(np.where(inside, change, 1.0)), np.nan)
    y = np.log2(d)
    return [Trace("statistical | bit-limited boundary", np.where(below == 2, x, np.nan), y, color="#ffffff"),
            Trace("statistical | communication boundary", np.where(below == 0, x, np.nan), y, dash="dash",
                  color="#ff4040")]


def regime_heatmap() -> Explorer:
    """Heat map of the binding lower bound on T over (B, d), with the regime boundaries, for sliders σ, ε, ρ."""
    grid = power_grid(4096)

    def compute(sigma, eps, rho):
        m = regime_map(sigma, eps, rho, B=grid, d=grid)
        z = np.round(np.log10(np.maximum(m.rounds, 1.0)), 2)  # no bound asks for less than one round
        codes, counts = np.unique(m.regime, return_counts=True)
        share = ", ".join(f"{REGIMES[c]} {100 * n / m.regime.size:.0f}%" for c, n in zip(codes, counts))
        traces = [Trace("log10 rounds needed", np.log2(m.B), np.log2(m.d), z=z, kind="heatmap")]
        traces += _boundary_traces(m.boundary, m.below, m.d, grid[-1])
        return View(traces, note=f"σ = {sigma:g}, ε = {eps:g}, ρ = {rho:g}: share of the plane — {share}")

    return Explorer("bits-regime-heatmap",
                    [Param("sigma", 1e-3, 10.0, 1.0, values=(1e-3, 1e-2, 0.1, 1.0, 10.0), log=True,
                           label="noise σ"),
                     Param("eps", 0.01, 1.0, 0.1, values=(0.01, 0.1, 1.0), log=True, label="accuracy ε"),
                     Param("rho", 0.0, 0.9, 0.0, values=(0.0, 0.5, 0.9), label="correlation ρ")],
                    compute, x_label="log2 of bits per round B", y_label="log2 of dimension d", fixed_y=False,
                    height=480)


def scheme_distance() -> Explorer:
    """Heat map of measured error over the bound at T = 4000 for one scheme over the stored (B, d) grid."""
    B, d = np.asarray(B_GRID), np.asarray(D_GRID)

    def compute(scheme, rho):
        name, rho = _SCHEME_BY_LABEL[scheme], _snap(rho, RHO_GRID)
        ratio, _ = distance_map(name, rho)
        z = np.round(np.log10(ratio), 3)
        change = d * (1 - rho) / (2 * LN2 * (1 + rho))
        finite = ratio[np.isfinite(ratio)]
        traces = [Trace("log10(measured / bound)", np.log2(B), np.log2(d), z=z, kind="heatmap"),
                  Trace("statistical | bit-limited boundary", np.log2(change), np.log2(d), color="#ffffff")]
        return View(traces, note=f"{SCHEME_LABELS[name]}, ρ = {rho:g}: measured/bound from {finite.min():.2g} to "
                                 f"{finite.max():.2g} (T = {SETTINGS['T']}, σ = 1, blank: cannot run)")

    return Explorer("bits-scheme-distance",
                    [Choice("scheme", list(_SCHEME_BY_LABEL), default=SCHEME_LABELS[SCHEMES[0]]),
                     Param("rho", 0.0, 0.9, 0.0, values=RHO_GRID, label="correlation ρ")],
                    compute, x_label="log2 of bits per round B", y_label="log2 of dimension d", fixed_y=False)


def discrete_vs_gaussian() -> Explorer:
    """How the sample-size penalty falls with the bits per sample: exponentially (discrete), linearly (Gaussian)."""
    bits = np.unique(np.rint(np.geomspace(1, 4096, 80)).astype(int))

    def compute(k):
        discrete = [discrete_bit_factor(k, int(b)) for b in bits]
        gaussian = [gaussian_bit_factor(k, int(b)) for b in bits]
        return View([Trace("k-ary distribution, ℓ-bit messages: k/2^ℓ", bits, discrete),
                     Trace("Gaussian mean in d = k dimensions: d/(2 ln2 B)", bits, gaussian)],
                    note=f"k = d = {k}: the penalty vanishes at ℓ = log2 k = {math.log2(k):.0f} bits (discrete) "
                         f"and at B = d/(2 ln 2) = {k / (2 * LN2):.1f} bits (Gaussian)")

    return Explorer("bits-discrete-vs-gaussian",
                    [Param("k", 16, 4096, 256, values=(16, 64, 256, 1024, 4096), log=True, integer=True,
                           label="alphabet size k = dimension d")],
                    compute, x_label="bits per sample (ℓ or B)", y_label="sample-size penalty over unconstrained",
                    log_x=True, log_y=True)
