r"""What the achievability schemes should reach: error predictions, the b-sweep of SR(b) and the ratio table.

Page ``bits-achievability`` prints these formulas. The schemes themselves live in :mod:`lib.bits.encoders` and
run through :func:`lib.bits.simulate.simulate`; this module predicts and summarises their errors.
"""
from __future__ import annotations

import math

import numpy as np

from lib import checks

from .bounds import mse_lower_bound
from .oracles import gradient_range
from .scheme_runs import SCHEMES, SETTINGS, lookup
from .simulate import run_lower_bound, simulate

__all__ = ["sr_error", "sr_default_bits", "rounding_variance", "sign_asymptote", "sr_b_sweep", "ratio_table", "SCHEME_LABELS"]

#: Display names of the stored schemes.
SCHEME_LABELS = {"sign": "adaptive sign", "stochastic_rounding": "SR(b)", "qsgd": "QSGD", "randk": "rand-k"}


def sr_default_bits(M, sigma):
    r"""Bits per coordinate :math:`b = \lceil\log_2(1 + M/\sigma)\rceil` that make the rounding variance
    :math:`\le\sigma^2` (equation ``eq-bits-sr-error``).

    Parameters
    ----------
    M : float
        Range of the rounded gradient coordinate, :math:`[-M, M]` (> 0).
    sigma : float
        Noise standard deviation (> 0).

    Returns
    -------
    int
        :math:`b \ge 1`.
    """
    return max(1, math.ceil(math.log2(1.0 + checks.positive(M, "M") / checks.positive(sigma, "sigma"))))


def sr_error(T, d, B, b, sigma, M, spread="worst"):
    r"""Predicted error of SR(b): :math:`\frac{d^2}{kT}(\sigma^2 + \bar v_q)`, k = min(d, ⌊B/b⌋).

    Parameters
    ----------
    T : int or array_like of int
        Rounds.
    d, B, b : int
        Dimension, bits per round and bits per coordinate (``b <= B``).
    sigma : float
        Noise standard deviation.
    M : float
        Range of the gradients, :math:`M = 2r + \kappa\sigma` (equation ``eq-bits-sr-range``).
    spread : {"worst", "even"}
        Rounding variance :math:`\bar v_q = \Delta^2/4` (worst case) or :math:`\Delta^2/6` (values spread evenly
        within grid cells), with :math:`\Delta = 2M/(2^b-1)`.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Equation ``eq-bits-sr-error``. Coordinate j receives about :math:`kT/d` unbiased samples of :math:`\theta_j`,
    each with variance :math:`\sigma^2` (noise) plus the rounding variance (equation ``eq-bits-sr-variance``), and the
    decoder averages them.
    """
    T = checks.counts(T, "T")
    d, B, b = checks.count(d, "d"), checks.count(B, "B"), checks.count(b, "b")
    if b > B:
        raise ValueError(f"`b` must lie in [1, B] = [1, {B}], got {b}.")
    if spread not in ("worst", "even"):
        raise ValueError(f"`spread` must be 'worst' or 'even', got {spread!r}.")
    sigma, M = checks.positive(sigma, "sigma"), checks.positive(M, "M")
    k = min(d, B // b)
    step = 2.0 * M / (2**b - 1)
    out = d**2 / (k * T) * (sigma**2 + step**2 / (4.0 if spread == "worst" else 6.0))
    return float(out) if np.ndim(out) == 0 else out


def rounding_variance(step, sigma=1.0, shift=0.0):
    r"""Mean variance of unbiased stochastic rounding of :math:`X\sim\mathcal N(c, \sigma^2)` on a grid of spacing Δ.

    Parameters
    ----------
    step : float
        Grid spacing Δ (levels at the integer multiples of Δ), > 0.
    sigma : float, optional
        Standard deviation of X, > 0.
    shift : float, optional
        Position of the mean c above the level below it, in units of Δ, in [0, 1).

    Returns
    -------
    float
        :math:`\bar v_q = \E[(u-X)(X-l)]` with l, u the grid neighbours of X (equation ``eq-bits-sr-variance``),
        by quadrature cell by cell over :math:`c \pm 12\sigma`.

    Notes
    -----
    Always :math:`\le \Delta^2/4`; it is :math:`\Delta^2/6` only if X spreads evenly within the cells
    (:math:`\sigma \gg \Delta`). When σ is comparable with Δ and the mean sits at a level it is smaller, e.g.
    2.19 instead of :math:`\Delta^2/6 = 2.67` at Δ = 4σ: the band of ``eq-bits-sr-error`` is an approximation.
    """
    step, sigma = checks.positive(step, "step"), checks.positive(sigma, "sigma")
    shift = checks.real(shift, "shift")
    if not 0.0 <= shift < 1.0:
        raise ValueError(f"`shift` must lie in [0, 1), got {shift}.")
    c = shift * step
    lows = np.arange(math.floor((c - 12 * sigma) / step), math.ceil((c + 12 * sigma) / step)) * step
    u = np.linspace(0.0, 1.0, min(200_001, 2001 + 40 * math.ceil(step / sigma)))  # resolve sigma << step
    x = lows[:, None] + step * u[None, :]
    density = np.exp(-0.5 * ((x - c) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    integrand = step**2 * u * (1 - u) * density * step
    return float(np.sum(np.trapezoid(integrand, u, axis=1)))


def sign_asymptote(T, d, B, sigma):
    r"""Asymptotic error of the adaptive sign scheme, :math:`\frac{\pi}{2}\,\sigma^2 d^2/(T\min(B, d))`.

    Parameters
    ----------
    T, d, B, sigma
        As in :func:`lib.bits.bounds.mse_lower_bound`.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Equation ``eq-bits-sign-asymptote``: each of the :math:`\min(B,d)` signs per round carries Fisher information
    :math:`2/(\pi\sigma^2)` once the iterate sits at θ, and Robbins–Monro with gain :math:`\sigma\sqrt{\pi/2}`
    (equation ``eq-bits-sign-gain``) is efficient. Over the product bound (:math:`r=\infty`) this is
    :math:`\pi\ln 2 \approx 2.18` when :math:`B \le d/(2\ln 2)`.
    """
    T = checks.counts(T, "T")
    d, B = checks.count(d, "d"), checks.counts(B, "B")
    sigma = checks.positive(sigma, "sigma")
    out = math.pi / 2.0 * sigma**2 * d**2 / (T * np.minimum(B, d))
    return float(out) if np.ndim(out) == 0 else out


def sr_b_sweep(b_values, *, d, B, T, reps, sigma=1.0, r=2.0, kappa=6.0, seed=0) -> dict:
    r"""Simulate SR(b) for several b at a fixed budget B and compare with the predicted band.

    Parameters
    ----------
    b_values : sequence of int
        Bits per coordinate to try (each ``<= B``).
    d, B, T, reps : int
        Dimension, bits per round, rounds and replicates.
    sigma, r, kappa : float, optional
        Noise level, prior half-width and clipping level; :math:`M = 2r + \kappa\sigma`.
    seed : int, optional
        Seed of every run (common random numbers across b).

    Returns
    -------
    dict
        ``b``, ``mse``, ``se`` (arrays), ``even`` and ``worst`` (predicted, equation ``eq-bits-sr-error``), ``bound``
        (product bound at T), ``M``, ``max_bits`` and ``best_b`` (smallest measured error).
    """
    b = np.asarray([checks.count(x, "b") for x in b_values])
    M = gradient_range(r, sigma, kappa)
    runs = [simulate("stochastic_rounding", d=d, B=B, sigma=sigma, T=T, reps=reps, r=r, seed=seed, record=[T],
                     clip_kappa=kappa, b=int(bb)) for bb in b]
    mse = np.array([run.mse[-1] for run in runs])
    return {"b": b, "mse": mse, "se": np.array([run.se[-1] for run in runs]),
            "even": np.array([sr_error(T, d, B, int(bb), sigma, M, "even") for bb in b]),
            "worst": np.array([sr_error(T, d, B, int(bb), sigma, M, "worst") for bb in b]),
            "bound": float(mse_lower_bound(T, d, B, sigma, r)), "M": M,
            "max_bits": max(run.max_bits for run in runs), "best_b": int(b[int(np.argmin(mse))])}


def ratio_table(cells, rho=0.0) -> dict:
    r"""Measured error over the bound that holds (:func:`~lib.bits.simulate.run_lower_bound`: the product bound at
    ρ = 0, the AR(1) statistical bound otherwise) at the last stored round, for every scheme at a few (B, d).

    Parameters
    ----------
    cells : sequence of (int, int)
        (B, d) pairs from the stored grid (:mod:`lib.bits.scheme_runs`).
    rho : float, optional
        A stored noise correlation.

    Returns
    -------
    dict
        ``ratio`` and ``se``: scheme -> list (NaN where the scheme cannot run), ``max_bits``: scheme -> list,
        ``cells`` and ``T``; :func:`lib.bits.views.achievability.ratio_table` shows it (ratio ± 2 SE).
    """
    T = SETTINGS["T"]
    ratio, se, bits = {}, {}, {}
    for scheme in SCHEMES:
        ratio[scheme], se[scheme], bits[scheme] = [], [], []
        for B, d in cells:
            run = lookup(scheme, B, d, rho)
            bound = float(run_lower_bound([T], d, B, SETTINGS["sigma"], SETTINGS["r"], rho)[0][0])
            ratio[scheme].append(math.nan if run is None else run["mse"][-1] / bound)
            se[scheme].append(math.nan if run is None else run["se"][-1] / bound)
            bits[scheme].append(None if run is None else run["max_bits"])
    return {"ratio": ratio, "se": se, "max_bits": bits, "cells": list(cells), "T": T}
