"""Differential entropy and the Shannon lower bound (primer page ``primer-differential-entropy``).

Three sources of equal variance serve as running examples: Gaussian, Laplace and uniform. The Gaussian's entropy
is :func:`lib.infotheory.measures.gaussian_entropy`.

Example
-------
>>> round(shannon_lower_bound(source_entropy("gaussian", 1.0, base=2), 0.25, base=2), 6)  # ½ log2(σ²/D)
1.0
"""
from __future__ import annotations

import numpy as np
from scipy import integrate, stats

from lib import checks

from .measures import gaussian_entropy

__all__ = ["SOURCES", "source_pdf", "source_entropy", "differential_entropy", "shannon_lower_bound",
           "gaussian_upper_bound", "non_gaussianness", "quantised_entropy", "quantiser_mse"]

#: The example sources, all with mean 0 and a given variance.
SOURCES = ("gaussian", "laplace", "uniform")


def _frozen(source: str, variance: float):
    checks.choice(source, "source", SOURCES)
    v = checks.positive(variance, "variance")
    if source == "gaussian":
        return stats.norm(0.0, np.sqrt(v))
    if source == "laplace":
        return stats.laplace(0.0, np.sqrt(v / 2.0))
    half = np.sqrt(3.0 * v)
    return stats.uniform(-half, 2.0 * half)


def source_pdf(source: str, variance: float, x):
    r"""Density of ``source`` (``"gaussian"``, ``"laplace"`` or ``"uniform"``) with mean 0 and ``variance`` at ``x``.

    Parameters
    ----------
    source : {"gaussian", "laplace", "uniform"}
    variance : float
        :math:`\sigma^2 > 0`. The Laplace scale is :math:`b = \sigma/\sqrt2`, the uniform support
        :math:`[-\sqrt3\,\sigma, \sqrt3\,\sigma]`.
    x : float or array_like
        Where to evaluate the density.

    Returns
    -------
    float or ndarray
        :math:`f(x)`, the shape of ``x``.
    """
    return _frozen(source, variance).pdf(checks.real_array(x, "x"))


def source_entropy(source: str, variance: float, base=None) -> float:
    r"""Closed-form differential entropy of an example source of variance :math:`\sigma^2`.

    Parameters
    ----------
    source : {"gaussian", "laplace", "uniform"}
    variance : float
        :math:`\sigma^2 > 0`.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float
        Gaussian :math:`\tfrac12\log(2\pi e\sigma^2)`; Laplace with scale :math:`b = \sigma/\sqrt2`:
        :math:`1 + \log(2b)`; uniform of width :math:`a = \sqrt{12}\,\sigma`: :math:`\log a`.
    """
    v = checks.positive(variance, "variance")
    checks.choice(source, "source", SOURCES)
    if source == "gaussian":
        return float(gaussian_entropy(v, base=base))
    nats = 1.0 + np.log(2.0 * np.sqrt(v / 2.0)) if source == "laplace" else np.log(np.sqrt(12.0 * v))
    return float(nats / checks.log_base(base))


def differential_entropy(pdf, support=(-np.inf, np.inf), base=None, points=None) -> float:
    r"""Differential entropy :math:`h(X) = -\int f\log f` of a density, by adaptive quadrature.

    Parameters
    ----------
    pdf : callable
        The density :math:`f`, vectorised or scalar.
    support : (float, float)
        Interval carrying the density (may be infinite).
    base : float, optional
        ``None`` for nats, ``2`` for bits.
    points : sequence of float, optional
        Kinks or jumps of the density inside a finite support (e.g. 0 for a Laplace density), for accuracy.

    Returns
    -------
    float
    """
    lo, hi = (float(s) for s in support)
    if not lo < hi:
        raise ValueError(f"support must be an interval (low, high) with low < high, got {support!r}")

    def integrand(x):
        f = float(pdf(x))
        return -f * np.log(f) if f > 0 else 0.0

    value, _ = integrate.quad(integrand, lo, hi, limit=200, points=points)
    return float(value / checks.log_base(base))


def shannon_lower_bound(h, D, d: int = 1, base=None):
    r"""Shannon lower bound on the rate–distortion function for total squared error :math:`D` in :math:`d` dimensions.

    .. math:: R(D) \ge h(X) - \frac d2 \log\frac{2\pi e D}{d},

    clipped at 0 (a rate is never negative).

    Parameters
    ----------
    h : float
        Differential entropy of the source vector, in the units of ``base``.
    D : float or array_like
        Allowed mean squared error :math:`\E\|X - \hat X\|^2 > 0`.
    d : int
        Dimension.
    base : float, optional
        ``None`` for nats, ``2`` for bits (then ``h`` is in bits too).

    Returns
    -------
    float or ndarray
    """
    D = checks.positive(D, "D")
    d = checks.count(d, "d")
    h = checks.real(h, "h")
    bound = h - 0.5 * d * np.log(2 * np.pi * np.e * D / d) / checks.log_base(base)
    return checks.scalar_or_array(np.maximum(bound, 0.0))


def gaussian_upper_bound(variance, D, base=None):
    r"""The rate–distortion function of a Gaussian of the same variance, :math:`\max\{0, \tfrac12\log(\sigma^2/D)\}`:
    an upper bound on :math:`R(D)` for every source of variance :math:`\sigma^2` (the Gaussian is the hardest).

    Parameters
    ----------
    variance : float
        :math:`\sigma^2 > 0`.
    D : float or array_like
        Allowed mean squared error :math:`D > 0`.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray
        :math:`\max\{0, \tfrac12\log(\sigma^2/D)\}` in the units of ``base``, the shape of ``D``.
    """
    v = checks.positive(variance, "variance")
    D = checks.positive(D, "D")
    return checks.scalar_or_array(np.maximum(0.5 * np.log(v / D), 0.0) / checks.log_base(base))


def non_gaussianness(source: str, variance: float, base=None) -> float:
    r"""KL divergence from a source to the Gaussian of the same mean and variance,
    :math:`\tfrac12\log(2\pi e\sigma^2) - h(X)`: the gap between the Gaussian upper bound and the Shannon lower
    bound wherever both are positive.

    Parameters
    ----------
    source : {"gaussian", "laplace", "uniform"}
    variance : float
        :math:`\sigma^2 > 0` (the divergence does not depend on it).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float
        :math:`D(X \| N(0, \sigma^2)) = \tfrac12\log(2\pi e\sigma^2) - h(X) \ge 0`; 0 for the Gaussian.
    """
    return float(gaussian_entropy(variance, base=base)) - source_entropy(source, variance, base=base)


def _cells(source: str, variance: float, step):
    """The source's law, the checked cell widths (1-D) and the reach ±12σ beyond which no cell matters."""
    steps = np.atleast_1d(checks.positive(step, "step"))
    return _frozen(source, variance), steps, 12.0 * np.sqrt(checks.positive(variance, "variance"))


def quantised_entropy(source: str, variance: float, step, base=None):
    r"""Entropy :math:`H(Q_\Delta(X))` of a uniform quantiser with cells :math:`[k\Delta, (k+1)\Delta)` applied to
    the source, computed exactly from the cell probabilities. At high resolution it approaches
    :math:`h(X) - \log\Delta`.

    Parameters
    ----------
    source : {"gaussian", "laplace", "uniform"}
    variance : float
    step : float or array_like
        Cell width :math:`\Delta > 0`.
    base : float, optional

    Returns
    -------
    float or ndarray
    """
    law, steps, reach = _cells(source, variance, step)
    out = []
    for s in steps:
        if 2 * reach / s > 2_000_000:
            raise ValueError(f"step {s} is too fine for variance {variance}: more than 2e6 cells; use step >= "
                             f"{reach / 1e6:.2g}")
        edges = np.arange(np.floor(-reach / s), np.ceil(reach / s) + 1) * s
        p = np.diff(law.cdf(edges))
        p = p[p > 0]
        out.append(-np.sum(p * np.log(p)) / checks.log_base(base))
    return checks.scalar_or_array(np.asarray(out).reshape(np.shape(step)))


def quantiser_mse(source: str, variance: float, step, points: int = 400_001):
    r"""Mean squared error :math:`\E(X - m(X))^2` of the uniform quantiser of :func:`quantised_entropy` with
    cell-midpoint reconstruction :math:`m`, by the trapezoidal rule on a fine grid over :math:`\pm 12\sigma`.
    At high resolution it approaches :math:`\Delta^2/12`.

    Parameters
    ----------
    source : {"gaussian", "laplace", "uniform"}
    variance : float
        :math:`\sigma^2 > 0`.
    step : float or array_like
        Cell width :math:`\Delta > 0`.
    points : int
        Grid points of the trapezoidal rule (at least 1001).

    Returns
    -------
    float or ndarray
        :math:`\int (x - m(x))^2 f(x)\,dx`, the shape of ``step``.
    """
    law, steps, reach = _cells(source, variance, step)
    x = np.linspace(-reach, reach, checks.count(points, "points", low=1001))
    f = law.pdf(x)
    out = [np.trapezoid((x - (np.floor(x / s) + 0.5) * s) ** 2 * f, x) for s in steps]
    return checks.scalar_or_array(np.asarray(out).reshape(np.shape(step)))
