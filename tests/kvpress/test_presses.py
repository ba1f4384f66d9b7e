"""One-shot press and quantised-cache measurement (lib.kv.presses, lib.kv.press_measure) on tiny models."""
import numpy as np
import pytest
import torch

import lib.kv.corpus as corpus
import lib.kv.models as models
from lib import store
from lib.kv.press_measure import PRESS_COLUMNS, QUANT_COLUMNS, press_plan, quant_plan, run_presses, segment_rows
from lib.kv.presses import PRESSES, _ratio, compressed_layers, make_press, prefill, read_kl, read_logp

T0, K = 40, 8


def _context(kind, ids):
    return ([2] if kind == "gemma" else []) + ids[:T0].tolist()


def test_the_uncompressed_read_equals_one_full_pass(tiny, tiny_ids):
    kind, model = tiny
    ctx = _context(kind, tiny_ids)
    pre = prefill(model, ctx, {}, [])
    read = read_logp(model, [compressed_layers(pre, None, None)], tiny_ids[T0:T0 + K], pre.n_past)[0]
    x = torch.tensor(ctx + tiny_ids[T0:T0 + K].tolist())[None]
    with torch.no_grad():
        full = torch.log_softmax(model(x, attention_mask=torch.ones_like(x)).logits[0, -K:].double(), -1)
    assert (read - full).abs().max().item() < 1e-5


@pytest.mark.parametrize("name", ["streaming_llm", "snapkv", "tova", "observed_attention", "expected_attention",
                                  "knorm", "random", "pyramidkv"])
def test_scoring_from_one_prefill_equals_kvpress_own_compression(tiny, tiny_ids, name):
    """The kept cache read through, against the cache kvpress itself compresses (``with press(model)``)."""
    kind, model = tiny
    ctx = _context(kind, tiny_ids)
    w = 24
    pre = prefill(model, ctx, {name: make_press(name, seed=3)}, [w])
    ours = read_logp(model, [compressed_layers(pre, name, w)], tiny_ids[T0:T0 + K], pre.n_past)[0]
    press = make_press(name, seed=3)
    press.compression_ratio = _ratio(w, len(ctx))
    from transformers import DynamicCache
    if kind == "gemma" and name == "expected_attention":
        # kvpress calls Gemma 3's rotary embedding without a layer type; lib.kv.presses passes each layer's own
        with pytest.raises(AttributeError, match="None_inv_freq"), torch.no_grad(), press(model):
            model.set_attn_implementation("eager")
            model(torch.tensor(ctx)[None], past_key_values=DynamicCache())
        model.set_attn_implementation("sdpa")
        return
    model.set_attn_implementation("eager")
    x = torch.tensor(ctx)[None]
    cache = DynamicCache()
    try:
        with torch.no_grad(), press(model):
            model(x, past_key_values=cache, attention_mask=torch.ones_like(x))
    finally:
        model.set_attn_implementation("sdpa")
    theirs = read_logp(model, [[(layer.keys, layer.values) for layer in cache.layers]], tiny_ids[T0:T0 + K],
                       pre.n_past)[0]
    assert (ours - theirs).abs().max().item() < 1e-4  # float32 sums in another key order; a different kept set moves log p by ~0.1


def test_a_chunk_read_through_per_layer_budgets_equals_reading_it_token_by_token(tiny, tiny_ids):
    """PyramidKV keeps a different number of entries per layer: the one-pass read with each layer's own causal
    mask must equal feeding the chunk one token at a time (which needs no mask), and the model's sdpa is restored."""
    from transformers import DynamicCache
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    kind, model = tiny
    ctx = _context(kind, tiny_ids)
    pre = prefill(model, ctx, {"pyramidkv": make_press("pyramidkv")}, [20])
    layers = compressed_layers(pre, "pyramidkv", 20)
    assert len({k.shape[2] for k, _ in layers}) > 1                    # the per-layer path is exercised
    sdpa = ALL_ATTENTION_FUNCTIONS["sdpa"]
    ours = read_logp(model, [layers], tiny_ids[T0:T0 + K], pre.n_past)[0]
    assert ALL_ATTENTION_FUNCTIONS["sdpa"] is sdpa
    cache = DynamicCache(list(layers))
    with torch.no_grad():
        steps = [model(torch.tensor([[t]]), past_key_values=cache, position_ids=torch.tensor([[pre.n_past + j]]))
                 .logits[0, -1] for j, t in enumerate(tiny_ids[T0:T0 + K].tolist())]
    ref = torch.log_softmax(torch.stack(steps).double(), -1)
    assert (ours - ref).abs().max().item() < 1e-4   # float32 sums in another order; a wrong mask moves log p by ~0.1


def test_kl_is_zero_without_compression_and_positive_with_it(tiny, tiny_ids):
    kind, model = tiny
    plan = press_plan("x", allow_any_model=True, length=64, t0=T0, n_read=K, budgets=(8, 24),
                      quant_windows=(8, T0), bits=(2, 16))
    rows = segment_rows(model, plan, tiny_ids, 0, bos=2 if kind == "gemma" else None)
    assert len(rows["presses"]) == len(plan.presses) * 2
    kl = {(r[0], r[1]): r[4] for r in rows["presses"]}
    assert all(v > 1e-4 for v in kl.values())
    quant = {(r[1], r[2]): (r[7], r[5]) for r in rows["quant"]}
    assert quant[(T0, 16)][0] < 1e-4 < quant[(T0, 2)][0]     # float16 only: no loss; 2 bits: a loss
    assert quant[(T0, 2)][1] < quant[(T0, 16)][1] / 3         # and far fewer bytes (tiny heads: scales weigh)
    pyramid = [r[2] for r in rows["presses"] if r[0] == "pyramidkv"]
    assert pyramid == pytest.approx([8, 24], abs=1)           # per-layer budgets average to the budget


def test_window_keeps_the_last_entries_and_budgets_are_checked(tiny, tiny_ids):
    kind, model = tiny
    ctx = _context(kind, tiny_ids)
    pre = prefill(model, ctx, {"window": None}, [5])
    assert pre.keep[("window", 5)][0][0, 0].tolist() == list(range(len(ctx) - 5, len(ctx)))
    with pytest.raises(ValueError, match="budgets"):
        prefill(model, ctx, {"window": None}, [len(ctx)])
    with pytest.raises(ValueError, match="unknown press"):
        make_press("h2o")


def test_a_prefill_longer_than_the_local_window_is_refused(tiny_gemma_window16, tiny_ids):
    with pytest.raises(ValueError, match="local attention"):
        prefill(tiny_gemma_window16, [2] + tiny_ids[:T0].tolist(), {}, [])


class _Tokenizer:
    bos_token_id = None

    def __call__(self, text, add_special_tokens=True):
        return {"input_ids": [5, 6]}


def test_an_interrupted_run_resumes_and_merges_both_tables(monkeypatch, tmp_path, tiny):
    kind, model = tiny
    rng = np.random.default_rng(3)
    segs = [corpus.Segment(i, f"text {i}", rng.integers(3, 97, size=64)) for i in range(3)]
    monkeypatch.setattr(corpus, "segments", lambda tok, n, length=1024, min_chars=2000: segs[:n])
    plan = press_plan("smollm2-135m", 3, length=64, t0=T0, n_read=4, budgets=(8, 16), quant_windows=(8, T0),
                      bits=(2, 16), presses=("window", "tova"), quant_policies=("window",))
    kw = dict(data_dir=tmp_path, work_root=tmp_path / "w", progress=False, model=(model, _Tokenizer()))
    with pytest.raises(RuntimeError, match="interruption"):
        run_presses(plan, fail_after=2, **kw)
    assert not (tmp_path / "smollm2-135m-presses.csv").exists()
    with pytest.raises(ValueError, match="--resume"):
        run_presses(plan, **kw)
    presses_csv, quant_csv = run_presses(plan, resume=True, **kw)
    _, rows = store.read_table(presses_csv, {c: str for c in PRESS_COLUMNS})
    assert len(rows["press"]) == 3 * 2 * 2 and sorted(set(rows["segment"])) == ["0", "1", "2"]
    meta, q = store.read_table(quant_csv, {c: str for c in QUANT_COLUMNS})
    assert len(q["bits"]) == 3 * 2 * 2 and meta["plan"]["t0"] == T0
    assert set(PRESSES) >= set(plan.presses)


def test_a_quantisation_only_plan_writes_its_own_table_and_work_dir(monkeypatch, tmp_path, tiny):
    """TOVA's (w, b) grid: no press table, its own stem, and the same (w, b) cells as the main plan's window."""
    kind, model = tiny
    rng = np.random.default_rng(4)
    segs = [corpus.Segment(i, f"text {i}", rng.integers(3, 97, size=64)) for i in range(2)]
    monkeypatch.setattr(corpus, "segments", lambda tok, n, length=1024, min_chars=2000: segs[:n])
    small = dict(length=64, t0=T0, n_read=4, quant_windows=(8, T0), bits=(2, 16))
    plan = quant_plan("smollm2-135m", "tova", 2, **small)
    main = press_plan("smollm2-135m", 2, budgets=(8,), presses=("window",), **small)
    assert plan.key() != main.key() and plan.presses == () and plan.quant_policies == ("tova",)
    kw = dict(data_dir=tmp_path, work_root=tmp_path / "w", progress=False, model=(model, _Tokenizer()))
    (quant_csv,) = run_presses(plan, **kw)
    assert quant_csv.name == "smollm2-135m-quant-tova.csv"
    assert not (tmp_path / "smollm2-135m-presses.csv").exists()
    _, q = store.read_table(quant_csv, {c: str for c in QUANT_COLUMNS})
    assert set(q["policy"]) == {"tova"} and len(q["bits"]) == 2 * 2 * 2
    _, ref = store.read_table(run_presses(main, **kw)[1], {c: str for c in QUANT_COLUMNS})
    every = {(s, b): k for s, w, b, k in zip(q["segment"], q["window"], q["bits"], q["kl"]) if w == str(T0)}
    assert every == {(s, b): k for s, w, b, k in zip(ref["segment"], ref["window"], ref["bits"], ref["kl"])
                     if w == str(T0)}                     # w = t0 keeps every token whatever the policy
    with pytest.raises(ValueError, match="policy"):
        quant_plan("smollm2-135m", "h2o")
