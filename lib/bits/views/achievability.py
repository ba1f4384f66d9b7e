"""The figure and explorer of page ``bits-achievability`` (book/bits/achievability.md)."""
from __future__ import annotations

import math

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.teach import Move, TryThis, note_value

from ..bounds import mse_lower_bound
from ..scheme_runs import B_GRID, D_GRID, SCHEMES, SETTINGS, lookup, snap
from ..scheme_theory import SCHEME_LABELS, sign_asymptote

__all__ = ['b_sweep', 'achievability_curves', 'ratio_table']


def b_sweep(sweep: dict):
    """SR(b) at a fixed budget: measured error against b, the predicted band and the product bound.

    Parameters
    ----------
    sweep : dict
        Output of :func:`lib.bits.scheme_theory.sr_b_sweep`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = axes()
    b = sweep["b"]
    ax.fill_between(b, sweep["even"], sweep["worst"], color=PALETTE[0], alpha=0.2, lw=0,
                    label=r"prediction, $\bar v_q$ from $\Delta^2/6$ to $\Delta^2/4$")
    ax.errorbar(b, sweep["mse"], yerr=2 * sweep["se"], fmt="o-", color=PALETTE[1], ms=5, lw=1.5,
                label="SR(b), simulated (±2 SE)")
    ax.axhline(sweep["bound"], color="k", ls="--", lw=2, label="product lower bound")
    ax.axvline(np.log2(sweep["M"]), color="0.5", ls=":", lw=1)
    ax.text(np.log2(sweep["M"]), sweep["worst"].max(), r" $\log_2(M/\sigma)$", color="0.4", va="top", fontsize=9)
    log_decades(ax)
    ax.set_xlabel("bits per coordinate b")
    ax.set_ylabel(r"mean squared error after T rounds")
    ax.legend(frameon=False, fontsize=9)
    return done(fig)


_NAN2 = (np.nan, np.nan)


def achievability_curves() -> Explorer:
    """Error against rounds of the four stored schemes, with the product bound, for B and d on the stored grid.

    Returns
    -------
    lib.explore.Explorer
        Sliders B and d (snapped to the stored grid); the stored runs of :mod:`lib.bits.scheme_runs`,
        the product bound ``eq-bits-product-bound`` and the sign scheme's asymptote.
    """
    sigma, r = SETTINGS["sigma"], SETTINGS["r"]
    t = np.unique(np.rint(np.geomspace(1, SETTINGS["T"], 60)).astype(int))

    def compute(B, d):
        B, d = int(snap(B, B_GRID)), int(snap(d, D_GRID))
        traces = [Trace("product lower bound", t, mse_lower_bound(t, d, B, sigma, r), dash="dash", color=color("bound")),
                  Trace("full precision, dσ²/T", t, d * sigma**2 / t, dash="dot", color=color("bound_alt")),
                  Trace("adaptive sign, asymptote", t, sign_asymptote(t, d, B, sigma), dash="dot",
                        color=color("sign"))]
        ratios = []
        for scheme in SCHEMES:
            run = lookup(scheme, B, d)
            if run is None:
                traces.append(Trace(SCHEME_LABELS[scheme], *_NAN2, mode="lines+markers", color=color(scheme)))
                ratios.append(f"{SCHEME_LABELS[scheme]} n/a")
                continue
            traces.append(Trace(SCHEME_LABELS[scheme], run["rounds"], run["mse"], mode="lines+markers",
                                error=2 * run["se"], color=color(scheme)))
            bound = float(mse_lower_bound(SETTINGS["T"], d, B, sigma, r))
            ratios.append(f"{SCHEME_LABELS[scheme]} {run['mse'][-1] / bound:.2f}×")
        return View(traces, note=f"B = {B}, d = {d}, after T = {SETTINGS['T']} rounds, error over the bound: "
                                 + ", ".join(ratios))

    return Explorer("bits-achievability-curves",
                    [Param("B", 1, 256, 16, values=B_GRID, integer=True, label="bits per round B"),
                     Param("d", 4, 256, 64, values=D_GRID, integer=True, label="dimension d")],
                    compute, x_label="round t", y_label="mean squared error", log_x=True, log_y=True,
                    fixed_y=False,
                    caption="Mean squared error against the round t of the four stored schemes (adaptive sign, SR(b), "
                            "QSGD, "
                            "rand-k) with the product lower bound and the full-precision error dσ²/T, for B and d on "
                            "the stored "
                            "grid; the note gives each scheme's error over the bound at T = 4000.",
                    try_this=TryThis(
                        "Which scheme comes closest to the bound, and when?",
                        [Move({"B": 1}, "with one bit a round the adaptive sign scheme stays within a small factor of "
                                        "the bound "
                              "while SR(b) falls far behind", note_value("SR(b)"), "up"),
                         Move({"B": 256}, "with more bits than coordinates SR(b) closes in and passes the sign scheme",
                              note_value("SR(b)"), "down")],
                        why="Sending signs adaptively spends each bit where the Fisher information is largest; "
                            "stochastic rounding "
                            "needs several bits per coordinate before it pays off."))


def ratio_table(table: dict):
    """The table of :func:`lib.bits.scheme_theory.ratio_table`: measured error over the bound, ± 2 SE.

    Parameters
    ----------
    table : dict
        From :func:`lib.bits.scheme_theory.ratio_table`.

    Returns
    -------
    IPython.display.HTML
        One row per scheme, one column per (B, d); "–" where the scheme cannot run.
    """
    header = ["scheme"] + [f"B = {B}, d = {d}" for B, d in table["cells"]]
    rows = [[SCHEME_LABELS[scheme]] + ["–" if math.isnan(x) else f"{x:.2f} ± {2 * s:.2f}"
                                       for x, s in zip(table["ratio"][scheme], table["se"][scheme])]
            for scheme in SCHEMES]
    return show_table(header, rows)
