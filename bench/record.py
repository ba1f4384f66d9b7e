"""Shared by every benchmark: the machine it ran on, a printed table, and a recorded JSON result.

A run writes ``bench/results/<bench>-<parameters>-<UTC time>.json`` (history, never overwritten) and refreshes
``book/data/bench/<bench>.json``, the latest result, which the Performance page shows. Both are records of
:mod:`lib.store` (one atomic writer, provenance beside the payload); each benchmark judges its own goals and
stores the verdicts in its summary (``goal_met`` and ``goal_<name>_met``), which the page reads as they are.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from lib import store

__all__ = ["machine", "print_table", "record", "best", "profile"]

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "bench" / "results"
LATEST = ROOT / "book" / "data" / "bench"


def machine() -> dict:
    """What the numbers depend on: CPU model, core count, memory, Python and key library versions."""
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal"))) / 2**20
    except (OSError, StopIteration):
        mem = float("nan")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip()
    except OSError:
        commit = ""
    import numpy

    info = {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1), "python": platform.python_version(),
            "numpy": numpy.__version__, "commit": commit}
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


def print_table(rows: list[dict], columns: list[str] | None = None) -> None:
    """A plain aligned table on stdout."""
    if not rows:
        print("(no rows)")
        return
    columns = columns or list(rows[0])
    cells = [[_fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def record(bench: str, parameters: dict, rows: list[dict], summary: dict) -> Path:
    """Store the result (:func:`lib.store.write_record`) in the history and as the latest; return the history path."""
    now = dt.datetime.now(dt.timezone.utc)
    meta = store.provenance(command=" ".join([f"python -m bench.{bench}"] + sys.argv[1:]), machine=machine())
    payload = {"bench": bench, "parameters": parameters, "summary": summary, "rows": rows}
    tag = "-".join(f"{k}{v}" for k, v in parameters.items()).replace("/", "_").replace(" ", "")
    history = HISTORY / f"{bench}{'-' + tag if tag else ''}-{now:%Y%m%dT%H%M%SZ}.json"
    for path in (history, LATEST / f"{bench}.json"):
        store.write_record(path, payload, meta)
    print(f"\nrecorded: {history.relative_to(ROOT)} (latest: {(LATEST / f'{bench}.json').relative_to(ROOT)})")
    return history


def best(fn, repeats: int):
    """(smallest wall time over ``repeats`` calls of ``fn()``, the last call's result): timings on a shared machine."""
    seconds, out = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds, out


def profile(fn, top: int = 8, **tags) -> list[dict]:
    """cProfile of one call of ``fn()``: the ``top`` functions by own time, their calls and share of the total.

    Each row also carries ``table="profile"`` and the given ``tags`` (e.g. ``scheme="sign"``).
    """
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(fn)
    stats = pstats.Stats(prof).stats
    total = sum(v[2] for v in stats.values())
    rows = []
    for (file, line, name), v in sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]:
        where = name if file == "~" else f"{os.path.basename(file)}:{line}({name})"
        rows.append({"table": "profile", **tags, "function": where.replace("<", "").replace(">", ""),
                     "calls": v[1], "own_s": v[2], "share": v[2] / total})
    return rows
