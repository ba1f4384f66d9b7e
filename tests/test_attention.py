"""Attention, RoPE and the cut-cache bound, against direct computation."""
from __future__ import annotations

import numpy as np
import pytest

from lib import attention as at


def test_softmax_ignores_a_common_shift_and_never_overflows():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(at.softmax(x), at.softmax(x + 1000.0))
    np.testing.assert_allclose(at.softmax(x), np.exp(x) / np.exp(x).sum())


def test_attention_is_the_weighted_sum_of_values():
    rng = np.random.default_rng(1)
    q, K, V = rng.normal(size=4), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    out, w = at.attention(q, K, V)
    manual = np.exp(K @ q / 2) / np.exp(K @ q / 2).sum()
    np.testing.assert_allclose(w, manual)
    np.testing.assert_allclose(out, manual @ V)
    with pytest.raises(ValueError, match="shapes"):
        at.attention(q, K, V[:3])


def test_rope_rotates_pairs_keeps_norms_and_scores_depend_on_distance_only():
    rng = np.random.default_rng(2)
    q, K = rng.normal(size=8), rng.normal(size=(6, 8))
    np.testing.assert_allclose(np.linalg.norm(at.rope(K, np.arange(6) * 37), axis=1), np.linalg.norm(K, axis=1))
    base = at.rope_logits(q, K, 50, np.arange(6))
    for shift in (1, 17, 1000):
        np.testing.assert_allclose(at.rope_logits(q, K, 50 + shift, np.arange(6) + shift), base, atol=1e-9)
    angle = 3 * 1.0  # first pair, omega_0 = 1
    rotated = at.rope(np.array([1.0, 0.0, 0.0, 0.0]), 3)
    np.testing.assert_allclose(rotated[:2], [np.cos(angle), np.sin(angle)])
    with pytest.raises(ValueError, match="even"):
        at.rope(np.ones(3), 1)


def test_cut_cache_change_obeys_the_mass_bound():
    rng = np.random.default_rng(3)
    for _ in range(200):
        t = int(rng.integers(2, 40))
        w = at.softmax(rng.normal(scale=2.0, size=t))
        V = rng.normal(size=(t, 5))
        kept = rng.choice(t, size=int(rng.integers(1, t + 1)), replace=False)
        cut, mass = at.kept_output(w, V, kept)
        change = np.linalg.norm(cut - w @ V)
        assert change <= at.truncation_bound(mass, np.linalg.norm(V, axis=1).max()) + 1e-12
    full, mass = at.kept_output(w, V, np.arange(t))
    assert mass == pytest.approx(1.0) and np.allclose(full, w @ V)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="mass"):
        at.truncation_bound(1.5, 1.0)
    with pytest.raises(ValueError, match="no attention mass"):
        at.kept_output(np.array([1.0, 0.0]), np.ones((2, 2)), [1])
