"""The press × budget grid (plus the quantised grid) of one model: where one article's time goes, and 32 articles.

``.venv-kvpress/bin/python -m bench.presses --model smollm2-135m --threads 1`` (kvpress's environment: it loads
the model) measures one article exactly as ``python -m lib.kv press`` does (:func:`lib.kv.press_measure.segment_rows`:
one exact prefill, 9 presses × 5 budgets scored from it, 45 press reads and 30 quantised reads of 8 tokens), with
a timer on each stage, a profile of the same call, and the projection to the 32-article grid. It also reads the
seconds per article that the stored runs recorded (``book/data/kv/<model>-presses.json``). Goal: ≤ 15 min for one
model's 32 articles on this machine. The load average is recorded with it: the machine is shared.
"""
from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

import numpy as np

from bench.record import print_table, profile, record
from lib import store

GOAL_MINUTES = 15
#: The library functions a segment spends its time in, timed by wrapping them in :mod:`lib.kv.presses`.
STAGES = ("prefill", "read_logp", "read_kl", "compressed_layers", "quantised_layers")


def stored_rows() -> list[dict]:
    """Seconds per article recorded by the stored runs of every model, and their 32-article projection."""
    rows = []
    for model in ("smollm2-135m", "gemma3-270m"):
        meta = store.read_json(store.DATA_DIR / "kv" / f"{model}-presses.json")
        sec = np.asarray(meta["seconds_per_segment"], dtype=float)
        rows.append({"table": "stored", "model": model, "segments": int(sec.size),
                     "median_s": round(float(np.median(sec)), 1), "min_s": round(float(sec.min()), 1),
                     "max_s": round(float(sec.max()), 1), "projected_32_min": round(32 * float(np.median(sec)) / 60, 1)})
    return rows


def _timed(module, clock):
    """Wrap :data:`STAGES` of ``module`` so that each call adds its wall time to ``clock[name]``. ``read_logp``
    is split into batched reads and PyramidKV's reads (one pass per cache, its layers' budgets differ); ``read_kl`` counts only its own time (the
    reads it makes are counted as reads)."""
    originals = {name: getattr(module, name) for name in STAGES}

    def wrap(name, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                if name == "read_logp":
                    uniform = len({k.shape[2] for c in args[1] for k, _ in c}) == 1
                    clock["read_logp (batched)" if uniform else "read_logp (per cache)"] += spent
                    clock["read_kl"] -= spent if clock["inside_kl"] else 0.0
                else:
                    clock[name] += spent
        return timed

    def read_kl(*args, **kwargs):
        clock["inside_kl"] = 1
        try:
            return kl(*args, **kwargs)
        finally:
            clock["inside_kl"] = 0

    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    kl = module.read_kl
    module.read_kl = read_kl
    return originals


def stage_rows(model_name: str, segment: int, repeats: int) -> tuple[list[dict], float, float, list[dict]]:
    """One article measured ``repeats`` times (the fastest kept): per-stage wall times, the article's wall and
    CPU seconds (the CPU time is what an idle core would take), and a profile."""
    from lib.kv import presses
    from lib.kv.corpus import segments
    from lib.kv.models import bos_id, load_model
    from lib.kv.press_measure import press_plan, segment_rows

    plan = press_plan(model_name)
    model, tok = load_model(model_name)
    seg = segments(tok, segment + 1, plan.length)[segment]
    bos = bos_id(tok)
    runs = []

    def one():
        clock = defaultdict(float)
        originals = _timed(presses, clock)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            segment_rows(model, plan, seg.ids, segment, bos)
        finally:
            for name, fn in originals.items():
                setattr(presses, name, fn)
        runs.append((time.perf_counter() - start, time.process_time() - cpu, clock))

    one()  # warm-up: first calls allocate and load kernels
    runs.clear()
    for _ in range(repeats):
        one()
    seconds, cpu, clock = min(runs, key=lambda r: r[0])
    own = {"prefill + scoring of 9 presses × 5 budgets (eager)": clock["prefill"],
           "reads, batched (8 presses, or 5 bit widths, at once)": clock["read_logp (batched)"],
           "reads, PyramidKV (one pass per cache)": clock["read_logp (per cache)"],
           "KL and excess log-loss (float64)": clock["read_kl"],
           "gather kept entries": clock["compressed_layers"], "fake quantisation": clock["quantised_layers"]}
    own["other"] = seconds - sum(own.values())
    rows = [{"table": "stages", "model": model_name, "stage": k, "seconds": round(v, 2),
             "share": round(v / seconds, 3)} for k, v in own.items()]
    prof = profile(lambda: segment_rows(model, plan, seg.ids, segment, bos), top=8, model=model_name)
    return rows, seconds, cpu, prof


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m", help="the model whose article is timed (kvpress env)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 on a shared machine)")
    ap.add_argument("--segment", type=int, default=0, help="which corpus article to time")
    ap.add_argument("--repeats", type=int, default=2, help="timed runs after one warm-up (the fastest is kept)")
    ap.add_argument("--stored-only", action="store_true", help="only read the stored runs' seconds (no model)")
    ap.add_argument("--note", default="", help="what else ran on the machine (stored with the result)")
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    rows = stored_rows()
    summary = {"goal_minutes": GOAL_MINUTES, "note": args.note}
    if not args.stored_only:
        import torch

        torch.set_num_threads(args.threads)
        stages, seconds, cpu, prof = stage_rows(args.model, args.segment, args.repeats)
        rows += stages + prof
        minutes = 32 * seconds / 60
        summary.update({"model": args.model, "threads": args.threads, "seconds_per_article": round(seconds, 2),
                        "cpu_seconds_per_article": round(cpu, 2), "projected_32_min": round(minutes, 2),
                        "projected_32_cpu_min": round(32 * cpu / 60, 2), "goal_met": minutes <= GOAL_MINUTES})
    summary.update({"load_before": load_before, "load_after": [round(x, 2) for x in os.getloadavg()]})
    print_table([r for r in rows if r["table"] == "stored"])
    print_table([r for r in rows if r["table"] == "stages"])
    print_table([r for r in rows if r["table"] == "profile"])
    print(summary)
    if not args.no_record:
        params = {} if args.stored_only else {"model": args.model, "threads": args.threads}
        print(record("presses", params, rows, summary))


if __name__ == "__main__":
    main()
