"""Tests of lib.kv.toy_attention (Toy B, one attention layer with a sink).

References: an explicit per-token loop written here (no vectorisation) for the logits, spec II.9 items 1, 5
and 6, and the qualitative findings of spec II.8.
"""
import math

import numpy as np
import pytest
from scipy.special import softmax

from lib.kv.fits import fit_power_law
from lib.kv.toy_attention import ToyAttention, toy_b_study, toy_b_summary, toy_truncation_kl


def loop_next_logits(model, x, p):
    """The next-token logits after the last token, one attention weight at a time."""
    logits = []
    for j in range(len(x)):
        if j == 0:
            logits.append(model.b_sink)
        else:
            logits.append(model._score[x[j]] - model.beta * math.log(1 + p[-1] - p[j])
                          + model.eta * math.log(1 + p[j]))
    a = softmax(np.array(logits))
    out = np.zeros(model.width)
    for j in range(len(x)):
        scale = model.gamma_sink if j == 0 else 1.0
        out += a[j] * scale * model._values[x[j]]
    return model._out @ out


@pytest.fixture(scope="module")
def study():
    return toy_b_study(n=2048, n_seq=12, budgets=[8, 16, 32, 64, 128, 256, 512])


class TestToyAttention:
    def test_next_logits_match_loop(self):
        model = ToyAttention(gamma_sink=0.3, eta=0.2, seed=3)
        x = model.sample_tokens(40, seed=1)[0]
        p = np.sort(np.random.default_rng(0).choice(500, 40, replace=False))
        assert np.allclose(model.next_logits(x, p), loop_next_logits(model, x, p), atol=1e-12)

    def test_logits_fn_rows_are_prefix_predictions(self):
        model = ToyAttention(gamma_sink=0.1, seed=1)
        x = model.sample_tokens(300, seed=2)[0]
        p = np.arange(300)
        rows = model.logits_fn(x, p)
        assert rows.shape == (300, model.vocab)
        for i in (0, 1, 255, 256, 299):
            assert np.allclose(rows[i], model.next_logits(x[:i + 1], p[:i + 1]), atol=1e-12)

    def test_seed_fixes_parameters(self):
        x = np.arange(10)
        a = ToyAttention(seed=4).next_logits(x, x)
        assert np.array_equal(a, ToyAttention(seed=4).next_logits(x, x))
        assert not np.allclose(a, ToyAttention(seed=5).next_logits(x, x))

    @pytest.mark.parametrize("kwargs, match", [
        ({"vocab": 1}, "`vocab` must be an integer >= 2"),
        ({"beta": 0.0}, "`beta` must lie in \\(0, inf\\)"),
        ({"gamma_sink": -0.1}, "`gamma_sink` must lie in \\[0, inf\\)"),
        ({"eta": float("nan")}, "`eta` must not contain NaN"),
    ])
    def test_rejects_bad_parameters(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            ToyAttention(**kwargs)

    def test_rejects_bad_inputs(self):
        model = ToyAttention()
        with pytest.raises(ValueError, match="`position_ids` must be nonnegative, strictly increasing"):
            model.next_logits(np.array([1, 2]), np.array([3, 3]))
        with pytest.raises(ValueError, match="`token_ids` must be integers in"):
            model.next_logits(np.array([1, 64]), np.array([0, 1]))
        with pytest.raises(ValueError, match="same nonzero length"):
            model.next_logits(np.array([1, 2]), np.array([0]))


class TestToyTruncationKl:
    def test_kl_nonnegative_and_zero_for_full_window(self):
        # Spec II.9 item 1: KL ≥ 0, and Δ(w) = 0 when the window covers the whole context.
        model = ToyAttention(gamma_sink=0.1)
        tokens = model.sample_tokens(64, 5, seed=3)
        kl = toy_truncation_kl(model, tokens, [1, 8, 63, 64])
        assert np.all(kl >= 0)
        assert np.all(kl[:, -1] == 0.0)

    def test_reindexing_is_exact_no_op_for_relative_positions(self):
        # Spec II.9 item 5.
        model = ToyAttention(gamma_sink=0.2)
        tokens = model.sample_tokens(500, 4, seed=4)
        a = toy_truncation_kl(model, tokens, [8, 64, 256], "sliding")
        b = toy_truncation_kl(model, tokens, [8, 64, 256], "sliding", reindex=True)
        assert np.array_equal(a, b)

    def test_absolute_positions_break_the_no_op(self):
        model = ToyAttention(eta=0.5)
        tokens = model.sample_tokens(500, 4, seed=4)
        a = toy_truncation_kl(model, tokens, [64], "sliding")
        b = toy_truncation_kl(model, tokens, [64], "sliding", reindex=True)
        assert np.max(np.abs(a - b)) > 1e-6

    def test_reindexing_matters_for_sink_recent(self):
        model = ToyAttention()
        tokens = model.sample_tokens(500, 4, seed=4)
        a = toy_truncation_kl(model, tokens, [16], "sink", sink=4)
        b = toy_truncation_kl(model, tokens, [16], "sink", reindex=True, sink=4)
        assert not np.array_equal(a, b)

    def test_block_markov_between_sliding_windows(self):
        # Spec II.9 item 6, on Toy B: average over the positions inside a block.
        model = ToyAttention()
        L, n0 = 16, 256
        kl = {"bm": [], "L": [], "2L": []}
        for i in range(L):
            tokens = model.sample_tokens(n0 + i, 20, seed=10 + i)
            kl["bm"].append(toy_truncation_kl(model, tokens, [2 * L], "block_markov", block=L).mean())
            kl["L"].append(toy_truncation_kl(model, tokens, [L], "sliding").mean())
            kl["2L"].append(toy_truncation_kl(model, tokens, [2 * L], "sliding").mean())
        assert np.mean(kl["2L"]) <= np.mean(kl["bm"]) <= np.mean(kl["L"])

    def test_rejects_budget_above_context(self):
        model = ToyAttention()
        with pytest.raises(ValueError, match="`budgets` must be <= n"):
            toy_truncation_kl(model, model.sample_tokens(8, 1), [9])

    def test_rejects_one_dimensional_tokens(self):
        with pytest.raises(ValueError, match="`tokens` must have shape"):
            toy_truncation_kl(ToyAttention(), np.arange(8), [4])


class TestToyBStudy:
    def test_random_worse_than_sliding_at_equal_budget(self, study):
        # Spec II.9 item 6 (random ≥ sliding), by orders of magnitude as in spec II.8.
        assert np.all(study["random"].mean(0) > 10 * study["sliding"].mean(0))

    def test_reindexed_sliding_identical(self, study):
        assert np.array_equal(study["sliding"], study["sliding_reindexed"])

    def test_sink_recent_exponent_close_to_sliding(self, study):
        w = study["w"]
        sel = w >= 16
        _, a_slide = fit_power_law(w[sel], study["sliding"].mean(0)[sel])
        _, a_sink = fit_power_law(w[sel], study["sink"].mean(0)[sel])
        assert a_slide > 0.8 and abs(a_slide - a_sink) < 0.25

    def test_valued_sink_stalls_pure_truncation(self, study):
        slide, sink = study["sliding_valued_sink"].mean(0), study["sink_valued_sink"].mean(0)
        assert slide[-1] > 0.5 * slide[0]                       # a plateau
        assert sink[-1] < 0.01 * sink[0]                        # still decaying
        assert np.all(slide[1:] > sink[1:])

    def test_rejects_budgets_within_sink(self):
        with pytest.raises(ValueError, match="`budgets` must all exceed `sink`"):
            toy_b_study(n=64, n_seq=1, budgets=[4, 8])


class TestToyBSummary:
    def _study(self):
        w = np.array([16, 32, 64, 128, 256, 512, 1024])
        rows = lambda curve: np.vstack([curve, curve])        # noqa: E731  two identical sequences
        sliding = 2.0 * w ** -0.7
        reindexed = sliding.copy()
        reindexed[3] += 1e-3
        return {"w": w, "sliding": rows(sliding), "sliding_reindexed": rows(reindexed),
                "sink": rows(3.0 * w ** -0.4), "sink_reindexed": rows(3.0 * w ** -0.4),
                "random": rows(np.full(w.shape, 0.5)), "sliding_valued_sink": rows(np.where(w >= 64, 0.2, 0.3)),
                "sink_valued_sink": rows(0.1 * w ** -1.0)}

    def test_known_answers(self):
        out = toy_b_summary(self._study())
        assert out["alpha_slide"] == pytest.approx(0.7) and out["alpha_sink"] == pytest.approx(0.4)
        assert out["reindex"] == pytest.approx(1e-3)
        assert out["ratio_16"] == pytest.approx(0.5 / (2.0 * 16 ** -0.7))
        assert out["ratio_1024"] == pytest.approx(0.5 / (2.0 * 1024 ** -0.7))
        assert out["rand_first"] == out["rand_last"] == pytest.approx(0.5)
        assert out["plateau"] == pytest.approx(0.2) and out["sink_last"] == pytest.approx(0.1 / 1024)

    def test_budgets_not_in_the_study_are_refused(self):
        with pytest.raises(ValueError, match=r"`ratio_at` budgets \[20\]"):
            toy_b_summary(self._study(), ratio_at=(16, 20))
        with pytest.raises(ValueError, match="`plateau_from` = 4096"):
            toy_b_summary(self._study(), plateau_from=4096)
