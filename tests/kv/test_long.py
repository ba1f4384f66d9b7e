"""Tests of the long-context protocol (lib.kv.long), nll_excess, chunked logits and sampled text (lib.kv.sample)."""
import numpy as np
import pytest

import lib.kv.corpus as corpus
import lib.kv.models as models
from lib.kv import store
from lib.kv.__main__ import main
from lib.kv.long import LONG_VARIANTS, LongPlan, forward_tokens, long_plan, plan_segments, unit_rows
from lib.kv.measure import make_plan, run, units
from lib.kv.sample import generate, load_segments, sample_ids
from lib.kv.truncation import FullContext, _kl_rows

TINY = LongPlan("smollm2-135m", segments=3, windows=(2, 4, 8), removed=(4, 16), sink=1, random_segments=2)


class _Tokenizer:
    bos_token_id = None
    eos_token = "<eos>"
    all_special_ids = [0]

    def __call__(self, text, add_special_tokens=True):
        return {"input_ids": [5 + (len(w) % 50) for w in text.split()]}

    def get_vocab(self):
        return {"<eos>": 0}

    def convert_tokens_to_ids(self, tok):
        return 0

    def decode(self, ids):
        return " ".join(f"t{i}" for i in ids)


@pytest.fixture
def long_world(monkeypatch, tiny_llama):
    rng = np.random.default_rng(5)
    segs = [corpus.Segment(i, f"text {i}", rng.integers(3, 97, size=TINY.length)) for i in range(3)]
    monkeypatch.setattr(models, "load_model", lambda name=None, device="cpu": (tiny_llama, _Tokenizer()))
    monkeypatch.setattr(corpus, "segments", lambda tok, n, length=1024, min_chars=2000: segs[:n])
    return segs


def _direct_logp(model, ids, positions=None):
    """float64 log-laws of the last position of one plain forward (explicit mask with position ids)."""
    import torch

    x = torch.as_tensor(np.asarray(ids))[None]
    kw = {} if positions is None else dict(position_ids=torch.as_tensor(np.asarray(positions))[None],
                                           attention_mask=torch.ones_like(x))
    with torch.inference_mode():
        return torch.log_softmax(model(input_ids=x, **kw).logits[0, -1].double(), -1)


def _naive(model, ids, variant, t, w, sink, bos=None):
    """(KL, nll_excess) at target t from two separate direct passes: the full past and the retained tokens."""
    policy, _, flag = variant.partition(":")
    keep = np.arange(t - w, t) if policy == "sliding" else np.r_[np.arange(sink), np.arange(t - w + sink, t)]
    pre = [] if bos is None else [bos]
    lp = _direct_logp(model, pre + list(ids[:t]))
    nb = len(pre)
    pos = np.r_[np.arange(nb), keep + nb] if flag == "pres" else None
    lq = _direct_logp(model, pre + list(ids[keep]), pos)
    x = int(ids[t])
    return float((lp.exp() * (lp - lq)).sum()), float(lp[x] - lq[x])


class TestPlan:
    def test_default_plan_meets_the_issue(self):
        plan = long_plan("smollm2-135m")
        assert plan.segments >= 32 and plan.random_segments >= 16 and plan.windows[0] == 4
        assert plan.windows[-1] == 2048 and {256, 1024, 2048} <= set(plan.removed)
        assert plan.length == max(plan.removed) + 2048 + 1
        ratios = np.diff(np.log2(plan.windows))
        assert np.all((ratios > 0.35) & (ratios < 0.65))  # the sqrt(2) grid, rounded to integers

    def test_forward_tokens_counts_every_pass(self):
        cost = forward_tokens(TINY)
        assert cost["sliding"] == 3 * 2 * 8 and cost["random"] == 2 * 2 * (2 + 4 + 8)
        assert cost["full"] == 3 * TINY.length and cost["total"] == sum(v for k, v in cost.items() if k != "total")

    def test_units_give_random_only_to_its_segments(self):
        got = units(TINY)
        assert (2, "random") not in got and (1, "random") in got and (2, "sink:pres") in got
        assert len(got) == 3 * 4 + 2

    @pytest.mark.parametrize("kwargs, name", [(dict(windows=(4, 2)), "windows"), (dict(windows=(1,)), "sink"),
                                              (dict(removed=()), "removed"), (dict(removed=(0, 4)), "removed"),
                                              (dict(random_segments=9), "random_segments"),
                                              (dict(corpus="books"), "corpus")])
    def test_bad_plans_name_the_parameter(self, kwargs, name):
        with pytest.raises(ValueError, match=f"`{name}`"):
            LongPlan("smollm2-135m", **{**dict(segments=3, sink=1), **kwargs})

    def test_unknown_protocol_is_a_clear_error(self, capsys):
        with pytest.raises(ValueError, match="unknown `protocol` 'longer'"):
            make_plan("longer", "smollm2-135m")
        with pytest.raises(SystemExit):
            main(["measure", "--model", "smollm2-135m", "--protocol", "longer"])
        assert "--protocol: invalid choice" in capsys.readouterr().err

    def test_corpus_too_short_names_the_parameters(self):
        plan = LongPlan("smollm2-135m", segments=500, removed=(256,), windows=(8,))
        with pytest.raises(ValueError, match="`segments`=500 articles of `length`"):
            plan_segments(plan, _Tokenizer())

    def test_removed_longer_than_the_article_is_refused(self, tiny_llama):
        seg = corpus.Segment(0, "short", np.arange(3, 23))
        with pytest.raises(ValueError, match="`removed` up to 16"):
            unit_rows(tiny_llama, TINY, seg, "sliding", None, FullContext(tiny_llama, seg.ids))


class TestExactness:
    @pytest.mark.parametrize("variant", LONG_VARIANTS[:4])
    def test_shared_start_rows_equal_separate_passes(self, tiny_llama, variant):
        ids = np.random.default_rng(2).integers(3, 97, size=TINY.length)
        seg = corpus.Segment(0, "x", ids)
        rows = unit_rows(tiny_llama, TINY, seg, variant, None, FullContext(tiny_llama, ids))
        assert len(rows) == len(TINY.removed) * sum(w > TINY.sink or variant.startswith("sliding")
                                                    for w in TINY.windows)
        for policy, pres, _, t, w, kl, n, r, nll in rows:
            assert t == r + w and n == 1 and pres == variant.endswith(":pres")
            want_kl, want_nll = _naive(tiny_llama, ids, variant, t, w, TINY.sink)
            assert kl == pytest.approx(want_kl, rel=1e-4, abs=1e-6)
            assert nll == pytest.approx(want_nll, rel=1e-4, abs=1e-5)

    @pytest.mark.parametrize("variant", ["sliding", "sink"])
    def test_with_bos_and_local_layers(self, tiny_gemma, variant):
        """Gemma-like, BOS kept at 0: re-indexed passes are contiguous, so the model's own local mask applies."""
        ids = np.random.default_rng(4).integers(3, 97, size=TINY.length)
        seg = corpus.Segment(0, "x", ids)
        plan = LongPlan("gemma3-270m", segments=1, windows=(2, 4, 8), removed=(4, 16), sink=1, random_segments=0)
        rows = unit_rows(tiny_gemma, plan, seg, variant, 1, FullContext(tiny_gemma, ids, 1))
        for _, _, _, t, w, kl, _, _, nll in rows:
            want_kl, want_nll = _naive(tiny_gemma, ids, variant, t, w, plan.sink, bos=1)
            assert kl == pytest.approx(want_kl, rel=1e-4, abs=1e-6)
            assert nll == pytest.approx(want_nll, rel=1e-4, abs=1e-5)

    def test_random_rows_have_the_budget_and_finite_values(self, tiny_llama):
        ids = np.random.default_rng(2).integers(3, 97, size=TINY.length)
        rows = unit_rows(tiny_llama, TINY, corpus.Segment(0, "x", ids), "random", None, FullContext(tiny_llama, ids))
        kl, nll = np.array([r[5] for r in rows]), np.array([r[8] for r in rows])
        assert np.all(kl >= 0) and np.all(np.isfinite(nll)) and kl.std() > 0

    def test_chunked_logits_equal_unchunked(self, tiny_gemma):
        import torch

        g = torch.Generator().manual_seed(0)
        hp, hq = torch.randn(37, 32, generator=g), torch.randn(37, 32, generator=g)
        tokens = np.random.default_rng(0).integers(0, 97, size=37)
        whole = _kl_rows(tiny_gemma, hp, hq, tokens, chunk=1000)
        for chunk in (1, 5, 32):
            parts = _kl_rows(tiny_gemma, hp, hq, tokens, chunk=chunk)
            for a, b in zip(parts, whole):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)  # float32 head: BLAS blocking differs
        assert whole[0].shape == (37,) and np.all(whole[0] > 0)


class TestRun:
    def test_interrupted_long_run_resumes_to_the_same_file(self, long_world, tmp_path):
        data, work = tmp_path / "data", tmp_path / "work"
        with pytest.raises(RuntimeError, match="simulated interruption"):
            run(TINY, data_dir=data, work_root=work, progress=False, fail_after=4)
        assert not (data / "smollm2-135m-long.csv").exists()
        run(TINY, data_dir=data, work_root=work, progress=False, resume=True)
        resumed = (data / "smollm2-135m-long.csv").read_bytes()
        run(TINY, data_dir=tmp_path / "clean", work_root=tmp_path / "w2", progress=False)
        assert resumed == (tmp_path / "clean" / "smollm2-135m-long.csv").read_bytes()
        m = store.load("smollm2-135m-long", data)
        assert set(m.rows["removed"]) == set(TINY.removed) and np.all(np.isfinite(m.rows["nll_excess"]))
        assert np.array_equal(m.rows["target"], m.rows["removed"] + m.rows["window"])
        assert m.meta["protocol"]["forward_tokens"]["total"] == forward_tokens(TINY)["total"]

    def test_old_files_load_with_the_optional_columns_filled(self, tmp_path):
        from lib import store as house

        rows = {c: [v] for c, v in zip(store.COLUMNS, ["sliding", False, 0, 9, 4, 0.5, 1])}
        house.write_table(tmp_path / "old", rows, {k: "x" for k in store.REQUIRED_META if k != "csv_sha256"})
        assert (tmp_path / "old.csv").read_text().splitlines()[0] == ",".join(store.COLUMNS)
        m = store.load("old", tmp_path)
        assert m.rows["removed"].tolist() == [-1] and np.isnan(m.rows["nll_excess"][0])


class TestSampling:
    def test_kv_cache_sampling_equals_recomputed_sampling(self, tiny_llama):
        import torch

        got = sample_ids(tiny_llama, [0], 3, 20, seed=7)
        gen = torch.Generator().manual_seed(7)
        x = torch.zeros((3, 20), dtype=torch.int64)
        with torch.inference_mode():
            for t in range(1, 20):
                probs = torch.softmax(tiny_llama(input_ids=x[:, :t]).logits[:, -1].double(), -1)
                x[:, t] = torch.multinomial(probs, 1, generator=gen)[:, 0]
        np.testing.assert_array_equal(got, x.numpy())
        assert not np.array_equal(got, sample_ids(tiny_llama, [0], 3, 20, seed=8))

    def test_generate_stores_resumable_samples_that_load_as_segments(self, tiny_llama, tmp_path, monkeypatch):
        monkeypatch.setenv("INFOTHEORY_BOOK_CACHE", str(tmp_path / "cache"))
        out = generate("tiny", n=3, length=30, seed=1, batch=2, progress=False, out=tmp_path / "s.json",
                       loaded=(tiny_llama, _Tokenizer()))
        again = generate("tiny", n=3, length=30, seed=1, batch=2, progress=False, out=tmp_path / "t.json",
                         loaded=(tiny_llama, _Tokenizer()))
        segs = load_segments("tiny", 3, 25, path=out)
        assert [len(s.ids) for s in segs] == [25] * 3 and segs[0].ids[0] == 0
        assert [s.ids.tolist() for s in load_segments("tiny", 3, 30, path=again)] == \
               [s.ids.tolist() for s in load_segments("tiny", 3, 30, path=out)]  # resumed from the cached batches
        with pytest.raises(ValueError, match="fewer than `segments`=4"):
            load_segments("tiny", 4, 25, path=out)
        with pytest.raises(ValueError, match="shorter than the `length` 31"):
            load_segments("tiny", 1, 31, path=out)


def test_merge_refuses_parts_measured_under_different_versions(long_world, tmp_path):
    import json

    from lib.kv.measure import merge, work_dir

    plan = LongPlan("smollm2-135m", segments=1, windows=(2, 4), removed=(4,), sink=1, random_segments=0)
    run(plan, data_dir=tmp_path, work_root=tmp_path / "w", progress=False)
    part = sorted(work_dir(plan, plan.name(), tmp_path / "w").glob("seg*.json"))[0]
    body = json.loads(part.read_text())
    part.write_text(json.dumps(dict(body, versions={"torch": "0", "transformers": "0"})))
    with pytest.raises(ValueError, match="different torch/transformers versions"):
        merge(plan, data_dir=tmp_path, work_root=tmp_path / "w")


def test_sample_command_refuses_an_unknown_model(capsys):
    assert main(["sample", "--model", "gpt-2", "--n", "1"]) == 2
    assert "unknown `model` 'gpt-2'" in capsys.readouterr().err
