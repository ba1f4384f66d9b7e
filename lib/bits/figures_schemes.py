"""Static figures of the Part I pages on achievability and correlated oracles (matplotlib).

Each function draws one figure from library results, closes it in pyplot and returns it (a page cell ending
with the call shows it once). Lowercase axis labels with units, no titles; the Okabe-Ito palette of
:mod:`lib.explore`.
"""
from __future__ import annotations

import numpy as np

from lib.explore.figure import PALETTE

from .bounds import LN2, correlation_factor
from .correlated import ar1_sgd_mse, schedule_inflation, sign_inflation
from .figures import _axes, _done
from .regime import DEFAULT_R, REGIMES, power_grid, regime_boundary, rounds_bounds

__all__ = ["b_sweep", "ar1_factor", "schedule_comparison", "regime_slice"]


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
    fig, ax = _axes()
    b = sweep["b"]
    ax.fill_between(b, sweep["even"], sweep["worst"], color=PALETTE[0], alpha=0.2, lw=0,
                    label=r"prediction, $\bar v_q$ from $\Delta^2/6$ to $\Delta^2/4$")
    ax.errorbar(b, sweep["mse"], yerr=2 * sweep["se"], fmt="o-", color=PALETTE[1], ms=5, lw=1.5,
                label="SR(b), simulated (±2 SE)")
    ax.axhline(sweep["bound"], color="k", ls="--", lw=2, label="product lower bound")
    ax.axvline(np.log2(sweep["M"]), color="0.5", ls=":", lw=1)
    ax.text(np.log2(sweep["M"]), sweep["worst"].max(), r" $\log_2(M/\sigma)$", color="0.4", va="top", fontsize=9)
    ax.set_yscale("log")
    ax.set_xlabel("bits per coordinate b")
    ax.set_ylabel(r"mean squared error after T rounds")
    ax.legend(frameon=False, fontsize=9)
    return _done(fig)


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
    fig, ax = _axes()
    rho = np.linspace(-0.9, 0.97, 200)
    ax.plot(rho, [correlation_factor(x) for x in rho], color="k", ls="--", lw=2,
            label=r"long-run factor $(1+\rho)/(1-\rho)$")
    ax.plot(rho, [ar1_sgd_mse(T, x) * T for x in rho], color=PALETTE[0], lw=2, label=f"exact SGD error, T = {T}")
    ax.plot(rho, [sign_inflation(x) for x in rho], color=PALETTE[2], lw=2, ls="-.",
            label="sign messages: arcsine-law factor")
    if mc is not None:
        ax.errorbar(rho_mc, mc, yerr=2 * np.asarray(mc_se), fmt="o", color=PALETTE[1], ms=5,
                    label="SGD, simulated (±2 SE)")
    ax.set_yscale("log")
    ax.set_xlabel(r"noise correlation $\rho$")
    ax.set_ylabel(r"error $\times\, T/(\sigma^2 d)$")
    ax.legend(frameon=False, fontsize=9)
    return _done(fig)


def schedule_comparison(experiment):
    """The sign scheme under AR(1) noise: cyclic versus random schedule, measured and predicted.

    Parameters
    ----------
    experiment : lib.bits.correlated.ScheduleExperiment

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes()
    rho = experiment.rho
    fine = np.linspace(0.0, rho.max(), 100)
    iid = np.pi / 2
    ax.axhline(1 / (2 * LN2), color="k", ls=":", lw=2, label=r"bit-limited bound, $1/(2\ln 2)$")
    ax.plot(fine, [correlation_factor(x) / (2 * LN2) for x in fine], color="k", ls="--", lw=2,
            label=r"hypothesis: $(1+\rho)/(1-\rho)\times$ bit-limited bound")
    d, B = experiment.options["d"], experiment.options["B"]
    for i, schedule in enumerate(("random", "cyclic")):
        color = PALETTE[1 + i]
        ax.plot(fine, [iid * schedule_inflation(x, d, B, schedule) for x in fine], color=color, lw=1.5, ls=":",
                label=f"{schedule} schedule, predicted")
        ax.errorbar(rho, experiment.normalised[schedule], yerr=2 * experiment.se[schedule], fmt="os"[i],
                    color=color, ms=6, label=f"{schedule} schedule, simulated (±2 SE)")
    ax.set_yscale("log")
    ax.set_xlabel(r"noise correlation $\rho$")
    ax.set_ylabel(r"error $\times\, TB/(\sigma^2 d^2)$")
    ax.legend(frameon=False, fontsize=9)
    return _done(fig)


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
    fig, ax = _axes()
    B = power_grid(4096, per_octave=4)
    bounds = rounds_bounds(B, d, sigma, eps, rho, r)
    for i, name in enumerate(REGIMES):
        ax.plot(B, bounds[name], color=PALETTE[i], lw=1.5, ls="--", label=f"{name} bound")
    ax.plot(B, np.maximum.reduce(list(bounds.values())), color="k", lw=3, alpha=0.35, label="binding (largest)")
    change, _ = regime_boundary(d, sigma, eps, rho, r)
    ax.axvline(float(change), color="0.5", lw=1, ls=":")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("bits per round B")
    ax.set_ylabel("rounds T needed (lower bound)")
    ax.legend(frameon=False, fontsize=9)
    return _done(fig)
