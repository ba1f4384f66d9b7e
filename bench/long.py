"""Benchmark 5: the long-context protocol at 4096 tokens: tokens/s against the forward roofline, peak memory, wall time.

Usage: ``.venv/bin/python -m bench.long --model smollm2-135m --threads 1`` (then ``--model gemma3-270m``); a few
minutes per model. Run it in a fresh process: the peak resident memory it reports is the process's own
(``getrusage``), after the model is loaded and after one article's measurement.

On the first article of at least ``length`` = 4097 tokens of the stored long plan (:func:`lib.kv.long.long_plan`):

* library: the full-context pass (:class:`lib.kv.truncation.FullContext`, ``length`` tokens, hidden states only)
  and one ``sliding`` unit (:func:`lib.kv.long.unit_rows`: one shared-start pass of ``max(windows)`` tokens per
  removed length, KL and nll_excess at every window), then one ``random`` unit;
* roofline: the model's own forward over the same sequences (``logits_to_keep`` = the rows used), timed alone,
  with the FLOPs of :func:`bench.truncation.flops`.

The projected wall time of the full regeneration is the per-unit time of each variant times its number of units
(plus one full-context pass per article); ``--observed`` also sums the ``seconds`` that a run's part files hold
(``~/.cache/infotheory-book/measure/<name>-<plan hash>``) and projects the missing units from them.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

from .record import best, print_table, record
from .truncation import flops, forwards

GOAL_RSS_GB = {"gemma3-270m": 6.0}


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def observed(plan) -> dict:
    """Seconds per variant summed over a run's finished part files, their count, and the plan's unit count."""
    from lib.kv.measure import default_name, units, work_dir

    wdir = work_dir(plan, default_name(plan))
    done = {}
    for path in wdir.glob("seg*.json") if wdir.exists() else []:
        part = json.loads(path.read_text())
        s, n = done.get(part["unit"][1], (0.0, 0))
        done[part["unit"][1]] = (s + part["seconds"], n + 1)
    total = {}
    for _, v in units(plan):
        total[v] = total.get(v, 0) + 1
    return {v: {"units_done": done.get(v, (0, 0))[1], "units": n, "seconds_done": done.get(v, (0.0, 0))[0]}
            for v, n in total.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1, help="minimum over this many runs of each timing")
    parser.add_argument("--observed", action="store_true", help="also read a run's part files")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from lib.kv import bos_id, load_model
    from lib.kv.long import forward_tokens, long_plan, plan_segments, unit_rows
    from lib.kv.measure import units
    from lib.kv.truncation import FullContext

    plan = long_plan(args.model)
    model, tokenizer = load_model(args.model)
    rss_loaded = _rss_gb()
    bos = bos_id(tokenizer)
    seg = plan_segments(plan, tokenizer)[0]
    load_before = os.getloadavg()
    w, r = np.asarray(plan.windows), np.asarray(plan.removed)
    pre = [] if bos is None else [bos]

    full_s, ref = best(lambda: FullContext(model, seg.ids, bos), args.repeats)
    slide_s, _ = best(lambda: unit_rows(model, plan, seg, "sliding", bos, ref), args.repeats)
    rss_shared = _rss_gb()
    start = time.perf_counter()
    unit_rows(model, plan, seg, "random", bos, ref)
    random_s = time.perf_counter() - start
    rss_peak = _rss_gb()

    full_seq = [(np.r_[pre, seg.ids].astype(np.int64), len(r) * len(w))]
    pass_seqs = [(np.r_[pre, seg.ids[ri:ri + w.max()]].astype(np.int64), len(w)) for ri in r]
    roof_full = best(lambda: forwards(model, full_seq), args.repeats)[0]
    roof_pass = best(lambda: forwards(model, pass_seqs), args.repeats)[0]
    n_full, n_pass = len(full_seq[0][0]), sum(len(s) for s, _ in pass_seqs)
    fl_full = flops(model, n_full, full_seq[0][1])
    fl_pass = sum(flops(model, len(s), k) for s, k in pass_seqs)
    rows = [
        {"table": "timing", "pass": f"full context ({n_full} tokens)", "library_s": full_s, "roofline_s": roof_full,
         "tokens_per_s": n_full / full_s, "roofline_tokens_per_s": n_full / roof_full,
         "gflop_per_s": fl_full / full_s / 1e9, "x_roofline": full_s / roof_full},
        {"table": "timing", "pass": f"sliding unit ({len(r)} x {w.max()} tokens)", "library_s": slide_s,
         "roofline_s": roof_pass, "tokens_per_s": n_pass / slide_s, "roofline_tokens_per_s": n_pass / roof_pass,
         "gflop_per_s": fl_pass / slide_s / 1e9, "x_roofline": slide_s / roof_pass},
    ]
    print_table(rows, [c for c in rows[0] if c != "table"])

    per_unit = {"sliding": slide_s, "sliding:pres": slide_s, "sink": slide_s, "sink:pres": slide_s,
                "random": random_s}
    count = {}
    for _, v in units(plan):
        count[v] = count.get(v, 0) + 1
    projected = plan.segments * full_s + sum(per_unit[v] * n for v, n in count.items())
    summary = {"model": args.model, "length": plan.length, "segments": plan.segments,
               "forward_tokens": forward_tokens(plan)["total"], "full_pass_s": full_s, "sliding_unit_s": slide_s,
               "random_unit_s": random_s, "x_roofline_full": full_s / roof_full,
               "x_roofline_unit": slide_s / roof_pass, "tokens_per_s_unit": n_pass / slide_s,
               "peak_rss_gb_loaded": rss_loaded, "peak_rss_gb_shared": rss_shared, "peak_rss_gb": rss_peak,
               "goal_rss_gb": GOAL_RSS_GB.get(args.model), "projected_hours": projected / 3600,
               "torch_threads": torch.get_num_threads(), "load_before": [round(x, 2) for x in load_before],
               "load_after": [round(x, 2) for x in os.getloadavg()]}
    if summary["goal_rss_gb"] is not None:
        summary["goal_rss_met"] = rss_peak <= summary["goal_rss_gb"]
    if args.observed:
        seen = observed(plan)
        done_s = sum(v["seconds_done"] for v in seen.values())
        left_s = sum((v["seconds_done"] / v["units_done"] if v["units_done"] else per_unit[k])
                     * (v["units"] - v["units_done"]) for k, v in seen.items())
        summary.update(observed_units=sum(v["units_done"] for v in seen.values()),
                       observed_hours=done_s / 3600, remaining_hours=left_s / 3600)
    print()
    print_table([summary])
    if not args.no_record:
        record(f"long-{args.model}", {"threads": torch.get_num_threads()}, rows, summary)


if __name__ == "__main__":
    main()
