"""Tests that need kvpress run in its own environment (``.venv-kvpress``; ``make test`` runs them there).

In the book's environment (transformers 5.23, no kvpress) this folder is skipped as a whole.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

collect_ignore_glob = []
try:
    import kvpress  # noqa: F401
except ImportError:
    collect_ignore_glob = ["test_*.py"]


def _tiny(kind, window=64):
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    common = dict(vocab_size=97, hidden_size=32, intermediate_size=64, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=512, initializer_range=0.4,
                  attn_implementation="sdpa")
    if kind == "llama":
        return LlamaForCausalLM(LlamaConfig(num_hidden_layers=3, **common)).eval()
    cfg = Gemma3TextConfig(num_hidden_layers=3, head_dim=8, sliding_window=window,
                           layer_types=["sliding_attention", "sliding_attention", "full_attention"],
                           final_logit_softcapping=5.0, **common)
    return Gemma3ForCausalLM(cfg).eval()


@pytest.fixture(scope="session", params=["llama", "gemma"])
def tiny(request):
    """A 3-layer random-weight Llama or Gemma 3 (local window 64, longer than every test's prefill)."""
    return request.param, _tiny(request.param)


@pytest.fixture(scope="session")
def tiny_gemma_window16():
    """A Gemma 3 whose local window (16) is shorter than the tests' prefills."""
    return _tiny("gemma", window=16)


@pytest.fixture(scope="session")
def tiny_ids():
    import numpy as np

    return np.random.default_rng(1).integers(3, 97, size=64)
