"""Tests of lib.kv.truncation on tiny models built in code (no wheel needed).

Reference values come from naive computations: one ``model(...)`` call per (target, window) on the
retained tokens, or a gap-free full-length pass whose mask hides the dropped tokens.
"""
import numpy as np
import pytest
import torch

from lib.kv.policies import RandomPolicy, make_policy
from lib.kv.truncation import FullContext, eviction_kl, kl_from_logits, truncation_kl

WINDOWS = np.array([1, 3, 6, 10, 16])


def _log_probs(model, tokens, positions=None, mask=None):
    x = torch.as_tensor(np.asarray(tokens))[None]
    kwargs = {"use_cache": False}  # with a cache, transformers never reads position jumps as packing
    if positions is not None:
        kwargs["position_ids"] = torch.as_tensor(np.asarray(positions))[None]
    if mask is not None:
        kwargs["attention_mask"] = mask
    with torch.inference_mode():
        return torch.log_softmax(model(input_ids=x, **kwargs).logits[0, -1].double(), -1)


def _kl(lp, lq):
    return float((lp.exp() * (lp - lq)).sum())


def _naive(model, ids, t, ctx, bos=None, preserve=False):
    """KL(full || re-encoded ctx) from two plain forward calls (default masks, no position gaps)."""
    pre = [] if bos is None else [bos]
    full = _log_probs(model, pre + list(ids[:t]))
    if preserve:  # gap-free pass over everything, the dropped tokens hidden from every query
        return _kl(full, _restricted(model, ids, t, ctx, bos))
    return _kl(full, _log_probs(model, pre + list(ids[ctx])))


def _restricted(model, ids, t, ctx, bos=None):
    nb = 0 if bos is None else 1
    n = t + nb
    keep = np.zeros(n, bool)
    keep[:nb] = True
    keep[np.asarray(ctx) + nb] = True
    idx = torch.arange(n)
    allowed = (idx[:, None] >= idx[None]) & torch.as_tensor(keep)[None]

    def additive(ok):
        return torch.zeros(ok.shape).masked_fill(~ok, torch.finfo(torch.float32).min)[None, None]
    mask = additive(allowed)
    window = getattr(model.config, "sliding_window", None)
    if "sliding_attention" in (getattr(model.config, "layer_types", None) or []):
        mask = {"full_attention": mask,
                "sliding_attention": additive(allowed & ((idx[:, None] - idx[None]) < window))}
    tokens = ([] if bos is None else [bos]) + list(ids[:t])
    return _log_probs(model, tokens, positions=np.arange(n), mask=mask)


class TestTruncationKl:
    @pytest.mark.parametrize("policy", ["sliding", "sink", "block_markov"])
    @pytest.mark.parametrize("preserve", [False, True])
    def test_shared_passes_equal_one_pass_per_target_and_window(self, tiny_llama, tiny_ids, policy, preserve):
        w = WINDOWS[WINDOWS > 4] if policy == "sink" else WINDOWS
        targets = np.array([30, 47])[:, None] + w[None]
        fast = truncation_kl(tiny_llama, tiny_ids, w, policy=policy, positions=targets,
                             position_preserving=preserve)
        pol = make_policy(policy)
        for (i, j), t in np.ndenumerate(targets):
            ctx = pol.retained(int(t), int(w[j]))
            assert fast[i, j] == pytest.approx(_naive(tiny_llama, tiny_ids, t, ctx, preserve=preserve), abs=2e-5)

    def test_random_policy_equals_naive_passes_on_the_same_draws(self, tiny_llama, tiny_ids):
        targets = np.array([[40, 60], [70, 75]])
        fast = truncation_kl(tiny_llama, tiny_ids, [3, 9], policy="random", positions=targets, seed=5)
        draws = RandomPolicy(5)  # same seed, same order of calls (row-major)
        for (i, j), t in np.ndenumerate(targets):
            ctx = draws.retained(int(t), [3, 9][j])
            assert fast[i, j] == pytest.approx(_naive(tiny_llama, tiny_ids, t, ctx), abs=2e-5)

    def test_one_dimensional_positions_mean_the_same_targets_for_every_window(self, tiny_llama, tiny_ids):
        one = truncation_kl(tiny_llama, tiny_ids, [2, 8], positions=[50, 60])
        two = truncation_kl(tiny_llama, tiny_ids, [2, 8], positions=[[50, 50], [60, 60]])
        np.testing.assert_allclose(one, two, atol=1e-9)

    def test_kl_is_nonnegative_and_zero_when_nothing_is_dropped(self, tiny_llama, tiny_ids):
        kl = truncation_kl(tiny_llama, tiny_ids, [4, 20], positions=[4, 12, 20, 40])
        assert np.all(kl >= 0)
        np.testing.assert_allclose(kl[:3, 1], 0, atol=1e-9)
        np.testing.assert_allclose(kl[0, 0], 0, atol=1e-9)
        assert kl[3, 0] > 1e-3

    def test_position_preserving_is_a_no_op_for_suffixes_in_rope_models_without_bos(self, tiny_llama, tiny_ids):
        targets = np.array([40, 55])[:, None] + WINDOWS[None]
        a = truncation_kl(tiny_llama, tiny_ids, WINDOWS, positions=targets)
        b = truncation_kl(tiny_llama, tiny_ids, WINDOWS, positions=targets, position_preserving=True)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    def test_sink_with_original_positions_is_not_read_as_packed_sequences(self, tiny_llama, tiny_ids):
        t, w = 60, 10
        ctx = make_policy("sink").retained(t, w)
        ours = truncation_kl(tiny_llama, tiny_ids, [w], policy="sink", positions=[t], position_preserving=True)
        full = _log_probs(tiny_llama, tiny_ids[:t])
        packed = _kl(full, _log_probs(tiny_llama, tiny_ids[ctx], positions=ctx))  # no mask: block-diagonal
        assert ours[0, 0] == pytest.approx(_naive(tiny_llama, tiny_ids, t, ctx, preserve=True), abs=2e-5)
        assert abs(ours[0, 0] - packed) > 1e-3

    @pytest.mark.parametrize("policy", ["sliding", "sink"])
    def test_local_layers_and_bos_follow_positions(self, tiny_gemma, tiny_ids, policy):
        bos = 2
        w = np.array([5, 9, 14])
        targets = np.array([40, 52])[:, None] + w[None]
        ref = FullContext(tiny_gemma, tiny_ids, bos)
        pol = make_policy(policy)
        for preserve in (False, True):
            fast = truncation_kl(tiny_gemma, tiny_ids, w, policy=policy, positions=targets, bos=bos,
                                 reference=ref, position_preserving=preserve)
            for (i, j), t in np.ndenumerate(targets):
                ctx = pol.retained(int(t), int(w[j]))
                naive = _naive(tiny_gemma, tiny_ids, t, ctx, bos=bos, preserve=preserve)
                assert fast[i, j] == pytest.approx(naive, abs=2e-5)

    def test_bos_makes_position_preserving_matter_in_local_layers(self, tiny_gemma, tiny_ids):
        kw = dict(positions=[[60]], bos=2)
        a = truncation_kl(tiny_gemma, tiny_ids, [6], **kw)
        b = truncation_kl(tiny_gemma, tiny_ids, [6], position_preserving=True, **kw)
        assert abs(a - b).max() > 1e-3

    def test_reference_must_match(self, tiny_llama, tiny_ids):
        ref = FullContext(tiny_llama, tiny_ids[:50])
        with pytest.raises(ValueError, match="`reference` must be a FullContext"):
            truncation_kl(tiny_llama, tiny_ids, [4], positions=[40], reference=ref)

    @pytest.mark.parametrize("kwargs, message", [
        (dict(windows=[0, 4], positions=[30]), "every window in `windows` must be >= 1"),
        (dict(windows=[600], positions=[30]), "exceeds the model's context of 512"),
        (dict(windows=[100], positions=[30]), "`ids` has 80 tokens, shorter than the longest window 100"),
        (dict(windows=[4], positions=[0]), r"targets in `positions` must lie in \[1, 80\]"),
        (dict(windows=[4], positions=[[30, 31]]), "one column per window"),
        (dict(windows=[4, 8], positions=[30], policy="sink"), r"`sink` \(4\) must be smaller than the budget"),
        (dict(windows=[4], positions=[30], policy="lru"), "unknown `policy`"),
        (dict(windows=[2.5], positions=[30]), "`windows` must be a non-empty 1-D array of integers"),
        (dict(windows=[4]), "`positions` is required"),
    ])
    def test_bad_input_is_rejected(self, tiny_llama, tiny_ids, kwargs, message):
        windows = kwargs.pop("windows")
        with pytest.raises(ValueError, match=message):
            truncation_kl(tiny_llama, tiny_ids, windows, **kwargs)

    def test_bad_ids_and_flags_are_rejected(self, tiny_llama, tiny_ids):
        with pytest.raises(ValueError, match="`ids` must be a non-empty 1-D sequence"):
            truncation_kl(tiny_llama, [[1, 2]], [1], positions=[1])
        with pytest.raises(TypeError, match="`position_preserving` must be a bool"):
            truncation_kl(tiny_llama, tiny_ids, [4], positions=[30], position_preserving="yes")


class TestEvictionKl:
    def test_one_layer_eviction_equals_position_preserving_truncation(self, tiny_llama1, tiny_ids):
        t = np.arange(40, 80)
        for sink, policy in ((0, "sliding"), (4, "sink")):
            ev = eviction_kl(tiny_llama1, tiny_ids, [6, 12], positions=t, sink=sink)
            tr = truncation_kl(tiny_llama1, tiny_ids, [6, 12], policy=policy, positions=t, position_preserving=True)
            np.testing.assert_allclose(ev, tr, atol=2e-5)

    def test_deeper_models_keep_information_from_evicted_tokens(self, tiny_llama, tiny_ids):
        t = np.arange(40, 80)
        ev = eviction_kl(tiny_llama, tiny_ids, [6], positions=t)
        tr = truncation_kl(tiny_llama, tiny_ids, [6], positions=t, position_preserving=True)
        assert np.abs(ev - tr).max() > 1e-3

    def test_nothing_evicted_means_zero(self, tiny_gemma, tiny_ids):
        ev = eviction_kl(tiny_gemma, tiny_ids, [64], positions=[10, 30, 64], bos=2)
        np.testing.assert_allclose(ev, 0, atol=1e-9)

    def test_bad_input_is_rejected(self, tiny_llama, tiny_ids):
        with pytest.raises(ValueError, match=r"`sink` \(4\) must be smaller than every window"):
            eviction_kl(tiny_llama, tiny_ids, [4, 8], positions=[30], sink=4)
        with pytest.raises(ValueError, match="1-D array of targets"):
            eviction_kl(tiny_llama, tiny_ids, [4], positions=[[30]])


class TestKlFromLogits:
    def test_matches_direct_sum_and_vanishes_on_equal_laws(self):
        rng = np.random.default_rng(0)
        a, b = rng.normal(size=(3, 11)), rng.normal(size=(3, 11))
        p = np.exp(a) / np.exp(a).sum(1, keepdims=True)
        q = np.exp(b) / np.exp(b).sum(1, keepdims=True)
        np.testing.assert_allclose(kl_from_logits(a, b), (p * np.log(p / q)).sum(1), rtol=1e-12)
        np.testing.assert_allclose(kl_from_logits(a, a + 3.0), 0, atol=1e-14)
