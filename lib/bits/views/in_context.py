"""The explorer of page ``bits-in-context`` (book/bits/in-context.md)."""
from __future__ import annotations

import math

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value

from ..bounds import LN2
from ..literature import discrete_bit_factor, gaussian_bit_factor

__all__ = ['discrete_vs_gaussian', 'format_table']


def discrete_vs_gaussian() -> Explorer:
    r"""How the sample-size penalty falls with the bits per sample: exponentially (discrete), linearly (Gaussian).

    Returns
    -------
    lib.explore.Explorer
        Slider k = d; :func:`lib.bits.literature.discrete_bit_factor` (:math:`k/2^\ell`) against
        :func:`lib.bits.literature.gaussian_bit_factor` (:math:`\max(1, d/(2\ln 2\,B))`).
    """
    bits = np.unique(np.rint(np.geomspace(1, 4096, 80)).astype(int))

    def compute(k):
        discrete = [discrete_bit_factor(k, int(b)) for b in bits]
        gaussian = [gaussian_bit_factor(k, int(b)) for b in bits]
        return View([Trace("k-ary distribution, ℓ-bit messages: k/2^ℓ", bits, discrete),
                     Trace("Gaussian mean in d = k dimensions: d/(2 ln2 B)", bits, gaussian)],
                    note=f"k = d = {k}: the penalty vanishes at ℓ = log2 k = {math.log2(k):.0f} bits (discrete) "
                         f"and at B = d/(2 ln 2) = {k / (2 * LN2):.1f} bits (Gaussian)")

    return Explorer("bits-discrete-vs-gaussian",
                    [Param("k", 16, 4096, 256, values=(16, 64, 256, 1024, 4096), log=True, integer=True,
                           label="alphabet size k = dimension d")],
                    compute, x_label="bits per sample (ℓ or B)", y_label="sample-size penalty over unconstrained",
                    log_x=True, log_y=True,
                    caption="The sample-size penalty of bit-constrained estimation over unconstrained estimation "
                            "against the "
                            "bits per sample: k/2^ℓ for a k-ary distribution with ℓ-bit messages, d/(2 ln 2·B) for a "
                            "Gaussian mean "
                            "in d = k dimensions.",
                    try_this=TryThis(
                        "Why are the Gaussian mean's bits so much more expensive?",
                        [Move({"k": 4096}, "the discrete penalty is gone at ℓ = log₂ k = 12 bits, the Gaussian one "
                                           "only near "
                              "B = d/(2 ln 2)", note_value("and at B = d/(2 ln 2) ="), "up"),
                         Move({"k": 16}, "a small alphabet: both penalties vanish within a few bits",
                              note_value("and at B = d/(2 ln 2) ="), "down")],
                        why="A k-ary sample is described exactly by log₂ k bits; a Gaussian gradient never is, and "
                            "each of its d "
                            "coordinates needs its own share of the bits."))


def format_table(table: dict):
    """The table of :func:`lib.bits.literature.format_table`: bits per round of each format against the kink.

    Parameters
    ----------
    table : dict
        From :func:`lib.bits.literature.format_table`.

    Returns
    -------
    IPython.display.HTML
    """
    header = ["format", "bits per coordinate", f"B for d = {table['d']}", "B / (d/(2 ln 2))",
              "factor max(1, d/(2 ln2 B))"]
    return show_table(header, [[name, f"{per_coord:g}", B, f"{over:.2f}", f"{factor:g}"]
                               for name, per_coord, B, over, factor in table["rows"]])
