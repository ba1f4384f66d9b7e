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

__all__ = ["Plan", "VARIANTS", "default_plan", "units", "run", "merge", "sqrt2_grid"]

VARIANTS = ("sliding", "sliding:pres", "sink", "sink:pres", "random", "random:pres", "block_markov",
            "evict_sliding", "evict_sink")


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

    def starts(self, n=None) -> np.ndarray:
        """``n`` evenly spaced starts in ``start_range`` (the first ``n`` of a finer grid are not used)."""
        n = self.n_starts if n is None else n
        lo, hi = self.start_range
        return lo + (np.arange(n) * (hi - lo)) // n

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


def units(plan: Plan, variants=VARIANTS, shard=(0, 1)) -> list:
    """The (segment, variant) units of ``plan`` that belong to ``shard`` = (i, n), in run order."""
    i, n = shard
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        raise ValueError(f"unknown variants {bad}: use some of {list(VARIANTS)}")
    if not (isinstance(n, int) and isinstance(i, int) and n >= 1 and 0 <= i < n):
        raise ValueError(f"`shard` must be (i, n) with 0 <= i < n, got {shard!r}")
    todo = [(s, v) for s in range(plan.segments) for v in variants if s < plan.n_segments(v)]
    return [u for k, u in enumerate(todo) if k % n == i]


def _unit_rows(model, plan, seg, variant, bos, ref):
    from .truncation import eviction_kl, truncation_kl

    policy, _, flag = variant.partition(":")
    pres = flag == "pres"
    w = np.asarray(plan.windows)
    rows = []
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


def work_dir(plan: Plan, name: str, root=None) -> Path:
    """Where the part files of ``plan`` live: ``<root or cache>/measure/<name>-<plan hash>``."""
    return (Path(root) if root is not None else cache_dir() / "measure") / f"{name}-{plan.key()}"


def _part(wdir: Path, unit) -> Path:
    return wdir / f"seg{unit[0]:03d}.{unit[1].replace(':', '-')}.json"


def run(plan: Plan, name: str | None = None, variants=VARIANTS, shard=(0, 1), resume=False, fresh=False,
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

    from .corpus import segments as corpus_segments
    from .models import bos_id, load_model
    from .truncation import FullContext

    name = name or plan.model
    wdir = work_dir(plan, name, work_root)
    wdir.mkdir(parents=True, exist_ok=True)
    store.atomic_write(wdir / "plan.json", json.dumps(asdict(plan), default=list, indent=1).encode())
    mine = units(plan, variants, shard)
    done = [u for u in mine if _part(wdir, u).exists()]
    if done and fresh:
        for u in done:
            _part(wdir, u).unlink()
        done = []
    if done and not resume:
        raise ValueError(f"{len(done)} finished units of this plan exist in {wdir}; pass --resume to continue "
                         "that run or --fresh to discard it")
    todo = [u for u in mine if u not in done]
    if todo:
        model, tokenizer = load_model(plan.model)
        bos = bos_id(tokenizer)
        segs = corpus_segments(tokenizer, plan.segments, plan.length)
        refs = {}
        for k, (s, variant) in enumerate(tqdm(todo, desc=name, unit="unit", disable=not progress)):
            if fail_after is not None and k >= fail_after:
                raise RuntimeError(f"simulated interruption after {k} units")
            if s not in refs:
                refs = {s: FullContext(model, segs[s].ids, bos)}
            start = time.perf_counter()
            rows = _unit_rows(model, plan, segs[s], variant, bos, refs[s])
            part = {"unit": [s, variant], "seconds": time.perf_counter() - start, "rows": rows,
                    "title": segs[s].title}
            store.atomic_write(_part(wdir, (s, variant)), json.dumps(part).encode())
    everything = units(plan, variants)
    if all(_part(wdir, u).exists() for u in everything):
        return merge(plan, name, variants, data_dir=data_dir, work_root=work_root)
    return None


def merge(plan: Plan, name: str | None = None, variants=VARIANTS, data_dir=None, work_root=None) -> Path:
    """Concatenate the part files of ``plan`` into the data file and write its provenance."""
    import importlib.metadata as md

    from .corpus import CORPUS

    name = name or plan.model
    wdir = work_dir(plan, name, work_root)
    cols = {c: [] for c in store.COLUMNS}
    seconds, titles = {}, {}
    for unit in units(plan, variants):
        path = _part(wdir, unit)
        if not path.exists():
            raise ValueError(f"unit {unit} is missing in {wdir}; finish the run (with --resume) before merging")
        part = json.loads(path.read_text())
        for row in part["rows"]:
            for c, v in zip(store.COLUMNS, row):
                cols[c].append(v)
        seconds[unit[1]] = seconds.get(unit[1], 0.0) + part["seconds"]
        titles[unit[0]] = part["title"]
    spec = MODELS[plan.model]
    versions = {p: md.version(p) for p in ("torch", "transformers", "numpy", "infotheory-ml-book-lib",
                                           spec.package, "gensim")}
    meta = {
        "model": {"name": spec.name, "title": spec.title, "package": spec.package,
                  "version": versions[spec.package], "licence": spec.licence, "weights": "GGUF dequantised "
                  "to float32 by transformers", "attention": "sdpa, explicit masks and position ids"},
        "corpus": dict(CORPUS, segments=[titles[s] for s in sorted(titles)],
                       selection=f"first {plan.length} tokens of each of the first {plan.segments} articles "
                                 f"with at least {plan.length} tokens (dump order)"),
        "protocol": dict(asdict(plan), variants=list(variants), estimand="KL(p(.|x_<t) || p(.|retained)) "
                         "in nats, float64 log-softmax; truncation re-encodes the retained tokens; evict_* keep "
                         "the full-context cache and mask evicted entries (no recompute, original positions)",
                         starts=plan.starts().tolist(), random_starts_used=plan.starts(plan.random_starts).tolist(),
                         block_markov_window="budget w; block L = ceil(w/2), memory between L and 2L-1"),
        "versions": versions,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python -m lib.kv " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("__main__.py")
                   else f"lib.kv.measure.run(default_plan({plan.model!r}))",
        "columns": {"kl": "nats", "n": "targets averaged in the row (target = -1 when n > 1)"},
    }
    return store.write(name, cols, meta, data_dir=data_dir)
