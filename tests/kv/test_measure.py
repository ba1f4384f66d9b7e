"""Tests of lib.kv.measure and the command line: units, shards, interruption and resume, a stored slice."""
import numpy as np
import pytest

import lib.kv.corpus as corpus
import lib.kv.models as models
from lib.kv import store
from lib.kv.__main__ import main
from lib.kv.measure import Plan, default_plan, online_plan, plan_variants, run, sqrt2_grid, units

TINY = Plan("smollm2-135m", segments=3, length=64, windows=(2, 4, 8), n_starts=2, start_range=(40, 48), sink=1,
            random_starts=1, block_targets=8, evict_windows=(4, 8), evict_from=40, evict_targets=8,
            variant_segments={"evict_sink": 1})


class _Tokenizer:
    bos_token_id = None

    def __call__(self, text, add_special_tokens=True):
        return {"input_ids": [5, 6]}


@pytest.fixture
def tiny_world(monkeypatch, tiny_llama):
    """Route the runner to the tiny model and three synthetic 64-token segments."""
    rng = np.random.default_rng(3)
    segs = [corpus.Segment(i, f"text {i}", rng.integers(3, 97, size=64)) for i in range(3)]
    monkeypatch.setattr(models, "load_model", lambda name=None, device="cpu": (tiny_llama, _Tokenizer()))
    monkeypatch.setattr(corpus, "segments", lambda tok, n, length=1024, min_chars=2000: segs[:n])


def _keys(m):
    return list(zip(m.rows["policy"], m.rows["position_preserving"], m.rows["segment"], m.rows["target"],
                    m.rows["window"]))


class TestPlan:
    def test_sqrt2_grid(self):
        assert sqrt2_grid() == [4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256]

    def test_starts_leave_room_for_every_window(self):
        plan = default_plan("smollm2-135m")
        r = plan.starts()
        assert r.min() >= 512 and r.max() + max(plan.windows) <= plan.length
        assert set(plan.starts(plan.random_starts)) <= set(r)

    def test_shards_partition_the_units(self):
        every = units(TINY)
        parts = [units(TINY, shard=(i, 3)) for i in range(3)]
        assert sorted(sum(parts, [])) == sorted(every) and len(set(every)) == len(every)
        assert (1, "evict_sink") not in every and (0, "evict_sink") in every

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="unknown `model`"):
            default_plan("gpt-2")
        with pytest.raises(ValueError, match="`segments` must be a positive integer"):
            default_plan("smollm2-135m", 0)
        with pytest.raises(ValueError, match="`shard` must be"):
            units(TINY, shard=(2, 2))
        with pytest.raises(ValueError, match="unknown variants"):
            units(TINY, variants=["h2o"])


class TestRun:
    def test_interrupted_run_resumes_without_loss_or_duplicates(self, tiny_world, tmp_path):
        data, work = tmp_path / "data", tmp_path / "work"
        with pytest.raises(RuntimeError, match="simulated interruption"):
            run(TINY, "t", data_dir=data, work_root=work, progress=False, fail_after=5)
        assert not (data / "t.csv").exists()
        assert len(list(work.glob("*/seg*.json"))) == 5
        with pytest.raises(ValueError, match="pass --resume"):
            run(TINY, "t", data_dir=data, work_root=work, progress=False)
        run(TINY, "t", data_dir=data, work_root=work, progress=False, resume=True)
        resumed = store.load("t", data)
        run(TINY, "clean", data_dir=data, work_root=work, progress=False)
        clean = store.load("clean", data)
        assert len(set(_keys(resumed))) == len(_keys(resumed))
        assert _keys(resumed) == _keys(clean)
        np.testing.assert_allclose(resumed.rows["kl"], clean.rows["kl"], rtol=1e-5)
        assert {v for v, _ in resumed.variants()} == {v.split(":")[0] for v in plan_variants(TINY)}

    def test_shards_merge_when_the_last_one_finishes(self, tiny_world, tmp_path):
        kw = dict(data_dir=tmp_path, work_root=tmp_path / "w", progress=False, variants=["sliding", "sink"])
        assert run(TINY, "s", shard=(0, 2), **kw) is None
        assert run(TINY, "s", shard=(1, 2), **kw) == tmp_path / "s.csv"
        assert len(store.load("s", tmp_path).rows["kl"]) == 3 * 2 * (3 + 3)

    def test_fresh_discards_finished_units(self, tiny_world, tmp_path):
        kw = dict(data_dir=tmp_path, work_root=tmp_path / "w", progress=False, variants=["sliding"])
        run(TINY, "f", **kw)
        assert run(TINY, "f", fresh=True, **kw) == tmp_path / "f.csv"


class TestOnlineProtocol:
    def test_online_plan_pairs_every_policy_on_common_targets(self):
        plan = online_plan("gemma3-270m")
        assert plan.common_targets().min() - max(plan.windows) >= 128 and plan_variants(plan)[0] == "sliding"
        assert {v for _, v in units(plan)} == {"sliding", "evict_sink", "streaming_llm", "evict_h2o", "h2o"}
        with pytest.raises(ValueError, match="--protocol online"):
            units(default_plan("smollm2-135m"), variants=["streaming_llm"])

    def test_a_tiny_online_run_stores_every_policy_at_the_same_targets(self, tiny_world, tmp_path):
        plan = Plan("smollm2-135m", segments=2, length=64, windows=(4, 8), sink=1, evict_windows=(),
                    targets=(40, 46, 2))
        out = run(plan, data_dir=tmp_path, work_root=tmp_path / "w", progress=False,
                  variants=["sliding", "evict_sink", "streaming_llm", "evict_h2o", "h2o"])
        assert out == tmp_path / "smollm2-135m-online.csv"
        m = store.load("smollm2-135m-online", tmp_path)
        assert len(m.rows["kl"]) == 5 * 2 * 3 * 2 and "online" in m.meta["protocol"]
        for policy, _ in m.variants():
            sel = m.rows["policy"] == policy
            assert sorted(set(m.rows["target"][sel])) == [40, 42, 44]


class TestCommandLine:
    def test_unknown_model_is_a_clear_error(self, capsys):
        assert main(["measure", "--model", "gpt-2"]) == 2
        assert "unknown `model` 'gpt-2'" in capsys.readouterr().err

    def test_bad_shard_is_refused(self, capsys):
        with pytest.raises(SystemExit):
            main(["measure", "--model", "smollm2-135m", "--shard", "3/2"])
        assert "--shard i/n needs 0 <= i < n" in capsys.readouterr().err

    def test_dry_run_lists_the_units(self, capsys):
        assert main(["measure", "--model", "smollm2-135m", "--dry-run", "--segments", "2",
                     "--variants", "sliding", "sink"]) == 0
        assert capsys.readouterr().out.split("\n")[:4] == ["0 sliding", "0 sink", "1 sliding", "1 sink"]


@pytest.mark.model
def test_a_slice_regenerated_by_the_command_matches_the_stored_numbers(tmp_path):
    if "smollm2-135m" not in store.names():
        pytest.skip("smollm2-135m not measured yet")
    assert main(["measure", "--model", "smollm2-135m", "--segments", "1", "--variants", "sliding",
                 "--name", "slice", "--data-dir", str(tmp_path), "--work-dir", str(tmp_path / "w")]) == 0
    new, old = store.load("slice", tmp_path), store.load("smollm2-135m")
    stored = {k: v for k, v in zip(_keys(old), old.rows["kl"])}
    again = [stored[k] for k in _keys(new)]
    np.testing.assert_allclose(new.rows["kl"], again, rtol=1e-4, atol=1e-6)
