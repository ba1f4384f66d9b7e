"""Benchmark 5: live explorers in the browser (Pyodide in the page's worker) against native CPython.

Usage: ``.venv/bin/python -m bench.live`` after ``make book`` (about 10 minutes on a 2-core machine; ``--pages N``
for the first N explorer pages only). Goal: at default sizes every live recompute in the browser ≤ 300 ms.

Headless Chromium opens the built site over 127.0.0.1 with every other host unresolvable. On the first page (a
fresh browser, empty cache) it switches the first explorer to live and records the cold start (click to ready)
and the bytes the page fetched for it (as served, uncompressed; and what a host that gzips would send). Then on
every explorer page (warm cache, a new worker per page) it switches every explorer to live and moves each slider
to ``--moves`` random positions of its live range: the browser's time is the Python compute time measured inside
the worker (``data-live-ms``), the round trip adds messaging and drawing; the native time is the same
``explorer.view`` call at the same values in this process, which made the same calls before it (so the explorer's
and the library's caches are as warm, or as cold, as in the worker).
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import random
import shutil
import threading
import time
from pathlib import Path

from lib.explore.browser import locate

from .record import ROOT, print_table, record

GOAL_MS = 300.0
HTML = ROOT / "_build" / "html"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def explorer_pages(html_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                  if 'class="book-explorer"' in p.read_text(errors="replace"))


def part_of(page: str) -> str:
    return page.split("/")[1] if page.startswith("book/") and page.count("/") > 1 else "front"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def gzip_bytes(files: list[Path]) -> int:
    return sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)


def first_live_files(manifest: dict) -> list[Path]:
    """The files a first live start fetches: worker, manifest, core runtime, packages, lib wheel, data."""
    live = HTML / "live"
    names = ["worker.js", "manifest.json", manifest["wheel"], manifest["data"],
             *(f"pyodide/{n}" for n in ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                                        "pyodide-lock.json"))]
    names += [k for k in manifest["bytes"] if k.startswith("pyodide/") and k.endswith((".whl", ".zip"))
              and "stdlib" not in k]
    return [live / n for n in dict.fromkeys(names)]


def go_live(page, root, timeout_s: float = 300):
    start = time.perf_counter()
    root.locator("button.book-explorer-live").click()
    page.wait_for_function("(el) => el.dataset.liveCount || el.dataset.live === 'error'", arg=root.element_handle(),
                           timeout=timeout_s * 1000)
    if root.get_attribute("data-live") != "ready":
        raise RuntimeError(root.locator(".book-explorer-status").inner_text())
    return time.perf_counter() - start


def move(page, root, slider, position: int) -> dict:
    count = int(root.get_attribute("data-live-count"))
    slider.fill(str(position))
    page.wait_for_function(f"(el) => parseInt(el.dataset.liveCount) > {count}", arg=root.element_handle(),
                           timeout=120_000)
    return {"values": json.loads(root.get_attribute("data-live-values")),
            "browser_ms": float(root.get_attribute("data-live-ms")),
            "roundtrip_ms": float(root.get_attribute("data-live-roundtrip-ms"))}


def native_ms(source: dict, values: dict) -> float:
    """One native ``explorer.view`` call in this process, which made the same calls as the page's worker before it
    (the explorer, its view cache and the library's caches persist here as they do in the worker)."""
    explorer = locate(source)
    start = time.perf_counter()
    explorer.view(**values)
    return 1000 * (time.perf_counter() - start)


def measure_page(context, url: str, rel: str, moves: int, rng: random.Random) -> list[dict]:
    page = context.new_page()
    rows = []
    try:
        page.goto(f"{url}/{rel}", wait_until="load")
        page.wait_for_selector("div.book-explorer[data-mounted]", timeout=30_000)
        roots = page.locator("div.book-explorer")
        for e in range(roots.count()):
            root = roots.nth(e)
            spec = json.loads(root.locator("script.book-explorer-spec").text_content())
            if "reason" in spec["source"]:
                rows.append({"table": "explorers", "page": rel, "explorer": spec["name"], "live": "no",
                             "reason": spec["source"]["reason"]})
                continue
            root.scroll_into_view_if_needed()
            start_s = go_live(page, root)
            native_ms(spec["source"], json.loads(root.get_attribute("data-live-values")))  # the worker's first call
            timings = []
            for slider in root.locator('input[data-live="range"]').all():
                for _ in range(moves):
                    got = move(page, root, slider, rng.randrange(0, 1001))
                    got["native_ms"] = native_ms(spec["source"], got["values"])
                    timings.append(got)
            if not timings:
                continue
            worst = max(timings, key=lambda t: t["browser_ms"])
            rows.append({"table": "explorers", "part": part_of(rel), "page": rel, "explorer": spec["name"],
                         "live": "yes", "start_s": start_s, "moves": len(timings),
                         "browser_max_ms": worst["browser_ms"], "native_at_max_ms": worst["native_ms"],
                         "browser_median_ms": sorted(t["browser_ms"] for t in timings)[len(timings) // 2],
                         "roundtrip_max_ms": max(t["roundtrip_ms"] for t in timings),
                         "slowdown": worst["browser_ms"] / max(worst["native_ms"], 1e-3),
                         "worst_values": json.dumps(worst["values"], ensure_ascii=False)})
    finally:
        page.close()
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=3, help="random positions per slider")
    parser.add_argument("--pages", type=int, default=0, help="only the first N explorer pages (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-record", action="store_true", help="print the tables only")
    args = parser.parse_args(argv)
    if not (HTML / "live" / "manifest.json").exists():
        raise SystemExit("No built site with live files: run `make book` first.")
    from playwright.sync_api import sync_playwright

    manifest = json.loads((HTML / "live" / "manifest.json").read_text())
    files = first_live_files(manifest)
    pages = explorer_pages(HTML)[: args.pages or None]
    load_before = os.getloadavg()
    server, url = serve(HTML)
    rng = random.Random(args.seed)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            context = browser.new_context(service_workers="block")
            outside = []
            context.on("request", lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else None)
            page = context.new_page()
            page.goto(f"{url}/{pages[0]}", wait_until="load")
            page.wait_for_selector("div.book-explorer[data-mounted]", timeout=30_000)
            cold_s = go_live(page, page.locator("div.book-explorer").first)
            stats = json.loads(page.evaluate("JSON.stringify(window.bookLive.stats)"))
            fetched = page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('/live/'))"
                                    ".reduce((n, e) => n + e.transferSize, 0)")
            page.close()
            for rel in pages:
                rows += measure_page(context, url, rel, args.moves, rng)
                print(f"  {rel}: done", flush=True)
            browser.close()
    finally:
        server.shutdown()
    live_rows = [r for r in rows if r.get("live") == "yes"]
    print_table(live_rows, ["explorer", "start_s", "moves", "browser_max_ms", "native_at_max_ms", "slowdown",
                            "roundtrip_max_ms"])
    per_part = {}
    for r in live_rows:
        if r["browser_max_ms"] > per_part.get(r["part"], {}).get("browser_max_ms", -1):
            per_part[r["part"]] = r
    summary = {"cold_start_s": cold_s, "ready_ms": stats.get("ready_ms"),
               "first_live_bytes": stats.get("bytes", 0) + fetched,
               "first_live_files_bytes": sum(f.stat().st_size for f in files),
               "first_live_gzip_bytes": gzip_bytes(files),
               "explorers_live": len(live_rows), "explorers_not_live": len(rows) - len(live_rows),
               "over_goal": sum(r["browser_max_ms"] > GOAL_MS for r in live_rows),
               "slowest_ms": max((r["browser_max_ms"] for r in live_rows), default=float("nan")),
               **{f"slowest_{part}_ms": r["browser_max_ms"] for part, r in per_part.items()},
               **{f"slowest_{part}_explorer": r["explorer"] for part, r in per_part.items()},
               **{f"slowest_{part}_native_ms": r["native_at_max_ms"] for part, r in per_part.items()},
               "requests_outside": len(outside), "goal_ms": GOAL_MS,
               "load_before": [round(x, 2) for x in load_before],
               "load_after": [round(x, 2) for x in os.getloadavg()]}
    summary["goal_met"] = summary["over_goal"] == 0 and summary["explorers_not_live"] == 0
    print()
    print_table([summary])
    if not args.no_record:
        record("live", {"moves": args.moves, **({"pages": args.pages} if args.pages else {})}, rows, summary)


if __name__ == "__main__":
    main()
