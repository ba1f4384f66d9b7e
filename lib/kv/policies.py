"""Cache policies: which earlier tokens a decoder keeps when it predicts token ``t`` with budget ``w``.

Every policy answers one question, :meth:`Policy.retained`, for a target ``t`` (the decoder has read
``x_0 .. x_{t-1}`` and predicts ``x_t``) and a budget ``w`` (retained tokens, a sink counted inside it, a
BOS token never counted). Policies whose retained set is a fixed prefix plus a contiguous run ``[r, t)``
also say so through :meth:`Policy.shared`; :func:`lib.kv.truncation.truncation_kl` then serves every
target with the same ``(prefix, r)`` from one forward pass (the exact shared-start trick).

``POLICIES`` maps names to classes; build a fresh instance per run (``POLICIES[name](**options)``), since
:class:`RandomPolicy` carries a random state.

Examples
--------
>>> SinkRecentPolicy(sink=2).retained(10, 5).tolist()     # 2 sinks + the last 3 tokens
[0, 1, 7, 8, 9]
>>> pol = BlockMarkovPolicy(block=4)                       # memory cycles between L and 2L - 1
>>> [len(pol.retained(t, 8)) for t in range(8, 13)]
[4, 5, 6, 7, 4]
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["Policy", "SlidingPolicy", "SinkRecentPolicy", "RandomPolicy", "BlockMarkovPolicy", "POLICIES",
           "make_policy"]


def _count(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"`{name}` must be >= {low}, got {value}")
    return int(value)


class Policy:
    """Common interface. Subclasses set ``name`` and implement :meth:`retained`."""

    name = "policy"

    def check_budget(self, w) -> int:
        """Validate a budget ``w`` (a positive integer) and return it as ``int``."""
        return _count(w, "w", 1)

    def retained(self, t: int, w: int) -> np.ndarray:
        """Sorted indices of ``x_0 .. x_{t-1}`` kept for target ``t`` under budget ``w``."""
        raise NotImplementedError

    def shared(self, t: int, w: int):
        """``(prefix, r)`` with ``retained(t, w) == prefix + range(r, t)``, or None if no such form exists."""
        return None

    def options(self) -> dict:
        """The constructor options, for provenance."""
        return {}

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"


class SlidingPolicy(Policy):
    """Keep the last ``w`` tokens ``x_{t-w} .. x_{t-1}`` (pure suffix truncation)."""

    name = "sliding"

    def retained(self, t, w):
        w = self.check_budget(w)
        return np.arange(max(0, t - w), t)

    def shared(self, t, w):
        return (), max(0, t - self.check_budget(w))


class SinkRecentPolicy(Policy):
    """Keep the first ``sink`` tokens and the last ``w - sink`` (StreamingLLM's sink plus recent window).

    Parameters
    ----------
    sink : int
        Number of leading tokens always kept (4 in StreamingLLM); counted inside the budget, so every
        budget must exceed it.
    """

    name = "sink"

    def __init__(self, sink: int = 4):
        self.sink = _count(sink, "sink", 0)

    def options(self):
        return {"sink": self.sink}

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


class RandomPolicy(Policy):
    """Keep ``w`` tokens drawn uniformly without replacement from ``x_0 .. x_{t-1}``, in their order.

    Parameters
    ----------
    seed : int
        Seed of the ``numpy.random.default_rng`` stream; successive calls draw fresh subsets.
    """

    name = "random"

    def __init__(self, seed: int = 0):
        self.seed = _count(seed, "seed", 0)
        self._rng = np.random.default_rng(self.seed)

    def options(self):
        return {"seed": self.seed}

    def retained(self, t, w):
        w = self.check_budget(w)
        if w >= t:
            return np.arange(t)
        return np.sort(self._rng.choice(t, size=w, replace=False))


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

    name = "block_markov"

    def __init__(self, block: int | None = None):
        self.block = None if block is None else _count(block, "block", 1)

    def options(self):
        return {"block": self.block}

    def block_length(self, w) -> int:
        """The block length ``L`` used for budget ``w``."""
        w = self.check_budget(w)
        return self.block if self.block is not None else (w + 1) // 2

    def shared(self, t, w):
        L = self.block_length(w)
        return (), max(0, (t // L - 1) * L)

    def retained(self, t, w):
        return np.arange(self.shared(t, w)[1], t)


POLICIES = {cls.name: cls for cls in (SlidingPolicy, SinkRecentPolicy, RandomPolicy, BlockMarkovPolicy)}


def make_policy(policy, **options) -> Policy:
    """A fresh policy from a name in ``POLICIES`` (with ``options``) or a :class:`Policy` instance."""
    if isinstance(policy, Policy):
        return policy
    if policy not in POLICIES:
        raise ValueError(f"unknown `policy` {policy!r}: use one of {sorted(POLICIES)}")
    cls = POLICIES[policy]
    accepted = {"sink": ("sink",), "random": ("seed",), "block_markov": ("block",)}.get(policy, ())
    return cls(**{k: v for k, v in options.items() if k in accepted})
