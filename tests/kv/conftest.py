"""Shared fixtures of Part II's tests: tiny language models built in code, and the embedded SmolLM2.

The tiny models (random weights, fixed seed) exercise every code path of the measurement in milliseconds,
without any wheel. The ``smollm2`` fixture loads the embedded model once per session; tests that use it
are marked ``model``.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads: see lib/kv/models.py

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def _tiny(kind: str, seed: int = 0):
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    common = dict(vocab_size=97, hidden_size=32, intermediate_size=64, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=512, initializer_range=0.4,
                  attn_implementation="sdpa")
    if kind == "llama":
        model = LlamaForCausalLM(LlamaConfig(num_hidden_layers=2, **common))
    elif kind == "llama1":
        model = LlamaForCausalLM(LlamaConfig(num_hidden_layers=1, **common))
    else:  # Gemma 3 with two local layers of window 8, one global layer and a logit soft cap
        cfg = Gemma3TextConfig(num_hidden_layers=3, head_dim=8, sliding_window=8,
                               layer_types=["sliding_attention", "sliding_attention", "full_attention"],
                               final_logit_softcapping=5.0, **common)
        model = Gemma3ForCausalLM(cfg)
    return model.eval()


@pytest.fixture(scope="session")
def tiny_llama():
    """A 2-layer Llama (RoPE, no BOS) with random weights."""
    return _tiny("llama")


@pytest.fixture(scope="session")
def tiny_llama1():
    """A 1-layer Llama: eviction and position-preserving truncation coincide for it."""
    return _tiny("llama1")


@pytest.fixture(scope="session")
def tiny_gemma():
    """A 3-layer Gemma 3 (local window 8 in two layers, soft-capped logits) with random weights."""
    return _tiny("gemma")


@pytest.fixture(scope="session")
def tiny_ids():
    return np.random.default_rng(1).integers(3, 97, size=80)


@pytest.fixture(scope="session")
def smollm2():
    """The embedded SmolLM2-135M-Instruct and its tokenizer (loaded once per session)."""
    from lib.kv import load_model

    return load_model()
