"""The chapter view on a synthetic grid that follows the model exactly: fits recover it, optima agree."""
import numpy as np
import pytest

from lib import store
from lib.kv.frontier import distortion
from lib.kv.quantise import kivi_bytes
from lib.kv.views import tokens_or_bits as view


def _grid(tmp_path, C=5.0, alpha=0.9, A=1.0, policy="streaming_llm", stem="toy-quant"):
    rows = {c: [] for c in ("policy", "window", "bits", "group", "entries", "bytes", "segment", "kl", "nll_excess",
                            "n")}
    for s in range(3):
        for w in (16, 32, 64, 128, 256, 480):
            for b in (2, 3, 4, 8, 16):
                trunc = C * w ** -alpha if w < 480 else 0.0
                kl = trunc + (A * 2.0 ** (-2 * b) if b < 16 else 0.0)
                for c, v in zip(rows, (policy, w, b, 32, w, kivi_bytes(w, b, 64, 30, 3), s, kl, kl, 8)):
                    rows[c].append(v)
    store.write_table(tmp_path / stem, rows, {"plan": {"t0": 480, "group": 32}})


def test_fits_recover_the_generating_laws(tmp_path):
    _grid(tmp_path)
    law = view.laws(view.grid("toy", data_dir=tmp_path))
    assert law["alpha"] == pytest.approx(0.9, rel=1e-4) and law["C"] == pytest.approx(5.0, rel=1e-4)  # 6-digit CSV
    assert law["A"] == pytest.approx(1.0, rel=1e-4) and law["slope"] == pytest.approx(-2.0, rel=1e-4)
    assert law["beta"] == pytest.approx(30 * 3 * 64 / 4)


def test_measured_and_predicted_optima_agree_on_model_data(tmp_path):
    _grid(tmp_path)
    g = view.grid("toy", data_dir=tmp_path)
    for M in view.budgets(g):
        s = view.summary("toy", M, data_dir=tmp_path)
        assert s["measured"]["bytes"] <= M
        # at w = t0 neither the data nor the model has a truncation error
        assert (s["measured"]["w"], s["measured"]["b"]) == (s["predicted"]["w"], s["predicted"]["b"])
        assert 1 < s["b_star"] < 16
    assert "measured best" in view.split_table(["toy"], data_dir=tmp_path).data
    _grid(tmp_path / "two", C=1.0)
    (tmp_path / "two" / "toy-quant.csv").rename(tmp_path / "toy2-quant.csv")
    (tmp_path / "two" / "toy-quant.json").rename(tmp_path / "toy2-quant.json")
    view.iso_memory_explorer(["toy", "toy2"], data_dir=tmp_path)  # builds every state without error
    assert distortion(64, 3, 5.0, 0.9, 1.0) == pytest.approx(5.0 * 64 ** -0.9 + 2.0 ** -6)


def test_a_second_token_policy_is_read_from_its_own_table(tmp_path):
    _grid(tmp_path)
    with pytest.raises(ValueError, match="--quant-policy tova"):
        view.grid("toy", "tova", data_dir=tmp_path)
    assert view.policies("toy", data_dir=tmp_path) == ["streaming_llm"]
    _grid(tmp_path, C=1.0, policy="tova", stem="toy-quant-tova")
    assert view.policies("toy", data_dir=tmp_path) == ["streaming_llm", "tova"]
    g = view.grid("toy", "tova", data_dir=tmp_path)
    assert view.laws(g)["C"] == pytest.approx(1.0, rel=1e-4)
    assert view.split_table(["toy"], data_dir=tmp_path).data.count("TOVA") == 2   # one row per budget
    ex = view.iso_memory_explorer(["toy"], data_dir=tmp_path)
    assert list(ex.params[0].options) == ["toy, StreamingLLM", "toy, TOVA"]
    one = view.grid("toy", "tova", data_dir=tmp_path, segments=[1])
    assert one["segments"] == 1 and one["segment_ids"].tolist() == [1]
