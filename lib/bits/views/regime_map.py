"""The figure and explorers of page ``bits-regime-map`` (book/bits/regime-map.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.teach import Move, TryThis, finite_count, peak

from ..regime import DEFAULT_R, REGIMES, bit_limited_boundary, distance_map, power_grid, regime_boundary, regime_map, rounds_bounds
from ..scheme_runs import B_GRID, D_GRID, RHO_GRID, SCHEMES, SETTINGS, snap
from ..scheme_theory import SCHEME_LABELS

__all__ = ['regime_slice', 'regime_heatmap', 'scheme_distance']


def regime_slice(d: int, sigma: float, eps: float, rho: float = 0.0, r: float = DEFAULT_R):
    """The three lower bounds on T against B at one d (a row of the regime map), the largest drawn thick.

    Parameters
    ----------
    d : int
        Dimension.
    sigma, eps, rho, r : float
        As in :func:`lib.bits.regime.rounds_bounds`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = axes()
    B = power_grid(4096, per_octave=4)
    bounds = rounds_bounds(B, d, sigma, eps, rho, r)
    for i, name in enumerate(REGIMES):
        ax.plot(B, bounds[name], color=PALETTE[i], lw=1.5, ls="--", label=f"{name} bound")
    ax.plot(B, np.maximum.reduce(list(bounds.values())), color="k", lw=3, alpha=0.35, label="binding (largest)")
    change, _ = regime_boundary(d, sigma, eps, rho, r)
    ax.axvline(float(change), color="0.5", lw=1, ls=":")
    ax.set_xscale("log", base=2)
    log_decades(ax)
    ax.set_xlabel("bits per round B")
    ax.set_ylabel("rounds T needed (lower bound)")
    ax.legend(frameon=False, fontsize=9)
    return done(fig)


_SCHEME_BY_LABEL = {SCHEME_LABELS[name]: name for name in SCHEMES}


def _boundary_traces(change, below, d, B_max):
    """Two line traces (in log2 units) of the change of regime: towards bit-limited and towards communication."""
    inside = (change >= 1.0) & (change <= B_max)
    x = np.where(inside, np.log2(np.where(inside, change, 1.0)), np.nan)
    y = np.log2(d)
    return [Trace("statistical | bit-limited boundary", np.where(below == 2, x, np.nan), y, color=color("boundary")),
            Trace("statistical | communication boundary", np.where(below == 0, x, np.nan), y, dash="dash",
                  color=color("highlight"))]


def regime_heatmap() -> Explorer:
    r"""Heat map of the binding lower bound on T over (B, d), with the regime boundaries, for sliders σ, ε, ρ.

    Returns
    -------
    lib.explore.Explorer
        Sliders σ, ε and ρ; :math:`\log_{10}` of the binding bound of :func:`lib.bits.regime.regime_map`
        and the boundaries of :func:`lib.bits.regime.regime_boundary`.
    """
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
                    height=480,
                    caption="The binding lower bound on the rounds T (log₁₀) over bits per round B and dimension d, "
                            "with the "
                            "changes of regime: statistical | bit-limited (white) and statistical | communication (red "
                            "dashed).",
                    try_this=TryThis(
                        "Where does each bound bind?",
                        [Move({"sigma": 0.01}, "a near-noiseless oracle: a communication-limited region appears, and "
                                               "the red "
                              "dashed boundary with it", finite_count("statistical | communication boundary"), "up"),
                         Move({"eps": 1.0}, "a loose target: the bit-limited region is gone",
                              finite_count("statistical | bit-limited boundary"), "down"),
                         Move({"sigma": 10.0}, "a noisy oracle: the communication region vanishes and the white "
                                               "boundary returns "
                              "at B ≈ d/(2 ln 2)", finite_count("statistical | communication boundary"), "down")],
                        why="Noise makes each bit cost Fisher information (bit-limited), no noise makes describing θ "
                            "the cost "
                            "(communication); elsewhere the statistical bound binds."))


def scheme_distance() -> Explorer:
    """Heat map of measured error over the bound at T = 4000 for one scheme over the stored (B, d) grid.

    Returns
    -------
    lib.explore.Explorer
        Choice of scheme and slider ρ; :func:`lib.bits.regime.distance_map` and the boundary
        :func:`lib.bits.regime.bit_limited_boundary`.
    """
    B, d = np.asarray(B_GRID), np.asarray(D_GRID)

    def compute(scheme, rho):
        name, rho = _SCHEME_BY_LABEL[scheme], snap(rho, RHO_GRID)
        ratio, _ = distance_map(name, rho)
        z = np.round(np.log10(ratio), 3)
        change = bit_limited_boundary(d, rho)
        finite = ratio[np.isfinite(ratio)]
        traces = [Trace("log10(measured / bound)", np.log2(B), np.log2(d), z=z, kind="heatmap"),
                  Trace("statistical | bit-limited boundary", np.log2(change), np.log2(d), color=color("boundary"))]
        return View(traces, note=f"{SCHEME_LABELS[name]}, ρ = {rho:g}: measured/bound from {finite.min():.2g} to "
                                 f"{finite.max():.2g} (T = {SETTINGS['T']}, σ = 1, blank: cannot run)")

    return Explorer("bits-scheme-distance",
                    [Choice("scheme", list(_SCHEME_BY_LABEL), default=SCHEME_LABELS[SCHEMES[0]]),
                     Param("rho", 0.0, 0.9, 0.0, values=RHO_GRID, label="correlation ρ")],
                    compute, x_label="log2 of bits per round B", y_label="log2 of dimension d", fixed_y=False,
                    caption="Measured error of one scheme after T = 4000 rounds over the product lower bound (log₁₀) "
                            "on the "
                            "stored (B, d) grid, with the statistical | bit-limited boundary; blank cells cannot run.",
                    try_this=TryThis(
                        "Which scheme stays near the bound over the whole plane?",
                        [Move({"scheme": "SR(b)"}, "SR(b) is close at large B but far above the bound at small B",
                              peak("log10(measured / bound)"), "up"),
                         Move({"scheme": "rand-k"}, "rand-k's worst cell is better than SR(b)'s, still worse than the "
                                                    "sign "
                              "scheme's", peak("log10(measured / bound)"), "down")],
                        why="On this grid only the adaptive sign scheme stays within a small factor of the bound in "
                            "both regimes."))
