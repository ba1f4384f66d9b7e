"""The recorded benchmark results (``book/data/bench/<name>.json``, written by ``bench/``) for the Performance page.

A result holds ``bench``, ``date``, ``machine`` (CPU, cores, memory, versions, commit), ``parameters``, ``summary``
and ``rows``; rows may carry a ``table`` key when one benchmark records several tables. Every function accepts a
missing result (``None``) and then says "not recorded yet" instead of failing, so the page builds before any run.
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

from lib.explore.tables import html_table

__all__ = ["DATA", "GOALS", "load_latest", "value", "rows", "table_html", "provenance", "missing_html",
           "goal_rows", "goals_html"]

#: Where ``bench/record.py`` writes the latest result of each benchmark.
DATA = Path(__file__).resolve().parents[1] / "book" / "data" / "bench"

#: The goals of the Performance page: (benchmark, goal, summary key of the measured value, unit, test of the value).
GOALS = [
    ("truncation", "dense Δ(w) at W = 512: library ≥ 20× faster than one pass per (target, window), same "
     "log-probabilities", "speedup", "×", lambda s: s.get("goal_speedup_met", False)),
    ("truncation", "dense Δ(w) at W = 512: library within 1.5× of the forward-pass roofline", "x_roofline",
     "× roofline", lambda s: s.get("goal_roofline_met", False)),
    ("simulate", "simulator ≥ 50× faster than a plain per-replicate Python loop (sign, d = 256, B = 16, T = 2000, "
     "64 replicates)", "ratio_python_sign", "×",
     lambda s: s.get("at_goal_setting", True) and s.get("ratio_python_sign", 0) >= s.get("goal_ratio", 50)),
    ("simulate", "the same for stochastic rounding", "ratio_python_sr", "×",
     lambda s: s.get("at_goal_setting", True) and s.get("ratio_python_sr", 0) >= s.get("goal_ratio", 50)),
    ("explorers", "no page over 3 MB of precomputed data", "largest_page_mb", "MB",
     lambda s: 0 < s.get("largest_page_mb", 0) <= 3.0),
    ("explorers", "every live update ≤ 1 s", "slowest_live_s", "s", lambda s: s.get("slowest_live_s", 2.0) <= 1.0),
    ("build", "clean `make book` ≤ 5 minutes on 2 cores", "wall_seconds", "s",
     lambda s: s.get("wall_seconds", 1e9) <= s.get("goal_seconds", 300) and s.get("exit_code", 1) == 0),
    ("long-gemma3-270m", "long-context measurement of one 4096-token article: peak memory ≤ 6 GB (Gemma 3)",
     "peak_rss_gb", "GB", lambda s: s.get("goal_rss_met", False)),
]


def load_latest(name: str, folder: Path | str | None = None) -> dict | None:
    """The latest recorded result of benchmark ``name`` (e.g. ``"simulate"``), or None if it was never run.

    Parameters
    ----------
    name : str
        The benchmark: ``truncation``, ``simulate``, ``explorers`` or ``build``.
    folder : path, optional
        Where to look (default :data:`DATA`).
    """
    path = Path(folder or DATA) / f"{name}.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text())
    if not isinstance(result, dict) or "summary" not in result or "rows" not in result:
        raise ValueError(f"{path} is not a recorded benchmark result (no `summary` and `rows`)")
    return result


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
    return html_table(headers or columns, [[_cell(r.get(c, ""), digits) for c in columns] for r in picked])


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
    for bench, goal, key, unit, test in GOALS:
        result = load_latest(bench, folder)
        if result is None:
            out.append({"benchmark": bench, "goal": goal, "measured": "not recorded yet", "met": "–"})
            continue
        summary = result["summary"]
        measured = value(result, key)
        out.append({"benchmark": bench, "goal": goal, "measured": f"{_cell(measured, 3)} {unit}",
                    "met": "yes" if test(summary) else "no"})
    return out


def goals_html(folder: Path | str | None = None) -> str:
    """:func:`goal_rows` as an HTML table."""
    fake = {"bench": "goals", "summary": {}, "rows": goal_rows(folder)}
    return table_html(fake, ["benchmark", "goal", "measured", "met"])
