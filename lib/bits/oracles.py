"""Stochastic first-order oracles for ``f_theta(x) = ||x - theta||^2/2``, vectorised over (reps, d).

Queried at ``x`` the oracle returns ``G = x - theta + sigma Z`` (page ``bits-bit-oracle-reduction``,
``eq-bits-oracle``). ``Z`` is i.i.d. ``N(0, I)`` across rounds, or a stationary AR(1) sequence with correlation ``rho``
(``Z_t = rho Z_{t-1} + sqrt(1 - rho^2) W_t``), optionally clipped to ``+-kappa`` (bounded dynamic range; the
clipped noise stays symmetric, so the gradient stays unbiased).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lib import checks
from lib.infotheory import sample_cos2_prior


__all__ = ["GaussianOracle", "draw_theta", "gradient_range"]


@dataclass
class GaussianOracle:
    """Noisy gradients of the quadratic family for a batch of replicates.

    Parameters
    ----------
    theta : ndarray, shape (reps, d)
        The unknown minimisers, one row per replicate.
    sigma : float
        Noise standard deviation per coordinate, ``> 0``.
    rho : float, optional
        AR(1) correlation of the noise across rounds, in ``(-1, 1)``; 0 gives i.i.d. noise. The first draw is
        from the stationary law ``N(0, I)``.
    clip_kappa : float, optional
        Clip the noise ``sigma Z`` to ``[-kappa sigma, kappa sigma]`` (``None``: unbounded Gaussian noise).

    Notes
    -----
    The state (the last ``Z``) lives in the object: one oracle serves one run. Calls are vectorised over the
    replicate and coordinate axes.
    """

    theta: np.ndarray
    sigma: float
    rho: float = 0.0
    clip_kappa: float | None = None
    _z: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.theta = np.atleast_2d(np.asarray(self.theta, dtype=float))
        if self.theta.ndim != 2 or not np.all(np.isfinite(self.theta)):
            raise ValueError(f"`theta` must be a finite (reps, d) array, got shape {self.theta.shape}.")
        self.sigma = checks.positive(self.sigma, "sigma")
        self.rho = checks.correlation(self.rho, "rho")
        if self.clip_kappa is not None:
            self.clip_kappa = checks.positive(self.clip_kappa, "clip_kappa")

    def noise(self, rng: np.random.Generator) -> np.ndarray:
        """The next noise draw ``sigma Z_t`` (clipped if ``clip_kappa`` is set), shape (reps, d)."""
        w = rng.standard_normal(self.theta.shape)
        if self._z is None or self.rho == 0.0:
            self._z = w
        else:
            self._z = self.rho * self._z + math.sqrt(1.0 - self.rho**2) * w
        out = self.sigma * self._z
        if self.clip_kappa is not None:
            bound = self.clip_kappa * self.sigma
            out = np.clip(out, -bound, bound)
        return out

    def gradient(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``G_t = x - theta + sigma Z_t`` at the query ``x`` (shape (reps, d)), equation ``eq-bits-oracle``."""
        return x - self.theta + self.noise(rng)


def draw_theta(rng: np.random.Generator, reps: int, d: int, r: float, theta=None) -> np.ndarray:
    """Minimisers for ``reps`` replicates: drawn from the cos^2 prior on ``[-r, r]^d`` unless ``theta`` is given.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    reps, d : int
        Replicates and dimension.
    r : float
        Prior half-width (the van Trees prior of ``eq-bits-product-bound``).
    theta : float or array_like, optional
        A fixed minimiser: a scalar, a (d,) vector or a (reps, d) array.

    Returns
    -------
    ndarray, shape (reps, d)
    """
    reps = checks.count(reps, "reps")
    d = checks.count(d, "d")
    if theta is None:
        return sample_cos2_prior(rng, (reps, d), checks.positive(r, "r"))
    arr = np.asarray(theta, dtype=float)
    try:
        arr = np.broadcast_to(arr, (reps, d)).copy()
    except ValueError:
        raise ValueError(f"`theta` must be a scalar, a ({d},) vector or a ({reps}, {d}) array, "
                         f"got shape {arr.shape}.") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError("`theta` must be finite.")
    return arr


def gradient_range(r: float, sigma: float, clip_kappa: float) -> float:
    """The bound ``M = 2 r + kappa sigma`` on ``|G_j|`` when iterates and minimisers lie in ``[-r, r]``.

    Parameters
    ----------
    r : float
        Half-width of the box holding iterates and minimisers.
    sigma : float
        Noise standard deviation.
    clip_kappa : float
        Noise clipping level in units of ``sigma``.

    Returns
    -------
    float
        ``M``, the dynamic range used by bounded-range encoders (``eq-bits-sr-range``).
    """
    return 2 * checks.positive(r, "r") + checks.positive(clip_kappa, "clip_kappa") * checks.positive(sigma, "sigma")
