"""Toy B: one softmax-attention layer with an attention sink, small enough to measure in seconds.

Vocabulary V, width m. Each token id x has a key k_x, a value v_x (random Gaussian), and the output map W is a
random V×m matrix; the query q is fixed. For a retained sequence with position ids p_0 < … < p_{r−1}, the
prediction after its last token (query position p_{r−1}) attends with logits

    ℓ_j = ⟨q, k_{x_j}⟩/√m − β ln(1 + p_{r−1} − p_j) + η ln(1 + p_j)      (j ≥ 1),
    ℓ_0 = b_sink,  value γ_sink · v_{x_0}                                 (the first retained token is the sink),

and the next-token law is softmax(W Σ_j a_j v_j) with a = softmax(ℓ). With η = 0 only relative positions
enter, so re-indexing the retained tokens to 0..r−1 changes nothing; η ≠ 0 adds an absolute-position term, the
artifact that a position-preserving ablation guards against. With γ_sink = 0 the sink is a pure no-op that only
absorbs attention mass; with γ_sink > 0 its value matters, and a suffix whose first token is not the real first
token carries a persistent error.

The model exposes the framework-agnostic interface ``logits_fn(token_ids, position_ids)`` (one row of
next-token logits per position), the same shape a real language model offers, plus a fast
``next_logits`` for the last position only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import log_softmax

from lib import checks

from .fits import fit_power_law
from .policies import make_policy, policy_class

__all__ = ["ToyAttention", "toy_truncation_kl", "toy_b_study", "toy_b_summary"]


@dataclass(frozen=True)
class ToyAttention:
    """A one-layer attention model with a sink (see the module docstring).

    Parameters
    ----------
    vocab, width : int, optional
        Vocabulary size V (≥ 2) and head width m (≥ 1).
    beta : float, optional
        Strength of the distance penalty −β ln(1 + distance), > 0.
    b_sink : float, optional
        Distance-free attention logit of the first retained token.
    gamma_sink : float, optional
        Scale of the sink's value (0: a no-op sink), ≥ 0.
    eta : float, optional
        Coefficient of the absolute-position term η ln(1 + p_j) (0: relative positions only).
    seed : int, optional
        Seed of the random keys, values, query and output map.
    """

    vocab: int = 64
    width: int = 16
    beta: float = 1.5
    b_sink: float = 3.0
    gamma_sink: float = 0.0
    eta: float = 0.0
    seed: int = 0
    _score: np.ndarray = field(init=False, repr=False, compare=False)
    _values: np.ndarray = field(init=False, repr=False, compare=False)
    _out: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        checks.count(self.vocab, "vocab", low=2)
        checks.count(self.width, "width")
        checks.count(self.seed, "seed", low=0)
        checks.real(self.b_sink, "b_sink")
        checks.real(self.eta, "eta")
        checks.positive(self.beta, "beta")
        checks.nonnegative(self.gamma_sink, "gamma_sink")
        rng = np.random.default_rng(self.seed)
        keys = rng.standard_normal((self.vocab, self.width))
        query = rng.standard_normal(self.width)
        object.__setattr__(self, "_score", keys @ query / math.sqrt(self.width))
        object.__setattr__(self, "_values", rng.standard_normal((self.vocab, self.width)))
        object.__setattr__(self, "_out", rng.standard_normal((self.vocab, self.width)))

    def sample_tokens(self, n: int, n_seq: int = 1, seed: int = 0) -> np.ndarray:
        """Token ids drawn i.i.d. uniformly, shape (n_seq, n)."""
        n, n_seq = checks.count(n, "n"), checks.count(n_seq, "n_seq")
        return np.random.default_rng(seed).integers(0, self.vocab, size=(n_seq, n))

    def _check(self, token_ids, position_ids):
        x = np.asarray(token_ids)
        p = np.asarray(position_ids)
        if x.ndim != 1 or x.size == 0 or p.shape != x.shape:
            raise ValueError(
                f"`token_ids` and `position_ids` must be 1-D of the same nonzero length, got {x.shape}, {p.shape}."
            )
        if not np.issubdtype(x.dtype, np.integer) or x.min() < 0 or x.max() >= self.vocab:
            raise ValueError(f"`token_ids` must be integers in [0, {self.vocab}), got range [{x.min()}, {x.max()}].")
        if not np.issubdtype(p.dtype, np.integer) or np.any(np.diff(p) <= 0) or p[0] < 0:
            raise ValueError("`position_ids` must be nonnegative, strictly increasing integers.")
        return x, p

    def _logits_rows(self, x, p, rows) -> np.ndarray:
        """Next-token logits after token ``rows[i]`` (attending to tokens 0..rows[i]), shape (len(rows), V)."""
        r = x.size
        j = np.arange(r)
        dist = p[rows, None] - p[None, :]                                      # (n_rows, r)
        with np.errstate(divide="ignore", invalid="ignore"):
            logit = self._score[x][None, :] - self.beta * np.log1p(np.maximum(dist, 0))
        if self.eta:
            logit = logit + self.eta * np.log1p(p)[None, :]
        logit[:, 0] = self.b_sink
        logit = np.where(j[None, :] <= rows[:, None], logit, -np.inf)           # causal
        att = np.exp(logit - logit.max(axis=1, keepdims=True))
        att /= att.sum(axis=1, keepdims=True)
        vals = self._values[x].copy()
        vals[0] *= self.gamma_sink
        return (att @ vals) @ self._out.T

    def logits_fn(self, token_ids, position_ids) -> np.ndarray:
        """Next-token logits at every position, shape (n, V): row i sees tokens 0..i at their position ids.

        This is the framework-agnostic interface a real causal LM offers (``model(input_ids, position_ids)``).
        """
        x, p = self._check(token_ids, position_ids)
        rows = np.arange(x.size)
        return np.concatenate([self._logits_rows(x, p, rows[i:i + 256]) for i in range(0, x.size, 256)])

    def next_logits(self, token_ids, position_ids) -> np.ndarray:
        """Next-token logits after the last token only, shape (V,): the last row of :meth:`logits_fn`."""
        x, p = self._check(token_ids, position_ids)
        return self._logits_rows(x, p, np.array([x.size - 1]))[0]


def toy_truncation_kl(model, tokens, budgets, policy="sliding", reindex: bool = False, **options) -> np.ndarray:
    """KL(full ‖ retained) of the prediction of the token after each sequence, per sequence and budget.

    Parameters
    ----------
    model : object with ``next_logits(token_ids, position_ids)``
        E.g. :class:`ToyAttention`; any model offering this method works.
    tokens : array_like of int, shape (n_seq, n)
        The sequences; the target is x_n, predicted from x_0 .. x_{n−1}.
    budgets : sequence of int
        Retained tokens w (1 ≤ w ≤ n).
    policy : str or lib.kv.policies.Policy
        A name in :data:`lib.kv.policies.POLICIES` ("sliding", "sink", "random", "block_markov") or an instance;
        ``options`` (``sink``, ``seed``, ``block``: the ones the policy has) go to its constructor.
    reindex : bool, optional
        Give the retained tokens positions 0..w−1 instead of their original positions.

    Returns
    -------
    numpy.ndarray, shape (n_seq, len(budgets))
        KL in nats, from log-softmax in float64.

    Notes
    -----
    The distortion of :eq:`eq-kv-distortion` on the toy: the retained tokens are re-encoded alone.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or tokens.shape[1] < 1:
        raise ValueError(f"`tokens` must have shape (n_seq, n) with n >= 1, got {tokens.shape}.")
    n = tokens.shape[1]
    budgets = [checks.count(b, "budgets") for b in budgets]
    if max(budgets) > n:
        raise ValueError(f"`budgets` must be <= n = {n} (the tokens available), got {max(budgets)}.")
    rule = make_policy(policy, **options)
    out = np.empty((tokens.shape[0], len(budgets)))
    for i, seq in enumerate(tokens):
        full = log_softmax(model.next_logits(seq, np.arange(n)))
        for k, w in enumerate(budgets):
            idx = rule.retained(n, w)
            pos = np.arange(idx.size) if reindex else idx
            trunc = log_softmax(model.next_logits(seq[idx], pos))
            out[i, k] = max(float(np.sum(np.exp(full) * (full - trunc))), 0.0)
    return out


def toy_b_study(n: int = 8192, n_seq: int = 30, beta: float = 1.5, gamma_sink: float = 0.1, sink: int = 4,
                budgets=None, seed: int = 0) -> dict:
    """The book's Toy B experiment: every policy, both position conventions, and a sink that carries value.

    Parameters
    ----------
    n, n_seq : int, optional
        Context length (the target is token n) and number of sequences.
    beta : float, optional
        Distance penalty of the model.
    gamma_sink : float, optional
        Sink value scale of the second model (the first has a no-op sink, γ_sink = 0).
    sink : int, optional
        Sink tokens of the sink-plus-recent policy (counted in the budget).
    budgets : sequence of int, optional
        Budgets w; default a √2 grid from 8 to n/4.
    seed : int, optional
        Seed of the model (``seed``) and of the tokens (``seed + 1``).

    Returns
    -------
    dict
        ``w`` (budgets) and, each of shape (n_seq, len(w)): ``sliding``, ``sliding_reindexed``, ``sink``,
        ``sink_reindexed``, ``random``, ``sliding_valued_sink``, ``sink_valued_sink`` (the last two with
        γ_sink = ``gamma_sink``).
    """
    n, n_seq = checks.count(n, "n", low=16), checks.count(n_seq, "n_seq")
    if budgets is None:
        budgets = np.unique(np.round(2.0 ** np.arange(3, np.log2(n / 4) + 1e-9, 0.5)).astype(int))
    budgets = np.asarray(budgets, dtype=int)
    if budgets.min() <= sink:
        raise ValueError(f"`budgets` must all exceed `sink` = {sink}, got min {budgets.min()}.")
    plain = ToyAttention(beta=beta, seed=seed)
    valued = ToyAttention(beta=beta, gamma_sink=gamma_sink, seed=seed)
    tokens = plain.sample_tokens(n, n_seq, seed=seed + 1)
    out = {"w": budgets}
    for key, model, policy, reindex in (("sliding", plain, "sliding", False),
                                        ("sliding_reindexed", plain, "sliding", True),
                                        ("sink", plain, "sink", False),
                                        ("sink_reindexed", plain, "sink", True),
                                        ("random", plain, "random", False),
                                        ("sliding_valued_sink", valued, "sliding", False),
                                        ("sink_valued_sink", valued, "sink", False)):
        options = policy_class(policy).accepts(sink=sink, seed=seed)
        out[key] = toy_truncation_kl(model, tokens, budgets, policy, reindex=reindex, **options)
    return out


def toy_b_summary(study: dict, fit_range=(16, 512), ratio_at=(16, 1024), plateau_from: int = 64) -> dict:
    """The findings of a Toy B study, as numbers: exponents, the position check, random retention, the sink.

    Parameters
    ----------
    study : dict
        Output of :func:`toy_b_study` (``w`` and one array of shape (n_seq, len(w)) per variant).
    fit_range : (int, int)
        Budgets used in the power-law fits (inclusive).
    ratio_at : tuple of int
        Budgets at which the random / sliding ratio is reported (each must be one of ``study["w"]``).
    plateau_from : int
        The plateau of the sliding window with a valued sink is its mean over budgets ``>= plateau_from``.

    Returns
    -------
    dict
        With :math:`\\bar D_v(w)` the mean over sequences of variant :math:`v`:
        ``alpha_slide``, ``alpha_sink`` (the exponents :math:`\\alpha` of :math:`\\bar D(w) = C w^{-\\alpha}`
        fitted on ``fit_range``), ``reindex`` (:math:`\\max |D_{\\mathrm{sliding}} -
        D_{\\mathrm{sliding, reindexed}}|`, zero when scores depend on position differences only),
        ``ratio_<w>`` (:math:`\\bar D_{\\mathrm{random}}(w) / \\bar D_{\\mathrm{sliding}}(w)`), ``rand_first``
        and ``rand_last`` (random retention at the smallest and largest budget), ``plateau`` and ``sink_last``
        (sliding window and sink + recent with a valued sink).
    """
    w = np.asarray(study["w"])
    mean = {k: np.asarray(v, dtype=float).mean(axis=0) for k, v in study.items() if k != "w"}
    sel = (w >= fit_range[0]) & (w <= fit_range[1])
    missing = [b for b in ratio_at if b not in w]
    if missing:
        raise ValueError(f"`ratio_at` budgets {missing} are not in the study's budgets {w.tolist()}")
    if not (w >= plateau_from).any():
        raise ValueError(f"`plateau_from` = {plateau_from} exceeds every budget of the study (max {w.max()})")
    ratio = mean["random"] / mean["sliding"]
    out = {"alpha_slide": fit_power_law(w[sel], mean["sliding"][sel])[1],
           "alpha_sink": fit_power_law(w[sel], mean["sink"][sel])[1],
           "reindex": float(np.abs(np.asarray(study["sliding"]) - np.asarray(study["sliding_reindexed"])).max())}
    out.update({f"ratio_{b}": float(ratio[w == b][0]) for b in ratio_at})
    out.update(rand_first=float(mean["random"][0]), rand_last=float(mean["random"][-1]),
               plateau=float(mean["sliding_valued_sink"][w >= plateau_from].mean()),
               sink_last=float(mean["sink_valued_sink"][-1]))
    return out
