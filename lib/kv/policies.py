"""Cache policies: which earlier tokens a decoder keeps when it predicts token ``t`` with budget ``w``.

Every policy answers one question, :meth:`Policy.retained`, for a target ``t`` (the decoder has read
``x_0 .. x_{t-1}`` and predicts ``x_t``) and a budget ``w`` (retained tokens, a sink counted inside it, a
BOS token never counted). Policies whose retained set is a fixed prefix plus a contiguous run ``[r, t)``
also say so through :meth:`Policy.shared`; :func:`lib.kv.truncation.truncation_kl` then serves every
target with the same ``(prefix, r)`` from one forward pass (the exact shared-start trick).

Every policy is a small dataclass whose fields are its options, with ``name`` and ``label`` on the class;
``POLICIES`` maps names to classes. Build a fresh instance per run (:func:`make_policy`), since
:class:`RandomPolicy` and :class:`H2OPolicy` carry state; an option the policy does not have is an error.

Two policies are defined by how the decoder *runs*, not only by the tokens it keeps, and are measured by
:mod:`lib.kv.online`: :class:`StreamingLLMPolicy` keeps the sink-plus-recent token set but never recomputes
and places the cached keys at their slots in the cache; :class:`H2OPolicy` chooses its tokens online from the
attention its own cache receives (``recompute=True``: the kept tokens are re-encoded at every step;
``recompute=False``: eviction).

Examples
--------
>>> SinkRecentPolicy(sink=2).retained(10, 5).tolist()     # 2 sinks + the last 3 tokens
[0, 1, 7, 8, 9]
>>> pol = BlockMarkovPolicy(block=4)                       # memory cycles between L and 2L - 1
>>> [len(pol.retained(t, 8)) for t in range(8, 13)]
[4, 5, 6, 7, 4]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Callable, ClassVar

import numpy as np

from lib import checks

__all__ = ["Policy", "SlidingPolicy", "SinkRecentPolicy", "StreamingLLMPolicy", "RandomPolicy",
           "BlockMarkovPolicy", "H2OPolicy", "H2OState", "POLICIES", "policy_class", "make_policy", "selection_bits",
           "salience_scorer"]


@dataclass
class Policy:
    """Common interface. Subclasses set ``name`` and ``label`` and implement :meth:`retained`."""

    name: ClassVar[str] = "policy"
    label: ClassVar[str] = "policy"

    @classmethod
    def option_names(cls) -> tuple:
        """The constructor options (the dataclass fields that ``__init__`` takes)."""
        return tuple(f.name for f in fields(cls) if f.init)

    @classmethod
    def accepts(cls, **options) -> dict:
        """The subset of ``options`` that this policy has (for callers that pass every policy's options)."""
        return {k: v for k, v in options.items() if k in cls.option_names()}

    def check_budget(self, w) -> int:
        """Validate a budget ``w`` (a positive integer) and return it as ``int``."""
        return checks.count(w, "w")

    def retained(self, t: int, w: int) -> np.ndarray:
        """Sorted indices of ``x_0 .. x_{t-1}`` kept for target ``t`` under budget ``w``."""
        raise NotImplementedError

    def shared(self, t: int, w: int):
        """``(prefix, r)`` with ``retained(t, w) == prefix + range(r, t)``, or None if no such form exists."""
        return None

    def options(self) -> dict:
        """The constructor options, for provenance (those kept out of the repr, such as a scorer, left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init and f.repr}


@dataclass
class SlidingPolicy(Policy):
    """Keep the last ``w`` tokens ``x_{t-w} .. x_{t-1}`` (pure suffix truncation): :math:`\\{t-w, \\dots, t-1\\}`."""

    name: ClassVar[str] = "sliding"
    label: ClassVar[str] = "sliding window"

    def retained(self, t, w):
        w = self.check_budget(w)
        return np.arange(max(0, t - w), t)

    def shared(self, t, w):
        return (), max(0, t - self.check_budget(w))


@dataclass
class SinkRecentPolicy(Policy):
    """Keep the first ``sink`` tokens and the last ``w - sink``, re-encoded (StreamingLLM's token set).

    Re-encoding these tokens is not StreamingLLM, which never recomputes (:class:`StreamingLLMPolicy`).

    Parameters
    ----------
    sink : int
        Number of leading tokens always kept (4 in StreamingLLM); counted inside the budget, so every
        budget must exceed it.
    """

    name: ClassVar[str] = "sink"
    label: ClassVar[str] = "sink + recent"
    sink: int = 4

    def __post_init__(self):
        self.sink = checks.count(self.sink, "sink", 0)

    def check_budget(self, w):
        w = super().check_budget(w)
        if self.sink >= w:
            raise ValueError(f"`sink` ({self.sink}) must be smaller than the budget `w` ({w}): the sink is "
                             "counted inside the budget; use larger windows or a smaller sink")
        return w

    def shared(self, t, w):
        recent = self.check_budget(w) - self.sink
        if t <= self.sink:
            return (), 0
        return tuple(range(self.sink)), max(self.sink, t - recent)

    def retained(self, t, w):
        prefix, start = self.shared(t, w)
        return np.concatenate([np.asarray(prefix, dtype=int), np.arange(start, t)])


@dataclass
class StreamingLLMPolicy(SinkRecentPolicy):
    """StreamingLLM (Xiao et al. 2024): sink plus recent window, no recompute, positions in the cache.

    The cache keeps the ``sink`` first entries and the last ``w - sink``; every entry's keys and values are
    those computed when its token arrived, and positions are assigned within the cache: the query sits at
    slot ``w - 1``, the sinks at ``0 .. sink - 1``, so the cached sink keys are re-rotated at every step.
    The token set is that of :class:`SinkRecentPolicy`; the estimand is
    :func:`lib.kv.online.rolling_kl` (``truncation_kl`` refuses it).
    """

    name: ClassVar[str] = "streaming_llm"
    label: ClassVar[str] = "StreamingLLM (positions in the cache)"
    recompute: ClassVar[bool] = False


@dataclass
class RandomPolicy(Policy):
    """Keep ``w`` tokens drawn uniformly without replacement from ``x_0 .. x_{t-1}``, in their order.

    Parameters
    ----------
    seed : int
        Seed of the ``numpy.random.default_rng`` stream; successive calls draw fresh subsets.
    """

    name: ClassVar[str] = "random"
    label: ClassVar[str] = "random"
    seed: int = 0
    _rng: np.random.Generator = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.seed = checks.count(self.seed, "seed", 0)
        self._rng = np.random.default_rng(self.seed)

    def retained(self, t, w):
        w = self.check_budget(w)
        if w >= t:
            return np.arange(t)
        return np.sort(self._rng.choice(t, size=w, replace=False))


@dataclass
class BlockMarkovPolicy(Policy):
    """Keep the previous complete block of length ``L`` and the current partial block.

    With blocks ``[jL, (j+1)L)`` the decoder predicting ``x_t`` (``j = t // L``) holds ``x_{(j-1)L} ..
    x_{t-1}``: between ``L`` and ``2L - 1`` tokens. At each block boundary the older block is dropped at once.

    Parameters
    ----------
    block : int or None
        The block length ``L``. None: ``L = ceil(w / 2)`` for budget ``w``, so the peak memory
        ``2L - 1`` never exceeds the budget.
    """

    name: ClassVar[str] = "block_markov"
    label: ClassVar[str] = "block-Markov"
    block: int | None = None

    def __post_init__(self):
        self.block = None if self.block is None else checks.count(self.block, "block", 1)

    def block_length(self, w) -> int:
        """The block length ``L`` used for budget ``w``."""
        w = self.check_budget(w)
        return self.block if self.block is not None else (w + 1) // 2

    def shared(self, t, w):
        L = self.block_length(w)
        return (), max(0, (t // L - 1) * L)

    def retained(self, t, w):
        return np.arange(self.shared(t, w)[1], t)


class H2OState:
    """The online state of H2O for one budget: kept tokens, their accumulated attention, the token count.

    Query ``i`` (the decoder has read ``x_0 .. x_i`` and predicts ``x_{i+1}``) attends to
    :meth:`context`: the last ``recent`` tokens ``x_{i-recent+1} .. x_i`` and at most ``w - recent`` older
    *heavy hitters*. :meth:`update` adds the attention that query ``i`` gave each context token to that
    token's score, then moves on to query ``i + 1``; the token leaving the recent window joins the heavy
    hitters, and if they exceed ``w - recent`` the one with the smallest score (the oldest on a tie) is
    evicted for good. The scores are sums of attention probabilities received while cached,
    ``a_j = sum_{i : j in C_i} A_i(j)``.
    """

    def __init__(self, w: int, recent: int):
        self.w, self.recent = w, recent
        self.i = 0
        self.heavy = np.zeros(0, dtype=np.int64)
        self.scores = {}

    def context(self) -> np.ndarray:
        """Sorted token indices query ``i`` attends to (at most ``w``)."""
        return np.concatenate([self.heavy, np.arange(max(0, self.i - self.recent + 1), self.i + 1)])

    def update(self, weights) -> None:
        """Add the attention ``weights`` of query ``i`` over :meth:`context` to the scores, then evict."""
        ctx = self.context()
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != ctx.shape:
            raise ValueError(f"`weights` must have one entry per context token ({len(ctx)}), got {weights.shape}")
        for j, a in zip(ctx.tolist(), weights.tolist()):
            self.scores[j] = self.scores.get(j, 0.0) + a
        leaving = self.i - self.recent + 1  # leaves the recent window of query i + 1
        self.i += 1
        if leaving >= 0:
            self.heavy = np.append(self.heavy, leaving)
        if len(self.heavy) > self.w - self.recent:
            score = np.array([self.scores[j] for j in self.heavy.tolist()])
            drop = np.lexsort((self.heavy, score))[0]
            self.scores.pop(int(self.heavy[drop]))
            self.heavy = np.delete(self.heavy, drop)


@dataclass
class H2OPolicy(Policy):
    """H2O (Zhang et al. 2023): a recent window plus the heavy hitters of the attention the cache received.

    One keep-set for all layers and heads (scores summed over them), so that the kept *tokens* can be
    re-encoded; the original keeps a set per head. The selection depends only on the past.

    Parameters
    ----------
    recent : float
        Share of the budget given to the recent window, ``recent_w = max(1, round(recent * w))``; H2O's
        default is one half.
    scorer : callable or None
        ``scorer(i, context) -> weights``: the attention of query ``i`` over the token indices ``context``.
        Needed only by :meth:`retained`; the measurement (:mod:`lib.kv.online`) feeds the model's attention.
    recompute : bool
        True: the kept tokens are re-encoded at every step (``h2o``); False: eviction (``evict_h2o``).
    """

    name: ClassVar[str] = "h2o"
    label: ClassVar[str] = "H2O, re-encoded"
    recent: float = 0.5
    scorer: Callable | None = field(default=None, repr=False, compare=False)
    recompute: bool = True
    _states: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self):
        if not 0 < checks.real(self.recent, "recent") <= 1:
            raise ValueError(f"`recent` must be a share of the budget in (0, 1], got {self.recent!r}")
        self.recent, self.recompute = float(self.recent), bool(self.recompute)

    def n_recent(self, w) -> int:
        """Tokens of budget ``w`` given to the recent window."""
        w = self.check_budget(w)
        return min(w, max(1, int(round(self.recent * w))))

    def online(self, w) -> H2OState:
        """A fresh online state for budget ``w``."""
        return H2OState(self.check_budget(w), self.n_recent(w))

    def retained(self, t, w):
        if self.scorer is None:
            raise ValueError("H2OPolicy needs a `scorer` (the attention its cache receives) to answer "
                             "`retained`; the language-model measurement lives in lib.kv.online")
        t = checks.count(t, "t", 1)
        state = self._states.get(w)
        if state is None or state.i > t - 1:
            state = self._states[w] = self.online(w)
        while state.i < t - 1:
            state.update(self.scorer(state.i, state.context()))
        return state.context()


POLICIES = {cls.name: cls for cls in (SlidingPolicy, SinkRecentPolicy, StreamingLLMPolicy, RandomPolicy,
                                      BlockMarkovPolicy, H2OPolicy)}


def policy_class(name: str) -> type[Policy]:
    """The class registered as ``name`` in ``POLICIES``.

    Parameters
    ----------
    name : str
        A policy name, e.g. ``"sink"``.

    Returns
    -------
    type
        The :class:`Policy` subclass (``ValueError`` listing the names if there is none).
    """
    if name not in POLICIES:
        raise ValueError(f"unknown `policy` {name!r}: use one of {sorted(POLICIES)}")
    return POLICIES[name]


def make_policy(policy, **options) -> Policy:
    """A fresh policy from a name in ``POLICIES`` (with ``options``) or a :class:`Policy` instance.

    Parameters
    ----------
    policy : str or Policy
        A registered name, or an instance (returned as it is; ``options`` must then be empty).
    **options
        The policy's options (its dataclass fields); any other option is a ``ValueError`` naming it.

    Returns
    -------
    Policy
        A fresh instance (state such as a random stream starts anew).

    Examples
    --------
    >>> make_policy("sink", sink=2)
    SinkRecentPolicy(sink=2)
    >>> make_policy("sliding", sink=2)
    Traceback (most recent call last):
    ...
    ValueError: policy 'sliding' has no option ['sink']; its options are [] (see lib.kv.POLICIES)
    """
    if isinstance(policy, Policy):
        if options:
            raise ValueError(f"`options` {sorted(options)} cannot be applied to the instance {policy!r}")
        return policy
    cls = policy_class(policy)
    unknown = sorted(set(options) - set(cls.option_names()))
    if unknown:
        raise ValueError(f"policy {policy!r} has no option {unknown}; its options are {list(cls.option_names())} "
                         "(see lib.kv.POLICIES)")
    return cls(**options)


def selection_bits(t, w) -> float:
    """Bits needed to name which ``w`` of ``t`` tokens a cache keeps: ``log2 C(t, w)``.

    A keep-set chosen from the past is one of ``C(t, w)`` subsets, so beyond the kept tokens themselves it
    tells the decoder at most this many bits about the evicted ones.

    Parameters
    ----------
    t, w : int
        Tokens read and tokens kept (``1 <= w <= t``).

    Returns
    -------
    float
        :math:`\\log_2 \\binom{t}{w} = (\\ln t! - \\ln w! - \\ln (t - w)!) / \\ln 2`.
    """
    t, w = checks.count(t, "t", 1), checks.count(w, "w")
    if w > t:
        raise ValueError(f"`w` ({w}) must not exceed `t` ({t}): a cache cannot keep more tokens than it read")
    return (math.lgamma(t + 1) - math.lgamma(w + 1) - math.lgamma(t - w + 1)) / math.log(2)


def salience_scorer(seed: int = 0, beta: float = 1.0):
    """A toy attention for :class:`H2OPolicy`: query ``i`` gives token ``j`` weight ``s_j (1 + i - j)^(-beta)``.

    ``s_j`` are i.i.d. exponential saliences (seeded), so a few old tokens draw much attention; the weights
    over a context are normalised to sum to one.
    """
    salience = np.random.default_rng(checks.count(seed, "seed", 0)).exponential(size=100_000)

    def scorer(i, context):
        context = np.asarray(context)
        a = salience[context] * (1.0 + i - context) ** (-float(beta))
        return a / a.sum()
    return scorer
