"""Tests of lib.kv.block_markov: the block-Markov cache's distortion and memory.

References: a step-by-step replay of the cache schedule (the average of Δ over positions, computed from the
memory at each step), spec II.5's Toy A numbers, and spec II.9 item 6.
"""
import numpy as np
import pytest

from lib.kv.block_markov import (block_markov_distortion, block_markov_exponent, block_markov_schedule, bracketed,
                                 loglog_interpolator, mean_memory)
from lib.kv.toys import ToyA


class TestBlockMarkovDistortion:
    def test_spec_toy_a_values(self):
        # Spec II.5: L = 64 gives 0.00542, between sliding(2L) = 0.00389 and sliding(L) = 0.00775.
        toy = ToyA(beta=1.0)
        d = block_markov_distortion(toy.delta, 64)
        assert d == pytest.approx(0.00542, abs=5e-6)
        assert toy.delta(128) <= d <= toy.delta(64)

    def test_equals_replayed_schedule_average(self):
        toy = ToyA(beta=1.3)
        L = 24
        t, mem = block_markov_schedule(L, n_blocks=5)
        steady = t >= L
        assert block_markov_distortion(toy.delta, L) == pytest.approx(np.mean(toy.delta(mem[steady])), rel=1e-12)

    @pytest.mark.parametrize("beta", [0.75, 1.0, 2.0])
    def test_between_sliding_windows_and_below_power_law(self, beta):
        toy = ToyA(beta=beta)
        _, C = toy.power_law_bounds()
        for L in (1, 7, 100):
            d = block_markov_distortion(toy.delta, L)
            assert toy.delta(2 * L) <= d <= toy.delta(L) <= C * L ** -toy.alpha

    def test_rejects_bad_block(self):
        with pytest.raises(ValueError, match="`L` must be an integer >= 1"):
            block_markov_distortion(ToyA(beta=1.0).delta, 0)
        with pytest.raises(TypeError, match="`L` must be an integer"):
            block_markov_distortion(ToyA(beta=1.0).delta, 2.5)
        with pytest.raises(TypeError, match="`delta` must be a callable"):
            block_markov_distortion([1, 2], 3)


class TestMemory:
    def test_mean_memory_equals_schedule_average(self):
        for L in (1, 10, 64):
            t, mem = block_markov_schedule(L, n_blocks=3)
            assert mean_memory(L) == pytest.approx(mem[t >= L].mean())

    def test_schedule_range(self):
        t, mem = block_markov_schedule(8, n_blocks=3)
        assert mem[t >= 8].min() == 8 and mem.max() == 15 and len(t) == 24

    def test_rejects_bad_blocks(self):
        with pytest.raises(ValueError, match="`n_blocks` must be an integer >= 1"):
            block_markov_schedule(8, n_blocks=0)


class TestLogLogInterpolator:
    def test_exact_on_power_law(self):
        w = np.array([4, 16, 64, 256])
        f = loglog_interpolator(w, 2.0 * w ** -0.8)
        x = np.array([5, 33, 200])
        assert np.allclose(f(x), 2.0 * x ** -0.8, rtol=1e-12)

    def test_refuses_extrapolation(self):
        f = loglog_interpolator([4, 8], [1.0, 0.5])
        with pytest.raises(ValueError, match="inside the measured range"):
            f(16)


class TestMeasuredComparison:
    def test_interpolates_sliding_at_w_and_half(self, tmp_path):
        from lib.kv import store
        from lib.kv.block_markov import measured_comparison

        w = np.array([4, 8, 16, 32, 64])
        rows = {k: [] for k in store.COLUMNS}
        for policy, values in (("sliding", 2.0 * w ** -1.0), ("block_markov", 3.0 * w ** -1.0)):
            for wi, v in zip(w, values):
                for key, value in (("policy", policy), ("position_preserving", False), ("segment", 0),
                                   ("target", -1), ("window", int(wi)), ("kl", v), ("n", 1)):
                    rows[key].append(value)
        store.write("bm", rows, {"model": "m", "corpus": "c", "protocol": {}, "versions": {}, "date": "d",
                                 "command": "x"}, data_dir=tmp_path)
        c = measured_comparison(store.load("bm", data_dir=tmp_path))
        assert np.array_equal(c["L"], [2, 4, 8, 16, 32])
        assert np.allclose(c["sliding_w"], 2.0 / w)
        assert np.isnan(c["sliding_L"][0]) and np.allclose(c["sliding_L"][1:], 2.0 / c["L"][1:])


class TestBlockMarkovExponent:
    def test_a_power_law_gives_its_own_exponent(self):
        # D_BM(L) = (1/L) sum_{j<L} (L + j)^(-a) -> L^(-a) * int_1^2 x^(-a) dx: the slope tends to a
        for a in (0.5, 0.8, 1.2):
            C, gamma = block_markov_exponent(lambda w: np.asarray(w, float) ** -a, 256, 4096)
            assert gamma == pytest.approx(a, abs=2e-3)
            assert C == pytest.approx(1.5 ** a * (2 ** (1 - a) - 1) / (1 - a), rel=5e-3)

    def test_rejects_an_empty_range(self):
        with pytest.raises(ValueError, match="`L_min` \\(64\\) must be smaller than `L_max` \\(64\\)"):
            block_markov_exponent(ToyA(beta=1.0).delta, 64, 64)


class TestBracketed:
    def test_counts_points_between_the_two_windows(self):
        w = np.array([4.0, 8.0, 16.0, 32.0])
        c = {"w": w, "sliding_w": np.array([1.0, 1.0, 1.0, 1.0]), "sliding_L": np.array([np.nan, 3.0, 3.0, 3.0]),
             "block_markov": np.array([2.0, 2.0, 0.5, 3.0])}
        assert bracketed(c) == {"between": 2, "n": 3}       # w = 4 has no Δ(L); 0.5 lies below Δ(w)
