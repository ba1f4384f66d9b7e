"""The explorer of page ``primer-wyner-ziv`` (book/primer/wyner-ziv.md)."""
from __future__ import annotations

import numpy as np

from lib import infotheory as it
from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value
from lib.infotheory import montecarlo

__all__ = ['wyner_ziv']


_POW2 = [2.0 ** k for k in range(-3, 3)]


def _saving(view) -> float:
    """R_X − R_WZ at the chosen D, read from the explorer's note (bits per sample)."""
    return note_value("R_X =")(view) - note_value("R_WZ =")(view)


def wyner_ziv() -> Explorer:
    """Rates with and without decoder side information, and a nested scalar quantiser, against distortion D.

    Returns
    -------
    lib.explore.Explorer
        Sliders σx, σn and D; :func:`lib.infotheory.gaussian_rate_distortion` against
        :func:`lib.infotheory.wyner_ziv_gaussian` and the nested quantiser of :mod:`lib.infotheory.montecarlo`.
    """
    dist = np.geomspace(1e-4, 4.0, 61)
    rates = (1, 2, 3, 4)
    uniform = np.array([it.uniform_quantiser_mse(b) for b in rates])

    def compute(sigma_x, sigma_n, D):
        vx, vn = sigma_x ** 2, sigma_n ** 2
        _, nested = montecarlo.nested_quantiser_curve(sigma_n / sigma_x, rates)
        r_x, r_wz = it.gaussian_rate_distortion(D, vx), it.wyner_ziv_gaussian(D, vx, vn)
        return View([Trace("R_X(D): no side information", dist, it.gaussian_rate_distortion(dist, vx)),
                     Trace("R_WZ(D) = R_X|Y(D): Y at the decoder", dist, it.wyner_ziv_gaussian(dist, vx, vn)),
                     Trace("uniform quantiser, ignores Y", vx * uniform, rates, mode="markers"),
                     Trace("nested (coset) quantiser, uses Y", vx * nested, rates, mode="markers"),
                     Trace("chosen D", [D], [r_wz], mode="markers")],
                    note=f"D = {D:.3g}: R_X = {r_x:.2f} bits, R_WZ = {r_wz:.2f} bits; σ²(X|Y) = "
                         f"{it.conditional_variance_gaussian(vx, vn):.3g}")

    return Explorer("primer-wyner-ziv",
                    [Param("sigma_x", 0.5, 2.0, 1.0, values=[0.5, 1.0, 2.0], label="σx"),
                     Param("sigma_n", 0.125, 4.0, 0.25, values=_POW2 + [4.0], label="σn (side-information noise)"),
                     Param("D", 1e-3, 1.0, 0.01, steps=4, log=True, label="distortion D")],
                    compute, x_label="distortion D (mean squared error)", y_label="rate (bits per sample)",
                    log_x=True,
                    caption="Rates with and without side information Y = X + noise at the decoder: R_X(D) and the "
                            "Wyner–Ziv rate R_WZ(D) = R_X|Y(D), with a uniform quantiser that ignores Y and a nested "
                            "(coset) quantiser that uses it.",
                    try_this=TryThis(
                        "What is side information at the decoder worth?",
                        [Move({"sigma_n": 4.0}, "noisy side information: R_WZ climbs almost to R_X",
                              note_value("R_WZ ="), "up"),
                         Move({"sigma_n": 0.125}, "precise side information: R_WZ falls to a fraction of a bit",
                              note_value("R_WZ ="), "down"),
                         Move({"sigma_x": 2.0}, "a wider X raises R_X by one bit while R_WZ hardly moves: the saving "
                                                "grows",
                              _saving, "up")],
                        why="For Gaussians the encoder loses nothing by not seeing Y: it pays only for what the "
                            "decoder cannot guess, σ²(X|Y)."))
