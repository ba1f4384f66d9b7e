"""The best split of cache memory between tokens and bits (lib.kv.frontier), checked independently."""
import math

import numpy as np
import pytest

from lib.kv.frontier import best_split, distortion, fit_bits_law, fit_window_law, iso_memory, optimal_bits


def _brute(M, C, alpha, A, beta, b0):
    b = np.linspace(1, 16, 300_001)
    return b[np.argmin(C * (M / (beta * (b + b0))) ** -alpha + A * 2.0 ** (-2 * b))]


@pytest.mark.parametrize("M,alpha", [(1e4, 0.8), (1e6, 0.5), (3e7, 1.2)])
def test_optimal_bits_matches_a_dense_grid(M, alpha):
    assert optimal_bits(M, 2.0, alpha, 3.0, 1.5, 1.0) == pytest.approx(_brute(M, 2.0, alpha, 3.0, 1.5, 1.0), abs=1e-3)


def test_optimal_bits_satisfies_the_stationarity_condition():
    C, alpha, A, beta, b0, M = 1.0, 0.8, 4.0, 1.0, 1.0, 1e6
    b = optimal_bits(M, C, alpha, A, beta, b0)
    lhs = alpha * C * (beta / M) ** alpha * (b + b0) ** (alpha - 1)
    rhs = 2 * math.log(2) * A * 2 ** (-2 * b)
    assert lhs == pytest.approx(rhs, rel=1e-4)


def test_bits_grow_like_half_alpha_log2_memory():
    alpha = 0.8
    b1, b2 = (optimal_bits(M, 1.0, alpha, 4.0, 1.0, 1.0, b_range=(1, 60)) for M in (1e12, 1e16))
    slope = (b2 - b1) / math.log2(1e16 / 1e12)
    assert slope == pytest.approx(alpha / 2, abs=0.02)


def test_fits_recover_known_laws():
    w = np.array([16, 32, 64, 128, 256.0])
    C, alpha = fit_window_law(w, 3.0 * w ** -0.7)
    assert (C, alpha) == pytest.approx((3.0, 0.7))
    b = np.array([2, 3, 4, 8.0])
    A, slope = fit_bits_law(b, 5.0 * 2.0 ** (-2 * b))
    assert (A, slope) == pytest.approx((5.0, -2.0))


def test_best_split_picks_the_least_distortion_that_fits():
    w, b = np.array([10, 20, 40]), np.array([16, 4, 2])
    nbytes, kl = np.array([100, 90, 120]), np.array([0.5, 0.3, 0.1])
    assert best_split(100, w, b, nbytes, kl)["w"] == 20
    assert best_split(200, w, b, nbytes, kl)["w"] == 40
    with pytest.raises(ValueError, match="no grid point fits"):
        best_split(50, w, b, nbytes, kl)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="`M`"):
        optimal_bits(-1, 1, 1, 1, 1, 1)
    with pytest.raises(ValueError, match="`w`"):
        distortion(0, 4, 1, 1, 1)
    with pytest.raises(ValueError, match="`kl`"):
        fit_window_law([1, 2], [0, 0])
    assert iso_memory(100.0, 4, 5.0, 1.0) == pytest.approx(4.0)


def test_a_cache_of_the_whole_context_has_no_truncation_term():
    d = distortion(np.array([100, 480, 600]), 4, 2.0, 0.5, 3.0, t0=480)
    assert d == pytest.approx([2.0 * 100 ** -0.5 + 3.0 / 256, 3.0 / 256, 3.0 / 256])
    with pytest.raises(ValueError, match="`t0`"):
        distortion(10, 4, 1, 1, 1, t0=0)
