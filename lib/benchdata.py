"""The recorded benchmark results (``book/data/bench/<name>.json``, written by ``bench/``) for the Performance page.

A result holds ``bench``, ``date``, ``machine`` (CPU, cores, memory, versions, commit), ``parameters``, ``summary``
and ``rows``; rows may carry a ``table`` key when one benchmark records several tables. Results are
:mod:`lib.store` records (provenance beside the payload); records written before the store are read as they are.
Every function accepts a missing result (``None``) and then says "not recorded yet" instead of failing, so the
page builds before any run. Whether a goal is met is the benchmark's own verdict, stored with its numbers: this
module reads it and never judges a number again.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

from lib import store
from lib.explore.tables import html_table

__all__ = ["DATA", "GOALS", "load_latest", "verdict", "value", "rows", "table_html", "provenance", "missing_html",
           "goal_rows", "goals_html", "show", "summary_numbers", "truncation_numbers", "simulate_numbers",
           "explorers_numbers", "live_numbers", "live_tables", "truncation_tables", "profile_table",
           "simulate_tables", "scaling_table", "size_table", "explorers_tables", "build_tables", "presses_tables"]

#: Where ``bench/record.py`` writes the latest result of each benchmark.
DATA = store.DATA_DIR / "bench"

#: The goals of the Performance page: (benchmark, goal, summary key of the measured value, unit, verdict). The
#: verdict is where the benchmark stored its own judgement: a summary key, or ``(table, {column: value})`` for the
#: ``goal_met`` of one of its rows.
GOALS = [
    ("truncation", "dense Δ(w) at W = 512: library ≥ 20× faster than one pass per (target, window), same "
     "log-probabilities", "speedup", "×", "goal_speedup_met"),
    ("truncation", "dense Δ(w) at W = 512: library within 1.5× of the forward-pass roofline", "x_roofline",
     "× roofline", "goal_roofline_met"),
    ("simulate", "simulator ≥ 50× faster than a plain per-replicate Python loop (sign, d = 256, B = 16, T = 2000, "
     "64 replicates)", "ratio_python_sign", "×", ("comparison", {"scheme": "sign"})),
    ("simulate", "the same for stochastic rounding", "ratio_python_sr", "×",
     ("comparison", {"scheme": "stochastic_rounding"})),
    ("explorers", "no page over 3 MB of precomputed data", "largest_page_mb", "MB", "goal_page_met"),
    ("explorers", "every live update ≤ 1 s", "slowest_live_s", "s", "goal_live_met"),
    ("live", "every live recompute in the browser ≤ 300 ms at default sizes", "slowest_ms", "ms", "goal_met"),
    ("build", "clean `make book` ≤ 5 minutes on 2 cores", "wall_seconds", "s", "goal_met"),
    ("presses", "scoring every press from one prefill: one model's press × budget and (w, b) grids of 32 "
     "articles ≤ 15 min", "projected_32_min", "min", "goal_met"),
    ("long-gemma3-270m", "long-context measurement of one 4096-token article: peak memory ≤ 6 GB (Gemma 3)",
     "peak_rss_gb", "GB", "goal_rss_met"),
]


def load_latest(name: str, folder: Path | str | None = None) -> dict | None:
    """The latest recorded result of benchmark ``name`` (e.g. ``"simulate"``), or None if it was never run.

    Parameters
    ----------
    name : str
        The benchmark: ``truncation``, ``simulate``, ``explorers``, ``live`` or ``build``.
    folder : path, optional
        Where to look (default :data:`DATA`).
    """
    path = Path(folder or DATA) / f"{name}.json"
    if not path.exists():
        return None
    result = store.read_json(path)
    if isinstance(result, dict) and "provenance" in result:
        meta, result = store.read_record(path)
        result = {**result, "date": meta.get("date"), "command": meta.get("command"),
                  "machine": {**meta.get("machine", {}), "commit": (meta.get("commit") or "")[:7]}}
    if not isinstance(result, dict) or "summary" not in result or "rows" not in result:
        raise ValueError(f"{path} is not a recorded benchmark result (no `summary` and `rows`)")
    return result


def verdict(result: dict | None, where) -> bool | None:
    """The benchmark's own verdict on one goal (see :data:`GOALS`), or None if it stored none.

    A record whose benchmark judged all its goals at once (``goal_met`` only) gives True for each goal when that
    verdict is True, and None (not judged separately) when it is False.
    """
    if result is None:
        return None
    if isinstance(where, tuple):
        table, match = where
        found = [r for r in rows(result, table) if all(r.get(k) == v for k, v in match.items())]
        return bool(found[0]["goal_met"]) if found and "goal_met" in found[0] else None
    summary = result["summary"]
    if where in summary:
        return bool(summary[where])
    return True if summary.get("goal_met") is True else None


def value(result: dict | None, key: str, default: float = math.nan) -> float:
    """A summary number as a plain float (``default`` when the result or the key is missing), ready to glue."""
    if result is None:
        return float(default)
    v = result["summary"].get(key, default)
    return float(v) if isinstance(v, (int, float)) else float(default)


def rows(result: dict | None, table: str | None = None) -> list[dict]:
    """The result's rows; with ``table``, only the rows recorded under that table name."""
    if result is None:
        return []
    return [r for r in result["rows"] if table is None or r.get("table") == table]


def _cell(v, digits: int) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        return f"{v:.{digits}g}" if abs(v) < 10**digits else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def missing_html(name: str) -> str:
    """The notice shown in place of a benchmark that has no recorded result."""
    return (f'<p class="bench-missing"><strong>Not recorded yet.</strong> No result of the <code>{html.escape(name)}'
            f'</code> benchmark is stored; run <code>.venv/bin/python -m bench.{html.escape(name)}</code>.</p>')


def table_html(result: dict | None, columns: list[str] | None = None, *, table: str | None = None,
               headers: list[str] | None = None, digits: int = 3, limit: int | None = None) -> str:
    """An HTML table of the result's rows (or of one of its tables); empty for a missing result.

    A section shows :func:`provenance` first, which gives the "not recorded yet" notice once.

    Parameters
    ----------
    result : dict or None
        From :func:`load_latest`.
    columns : list of str, optional
        Row keys to show, in order (default: every key of the first row but ``table``).
    table : str, optional
        Show only the rows recorded under this table name.
    headers : list of str, optional
        Column titles (default: the keys).
    digits : int
        Significant digits of floats.
    limit : int, optional
        Show at most this many rows.
    """
    if result is None:
        return ""
    picked = rows(result, table)[:limit]
    if not picked:
        return f"<p>The recorded <code>{html.escape(result['bench'])}</code> result has no such rows.</p>"
    columns = columns or [c for c in picked[0] if c != "table"]
    return html_table(headers or columns, [[_cell(r.get(c, ""), digits) for c in columns] for r in picked], fit=True)


def provenance(result: dict | None, name: str = "") -> str:
    """One HTML line: when, on which machine, at which commit and under what load the result was recorded.

    For a missing result, the "not recorded yet" notice for benchmark ``name``.
    """
    if result is None:
        return missing_html(name or "?")
    m, s = result.get("machine", {}), result["summary"]
    load = s.get("load_before") or s.get("load")
    parts = [f"recorded {result.get('date', '?')}",
             f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory_gib', '?')} GiB",
             f"Python {m.get('python', '?')}, numpy {m.get('numpy', '?')}"
             + (f", torch {m['torch']}" if "torch" in m else ""),
             f"commit {m.get('commit') or '?'}"]
    if load:
        parts.append("load average " + " / ".join(f"{x:.1f}" for x in load) + " (1, 5, 15 min)")
    params = result.get("parameters") or {}
    if params:
        parts.append("parameters " + ", ".join(f"{k} = {v}" for k, v in params.items()))
    return f'<p class="bench-provenance"><em>{html.escape("; ".join(parts))}.</em></p>'


def goal_rows(folder: Path | str | None = None) -> list[dict]:
    """One row per goal: the benchmark, the goal, the measured value and whether it is met (or not recorded)."""
    out = []
    for bench, goal, key, unit, where in GOALS:
        result = load_latest(bench, folder)
        if result is None:
            out.append({"benchmark": bench, "goal": goal, "measured": "not recorded yet", "met": "–"})
            continue
        met = verdict(result, where)
        out.append({"benchmark": bench, "goal": goal, "measured": f"{_cell(value(result, key), 3)} {unit}",
                    "met": "not judged" if met is None else ("yes" if met else "no")})
    return out


def goals_html(folder: Path | str | None = None) -> str:
    """:func:`goal_rows` as an HTML table."""
    fake = {"bench": "goals", "summary": {}, "rows": goal_rows(folder)}
    return table_html(fake, ["benchmark", "goal", "measured", "met"])


# --- the Performance page: its tables (fitted to the text width) and the numbers its prose quotes ----------------

def show(*parts: str):
    """HTML pieces as one displayable object (a page cell ending with the call shows them)."""
    from IPython.display import HTML

    return HTML("".join(parts))


def summary_numbers(result: dict | None, prefix: str, keys) -> dict:
    """``{prefix_key: value}`` for summary ``keys`` (NaN when missing), for :func:`lib.explore.numbers.numbers`."""
    return {f"{prefix}_{key}": value(result, key) for key in keys}


TRUNCATION_KEYS = ("speedup", "x_roofline", "max_abs_dlogp", "max_abs_dkl", "W", "naive_s", "library_s")
SIMULATE_KEYS = ("ratio_python_sign", "ratio_python_sr", "ratio_python_chosen_sign", "ratio_numpy_sign",
                 "draw_share_sign", "draw_share_sr", "max_rel_mse_diff", "slope_d", "slope_T", "slope_reps",
                 "throughput_floor_elements")


def truncation_numbers(result: dict | None) -> dict:
    """The truncation benchmark's numbers in the prose, with the ratio of tokens the two methods run."""
    tokens = [r["forward_tokens"] for r in rows(result, "timing")] or [math.nan, math.nan]
    return {**summary_numbers(result, "trunc", TRUNCATION_KEYS), "trunc_token_ratio": tokens[1] / tokens[0]}


def simulate_numbers(result: dict | None) -> dict:
    """The simulator benchmark's numbers in the prose: its ratios and slopes, the cost per element and round of
    the noise and of ``argpartition`` (sign scheme, from the profile), and the batch-size sweep: the time per
    element at the smallest, best and largest batch, the array size at which it passes 1.25 times its floor, and
    the fall of numpy's ``add`` bandwidth from its peak to the largest size."""
    params = (result or {}).get("parameters") or {}
    element_rounds = params.get("d", 0) * params.get("T", 0) * params.get("reps", 0) or math.nan
    own = {r["function"]: r["own_s"] for r in rows(result, "profile") if r.get("scheme") == "sign"}
    out = summary_numbers(result, "sim", SIMULATE_KEYS)
    for part in ("noise", "argpartition"):
        seconds = next((v for k, v in own.items() if part in k), math.nan)
        out[f"sim_ns_{part}"] = 1e9 * seconds / element_rounds
    size = rows(result, "size")
    per_element = [r["ns_per_element_round"] for r in size] or [math.nan]
    floor = min(per_element)
    low = per_element.index(floor)
    memory = next((r["MiB_per_array"] for r in size[low:] if r["ns_per_element_round"] > 1.25 * floor), math.nan)
    bandwidth = [r["numpy_add_GBps"] for r in size] or [math.nan]
    out.update(sim_ns_smallest=float(per_element[0]), sim_ns_best=float(floor), sim_ns_largest=float(per_element[-1]),
               sim_mib_memory=float(memory), sim_bandwidth_drop=float(max(bandwidth) / bandwidth[-1]))
    return out


def explorers_numbers(result: dict | None) -> dict:
    """The explorer benchmark's numbers in the prose."""
    return summary_numbers(result, "expl", ("explorers", "largest_page_mb", "slowest_live_s"))


LIVE_KEYS = ("cold_start_s", "first_live_bytes", "first_live_gzip_bytes", "slowest_ms", "over_goal", "explorers_live",
             "requests_outside", "slowest_primer_ms", "slowest_bits_ms", "slowest_kv_ms", "slowest_primer_native_ms",
             "slowest_bits_native_ms", "slowest_kv_native_ms")


def live_numbers(result: dict | None) -> dict:
    """The browser benchmark's numbers in the prose, with the slowest explorer of each part by name."""
    summary = (result or {}).get("summary", {})
    names = {f"live_slowest_{part}_explorer": summary.get(f"slowest_{part}_explorer", "not recorded yet")
             for part in ("primer", "bits", "kv")}
    return {**summary_numbers(result, "live", LIVE_KEYS), **names}


def live_tables(result: dict | None):
    """Provenance and one row per explorer: its slowest recompute in the browser against the same call natively."""
    columns = ["explorer", "moves", "browser_max_ms", "native_at_max_ms", "slowdown", "browser_median_ms"]
    headers = ["explorer", "moves", "slowest in the browser (ms)", "same values natively (ms)", "× native",
               "median in the browser (ms)"]
    return show(provenance(result, "live"), table_html(result, columns, table="explorers", headers=headers))


def truncation_tables(result: dict | None):
    """Provenance and the timing table of the truncation benchmark."""
    columns = ["method", "seconds", "forward_tokens", "tokens_per_s", "gflop_per_s", "x_roofline"]
    headers = ["method", "time (s)", "tokens through the model", "tokens/s", "GFLOP/s", "× roofline"]
    return show(provenance(result, "truncation"), table_html(result, columns, table="timing", headers=headers))


def profile_table(result: dict | None, by_scheme: bool = False):
    """The recorded profile: the functions with the most own time, their calls and share."""
    columns = (["scheme"] if by_scheme else []) + ["function", "calls", "own_s", "share"]
    headers = (["scheme"] if by_scheme else []) + ["function (own time)", "calls", "seconds", "share"]
    return show(table_html(result, columns, table="profile", headers=headers))


def simulate_tables(result: dict | None):
    """Provenance and the comparison of the simulator with the per-replicate loops."""
    columns = ["scheme", "library_s", "draws_s", "python_loop_s", "python_chosen_s", "numpy_loop_s",
               "ratio_python", "ratio_python_chosen", "ratio_numpy"]
    headers = ["scheme", "library (s)", "its draws alone (s)", "plain Python (s)", "plain Python, chosen (s)",
               "numpy per replicate (s)", "× plain Python", "× chosen", "× numpy"]
    return show(provenance(result, "simulate"), table_html(result, columns, table="comparison", headers=headers))


def scaling_table(result: dict | None):
    """How the simulator's time grows with d, T and the replicates."""
    return show(table_html(result, ["vary", "d", "T", "reps", "seconds", "ns_per_element_round"], table="scaling",
                           headers=["varied", "d", "T", "replicates", "time (s)", "ns per element-round"]))


def size_table(result: dict | None):
    """The batch-size sweep of the simulator, beside numpy's own ``add`` bandwidth."""
    columns = ["reps", "elements", "MiB_per_array", "us_per_round", "ns_per_element_round", "numpy_add_GBps"]
    headers = ["replicates", "elements", "MiB per array", "µs per round", "ns per element-round",
               "numpy add (GB/s)"]
    return show(table_html(result, columns, table="size", headers=headers))


def explorers_tables(result: dict | None):
    """Provenance and one row per explorer: states, size, precompute time, slowest live update."""
    columns = ["factory", "states", "kbytes", "precompute_s", "slowest_live_s"]
    headers = ["explorer", "states", "spec (kB)", "precompute (s)", "slowest live update (s)"]
    return show(provenance(result, "explorers"), table_html(result, columns, headers=headers))


def build_tables(result: dict | None):
    """Provenance, the build's summary and its five slowest pages."""
    summary = {"bench": "build", "summary": {}, "rows": [result["summary"]]} if result else None
    return show(provenance(result, "build"),
                table_html(summary, ["wall_seconds", "peak_rss_mib", "site_mib", "pages_executed", "exit_code"],
                           headers=["wall time (s)", "peak memory (MiB)", "site (MiB)", "pages executed",
                                    "exit code"]),
                table_html(result, ["page", "seconds"], limit=5, headers=["slowest pages", "seconds"]))


def presses_tables(result: dict | None):
    """Provenance, what else ran (the benchmark's note), where one article's time goes (stages), and the
    seconds per article of the stored runs."""
    note = (result or {}).get("summary", {}).get("note")
    return show(provenance(result, "presses"), f"<p><em>{html.escape(note)}</em></p>" if note else "",
                table_html(result, ["stage", "seconds", "share"], table="stages",
                           headers=["stage of one article", "seconds", "share"]),
                table_html(result, ["model", "segments", "median_s", "min_s", "max_s", "projected_32_min"],
                           table="stored", headers=["stored run", "articles", "median s/article", "fastest",
                                                    "slowest", "32 articles at the median (min)"]))
