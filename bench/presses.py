"""The press × budget grid (plus the quantised grid) of one model: wall time per segment and for 32 segments.

``.venv/bin/python -m bench.presses`` reads the seconds per segment that ``python -m lib.kv press`` stored in
``book/data/kv/<model>-presses.json`` (every segment: one exact prefill, 9 presses × 5 budgets scored from it,
45 press reads and 30 quantised reads of 8 tokens) and projects the full 32-segment grid. Goal: ≤ 15 min for
one model on this machine. The load average is recorded with it: the stored runs shared 2 cores with other work.
"""
from __future__ import annotations

import argparse
import os

from bench.record import print_table, record
from lib import store


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for model in ("smollm2-135m", "gemma3-270m"):
        meta = store.read_json(store.DATA_DIR / "kv" / f"{model}-presses.json")
        sec = sorted(meta["seconds_per_segment"])
        median = sec[len(sec) // 2]
        rows.append({"model": model, "segments": len(sec), "median_s_per_segment": round(median, 1),
                     "min_s_per_segment": round(sec[0], 1), "projected_32_min": round(32 * median / 60, 1),
                     "projected_32_min_best": round(32 * sec[0] / 60, 1)})
    print_table(rows)
    summary = {"goal_minutes": 15, "load_average_now": os.getloadavg(), "met": any(r["projected_32_min"] <= 15 for r in rows)}
    print(summary)
    if not args.no_record:
        print(record("presses", {}, rows, summary))


if __name__ == "__main__":
    main()
