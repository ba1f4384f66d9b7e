"""Tests of lib.kv.policies: what each cache policy retains for (t, w)."""
import numpy as np
import pytest

from lib.kv.policies import (POLICIES, BlockMarkovPolicy, H2OPolicy, RandomPolicy, SinkRecentPolicy,
                             SlidingPolicy, StreamingLLMPolicy, make_policy, salience_scorer, selection_bits)

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
        with pytest.raises(ValueError, match="`w` must be an integer >= 1"):
            policy.retained(10, 0)
        with pytest.raises(TypeError, match="`w` must be an integer"):
            policy.retained(10, 2.5)

    def test_registry_names_and_fresh_instances(self):
        assert set(POLICIES) == {"sliding", "sink", "streaming_llm", "random", "block_markov", "h2o"}
        assert make_policy("random", seed=3) is not make_policy("random", seed=3)
        assert make_policy("sink", sink=2).sink == 2
        assert make_policy("h2o", recent=0.25).recent == 0.25
        with pytest.raises(ValueError, match="unknown `policy`"):
            make_policy("tova")

    def test_an_option_the_policy_lacks_is_an_error_naming_it(self):
        with pytest.raises(ValueError, match=r"policy 'sink' has no option \['seed'\]; its options are \['sink'\]"):
            make_policy("sink", sink=2, seed=5)
        with pytest.raises(ValueError, match=r"policy 'h2o' has no option \['sink'\]"):
            make_policy("h2o", recent=0.25, sink=3)
        with pytest.raises(ValueError, match="cannot be applied to the instance"):
            make_policy(SlidingPolicy(), block=4)
        assert SinkRecentPolicy.accepts(sink=2, seed=5, block=None) == {"sink": 2}

    def test_policies_are_dataclasses_with_name_and_label_on_the_class(self):
        import dataclasses
        labels = [cls.label for cls in POLICIES.values()]
        assert len(set(labels)) == len(labels) and all(labels)
        for name, cls in POLICIES.items():
            assert dataclasses.is_dataclass(cls) and cls.name == name
            assert "name" not in cls.option_names() and "label" not in cls.option_names()
        assert RandomPolicy(seed=3).options() == {"seed": 3} and H2OPolicy().options() == {"recent": 0.5,
                                                                                            "recompute": True}


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
        with pytest.raises(ValueError, match="`sink` must be an integer >= 0"):
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
        with pytest.raises(ValueError, match="`block` must be an integer >= 1"):
            BlockMarkovPolicy(block=0)


#: A toy attention matrix: row i is the attention of query i over tokens 0 .. i (rows need not sum to 1).
TOY = [[1.0], [0.6, 0.4], [0.1, 0.2, 0.7], [0.5, 0.1, 0.1, 0.3], [0.2, 0.0, 0.3, 0.0, 0.5],
       [0.1, 0.0, 0.0, 0.0, 0.1, 0.8]]


def _toy_scorer(i, context):
    return np.asarray(TOY[i])[context]


class TestStreamingLLMPolicy:
    def test_keeps_the_sink_plus_recent_token_set_but_is_marked_as_not_recomputing(self):
        pol = StreamingLLMPolicy(sink=2)
        np.testing.assert_array_equal(pol.retained(20, 5), SinkRecentPolicy(2).retained(20, 5))
        assert pol.recompute is False and pol.name == "streaming_llm"


class TestH2OPolicy:
    def test_keep_set_equals_a_hand_computation_on_a_toy_attention_matrix(self):
        # w = 3 with one recent slot: two heavy hitters. Scores after query 2: s0 = 1.7, s1 = 0.6, s2 = 0.7,
        # so token 1 goes; after query 3 (context 0, 2, 3): s0 = 2.2, s2 = 0.8, s3 = 0.3, so token 3 goes;
        # after query 4 (context 0, 2, 4): s0 = 2.4, s2 = 1.1, s4 = 0.5, so token 4 goes.
        pol = H2OPolicy(recent=1 / 3, scorer=_toy_scorer)
        assert pol.n_recent(3) == 1
        np.testing.assert_array_equal(pol.retained(3, 3), [0, 1, 2])
        np.testing.assert_array_equal(pol.retained(4, 3), [0, 2, 3])
        np.testing.assert_array_equal(pol.retained(5, 3), [0, 2, 4])
        np.testing.assert_array_equal(pol.retained(6, 3), [0, 2, 5])
        np.testing.assert_array_equal(pol.retained(4, 3), [0, 2, 3])  # asking again replays from the start

    def test_the_recent_window_is_always_kept_and_old_attention_accumulates(self):
        state = H2OPolicy(recent=0.5).online(4)
        for i in range(12):
            ctx = state.context()
            assert len(ctx) == min(i + 1, 4) and set(range(max(0, i - 1), i + 1)) <= set(ctx)
            state.update(np.ones(len(ctx)))
        # equal weight per step: older tokens collected more, so the heavy hitters are the first two tokens
        np.testing.assert_array_equal(state.context(), [0, 1, 11, 12])

    def test_ties_evict_the_oldest(self):
        pol = H2OPolicy(recent=0.5, scorer=lambda i, c: (np.asarray(c) == i).astype(float))  # self only
        np.testing.assert_array_equal(pol.retained(20, 6), SlidingPolicy().retained(20, 6))

    def test_only_a_recent_window_is_the_sliding_window(self):
        pol = H2OPolicy(recent=1.0, scorer=lambda i, c: np.random.default_rng(i).random(len(c)))
        for t in (1, 5, 17, 40):
            np.testing.assert_array_equal(pol.retained(t, 6), SlidingPolicy().retained(t, 6))

    def test_bad_input_is_rejected(self):
        with pytest.raises(ValueError, match="`recent` must be a share"):
            H2OPolicy(recent=0)
        with pytest.raises(ValueError, match="needs a `scorer`"):
            H2OPolicy().retained(10, 4)
        with pytest.raises(ValueError, match="one entry per context token"):
            H2OPolicy().online(4).update([0.5, 0.5])


class TestSelectionBitsAndToyScorer:
    def test_bits_equal_the_exact_binomial(self):
        from math import comb, log2
        for t, w in ((10, 3), (446, 64), (1024, 256), (5, 5)):
            assert selection_bits(t, w) == pytest.approx(log2(comb(t, w)), rel=1e-9, abs=1e-9)
        with pytest.raises(ValueError, match="must not exceed `t`"):
            selection_bits(4, 5)

    def test_toy_scorer_is_a_law_over_the_context_and_h2o_keeps_salient_old_tokens(self):
        scorer = salience_scorer(seed=0)
        ctx = np.arange(30)
        a = scorer(29, ctx)
        assert a.sum() == pytest.approx(1.0) and (a > 0).all()
        kept = H2OPolicy(scorer=scorer).retained(200, 16)
        assert len(kept) == 16 and kept[:8].max() < 200 - 8  # eight heavy hitters older than the window
        assert not np.array_equal(kept, SlidingPolicy().retained(200, 16))
