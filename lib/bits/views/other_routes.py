"""The explorer of page ``bits-other-routes`` (book/bits/other-routes.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.style import color
from lib.explore.teach import Move, TryThis, note_value

from ..bounds import mse_lower_bound
from ..routes import assouad_sdpi_bound, tail_scheme_budget, truncation_level

__all__ = ['routes_bounds', 'efficiency_table']


_T = np.unique(np.geomspace(10, 10**6, 41).astype(int))


def _routes_view(d, B, fail, sigma=1.0):
    d, B = int(d), int(B)
    van_trees = mse_lower_bound(_T, d, B, sigma)
    local, _ = assouad_sdpi_bound(_T, d, B, sigma)
    tau = truncation_level(_T, d, fail)
    truncated = np.array([assouad_sdpi_bound(int(t), d, B, sigma, 4 * x**2)[0] for t, x in zip(_T, tau)])
    bits = min(B, d)
    scheme = d**2 * sigma**2 / (_T * tail_scheme_budget(d, bits, sigma))
    return View([
        Trace("van Trees product bound", _T, van_trees, color=color("bound")),
        Trace("Assouad + SDPI, local constant κ = 1", _T, local, dash="dash", color="#0072B2"),
        Trace("Assouad + SDPI after truncation, κ = 4τ²", _T, truncated, dash="dot", color="#D55E00"),
        Trace("entropy-coded tail thresholds (asymptotic)", _T, scheme, color="#009E73"),
    ], note=f"d = {d}, B = {B}: van Trees / Assouad (κ = 1) = {van_trees[0] / local[0]:.3g}; truncation at "
            f"{fail:g} failure needs τ = {tau[0]:.2f} at T = {_T[0]} and {tau[-1]:.2f} at T = {_T[-1]}, "
            f"costing a further factor 4τ² = {4 * tau[-1]**2:.3g} in the bit-limited regime; the tail scheme sits "
            f"{scheme[0] / van_trees[0]:.3g} × above the van Trees bound (at {bits / d:.3g} bits a coordinate)")


def routes_bounds() -> Explorer:
    """Lower bounds on the error against rounds: van Trees, Assouad + SDPI with and without truncation, a scheme.

    Returns
    -------
    lib.explore.Explorer
        Sliders d, B and the truncation failure probability; curves ``eq-bits-product-bound``,
        ``eq-bits-assouad-sdpi`` (``kappa = 1`` and ``kappa = 4 tau^2``, ``eq-bits-truncation``) and the
        entropy-coded tail-threshold scheme's asymptotic error ``sigma^2 d^2/(T budget)`` (``eq-bits-tail-budget``).
    """
    return Explorer(
        "bits-routes",
        [Param("d", 16, 1024, default=1024, values=[16, 64, 256, 1024], integer=True, label="dimension d"),
         Param("B", 1, 1024, default=2, values=[2**i for i in range(11)], integer=True, log=True,
               label="bits per round B"),
         Param("fail", 0.01, 0.5, default=0.1, values=[0.01, 0.1, 0.5], log=True,
               label="truncation failure probability")],
        _routes_view, x_label="rounds T", y_label="mean squared error (σ = 1)", log_x=True, log_y=True,
        caption="Lower bounds on the error against the rounds T: the van Trees product bound, Assouad's method "
                "with the strong data-processing inequality (local constant κ = 1, and after truncation κ = 4τ²), and "
                "the entropy-coded tail-threshold scheme.",
        try_this=TryThis(
            "What does the truncation route lose against van Trees?",
            [Move({"fail": 0.01}, "a smaller failure probability needs a larger truncation τ, and the factor 4τ² it "
                  "costs grows", note_value("costing a further factor 4τ² ="), "up"),
             Move({"d": 16}, "in fewer dimensions τ shrinks and the truncated bound loses less",
                  note_value("costing a further factor 4τ² ="), "down")],
            why="Truncation makes the Gaussian oracle bounded so that the data-processing constant exists, at the "
                "price 4τ², which grows with d and T; van Trees needs no truncation."))


def efficiency_table(table: dict):
    """The table of :func:`lib.bits.routes.efficiency_table`: the product bound's budget over the tail scheme's.

    Parameters
    ----------
    table : dict
        From :func:`lib.bits.routes.efficiency_table`.

    Returns
    -------
    IPython.display.HTML
    """
    header = ["d/B", "offset a (σ)", "fisher per bit (1/σ²)", "product-bound budget / scheme budget"]
    return show_table(header, [[r, f"{a:.3f}", f"{f:.4f}", f"{g:.4f}"] for r, a, f, g in table["rows"]])
