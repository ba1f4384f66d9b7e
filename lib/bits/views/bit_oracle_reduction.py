"""The figures and explorer of page ``bits-bit-oracle-reduction`` (book/bits/bit-oracle-reduction.md)."""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.style import PALETTE, axes, color, done, log_decades
from lib.explore.teach import Move, TryThis, note_value

from ..simulate import sgd_error

__all__ = ['error_vs_rounds', 'sgd_gain']


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
    fig, ax = axes()
    markers = "osD^v"
    for i, (label, res) in enumerate(runs.items()):
        ax.errorbar(res.rounds, res.mse, yerr=2 * res.se, fmt=markers[i % 5], ms=4, color=PALETTE[i % 8],
                    label=label, alpha=0.85, lw=1)
    if reference is not None:
        ax.plot(*reference, "k--", lw=2, label=reference_label)
    log_decades(ax, x=True, y=log_y)
    ax.set_xlabel("round t")
    ax.set_ylabel(r"mean squared error $E\|x_t-\theta\|^2$")
    ax.legend(frameon=False)
    return done(fig)


def _sgd_gain_view(gain, start, sigma, d=16, T=10_000):
    t = np.unique(np.geomspace(1, T, 40).astype(int))
    err = sgd_error(T, d, sigma, gain=gain, start_sq=start**2)[t - 1]
    unit = sgd_error(T, d, sigma, gain=1.0, start_sq=start**2)[t - 1]
    ratio = err[-1] / (d * sigma**2 / T)
    return View([
        Trace("SGD, step a/(t+1)", t, err),
        Trace("SGD, step 1/(t+1)", t, unit, dash="dot"),
        Trace("dσ²/t (statistical bound)", [1, T], [d * sigma**2, d * sigma**2 / T], dash="dash", color=color("bound")),
    ], note=f"d = {d}; at t = {T}: error = {err[-1]:.4g}, i.e. {ratio:.3g} × dσ²/t"
            + (" (the start is forgotten after one step)" if gain == 1 else ""))


def sgd_gain() -> Explorer:
    """SGD on the quadratic with step ``a/(t+1)`` from a start at distance ``||x_0 - theta||`` (exact error).

    Returns
    -------
    lib.explore.Explorer
        Sliders gain, start distance and sigma (d = 16); the error from :func:`lib.bits.montecarlo.sgd_error`
        against ``d sigma^2/t`` (``eq-bits-sgd-exact``).
    """
    return Explorer(
        "bits-sgd-gain",
        [Param("gain", 0.25, 3.0, default=0.5, values=[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0], label="gain a"),
         Param("start", 0.0, 1000.0, default=100.0, values=[0.0, 1.0, 10.0, 100.0, 1000.0],
               label="start distance ‖x₀ − θ‖"),
         Param("sigma", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="noise σ")],
        _sgd_gain_view, x_label="round t", y_label="mean squared error", log_x=True, log_y=True,
        caption="Exact mean squared error of SGD with the step a/(t+1) on the quadratic, from a start at distance "
                "‖x₀ − θ‖ from the optimum, against the statistical rate dσ²/t (d = 16).",
        try_this=TryThis(
            "Why does the step size 1/(t+1) matter?",
            [Move({"gain": 1.0}, "with a = 1 the error at t = 10⁴ sits on dσ²/t: the start is forgotten",
                  note_value("i.e."), "down"),
             Move({"gain": 0.25}, "with a = 1/4 the start is remembered: the error at t = 10⁴ is many times dσ²/t",
                  note_value("i.e."), "up"),
             Move({"start": 0.0}, "even from the optimum itself the small gain stays above dσ²/t",
                  note_value("i.e."), "down")],
            why="On this quadratic the step 1/(t+1) reaches the statistical rate dσ²/t; a gain below 1/2 forgets "
                "both the start and the noise too slowly."))
