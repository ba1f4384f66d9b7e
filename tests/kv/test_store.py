"""Tests of lib.kv.store and of the stored data files in book/data/kv."""
import json
import os

import numpy as np
import pytest

from lib.kv import store
from lib.store import write_table


def _rows():
    # two segments; segment 1 averages two targets into one row with n = 2
    return {"policy": ["sliding"] * 4 + ["sink"], "position_preserving": [0, 0, 0, 0, 1],
            "segment": [0, 0, 1, 1, 0], "target": [10, 12, -1, -1, 14], "window": [4, 8, 4, 8, 8],
            "kl": [1.0, 0.5, 2.0, 0.25, 0.75], "n": [1, 1, 2, 2, 1]}


def _meta():
    return {k: "x" for k in ("model", "corpus", "protocol", "versions", "date", "command")}


class TestWriteLoad:
    def test_round_trip_and_curve(self, tmp_path):
        store.write("demo", _rows(), _meta(), data_dir=tmp_path)
        m = store.load("demo", data_dir=tmp_path)
        assert store.names(tmp_path) == ["demo"]
        assert m.variants() == [("sliding", False), ("sink", True)]
        w, mean, per_segment = m.curve("sliding")
        np.testing.assert_array_equal(w, [4, 8])
        np.testing.assert_allclose(per_segment, [[1.0, 0.5], [2.0, 0.25]])
        np.testing.assert_allclose(mean, [1.5, 0.375])
        assert m.rows["kl"].dtype == np.float64 and m.rows["position_preserving"].dtype == bool

    def test_curve_weights_rows_by_their_target_count(self, tmp_path):
        rows = {"policy": ["sliding"] * 3, "position_preserving": [0] * 3, "segment": [0] * 3,
                "target": [-1, 5, 6], "window": [4] * 3, "kl": [1.0, 4.0, 7.0], "n": [2, 1, 1]}
        store.write("w", rows, _meta(), data_dir=tmp_path)
        _, mean, _ = store.load("w", data_dir=tmp_path).curve("sliding")
        assert mean[0] == pytest.approx((2 * 1.0 + 4.0 + 7.0) / 4)

    def test_missing_variant_is_an_error(self, tmp_path):
        store.write("demo", _rows(), _meta(), data_dir=tmp_path)
        with pytest.raises(ValueError, match="no rows for `policy`='random'"):
            store.load("demo", data_dir=tmp_path).curve("random")

    def test_unknown_name_is_an_error(self, tmp_path):
        with pytest.raises(ValueError, match="no stored measurement `name`='nothing'"):
            store.load("nothing", data_dir=tmp_path)

    def test_a_csv_from_another_run_is_refused(self, tmp_path):
        store.write("demo", _rows(), _meta(), data_dir=tmp_path)
        path = tmp_path / "demo.csv"
        path.write_text(path.read_text().replace("0.75", "0.76"))
        with pytest.raises(ValueError, match="does not match the checksum"):
            store.load("demo", data_dir=tmp_path)

    def test_incomplete_provenance_is_refused(self, tmp_path):
        store.write("demo", _rows(), _meta(), data_dir=tmp_path)
        meta = json.loads((tmp_path / "demo.json").read_text())
        del meta["command"]
        (tmp_path / "demo.json").write_text(json.dumps(meta))
        with pytest.raises(ValueError, match=r"lacks the provenance fields \['command'\]"):
            store.load("demo", data_dir=tmp_path)

    def test_bad_rows_are_refused(self, tmp_path):
        rows = _rows()
        del rows["n"]
        with pytest.raises(ValueError, match=r"`rows` lacks the columns \['n'\]"):
            store.write("demo", rows, _meta(), data_dir=tmp_path)
        rows = _rows()
        rows["kl"] = rows["kl"][:2]
        with pytest.raises(ValueError, match="same length"):
            store.write("demo", rows, _meta(), data_dir=tmp_path)


class TestOptionalColumns:
    def test_an_older_file_without_them_is_filled(self, tmp_path):
        # written as the format was before the two columns existed: only COLUMNS
        write_table(tmp_path / "old", {c: _rows()[c] for c in store.COLUMNS}, dict(_meta(), name="old"))
        m = store.load("old", data_dir=tmp_path)
        assert m.rows["removed"].tolist() == [-1] * 5 and np.isnan(m.rows["nll_excess"]).all()
        assert m.rows["removed"].dtype == np.int64 and m.rows["nll_excess"].dtype == np.float64

    def test_newer_rows_round_trip_after_the_existing_columns(self, tmp_path):
        rows = dict(_rows(), removed=[0, 3, 7, 11, 2], nll_excess=[0.1, -0.2, 0.0, 1.5, 0.25])
        store.write("new", rows, _meta(), data_dir=tmp_path)
        header = (tmp_path / "new.csv").read_text().splitlines()[0].split(",")
        assert header == list(store.COLUMNS) + ["removed", "nll_excess"]
        m = store.load("new", data_dir=tmp_path)
        assert m.rows["removed"].tolist() == rows["removed"]
        np.testing.assert_allclose(m.rows["nll_excess"], rows["nll_excess"])

    def test_a_run_that_omits_them_writes_not_recorded(self, tmp_path):
        store.write("plain", _rows(), _meta(), data_dir=tmp_path)
        m = store.load("plain", data_dir=tmp_path)
        assert (m.rows["removed"] == -1).all() and np.isnan(m.rows["nll_excess"]).all()

    def test_unknown_columns_are_refused(self, tmp_path):
        with pytest.raises(ValueError, match=r"unknown columns \['extra'\]"):
            store.write("demo", dict(_rows(), extra=[1] * 5), _meta(), data_dir=tmp_path)


class TestAtomicWrite:
    def test_a_failed_write_leaves_the_old_file_and_no_temporary(self, tmp_path, monkeypatch):
        target = tmp_path / "f.csv"
        store.atomic_write(target, b"old")

        def boom(*args):
            raise OSError("disk full")
        monkeypatch.setattr(os, "replace", boom)
        with pytest.raises(OSError, match="disk full"):
            store.atomic_write(target, b"new")
        assert target.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


STORED = ["smollm2-135m", "gemma3-270m"]


def test_the_curves_live_in_book_data_kv():
    assert store.DATA_DIR.parts[-3:] == ("book", "data", "kv")
    assert set(store.names()) >= set(STORED), store.names()


@pytest.mark.parametrize("name", STORED)
class TestStoredData:
    def test_parses_and_carries_full_provenance(self, name):
        if name not in store.names():
            pytest.skip(f"{name} not measured yet")
        m = store.load(name)
        meta = m.meta
        assert meta["model"]["name"] == name and meta["model"]["version"]
        assert meta["corpus"]["licence"].startswith("CC BY-SA") and len(meta["corpus"]["segments"]) >= 16
        proto = meta["protocol"]
        assert proto["length"] == 1024 and proto["seed"] == 0 and len(proto["starts"]) == proto["n_starts"]
        assert {"torch", "transformers", "infotheory-ml-book-lib"} <= set(meta["versions"])
        assert meta["date"].endswith("Z") and meta["command"].startswith("python -m lib.kv measure")
        assert set(v for v, _ in m.variants()) >= {"sliding", "sink", "random", "block_markov", "evict_sliding"}
        assert np.all(m.rows["kl"] >= 0) and np.all(np.isfinite(m.rows["kl"]))

    def test_rows_are_unique_and_curves_complete(self, name):
        if name not in store.names():
            pytest.skip(f"{name} not measured yet")
        m = store.load(name)
        keys = list(zip(m.rows["policy"], m.rows["position_preserving"], m.rows["segment"], m.rows["target"],
                        m.rows["window"]))
        assert len(set(keys)) == len(keys)
        w, mean, per_segment = m.curve("sliding")
        assert list(w) == m.meta["protocol"]["windows"]
        assert per_segment.shape == (m.meta["protocol"]["segments"], len(w)) and np.isfinite(per_segment).all()


@pytest.mark.parametrize("name", [f"{n}-online" for n in STORED])
def test_online_data_pairs_every_policy_on_the_same_targets(name):
    if name not in store.names():
        pytest.skip(f"{name} not measured yet")
    m = store.load(name)
    proto = m.meta["protocol"]
    assert m.meta["command"].startswith("python -m lib.kv measure") and "online" in proto
    assert {v for v, _ in m.variants()} == {"sliding", "evict_sink", "streaming_llm", "evict_h2o", "h2o"}
    assert np.all(m.rows["kl"] >= 0) and np.all(np.isfinite(m.rows["kl"])) and np.all(m.rows["n"] == 1)
    want = {(s, t, w) for s in range(proto["segments"]) for t in range(*proto["targets"]) for w in proto["windows"]}
    for policy, pres in m.variants():
        sel = m.rows["policy"] == policy
        got = list(zip(m.rows["segment"][sel], m.rows["target"][sel], m.rows["window"][sel]))
        assert len(got) == len(set(got)) and set(got) == want, policy
