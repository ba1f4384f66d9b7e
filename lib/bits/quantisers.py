"""Fisher information carried by quantised Gaussian samples: the "Fisher trace per bit".

A scalar sample ``X ~ N(theta, sigma^2)`` passes through a deterministic quantiser with sorted thresholds
``tau_1 < ... < tau_{L-1}``. With ``a_i = (tau_i - theta)/sigma`` and cell probabilities
``p_i = Phi(a_i) - Phi(a_{i-1})`` the cell index carries

    I_Q(theta) = (1/sigma^2) sum_i [phi(a_i) - phi(a_{i-1})]^2 / p_i

about ``theta`` (page ``bits-fisher-per-bit``, equation ``eq-bits-quantizer-fisher``). Everything here is a closed form
or a one-dimensional integral; the tests check each against an independent computation.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, special

from lib import checks
from lib.infotheory import threshold_quantiser_fisher

__all__ = [
    "quantiser_fisher",
    "quantiser_entropy",
    "uniform_thresholds",
    "best_uniform_quantiser",
    "fisher_sign",
    "fisher_argmax",
    "fisher_stochastic_round",
    "tail_threshold_per_bit",
    "fisher_entropy_many",
    "random_quantisers",
    "fisher_per_bit_families",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _cells(a: np.ndarray):
    """Lower/upper standardised cell edges for a (n, m) matrix of sorted thresholds (+inf padding allowed)."""
    n = a.shape[0]
    lo = np.concatenate([np.full((n, 1), -np.inf), a], axis=1)
    hi = np.concatenate([a, np.full((n, 1), np.inf)], axis=1)
    return lo, hi


def _log1mexp(x: np.ndarray) -> np.ndarray:
    """log(1 - exp(x)) for x <= 0 (-inf at x = 0)."""
    with np.errstate(divide="ignore"):
        return np.log(-np.expm1(x))


def _log_cell_probabilities(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """log(Phi(hi) - Phi(lo)), computed in the tail that keeps precision (no underflow far out)."""
    upper = np.where(lo > 0, -lo, hi)
    lower = np.where(lo > 0, -hi, lo)
    big, small = special.log_ndtr(upper), special.log_ndtr(lower)
    with np.errstate(invalid="ignore"):
        return big + _log1mexp(np.where(np.isneginf(small), -np.inf, small - big))


def _log_density(z: np.ndarray) -> np.ndarray:
    """log phi(z); -inf at +-inf (and for |z| so large that z^2 overflows)."""
    finite = np.isfinite(z)
    with np.errstate(over="ignore"):
        return np.where(finite, -0.5 * np.where(finite, z, 0.0) ** 2 - _LOG_SQRT_2PI, -np.inf)


def _per_variance(value, sigma: float) -> float:
    """``value / sigma^2`` as a float, with 0 or inf (not an OverflowError) for extreme ``sigma``."""
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        return float(np.float64(value) * (1.0 / np.float64(sigma)) ** 2)


def fisher_entropy_many(a) -> tuple[np.ndarray, np.ndarray]:
    """Fisher information (sigma = 1) and output entropy (nats) of many quantisers at once.

    Parameters
    ----------
    a : array_like, shape (n, m)
        Standardised thresholds ``(tau - theta)/sigma`` of ``n`` quantisers, each row sorted; pad shorter rows
        with ``+inf`` (an empty cell contributes nothing).

    Returns
    -------
    fisher, entropy : ndarray, shape (n,)
        ``sigma^2 I_Q`` and ``H(Y)`` in nats (equation ``eq-bits-quantizer-fisher``).
    """
    a = np.atleast_2d(np.asarray(a, dtype=float))
    lo, hi = _cells(a)
    log_p = _log_cell_probabilities(lo, hi)
    lh, ll = _log_density(hi), _log_density(lo)
    top = np.maximum(lh, ll)
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isneginf(top), -np.inf, -np.abs(lh - ll))
        log_num = top + _log1mexp(gap)  # log |phi(hi) - phi(lo)|
        live = np.isfinite(log_p) & np.isfinite(log_num)
        fisher = np.where(live, np.exp(np.where(live, 2 * log_num - log_p, 0.0)), 0.0).sum(axis=1)
    entropy = -np.where(np.isfinite(log_p), np.exp(log_p) * np.where(np.isfinite(log_p), log_p, 0.0), 0.0).sum(axis=1)
    return fisher, entropy


def _standardised(thresholds, theta, sigma):
    tau = checks.sorted_thresholds(thresholds, "thresholds")
    theta = checks.real(theta, "theta")
    sigma = checks.positive(sigma, "sigma")
    return (tau - theta) / sigma, sigma


def quantiser_fisher(thresholds, theta: float = 0.0, sigma: float = 1.0) -> float:
    """Fisher information about ``theta`` of the cell index of ``X ~ N(theta, sigma^2)``.

    Parameters
    ----------
    thresholds : array_like
        Strictly increasing finite thresholds ``tau_1 < ... < tau_{L-1}`` (empty: one cell, no information).
    theta : float, optional
        The mean at which the information is evaluated.
    sigma : float, optional
        Noise standard deviation, ``> 0``.

    Returns
    -------
    float
        ``I_Q(theta) = (1/sigma^2) sum_i [phi(a_i) - phi(a_{i-1})]^2 / p_i`` with ``a_i = (tau_i - theta)/sigma``.

    Notes
    -----
    Equation ``eq-bits-quantizer-fisher`` of page ``bits-fisher-per-bit``. Data processing gives
    ``I_Q <= 1/sigma^2``; the Barnes-Ozgur inequality gives ``I_Q <= 2 H(Y)/sigma^2`` (``H`` in nats).

    Examples
    --------
    >>> round(quantiser_fisher([0.0]) * math.pi / 2, 12)   # one threshold at the mean: 2/pi
    1.0
    """
    a, sigma = _standardised(thresholds, theta, sigma)
    fisher, _ = fisher_entropy_many(a[None, :])
    return _per_variance(fisher[0], sigma)


def quantiser_entropy(thresholds, theta: float = 0.0, sigma: float = 1.0) -> float:
    """Entropy ``H(Y) = -sum_i p_i ln p_i`` (nats) of the cell index; it equals ``I(X; Y)`` (``Y`` is a function of ``X``).

    Parameters
    ----------
    thresholds : array_like
        Strictly increasing finite thresholds.
    theta, sigma : float, optional
        Mean and standard deviation of ``X``.

    Returns
    -------
    float
        Entropy in nats (divide by ``ln 2`` for bits), equation ``eq-bits-quantizer-fisher``.
    """
    a, _ = _standardised(thresholds, theta, sigma)
    _, entropy = fisher_entropy_many(a[None, :])
    return float(entropy[0])


def uniform_thresholds(b: int, step: float, center: float = 0.0) -> np.ndarray:
    """The ``2^b - 1`` thresholds of a uniform ``b``-bit quantiser with spacing ``step``, symmetric about ``center``.

    Parameters
    ----------
    b : int
        Bits, ``>= 1`` (``2^b`` cells).
    step : float
        Threshold spacing, ``> 0``.
    center : float, optional
        The middle threshold.

    Returns
    -------
    ndarray
        ``center + step * (i - (2^b - 2)/2)`` for ``i = 0, ..., 2^b - 2``; pass them to
        :func:`quantiser_fisher` (``eq-bits-quantizer-fisher``).
    """
    b = checks.count(b, "b")
    if b > 24:
        raise ValueError(f"`b` must be at most 24 (2^b cells are enumerated), got {b}.")
    step = checks.positive(step, "step")
    center = checks.real(center, "center")
    m = 2**b - 1
    return center + step * (np.arange(m) - (m - 1) / 2.0)


def best_uniform_quantiser(b: int, sigma: float = 1.0) -> tuple[float, float]:
    """The uniform ``b``-bit quantiser centred at the mean with the largest Fisher information.

    Parameters
    ----------
    b : int
        Bits, ``1 <= b <= 12``.
    sigma : float, optional
        Noise standard deviation.

    Returns
    -------
    fisher : float
        The largest ``I_Q`` over the step (units ``1/sigma^2`` scaled in).
    step : float
        The maximising threshold spacing (``nan`` for ``b = 1``: a single threshold has no spacing).

    Notes
    -----
    A numerical optimum (grid search, then bounded Brent refinement), the table of page ``bits-fisher-per-bit``
    (``eq-bits-quantizer-fisher``). Values in units of ``1/sigma^2``: b=2: 0.8825 (step 0.982 sigma), b=3: 0.9642,
    b=4: 0.9892.
    """
    b = checks.count(b, "b")
    if b > 12:
        raise ValueError(f"`b` must be at most 12 here (the gain beyond is below 1e-6), got {b}.")
    sigma = checks.positive(sigma, "sigma")
    if b == 1:
        return _per_variance(quantiser_fisher([0.0]), sigma), math.nan
    m = 2**b - 1
    offsets = np.arange(m) - (m - 1) / 2.0

    def neg(step):
        return -fisher_entropy_many((step * offsets)[None, :])[0][0]

    grid = np.geomspace(1e-3, 16.0 / (m - 1), 200)
    values = [neg(s) for s in grid]
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    return _per_variance(-res.fun, sigma), float(res.x) * sigma


#: Fisher information of one threshold at standardised offset ``a`` (the sign quantiser; equation
#: ``eq-bits-fisher-sign`` of page ``bits-fisher-per-bit``): the primer's
#: :func:`lib.infotheory.threshold_quantiser_fisher`, one function under the name Part I uses.
fisher_sign = threshold_quantiser_fisher


def _expected_max(M: float) -> float:
    """E[max of M i.i.d. N(0, 1)] by quadrature of the tail formula."""
    def upper(x):
        return -math.expm1(M * special.log_ndtr(x))

    def lower(x):
        return math.exp(M * special.log_ndtr(x))

    edge = math.sqrt(2 * math.log(M)) + 3.0
    pos = integrate.quad(upper, 0.0, edge, limit=200, points=[edge - 3.0])[0] + integrate.quad(upper, edge, np.inf)[0]
    neg = integrate.quad(lower, -np.inf, 0.0, limit=200)[0]
    return pos - neg


def fisher_argmax(k: int, sigma: float = 1.0) -> float:
    """Fisher trace of the index of the largest of ``M = 2^k`` coordinates of ``X ~ N(theta, sigma^2 I_M)`` at 0.

    Parameters
    ----------
    k : int
        Bits of the message, ``1 <= k <= 60``.
    sigma : float, optional
        Noise standard deviation.

    Returns
    -------
    float
        ``M E[max_i Z_i]^2 / ((M - 1) sigma^2)``; per bit divide by ``k``. It tends to ``2 ln 2`` per bit.

    Notes
    -----
    Equation ``eq-bits-fisher-argmax`` of page ``bits-fisher-per-bit``. ``k = 1`` is the sign of ``X_1 - X_2``, with
    trace ``2/pi``.
    """
    k = checks.count(k, "k")
    if k > 60:
        raise ValueError(f"`k` must be at most 60 (2^k coordinates), got {k}.")
    sigma = checks.positive(sigma, "sigma")
    M = 2.0**k
    return _per_variance(M * _expected_max(M) ** 2 / (M - 1), sigma)


def fisher_stochastic_round(M: float, sigma: float = 1.0, theta: float = 0.0) -> float:
    """Fisher information of one-bit unbiased stochastic rounding of ``X ~ N(theta, sigma^2)`` onto ``{-M, +M}``.

    Parameters
    ----------
    M : float
        Rounding range, ``> 0``; ``X`` outside ``[-M, M]`` saturates.
    sigma : float, optional
        Noise standard deviation.
    theta : float, optional
        Mean of ``X``.

    Returns
    -------
    float
        ``p'(theta)^2 / (p(1 - p))`` with ``p = P(Y = +M)`` and ``p' = P(|X| < M)/(2M)``; about
        ``1/(M^2 - theta^2)`` when ``M >> sigma`` and ``|theta|`` is a few sigma inside ``M``, so ``1/M^2`` at
        ``theta = 0`` (equation ``eq-bits-fisher-stochastic-round``).
    """
    M = checks.positive(M, "M")
    sigma = checks.positive(sigma, "sigma")
    theta = checks.real(theta, "theta")
    lo, hi = (-M - theta) / sigma, (M - theta) / sigma
    if hi - lo < 1e-6:  # a cell far narrower than sigma: P(inside) = width x density (relative error < 1e-12)
        inside = (hi - lo) * float(np.exp(_log_density(np.array(0.5 * (lo + hi)))))
    else:
        inside = float(np.exp(_log_cell_probabilities(np.array(lo), np.array(hi))))
    dens_lo, dens_hi = np.exp(_log_density(np.array([lo, hi])))
    mean_inside = theta * inside + sigma * float(dens_lo - dens_hi)
    p = float(special.ndtr(-hi)) + (mean_inside + M * inside) / (2 * M)
    dp = inside / (2 * M)
    return dp**2 / (p * (1 - p))


#: Beyond this offset the tail threshold's Fisher per bit is evaluated here (within 1e-6 of its limit 2 ln 2).
_TAIL_A_MAX = 1e4


def tail_threshold_per_bit(a):
    """Fisher information per bit of an entropy-coded tail threshold ``1{X > theta + a sigma}`` (units ``1/sigma^2``).

    Parameters
    ----------
    a : float or array_like
        Standardised offset ``(tau - theta)/sigma`` of the threshold; finite and nonzero entries allowed.

    Returns
    -------
    float or ndarray
        ``g(a) / h2(Phi(-a))`` with ``g(a) = phi(a)^2/(Phi(a)(1 - Phi(a)))`` (:func:`fisher_sign`) and ``h2`` the
        binary entropy in bits; multiply by ``1/ln 2`` for the ratio per nat. It rises from ``2/(pi ln 2)`` per nat
        at ``a = 0`` towards the ceiling ``2 ln 2`` per bit as ``|a|`` grows (equation ``eq-bits-tail-threshold``).

    Notes
    -----
    An entropy coder (arithmetic, or enumerative over many coordinates) sends the sparse exceedance pattern of
    ``n`` coordinates in about ``n h2(Phi(-a))`` bits, so this is the Fisher information per bit sent, in the
    limit of many coordinates per message (page ``bits-fisher-per-bit``).

    Examples
    --------
    >>> round(float(tail_threshold_per_bit(5.0)), 3)
    1.161
    """
    arr = np.clip(np.abs(checks.real(a, "a")), 0.0, _TAIL_A_MAX)
    log_g = threshold_quantiser_fisher(arr, log=True)
    log_q = special.log_ndtr(-arr)  # q = Phi(-|a|) <= 1/2: the rarer outcome
    q = np.exp(log_q)
    # h2(q) in nats = q (-ln q + (1 - q) (-ln(1 - q))/q); the last factor tends to 1 as q -> 0
    tail = np.where(q > 0, -np.log1p(-q) / np.where(q > 0, q, 1.0), 1.0)
    log_bits = log_q + np.log(-log_q + (1 - q) * tail) - math.log(math.log(2.0))
    out = np.exp(log_g - log_bits)
    return checks.scalar_or_array(out)


def random_quantisers(rng: np.random.Generator, n: int, max_cells: int = 8, spread: float = 3.0):
    """Fisher information and entropy of ``n`` random scalar quantisers (sigma = 1, theta = 0).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n : int
        Number of quantisers.
    max_cells : int, optional
        Each quantiser has a uniform random number of cells in ``2..max_cells``.
    spread : float, optional
        Thresholds are uniform on ``[-spread, spread]`` (standardised units).

    Returns
    -------
    fisher, entropy : ndarray
        ``I_Q`` (units ``1/sigma^2``) and ``H(Y)`` (nats), for the check ``I_Q <= 2 H(Y)`` of ``eq-bits-fisher-mi``.
    """
    n = checks.count(n, "n")
    max_cells = checks.count(max_cells, "max_cells", low=2)
    spread = checks.positive(spread, "spread")
    cells = rng.integers(2, max_cells + 1, size=n)
    a = np.sort(rng.uniform(-spread, spread, size=(n, max_cells - 1)), axis=1)
    a[np.arange(max_cells - 1)[None, :] >= (cells - 1)[:, None]] = np.inf
    return fisher_entropy_many(a)


def fisher_per_bit_families(max_b: int = 6, ks=(1, 2, 4, 8, 16), tails=(2.0, 3.0, 5.0)) -> dict:
    """Fisher information per bit (units ``1/sigma^2``) of the quantiser families of page ``bits-fisher-per-bit``.

    Parameters
    ----------
    max_b : int, optional
        Largest bit depth of the best uniform quantiser.
    ks : sequence of int, optional
        Message lengths of the argmax scheme.
    tails : sequence of float, optional
        Offsets ``a`` of the entropy-coded tail threshold (:func:`tail_threshold_per_bit`).

    Returns
    -------
    dict
        ``{family: (x, fisher_per_bit)}`` for ``"uniform"`` (x = b = 1..max_b; b = 1 is the sign at the mean),
        ``"argmax"`` (x = the ``ks``) and ``"tail"`` (x = the offsets), to compare with the ceiling ``2 ln 2`` of
        ``eq-bits-fisher-mi``.
    """
    max_b = checks.count(max_b, "max_b")
    bits = np.arange(1, max_b + 1)
    uniform = np.array([best_uniform_quantiser(int(b))[0] for b in bits]) / bits
    ks = np.array([checks.count(k, "k") for k in ks])
    argmax = np.array([fisher_argmax(int(k)) for k in ks]) / ks
    tails = np.array([checks.positive(a, "tails") for a in tails])
    return {"uniform": (bits, uniform), "argmax": (ks, argmax), "tail": (tails, tail_threshold_per_bit(tails))}
