"""The one store: atomic tables and records with provenance, checksums that catch mismatched pairs."""
import json

import numpy as np
import pytest

from lib import store


def test_table_round_trip_with_optional_column(tmp_path):
    store.write_table(tmp_path / "t", {"w": [4, 8], "kl": [0.123456789, 2.0], "sink": [True, False]},
                      store.provenance(command="demo"))
    meta, rows = store.read_table(tmp_path / "t", {"w": int, "kl": float, "sink": bool},
                                  optional={"nll_excess": (float, "nan")}, required_meta=("date", "versions"))
    assert rows["w"].tolist() == [4, 8] and rows["sink"].tolist() == [True, False]
    assert rows["kl"][0] == pytest.approx(0.123457, rel=1e-9)  # six significant digits are kept
    assert np.isnan(rows["nll_excess"]).all() and meta["columns"] == ["w", "kl", "sink"]
    assert meta["command"] == "demo" and meta["versions"]["numpy"] == np.__version__


def test_mismatched_pair_and_missing_column_are_refused(tmp_path):
    store.write_table(tmp_path / "t", {"w": [4]}, {})
    (tmp_path / "t.csv").write_text("w\n5\n")
    with pytest.raises(ValueError, match="checksum"):
        store.read_table(tmp_path / "t", {"w": int})
    store.write_table(tmp_path / "u", {"w": [4]}, {})
    with pytest.raises(ValueError, match="lacks the columns \\['kl'\\]"):
        store.read_table(tmp_path / "u", {"w": int, "kl": float})
    with pytest.raises(ValueError, match="regenerate"):
        store.read_table(tmp_path / "absent", {"w": int})
    with pytest.raises(ValueError, match="same length"):
        store.write_table(tmp_path / "v", {"w": [1, 2], "kl": [1.0]}, {})


def test_record_round_trip_and_failed_write_leaves_no_file(tmp_path):
    store.write_record(tmp_path / "r.json", {"rows": np.arange(3)}, {"bench": "x"})
    meta, payload = store.read_record(tmp_path / "r.json")
    assert meta == {"bench": "x"} and payload == {"rows": [0, 1, 2]}
    with pytest.raises(TypeError, match="cannot store"):
        store.write_json(tmp_path / "bad.json", {"x": object()})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    with pytest.raises(ValueError, match="provenance"):
        store.write_record(tmp_path / "s.json", {"provenance": 1}, {})
    (tmp_path / "plain.json").write_text(json.dumps({"a": 1}))
    with pytest.raises(ValueError, match="not a stored record"):
        store.read_record(tmp_path / "plain.json")
