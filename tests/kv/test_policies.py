"""Tests of lib.kv.policies: what each cache policy retains for (t, w)."""
import numpy as np
import pytest

from lib.kv.policies import (POLICIES, BlockMarkovPolicy, RandomPolicy, SinkRecentPolicy, SlidingPolicy,
                             make_policy)

ALL = [SlidingPolicy(), SinkRecentPolicy(4), RandomPolicy(0), BlockMarkovPolicy(), BlockMarkovPolicy(block=5)]


class TestCommonInterface:
    @pytest.mark.parametrize("policy", ALL, ids=repr)
    def test_retained_is_sorted_unique_in_range_and_within_budget(self, policy):
        for t in (1, 3, 10, 57, 200):
            for w in (6, 9, 32):
                r = policy.retained(t, w)
                assert np.all(np.diff(r) > 0) and r.min() >= 0 and r.max() < t
                if isinstance(policy, BlockMarkovPolicy):
                    assert len(r) <= 2 * policy.block_length(w) - 1
                else:
                    assert len(r) == min(w, t)

    @pytest.mark.parametrize("policy", [p for p in ALL if not isinstance(p, RandomPolicy)], ids=repr)
    def test_shared_form_reproduces_retained(self, policy):
        for t in range(1, 120, 7):
            for w in (6, 8, 23):
                prefix, r = policy.shared(t, w)
                np.testing.assert_array_equal(np.r_[np.array(prefix, int), np.arange(r, t)], policy.retained(t, w))

    @pytest.mark.parametrize("policy", ALL, ids=repr)
    def test_bad_budget_is_rejected(self, policy):
        with pytest.raises(ValueError, match="`w` must be >= 1"):
            policy.retained(10, 0)
        with pytest.raises(TypeError, match="`w` must be an integer"):
            policy.retained(10, 2.5)

    def test_registry_names_and_fresh_instances(self):
        assert set(POLICIES) == {"sliding", "sink", "random", "block_markov"}
        assert make_policy("random", seed=3) is not make_policy("random", seed=3)
        assert make_policy("sink", sink=2, seed=5).sink == 2
        with pytest.raises(ValueError, match="unknown `policy`"):
            make_policy("h2o")


class TestSlidingPolicy:
    def test_keeps_the_last_w_tokens(self):
        np.testing.assert_array_equal(SlidingPolicy().retained(10, 3), [7, 8, 9])
        np.testing.assert_array_equal(SlidingPolicy().retained(2, 5), [0, 1])


class TestSinkRecentPolicy:
    def test_keeps_sink_plus_recent_inside_the_budget(self):
        np.testing.assert_array_equal(SinkRecentPolicy(2).retained(20, 5), [0, 1, 17, 18, 19])

    def test_short_contexts_keep_everything(self):
        np.testing.assert_array_equal(SinkRecentPolicy(4).retained(3, 6), [0, 1, 2])
        np.testing.assert_array_equal(SinkRecentPolicy(4).retained(7, 6), [0, 1, 2, 3, 5, 6])

    def test_sink_not_below_budget_is_rejected(self):
        with pytest.raises(ValueError, match=r"`sink` \(4\) must be smaller than the budget `w` \(4\)"):
            SinkRecentPolicy(4).retained(10, 4)
        with pytest.raises(ValueError, match="`sink` must be >= 0"):
            SinkRecentPolicy(-1)


class TestRandomPolicy:
    def test_inclusion_probability_is_w_over_t(self):
        t, w, n = 40, 10, 4000
        pol = RandomPolicy(seed=1)
        counts = np.zeros(t)
        for _ in range(n):
            counts[pol.retained(t, w)] += 1
        p = w / t
        se = np.sqrt(p * (1 - p) / n)
        assert np.all(np.abs(counts / n - p) < 4 * se)

    def test_same_seed_same_draws(self):
        a, b = RandomPolicy(7), RandomPolicy(7)
        for t in (30, 50):
            np.testing.assert_array_equal(a.retained(t, 8), b.retained(t, 8))

    def test_no_sharing(self):
        assert RandomPolicy().shared(10, 3) is None


class TestBlockMarkovPolicy:
    def test_memory_cycles_between_L_and_2L_minus_1(self):
        pol = BlockMarkovPolicy(block=8)
        sizes = [len(pol.retained(t, 16)) for t in range(16, 64)]
        assert min(sizes) == 8 and max(sizes) == 15
        np.testing.assert_array_equal(pol.retained(24, 16), np.arange(16, 24))  # boundary: previous block only
        np.testing.assert_array_equal(pol.retained(27, 16), np.arange(16, 27))

    def test_default_block_is_half_the_budget_rounded_up(self):
        pol = BlockMarkovPolicy()
        assert [pol.block_length(w) for w in (4, 11, 23, 256)] == [2, 6, 12, 128]
        assert max(len(pol.retained(t, 23)) for t in range(24, 200)) <= 23

    def test_bad_block_is_rejected(self):
        with pytest.raises(ValueError, match="`block` must be >= 1"):
            BlockMarkovPolicy(block=0)
