"""Benchmark 4: a clean `make book` — wall time, peak memory, and per-page execution time.

Usage: ``.venv/bin/python -m bench.build`` (removes ``_build`` first; the package install is excluded).
Goal: ≤ 5 minutes on 2 cores.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .record import ROOT, print_table, record

GOAL_SECONDS = 300


def page_times(log: str) -> list[dict]:
    """Per-page execution times from the build log (myst-nb logs "<page>.md: Executed notebook in N seconds")."""
    rows = []
    for page, seconds in re.findall(r"/(book/\S+?)\.md: Executed notebook in ([0-9.]+) seconds", log):
        rows.append({"page": page, "seconds": float(seconds)})
    return sorted(rows, key=lambda r: -r["seconds"])


def main() -> None:
    load_before = [round(x, 2) for x in os.getloadavg()]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", str(jb), "build", ".", "-W", "-n", "--keep-going"],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", log).group(1))
    site_mib = sum(p.stat().st_size for p in (ROOT / "_build" / "html").rglob("*") if p.is_file()) / 2**20
    pages = page_times(log)
    summary = {"wall_seconds": round(wall, 1), "peak_rss_mib": round(peak_kib / 1024), "exit_code": proc.returncode,
               "site_mib": round(site_mib, 1), "pages_executed": len(pages), "goal_seconds": GOAL_SECONDS,
               "load_before": load_before, "load_after": [round(x, 2) for x in os.getloadavg()],
               "goal_met": wall <= GOAL_SECONDS and proc.returncode == 0}
    print_table([summary])
    print("\nslowest pages:")
    print_table(pages[:5])
    record("build", {}, pages, summary)


if __name__ == "__main__":
    main()
