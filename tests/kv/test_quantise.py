"""KIVI quantiser and exact byte counts (lib.kv.quantise)."""
import math

import numpy as np
import pytest

from lib.kv.quantise import bytes_per_token, fake_quantise, kivi_bytes

torch = pytest.importorskip("torch")


def test_bytes_count_codes_scales_and_zero_points():
    # 3 layers x 2 heads, d = 64, 70 tokens at 3 bits, group 32: counted by hand
    codes = math.ceil(70 * 64 * 3 / 8)
    keys = codes + 4 * 64 * 3          # 3 token groups (32 + 32 + 6), one fp16 scale + zero per channel each
    values = codes + 4 * 70 * 2        # 2 channel groups per token
    assert kivi_bytes(70, 3, head_dim=64, n_layers=3, n_kv_heads=2) == 6 * (keys + values)
    assert kivi_bytes(70, 16, head_dim=64, n_layers=3, n_kv_heads=2) == 6 * 2 * 70 * 64 * 2
    assert kivi_bytes(320, 2, 64, 3, 2) == pytest.approx(320 * bytes_per_token(2, 64, 3, 2))


def test_quantiser_is_exact_on_its_levels_and_bounded_elsewhere():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 50, 64, generator=g, dtype=torch.float64)
    for axis in ("channel", "token"):
        for bits in (2, 4, 8):
            y = fake_quantise(x, bits, 32, axis)
            assert y.shape == x.shape
            span = (x.max() - x.min()).item()
            assert (y - x).abs().max().item() <= span / (2 ** bits - 1) / 2 + 1e-2 * span / 2 ** bits
    # per-channel keys: one outlier channel does not spoil the others (it would per token)
    x[..., 5] *= 100
    err_c = (fake_quantise(x, 4, 32, "channel") - x)[..., :5].pow(2).mean()
    err_t = (fake_quantise(x, 4, 32, "token") - x)[..., :5].pow(2).mean()
    assert err_c < err_t / 10


def test_quantisation_error_falls_like_four_to_the_minus_b():
    x = torch.randn(1, 1, 256, 64, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    mse = [float((fake_quantise(x, b, 32, "token") - x).pow(2).mean()) for b in (3, 4, 5, 6)]
    slopes = np.diff(np.log2(mse))
    assert np.all(np.abs(slopes + 2) < 0.25)


def test_bad_bits_name_the_parameter():
    with pytest.raises(ValueError, match="`bits`"):
        kivi_bytes(10, 17, 64, 1, 1)
    with pytest.raises(TypeError, match="`bits`"):
        kivi_bytes(10, 2.5, 64, 1, 1)
    with pytest.raises(ValueError, match="`axis`"):
        fake_quantise(torch.zeros(1, 4, 4), 2, 4, "row")
