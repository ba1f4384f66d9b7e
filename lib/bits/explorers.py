"""Explorers of the Part I pages on the reduction, the communication, statistical and product bounds.

Each factory returns a :class:`lib.explore.Explorer`; the page cell is just the call. Compute functions are
cheap closed forms (one state takes milliseconds), so the static book precomputes every grid state quickly.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.infotheory import gaussian_location_bayes_risk

from .bounds import LN2, bit_limited_threshold, communication_lower_bound, fisher_route_bits, min_rounds
from .bounds import mse_lower_bound, rounds_lower_bound
from .quantizers import fisher_entropy_many
from .simulate import sgd_error

__all__ = ["sgd_gain", "communication_bits", "statistical_bound", "product_bound", "quantizer_calculator",
           "bayes_risk_cos2"]

_NAN = float("nan")


def _at_least(values, floor: float) -> np.ndarray:
    """``values`` with entries below ``floor`` hidden (NaN), for log axes."""
    values = np.asarray(values, dtype=float)
    return np.where(values >= floor, values, np.nan)


# --- page bits-bit-oracle-reduction -----------------------------------------------------------------------------

def _sgd_gain_view(gain, start, sigma, d=16, T=10_000):
    t = np.unique(np.geomspace(1, T, 40).astype(int))
    err = sgd_error(T, d, sigma, gain=gain, start_sq=start**2)[t - 1]
    unit = sgd_error(T, d, sigma, gain=1.0, start_sq=start**2)[t - 1]
    ratio = err[-1] / (d * sigma**2 / T)
    return View([
        Trace("SGD, step a/(t+1)", t, err),
        Trace("SGD, step 1/(t+1)", t, unit, dash="dot"),
        Trace("dσ²/t (statistical bound)", [1, T], [d * sigma**2, d * sigma**2 / T], dash="dash", color="#000000"),
    ], note=f"d = {d}; at t = {T}: error = {err[-1]:.4g}, i.e. {ratio:.3g} × dσ²/t"
            + (" (the start is forgotten after one step)" if gain == 1 else ""))


def sgd_gain() -> Explorer:
    """SGD on the quadratic with step ``a/(t+1)`` from a start at distance ``||x_0 - theta||`` (exact error).

    Returns
    -------
    lib.explore.Explorer
        Sliders gain, start distance and sigma (d = 16); the error from :func:`lib.bits.simulate.sgd_error`
        against ``d sigma^2/t`` (``eq-bits-sgd-exact``).
    """
    return Explorer(
        "bits-sgd-gain",
        [Param("gain", 0.25, 3.0, default=0.5, values=[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0], label="gain a"),
         Param("start", 0.0, 1000.0, default=100.0, values=[0.0, 1.0, 10.0, 100.0, 1000.0],
               label="start distance ‖x₀ − θ‖"),
         Param("sigma", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="noise σ")],
        _sgd_gain_view, x_label="round t", y_label="mean squared error", log_x=True, log_y=True)


# --- page bits-communication-bound ------------------------------------------------------------------------------

def _communication_view(d, s, sigma, eps):
    grid = np.geomspace(1e-3, 10.0, 30)
    rd = np.array([communication_lower_bound(d, e, s) for e in grid])
    fisher = np.array([fisher_route_bits(d, e, sigma, s) for e in grid])
    rd_eps, fisher_eps = communication_lower_bound(d, eps, s), fisher_route_bits(d, eps, sigma, s)
    binding = "rate–distortion" if rd_eps >= fisher_eps else "Fisher route"
    return View([
        Trace("rate–distortion bound (Theorem 1)", grid, _at_least(rd, 1.0)),
        Trace("Fisher route (needs noise)", grid, _at_least(fisher, 1.0)),
        Trace("TB = d", [grid[0], grid[-1]], [d, d], dash="dot", color="#777777"),
        Trace("chosen ε", [eps], _at_least([max(rd_eps, fisher_eps)], 1.0), mode="markers", color="#000000"),
    ], note=f"at ε = {eps:g}: TB ≥ {rd_eps:.4g} bits (rate–distortion), ≥ {fisher_eps:.4g} bits (Fisher route); "
            f"{binding} binds")


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
        _communication_view, x_label="target rms error ε", y_label="total bits TB", log_x=True, log_y=True)


# --- page bits-statistical-bound --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _bayes_table():
    u = np.geomspace(1e-3, 1e3, 121)
    return np.log(u), np.log([gaussian_location_bayes_risk(1, float(x), 1.0) for x in u])


def bayes_risk_cos2(T, sigma: float, r: float) -> np.ndarray:
    """Per-coordinate Bayes risk of ``T`` samples ``N(theta, sigma^2)`` under the cos^2 prior on ``[-r, r]``.

    Parameters
    ----------
    T : array_like of int
        Sample sizes.
    sigma, r : float
        Noise standard deviation and prior half-width.

    Returns
    -------
    ndarray
        ``r^2 rho(sigma/(sqrt(T) r))`` with ``rho`` tabulated once from
        :func:`lib.infotheory.gaussian_location_bayes_risk` (scale invariance) and interpolated in log-log;
        beyond the table ``rho(u) = u^2`` (small ``u``) or the prior variance (large ``u``). It lies above
        ``eq-bits-statistical-bound``.
    """
    log_u, log_rho = _bayes_table()
    u = sigma / (np.sqrt(np.asarray(T, dtype=float)) * r)
    inside = np.exp(np.interp(np.log(u), log_u, log_rho))
    small = u < math.exp(log_u[0])
    return r**2 * np.where(small, u**2, inside)


def _statistical_view(d, sigma, r, eps):
    T = np.unique(np.geomspace(1, 1e5, 30).astype(int))
    bound = mse_lower_bound(T, d, 10**9, sigma, r)
    bayes = d * bayes_risk_cos2(T, sigma, r)
    t_vt = min_rounds(eps, d, 10**9, sigma, r)
    r_min = math.pi * eps * math.sqrt(2 / d)
    thm2 = rounds_lower_bound(eps, d, 10**9, sigma)
    valid = "valid" if r >= r_min else f"not guaranteed: r < πε√(2/d) = {r_min:.3g}"
    return View([
        Trace("van Trees bound", T, bound, dash="dash", color="#000000"),
        Trace("Bayes risk (posterior mean)", T, bayes, color="#009E73"),
        Trace("dσ²/T (sample mean)", [1, 1e5], [d * sigma**2, d * sigma**2 / 1e5], color="#D55E00"),
        Trace("target ε²", [1, 1e5], [eps**2, eps**2], dash="dot", color="#777777"),
        Trace("T needed (van Trees)", [t_vt if t_vt >= 1 else _NAN], [eps**2], mode="markers", color="#000000"),
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
        _statistical_view, x_label="rounds T", y_label="mean squared error", log_x=True, log_y=True)


# --- page bits-fisher-per-bit -----------------------------------------------------------------------------------

def _product_view(B, d, sigma, eps):
    Bs = np.unique(np.concatenate([2.0 ** np.arange(0, 13), [bit_limited_threshold(d)]]))
    stat = sigma**2 * d / (2 * eps**2)
    bound = stat * np.maximum(1.0, d / (2 * LN2 * Bs))
    sign = (math.pi / 2) * sigma**2 * d * np.maximum(1.0, d / Bs) / eps**2
    here = rounds_lower_bound(eps, d, B, sigma)
    regime = "bit-limited" if B < bit_limited_threshold(d) else "statistical"
    return View([
        Trace("product bound T(ε)", Bs, bound, color="#000000"),
        Trace("statistical term σ²d/(2ε²)", [1, 4096], [stat, stat], dash="dot", color="#009E73"),
        Trace("bit-limited term σ²d²/(4 ln2 Bε²)", [1, 4096], [stat * d / (2 * LN2), stat * d / (2 * LN2 * 4096)],
              dash="dot", color="#D55E00"),
        Trace("adaptive sign scheme (asymptotic)", Bs, sign, dash="dash", color="#0072B2"),
        Trace("chosen B", [B], [here], mode="markers", color="#000000"),
    ], note=f"B = {B}: T ≥ {here:.4g} rounds, {regime} regime (kink at B = d/(2 ln 2) = "
            f"{bit_limited_threshold(d):.4g}); TB ≥ {here * B:.4g} bits")


def product_bound() -> Explorer:
    """Rounds needed against bits per round: the product bound, its two terms and the adaptive sign scheme.

    Returns
    -------
    lib.explore.Explorer
        Sliders B, d, sigma and eps; the curve is ``eq-bits-rounds-bound``, the sign scheme's asymptote is
        ``(pi/2) sigma^2 d max(1, d/B)/eps^2``.
    """
    return Explorer(
        "bits-product-bound",
        [Param("B", 1, 1024, default=16, values=[2**i for i in range(11)], integer=True, log=True,
               label="bits per round B"),
         Param("d", 16, 1024, default=64, values=[16, 64, 256, 1024], integer=True, label="dimension d"),
         Param("sigma", 0.5, 2.0, default=1.0, values=[0.5, 1.0, 2.0], label="noise σ"),
         Param("eps", 0.1, 1.0, default=0.3, values=[0.1, 0.3, 1.0], log=True, label="target ε")],
        _product_view, x_label="bits per round B", y_label="rounds T", log_x=True, log_y=True)


def _quantizer_view(b, offset, step):
    steps = np.geomspace(0.02, 5.0, 40)
    m = 2**b - 1
    centred = np.arange(m) - (m - 1) / 2.0
    a = steps[:, None] * centred[None, :] - offset
    fisher, _ = fisher_entropy_many(a)
    f_here, h_here = (x[0] for x in fisher_entropy_many((step * centred - offset)[None, :]))
    bits = h_here / LN2
    return View([
        Trace("fisher information σ²I_Q", steps, fisher),
        Trace("per bit sent, σ²I_Q/b", steps, fisher / b, dash="dot"),
        Trace("unquantised (1/σ²)", [steps[0], steps[-1]], [1.0, 1.0], dash="dash", color="#000000"),
        Trace("chosen step", [step], [f_here], mode="markers", color="#000000"),
    ], note=f"b = {b}, step {step:g}σ, mean offset {offset:g}σ: σ²I_Q = {f_here:.4f}, H = {bits:.3f} bits, "
            f"σ²I_Q per bit sent = {f_here / b:.4f}, per bit of entropy = {f_here / max(bits, 1e-300):.4f} "
            f"(ceiling 2 ln 2 = {2 * LN2:.4f})")


def quantizer_calculator() -> Explorer:
    """Fisher information of a uniform b-bit quantiser against its step, with the mean offset from the centre.

    Returns
    -------
    lib.explore.Explorer
        Sliders b, offset and step; the curve is ``eq-bits-quantizer-fisher`` over the step.
    """
    return Explorer(
        "bits-quantizer-fisher",
        [Param("b", 1, 5, default=2, values=[1, 2, 3, 4, 5], integer=True, label="bits b"),
         Param("offset", 0.0, 2.0, default=0.0, values=[0.0, 0.5, 1.0, 2.0], label="mean offset (θ − centre)/σ"),
         Param("step", 0.05, 3.0, default=1.0, values=[0.05, 0.1, 0.2, 0.32, 0.56, 1.0, 2.0, 3.0], log=True,
               label="step Δ/σ")],
        _quantizer_view, x_label="threshold spacing Δ/σ", y_label="fisher information (1/σ²)", log_x=True)
