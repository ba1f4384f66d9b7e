"""Views of the primer page ``primer-differential-entropy``: the Shannon-lower-bound explorer and the page's numbers.

The mathematics is :mod:`lib.infotheory.differential`.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value
from lib.infotheory import differential as de

__all__ = ["shannon_lower_bound", "page_numbers", "LABELS"]

#: Source names as the page prints them.
LABELS = {"gaussian": "Gaussian", "laplace": "Laplace", "uniform": "uniform"}
_D = np.geomspace(1e-3, 1.0, 61)
_STEPS = np.geomspace(0.02, 3.0, 24)


@lru_cache(maxsize=None)
def _quantiser_curve(source: str):
    """(error, rate in bits) of the entropy-coded uniform quantiser over the steps, for errors up to σ² = 1."""
    mse = de.quantiser_mse(source, 1.0, _STEPS)
    rate = de.quantised_entropy(source, 1.0, _STEPS, base=2)
    return mse[mse <= 1.0], rate[mse <= 1.0]


def shannon_lower_bound() -> Explorer:
    r"""R(D) bounds in bits for three unit-variance sources: the Gaussian upper bound, the Shannon lower bound, and
    an entropy-coded uniform scalar quantiser (exact entropy and error), with a marker at the chosen D.

    Returns
    -------
    Explorer
        ``primer-shannon-lower-bound``: a choice of source and a slider for D; traces
        :math:`\max\{0, \tfrac12\log_2(1/D)\}` (:func:`lib.infotheory.differential.gaussian_upper_bound`),
        :math:`\max\{0, h(X) - \tfrac12\log_2(2\pi e D)\}` (:func:`~lib.infotheory.differential.shannon_lower_bound`),
        the quantiser's (error, entropy) points and the two bounds at the chosen D.
    """

    def compute(source, D):
        h = de.source_entropy(source, 1.0, base=2)
        upper, lower = de.gaussian_upper_bound(1.0, _D, base=2), de.shannon_lower_bound(h, _D, base=2)
        mse, rate = _quantiser_curve(source)
        at = (float(de.shannon_lower_bound(h, D, base=2)), float(de.gaussian_upper_bound(1.0, D, base=2)))
        return View([Trace("Gaussian R(D) = ½ log₂(σ²/D): upper bound", _D, upper, dash="dash"),
                     Trace("Shannon lower bound h(X) − ½ log₂(2πeD)", _D, lower),
                     Trace("entropy-coded uniform quantiser", mse, rate, mode="markers"),
                     Trace("chosen D", [D, D], list(at), mode="markers")],
                    note=f"{LABELS[source]} source, D = {D:.3g}: R(D) lies in [{at[0]:.3f}, {at[1]:.3f}] bits; "
                         f"the width is KL(X ‖ Gaussian) = {de.non_gaussianness(source, 1.0, base=2):.3f} bits")

    return Explorer("primer-shannon-lower-bound",
                    [Choice("source", list(LABELS), "laplace", label="source (variance 1)"),
                     Param("D", 1e-3, 1.0, default=0.01, values=[10.0 ** k for k in np.arange(-3, 0.01, 0.5)],
                           log=True, label="distortion D")],
                    compute, x_label="mean squared error D", y_label="rate (bits per sample)", log_x=True,
                    caption="Bounds on the rate–distortion function of three unit-variance sources: the Gaussian "
                            "R(D) = ½ log₂(1/D) above, the Shannon lower bound below, and an entropy-coded uniform "
                            "quantiser; the bounds differ by the source's KL divergence from a Gaussian.",
                    try_this=TryThis(
                        "Which source is the hardest to compress at a given distortion?",
                        [Move({"source": "gaussian"}, "the two bounds coincide: the Gaussian is the hardest source",
                              note_value("the width is KL(X ‖ Gaussian) ="), "down"),
                         Move({"source": "uniform"}, "the gap between the bounds opens wider than for the Laplace "
                              "source", note_value("the width is KL(X ‖ Gaussian) ="), "up"),
                         Move({"D": 0.001}, "both bounds rise by ½ log₂ 10 bits per decade and the gap stays",
                              note_value("the width is KL(X ‖ Gaussian) ="), "same")],
                        why="Both bounds fall as ½ log₂(1/D); they differ by a constant, the source's distance "
                            "from a Gaussian of the same variance."))


def page_numbers() -> dict:
    r"""The numbers the page's prose shows (glued by the page with :func:`lib.explore.numbers.numbers`).

    Returns
    -------
    dict
        In bits: ``h_gaussian``, ``h_laplace``, ``h_uniform`` (entropies at variance 1), ``kl_laplace``,
        ``kl_uniform`` (their non-Gaussianness), ``high_rate_gap`` (:math:`\tfrac12\log_2(\pi e/6)`, the
        high-rate gap of the entropy-coded uniform quantiser above the Shannon lower bound), ``fine_gap`` (that gap
        for the Laplace source at step 0.01) and ``comm_bits`` (the Shannon lower bound for a uniform vector on
        :math:`[-2, 2]^{16}` at squared error :math:`0.1^2`).
    """
    h = {s: de.source_entropy(s, 1.0, base=2) for s in de.SOURCES}
    d, r, eps = 16, 2.0, 0.1
    fine = 0.01
    return {
        "h_gaussian": h["gaussian"], "h_laplace": h["laplace"], "h_uniform": h["uniform"],
        "kl_laplace": de.non_gaussianness("laplace", 1.0, base=2),
        "kl_uniform": de.non_gaussianness("uniform", 1.0, base=2),
        "high_rate_gap": 0.5 * math.log2(math.pi * math.e / 6),
        "fine_gap": float(de.quantised_entropy("laplace", 1.0, fine, base=2)
                          - de.shannon_lower_bound(h["laplace"], de.quantiser_mse("laplace", 1.0, fine), base=2)),
        "comm_bits": float(de.shannon_lower_bound(d * math.log2(2 * r), eps ** 2, d=d, base=2)),
    }
