r"""Drifting target: θ moves as a Gaussian random walk, and the optimiser must track it with B bits per round.

Model (per coordinate): :math:`\theta_{t+1} = \theta_t + \nu_t`, :math:`\nu_t \sim N(0, q^2)`, and the oracle
returns :math:`G_t = x_t - \theta_t + \sigma Z_t`. The metric is the steady-state filtered tracking error per
coordinate, :math:`\lim_t \mathbb E (\hat\theta_t - \theta_t)^2`, where :math:`\hat\theta_t` may use the messages
up to round t. The page ``bits-correlated-drifting`` prints these formulas.

Functions
---------
kalman_steady_state
    Lower bound (i): no quantisation, the Kalman filter's steady-state error.
causal_rd_bound
    Lower bound (ii): no noise, B bits per round, the causal rate–distortion bound of a Gauss–Markov source.
tracking_lower_bound
    The larger of the two.
product_tracking_heuristic
    This book's unproved product-form guess: the Kalman bound with the noise inflated by d/(2 ln2 B).
sign_tracker_approx
    Small-q theory of the constant-step sign tracker.
simulate_kalman, simulate_sign_tracker, simulate_sign_trackers
    Monte Carlo (vectorised over replicates, and over the step grid and the drifts for the tracker).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lib import checks


__all__ = ["kalman_steady_state", "causal_rd_bound", "tracking_lower_bound", "product_tracking_heuristic",
           "sign_tracker_approx", "simulate_kalman", "TrackerResult", "simulate_sign_tracker",
           "simulate_sign_trackers"]


def kalman_steady_state(q, sigma):
    r"""Steady-state filtered error of the Kalman filter for a random-walk target seen in Gaussian noise.

    Parameters
    ----------
    q : float or array_like
        Drift standard deviation per round (>= 0).
    sigma : float
        Observation noise standard deviation (> 0).

    Returns
    -------
    float or ndarray
        :math:`P = \big(-q^2 + \sqrt{q^4 + 4q^2\sigma^2}\big)/2`, computed as
        :math:`2q^2\sigma^2/(q^2 + \sqrt{q^4+4q^2\sigma^2})` to avoid cancellation; :math:`P \approx q\sigma`
        for :math:`q \ll \sigma`.

    Notes
    -----
    Equation ``eq-bits-kalman-steady-state``: the positive root of :math:`P^2 + q^2P - q^2\sigma^2 = 0`, the fixed
    point of predict (:math:`P + q^2`) then update (:math:`(P+q^2)\sigma^2/(P+q^2+\sigma^2)`). The one-step
    prediction error is :math:`P + q^2`. No B-bit scheme can beat it: it sees the unquantised samples.

    Examples
    --------
    >>> import math
    >>> math.isclose(kalman_steady_state(1.0, 1.0), (math.sqrt(5) - 1) / 2, rel_tol=1e-15)
    True
    """
    q2 = np.asarray(checks.nonnegative(q, "q")) ** 2
    sigma = checks.positive(sigma, "sigma")
    with np.errstate(invalid="ignore"):
        p = 2.0 * q2 * sigma**2 / (q2 + np.sqrt(q2**2 + 4.0 * q2 * sigma**2))
    return checks.scalar_or_array(np.where(q2 == 0.0, 0.0, p))


def causal_rd_bound(q, B, d):
    r"""Causal (sequential) rate–distortion bound for tracking a Gauss–Markov random walk with B bits per round.

    Parameters
    ----------
    q : float or array_like
        Drift standard deviation per round and coordinate (>= 0).
    B : int
        Bits per round for all d coordinates (>= 1).
    d : int
        Dimension (>= 1).

    Returns
    -------
    float or ndarray
        Per-coordinate distortion :math:`q^2/(2^{2B/d} - 1)`; about :math:`q^2 d/(2\ln 2\,B)` when
        :math:`B \ll d`.

    Notes
    -----
    Equation ``eq-bits-causal-rd``. The sequential rate–distortion function of :math:`X_{t+1} = X_t + W_t`,
    :math:`W_t \sim N(0, q^2)`, is :math:`R(D) = \tfrac12\log_2(1 + q^2/D)` bits per step and coordinate
    (Tatikonda, Sahai and Mitter 2004); spending R = B/d bits per coordinate gives the bound. It holds even
    with σ = 0 (an encoder that sees θ can simulate the noise), and for any encoder with memory.

    Examples
    --------
    >>> causal_rd_bound(1.0, 1, 2)
    1.0
    """
    q = checks.nonnegative(q, "q")
    B = checks.count(B, "B")
    d = checks.count(d, "d")
    return q**2 / math.expm1(2.0 * math.log(2.0) * B / d)


def tracking_lower_bound(q, sigma, B, d):
    r"""The larger of :func:`kalman_steady_state` and :func:`causal_rd_bound` (both are valid lower bounds).

    Parameters
    ----------
    q, sigma : float
        Drift and noise standard deviations.
    B, d : int
        Bits per round and dimension.

    Returns
    -------
    float
        :math:`\max\{P(q,\sigma),\ q^2/(2^{2B/d}-1)\}` per coordinate (equation ``eq-bits-tracking-lower-bound``).
    """
    return max(kalman_steady_state(q, sigma), causal_rd_bound(q, B, d))


def product_tracking_heuristic(q, sigma, B, d):
    r"""This book's *unproved* product-form guess for tracking: the Kalman bound with an inflated noise.

    Parameters
    ----------
    q, sigma, B, d
        As in :func:`tracking_lower_bound` (q may be an array).

    Returns
    -------
    float or ndarray
        :math:`P(q, \sigma_{\rm eff})` with :math:`\sigma_{\rm eff}^2 = \sigma^2\max\{1, d/(2\ln2\,B)\}`.

    Notes
    -----
    Equation ``eq-bits-tracking-heuristic``. Reasoning, not a proof: a B-bit message carries Fisher information at
    most :math:`2\ln2\,B/\sigma^2` in total, i.e. at most :math:`2\ln2\,B/(d\sigma^2)` per coordinate and round
    if spread evenly; a filter fed that much information per round behaves like a Kalman filter with noise
    variance :math:`\sigma_{\rm eff}^2`. A posterior Cramér–Rao recursion would make this rigorous only under
    conditions we have not checked.
    """
    q = checks.nonnegative(q, "q")
    sigma = checks.positive(sigma, "sigma")
    B = checks.count(B, "B")
    d = checks.count(d, "d")
    return kalman_steady_state(q, sigma * math.sqrt(max(1.0, d / (2.0 * math.log(2.0) * B))))


def _period(B: int, d: int) -> int:
    """Rounds between two visits of a coordinate under the cyclic schedule (B must divide d)."""
    if B > d or d % B:
        raise ValueError(f"`B` must divide `d` and satisfy 1 <= B <= d for the cyclic sign tracker (one bit "
                         f"per coordinate, each revisited every d/B rounds), got B={B}, d={d}.")
    return d // B


def sign_tracker_approx(q, sigma, B, d):
    r"""Small-drift theory of the best constant-step sign tracker (cyclic schedule), per coordinate.

    Parameters
    ----------
    q : float or array_like
        Drift standard deviation (>= 0).
    sigma : float
        Noise standard deviation (> 0).
    B, d : int
        Bits per round and dimension; B must divide d, so each coordinate is updated every m = d/B rounds.

    Returns
    -------
    float or ndarray
        :math:`\sqrt{\pi/2}\,\sigma q\sqrt m + q^2 (m-1)/2`, valid for :math:`q\sqrt m \ll \sigma`.

    Notes
    -----
    Equation ``eq-bits-sign-tracker-approx``. Between visits the error gains variance :math:`mq^2`; a step c
    removes a fraction :math:`c\sqrt{2/\pi}/\sigma` of it (the slope of :math:`\mathbb E\,\mathrm{sign}` at 0)
    and adds variance :math:`c^2`. The stationary variance :math:`(mq^2 + c^2)\,\sigma/(2c\sqrt{2/\pi})` is
    smallest at :math:`c = q\sqrt m`. The second term averages the drift over the m rounds between visits.
    """
    q = checks.nonnegative(q, "q")
    sigma = checks.positive(sigma, "sigma")
    m = _period(checks.count(B, "B"), checks.count(d, "d"))
    return math.sqrt(math.pi / 2.0) * sigma * q * math.sqrt(m) + q**2 * (m - 1) / 2.0


def _mean_se(per_rep: np.ndarray) -> tuple[float, float]:
    n = per_rep.shape[0]
    se = float(per_rep.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return float(per_rep.mean()), se


def simulate_kalman(q, sigma, *, T, reps, seed=0):
    r"""Monte Carlo steady-state error of the (time-varying) Kalman filter tracking a random walk.

    Parameters
    ----------
    q : float or array_like
        Drift standard deviation (> 0); a 1-D array runs every drift in one vectorised loop, each on the same
        random numbers (the result at each drift equals a run with that drift alone).
    sigma : float
        Noise standard deviation (> 0).
    T : int
        Rounds; the first quarter is discarded as burn-in (the filter starts knowing :math:`\theta_0`).
    reps : int
        Independent replicates (vectorised).
    seed : int, optional
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    (float, float) or (ndarray, ndarray)
        Mean filtered squared error per coordinate over the last three quarters of the rounds, and its
        standard error over replicates (one of each per drift). It converges to :func:`kalman_steady_state`.
    """
    q = checks.positive(q, "q")
    if np.ndim(q) > 1:
        raise ValueError(f"`q` must be a drift > 0 or a 1-D array of them, got shape {np.shape(q)}.")
    sigma = checks.positive(sigma, "sigma")
    T = checks.count(T, "T", low=4)
    reps = checks.count(reps, "reps")
    drifts = np.atleast_1d(q)
    z = np.random.default_rng(seed).standard_normal((T, 2, reps))  # per round: the target's move, the noise
    gains = np.array([_kalman_gains(float(v), sigma, T) for v in drifts]).T[:, :, None]  # (T, drifts, 1)
    keep, move, seen = 1.0 - gains, drifts[:, None] * z[:, 0, None, :], gains * sigma * z[:, 1, None, :]
    err, burn = np.zeros((drifts.size, reps)), T // 4
    errs = np.empty((T - burn, drifts.size, reps))
    for t in range(T):
        err = keep[t] * (err - move[t]) + seen[t]  # the target moves, then x += K (X - x), X = θ + σZ
        if t >= burn:
            errs[t - burn] = err
    stats = [_mean_se(per_rep) for per_rep in (errs ** 2).mean(axis=0)]
    return stats[0] if np.ndim(q) == 0 else tuple(np.array(v) for v in zip(*stats))


def _kalman_gains(q: float, sigma: float, T: int) -> list:
    """The filter's gains K_t, t = 0..T-1, from its variance P_0 = 0 (they do not depend on the data)."""
    gains, P = [], 0.0
    for _ in range(T):
        prior = P + q * q
        gains.append(prior / (prior + sigma * sigma))
        P = prior * sigma * sigma / (prior + sigma * sigma)
    return gains


@dataclass(frozen=True)
class TrackerResult:
    """Steady-state error of the constant-step sign tracker over a grid of steps (:func:`simulate_sign_tracker`).

    Attributes
    ----------
    steps, mse, se : ndarray
        The step grid and the per-coordinate tracking error (and its standard error) at each step.
    best_step : float
        The step with the smallest error on the grid.
    best_mse, best_se : float
        The error of ``best_step`` re-measured on fresh random numbers (so the minimum is not biased low).
    """

    steps: np.ndarray
    mse: np.ndarray
    se: np.ndarray
    best_step: float
    best_mse: float
    best_se: float


def _stream(seed, starts, updates, reps, steps):
    """The random numbers of one run: starting points (``starts`` rows, broadcast to ``steps``) and, per update,
    the drift since the last visit and the gradient noise (shared by every step), in the generator's order."""
    rng = np.random.default_rng(seed)
    u0 = np.broadcast_to(rng.standard_normal((starts, reps)), (steps, reps))
    z = rng.standard_normal((updates, 2, reps))
    return u0, np.broadcast_to(z[:, :, None, :], (updates, 2, steps, reps))


def _sign_chains(q, sigma, m, steps, u0, z):
    """Per-coordinate error chains at the update rounds, for every drift (axis 0) and step (axis 1) at once.

    ``q`` has shape (Q,), ``steps`` (Q, S), the starting points ``u0`` (S, R) and the normal draws ``z``
    (updates, 2, S, R); every drift uses the same draws. Returns the time-averaged error per (drift, step, R).
    """
    q = np.asarray(q, dtype=float)[:, None, None]
    c = np.asarray(steps, dtype=float)[:, :, None]
    start = np.sqrt(math.sqrt(math.pi / 2.0) * sigma * q * math.sqrt(m))  # about the stationary spread
    # With D_k the summed drift and M_k the summed moves c·sign up to update k, u_k = u0 - D_k - M_k, and the sign
    # sent at update k is that of G = u0 - D_k - M_{k-1} + σZ_k: only the running M_k is sequential.
    base = start * u0 - q * math.sqrt(m) * np.cumsum(z[:, 0], axis=0)[:, None]
    arg = base + sigma * z[:, 1][:, None]
    moved = np.empty_like(arg)
    move, last = np.empty(arg.shape[1:]), np.zeros(arg.shape[1:])
    for k in range(z.shape[0]):
        np.subtract(arg[k], last, out=move)
        np.sign(move, out=move)
        np.multiply(c, move, out=move)
        last = np.add(last, move, out=moved[k])
    burn = z.shape[0] // 5
    # Between visits the estimate stays while θ drifts: the m rounds add q^2 (0 + 1 + ... + m-1)/m on average.
    return ((base[burn:] - moved[burn:]) ** 2).mean(axis=0) + q * q * (m - 1) / 2.0


def simulate_sign_tracker(q, sigma, *, B, d, updates, reps, steps=None, seed=0):
    r"""Monte Carlo of the constant-step sign tracker (cyclic schedule), tuned over a grid of steps.

    Parameters
    ----------
    q, sigma : float
        Drift (> 0) and noise (> 0) standard deviations.
    B, d : int
        Bits per round and dimension; B must divide d. Each round the signs of B coordinates' gradients are sent
        (exactly B bits), cycling through the coordinates, so each is updated every m = d/B rounds.
    updates : int
        Updates per coordinate (the run lasts ``updates * m`` rounds); the first fifth is burn-in.
    reps : int
        Independent replicates (vectorised, with the step grid, in one array).
    steps : array_like, optional
        Grid of constant steps c; default :math:`q\sqrt m \times` 13 log-spaced factors from 1/4 to 4.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; the best step is re-measured with ``seed + 1``.

    Returns
    -------
    TrackerResult

    Notes
    -----
    Update :math:`x_j \leftarrow x_j - c\,\mathrm{sign}(G_{t,j})`: the tracking analogue of Robbins–Monro,
    whose gain cannot decay because the target keeps moving. All coordinates behave alike under the cyclic
    schedule, so one chain per replicate, sampled at the visit rounds, gives the per-coordinate error exactly
    in distribution; the drift between visits is added in closed form.
    """
    return simulate_sign_trackers([checks.positive(q, "q")], sigma, B=B, d=d, updates=updates, reps=reps, steps=steps, seed=seed)[0]


def simulate_sign_trackers(q_values, sigma, *, B, d, updates, reps, steps=None, seed=0):
    r""":func:`simulate_sign_tracker` at several drifts in one vectorised run (the same result at each drift).

    Parameters
    ----------
    q_values : array_like
        Drift standard deviations (> 0), 1-D.
    sigma, B, d, updates, reps, steps, seed
        As in :func:`simulate_sign_tracker`; ``steps``, if given, is the grid at every drift.

    Returns
    -------
    tuple of TrackerResult
        One per drift, each equal to ``simulate_sign_tracker(q, ...)`` with the same seed: every drift reuses
        the seed's random numbers, so the loop over update rounds runs once for all of them.
    """
    q = np.atleast_1d(checks.positive(q_values, "q_values"))
    if q.ndim != 1:
        raise ValueError(f"`q_values` must be a 1-D array of drifts > 0, got shape {q.shape}.")
    sigma = checks.positive(sigma, "sigma")
    m = _period(checks.count(B, "B"), checks.count(d, "d"))
    updates = checks.count(updates, "updates", low=10)
    reps = checks.count(reps, "reps", low=2)
    if steps is None:
        grid = q[:, None] * math.sqrt(m) * np.geomspace(0.25, 4.0, 13)
    else:
        grid = np.atleast_1d(np.asarray(steps, dtype=float))
        if grid.ndim != 1 or not np.all(np.isfinite(grid) & (grid > 0)):
            raise ValueError(f"`steps` must be a 1-D array of finite steps > 0, got {steps!r}.")
        grid = np.broadcast_to(grid, (q.size, grid.size))
    # The re-measurement of the best step (seed + 1) runs beside the grid, at every step of the grid from the same
    # start; afterwards each drift keeps its best step's chain. One loop over the updates serves both runs.
    size = grid.shape[1]
    first, again = _stream(seed, size, updates, reps, size), _stream(seed + 1, 1, updates, reps, size)
    per_rep = _sign_chains(q, sigma, m, np.concatenate([grid, grid], axis=1),
                           np.concatenate([first[0], again[0]]), np.concatenate([first[1], again[1]], axis=2))
    mse = per_rep[:, :size].mean(axis=2)
    se = per_rep[:, :size].std(axis=2, ddof=1) / math.sqrt(reps)
    pick = np.argmin(mse, axis=1)
    best, again = grid[np.arange(q.size), pick], per_rep[np.arange(q.size), size + pick]
    return tuple(TrackerResult(np.array(grid[i]), mse[i], se[i], float(best[i]), *_mean_se(again[i]))
                 for i in range(q.size))
