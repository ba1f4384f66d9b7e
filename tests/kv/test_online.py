"""Tests of lib.kv.online on tiny models built in code: StreamingLLM, sink eviction and H2O, step by step.

References are independent computations: the banded single pass of ``eviction_kl``, re-encoded truncation
(``truncation_kl``), the model's own rotary map, and counts of the tokens the model is fed.
"""
import numpy as np
import pytest
import torch

from lib.kv.online import h2o_kl, rerotate, rolling_kl
from lib.kv.truncation import eviction_kl, truncation_kl

T = np.arange(30, 60, 3)
W = [6, 8, 16]


def _fed(model):
    """Count the token positions the model embeds (each one is a computed key and value per layer)."""
    seen = []
    handle = model.base_model.embed_tokens.register_forward_hook(lambda m, a, out: seen.append(a[0].numel()))
    return seen, handle


class TestRollingKl:
    @pytest.mark.parametrize("kind", ["tiny_llama", "tiny_gemma"])
    def test_sink_eviction_equals_the_banded_single_pass(self, request, tiny_ids, kind):
        model = request.getfixturevalue(kind)
        bos = 2 if kind == "tiny_gemma" else None
        got = rolling_kl(model, tiny_ids, [6, 8], policy="sink", positions=T, sink=2, bos=bos)
        np.testing.assert_allclose(got, eviction_kl(model, tiny_ids, [6, 8], positions=T, sink=2, bos=bos),
                                   atol=1e-4)

    def test_streaming_llm_in_one_layer_equals_fresh_encoding_at_cache_positions(self, tiny_llama1, tiny_ids):
        got = rolling_kl(tiny_llama1, tiny_ids, W, policy="streaming_llm", positions=T, sink=2)
        want = truncation_kl(tiny_llama1, tiny_ids, W, policy="sink", positions=T, sink=2)
        np.testing.assert_allclose(got, want, atol=1e-4)
        orig = rolling_kl(tiny_llama1, tiny_ids, W, policy="sink", positions=T, sink=2)
        assert np.abs(got - orig).max() > 1e-2  # the re-rotation changes the sinks' relative positions

    def test_streaming_llm_in_deeper_models_is_neither_truncation_nor_original_positions(self, tiny_llama,
                                                                                          tiny_ids):
        got = rolling_kl(tiny_llama, tiny_ids, W, policy="streaming_llm", positions=T, sink=2)
        for other in (truncation_kl(tiny_llama, tiny_ids, W, policy="sink", positions=T, sink=2),
                      rolling_kl(tiny_llama, tiny_ids, W, policy="sink", positions=T, sink=2)):
            assert np.abs(got - other).max() > 1e-2

    def test_streaming_llm_runs_on_local_layers_with_bos(self, tiny_gemma, tiny_ids):
        got = rolling_kl(tiny_gemma, tiny_ids, [5, 8], policy="streaming_llm", positions=T, sink=2, bos=2)
        assert np.isfinite(got).all() and (got >= 0).all()
        short = rolling_kl(tiny_gemma, tiny_ids, [40], policy="streaming_llm", positions=[20, 30, 40], bos=2)
        np.testing.assert_allclose(short, 0, atol=1e-8)  # nothing evicted yet: the full-context law

    def test_h2o_eviction_in_one_layer_equals_position_preserving_recompute(self, tiny_llama1, tiny_ids):
        got = rolling_kl(tiny_llama1, tiny_ids, W, policy="h2o", positions=T)
        np.testing.assert_allclose(got, h2o_kl(tiny_llama1, tiny_ids, W, positions=T, position_preserving=True),
                                   atol=1e-4)

    def test_h2o_with_only_a_recent_window_is_sliding_eviction(self, tiny_llama, tiny_ids):
        got = rolling_kl(tiny_llama, tiny_ids, W, policy="h2o", positions=T, recent=1.0)
        np.testing.assert_allclose(got, eviction_kl(tiny_llama, tiny_ids, W, positions=T), atol=1e-4)

    def test_re_encoded_keep_sets_with_only_a_recent_window_are_the_sliding_window(self, tiny_gemma, tiny_ids):
        got = rolling_kl(tiny_gemma, tiny_ids, W, policy="h2o", positions=T, recent=1.0, recompute=True, bos=2)
        np.testing.assert_allclose(got, truncation_kl(tiny_gemma, tiny_ids, W, positions=T, bos=2), atol=1e-4)

    def test_re_encoded_keep_sets_differ_from_eviction(self, tiny_llama, tiny_ids):
        got = rolling_kl(tiny_llama, tiny_ids, W, policy="h2o", positions=T, recompute=True)
        assert np.abs(got - rolling_kl(tiny_llama, tiny_ids, W, policy="h2o", positions=T)).max() > 1e-2

    def test_eviction_never_recomputes(self, tiny_llama, tiny_ids):
        seen, handle = _fed(tiny_llama)
        try:
            rolling_kl(tiny_llama, tiny_ids, W, policy="h2o", positions=T)
        finally:
            handle.remove()
        reference = len(tiny_ids)  # the full-context pass
        assert sum(seen) - reference == len(W) * T.max()  # x_0 .. x_{max t - 1} once per window (batch row)

    def test_bad_input_is_rejected(self, tiny_llama, tiny_ids):
        with pytest.raises(ValueError, match="unknown `policy`"):
            rolling_kl(tiny_llama, tiny_ids, W, policy="sliding", positions=T)
        with pytest.raises(ValueError, match="`recompute` applies to policy='h2o' only"):
            rolling_kl(tiny_llama, tiny_ids, W, policy="sink", positions=T, recompute=True)
        for name in ("streaming_llm", "h2o"):
            with pytest.raises(ValueError, match="not a fixed re-encoded keep-set"):
                truncation_kl(tiny_llama, tiny_ids, W, policy=name, positions=T)
        with pytest.raises(ValueError, match="`sink` .* must be smaller than the budget"):
            rolling_kl(tiny_llama, tiny_ids, [4, 8], policy="streaming_llm", positions=T, sink=4)


class TestRerotate:
    def test_moving_a_rotated_key_equals_rotating_at_the_new_position(self, tiny_gemma):
        rope = tiny_gemma.base_model.rotary_emb
        from transformers.models.llama.modeling_llama import rotate_half
        k = torch.randn(2, 1, 3, 8)
        p, delta = torch.tensor([[0, 1, 2], [0, 1, 2]]), np.array([5, 11])
        for layer_idx, kind in enumerate(tiny_gemma.config.layer_types):
            def at(pos):
                cos, sin = rope(k, pos, kind)
                return k * cos[:, None] + rotate_half(k) * sin[:, None]
            got = rerotate(tiny_gemma, layer_idx, at(p), delta)
            torch.testing.assert_close(got, at(p + torch.as_tensor(delta)[:, None]), atol=1e-5, rtol=1e-5)


class TestH2oKl:
    def test_only_a_recent_window_is_the_sliding_window(self, tiny_llama, tiny_ids):
        got = h2o_kl(tiny_llama, tiny_ids, W, positions=T, recent=1.0)
        np.testing.assert_allclose(got, truncation_kl(tiny_llama, tiny_ids, W, positions=T), atol=1e-4)

    def test_recompute_differs_from_eviction_in_deeper_models(self, tiny_llama, tiny_ids):
        got = h2o_kl(tiny_llama, tiny_ids, W, positions=T)
        assert np.abs(got - rolling_kl(tiny_llama, tiny_ids, W, policy="h2o", positions=T)).max() > 1e-2
        assert (got >= 0).all()

    def test_nothing_evicted_means_zero_with_bos(self, tiny_gemma, tiny_ids):
        np.testing.assert_allclose(h2o_kl(tiny_gemma, tiny_ids, [40], positions=[10, 25, 40], bos=2), 0, atol=1e-8)

    def test_recompute_feeds_one_pass_of_the_kept_tokens_per_step(self, tiny_llama, tiny_ids):
        seen, handle = _fed(tiny_llama)
        try:
            h2o_kl(tiny_llama, tiny_ids, [8], positions=[20])
        finally:
            handle.remove()
        assert seen[0] == len(tiny_ids) and seen[1] == 20 and seen[2:] == [8] * (19 - 8 + 1)
