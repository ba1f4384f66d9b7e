"""Toy A: a linear-Gaussian "language model" whose truncation sensitivity is known in closed form.

Tokens u_t ~ N(0, σ_u²) are i.i.d.; the next-token law given the past is N(μ_t, s²) with

    μ_t = Σ_{k≥1} a_k u_{t−k},   a_k = c · k^(−β),  β > 1/2.

A suffix of w tokens misses the lags k > w, whose contribution has variance

    V_w = σ_u² Σ_{k>w} a_k² = c² σ_u² ζ(2β, w+1)      (Hurwitz zeta),

and everything in :ref:`kv-window-theorem` and :ref:`kv-block-markov` follows from V_w:

* the model run on the suffix (missing lags read as 0) loses Δ_model(w) = V_w / (2 s²) nats,
* the best predictor that sees only the suffix loses the Bayes gap ½ ln(1 + V_w / s²) ≤ Δ_model(w),
* both decay like w^(−α) with α = 2β − 1.

Toy A is not autoregressive: the inputs u are i.i.d. and the predicted token never becomes an input, so it is
a long-memory regression standing in for the next-token law given the past, not a model of its own text.

``history`` (optional, default infinite) truncates the sum at a finite past of ``history`` lags, which is what a
Monte Carlo sampler can simulate; the closed forms then use ζ(2β, w+1) − ζ(2β, history+1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import zeta

from lib import checks
from lib.infotheory import wyner_ziv_gaussian

__all__ = ["ToyA", "MonteCarlo", "gaussian_kl_rate"]


def _windows(w, name: str = "w", minimum: int = 0) -> np.ndarray:
    """Integer windows ≥ ``minimum`` as a float array (numpy integers accepted, 2.5 refused)."""
    arr = np.asarray(w)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"`{name}` must be an integer or an array of integers, got {w!r}.")
    if np.any(~np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise ValueError(f"`{name}` must hold whole numbers of tokens, got {w!r}.")
    if np.any(arr < minimum):
        raise ValueError(f"`{name}` must be >= {minimum} tokens, got {w!r}.")
    return arr.astype(float)


def _scalar(x):
    return float(x) if np.ndim(x) == 0 else x


@dataclass(frozen=True)
class MonteCarlo:
    """A Monte Carlo mean with its standard error (nats)."""

    mean: float
    se: float


@dataclass(frozen=True)
class ToyA:
    """The linear-Gaussian toy with coefficients a_k = c·k^(−β) (see the module docstring).

    Parameters
    ----------
    beta : float
        Decay of the coefficients, > 1/2 (so that Σ a_k² converges). The exponent is α = 2β − 1.
    c : float, optional
        Scale of the coefficients, > 0.
    sigma_u : float, optional
        Standard deviation of the input tokens, > 0.
    s : float, optional
        Standard deviation of the next-token law, > 0.
    history : int, optional
        Number of past lags that exist (default ``None``: an infinite past).
    """

    beta: float
    c: float = 1.0
    sigma_u: float = 1.0
    s: float = 1.0
    history: int | None = None

    def __post_init__(self):
        for name in ("beta", "c", "sigma_u", "s"):
            checks.positive(getattr(self, name), name)
        if self.beta <= 0.5:
            raise ValueError(f"`beta` must be > 1/2 (otherwise Σ a_k² diverges), got {self.beta!r}.")
        if self.history is not None:
            checks.count(self.history, "history")

    # ----- closed forms -----------------------------------------------------------------------------------------
    @property
    def alpha(self) -> float:
        """The truncation exponent α = 2β − 1."""
        return 2 * self.beta - 1

    def _tail(self, w: np.ndarray) -> np.ndarray:
        """Σ_{w<k≤history} k^(−2β), elementwise (0 when w ≥ history)."""
        out = zeta(2 * self.beta, w + 1)
        if self.history is not None:
            out = np.where(w < self.history, out - zeta(2 * self.beta, self.history + 1), 0.0)
        return out

    def tail_variance(self, w):
        """V_w = c²σ_u² Σ_{k>w} k^(−2β): variance of the part of μ_t a window of ``w`` tokens misses.

        Notes
        -----
        :eq:`eq-kv-toy-a-tail`; equals c²σ_u² ζ(2β, w+1) for an infinite past.
        """
        w = _windows(w)
        return _scalar(self.c ** 2 * self.sigma_u ** 2 * self._tail(w))

    def delta(self, w):
        """Δ_model(w) = V_w / (2 s²): KL(full ‖ model run on the last ``w`` tokens), in nats.

        Notes
        -----
        :eq:`eq-kv-toy-a-delta`. The KL of two Gaussians with the same variance s² is (μ − μ_w)²/(2s²); its mean
        over the missing lags is V_w/(2s²).

        Examples
        --------
        Spec II.5: at β = 1, Δ(64) = 0.00775 nats.

        >>> round(ToyA(beta=1.0).delta(64), 5)
        0.00775
        """
        return _scalar(np.asarray(self.tail_variance(w)) / (2 * self.s ** 2))

    def bayes_gap(self, w):
        """R_w − R_∞ = ½ ln(1 + V_w / s²): excess log-loss of the best predictor that sees the last ``w`` tokens.

        Notes
        -----
        :eq:`eq-kv-toy-a-bayes-gap`. The best suffix-only predictor is N(μ_w, s² + V_w); its excess loss is the
        conditional mutual information I(X_{t+1}; older tokens | last w tokens). It never exceeds
        :meth:`delta` because ln(1 + x) ≤ x.

        Examples
        --------
        >>> toy = ToyA(beta=1.0)
        >>> toy.bayes_gap(64) <= toy.delta(64)
        True
        """
        return _scalar(0.5 * np.log1p(np.asarray(self.tail_variance(w)) / self.s ** 2))

    def random_retention(self, m, t):
        """Mean KL when ``m`` of the last ``t`` tokens are kept uniformly at random (older tokens unavailable).

        Parameters
        ----------
        m : int
            Retained tokens, 0 ≤ m ≤ t.
        t : int
            Tokens the policy may choose from (the most recent t), ≥ 1.

        Returns
        -------
        float
            (c²σ_u²/(2s²)) · [(1 − m/t)·Σ_{k≤t} k^(−2β) + Σ_{k>t} k^(−2β)]; for an infinite past this is
            (c²σ_u²/(2s²)) · [(1 − m/t) ζ(2β) + (m/t) ζ(2β, t+1)], :eq:`eq-kv-toy-a-random`.
        """
        m = _windows(m, "m")
        t_arr = _windows(t, "t", minimum=1)
        if np.any(m > t_arr):
            raise ValueError(f"`m` must be <= `t` (the policy keeps m of the last t tokens), got m={m}, t={t}.")
        if self.history is not None and np.any(t_arr > self.history):
            raise ValueError(f"`t` must be <= history = {self.history}, got {t}.")
        two_beta = 2 * self.beta
        head = zeta(two_beta, 1) - zeta(two_beta, t_arr + 1)                  # Σ_{k≤t}
        scale = self.c ** 2 * self.sigma_u ** 2 / (2 * self.s ** 2)
        return _scalar(scale * ((1 - m / t_arr) * head + self._tail(t_arr)))

    def power_law_bounds(self) -> tuple[float, float]:
        """Constants (c_lo, C) with c_lo·w^(−α) ≤ Bayes gap(w) ≤ Δ_model(w) ≤ C·w^(−α) for every w ≥ 1.

        Returns
        -------
        c_lo, C : float
            C = c²σ_u² / (2 s² (2β − 1)) and c_lo = C · 2^(−α) / (1 + V_1/s²).

        Notes
        -----
        From ∫_{w+1}^∞ x^(−2β) dx ≤ ζ(2β, w+1) ≤ ∫_w^∞ x^(−2β) dx, (w+1)^(−α) ≥ 2^(−α) w^(−α), and
        ½ ln(1 + x) ≥ (x/2)/(1 + x). Valid for an infinite past only (a finite past makes Δ vanish at
        w ≥ history). This is the two-sided condition of :eq:`eq-kv-two-sided` with explicit constants.
        """
        if self.history is not None:
            raise ValueError("`history` must be None for power-law bounds (a finite past has Δ = 0 eventually).")
        C = self.c ** 2 * self.sigma_u ** 2 / (2 * self.s ** 2 * self.alpha)
        v1 = self.tail_variance(1)
        return C * 2.0 ** (-self.alpha) / (1 + v1 / self.s ** 2), C

    def min_window(self, eps, kind: str = "model") -> int:
        """Smallest window whose distortion is ≤ ``eps``: Δ_model (``kind="model"``) or the Bayes gap.

        Both are nonincreasing in w, so a doubling search followed by bisection finds it exactly.
        """
        if kind not in ("model", "bayes"):
            raise ValueError(f"`kind` must be 'model' or 'bayes', got {kind!r}.")
        eps = checks.positive(eps, "eps")
        f = self.delta if kind == "model" else self.bayes_gap
        if f(0) <= eps:
            return 0
        hi = 1
        while f(hi) > eps:
            hi *= 2
            if hi > 2 ** 60:
                raise ValueError(f"`eps` = {eps:g} needs a window above 2^60 tokens.")
        lo = hi // 2                                                            # f(lo) > eps ≥ f(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if f(mid) > eps else (lo, mid)
        return hi

    # ----- Monte Carlo -------------------------------------------------------------------------------------------
    def _sample(self, n_rep: int, seed: int):
        if self.history is None:
            raise ValueError("`history` must be set to a finite number of lags for Monte Carlo sampling.")
        checks.count(n_rep, "n_rep", low=2)
        rng = np.random.default_rng(seed)
        coef = self.c * np.arange(1, self.history + 1) ** (-self.beta)
        u = rng.normal(0.0, self.sigma_u, size=(n_rep, self.history))         # column k−1 holds lag k
        return rng, coef, u

    def sample_excess_loss(self, w: int, n_rep: int = 20_000, seed: int = 0) -> dict:
        """Monte Carlo of Δ_model(w) and of the Bayes gap, to check :meth:`delta` and :meth:`bayes_gap`.

        Draws the past, the full-context mean μ, the next token y ~ N(μ, s²), and scores

        * model: KL(N(μ, s²) ‖ N(μ_w, s²)) = (μ − μ_w)²/(2s²) per draw,
        * bayes: ln N(y; μ, s²) − ln N(y; μ_w, s² + V_w) per draw (a log-loss difference, not a formula for KL).

        Returns
        -------
        dict
            ``{"model": MonteCarlo, "bayes": MonteCarlo}``.
        """
        w = checks.count(w, "w", low=0)
        rng, coef, u = self._sample(n_rep, seed)
        mu = u @ coef
        mu_w = u[:, :w] @ coef[:w]
        y = mu + self.s * rng.standard_normal(mu.shape)
        var_w = self.s ** 2 + float(self.tail_variance(w))
        model = (mu - mu_w) ** 2 / (2 * self.s ** 2)
        bayes = (-(y - mu) ** 2 / (2 * self.s ** 2) - math.log(self.s)
                 + (y - mu_w) ** 2 / (2 * var_w) + 0.5 * math.log(var_w))
        return {key: MonteCarlo(float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size)))
                for key, v in (("model", model), ("bayes", bayes))}

    def sample_random_retention(self, m: int, t: int, n_rep: int = 20_000, seed: int = 0) -> MonteCarlo:
        """Monte Carlo of :meth:`random_retention`: keep ``m`` of the last ``t`` lags, drawn afresh per replicate."""
        m = checks.count(m, "m", low=0)
        t = checks.count(t, "t")
        if m > t:
            raise ValueError(f"`m` must be <= `t`, got m={m}, t={t}.")
        rng, coef, u = self._sample(n_rep, seed)
        if t > self.history:
            raise ValueError(f"`t` must be <= history = {self.history}, got {t}.")
        order = np.argsort(rng.random((n_rep, t)), axis=1)
        kept = np.zeros((n_rep, self.history), dtype=bool)
        np.put_along_axis(kept, order[:, :m], True, axis=1)
        missing = np.where(kept, 0.0, u) @ coef
        kl = missing ** 2 / (2 * self.s ** 2)
        return MonteCarlo(float(kl.mean()), float(kl.std(ddof=1) / math.sqrt(kl.size)))


def gaussian_kl_rate(eps, var_x, var_noise=np.inf, s: float = 1.0):
    """Bits per token a cache must spend so that a Gaussian next-token law is off by at most ``eps`` nats of KL.

    The proxy of :ref:`kv-sequential-wyner-ziv`: the next-token law is N(X, s²), the cache describes X ~ N(0,
    var_x) to a decoder that also holds side information Y = X + N(0, var_noise) (the next query). A
    reconstruction X̂ costs KL(N(X, s²) ‖ N(X̂, s²)) = (X − X̂)²/(2s²), so KL ≤ ε is mean squared error
    D = 2s²ε, and the Wyner–Ziv rate applies.

    Parameters
    ----------
    eps : float or array_like
        Allowed mean KL (nats), > 0.
    var_x : float
        Variance of the quantity the cache must deliver, > 0.
    var_noise : float, optional
        Noise variance of the decoder's side information (``inf``: none).
    s : float, optional
        Standard deviation of the next-token law, > 0.

    Returns
    -------
    float or numpy.ndarray
        max(0, ½ log2(σ²_{X|Y} / (2s²ε))) bits, :eq:`eq-kv-gaussian-kl-rate`; the same whether or not the
        encoder sees Y (no rate loss for Gaussians).
    """
    s, eps = checks.positive(s, "s"), checks.positive(eps, "eps")
    return wyner_ziv_gaussian(2 * s ** 2 * eps, var_x, var_noise)
