"""Tests of lib.kv.memory: KV bytes from a model shape.

References: the per-layer count written out by hand (keys + values, per kv head, per dimension), and the
public configs' numbers for SmolLM2-135M (30 layers, 3 kv heads, head dim 64) and Gemma-3-270M (18 layers,
15 of them local with a 512-token window, 1 kv head, head dim 256).
"""
import numpy as np
import pytest

from lib.kv.memory import ModelShape, bytes_per_token, format_bytes, kv_bytes
from lib.kv.models import REGISTRY, by_label


def shape(label):
    return by_label(label).shape


class TestBytesPerToken:
    def test_smollm2_by_hand(self):
        # 2 (K and V) × 30 layers × 3 heads × 64 dims × 2 bytes (bf16).
        assert bytes_per_token(shape("SmolLM2-135M")) == 2 * 30 * 3 * 64 * 2 == 23040

    def test_scales_with_bytes_per_value(self):
        s = shape("Llama-3.2-1B")
        assert bytes_per_token(s, 0.5) * 4 == bytes_per_token(s, 2)

    def test_rejects_nonpositive_bytes(self):
        with pytest.raises(ValueError, match="`bytes_per_value` must be > 0"):
            bytes_per_token(shape("Qwen2.5-3B"), 0)


class TestKvBytes:
    def test_linear_without_local_layers(self):
        s = shape("Qwen2.5-0.5B")
        w = np.array([0, 1, 100, 4096])
        assert np.array_equal(kv_bytes(w, s), bytes_per_token(s) * w)

    def test_gemma_local_layers_cap_at_their_window(self):
        s = shape("Gemma-3-270M")
        per_layer = 2 * 1 * 256 * 2
        assert kv_bytes(100, s) == per_layer * 18 * 100
        assert kv_bytes(4096, s) == per_layer * (3 * 4096 + 15 * 512)

    def test_scalar_in_scalar_out(self):
        assert isinstance(kv_bytes(5, shape("SmolLM2-135M")), float)

    def test_rejects_negative_window_and_bad_model(self):
        with pytest.raises(ValueError, match="`w` must be a number of tokens >= 0"):
            kv_bytes(-1, shape("SmolLM2-135M"))
        with pytest.raises(TypeError, match="`model` must be a ModelShape"):
            kv_bytes(1, "SmolLM2-135M")

    def test_a_registry_entry_counts_as_its_shape(self):
        assert kv_bytes(64, REGISTRY["gemma3-270m"]) == kv_bytes(64, shape("Gemma-3-270M"))


class TestShapes:
    def test_every_registered_model_has_a_public_shape(self):
        assert {m.label for m in REGISTRY.values()} == {"SmolLM2-135M", "Gemma-3-270M", "Qwen2.5-0.5B",
                                                        "Qwen2.5-3B", "Llama-3.2-1B", "Llama-3.2-3B"}
        assert all(m.shape.source == "from the model's public config" for m in REGISTRY.values())

    @pytest.mark.parametrize("kwargs, match", [
        ({"n_layers": 0}, "`n_layers` must be an integer >= 1"),
        ({"n_local_layers": 40}, "`n_local_layers` must be <= n_layers"),
        ({"n_local_layers": 2}, "`local_window` is required"),
        ({"head_dim": 64.5}, "`head_dim` must be an integer"),
        ({"context": 0}, "`context` must be an integer >= 1"),
    ])
    def test_rejects_bad_shapes(self, kwargs, match):
        args = {"n_layers": 30, "n_kv_heads": 3, "head_dim": 64, **kwargs}
        with pytest.raises((ValueError, TypeError), match=match):
            ModelShape(**args)


class TestFormatBytes:
    def test_units(self):
        assert format_bytes(3) == "3 B"
        assert format_bytes(1536) == "1.5 KiB"
        assert format_bytes(90 * 2 ** 20) == "90 MiB"
        assert format_bytes(2 ** 40 * 3) == "3 TiB"

    def test_rejects_negative(self):
        with pytest.raises(ValueError, match="`n` must be a finite number of bytes >= 0"):
            format_bytes(-5)
