r"""Other routes to the product bound: Assouad with strong data processing, truncation, localisation, tail thresholds.

Page ``bits-other-routes``. The hypercube of means ``theta = delta v``, ``v`` uniform on ``{-1, +1}^d``, observed
through ``T`` rounds of ``B``-bit messages about ``X_t ~ N(theta, sigma^2 I_d)``:

* :func:`assouad_sdpi_bound` -- Assouad's lemma, Pinsker and a strong data-processing step with constant
  ``kappa delta^2/sigma^2`` give ``sigma^2 d^2 / (27 T min(d/2, kappa B ln 2))`` (equation ``eq-bits-assouad-sdpi``);
* :func:`chi2_contraction`, :func:`threshold_sdpi_ratio` -- the strong data-processing constant of one Gaussian
  observation, from below; :func:`truncation_level` -- the truncation a bounded-likelihood-ratio argument needs;
* :func:`tail_offset_for_rate`, :func:`tail_scheme_budget` -- the Fisher budget of entropy-coded tail thresholds
  at ``B/d`` bits per coordinate; :func:`localisation_bits`; :func:`simulate_tail_threshold`.

Each closed form is checked in ``tests/bits/test_routes.py`` against an independent computation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special


from lib import checks

from .bounds import LN2, fisher_budget_per_round
from .quantisers import fisher_sign, tail_threshold_per_bit

__all__ = ["assouad_sdpi_bound", "chi2_contraction", "threshold_sdpi_ratio", "truncation_level",
           "tail_offset_for_rate", "tail_scheme_budget", "efficiency_table", "localisation_bits",
           "TailThresholdRun", "simulate_tail_threshold", "categorical_fisher"]


def assouad_sdpi_bound(T, d: int, B: int, sigma: float, kappa: float = 1.0):
    r"""Minimax lower bound on ``E||theta_hat - theta||^2`` from Assouad's lemma and a strong data-processing step.

    Parameters
    ----------
    T : int or array_like of int
        Rounds, ``>= 1``.
    d, B : int
        Dimension and bits per round, ``>= 1``.
    sigma : float
        Noise standard deviation, ``> 0``.
    kappa : float, optional
        Constant of the strong data-processing step ``I(V; Y^T) <= kappa (delta^2/sigma^2) sum_t I(X_t; Y_t | past)``
        (``1``: the local constant of one Gaussian observation; larger after truncation).

    Returns
    -------
    bound, delta : float or ndarray
        ``sigma^2 d^2 / (27 T m)`` with ``m = min(d/2, kappa B ln 2)``, and the cube half-width
        ``delta = sigma sqrt(2 d/(9 T m))`` that attains it (equation ``eq-bits-assouad-sdpi``).

    Notes
    -----
    Assouad gives ``risk >= (delta^2/2) sum_j (1 - TV_j)``; Pinsker for a uniform bit gives ``TV_j^2 <= 2 I(V_j; Y^T)``;
    the ``V_j`` are independent, so ``sum_j I(V_j; Y^T) <= min(d T delta^2/(2 sigma^2), kappa T B ln2 delta^2/sigma^2)``.
    Cauchy-Schwarz and maximising ``(delta^2 d/2)(1 - sqrt(2 T m delta^2/(sigma^2 d)))`` over ``delta`` give the bound.
    """
    T = checks.counts(T, "T")
    d, B = checks.count(d, "d"), checks.count(B, "B")
    sigma, kappa = checks.positive(sigma, "sigma"), checks.positive(kappa, "kappa")
    m = min(d / 2.0, kappa * B * LN2)
    bound = sigma**2 * d**2 / (27.0 * T * m)
    delta = sigma * np.sqrt(2.0 * d / (9.0 * T * m))
    return (float(bound), float(delta)) if bound.ndim == 0 else (bound, delta)


def chi2_contraction(delta: float, sigma: float = 1.0, nodes: int = 120) -> float:
    r"""The chi-square contraction coefficient of ``V -> X``, ``V`` uniform on ``{-1, 1}``, ``X ~ N(delta V, sigma^2)``.

    Parameters
    ----------
    delta : float
        Half-separation of the two means, ``> 0``.
    sigma : float, optional
        Noise standard deviation.
    nodes : int, optional
        Gauss-Hermite nodes.

    Returns
    -------
    float
        ``E tanh^2(delta X/sigma^2)``, the squared maximal correlation of ``V`` and ``X``. It lower-bounds the
        strong data-processing constant ``sup_Y I(V; Y)/I(X; Y)`` and is ``delta^2/sigma^2 (1 + O(delta^2/sigma^2))``:
        finite although the likelihood ratio ``exp(2 delta x/sigma^2)`` is unbounded (equation ``eq-bits-chi2-sdpi``).
    """
    delta, sigma = checks.positive(delta, "delta"), checks.positive(sigma, "sigma")
    z, w = np.polynomial.hermite_e.hermegauss(checks.count(nodes, "nodes", low=8))
    s = delta / sigma
    return float(np.sum(w * np.tanh(s * (s + z)) ** 2) / math.sqrt(2 * math.pi))


def _binary_entropy_logs(log_p, log_q):
    """h(p) in nats from log p and log(1 - p)."""
    return -(np.exp(log_p) * log_p + np.exp(log_q) * log_q)


def threshold_sdpi_ratio(t, delta: float, sigma: float = 1.0):
    r"""``I(V; Y) / I(X; Y)`` for the one-bit message ``Y = 1{X > t}`` of ``X ~ N(delta V, sigma^2)``, ``V = +-1``.

    Parameters
    ----------
    t : float or array_like
        Threshold positions, ``|t|/sigma + delta/sigma <= 30``.
    delta : float
        Half-separation of the means, ``> 0``.
    sigma : float, optional
        Noise standard deviation.

    Returns
    -------
    float or ndarray
        The ratio, computed in log space (stable far in the tail). Over ``t`` it stays below ``delta^2/sigma^2`` and
        approaches it as ``delta -> 0`` with ``t -> infinity`` (equation ``eq-bits-chi2-sdpi``).
    """
    arr = np.asarray(t, dtype=float)
    delta, sigma = checks.positive(delta, "delta"), checks.positive(sigma, "sigma")
    u, s = arr / sigma, delta / sigma
    if not np.all(np.abs(u) + s <= 30):
        raise ValueError(f"`t` must satisfy |t|/sigma + delta/sigma <= 30 (beyond, P(Y) underflows), got {t!r}.")
    lp, lq = special.log_ndtr(s - u), special.log_ndtr(u - s)      # V = +1: P(Y = 1), P(Y = 0)
    mp, mq = special.log_ndtr(-s - u), special.log_ndtr(u + s)     # V = -1
    bp, bq = np.logaddexp(lp, mp) - LN2, np.logaddexp(lq, mq) - LN2
    with np.errstate(divide="ignore"):  # the larger of P(Y = 1), P(Y = 0) is taken from the smaller one
        bp, bq = np.where(bp > bq, np.log1p(-np.exp(bq)), bp), np.where(bq >= bp, np.log1p(-np.exp(bp)), bq)
    h_y = _binary_entropy_logs(bp, bq)
    out = (h_y - 0.5 * _binary_entropy_logs(lp, lq) - 0.5 * _binary_entropy_logs(mp, mq)) / h_y
    return checks.scalar_or_array(out)


def truncation_level(T, d: int, fail: float = 0.1):
    r"""The half-width ``tau`` (in units of ``sigma``) that keeps all ``T d`` noise coordinates inside ``+-tau sigma``.

    Parameters
    ----------
    T : int or array_like of int
        Rounds.
    d : int
        Dimension.
    fail : float, optional
        Allowed probability that some coordinate leaves the window, in ``(0, 1)``.

    Returns
    -------
    float or ndarray
        ``tau = Phi^{-1}(1 - fail/(2 T d))`` (union bound), about ``sqrt(2 ln(T d/fail))``. On the window the
        likelihood ratio of ``N(+-delta, sigma^2)`` is at most ``c = exp(2 delta (delta + tau sigma)/sigma^2)``, and
        ``(c - 1)^2 sigma^2/delta^2 -> 4 tau^2`` as ``delta -> 0`` (equation ``eq-bits-truncation``).
    """
    T = checks.counts(T, "T")
    d = checks.count(d, "d")
    fail = checks.positive(fail, "fail")
    if fail >= 1:
        raise ValueError(f"`fail` must lie in (0, 1), got {fail}.")
    tau = -special.ndtri(fail / (2.0 * T * d))
    return float(tau) if np.ndim(tau) == 0 else tau


def _binary_entropy_bits(a: float) -> float:
    log_q, log_p = special.log_ndtr(-a), special.log_ndtr(a)
    return float(_binary_entropy_logs(log_q, log_p)) / LN2


def tail_offset_for_rate(rate):
    r"""The offset ``a >= 0`` whose exceedance bit has entropy ``rate`` bits: ``h2(Phi(-a)) = rate``.

    Parameters
    ----------
    rate : float or array_like
        Bits per coordinate, in ``(0, 1]`` (``1`` gives ``a = 0``, the sign).

    Returns
    -------
    float or ndarray
        The offset, by bracketed root finding on ``[0, 38]`` (equation ``eq-bits-tail-budget``).
    """
    arr = np.atleast_1d(np.asarray(rate, dtype=float))
    if not np.all((arr > 0) & (arr <= 1)):
        raise ValueError(f"`rate` must lie in (0, 1] bits per coordinate (that is, B <= d), got {rate!r}.")
    if np.any(arr < _binary_entropy_bits(38.0)):
        raise ValueError(f"`rate` below {_binary_entropy_bits(38.0):.3g} bits per coordinate is out of range.")
    out = np.array([0.0 if x >= 1 else optimize.brentq(lambda a: _binary_entropy_bits(a) - x, 0.0, 38.0,
                                                       xtol=1e-13) for x in arr])
    return float(out[0]) if np.ndim(rate) == 0 else out


def tail_scheme_budget(d: int, B: int, sigma: float = 1.0) -> float:
    r"""Fisher trace per round of entropy-coded tail thresholds on all ``d`` coordinates at ``B/d`` bits each.

    Parameters
    ----------
    d, B : int
        Dimension and (average) bits per round, ``1 <= B <= d``.
    sigma : float, optional
        Noise standard deviation.

    Returns
    -------
    float
        ``B g(a)/(h2(Phi(-a)) sigma^2)`` with ``h2(Phi(-a)) = B/d`` (:func:`tail_offset_for_rate`,
        :func:`lib.bits.quantisers.tail_threshold_per_bit`), in the limit of an ideal entropy coder. At ``d = B``
        it is the sign's ``2B/(pi sigma^2)``; as ``d/B -> infinity`` it tends to ``2 ln2 B/sigma^2``
        (equation ``eq-bits-tail-budget``).
    """
    d, B = checks.count(d, "d"), checks.count(B, "B")
    if B > d:
        raise ValueError(f"`B` must be at most `d` here (at most one exceedance bit per coordinate), got B={B}, d={d}.")
    sigma = checks.positive(sigma, "sigma")
    return B * tail_threshold_per_bit(tail_offset_for_rate(B / d)) / sigma**2


def efficiency_table(ratios=(1, 2, 4, 16, 256, 4096), B: int = 1) -> dict:
    r"""The product bound's Fisher budget against what entropy-coded tail thresholds reach, for several ``d/B``.

    Parameters
    ----------
    ratios : sequence of int, optional
        Coordinates per bit ``d/B``.
    B : int, optional
        Bits per round (the table depends on ``d/B`` only).

    Returns
    -------
    dict
        ``rows``: list of (d/B, offset a, Fisher per bit of the scheme, gap ``min(d, 2 ln2 B)/budget``); shown by
        :func:`lib.bits.views.other_routes.efficiency_table`.
        The gap is ``pi/2`` at ``d = B``, largest near ``d/B = 2`` and tends to 1, slowly, as ``d/B`` grows.
    """
    rows = []
    for ratio in ratios:
        d = checks.count(ratio, "ratios") * checks.count(B, "B")
        budget = tail_scheme_budget(d, B)
        rows.append((ratio, tail_offset_for_rate(B / d), budget / B, fisher_budget_per_round(d, B, 1.0) / budget))
    return {"rows": rows}


def localisation_bits(d: int, r: float, sigma: float) -> float:
    r"""Bits that halve ``[-r, r]^d`` down to half-width ``sigma`` per coordinate: ``d max(0, log2(r/sigma))``.

    Parameters
    ----------
    d : int
        Dimension.
    r : float
        Half-width of the cube of means, ``> 0``.
    sigma : float
        Noise standard deviation, ``> 0``.

    Returns
    -------
    float
        ``d log2(r/sigma)`` bits (0 if ``r <= sigma``). It is at most the Shannon lower bound
        ``(d/2) log2(2 r^2 d/(pi e eps^2))`` whenever ``eps^2 <= 2 d sigma^2/(pi e)`` (equation
        ``eq-bits-localisation``).
    """
    d = checks.count(d, "d")
    r, sigma = checks.positive(r, "r"), checks.positive(sigma, "sigma")
    return d * max(0.0, math.log2(r / sigma))


@dataclass
class TailThresholdRun:
    """Result of :func:`simulate_tail_threshold` (errors in units of ``sigma^2``, bits counted exactly).

    Attributes
    ----------
    mse, se : float
        ``E||theta_hat - theta||^2`` over replicates and its standard error.
    predicted : float
        ``sum_j 1/(n_2 I(a_j))`` at the realised offsets ``a_j`` of the thresholds from ``theta`` (delta method).
    bits_pilot, bits_tail : float
        Bits per replicate of the sign pilot (``d`` per round) and of the coded exceedance patterns.
    bits_ideal : float
        ``n_2 sum_j h2(Phi(-a_j))``: what an ideal entropy coder would spend in the tail phase.
    fisher_per_bit : float
        ``sigma^2 d^2/(mse bits_tail)``, the Fisher information delivered per bit of the tail phase.
    """

    mse: float
    se: float
    predicted: float
    bits_pilot: float
    bits_tail: float
    bits_ideal: float
    fisher_per_bit: float


def _code_length(k: np.ndarray, d: int) -> np.ndarray:
    """Prefix-free code of a d-bit pattern with k ones: Elias gamma of k + 1, then ceil(log2 C(d, k)) for the set."""
    k = np.asarray(k)
    log2_binom = (special.gammaln(d + 1) - special.gammaln(k + 1) - special.gammaln(d - k + 1)) / LN2
    return 2 * np.floor(np.log2(k + 1.0)) + 1 + np.ceil(np.maximum(log2_binom - 1e-9, 0.0))


def _invert(count: np.ndarray, n: int, tau: np.ndarray, sigma: float) -> np.ndarray:
    """theta_hat = tau + sigma Phi^{-1}(p_hat), p_hat = exceedance frequency kept inside [1/(2n), 1 - 1/(2n)]."""
    p = np.clip(count / n, 0.5 / n, 1 - 0.5 / n)
    return tau + sigma * special.ndtri(p)


def simulate_tail_threshold(d: int, T: int, a: float, sigma: float = 1.0, r: float = 1.0, pilot: float = 0.01,
                            reps: int = 2, seed: int = 0, chunk: int = 256) -> TailThresholdRun:
    r"""Monte Carlo of the entropy-coded tail-threshold scheme: a sign pilot, then one threshold per coordinate.

    Parameters
    ----------
    d : int
        Dimension (many coordinates per message make the joint code efficient).
    T : int
        Rounds, ``>= 2``; the first ``ceil(pilot T)`` send signs, the rest exceedances.
    a : float
        Offset of the thresholds above the pilot estimate, in units of ``sigma`` (``0 <= a <= 8``).
    sigma : float, optional
        Noise standard deviation.
    r : float, optional
        ``theta`` is uniform on ``[-r, r]^d`` (``r <= 3 sigma``: the pilot's threshold at 0 must see both signs).
    pilot : float, optional
        Fraction of rounds spent on the pilot, in ``(0, 1)``.
    reps : int, optional
        Independent replicates.
    seed : int, optional
        Seed of the generator.
    chunk : int, optional
        Rounds drawn at once (memory ``chunk * reps * d`` floats).

    Returns
    -------
    TailThresholdRun
        Errors, exact bit counts and the achieved Fisher information per bit, to compare with
        ``eq-bits-tail-threshold``.

    Notes
    -----
    Pilot: ``Y = 1{X_j > 0}``, ``d`` bits a round, ``theta_hat0 = sigma Phi^{-1}(p_hat)``. Tail phase: thresholds
    ``tau_j = theta_hat0_j + a sigma``; each round the exceedance pattern is sent as its count (Elias gamma code of
    ``K + 1``, ``2 floor(log2(K + 1)) + 1`` bits) and the index of the ``K``-subset (:func:`_code_length`); ``theta_hat = tau + sigma Phi^{-1}(p_hat)`` is the maximum-
    likelihood estimate, with variance ``1/(n_2 I(a))`` to first order.
    """
    d, T = checks.count(d, "d"), checks.count(T, "T", low=2)
    a, sigma, r = checks.nonnegative(a, "a"), checks.positive(sigma, "sigma"), checks.positive(r, "r")
    if a > 8:
        raise ValueError(f"`a` must be at most 8 (exceedances of probability below 1e-15 are never seen), got {a}.")
    if r > 3 * sigma:
        raise ValueError(f"`r` must be at most 3 sigma (the sign pilot sees one sign only), got r={r}, sigma={sigma}.")
    pilot = checks.positive(pilot, "pilot")
    if pilot >= 1:
        raise ValueError(f"`pilot` must lie in (0, 1), got {pilot}.")
    reps, chunk = checks.count(reps, "reps"), checks.count(chunk, "chunk")
    n1 = math.ceil(pilot * T)
    n2 = T - n1
    if n2 < 1:
        raise ValueError(f"`T` = {T} leaves no round after the pilot; raise T or lower `pilot`.")
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-r, r, size=(reps, d))

    def count_exceedances(n, tau, bits):
        total = np.zeros((reps, d))
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            above = theta + sigma * rng.standard_normal((m, reps, d)) > tau
            total += above.sum(axis=0)
            if bits is not None:
                bits += _code_length(above.sum(axis=2), d).sum(axis=0)
        return total

    theta0 = _invert(count_exceedances(n1, np.zeros((reps, d)), None), n1, 0.0, sigma)
    tau = theta0 + a * sigma
    bits = np.zeros(reps)
    theta_hat = _invert(count_exceedances(n2, tau, bits), n2, tau, sigma)
    err = np.sum((theta_hat - theta) ** 2, axis=1)
    offsets = (tau - theta) / sigma
    predicted = float(np.mean(np.sum(sigma**2 / (n2 * fisher_sign(offsets)), axis=1)))
    log_q, log_p = special.log_ndtr(-offsets), special.log_ndtr(offsets)
    ideal = n2 * float(np.mean(np.sum(_binary_entropy_logs(log_q, log_p), axis=1))) / LN2
    mse = float(err.mean())
    return TailThresholdRun(mse=mse, se=float(err.std(ddof=1) / math.sqrt(reps)) if reps > 1 else math.nan,
                            predicted=predicted, bits_pilot=float(n1 * d), bits_tail=float(bits.mean()),
                            bits_ideal=ideal, fisher_per_bit=sigma**2 * d**2 / (mse * float(bits.mean())))


def categorical_fisher(p, cells) -> tuple[np.ndarray, np.ndarray]:
    r"""Fisher information matrices of a categorical sample and of the cell it falls in.

    Parameters
    ----------
    p : array_like, shape (m,)
        Probabilities of the ``m >= 2`` symbols, all ``> 0``, summing to 1; the parameters are ``p_1..p_{m-1}``.
    cells : array_like of int, shape (m,)
        The cell (message) of each symbol, labels ``0..L-1``: a deterministic ``log2 L``-bit message.

    Returns
    -------
    I_Y, I_X : ndarray, shape (m-1, m-1)
        ``I_Y = sum_c g_c g_c^T / P(c)`` with ``g_c = d P(c)/d p_i = 1{i in c} - 1{m in c}``, and
        ``I_X = diag(1/p_i) + 1 1^T/p_m``. Since the ``g_c`` sum to zero, ``rank I_Y <= L - 1``, and
        ``I_Y <= I_X``; so ``tr I_Y <= (L - 1) lambda_max(I_X)``, the ``2^k`` growth (equation ``eq-bits-rank``).
    """
    p = np.asarray(p, dtype=float)
    cells = np.asarray(cells)
    if p.ndim != 1 or p.size < 2 or not np.all(p > 0) or abs(p.sum() - 1) > 1e-9:
        raise ValueError(f"`p` must be a probability vector of length >= 2 with positive entries, got {p!r}.")
    if cells.shape != p.shape or not np.issubdtype(cells.dtype, np.integer) or cells.min() < 0:
        raise ValueError("`cells` must give one non-negative integer cell label per symbol.")
    labels = np.unique(cells)
    member = (cells[None, :] == labels[:, None]).astype(float)          # (L, m)
    grad = member[:, :-1] - member[:, -1:]                               # d P(c) / d p_i
    prob = member @ p
    fisher_y = (grad.T / prob) @ grad
    fisher_x = np.diag(1.0 / p[:-1]) + 1.0 / p[-1]
    return fisher_y, fisher_x
