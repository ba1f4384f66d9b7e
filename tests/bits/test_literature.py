"""Tests of lib.bits.literature: bit penalties, the QSGD variance factor and the format table."""
import math

import numpy as np
import pytest

from lib.bits.bounds import rounds_lower_bound
from lib.bits.literature import (FORMATS, discrete_bit_factor, format_table, gaussian_bit_factor,
                                 qsgd_one_level_noise_ratio, qsgd_variance_factor)


class TestDiscreteBitFactor:
    def test_halves_with_each_bit_until_the_sample_fits(self):
        assert [discrete_bit_factor(64, ell) for ell in (1, 2, 6, 7)] == [32.0, 16.0, 1.0, 1.0]

    def test_finite_for_huge_messages(self):
        assert discrete_bit_factor(16, 10**6) == 1.0

    def test_rejects_bad_counts(self):
        with pytest.raises(ValueError, match="`k` must be an integer >= 2"):
            discrete_bit_factor(1, 2)
        with pytest.raises(TypeError, match="`ell` must be an integer"):
            discrete_bit_factor(8, 1.5)


class TestGaussianBitFactor:
    @pytest.mark.parametrize("d,B", [(64, 1), (64, 46), (64, 1000)])
    def test_is_the_factor_of_the_rounds_bound(self, d, B):
        base = rounds_lower_bound(0.1, d, B, 1.0) / (d / (2 * 0.1**2))
        assert gaussian_bit_factor(d, B) == pytest.approx(base)


class TestQsgdVarianceFactor:
    @pytest.mark.parametrize("d,s", [(16, 1), (16, 4), (100, 2)])
    def test_bounds_the_monte_carlo_variance_of_qsgd(self, d, s):
        rng = np.random.default_rng(0)
        v = rng.standard_normal(d)
        norm = np.linalg.norm(v)
        ratio = np.abs(v) / norm * s
        low = np.floor(ratio)
        levels = low + (rng.random((20_000, d)) < (ratio - low))
        q = norm * np.sign(v) * levels / s
        assert np.allclose(q.mean(axis=0), v, atol=0.05 * norm)
        assert np.mean(np.sum((q - v) ** 2, axis=1)) <= qsgd_variance_factor(d, s) * norm**2 * 1.02

    def test_values(self):
        assert qsgd_variance_factor(16, 1) == 4.0 and qsgd_variance_factor(16, 8) == 0.25


class TestQsgdOneLevelNoiseRatio:
    @pytest.mark.parametrize("d", [64, 1024])
    def test_matches_the_library_encoder_on_pure_noise(self, d):
        from lib.bits.encoders import make_encoder
        rng = np.random.default_rng(1)
        encoder = make_encoder("qsgd", B=32 + 2 * d, d=d, s=1)
        g = rng.standard_normal((400, d))  # the gradient at the optimum: pure noise, sigma = 1
        message = encoder.encode(g, rng, encoder.init_state(400))
        ratio = np.mean(np.sum(message.decoded**2, axis=1)) / d
        assert ratio == pytest.approx(qsgd_one_level_noise_ratio(d), rel=0.03)
        assert ratio < math.sqrt(d)  # the estimate 1 + sqrt(d) was too high

    def test_values(self):
        assert qsgd_one_level_noise_ratio(64) == pytest.approx(6.383, abs=1e-3)


class TestFormatTable:
    def test_nvfp4_and_mxfp4_bits(self):
        assert FORMATS["NVFP4 (block 16, FP8 scale)"] == 4.5 and FORMATS["MXFP4 (block 32, 8-bit scale)"] == 4.25

    def test_every_format_is_above_the_kink(self):
        table = format_table(1024)
        assert all(over > 1 and factor == 1.0 for _, _, _, over, factor in table["rows"])
        assert table["kink_per_coord"] == pytest.approx(1 / (2 * math.log(2)))
        assert table["d"] == 1024 and len(table["rows"]) == len(FORMATS)
