"""The long-context protocol (``python -m lib.kv measure --protocol long``): Δ(w; r) with the removed length r.

For every article of at least ``length = max(removed) + max(windows) + 1`` tokens (the model's own tokenizer),
every removed length ``r`` in ``removed`` and every window ``w`` in ``windows``, the target is ``t = r + w``:
the decoder has read ``x_0 .. x_{t-1}``, keeps ``w`` of them, and exactly ``r`` tokens of the past are removed.

- ``sliding``: keeps ``x_r .. x_{t-1}``. One pass over ``x_r .. x_{r + max(w) - 1}`` gives every window at
  once (output ``k`` is the prediction from ``x_r .. x_{r+k}``: the exact shared-start trick).
- ``sink``: keeps ``x_0 .. x_{s-1}`` and ``x_{r+s} .. x_{t-1}`` (``s = sink``, counted inside ``w``); one pass
  over ``x_0 .. x_{s-1}, x_{r+s} .. x_{r + max(w) - 1}`` serves every window. Same targets as ``sliding``, so
  the two are paired target by target.
- ``random``: ``w`` tokens drawn uniformly from ``x_0 .. x_{t-1}``; one pass of ``w`` tokens per (t, w).
- ``:pres``: the retained tokens keep their original positions (otherwise they are re-indexed from 0).

Each row also carries ``nll_excess = -log q(x_t | retained) + log p(x_t | x_<t)`` for the token that really
follows (nats, from the same passes) and ``removed = r``. The full-context pass over the article is computed
once per article and shared by every variant.

Cost in forward tokens (:func:`forward_tokens`): per article ``length`` for the full context, ``len(removed) *
max(windows)`` per shared variant and ``len(removed) * sum(windows)`` for random.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np

from lib import checks

__all__ = ["LongPlan", "LONG_VARIANTS", "long_plan", "forward_tokens", "unit_rows", "plan_segments",
           "ESTIMAND"]

#: The variants of the long protocol.
LONG_VARIANTS = ("sliding", "sliding:pres", "sink", "sink:pres", "random")

ESTIMAND = ("KL(p(.|x_<t) || p(.|retained)) and nll_excess = -log q(x_t|retained) + log p(x_t|x_<t), nats, "
            "float64 log-softmax of float32 logits, head applied only to the rows used, 32 rows at a time; "
            "target t = r + w for removed length r and window w (every policy, so variants pair by target); "
            "sliding keeps x_r..x_{t-1}; sink keeps x_0..x_{s-1} and x_{r+s}..x_{t-1}; random keeps w tokens "
            "drawn uniformly from x_0..x_{t-1}; retained tokens re-encoded (positions 0.. or, for :pres, the "
            "original ones); BOS (if the model has one) kept at position 0 and never counted")


def _grid(low, high):
    from .measure import sqrt2_grid
    return tuple(sqrt2_grid(low, high))


@dataclass(frozen=True)
class LongPlan:
    """Everything that determines the stored long-context numbers (its hash names the work directory).

    Parameters
    ----------
    model : str
        A name in :data:`lib.kv.models.MODELS`.
    segments : int
        Articles (one segment each, its first ``length`` tokens).
    windows : tuple of int
        Budgets ``w`` (increasing; ``sink`` uses those above ``sink``).
    removed : tuple of int
        Removed lengths ``r`` (sorted, each >= 1).
    sink : int
        Leading tokens kept by ``sink``.
    random_segments : int
        The first this many articles also get ``random`` (at most ``segments``).
    corpus : str
        ``"wiki"`` (the Wikipedia articles of :mod:`lib.kv.corpus`) or ``"samples"`` (the model's own
        sampled text, :mod:`lib.kv.sample`).
    """

    model: str
    segments: int = 32
    windows: tuple = field(default_factory=lambda: _grid(4, 2048))
    removed: tuple = (256, 1024, 2048)
    sink: int = 4
    random_segments: int = 16
    seed: int = 0
    corpus: str = "wiki"
    protocol: ClassVar[str] = "long"

    def __post_init__(self):
        checks.count(self.segments, "segments")
        checks.count(self.sink, "sink", 0)
        checks.count(self.random_segments, "random_segments", 0)
        checks.count(self.seed, "seed", 0)
        checks.choice(self.corpus, "corpus", ("wiki", "samples"))
        for name in ("windows", "removed"):
            values = [checks.count(v, name) for v in getattr(self, name)]
            if not values or values != sorted(set(values)):
                raise ValueError(f"`{name}` must be a non-empty increasing tuple of integers, got "
                                 f"{getattr(self, name)!r}")
            object.__setattr__(self, name, tuple(values))
        if self.windows[-1] <= self.sink:
            raise ValueError(f"`sink` ({self.sink}) must be smaller than the largest window ({self.windows[-1]})")
        if self.random_segments > self.segments:
            raise ValueError(f"`random_segments` ({self.random_segments}) must not exceed `segments` "
                             f"({self.segments})")

    @property
    def length(self) -> int:
        """Tokens each article must have: ``max(removed) + max(windows) + 1`` (the last target's next token)."""
        return max(self.removed) + max(self.windows) + 1

    def n_segments(self, variant: str) -> int:
        return self.random_segments if variant == "random" else self.segments

    def name(self) -> str:
        """The data file stem: ``<model>-long`` (Wikipedia) or ``<model>-sampled`` (the model's own text)."""
        return self.model + ("-long" if self.corpus == "wiki" else "-sampled")

    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(("long" + text).encode()).hexdigest()[:12]


def long_plan(model: str, segments: int | None = None, corpus: str = "wiki") -> LongPlan:
    """The stored long protocol for ``model``: 32 articles (16 with random), r in {256, 1024, 2048}, w 4..2048.

    ``corpus="samples"``: the model's own sampled segments (16, every one also with random).
    """
    from .models import MODELS

    if model not in MODELS:
        raise ValueError(f"unknown `model` {model!r}: use one of {sorted(MODELS)}")
    n = 16 if corpus == "samples" else 32
    n = n if segments is None else checks.count(segments, "segments")
    return LongPlan(model, segments=n, random_segments=min(16, n), corpus=corpus)


def forward_tokens(plan: LongPlan) -> dict:
    """Forward-pass tokens the plan costs, per variant and in total (BOS not counted).

    Returns
    -------
    dict
        ``{"full": segments * length, "<variant>": ..., "total": ...}``: a shared variant costs
        ``len(removed) * max(windows)`` tokens per article, ``random`` ``len(removed) * sum(windows)``.
    """
    out = {"full": plan.segments * plan.length}
    for v in LONG_VARIANTS:
        per = sum(plan.windows) if v == "random" else max(plan.windows)
        out[v] = plan.n_segments(v) * len(plan.removed) * per
    out["total"] = sum(out.values())
    return out


def plan_segments(plan: LongPlan, tokenizer) -> list:
    """The plan's segments: the first ``length`` tokens of each of the first ``segments`` long enough texts."""
    if plan.corpus == "samples":
        from .sample import load_segments
        return load_segments(plan.model, plan.segments, plan.length)
    from .corpus import segments

    try:
        return segments(tokenizer, plan.segments, plan.length)
    except ValueError as err:
        raise ValueError(f"{err}. The long plan needs `segments`={plan.segments} articles of `length` = "
                         f"max(removed) + max(windows) + 1 = {plan.length} tokens: lower `segments`, "
                         "`removed` or `windows`") from None


def unit_rows(model, plan: LongPlan, seg, variant: str, bos, ref) -> list:
    """Rows ``(policy, pres, segment, t, w, kl, 1, r, nll_excess)`` of one (segment, variant) unit."""
    from .truncation import truncation_kl

    policy, _, flag = variant.partition(":")
    w, r = np.asarray(plan.windows), np.asarray(plan.removed)
    if r.max() + w.max() >= len(seg.ids):
        raise ValueError(f"segment {seg.index} has {len(seg.ids)} tokens: `removed` up to {r.max()} with "
                         f"windows up to {w.max()} needs {plan.length}; lower `removed` or use longer texts")
    if policy == "sink":
        w = w[w > plan.sink]
    t = r[:, None] + w[None, :]
    kl, nll = truncation_kl(model, seg.ids, w, policy=policy, positions=t, sink=plan.sink,
                            position_preserving=flag == "pres", seed=plan.seed * 100_003 + seg.index, bos=bos,
                            reference=ref, nll_excess=True)
    return [(policy, flag == "pres", seg.index, int(t[a, b]), int(w[b]), float(kl[a, b]), 1, int(r[a]),
             float(nll[a, b])) for a, b in np.ndindex(t.shape)]
