"""Tests of lib.kv.examples on a synthetic long measurement and a stub tokenizer (no model, no corpus)."""
import numpy as np
import pytest

from lib.kv.corpus import Segment
from lib.kv.examples import example_rows, load_examples, examples_path
from lib.kv.store import Measurement


class Stub:
    """Decodes token ids as their numbers, space separated."""

    def decode(self, ids):
        return " ".join(str(i) for i in ids)


def _measurement(titles):
    rows = {"policy": np.array(["sliding"] * 2), "position_preserving": np.array([False] * 2),
            "segment": np.array([0, 1]), "target": np.array([30, 40]), "window": np.array([8, 4]),
            "kl": np.array([0.1, 2.0]), "n": np.array([1, 1]), "removed": np.array([22, 36]),
            "nll_excess": np.array([5.1, 1.0])}
    return Measurement("demo-long", {"corpus": {"segments": titles}}, rows)


def test_rows_carry_the_text_around_the_cut():
    segs = [Segment(i, f"a{i}", np.arange(100 * i, 100 * i + 50)) for i in range(2)]
    rows = example_rows(_measurement(["a0", "a1"]), Stub(), segs, k=2, context=3)
    first = rows[0]                                        # the larger gap: 5.0 nats, segment 0
    assert (first["segment"], first["target"], first["window"]) == (0, 30, 8)
    assert first["token"] == "30" and first["kept"] == "27 28 29" and first["removed_text"] == "19 20 21"
    assert rows[1]["kept"] == "137 138 139" and rows[1]["token"] == "140"


def test_mismatched_segments_are_refused():
    segs = [Segment(i, f"b{i}", np.arange(50)) for i in range(2)]
    with pytest.raises(ValueError, match="tokenize"):
        example_rows(_measurement(["a0", "a1"]), Stub(), segs)


def test_missing_or_stale_examples_load_as_none(tmp_path):
    from lib.store import write_record

    assert load_examples("smollm2-135m", data_dir=tmp_path) is None
    path = examples_path("smollm2-135m", tmp_path)
    assert path.name == "smollm2-135m-long-examples.json"
    write_record(path, {"examples": [{"kl": 1.0}]}, {"source_csv_sha256": "abc"})
    assert load_examples("smollm2-135m", "abc", data_dir=tmp_path) == [{"kl": 1.0}]
    assert load_examples("smollm2-135m", "def", data_dir=tmp_path) is None
