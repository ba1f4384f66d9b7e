r"""Which lower bound binds where in the (B, d) plane, and how far the simulated schemes sit from the bounds.

Three lower bounds on the rounds T needed for :math:`\mathbb E\|\hat\theta-\theta\|^2 \le \varepsilon^2`
(page ``bits-regime-map``, equation ``eq-bits-regime-bounds``):

* communication: :math:`T \ge (d/2)\log_2(2r^2d/(\pi e\varepsilon^2))/B` (uniform prior on :math:`[-r, r]^d`);
* statistical: :math:`T \ge \frac{1+\rho}{1-\rho}\cdot\frac{\sigma^2 d}{2\varepsilon^2} - \frac{2\rho}{1-\rho}`
  (the exact inversion of the AR(1) bound, :func:`lib.bits.bounds.ar1_min_rounds`);
* bit-limited: :math:`T \ge \frac{\sigma^2 d}{2\varepsilon^2}\cdot\frac{d}{2\ln 2\,B}` (proved for ρ = 0 only).

All three bound the worst case over the same cube :math:`[-r, r]^d` (the last two via the cos² prior on it, valid
when :math:`r \ge \pi\varepsilon\sqrt{2/d}`).

The largest is the binding one. Along a row of fixed d the communication and bit-limited bounds both fall as
1/B while the statistical one is flat, so each row has a single change of regime.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lib import checks

from .bounds import LN2, ar1_min_rounds, ar1_mse_lower_bound, communication_lower_bound_uniform, mse_lower_bound
from .scheme_runs import B_GRID, D_GRID, SCHEMES, SETTINGS, feasible, lookup

__all__ = ["REGIMES", "DEFAULT_R", "rounds_bounds", "binding_regime", "regime_boundary", "RegimeMap", "regime_map",
           "bit_limited_boundary", "power_grid", "scheme_bound", "distance_map"]

#: Names of the three bounds, in the order of the codes returned by :func:`binding_regime`.
REGIMES = ("communication", "statistical", "bit-limited")


#: Default half-width of the cube ``[-r, r]^d`` the three bounds refer to (that of the stored scheme runs).
DEFAULT_R = 2.0


def _scalars(sigma, eps, rho, r):
    return (checks.positive(sigma, "sigma"), checks.positive(eps, "eps"), checks.correlation(rho, "rho"),
            checks.positive(r, "r"))


def rounds_bounds(B, d, sigma, eps, rho=0.0, r=DEFAULT_R) -> dict:
    r"""The three lower bounds on the rounds T, broadcast over arrays of B and d.

    Parameters
    ----------
    B, d : int or array_like of int
        Bits per round and dimension (>= 1; broadcast against each other).
    sigma : float
        Noise standard deviation per coordinate (> 0).
    eps : float
        Target root-mean-square distance (> 0).
    rho : float, optional
        AR(1) noise correlation, in (-1, 1).
    r : float, optional
        Half-width of the cube :math:`[-r, r]^d` holding θ (> 0).

    Returns
    -------
    dict of str to ndarray
        Keys :data:`REGIMES`: ``communication``, ``statistical``, ``bit-limited`` (equation
        ``eq-bits-regime-bounds``).

    Notes
    -----
    For ρ = 0 the larger of the last two is :func:`lib.bits.bounds.rounds_lower_bound`. For ρ ≠ 0 the
    statistical term is the proved AR(1) bound; the bit-limited term is kept unchanged, which is this book's
    conjecture (see ``bits-correlated-drifting``). The statistical and bit-limited forms need
    :math:`r \ge \pi\varepsilon\sqrt{2/d}`; the communication one holds for every r.
    """
    B, d = np.broadcast_arrays(checks.counts(B, "B"), checks.counts(d, "d"))
    sigma, eps, rho, r = _scalars(sigma, eps, rho, r)
    base = sigma**2 * d / (2.0 * eps**2)
    dims, where = np.unique(d, return_inverse=True)  # both bounds depend on d only: once per distinct d
    bits = np.array([communication_lower_bound_uniform(int(v), eps, r) for v in dims])[where].reshape(d.shape)
    stat = np.array([ar1_min_rounds(eps, int(v), sigma, rho) for v in dims])[where].reshape(d.shape)
    return {"communication": bits / B, "statistical": stat, "bit-limited": base * d / (2.0 * LN2 * B)}


def binding_regime(B, d, sigma, eps, rho=0.0, r=DEFAULT_R) -> np.ndarray:
    """Code (index into :data:`REGIMES`) of the largest of the three bounds, broadcast over B and d.

    Parameters
    ----------
    B, d : int or array_like of int
        Bits per round and dimensions (broadcast).
    sigma, eps, rho, r : float
        As in :func:`rounds_bounds`.

    Returns
    -------
    ndarray of int
        0 (communication), 1 (statistical) or 2 (bit-limited): the argmax of :func:`rounds_bounds`.
    """
    bounds = rounds_bounds(B, d, sigma, eps, rho, r)
    return np.argmax(np.stack([bounds[name] for name in REGIMES]), axis=0)


def regime_boundary(d, sigma, eps, rho=0.0, r=DEFAULT_R) -> tuple[np.ndarray, np.ndarray]:
    r"""For each d, the B at which the binding bound changes, and the regime below that B.

    Parameters
    ----------
    d : int or array_like of int
        Dimensions.
    sigma, eps, rho, r : float
        As in :func:`rounds_bounds`.

    Returns
    -------
    (ndarray, ndarray)
        The change point :math:`B^\star(d)` (real) and the code of the regime for :math:`B < B^\star` (0 or 2);
        for :math:`B > B^\star` the statistical bound binds.

    Notes
    -----
    Statistical vs bit-limited: :math:`B^\star \approx \frac{d}{2\ln2}\cdot\frac{1-\rho}{1+\rho}` (exactly
    :math:`TB_{\rm bit}/T_{\rm stat}`; equal at ρ = 0). Where the
    communication bits exceed the bit-limited bits :math:`\sigma^2d^2/(4\ln2\,\varepsilon^2)` the row is
    communication-limited below :math:`B^\star = (\text{bits})/T_{\rm stat}`.
    """
    d = checks.counts(d, "d")
    sigma, eps, rho, r = _scalars(sigma, eps, rho, r)
    ones = np.ones_like(d)
    bounds = rounds_bounds(ones, d, sigma, eps, rho, r)  # at B = 1, T B equals the bits
    comm_bits, bit_bits, stat = bounds["communication"], bounds["bit-limited"], bounds["statistical"]
    comm_row = comm_bits > bit_bits
    change = np.where(comm_row, comm_bits, bit_bits) / stat
    return change, np.where(comm_row, 0, 2)


def bit_limited_boundary(d, rho=0.0):
    r"""The B below which bits limit the rounds, for many rounds: :math:`B^\star = \frac{d}{2\ln 2}\cdot
    \frac{1-\rho}{1+\rho}`.

    Parameters
    ----------
    d : int or array_like of int
        Dimensions.
    rho : float or array_like, optional
        AR(1) noise correlation, in (-1, 1).

    Returns
    -------
    float or ndarray
        The statistical | bit-limited change point of :func:`regime_boundary` without its
        :math:`-2\rho/(1-\rho)` correction (the limit of small ε); at ρ = 0 it is
        :func:`lib.bits.bounds.bit_limited_threshold`.

    Examples
    --------
    >>> round(bit_limited_boundary(64, 0.0), 3)
    46.166
    """
    rho = np.asarray(checks.correlation(rho, "rho"), dtype=float)
    out = checks.counts(d, "d") * (1 - rho) / (2.0 * LN2 * (1 + rho))
    return checks.scalar_or_array(out)


def power_grid(high: int, per_octave: int = 2) -> np.ndarray:
    r"""Distinct integers :math:`\mathrm{round}(2^{k/\text{per\_octave}})` from 1 to ``high``.

    Parameters
    ----------
    high : int
        Largest value (>= 1).
    per_octave : int, optional
        Points per factor of two.

    Returns
    -------
    ndarray of int64
        Sorted, without repeats; the axes of :func:`regime_map`.
    """
    high = checks.count(high, "high")
    per_octave = checks.count(per_octave, "per_octave")
    k = np.arange(0, per_octave * math.log2(high) + 1e-9)
    return np.unique(np.rint(2.0 ** (k / per_octave)).astype(np.int64))


@dataclass(frozen=True)
class RegimeMap:
    """The (B, d) plane for one (σ, ε, ρ): see :func:`regime_map`.

    Attributes
    ----------
    B, d : ndarray of int
        Grid axes.
    rounds : ndarray, shape (len(d), len(B))
        The binding (largest) lower bound on T.
    regime : ndarray of int, shape (len(d), len(B))
        Code of the binding bound (index into :data:`REGIMES`).
    boundary, below : ndarray
        :math:`B^\\star(d)` for each grid d and the code of the regime below it (from :func:`regime_boundary`).
    """

    B: np.ndarray
    d: np.ndarray
    rounds: np.ndarray
    regime: np.ndarray
    boundary: np.ndarray
    below: np.ndarray


def regime_map(sigma, eps, rho=0.0, r=DEFAULT_R, B=None, d=None) -> RegimeMap:
    """Evaluate the three bounds on a (B, d) grid (default: half-octave grids from 1 to 4096).

    Parameters
    ----------
    sigma, eps, rho, r : float
        As in :func:`rounds_bounds`.
    B, d : array_like of int, optional
        Grid axes.

    Returns
    -------
    RegimeMap
    """
    B = power_grid(4096) if B is None else checks.counts(B, "B")
    d = power_grid(4096) if d is None else checks.counts(d, "d")
    bounds = rounds_bounds(B[None, :], d[:, None], sigma, eps, rho, r)
    stacked = np.stack([bounds[name] for name in REGIMES])
    change, below = regime_boundary(d, sigma, eps, rho, r)
    return RegimeMap(B, d, stacked.max(axis=0), stacked.argmax(axis=0), change, below)


def scheme_bound(T, d, B, sigma, rho=0.0, r=math.inf):
    r"""The lower bound the simulated errors are compared with, including AR(1) noise.

    Parameters
    ----------
    T, d, B, sigma, r
        As in :func:`lib.bits.bounds.mse_lower_bound`.
    rho : float, optional
        AR(1) correlation, in (-1, 1).

    Returns
    -------
    float or ndarray
        :math:`\max\{` :func:`~lib.bits.correlated.ar1_mse_lower_bound`, :func:`~lib.bits.bounds.mse_lower_bound`
        :math:`\}`: the product bound (proved for ρ = 0) and the proved statistical bound for AR(1) noise. At
        ρ = 0 it is the product bound.
    """
    return np.maximum(ar1_mse_lower_bound(T, d, sigma, rho, r), mse_lower_bound(T, d, B, sigma, r))


def distance_map(scheme, rho=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Measured error over :func:`scheme_bound` after the last stored round, over the stored (B, d) grid.

    Parameters
    ----------
    scheme : str
        One of :data:`lib.bits.scheme_runs.SCHEMES`.
    rho : float, optional
        A stored correlation (0, 0.5 or 0.9).

    Returns
    -------
    (ndarray, ndarray), each of shape (len(D_GRID), len(B_GRID))
        The ratio and its standard error; NaN where the scheme cannot run with B bits (QSGD below 34 bits).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"`scheme` must be one of {SCHEMES}, got {scheme!r}.")
    ratio = np.full((len(D_GRID), len(B_GRID)), np.nan)
    se = np.full_like(ratio, np.nan)
    for i, d in enumerate(D_GRID):
        for j, B in enumerate(B_GRID):
            if not feasible(scheme, B):
                continue
            run = lookup(scheme, B, d, rho)
            bound = float(scheme_bound(int(run["rounds"][-1]), d, B, SETTINGS["sigma"], rho, SETTINGS["r"]))
            ratio[i, j], se[i, j] = run["mse"][-1] / bound, run["se"][-1] / bound
    return ratio, se
