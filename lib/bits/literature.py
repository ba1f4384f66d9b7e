r"""Part I beside related results: discrete distribution learning, QSGD, and low-precision training formats.

Page ``bits-in-context`` prints these. All rates are orders of magnitude (constants dropped) unless stated.
"""
from __future__ import annotations

import math

from lib import checks

from .bounds import LN2

__all__ = ["discrete_bit_factor", "gaussian_bit_factor", "qsgd_variance_factor", "qsgd_one_level_noise_ratio",
           "FORMATS", "format_table"]

#: Bits per gradient coordinate of common low-precision formats, including shared block scales.
#: MXFP4: 4-bit E2M1 values with one 8-bit (E8M0) scale per block of 32; NVFP4: 4-bit values with one FP8 (E4M3)
#: scale per block of 16 (the per-tensor FP32 scale is negligible). signSGD sends one bit per coordinate.
FORMATS = {
    "FP32": 32.0,
    "BF16": 16.0,
    "FP8 (E4M3 or E5M2)": 8.0,
    "NVFP4 (block 16, FP8 scale)": 4.0 + 8.0 / 16,
    "MXFP4 (block 32, 8-bit scale)": 4.0 + 8.0 / 32,
    "signSGD (1 bit per coordinate)": 1.0,
}


def discrete_bit_factor(k, ell):
    r"""How many times more samples learning a k-ary distribution needs with ℓ-bit messages: max(1, k/2^ℓ).

    Parameters
    ----------
    k : int
        Alphabet size (>= 2).
    ell : int
        Bits per sample (>= 1).

    Returns
    -------
    float
        :math:`\max(1, k/2^\ell)`: the ratio of :math:`k^2/(2^\ell\varepsilon^2)` (ℓ-bit messages, for
        :math:`2^\ell \le k`) to :math:`k/\varepsilon^2` (unconstrained), up to constants (equation
        ``eq-bits-discrete-bits``; Acharya, Canonne and Tyagi 2020).
    """
    k = checks.count(k, "k", low=2)
    ell = checks.count(ell, "ell")
    return max(1.0, k * 2.0**-ell)


def gaussian_bit_factor(d, B):
    r"""How many times more rounds Gaussian mean estimation needs with B-bit messages: max(1, d/(2 ln2 B)).

    Parameters
    ----------
    d, B : int
        Dimension and bits per round.

    Returns
    -------
    float
        The factor of the product bound (equation ``eq-bits-gaussian-bits-factor``); linear in the bits, where the
        discrete factor is exponential.
    """
    d = checks.count(d, "d")
    B = checks.count(B, "B")
    return max(1.0, d / (2.0 * LN2 * B))


def qsgd_variance_factor(d, s):
    r"""Variance blow-up of QSGD with s levels: :math:`\min(d/s^2, \sqrt d/s)` (Alistarh et al. 2017).

    Parameters
    ----------
    d : int
        Dimension.
    s : int
        Quantisation levels (>= 1).

    Returns
    -------
    float
        :math:`\mathbb E\|Q_s(v)-v\|^2 \le \min(d/s^2, \sqrt d/s)\,\|v\|^2` (equation ``eq-bits-qsgd-variance``).
    """
    d = checks.count(d, "d")
    s = checks.count(s, "s")
    return min(d / s**2, math.sqrt(d) / s)


def qsgd_one_level_noise_ratio(d):
    r"""Noise of one-level QSGD (s = 1) at the optimum over the oracle's own: about :math:`\sqrt{2d/\pi}`.

    Parameters
    ----------
    d : int
        Dimension.

    Returns
    -------
    float
        :math:`\sqrt{2d/\pi}`. With s = 1 each coordinate becomes :math:`\pm\|v\|` with probability
        :math:`|v_i|/\|v\|`, so :math:`\mathbb E\|Q_1(v)\|^2 = \|v\|\,\|v\|_1`; at the optimum :math:`v = \sigma Z`,
        :math:`\|v\|\approx\sigma\sqrt d` and :math:`\|v\|_1\approx\sigma d\sqrt{2/\pi}`, so the second moment is
        about :math:`\sqrt{2/\pi}\,d^{3/2}\sigma^2` against :math:`d\sigma^2` unquantised (equation
        ``eq-bits-qsgd-one-level``); the averaged error grows by the same factor.
    """
    return math.sqrt(2 * checks.count(d, "d") / math.pi)


def format_table(d: int = 4096) -> dict:
    r"""Bits per round of each format in :data:`FORMATS` for a d-dimensional gradient, against the kink of the
    product bound at :math:`B = d/(2\ln 2)`.

    Parameters
    ----------
    d : int, optional
        Dimension of the gradient block described each round.

    Returns
    -------
    dict
        ``rows``: list of (format, bits per coordinate, B, B over the kink, factor of the bound), ``kink_per_coord``
        (:math:`1/(2\ln 2)`) and ``d``; :func:`lib.bits.views.in_context.format_table` shows it.
    """
    d = checks.count(d, "d")
    kink = d / (2.0 * LN2)
    rows = []
    for name, per_coord in FORMATS.items():
        B = int(round(per_coord * d))
        rows.append((name, per_coord, B, B / kink, gaussian_bit_factor(d, B)))
    return {"rows": rows, "kink_per_coord": 1.0 / (2.0 * LN2), "d": d}
