"""Tests of lib.kv.explorers and lib.kv.figures: every explorer's static grid fits the budget and shows the
numbers its note states; every figure draws without error.

References: the closed forms of Toy A and the window rule, computed here independently of the explorers.
"""
import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from lib.explore.static import static_spec  # noqa: E402
from lib.kv import explorers, figures  # noqa: E402
from lib.kv.memory import SHAPES, kv_bytes  # noqa: E402
from lib.kv.toy_attention import toy_b_study  # noqa: E402
from lib.kv.toys import ToyA  # noqa: E402

ALL = [explorers.toy_a_policies, lambda: explorers.window_theorem(6.0, 0.81), explorers.block_markov,
       lambda: explorers.memory_versus_context(6.0, 0.81)]


@pytest.mark.parametrize("factory", ALL)
def test_static_grid_within_budget(factory):
    spec = static_spec(factory())
    assert len(spec["states"]) <= 600
    assert len(json.dumps(spec)) < 400_000


def test_toy_a_policies_traces_are_closed_forms():
    view = explorers.toy_a_policies().view(beta=1.5, s=2.0, t=256)
    toy = ToyA(beta=1.5, s=2.0)
    sliding, bayes, random, _ = view.traces
    assert np.allclose(sliding.y, toy.delta(sliding.x))
    assert np.allclose(bayes.y, toy.bayes_gap(bayes.x))
    inside = random.x <= 256
    assert np.allclose(random.y[inside], toy.random_retention(random.x[inside], 256))
    assert np.all(np.isnan(random.y[~inside]))


def test_window_theorem_marker_is_window_memory():
    view = explorers.window_theorem(2.0, 0.8).view(alpha=1.0, eps=0.01, model="Llama-3.2-1B")
    marker = view.traces[1]
    shape = SHAPES[explorers.MODEL_ORDER[3]]
    assert marker.y[0] * 2 ** 20 == pytest.approx(kv_bytes(200, shape))        # w = (2/0.01)^1 = 200
    assert "w(ε = 0.01) = 200 tokens" in view.note


def test_block_markov_marker_between_sliding():
    view = explorers.block_markov().view(beta=1.0, L=64)
    y = view.traces[3].y
    assert y[2] <= y[1] <= y[0]
    assert "0.00542" in view.note


def test_memory_versus_context_window_flat_beyond_w():
    view = explorers.memory_versus_context(0.5, 1.0).view(eps=0.01, model="SmolLM2-135M")
    full, window = view.traces[0], view.traces[1]
    beyond = full.x >= 50
    assert np.allclose(window.y[beyond], window.y[beyond][0])
    assert np.allclose(window.y[~beyond], full.y[~beyond])


def test_figures_draw():
    import matplotlib.pyplot as plt

    w = np.array([4, 8, 16, 32, 64, 128, 256])
    toy = ToyA(beta=1.0)
    made = [figures.wyner_ziv_schematic(), figures.toy_a_window_theorem(),
            figures.toy_b_findings(toy_b_study(n=256, n_seq=2, budgets=[8, 16, 32, 64])),
            figures.measured_extrapolation({"a": (w, 2 * w ** -0.8)}, fit_max=32),
            figures.block_markov_timeline(L=8), figures.gaussian_kl_rate_curves(),
            figures.block_markov_measured({"toy": {"w": w, "L": (w + 1) // 2, "block_markov": toy.delta(w),
                                                   "sliding_w": toy.delta(w), "sliding_L": toy.delta((w + 1) // 2)}})]
    assert all(len(f.axes) >= 1 for f in made)
    plt.close("all")
