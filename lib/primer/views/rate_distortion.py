"""The explorers of page ``primer-rate-distortion`` (book/primer/rate-distortion.md)."""
from __future__ import annotations

import numpy as np

from lib import infotheory as it
from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value
from lib.infotheory import montecarlo

__all__ = ['rate_distortion', 'water_filling']


def rate_distortion() -> Explorer:
    r"""D(R) of a Gaussian against the best uniform scalar quantiser (exact and simulated) and its entropy-coded
    high-rate limit.

    Returns
    -------
    lib.explore.Explorer
        Sliders σ and R; :math:`D(R) = \sigma^2 2^{-2R}` (:func:`lib.infotheory.gaussian_distortion_rate`)
        against :func:`lib.infotheory.uniform_quantiser_mse`.
    """
    rate = np.linspace(0.0, 8.0, 81)
    bits, mc, mc_se = montecarlo.uniform_quantiser_mc()
    exact = np.array([it.uniform_quantiser_mse(int(b)) for b in bits])

    def compute(sigma, R):
        v = sigma ** 2
        d_r = it.gaussian_distortion_rate(R, v)
        k = int(np.clip(round(R), 1, bits[-1])) - 1
        gap = 10 * np.log10(exact[k] / it.gaussian_distortion_rate(bits[k], 1.0))
        return View([Trace("D(R) = σ²·2^(−2R)", rate, it.gaussian_distortion_rate(rate, v)),
                     Trace("best uniform quantiser, 2^R levels (exact)", bits, v * exact, mode="markers"),
                     Trace("same, Monte Carlo ± 2 SE", bits, v * mc, mode="markers", error=2 * v * mc_se),
                     Trace("entropy-coded uniform, high rate: (πe/6)·D(R)", rate,
                           np.where(rate >= 2, np.pi * np.e / 6 * it.gaussian_distortion_rate(rate, v), np.nan),
                           dash="dash"),
                     Trace("chosen rate", [R], [d_r], mode="markers")],
                    note=f"D({R:g}) = {d_r:.3g}; the {bits[k]}-bit uniform quantiser sits {gap:.2f} dB above "
                         f"D(R); every extra bit lowers D(R) by 6.02 dB")

    return Explorer("primer-rate-distortion", [Param("sigma", 0.5, 2.0, 1.0, steps=3, log=True, label="σ"),
                                               Param("R", 0.0, 8.0, 2.0, steps=9, label="rate R (bits)")],
                    compute, x_label="rate R (bits per sample)", y_label="mean squared error", log_y=True,
                    caption="The Gaussian distortion–rate function D(R) = σ²·2^(−2R) against the best uniform "
                            "scalar quantiser with 2^R levels (exact and simulated) and the high-rate entropy-coded "
                            "quantiser, a constant πe/6 (1.53 dB) above D(R).",
                    try_this=TryThis(
                        "Does a plain quantiser close its gap to D(R) with more bits?",
                        [Move({"R": 3.0}, "one more bit divides D(R) by 4, but the quantiser's gap in dB (note) widens",
                              note_value("quantiser sits"), "up"),
                         Move({"R": 8.0}, "at 8 bits the fixed-rate quantiser is further still above D(R)",
                              note_value("quantiser sits"), "up"),
                         Move({"sigma": 2.0}, "every curve moves up by the factor σ² = 4 and the gap in dB stays",
                              note_value("quantiser sits"), "same")],
                        why="A fixed-rate uniform quantiser wastes more with every bit; entropy coding (or a vector "
                            "quantiser) is what keeps a constant distance from D(R)."))


def water_filling(d: int = 16) -> Explorer:
    r"""Reverse water-filling over d independent Gaussian components with variances decay^i.

    Parameters
    ----------
    d : int, optional
        Number of components.

    Returns
    -------
    lib.explore.Explorer
        Sliders decay and D; :func:`lib.infotheory.reverse_water_filling`,
        :math:`D_i = \min(\lambda, \sigma_i^2)`.
    """
    idx = np.arange(d)

    def compute(decay, D):
        v = decay ** idx
        res = it.reverse_water_filling(v, D * v.sum())
        kept = int(np.sum(res.rates > 0))
        return View([Trace("variance σᵢ²", idx, v, mode="markers"),
                     Trace("distortion Dᵢ = min(λ, σᵢ²)", idx, res.distortions, mode="lines+markers"),
                     Trace("water level λ", idx, np.full(d, res.level), dash="dash")],
                    note=f"total rate {res.total_rate:.1f} bits for {d} components; {kept} of {d} get bits; "
                         f"D = {D:g} of the total variance")

    return Explorer("primer-water-filling",
                    [Param("decay", 0.5, 1.0, 0.65, values=[0.5, 0.65, 0.8, 0.9, 1.0], label="variance decay"),
                     Param("D", 0.001, 1.0, 0.1, steps=7, log=True, label="D / Σσᵢ²")],
                    compute, x_label="component i", y_label="variance or distortion", log_y=True,
                    caption="Reverse water-filling over 16 independent Gaussian components with variances decay^i: "
                            "each component gets the distortion min(λ, σᵢ²) under the water level λ, and only those "
                            "above the water get bits.",
                    try_this=TryThis(
                        "Which components get bits?",
                        [Move({"D": 0.01}, "the water level drops and more components rise above it (note)",
                              note_value("components;"), "up"),
                         Move({"decay": 1.0}, "with equal variances all sixteen are above the water, or none are",
                              note_value("components;"), "up"),
                         Move({"D": 1.0}, "the water covers every component: no bits at all",
                              note_value("components;"), "down")],
                        why="Bits go to the components whose variance exceeds the water level λ, ½ log₂(σᵢ²/λ) each; "
                            "the others are sent as zero."))
