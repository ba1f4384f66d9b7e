"""lib.benchdata: reading recorded benchmark results for the Performance page (no benchmark runs here)."""
from __future__ import annotations

import json
import math

import pytest

from lib import benchdata

RESULT = {
    "bench": "simulate", "date": "2026-01-01T00:00:00+00:00",
    "machine": {"cpu": "Test CPU", "cores": 2, "memory_gib": 8.0, "python": "3.11.0", "numpy": "2.0",
                "commit": "abc1234"},
    "parameters": {"d": 256, "T": 2000},
    "summary": {"ratio_python_sign": 12.5, "ratio_python_sr": 60.0, "goal_ratio": 50.0, "load_before": [1.0, 2.0, 3.0],
                "label": "text"},
    "rows": [{"table": "comparison", "scheme": "sign", "library_s": 1.25, "goal_met": False},
             {"table": "comparison", "scheme": "stochastic_rounding", "library_s": 0.5, "goal_met": True},
             {"table": "scaling", "vary": "d", "d": 64, "seconds": 0.1}],
}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "simulate.json").write_text(json.dumps(RESULT))
    return tmp_path


def test_load_latest_parses_a_recorded_file(folder):
    result = benchdata.load_latest("simulate", folder)
    assert result["machine"]["cpu"] == "Test CPU"
    assert benchdata.value(result, "ratio_python_sign") == 12.5
    assert isinstance(benchdata.value(result, "ratio_python_sign"), float)


def test_missing_file_gives_none_and_the_not_recorded_notice(tmp_path):
    assert benchdata.load_latest("build", tmp_path) is None
    text = benchdata.provenance(None, "build")
    assert "Not recorded yet" in text and "python -m bench.build" in text
    assert benchdata.table_html(None) == ""  # the notice is given once, by the provenance line
    assert math.isnan(benchdata.value(None, "wall_seconds"))
    assert benchdata.rows(None) == []


def test_value_of_a_missing_or_non_numeric_key_is_the_default(folder):
    result = benchdata.load_latest("simulate", folder)
    assert math.isnan(benchdata.value(result, "absent"))
    assert benchdata.value(result, "label", default=-1.0) == -1.0


def test_table_has_one_html_row_per_recorded_row_of_that_table(folder):
    result = benchdata.load_latest("simulate", folder)
    assert len(benchdata.rows(result, "comparison")) == 2
    text = benchdata.table_html(result, ["scheme", "library_s", "goal_met"], table="comparison",
                                headers=["scheme", "library (s)", "goal met"])
    assert text.count("<tr>") == 3  # header + two rows
    assert "stochastic_rounding" in text and "library (s)" in text and "<td>yes</td>" in text
    assert "<td>1.25</td>" in text
    assert benchdata.table_html(result, table="scaling").count("<tr>") == 2
    assert benchdata.table_html(result, table="comparison", limit=1).count("<tr>") == 2


def test_cells_are_escaped(folder):
    result = {**RESULT, "rows": [{"name": "<script>"}]}
    assert "<script>" not in benchdata.table_html(result)


def test_provenance_names_machine_commit_and_load(folder):
    text = benchdata.provenance(benchdata.load_latest("simulate", folder))
    assert "Test CPU" in text and "abc1234" in text and "1.0 / 2.0 / 3.0" in text and "d = 256" in text


def test_goal_rows_cover_every_goal_and_say_which_are_missing(folder):
    goals = benchdata.goal_rows(folder)
    assert len(goals) == len(benchdata.GOALS)
    sim = [g for g in goals if g["benchmark"] == "simulate"]
    assert [g["met"] for g in sim] == ["no", "yes"]
    assert all(g["measured"] == "not recorded yet" for g in goals if g["benchmark"] != "simulate")
    assert benchdata.goals_html(folder).count("<tr>") == len(benchdata.GOALS) + 1


def test_a_file_that_is_not_a_result_is_an_error(tmp_path):
    (tmp_path / "x.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a recorded benchmark result"):
        benchdata.load_latest("x", tmp_path)


def test_a_store_record_is_read_with_its_provenance(tmp_path):
    from lib import store
    payload = {key: RESULT[key] for key in ("bench", "parameters", "summary", "rows")}
    meta = store.provenance(command="python -m bench.simulate", machine=RESULT["machine"])
    store.write_record(tmp_path / "simulate.json", payload, meta)
    result = benchdata.load_latest("simulate", tmp_path)
    assert result["summary"] == RESULT["summary"] and result["date"] == meta["date"]
    assert result["machine"]["cpu"] == "Test CPU" and result["command"] == "python -m bench.simulate"
    assert "Test CPU" in benchdata.provenance(result)


def test_the_page_reads_the_benchmarks_verdict_and_never_judges_again(tmp_path):
    # the ratio 60 would pass a re-judged goal of 50; the benchmark's own verdict (False) is what the page shows
    rows = [{**r, "goal_met": False} if r.get("scheme") == "stochastic_rounding" else r for r in RESULT["rows"]]
    (tmp_path / "simulate.json").write_text(json.dumps({**RESULT, "rows": rows}))
    sim = [g for g in benchdata.goal_rows(tmp_path) if g["benchmark"] == "simulate"]
    assert [g["met"] for g in sim] == ["no", "no"]


@pytest.mark.parametrize("summary,expected", [({"goal_page_met": False, "goal_met": True}, False),
                                              ({"goal_met": True}, True), ({"goal_met": False}, None), ({}, None)])
def test_verdict_of_a_summary_key(summary, expected):
    assert benchdata.verdict({"summary": summary, "rows": []}, "goal_page_met") is expected


def test_simulate_numbers_from_a_synthetic_record():
    size = [{"table": "size", "MiB_per_array": m, "ns_per_element_round": ns, "numpy_add_GBps": bw}
            for m, ns, bw in [(0.01, 80.0, 5.0), (0.5, 30.0, 20.0), (2.0, 32.0, 18.0), (8.0, 40.0, 10.0),
                              (32.0, 50.0, 4.0)]]
    profile = [{"table": "profile", "scheme": "sign", "function": "oracles.py:50(noise)", "own_s": 0.2},
               {"table": "profile", "scheme": "sign", "function": "~:0(numpy.argpartition)", "own_s": 0.1},
               {"table": "profile", "scheme": "stochastic_rounding", "function": "noise", "own_s": 9.0}]
    result = {"bench": "simulate", "parameters": {"d": 10, "T": 100, "reps": 2}, "summary": {"slope_d": 0.9},
              "rows": size + profile}
    out = benchdata.simulate_numbers(result)
    element_rounds = 10 * 100 * 2
    assert out["sim_ns_noise"] == pytest.approx(1e9 * 0.2 / element_rounds)
    assert out["sim_ns_argpartition"] == pytest.approx(1e9 * 0.1 / element_rounds)
    assert (out["sim_ns_smallest"], out["sim_ns_best"], out["sim_ns_largest"]) == (80.0, 30.0, 50.0)
    assert out["sim_mib_memory"] == 8.0  # the first size past 1.25 x the floor of 30 ns, beyond the floor
    assert out["sim_bandwidth_drop"] == pytest.approx(20.0 / 4.0)
    assert out["sim_slope_d"] == 0.9 and math.isnan(out["sim_slope_T"])


def test_numbers_of_missing_records_are_nan():
    for fn in (benchdata.truncation_numbers, benchdata.simulate_numbers, benchdata.explorers_numbers):
        values = fn(None)
        assert values and all(math.isnan(v) for v in values.values())


def test_truncation_token_ratio():
    result = {"bench": "truncation", "summary": {"speedup": 60.0},
              "rows": [{"table": "timing", "forward_tokens": 100}, {"table": "timing", "forward_tokens": 2500}]}
    out = benchdata.truncation_numbers(result)
    assert out["trunc_token_ratio"] == 25.0 and out["trunc_speedup"] == 60.0


def test_tables_fit_the_text_width(folder):
    from lib.explore.tables import FIT_STYLE
    result = benchdata.load_latest("simulate", folder)
    assert FIT_STYLE in benchdata.simulate_tables(result).data and FIT_STYLE in benchdata.goals_html(folder)
