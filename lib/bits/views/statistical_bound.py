"""The figure and explorer of page ``bits-statistical-bound`` (book/bits/statistical-bound.md)."""
from __future__ import annotations

import math

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.teach import Move, TryThis, note_value
from lib.infotheory import bayes_risk_cos2, cos2_prior_variance, gaussian_location_bayes_risk

from ..bounds import min_rounds, mse_lower_bound, rounds_lower_bound

__all__ = ['statistical_bound_figure', 'statistical_bound']


def statistical_bound_figure(d: int, sigma: float, r: float, mc=None, T_max: int = 10_000):
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
    fig, ax = axes()
    T = np.unique(np.geomspace(1, T_max, 60).astype(int))
    ax.plot(T, d * sigma**2 / T, color=PALETTE[1], lw=2, label=r"sample mean / SGD: $d\sigma^2/T$")
    bayes = d * np.array([gaussian_location_bayes_risk(int(t), sigma, r) for t in T])
    ax.plot(T, bayes, color=PALETTE[2], lw=2, label="Bayes risk (posterior mean)")
    ax.plot(T, mse_lower_bound(T, d, 10**9, sigma, r), "k--", lw=2, label="van Trees bound")
    ax.axhline(d * cos2_prior_variance(r), color="0.5", lw=1, ls=":", label="prior variance")
    if mc is not None:
        ax.errorbar(mc.rounds, mc.mse, yerr=2 * mc.se, fmt="o", ms=4, color=PALETTE[0], label="SGD (Monte Carlo)")
    log_decades(ax, x=True, y=True)
    ax.set_xlabel("rounds T")
    ax.set_ylabel(r"mean squared error $E\|\hat\theta-\theta\|^2$")
    ax.legend(frameon=False, fontsize=9)
    return done(fig)


_NAN = float("nan")


def _statistical_view(d, sigma, r, eps):
    T = np.unique(np.geomspace(1, 1e5, 30).astype(int))
    bound = mse_lower_bound(T, d, 10**9, sigma, r)
    bayes = d * bayes_risk_cos2(T, sigma, r)
    t_vt = min_rounds(eps, d, 10**9, sigma, r)
    r_min = math.pi * eps * math.sqrt(2 / d)
    thm2 = rounds_lower_bound(eps, d, 10**9, sigma)
    valid = "valid" if r >= r_min else f"not guaranteed: r < πε√(2/d) = {r_min:.3g}"
    return View([
        Trace("van Trees bound", T, bound, dash="dash", color=color("bound")),
        Trace("Bayes risk (posterior mean)", T, bayes, color=color("bayes")),
        Trace("dσ²/T (sample mean)", [1, 1e5], [d * sigma**2, d * sigma**2 / 1e5], color="#D55E00"),
        Trace("target ε²", [1, 1e5], [eps**2, eps**2], dash="dot", color=color("bound_alt")),
        Trace("T needed (van Trees)", [t_vt if t_vt >= 1 else _NAN], [eps**2], mode="markers", color=color("bound")),
    ], note=f"T ≥ {t_vt:.4g} rounds (van Trees, this r); Theorem 2 form σ²d/(2ε²) = {thm2:.4g} ({valid})")


def statistical_bound() -> Explorer:
    """The van Trees bound, the exact Bayes risk and ``d sigma^2/T`` against ``T``, with the rounds for ``eps``.

    Returns
    -------
    lib.explore.Explorer
        Sliders d, sigma, r and eps; the bound is ``eq-bits-statistical-bound`` and the marker inverts it
        (:func:`lib.bits.bounds.min_rounds`).
    """
    return Explorer(
        "bits-statistical",
        [Param("d", 4, 256, default=16, values=[4, 16, 64, 256], integer=True, label="dimension d"),
         Param("sigma", 0.25, 2.0, default=1.0, values=[0.25, 0.5, 1.0, 2.0], label="noise σ"),
         Param("r", 0.5, 4.0, default=1.0, values=[0.5, 1.0, 2.0, 4.0], label="prior half-width r"),
         Param("eps", 0.1, 3.0, default=0.3, values=[0.1, 0.3, 1.0, 3.0], log=True, label="target ε")],
        _statistical_view, x_label="rounds T", y_label="mean squared error", log_x=True, log_y=True,
        caption="The van Trees bound, the exact Bayes risk (posterior mean) and dσ²/T against the rounds T, with "
                "the target ε² and the rounds the van Trees bound needs to reach it.",
        try_this=TryThis(
            "How many rounds does an accuracy ε cost?",
            [Move({"eps": 0.1}, "three times the accuracy costs about nine times the rounds", note_value("T ≥"), "up"),
             Move({"r": 4.0}, "a wider prior knows less about θ, so the bound asks for a few more rounds",
                  note_value("T ≥"), "up"),
             Move({"d": 256}, "sixteen times the dimension, sixteen times the rounds", note_value("T ≥"), "up")],
            why="For large T the bound is dσ²/T, so T ≥ dσ²/ε² up to the prior's correction: the rate that bits "
                "can only make worse."))
