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
simulate_kalman, simulate_sign_tracker
    Monte Carlo (vectorised over replicates, and over the step grid for the tracker).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lib import checks


__all__ = ["kalman_steady_state", "causal_rd_bound", "tracking_lower_bound", "product_tracking_heuristic",
           "sign_tracker_approx", "simulate_kalman", "TrackerResult", "simulate_sign_tracker"]


def kalman_steady_state(q, sigma):
    r"""Steady-state filtered error of the Kalman filter for a random-walk target seen in Gaussian noise.

    Parameters
    ----------
    q : float
        Drift standard deviation per round (>= 0).
    sigma : float
        Observation noise standard deviation (> 0).

    Returns
    -------
    float
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
    q = checks.nonnegative(q, "q")
    sigma = checks.positive(sigma, "sigma")
    if q == 0.0:
        return 0.0
    return 2.0 * q**2 * sigma**2 / (q**2 + math.sqrt(q**4 + 4.0 * q**2 * sigma**2))


def causal_rd_bound(q, B, d):
    r"""Causal (sequential) rate–distortion bound for tracking a Gauss–Markov random walk with B bits per round.

    Parameters
    ----------
    q : float
        Drift standard deviation per round and coordinate (>= 0).
    B : int
        Bits per round for all d coordinates (>= 1).
    d : int
        Dimension (>= 1).

    Returns
    -------
    float
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
        As in :func:`tracking_lower_bound`.

    Returns
    -------
    float
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
    q, sigma : float
        Drift (>= 0) and noise (> 0) standard deviations.
    B, d : int
        Bits per round and dimension; B must divide d, so each coordinate is updated every m = d/B rounds.

    Returns
    -------
    float
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
    q, sigma : float
        Drift (> 0) and noise (> 0) standard deviations.
    T : int
        Rounds; the first quarter is discarded as burn-in (the filter starts knowing :math:`\theta_0`).
    reps : int
        Independent replicates (vectorised).
    seed : int, optional
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    (float, float)
        Mean filtered squared error per coordinate over the last three quarters of the rounds, and its
        standard error over replicates. It converges to :func:`kalman_steady_state`.
    """
    q = checks.positive(q, "q")
    sigma = checks.positive(sigma, "sigma")
    T = checks.count(T, "T", low=4)
    reps = checks.count(reps, "reps")
    rng = np.random.default_rng(seed)
    err, P = np.zeros(reps), 0.0  # estimate minus target; the filter's own variance
    burn, total = T // 4, np.zeros(reps)
    for t in range(T):
        err -= q * rng.standard_normal(reps)  # the target moves, the estimate stays
        prior = P + q * q
        gain = prior / (prior + sigma * sigma)
        err = (1.0 - gain) * err + gain * sigma * rng.standard_normal(reps)  # x += K (X - x), X = θ + σZ
        P = prior * sigma * sigma / (prior + sigma * sigma)
        if t >= burn:
            total += err**2
    return _mean_se(total / (T - burn))


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


def _sign_chain(q, sigma, m, steps, updates, reps, rng):
    """Per-coordinate error chain at the update rounds; returns the time-averaged error per (step, replicate)."""
    c = np.asarray(steps, dtype=float)[:, None]
    start = math.sqrt(math.sqrt(math.pi / 2.0) * sigma * q * math.sqrt(m))  # about the stationary spread
    u = start * rng.standard_normal((c.shape[0], reps))
    burn, total = updates // 5, np.zeros_like(u)
    drift_sd = q * math.sqrt(m)
    for k in range(updates):
        u = u - drift_sd * rng.standard_normal(reps)  # m rounds of drift since the last visit
        u = u - c * np.sign(u + sigma * rng.standard_normal(reps))  # sign of G = x - θ + σZ
        if k >= burn:
            total += u**2
    # Between visits the estimate stays while θ drifts: the m rounds add q^2 (0 + 1 + ... + m-1)/m on average.
    return total / (updates - burn) + q * q * (m - 1) / 2.0


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
    q = checks.positive(q, "q")
    sigma = checks.positive(sigma, "sigma")
    m = _period(checks.count(B, "B"), checks.count(d, "d"))
    updates = checks.count(updates, "updates", low=10)
    reps = checks.count(reps, "reps", low=2)
    if steps is None:
        steps = q * math.sqrt(m) * np.geomspace(0.25, 4.0, 13)
    steps = np.atleast_1d(np.asarray(steps, dtype=float))
    if steps.ndim != 1 or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError(f"`steps` must be a 1-D array of finite steps > 0, got {steps!r}.")
    per_rep = _sign_chain(q, sigma, m, steps, updates, reps, np.random.default_rng(seed))
    mse = per_rep.mean(axis=1)
    se = per_rep.std(axis=1, ddof=1) / math.sqrt(reps)
    best = float(steps[int(np.argmin(mse))])
    again = _sign_chain(q, sigma, m, [best], updates, reps, np.random.default_rng(seed + 1))[0]
    best_mse, best_se = _mean_se(again)
    return TrackerResult(steps, mse, se, best, best_mse, best_se)
