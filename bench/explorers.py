"""Benchmark 3: every explorer of the book — precompute time, states, bytes added to its page, and the slowest
live-kernel update at random points of the continuous ranges.

Usage: ``.venv/bin/python -m bench.explorers``. Goals: no page over 3 MB of precomputed data; every live update ≤ 1 s.
Explorers are found as the public zero-argument functions of ``lib/*/explorers*.py`` that return an Explorer.
"""
from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import time
from pathlib import Path

import numpy as np

from lib.explore import Explorer
from lib.explore.static import static_spec

from .record import ROOT, print_table, record

LIVE_SAMPLES = 5
GOAL_PAGE_BYTES = 3_000_000
GOAL_LIVE_SECONDS = 1.0


def book_explorers():
    """(module, function name, factory) for every explorer factory in the library."""
    for path in sorted((ROOT / "lib").glob("*/explorers*.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if all(p.default is not p.empty for p in inspect.signature(fn).parameters.values()):
                yield module.__name__, name, fn


def random_point(explorer: Explorer, rng) -> dict:
    values = {}
    for p in explorer.params:
        if getattr(p, "values", None) is not None or not hasattr(p, "low"):  # a declared set or a Choice
            grid = p.grid()
            values[p.name] = grid[rng.integers(len(grid))]
            continue
        u = rng.uniform()
        v = np.exp(np.log(p.low) + u * np.log(p.high / p.low)) if p.log else p.low + u * (p.high - p.low)
        values[p.name] = p.check(v)
    return values


def measure(fn) -> dict:
    start = time.perf_counter()
    explorer = fn()
    if not isinstance(explorer, Explorer):
        return {}
    spec = static_spec(explorer)
    precompute = time.perf_counter() - start
    rng = np.random.default_rng(0)
    slowest = 0.0
    for _ in range(LIVE_SAMPLES):
        explorer._cache.clear()
        t0 = time.perf_counter()
        explorer.view(**random_point(explorer, rng))
        slowest = max(slowest, time.perf_counter() - t0)
    return {"explorer": explorer.name, "states": len(spec["states"]), "kbytes": len(json.dumps(spec)) / 1e3,
            "precompute_s": precompute, "slowest_live_s": slowest}


def page_payloads() -> dict:
    """Precomputed bytes per built page (needs a built book)."""
    html = ROOT / "_build" / "html"
    sizes = {}
    for page in html.rglob("*.html"):
        text = page.read_text(errors="replace")
        total = sum(len(m) for m in re.findall(r'class="book-explorer-spec">(.*?)</script>', text, flags=re.S))
        if total:
            sizes[str(page.relative_to(html))] = total
    return sizes


def main() -> None:
    load_before = [round(x, 2) for x in os.getloadavg()]
    rows = []
    for module, name, fn in book_explorers():
        row = measure(fn)
        if row:
            rows.append({"factory": f"{module.split('.')[1]}.{name}", **row})
    print_table(rows)
    pages = page_payloads()
    worst_page = max(pages.items(), key=lambda kv: kv[1], default=("", 0))
    summary = {"explorers": len(rows), "total_states": sum(r["states"] for r in rows),
               "largest_page": worst_page[0], "largest_page_mb": round(worst_page[1] / 1e6, 3),
               "slowest_live_s": max((r["slowest_live_s"] for r in rows), default=0.0),
               "load_before": load_before, "load_after": [round(x, 2) for x in os.getloadavg()],
               "goal_page_met": worst_page[1] <= GOAL_PAGE_BYTES,
               "goal_live_met": all(r["slowest_live_s"] <= GOAL_LIVE_SECONDS for r in rows)}
    summary["goal_met"] = summary["goal_page_met"] and summary["goal_live_met"]
    print()
    print_table([summary])
    record("explorers", {}, rows, summary)


if __name__ == "__main__":
    main()
