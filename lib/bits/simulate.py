"""Monte Carlo of optimisation under a B-bit oracle, vectorised over replicates and coordinates.

:func:`simulate` draws ``theta`` from the cos^2 prior on ``[-r, r]^d`` (so the van Trees bound
:func:`lib.bits.bounds.mse_lower_bound` applies), runs ``T`` rounds of oracle -> encoder -> decoder for ``reps``
replicates at once (a Python loop over rounds only) and records ``E||x_t - theta||^2`` on a log-spaced grid of
rounds. :func:`sgd_error` is the exact error of full-precision SGD with step ``gain/(t+1)``.

The lower bound a result carries is the one proved for that run (:func:`run_lower_bound`): the product bound for
memoryless encoders under i.i.d. noise, the AR(1) statistical bound under correlated noise (the bit-limited term is
only conjectured there), and for encoders with memory the larger of the statistical and communication bounds (the
product bound does not hold for them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lib import checks

from .bounds import ar1_mse_lower_bound, communication_distortion_bound, mse_lower_bound
from .encoders import ENCODERS, make_encoder
from .oracles import GaussianOracle, draw_theta, gradient_range

__all__ = ["SimulationResult", "simulate", "record_grid", "run_lower_bound", "BOUND_NAMES", "memory_counterexample",
           "sgd_error"]

#: Noise clipping (in units of sigma) used by bounded-range encoders unless ``clip_kappa`` is given.
DEFAULT_CLIP_KAPPA = 6.0

#: What :attr:`SimulationResult.bound` can name: the lower bound proved for the run.
BOUND_NAMES = {
    "product": "product bound eq-bits-product-bound (memoryless encoder, i.i.d. noise)",
    "statistical": "statistical bound eq-bits-statistical-bound (full-precision reference, i.i.d. noise)",
    "ar1-statistical": "AR(1) statistical bound eq-bits-ar1-statistical-bound (the bit-limited term is a conjecture)",
    "memory": "max(statistical, communication eq-bits-communication-distortion-cos2): encoder with memory",
}


@dataclass
class SimulationResult:
    """Output of :func:`simulate`.

    Attributes
    ----------
    scheme : str
        Encoder name.
    rounds : ndarray of int
        The recorded rounds ``t``.
    mse : ndarray
        ``E||x_t - theta||^2`` averaged over replicates, at each recorded round.
    se : ndarray
        Its standard error (sample standard deviation over replicates / sqrt(reps)).
    max_bits : int
        The most bits any round used (``32 d`` for the exempt full-precision reference).
    lower_bound : ndarray
        The lower bound proved for this run at ``rounds`` (:func:`run_lower_bound`, prior half-width ``r``); a Bayes
        bound, meaningful when ``theta`` was drawn from the prior. Which one is named by ``bound``.
    bound : str
        A key of :data:`BOUND_NAMES`: ``"product"``, ``"statistical"``, ``"ar1-statistical"`` or ``"memory"``.
    options : dict
        Everything the run used: ``d, B, sigma, T, reps, rho, seed, r, x0, clip_kappa, prior`` and the encoder's
        configuration.
    """

    scheme: str
    rounds: np.ndarray
    mse: np.ndarray
    se: np.ndarray
    max_bits: int
    lower_bound: np.ndarray
    bound: str = "product"
    options: dict = field(default_factory=dict)

    @property
    def ratio(self) -> np.ndarray:
        """Measured error over :attr:`lower_bound`, the bound that holds for the run (named by :attr:`bound`)."""
        return self.mse / self.lower_bound


def run_lower_bound(rounds, d: int, B: int, sigma: float, r: float, rho: float = 0.0, exempt: bool = False,
                    memory: bool = False) -> tuple[np.ndarray, str]:
    """The lower bound on ``E||x_t - theta||^2`` proved for a run, and its name (a key of :data:`BOUND_NAMES`).

    Parameters
    ----------
    rounds : array_like of int
        Rounds ``t``.
    d, B : int
        Dimension and bits per round.
    sigma, r : float
        Noise level and cos^2 prior half-width.
    rho : float, optional
        AR(1) correlation of the noise.
    exempt : bool, optional
        The full-precision reference (not held to ``B``).
    memory : bool, optional
        The encoder uses earlier gradients (``Encoder.memory``).

    Returns
    -------
    (ndarray, str)
        * memoryless, ``rho = 0``: :func:`~lib.bits.bounds.mse_lower_bound` (``"product"``; ``"statistical"``,
          i.e. with ``B >= d``, for the exempt reference);
        * memoryless, ``rho != 0``: :func:`~lib.bits.bounds.ar1_mse_lower_bound` (``"ar1-statistical"``);
        * memory: the larger of the statistical bound (AR(1) if ``rho != 0``) and
          :func:`~lib.bits.bounds.communication_distortion_bound` at ``t B`` bits (``"memory"``; for the exempt
          reference the communication term is dropped).
    """
    rounds = np.asarray(rounds)
    stat = (ar1_mse_lower_bound(rounds, d, sigma, rho, r) if rho != 0.0
            else mse_lower_bound(rounds, d, max(B, d), sigma, r))
    stat = np.asarray(stat, dtype=float)
    if memory:
        comm = 0.0 if exempt else communication_distortion_bound(rounds * B, d, r)
        return np.maximum(stat, comm), "memory"
    if rho != 0.0:
        return stat, "ar1-statistical"
    if exempt:
        return stat, "statistical"
    return np.asarray(mse_lower_bound(rounds, d, B, sigma, r), dtype=float), "product"


def record_grid(T: int, points: int = 40) -> np.ndarray:
    """About ``points`` log-spaced distinct rounds from 1 to ``T`` (both included).

    Parameters
    ----------
    T : int
        Last round, ``>= 1``.
    points : int, optional
        Target number of rounds.

    Returns
    -------
    ndarray of int
        The rounds at which :func:`simulate` records the error and ``eq-bits-product-bound``.
    """
    T = checks.count(T, "T")
    points = checks.count(points, "points", low=2)
    return np.unique(np.rint(np.geomspace(1, T, points)).astype(np.int64))


def _record(record, T: int) -> np.ndarray:
    if record is None:
        return record_grid(T)
    rounds = np.unique(checks.counts(record, "record"))
    if rounds.size == 0 or rounds[-1] > T:
        raise ValueError(f"`record` must hold rounds in [1, T] = [1, {T}], got {np.asarray(record).tolist()}.")
    return rounds


def simulate(scheme: str, *, d: int, B: int, sigma: float, T: int, reps: int, rho: float = 0.0, seed: int = 0,
             theta=None, r: float = 2.0, record=None, x0=0.0, clip_kappa: float | None = None,
             **scheme_options) -> SimulationResult:
    """Run ``reps`` independent optimisations of ``T`` rounds under a B-bit oracle.

    Parameters
    ----------
    scheme : str
        An encoder name from :data:`lib.bits.encoders.ENCODERS`.
    d, B, T, reps : int
        Dimension, bits per round, rounds and replicates (all ``>= 1``).
    sigma : float
        Noise standard deviation per coordinate, ``> 0``.
    rho : float, optional
        AR(1) correlation of the noise across rounds, in ``(-1, 1)``.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` (one generator: the public coin).
    theta : float or array_like, optional
        Fixed minimiser(s); default: drawn from the cos^2 prior on ``[-r, r]^d``.
    r : float, optional
        Prior half-width; bounded-range encoders also project iterates onto ``[-r, r]``.
    record : array_like of int, optional
        Rounds at which to record the error (default: :func:`record_grid`).
    x0 : float or array_like, optional
        Starting point (scalar, (d,) or (reps, d)).
    clip_kappa : float, optional
        Clip the noise to ``+-kappa sigma``; default ``None``, or 6 for bounded-range encoders, which get the
        range ``M = 2r + kappa sigma`` unless ``M`` is passed.
    **scheme_options
        Passed to the encoder (e.g. ``b``, ``s``, ``M``, ``schedule``, ``step_gain``).

    Returns
    -------
    SimulationResult
        With the lower bound proved for the run (:func:`run_lower_bound`; never the memoryless product bound for an
        encoder with memory, never the i.i.d. bound under AR(1) noise).

    Notes
    -----
    The decoder update is per-coordinate averaging (:meth:`lib.bits.encoders.Encoder.update`); for ``"full"`` it
    is SGD with step ``1/(t+1)``, exactly ``d sigma^2/T`` on average (equation ``eq-bits-sgd-exact``).
    """
    if scheme not in ENCODERS:
        raise ValueError(f"`scheme` must be one of {sorted(ENCODERS)}, got {scheme!r}.")
    d, B, T, reps = (checks.count(x, n) for n, x in (("d", d), ("B", B), ("T", T), ("reps", reps)))
    sigma = checks.positive(sigma, "sigma")
    rho = checks.correlation(rho, "rho")
    seed = checks.count(seed, "seed", low=0)
    r = checks.positive(r, "r", allow_inf=theta is not None)
    rounds = _record(record, T)
    cls = ENCODERS[scheme]
    if cls.bounded:
        if math.isinf(r):
            raise ValueError(f"`r` must be finite for the bounded-range scheme {scheme!r}.")
        clip_kappa = DEFAULT_CLIP_KAPPA if clip_kappa is None else clip_kappa
        scheme_options.setdefault("M", gradient_range(r, sigma, clip_kappa))
        scheme_options.setdefault("r", r)
    if cls.memory:
        scheme_options.setdefault("horizon", T)
    rng = np.random.default_rng(seed)
    theta_arr = draw_theta(rng, reps, d, r, theta)
    encoder = make_encoder(scheme, B=B, d=d, sigma=sigma, **scheme_options)
    oracle = GaussianOracle(theta_arr, sigma, rho=rho, clip_kappa=clip_kappa)
    x = draw_theta(rng, reps, d, r, x0)
    if encoder.box is not None:
        np.clip(x, -encoder.box, encoder.box, out=x)
    state = encoder.init_state(reps)
    errors = np.empty((rounds.size, reps))
    max_bits, slot = 0, 0
    for t in range(1, T + 1):
        message = encoder.encode(oracle.gradient(x, rng), rng, state)
        x = encoder.update(x, message, state)
        max_bits = max(max_bits, message.n_bits)
        if t == rounds[slot]:
            errors[slot] = np.sum((x - theta_arr) ** 2, axis=1)
            slot += 1
            if slot == rounds.size:
                break
    se = errors.std(axis=1, ddof=1) / math.sqrt(reps) if reps > 1 else np.full(rounds.size, np.nan)
    options = dict(d=d, B=B, sigma=sigma, T=T, reps=reps, rho=rho, seed=seed, r=r, x0=x0, clip_kappa=clip_kappa,
                   prior=theta is None, encoder=encoder.config())
    bound, name = run_lower_bound(rounds, d, B, sigma, r, rho, encoder.exempt, encoder.memory)
    return SimulationResult(scheme=scheme, rounds=rounds, mse=errors.mean(axis=1), se=se, max_bits=max_bits,
                            lower_bound=bound, bound=name, options=options)


def memory_counterexample(d: int = 64, B: int = 1, T: int = 10_000, reps: int = 40, seed: int = 0,
                          r: float = 2.0) -> tuple[SimulationResult, float]:
    """The encoder with memory (``"memory_bisection"``, sigma = 1) against the memoryless product bound.

    Parameters
    ----------
    d, B, T, reps, seed : int, optional
        Dimension, bits per round, rounds, replicates and seed (defaults: the run of page
        ``bits-bit-oracle-reduction``, a few seconds).
    r : float, optional
        Prior half-width.

    Returns
    -------
    (SimulationResult, float)
        The run, recorded at round ``T`` only, and :func:`~lib.bits.bounds.mse_lower_bound` at ``T``: the product
        bound a memoryless encoder could not beat (the run's own ``lower_bound`` is the bound that holds for it).
    """
    run = simulate("memory_bisection", d=d, B=B, sigma=1.0, T=T, reps=reps, r=r, seed=seed, record=[T])
    return run, float(mse_lower_bound(T, d, B, 1.0, r))


def sgd_error(T: int, d: int, sigma: float, gain: float = 1.0, start_sq: float = 0.0) -> np.ndarray:
    """Exact ``E||x_t - theta||^2``, ``t = 1..T``, of SGD ``x_{t+1} = x_t - gain G_t/(t+1)`` on the quadratic.

    Parameters
    ----------
    T, d : int
        Rounds and dimension.
    sigma : float
        Noise standard deviation per coordinate.
    gain : float, optional
        Step multiplier ``a > 0``; ``a = 1`` forgets the start after one step.
    start_sq : float, optional
        ``||x_0 - theta||^2``.

    Returns
    -------
    ndarray, shape (T,)
        From ``e_{t+1} = (1 - a/(t+1)) e_t - (a/(t+1)) sigma Z_t``:
        ``E||e_{t+1}||^2 = (1 - a/(t+1))^2 E||e_t||^2 + (a/(t+1))^2 d sigma^2``; with ``a = 1`` it is
        ``d sigma^2/t`` exactly (equation ``eq-bits-sgd-exact``).
    """
    T = checks.count(T, "T")
    d = checks.count(d, "d")
    sigma = checks.positive(sigma, "sigma")
    gain = checks.positive(gain, "gain")
    start_sq = checks.nonnegative(start_sq, "start_sq")
    out = np.empty(T)
    err = start_sq
    for t in range(T):
        step = gain / (t + 1)
        err = (1 - step) ** 2 * err + step**2 * d * sigma**2
        out[t] = err
    return out
