"""Tests of lib.bits.encoders: exact bit accounting, unbiasedness, registry (theory-spec I.5, I.9 item 6)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.bits import encoders as enc

SCHEMES = sorted(enc.ENCODERS)


def _build(name, B, d, **kw):
    if enc.ENCODERS[name].bounded:
        kw.setdefault("M", 10.0)
    if enc.ENCODERS[name].memory:
        kw.setdefault("horizon", 10**6)
    return enc.make_encoder(name, B=B, d=d, sigma=1.0, **kw)


def _bits_sent(encoder, message):
    """Independent count from the message fields: described coordinates times bits per coordinate (+ headers)."""
    per_row = message.mask.sum(axis=1)
    if isinstance(encoder, enc.AdaptiveSign):
        return per_row.max()
    if isinstance(encoder, (enc.StochasticRounding, enc.RandK)):
        return per_row.max() * encoder.b
    if isinstance(encoder, enc.QSGD):
        return 32 + per_row.max() * (1 + math.ceil(math.log2(encoder.s + 1)))
    if isinstance(encoder, enc.MemoryBisection):
        return message.codes.shape[1]  # one transmitted bisection bit per column
    return 32 * encoder.d


class TestBitBudget:
    @settings(max_examples=60, deadline=None)
    @given(name=st.sampled_from(SCHEMES), B=st.integers(1, 3000), d=st.integers(1, 300),
           seed=st.integers(0, 2**16))
    def test_no_encoder_ever_exceeds_B(self, name, B, d, seed):
        try:
            encoder = _build(name, B, d)
        except ValueError:
            assert name == "qsgd" and B < 34 + 1  # only QSGD may refuse a budget, and only a small one
            return
        rng = np.random.default_rng(seed)
        state = encoder.init_state(3)
        for _ in range(3):
            g = rng.normal(0, 5, size=(3, d))
            message = encoder.encode(g, rng, state)
            assert message.n_bits == _bits_sent(encoder, message)
            assert encoder.exempt or message.n_bits <= B
            encoder.update(np.zeros((3, d)), message, state)

    @pytest.mark.parametrize("name,attr", [("sign", "k"), ("stochastic_rounding", "k"), ("randk", "k"),
                                           ("qsgd", "m")])
    def test_a_round_over_budget_raises(self, name, attr):
        encoder = _build(name, 64, 200)
        setattr(encoder, attr, 200)  # tamper: describe every coordinate
        rng = np.random.default_rng(0)
        with pytest.raises(enc.BitBudgetError, match="above B = 64"):
            encoder.encode(rng.normal(size=(2, 200)), rng, encoder.init_state(2))

    def test_full_precision_is_exempt_and_counts_32_bits_per_coordinate(self):
        encoder = _build("full", 1, 10)
        message = encoder.encode(np.ones((2, 10)), np.random.default_rng(0), encoder.init_state(2))
        assert encoder.exempt and message.n_bits == 320

    def test_qsgd_chooses_levels_to_fill_the_budget(self):
        big = _build("qsgd", 32 + 4 * 16, 16)
        assert big.m == 16 and big.s == 7  # 32 + 16 (1 + 3) = 96 bits
        small = _build("qsgd", 40, 16)
        assert small.s == 1 and small.m == 4


class TestMemoryBisection:
    def test_only_the_memory_encoder_has_memory(self):
        assert [name for name, cls in enc.ENCODERS.items() if cls.memory] == ["memory_bisection"]

    @pytest.mark.parametrize("B,d,T", [(1, 5, 60), (3, 4, 40), (7, 3, 30)])
    def test_never_over_B_and_sends_exactly_n_bits_per_coordinate(self, B, d, T):
        encoder = _build("memory_bisection", B, d, horizon=T, n=6)
        rng = np.random.default_rng(0)
        state, x, sent = encoder.init_state(2), np.zeros((2, d)), []
        for _ in range(T):
            message = encoder.encode(rng.normal(size=(2, d)), rng, state)
            assert 0 <= message.n_bits <= B and message.n_bits == message.codes.shape[1]
            sent.append(message.n_bits)
            x = encoder.update(x, message, state)
        assert sum(sent) == 6 * d and sent.count(0) == T - math.ceil(6 * d / B)
        assert all(bits == 0 for bits in sent[: T - math.ceil(6 * d / B)])  # silent first, then bits

    def test_decoder_recovers_the_stored_mean_to_the_last_interval(self):
        d, B, T, n, M = 3, 2, 50, 8, 4.0
        encoder = _build("memory_bisection", B, d, horizon=T, n=n, M=M)
        rng = np.random.default_rng(1)
        g = rng.uniform(-3, 3, size=(T, 4, d))
        state, x = encoder.init_state(4), np.full((4, d), 0.5)
        for t in range(T):
            x = encoder.update(x, encoder.encode(g[t], rng, state), state)
        stored = T - math.ceil(d * n / B)
        mean = g[:stored].mean(axis=0)  # independent: the mean of what was stored
        assert np.all(np.abs((0.5 - x) - mean) <= 2 * M * 2.0**-n / 2 + 1e-12)

    def test_needs_a_horizon_long_enough_to_store_and_send(self):
        with pytest.raises(ValueError, match="`horizon`"):
            enc.make_encoder("memory_bisection", B=1, d=4, M=10.0)
        with pytest.raises(ValueError, match="too short"):
            enc.make_encoder("memory_bisection", B=1, d=4, M=10.0, horizon=20, n=5)


class TestStochasticRounding:
    def test_unbiased_bounded_variance_and_valid_codes(self):
        rng = np.random.default_rng(5)
        b, M, n = 3, 2.0, 200_000
        x = np.array([-1.9, -0.3, 0.0, 0.77, 1.99])
        codes = enc.stochastic_round(np.broadcast_to(x, (n, x.size)), rng, b, M)
        assert codes.min() >= 0 and codes.max() <= 2**b - 1
        delta = 2 * M / (2**b - 1)
        values = -M + codes * delta
        se = values.std(axis=0) / math.sqrt(n)
        assert np.all(np.abs(values.mean(axis=0) - x) < 3 * se + 1e-12)
        assert np.all(values.var(axis=0) <= delta**2 / 4 + 1e-12)

    def test_exact_levels_are_kept(self):
        levels = -1.0 + np.arange(4) * (2 / 3)
        codes = enc.stochastic_round(levels, np.random.default_rng(0), 2, 1.0)
        assert np.array_equal(codes, np.arange(4))

    def test_default_bits_follow_dynamic_range(self):
        assert _build("stochastic_rounding", 16, 64, M=10.0).b == 4  # ceil(log2(1 + 10))

    def test_rejects_b_above_budget(self):
        with pytest.raises(ValueError, match=r"`b` must lie in \[1, min\(B, 30\)\]"):
            _build("stochastic_rounding", 4, 10, b=5)


class TestSign:
    def test_sends_signs_of_k_coordinates_and_uses_rm_gain(self):
        encoder = _build("sign", 3, 10)
        rng = np.random.default_rng(1)
        g = rng.normal(size=(4, 10))
        message = encoder.encode(g, rng, encoder.init_state(4))
        assert np.all(message.mask.sum(axis=1) == 3)
        assert np.array_equal(message.decoded[message.mask], np.where(g[message.mask] >= 0, 1.0, -1.0))
        assert encoder.gain == pytest.approx(math.sqrt(math.pi / 2))

    def test_cyclic_schedule_visits_every_coordinate(self):
        encoder = _build("sign", 3, 10, schedule="cyclic")
        state, rng = encoder.init_state(1), np.random.default_rng(0)
        seen = np.zeros(10, dtype=int)
        for _ in range(10):
            message = encoder.encode(np.ones((1, 10)), rng, state)
            seen += message.mask[0]
            encoder.update(np.zeros((1, 10)), message, state)
        assert np.all(seen == 3)

    def test_rejects_unknown_schedule(self):
        with pytest.raises(ValueError, match="`schedule` must be one of"):
            _build("sign", 3, 10, schedule="greedy")


class TestQSGD:
    def test_unbiased_on_the_described_coordinates(self):
        encoder = _build("qsgd", 32 + 2 * 6, 6)
        rng = np.random.default_rng(2)
        n = 100_000
        g = np.broadcast_to(np.array([0.5, -2.0, 1.0, 0.0, 3.0, -0.1]), (n, 6))
        message = encoder.encode(g, rng, encoder.init_state(n))
        se = message.decoded.std(axis=0) / math.sqrt(n)
        assert np.all(np.abs(message.decoded.mean(axis=0) - g[0]) < 3 * se + 1e-9)

    def test_refuses_tiny_budget(self):
        with pytest.raises(ValueError, match="too small for QSGD"):
            _build("qsgd", 20, 8)


class TestRandK:
    def test_rounds_to_nearest_level(self):
        encoder = _build("randk", 16, 2, M=1.0)
        g = np.array([[0.3, -0.71]])
        message = encoder.encode(g, np.random.default_rng(0), encoder.init_state(1))
        step = 2.0 / 255
        assert np.all(np.abs(message.decoded - g) <= step / 2 + 1e-12)


class TestRegistry:
    def test_names(self):
        assert set(SCHEMES) == {"full", "sign", "stochastic_rounding", "qsgd", "randk", "memory_bisection"}

    def test_unknown_name(self):
        with pytest.raises(ValueError, match="`scheme` must be one of"):
            enc.make_encoder("topk", B=1, d=1)

    def test_fresh_instances(self):
        assert _build("sign", 2, 4) is not _build("sign", 2, 4)

    @pytest.mark.parametrize("kw,error,match", [(dict(B=0), ValueError, "`B`"), (dict(B=1.5), TypeError, "`B`"),
                                                (dict(d=0), ValueError, "`d`"), (dict(sigma=-1.0), ValueError, "`sigma`")])
    def test_rejects_bad_common_arguments(self, kw, error, match):
        with pytest.raises(error, match=match):
            enc.make_encoder("sign", **(dict(B=2, d=4, sigma=1.0) | kw))

    def test_update_is_per_coordinate_averaging(self):
        encoder = _build("full", 1, 2)
        state, x = encoder.init_state(1), np.zeros((1, 2))
        samples = [np.array([[2.0, -1.0]]), np.array([[4.0, 3.0]])]
        for s in samples:  # gradient at x of ||x - theta||^2/2 with theta = -s (noise-free): x - (-s)
            x = encoder.update(x, encoder.encode(x + s, None, state), state)
        assert np.allclose(x, -np.mean(samples, axis=0))


class TestMinimumBits:
    """The encoder states the fewest bits it can work with; the stored-run table asks it (no second copy)."""

    @pytest.mark.parametrize("name", sorted(enc.ENCODERS))
    def test_min_bits_is_the_smallest_budget_that_constructs(self, name):
        cls = enc.ENCODERS[name]
        extra = {"horizon": 100} if name == "memory_bisection" else {}
        kwargs = dict(d=64, sigma=1.0, **extra, **({} if name in ("sign", "qsgd", "full", "memory_bisection")
                                                   else {"M": 10.0}))
        enc.make_encoder(name, B=cls.min_bits, **kwargs)
        if cls.min_bits > 1:
            with pytest.raises(ValueError, match="`B`"):
                enc.make_encoder(name, B=cls.min_bits - 1, **kwargs)

    def test_qsgd_needs_34_bits(self):
        from lib.bits.scheme_runs import feasible
        assert enc.ENCODERS["qsgd"].min_bits == 34 and feasible("qsgd", 34) and not feasible("qsgd", 33)
