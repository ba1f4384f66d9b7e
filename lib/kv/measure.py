"""The measurement protocol and its resumable, shardable runner (``python -m lib.kv measure``).

A *unit* is one (segment, variant) pair, e.g. segment 3 under ``sink:pres``. Each finished unit is
written atomically as its own part file in a work directory keyed by the protocol's hash; an interrupted
run therefore loses at most the unit in progress, and ``--resume`` recomputes only the missing units. When
every unit exists, :func:`merge` writes ``book/data/<name>.csv`` and ``.json`` (see :mod:`lib.kv.store`).

Protocol (defaults, all recorded in the provenance): segments of ``length`` = 1024 tokens, the first
1024 tokens of successive Wikipedia articles; ``n_starts`` evenly spaced starts ``r`` in [512, 768); for
window ``w`` the target is ``t = r + w`` (sliding, random) or ``t = r + w - sink`` (sink), so that one
pass from ``r`` serves every window and at least 512 tokens precede every target. Block-Markov evaluates
every target in whole blocks covering at least ``block_targets`` targets below ``length``; eviction
evaluates every target in [``evict_from``, ``evict_from + evict_targets``).

The *online* protocol (:func:`online_plan`, stored as ``book/data/<model>-online.csv``) measures the
policies that must run step by step (StreamingLLM, H2O with and without recompute, :mod:`lib.kv.online`)
beside the sliding window and sink-plus-window eviction at one common set of targets ``range(*targets)`` for
every window, so that every policy is compared on the same predictions (paired by segment and target).

The *long* protocol (:class:`lib.kv.long.LongPlan`, ``book/data/kv/<model>-long.csv``; ``-sampled`` on the
model's own text) measures Δ(w; r) for several removed lengths r on articles of at least 4097 tokens, with
the excess log-loss of the actual next token beside the KL.
"""
from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from . import store
from .models import MODELS, cache_dir

__all__ = ["Plan", "VARIANTS", "ONLINE_VARIANTS", "PROTOCOLS", "default_plan", "online_plan", "make_plan",
           "plan_variants", "units", "run", "merge", "sqrt2_grid"]

#: The protocols of ``python -m lib.kv measure --protocol``.
PROTOCOLS = ("truncation", "online", "long", "sampled")

#: Variants of the online protocol (common targets); ``sliding`` and ``evict_sink`` are the references.
ONLINE_VARIANTS = ("sliding", "evict_sink", "streaming_llm", "evict_h2o", "h2o", "h2o_self")
VARIANTS = ("sliding", "sliding:pres", "sink", "sink:pres", "random", "random:pres", "block_markov",
            "evict_sliding", "evict_sink") + ONLINE_VARIANTS[2:]


def sqrt2_grid(low: int = 4, high: int = 256) -> list:
    """Integer windows ``round(low * 2**(k/2))`` up to ``high``: 4, 6, 8, 11, 16, 23, 32, ..., 256."""
    k = np.arange(int(2 * np.log2(high / low)) + 1)
    return [int(v) for v in np.unique(np.round(low * 2.0 ** (k / 2)).astype(int))]


@dataclass(frozen=True)
class Plan:
    """Everything that determines the stored numbers (its hash names the work directory)."""

    model: str
    segments: int = 24
    length: int = 1024
    windows: tuple = tuple(sqrt2_grid())
    n_starts: int = 8
    start_range: tuple = (512, 768)
    sink: int = 4
    random_starts: int = 2
    block_targets: int = 64
    evict_windows: tuple = (8, 16, 32, 64, 128, 256)
    evict_from: int = 512
    evict_targets: int = 128
    seed: int = 0
    variant_segments: dict = field(default_factory=dict)
    targets: tuple = ()
    h2o_recent: float = 0.5

    def starts(self, n=None) -> np.ndarray:
        """``n`` evenly spaced starts in ``start_range`` (the first ``n`` of a finer grid are not used)."""
        n = self.n_starts if n is None else n
        lo, hi = self.start_range
        return lo + (np.arange(n) * (hi - lo)) // n

    def common_targets(self) -> np.ndarray:
        """The online protocol's targets ``range(*targets)`` (empty for the truncation protocol)."""
        return np.arange(*self.targets) if self.targets else np.zeros(0, dtype=np.int64)

    def n_segments(self, variant: str) -> int:
        return min(self.segments, self.variant_segments.get(variant, self.segments))

    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def default_plan(model: str, segments: int | None = None) -> Plan:
    """The stored protocol for ``model`` (SmolLM2: 24 segments; Gemma: 16), optionally fewer segments."""
    if model not in MODELS:
        raise ValueError(f"unknown `model` {model!r}: use one of {sorted(MODELS)}")
    if model == "gemma3-270m":
        plan = Plan(model, segments=16, variant_segments={"random:pres": 4, "evict_sliding": 4, "evict_sink": 4})
    else:
        plan = Plan(model, variant_segments={"sliding:pres": 6, "random:pres": 6, "evict_sliding": 6,
                                             "evict_sink": 6})
    if segments is not None:
        if isinstance(segments, bool) or not isinstance(segments, int) or segments < 1:
            raise ValueError(f"`segments` must be a positive integer, got {segments!r}")
        plan = replace(plan, segments=segments)
    return plan


def online_plan(model: str, segments: int | None = None) -> Plan:
    """The online protocol for ``model``: windows 8 .. 256 on the x2 grid, targets 384, 386, .., 446.

    ``h2o_self`` (H2O run on a re-encoding decoder) costs about ``sum_w w (T - w)`` tokens a segment
    (T = 446: 137k tokens, about an hour on one shared core), so the default plan gives it no segment; ``h2o``
    re-encodes the keep-sets of the evicting cache instead (32 passes of w tokens per window).
    """
    n = 6 if model == "gemma3-270m" else 8
    plan = Plan(model, segments=n, windows=(8, 16, 32, 64, 128, 256), sink=default_plan(model).sink,
                evict_windows=(), targets=(384, 448, 2), variant_segments={"h2o_self": 0})
    return plan if segments is None else replace(plan, segments=default_plan(model, segments).segments)


def make_plan(protocol: str, model: str, segments: int | None = None):
    """The stored plan of ``protocol`` (one of ``PROTOCOLS``) for ``model``."""
    from .long import long_plan

    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown `protocol` {protocol!r}: use one of {list(PROTOCOLS)}")
    if protocol in ("long", "sampled"):
        return long_plan(model, segments, corpus="wiki" if protocol == "long" else "samples")
    return (online_plan if protocol == "online" else default_plan)(model, segments)


def _is_long(plan) -> bool:
    return getattr(plan, "protocol", None) == "long"


def plan_variants(plan) -> tuple:
    """The variants a plan measures by default."""
    if _is_long(plan):
        from .long import LONG_VARIANTS
        return LONG_VARIANTS
    return ONLINE_VARIANTS if plan.targets else VARIANTS[:9]


def units(plan: Plan, variants=None, shard=(0, 1)) -> list:
    """The (segment, variant) units of ``plan`` that belong to ``shard`` = (i, n), in run order."""
    i, n = shard
    variants = plan_variants(plan) if variants is None else variants
    allowed = plan_variants(plan)
    bad = [v for v in variants if v not in allowed]
    if bad:
        raise ValueError(f"unknown variants {bad} for this protocol: use some of {list(allowed)}"
                         + ("" if _is_long(plan) or plan.targets else " (StreamingLLM and H2O: --protocol online)"))
    if not (isinstance(n, int) and isinstance(i, int) and n >= 1 and 0 <= i < n):
        raise ValueError(f"`shard` must be (i, n) with 0 <= i < n, got {shard!r}")
    todo = [(s, v) for s in range(plan.segments) for v in variants if s < plan.n_segments(v)]
    return [u for k, u in enumerate(todo) if k % n == i]


def _unit_rows(model, plan, seg, variant, bos, ref):
    from .truncation import eviction_kl, truncation_kl

    if _is_long(plan):
        from .long import unit_rows
        return unit_rows(model, plan, seg, variant, bos, ref)
    policy, _, flag = variant.partition(":")
    pres = flag == "pres"
    w = np.asarray(plan.windows)
    rows = []
    if plan.targets:
        return _online_rows(model, plan, seg, policy, bos, ref)
    if policy in ("sliding", "sink", "random"):
        shift = plan.sink if policy == "sink" else 0
        if policy == "sink":
            w = w[w > plan.sink]
        r = plan.starts(plan.random_starts if policy == "random" else None)
        targets = r[:, None] + w[None, :] - shift
        kl = truncation_kl(model, seg.ids, w, policy=policy, positions=targets, sink=plan.sink,
                           position_preserving=pres, seed=plan.seed * 100_003 + seg.index, bos=bos,
                           reference=ref)
        for (a, b), value in np.ndenumerate(kl):
            rows.append((policy, pres, seg.index, int(targets[a, b]), int(w[b]), float(value), 1))
    elif policy == "block_markov":
        from .policies import BlockMarkovPolicy
        for wj in w:
            L = BlockMarkovPolicy().block_length(int(wj))
            n_blocks = -(-plan.block_targets // L)
            last = (plan.length + 1) // L  # target blocks [jL, (j+1)L) with every t <= length
            t = np.arange((last - n_blocks) * L, last * L)
            kl = truncation_kl(model, seg.ids, [int(wj)], policy="block_markov", positions=t, bos=bos,
                               reference=ref)[:, 0]
            rows.append((policy, False, seg.index, -1, int(wj), float(kl.mean()), len(t)))
    else:
        sink = plan.sink if policy == "evict_sink" else 0
        t = np.arange(plan.evict_from, plan.evict_from + plan.evict_targets)
        kl = eviction_kl(model, seg.ids, list(plan.evict_windows), positions=t, sink=sink, bos=bos, reference=ref)
        for b, wj in enumerate(plan.evict_windows):
            rows.append((policy, True, seg.index, -1, int(wj), float(kl[:, b].mean()), len(t)))
    return rows


def _online_rows(model, plan, seg, policy, bos, ref):
    """Rows of one online-protocol unit: every (common target, window), one row each (n = 1)."""
    from .online import h2o_kl, rolling_kl
    from .truncation import eviction_kl, truncation_kl

    t, w = plan.common_targets(), list(plan.windows)
    kw = dict(positions=t, bos=bos, reference=ref)
    if policy == "sliding":
        kl, pres = truncation_kl(model, seg.ids, w, **kw), False
    elif policy == "evict_sink":
        kl, pres = eviction_kl(model, seg.ids, w, sink=plan.sink, **kw), True
    elif policy == "streaming_llm":
        kl, pres = rolling_kl(model, seg.ids, w, policy="streaming_llm", sink=plan.sink, **kw), False
    elif policy == "evict_h2o":
        kl, pres = rolling_kl(model, seg.ids, w, policy="h2o", recent=plan.h2o_recent, **kw), True
    elif policy == "h2o":
        kl, pres = rolling_kl(model, seg.ids, w, policy="h2o", recent=plan.h2o_recent, recompute=True, **kw), False
    else:
        kl, pres = h2o_kl(model, seg.ids, w, recent=plan.h2o_recent, **kw), False
    return [(policy, pres, seg.index, int(t[a]), int(w[b]), float(v), 1) for (a, b), v in np.ndenumerate(kl)]


_ONLINE_META = {"online": (
    "every variant at the common targets range(*targets), one row per (target, window); "
    "streaming_llm: sink + recent window, no recompute, positions assigned within the cache (sink keys "
    "re-rotated, lib.kv.online.rolling_kl); evict_sink: the same entries at original positions (banded pass); "
    "evict_h2o: H2O keep-set (recent window round(h2o_recent*w), heavy hitters by attention summed over layers "
    "and heads, accumulated online from the evicting cache itself), no recompute, original positions; h2o: "
    "the same keep-sets, re-encoded for each target at positions 0..w-1 (rolling_kl recompute=True); "
    "h2o_self: the H2O rule run on a re-encoding decoder, scores from its own passes (lib.kv.online.h2o_kl); "
    "eager attention for the H2O variants")}


def default_name(plan) -> str:
    """The data file stem: the model's name, with ``-online``, ``-long`` or ``-sampled`` for those protocols."""
    if _is_long(plan):
        return plan.name()
    return plan.model + ("-online" if plan.targets else "")


def _data_dir(plan, data_dir):
    """Where the data file goes: ``data_dir``, else ``book/data/kv`` (:data:`lib.kv.store.DATA_DIR`)."""
    return store.DATA_DIR if data_dir is None else data_dir


def _segments(plan, tokenizer) -> list:
    if _is_long(plan):
        from .long import plan_segments
        return plan_segments(plan, tokenizer)
    from .corpus import segments
    return segments(tokenizer, plan.segments, plan.length)


def work_dir(plan: Plan, name: str, root=None) -> Path:
    """Where the part files of ``plan`` live: ``<root or cache>/measure/<name>-<plan hash>``."""
    return (Path(root) if root is not None else cache_dir() / "measure") / f"{name}-{plan.key()}"


def _part(wdir: Path, unit) -> Path:
    return wdir / f"seg{unit[0]:03d}.{unit[1].replace(':', '-')}.json"


def pending(wdir: Path, mine: list, resume: bool, fresh: bool) -> list:
    """The units of ``mine`` still to run in ``wdir``: finished ones are kept (``resume``) or deleted (``fresh``).

    Finding finished units with neither flag is an error, so that two runs never mix silently.
    """
    done = [u for u in mine if _part(wdir, u).exists()]
    if done and fresh:
        for u in done:
            _part(wdir, u).unlink()
        done = []
    if done and not resume:
        raise ValueError(f"{len(done)} finished units of this plan exist in {wdir}; pass --resume to continue "
                         "that run or --fresh to discard it")
    return [u for u in mine if u not in done]


def run(plan: Plan, name: str | None = None, variants=None, shard=(0, 1), resume=False, fresh=False,
        data_dir=None, work_root=None, progress=True, fail_after=None) -> Path | None:
    """Measure the units of ``plan`` in ``shard``; merge when every unit of the plan is done.

    Parameters
    ----------
    resume : bool
        Reuse finished units found in the work directory (otherwise finding any is an error).
    fresh : bool
        Delete finished units of this shard first.
    data_dir, work_root : path or None
        Where the data file and the part files go (default: ``book/data`` and the cache directory).
    fail_after : int or None
        Testing hook: raise ``RuntimeError`` after this many units (simulates an interruption).

    Returns
    -------
    Path or None
        The data file if this call merged, else None (other shards still running).
    """
    from tqdm.auto import tqdm

    from .models import bos_id, load_model
    from .truncation import FullContext

    name = name or default_name(plan)
    variants = plan_variants(plan) if variants is None else variants
    wdir = work_dir(plan, name, work_root)
    wdir.mkdir(parents=True, exist_ok=True)
    store.atomic_write(wdir / "plan.json", json.dumps(asdict(plan), default=list, indent=1).encode())
    todo = pending(wdir, units(plan, variants, shard), resume, fresh)
    if todo:
        model, tokenizer = load_model(plan.model)
        bos = bos_id(tokenizer)
        segs = _segments(plan, tokenizer)
        refs = {}
        for k, (s, variant) in enumerate(tqdm(todo, desc=name, unit="unit", disable=not progress)):
            if fail_after is not None and k >= fail_after:
                raise RuntimeError(f"simulated interruption after {k} units")
            start = time.perf_counter()  # the first unit of a segment also pays for its full-context pass
            if s not in refs:
                refs = {s: FullContext(model, segs[s].ids, bos)}
            rows = _unit_rows(model, plan, segs[s], variant, bos, refs[s])
            part = {"unit": [s, variant], "seconds": time.perf_counter() - start, "rows": rows,
                    "title": segs[s].title, "versions": _run_versions()}
            store.atomic_write(_part(wdir, (s, variant)), json.dumps(part).encode())
    everything = units(plan, variants)
    if all(_part(wdir, u).exists() for u in everything):
        return merge(plan, name, variants, data_dir=data_dir, work_root=work_root)
    return None


def _run_versions() -> dict:
    import importlib.metadata as md
    return {p: md.version(p) for p in ("torch", "transformers")}


def _corpus_meta(plan, titles: dict) -> dict:
    from .corpus import CORPUS

    listed = [titles[s] for s in sorted(titles)]
    if _is_long(plan) and plan.corpus == "samples":
        from .sample import samples_meta
        return dict(samples_meta(plan.model), segments=listed,
                    selection=f"the first {plan.length} tokens (prompt included) of each of the first "
                              f"{plan.segments} stored samples")
    return dict(CORPUS, segments=listed, selection=f"first {plan.length} tokens of each of the first "
                f"{plan.segments} articles with at least {plan.length} tokens (dump order)")


def _protocol_meta(plan, variants) -> dict:
    if _is_long(plan):
        from .long import ESTIMAND, forward_tokens
        return dict(asdict(plan), protocol="long", length=plan.length, variants=list(variants),
                    estimand=ESTIMAND, forward_tokens=forward_tokens(plan))
    return dict(asdict(plan), variants=list(variants), estimand="KL(p(.|x_<t) || p(.|retained)) "
                "in nats, float64 log-softmax; truncation re-encodes the retained tokens; evict_* keep "
                "the full-context cache and mask evicted entries (no recompute, original positions)",
                starts=plan.starts().tolist(), random_starts_used=plan.starts(plan.random_starts).tolist(),
                block_markov_window="budget w; block L = ceil(w/2), memory between L and 2L-1",
                **(_ONLINE_META if plan.targets else {}))


def merge(plan: Plan, name: str | None = None, variants=None, data_dir=None, work_root=None,
          command: str | None = None) -> Path:
    """Concatenate the part files of ``plan`` into the data file and write its provenance.

    ``command`` overrides the recorded command (e.g. when the units of a stopped run are merged by hand).
    """
    import importlib.metadata as md

    name = name or default_name(plan)
    variants = plan_variants(plan) if variants is None else variants
    wdir = work_dir(plan, name, work_root)
    names = store.COLUMNS + (tuple(store.OPTIONAL_COLUMNS) if _is_long(plan) else ())
    cols = {c: [] for c in names}
    seconds, titles, measured_with = {}, {}, set()
    for unit in units(plan, variants):
        path = _part(wdir, unit)
        if not path.exists():
            raise ValueError(f"unit {unit} is missing in {wdir}; finish the run (with --resume) before merging")
        part = json.loads(path.read_text())
        measured_with.add(json.dumps(part.get("versions"), sort_keys=True))
        for row in part["rows"]:
            for c, v in zip(names, row, strict=True):
                cols[c].append(v)
        seconds[unit[1]] = seconds.get(unit[1], 0.0) + part["seconds"]
        titles[unit[0]] = part["title"]
    measured_with.discard("null")  # parts written before versions were recorded
    if len(measured_with) > 1:
        raise ValueError(f"the parts in {wdir} were measured under different torch/transformers versions "
                         f"({sorted(measured_with)}); rerun the odd ones with --fresh under one pin")
    spec = MODELS[plan.model]
    versions = {p: md.version(p) for p in ("torch", "transformers", "numpy", "infotheory-ml-book-lib",
                                           spec.package, "gensim")}
    if measured_with and json.loads(measured_with.pop()) != {p: versions[p] for p in ("torch", "transformers")}:
        raise ValueError(f"the parts in {wdir} were measured under other torch/transformers versions than the "
                         "installed ones; merge under the pin they were measured with")
    meta = {
        "model": {"name": spec.name, "title": spec.title, "package": spec.package,
                  "version": versions[spec.package], "licence": spec.licence, "weights": "GGUF dequantised "
                  "to float32 by transformers", "attention": "sdpa, explicit masks and position ids"},
        "corpus": _corpus_meta(plan, titles),
        "protocol": _protocol_meta(plan, variants),
        "versions": versions,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command or ("python -m lib.kv " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("__main__.py")
                               else f"lib.kv.measure.run(default_plan({plan.model!r}))"),
        "columns": {"kl": "nats", "n": "targets averaged in the row (target = -1 when n > 1)",
                    **({"removed": "tokens of past removed before the window (r; t = r + w)",
                        "nll_excess": "nats, -log q(x_t|retained) + log p(x_t|x_<t), x_t the actual token"}
                       if _is_long(plan) else {})},
    }
    return store.write(name, cols, meta, data_dir=_data_dir(plan, data_dir))
