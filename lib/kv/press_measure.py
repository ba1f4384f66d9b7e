"""The press and quantised-cache measurement (``python -m lib.kv press``), run in ``.venv-kvpress``.

One unit is one segment (the first ``length`` tokens of one article). Per unit: one exact prefill of
``t0`` tokens (plus BOS), every press scored at every budget (:func:`lib.kv.presses.prefill`), then

- **presses**: every (press, budget) cache read for ``K`` tokens → ``book/data/kv/<model>-presses.csv``;
- **quant**: for each token policy in ``quant_policies`` and window ``w`` in ``quant_windows`` (``t0`` = every
  token), the kept entries quantised to ``b`` bits (keys per channel, values per token, group ``group``) and
  read → ``book/data/kv/<model>-quant.csv``, with the exact bytes of that cache.

A **quantisation-only plan** (:func:`quant_plan`, ``python -m lib.kv press --quant-policy P``) scores no press
table: it measures the (w, b) grid with another token policy ``P`` (e.g. TOVA) into
``book/data/kv/<model>-quant-<P>``. It is a plan of its own (its own hash and work directory), so it never
touches the main run's part files.

Rows are per (segment, …) means over the ``K`` targets (``n`` = K), so that the bootstrap resamples segments.
Each finished unit is an atomic part file; ``--resume`` continues; :func:`merge` writes both tables through
:func:`lib.store.write_table` only when every unit exists.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from lib import store

from .measure import _part, pending, work_dir
from .models import MODELS
from .quantise import BITS, GROUP, kivi_bytes

__all__ = ["PressPlan", "press_plan", "quant_plan", "press_units", "segment_rows", "run_presses", "merge_presses",
           "PRESS_COLUMNS", "QUANT_COLUMNS"]

PRESS_COLUMNS = ("press", "budget", "entries", "segment", "kl", "nll_excess", "n")
QUANT_COLUMNS = ("policy", "window", "bits", "group", "entries", "bytes", "segment", "kl", "nll_excess", "n")


@dataclass(frozen=True)
class PressPlan:
    """Everything that determines the stored press and quantisation numbers (its hash names the work dir)."""

    model: str
    segments: int = 32
    length: int = 512
    t0: int = 480
    n_read: int = 8
    budgets: tuple = (16, 32, 64, 128, 256)
    presses: tuple = ("window", "streaming_llm", "snapkv", "pyramidkv", "tova", "observed_attention",
                      "expected_attention", "knorm", "random")
    quant_policies: tuple = ("streaming_llm",)
    quant_windows: tuple = (16, 32, 64, 128, 256, 480)
    bits: tuple = BITS
    group: int = GROUP

    def key(self) -> str:
        """Hash of every field but ``segments``: a longer run extends a shorter one's work directory."""
        import hashlib

        fields = {k: v for k, v in asdict(self).items() if k != "segments"}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]


def press_plan(model: str, segments: int | None = None, **changes) -> PressPlan:
    """The stored plan for ``model`` (32 segments), optionally fewer segments or other fields."""
    if model not in MODELS and not changes.get("allow_any_model"):
        raise ValueError(f"unknown `model` {model!r}: use one of {sorted(MODELS)}")
    changes.pop("allow_any_model", None)
    plan = replace(PressPlan(model), **changes)
    if segments is not None:
        if isinstance(segments, bool) or not isinstance(segments, int) or segments < 1:
            raise ValueError(f"`segments` must be a positive integer, got {segments!r}")
        plan = replace(plan, segments=segments)
    if plan.t0 + plan.n_read + 1 > plan.length:
        raise ValueError(f"`length` {plan.length} must exceed t0 + n_read = {plan.t0 + plan.n_read}")
    return plan


def quant_plan(model: str, policy: str, segments: int | None = None, **changes) -> PressPlan:
    """The quantisation-only plan of ``model`` with token policy ``policy``: no press table, its own work dir.

    Its (w, b) grid is the main plan's (windows ``quant_windows``, bits ``bits``, group ``group``) with the
    kept tokens chosen by ``policy`` instead of StreamingLLM.
    """
    from .presses import PRESSES

    if policy not in PRESSES:
        raise ValueError(f"unknown `policy` {policy!r}: use one of {sorted(PRESSES)}")
    return press_plan(model, segments, presses=(), budgets=(), quant_policies=(policy,), **changes)


def press_units(plan: PressPlan, shard=(0, 1)) -> list:
    """The (segment, "press") units of ``shard`` = (i, n)."""
    i, n = shard
    if not (isinstance(n, int) and isinstance(i, int) and n >= 1 and 0 <= i < n):
        raise ValueError(f"`shard` must be (i, n) with 0 <= i < n, got {shard!r}")
    return [(s, "press") for s in range(plan.segments) if s % n == i]


def _entries(layers) -> float:
    return float(np.mean([k.shape[2] for k, _ in layers]))


def _layer_bytes(layers, bits, group) -> int:
    """Exact bytes of a cache whose layers may keep different numbers of entries."""
    return sum(kivi_bytes(int(k.shape[2]), bits, head_dim=int(k.shape[3]), n_layers=1, n_kv_heads=int(k.shape[1]),
                          group=group) for k, _ in layers)


def segment_rows(model, plan: PressPlan, ids, index: int, bos=None) -> dict:
    """Both tables' rows for one segment ``ids`` (token ids without BOS), as lists of tuples."""
    from .presses import compressed_layers, make_press, prefill, quantised_layers, read_kl, read_logp

    ids = np.asarray(ids, dtype=np.int64)
    context = ([bos] if bos is not None else []) + ids[:plan.t0].tolist()
    chunk = ids[plan.t0:plan.t0 + plan.n_read]
    targets = ids[plan.t0 + 1:plan.t0 + plan.n_read + 1]
    names = sorted(set(plan.presses) | set(plan.quant_policies), key=list(plan.presses + plan.quant_policies).index)
    budgets = sorted(set(plan.budgets) | {w for w in plan.quant_windows if w < plan.t0})
    pre = prefill(model, context, {p: make_press(p, seed=index) for p in names}, budgets)
    full = compressed_layers(pre, None, None)
    ref = read_logp(model, [full], chunk, pre.n_past)[0]
    out = {"presses": [], "quant": []}
    for w in plan.budgets:
        caches = [compressed_layers(pre, p, w) for p in plan.presses]
        uniform = [i for i, c in enumerate(caches) if len({k.shape[2] for k, _ in c}) == 1]
        for group in (uniform, [i for i in range(len(caches)) if i not in uniform]):
            if not group:
                continue
            kl, ex = read_kl(model, [caches[i] for i in group], chunk, pre.n_past, ref, targets)
            for j, i in enumerate(group):
                out["presses"].append((plan.presses[i], w, _entries(caches[i]), index, float(kl[j].mean()),
                                       float(ex[j].mean()), kl.shape[1]))
    for p in plan.quant_policies:
        for w in plan.quant_windows:
            layers = compressed_layers(pre, p, w) if w < plan.t0 else full  # w >= t0: every entry
            kl, ex = read_kl(model, [quantised_layers(layers, b, plan.group) for b in plan.bits], chunk,
                             pre.n_past, ref, targets)
            for j, b in enumerate(plan.bits):
                out["quant"].append((p, w, b, plan.group, _entries(layers), _layer_bytes(layers, b, plan.group),
                                     index, float(kl[j].mean()), float(ex[j].mean()), kl.shape[1]))
    return out


def _name(plan: PressPlan) -> str:
    """The work directory's and the tables' stem: ``<model>-presses``, or ``<model>-quant-<policy>``."""
    return f"{plan.model}-presses" if plan.presses else f"{plan.model}-quant-{'-'.join(plan.quant_policies)}"


def _tables(plan: PressPlan) -> list:
    """(file stem, table, columns) of the tables ``plan`` writes."""
    if not plan.presses:
        return [(_name(plan), "quant", QUANT_COLUMNS)]
    return [(f"{plan.model}-presses", "presses", PRESS_COLUMNS), (f"{plan.model}-quant", "quant", QUANT_COLUMNS)]


def run_presses(plan: PressPlan, shard=(0, 1), resume=False, fresh=False, data_dir=None, work_root=None,
                progress=True, model=None, fail_after=None):
    """Measure the units of ``plan`` in ``shard`` (resumable); merge when every unit is done.

    ``model`` = (model, tokenizer) skips loading (tests pass tiny models); ``fail_after`` raises after that
    many units (a simulated kill). Returns the two CSV paths if this call merged, else None.
    """
    from tqdm.auto import tqdm

    from .corpus import segments as corpus_segments
    from .models import bos_id, load_model

    wdir = work_dir(plan, _name(plan), work_root)
    wdir.mkdir(parents=True, exist_ok=True)
    store.atomic_write(wdir / "plan.json", json.dumps(asdict(plan), indent=1).encode())
    todo = pending(wdir, press_units(plan, shard), resume, fresh)
    if todo:
        lm, tokenizer = model if model is not None else load_model(plan.model)
        bos = bos_id(tokenizer)
        segs = corpus_segments(tokenizer, plan.segments, plan.length)
        for k, unit in enumerate(tqdm(todo, desc=_name(plan), unit="segment", disable=not progress)):
            if fail_after is not None and k >= fail_after:
                raise RuntimeError(f"simulated interruption after {k} units")
            start = time.perf_counter()
            rows = segment_rows(lm, plan, segs[unit[0]].ids, unit[0], bos)
            part = {"unit": list(unit), "seconds": time.perf_counter() - start, "title": segs[unit[0]].title,
                    **rows}
            store.atomic_write(_part(wdir, unit), json.dumps(part).encode())
    if all(_part(wdir, u).exists() for u in press_units(plan)):
        return merge_presses(plan, data_dir=data_dir, work_root=work_root)
    return None


def merge_presses(plan: PressPlan, data_dir=None, work_root=None, command=None):
    """Write ``<model>-presses`` and ``<model>-quant`` (a quantisation-only plan: ``<model>-quant-<policy>``),
    CSV + provenance JSON, from the finished part files."""
    from .corpus import CORPUS
    from .presses import PRESSES

    wdir = work_dir(plan, _name(plan), work_root)
    parts = []
    for unit in press_units(plan):
        path = _part(wdir, unit)
        if not path.exists():
            raise ValueError(f"unit {unit} is missing in {wdir}; finish the run (with --resume) before merging")
        parts.append(json.loads(path.read_text()))
    folder = Path(data_dir) if data_dir is not None else store.DATA_DIR / "kv"
    seconds = [p["seconds"] for p in parts]
    meta = store.provenance(command, packages=("torch", "transformers", "kvpress"), model=plan.model,
                            model_title=MODELS[plan.model].title if plan.model in MODELS else plan.model,
                            corpus=CORPUS, plan=asdict(plan), titles=[p["title"] for p in parts],
                            seconds_per_segment=seconds, wall_seconds=float(sum(seconds)),
                            presses={p: {"label": s.label, "kvpress": s.cls, "options": dict(s.options)}
                                     for p, s in PRESSES.items() if p in plan.presses + plan.quant_policies},
                            protocol=__doc__.split("\n\n")[0] + " " + (_protocol_text(plan)))
    out = []
    for stem, table, columns in _tables(plan):
        rows = [r for p in parts for r in p[table]]
        cols = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
        out.append(store.write_table(folder / stem, cols, dict(meta, table=table)))
    return out


def _protocol_text(plan: PressPlan) -> str:
    return (f"one-shot compression after an exact prefill of t0 = {plan.t0} tokens (plus BOS if the model uses "
            f"one); the next {plan.n_read} tokens read through the compressed cache; targets t = t0+1..t0+"
            f"{plan.n_read}; reference: the same read through the uncompressed cache; kl and nll_excess are "
            "per-segment means over the targets (n); entries: mean kept entries per layer and KV head; bytes: "
            f"exact KIVI bytes (keys per channel, values per token, group {plan.group}, float16 scales and zero "
            "points; bits 16 = the float16 cache) (lib.kv.quantise.kivi_bytes)")
