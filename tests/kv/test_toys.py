"""Tests of lib.kv.toys (Toy A, the linear-Gaussian model).

References: Monte Carlo within 3 standard errors (spec II.9 item 2), direct sums over the coefficients instead
of the Hurwitz zeta, Gaussian entropies from lib.infotheory for the conditional mutual information, and the
spec's numbers (II.5, II.8).
"""
import math

import numpy as np
import pytest

from lib.infotheory import gaussian_entropy, gaussian_kl
from lib.kv.toys import ToyA, gaussian_kl_rate


def direct_tail(beta, w, history=200_000):
    k = np.arange(w + 1, history + 1, dtype=float)
    return float(np.sum(k ** (-2 * beta)))


class TestClosedForms:
    @pytest.mark.parametrize("beta", [0.8, 1.0, 1.7])
    def test_tail_variance_matches_direct_sum(self, beta):
        toy = ToyA(beta=beta, c=0.7, sigma_u=1.3, history=200_000)
        for w in (0, 3, 40):
            assert toy.tail_variance(w) == pytest.approx(0.49 * 1.69 * direct_tail(beta, w), rel=1e-10)

    def test_delta_is_gaussian_kl_average(self):
        # E[(μ − μ_w)²]/(2s²) with E over the missing part N(0, V_w): average gaussian_kl by quadrature.
        toy = ToyA(beta=1.2, s=0.8)
        V = toy.tail_variance(10)
        z, wts = np.polynomial.hermite_e.hermegauss(40)
        kl = gaussian_kl(np.sqrt(V) * z, 0.64, 0.0, 0.64)
        assert toy.delta(10) == pytest.approx(np.sum(wts * kl) / np.sqrt(2 * np.pi), rel=1e-10)

    def test_bayes_gap_is_conditional_mutual_information(self):
        # I(Y; older | suffix) = h(Y | suffix) − h(Y | everything) for Gaussians.
        toy = ToyA(beta=1.0, s=1.5)
        V = toy.tail_variance(7)
        cmi = gaussian_entropy(2.25 + V) - gaussian_entropy(2.25)
        assert toy.bayes_gap(7) == pytest.approx(cmi, rel=1e-12)

    def test_bayes_gap_below_delta_and_both_nonincreasing(self):
        toy = ToyA(beta=0.9)
        w = np.arange(0, 500)
        d, b = toy.delta(w), toy.bayes_gap(w)
        assert np.all(b <= d) and np.all(b >= 0)
        assert np.all(np.diff(d) <= 0) and np.all(np.diff(b) <= 0)

    def test_zero_once_window_covers_history(self):
        toy = ToyA(beta=1.0, history=64)
        assert toy.delta(64) == 0.0 and toy.delta(100) == 0.0 and toy.bayes_gap(64) == 0.0
        assert toy.delta(63) > 0

    def test_spec_block_and_window_values(self):
        # Spec II.5: Δ(64) = 0.00775, Δ(128) = 0.00389 for β = 1 (c = σ_u = s = 1).
        toy = ToyA(beta=1.0)
        assert toy.delta(64) == pytest.approx(0.00775, abs=5e-6)
        assert toy.delta(128) == pytest.approx(0.00389, abs=5e-6)

    def test_asymptotic_exponent(self):
        toy = ToyA(beta=1.4)
        w = np.array([1e4, 1e5])
        slope = -np.diff(np.log(toy.delta(w))) / np.diff(np.log(w))
        assert slope[0] == pytest.approx(toy.alpha, abs=1e-3)

    def test_random_retention_formula_against_sum(self):
        toy = ToyA(beta=1.0)
        m, t = 16, 1024
        head = float(np.sum(np.arange(1, t + 1, dtype=float) ** -2))           # Σ_{k≤t} k^(−2)
        expected = 0.5 * ((1 - m / t) * head + (math.pi ** 2 / 6 - head))
        assert toy.random_retention(m, t) == pytest.approx(expected, rel=1e-12)

    def test_random_retention_worse_than_sliding_at_equal_budget(self):
        toy = ToyA(beta=1.0)
        for m in (1, 16, 256):
            assert toy.random_retention(m, 1024) >= toy.delta(m)
        assert toy.random_retention(1024, 1024) == pytest.approx(toy.delta(1024), rel=1e-12)


class TestPowerLawBounds:
    @pytest.mark.parametrize("beta, s", [(0.75, 1.0), (1.0, 1.0), (1.5, 0.5)])
    def test_two_sided_envelope_holds(self, beta, s):
        toy = ToyA(beta=beta, s=s)
        c_lo, C = toy.power_law_bounds()
        w = np.unique(np.geomspace(1, 1e6, 300).round())
        assert np.all(toy.delta(w) <= C * w ** -toy.alpha)
        assert np.all(toy.bayes_gap(w) >= c_lo * w ** -toy.alpha)

    def test_upper_constant_is_asymptotically_tight(self):
        toy = ToyA(beta=1.0)
        _, C = toy.power_law_bounds()
        assert toy.delta(10**6) * 10**6 == pytest.approx(C, rel=1e-5)

    def test_requires_infinite_past(self):
        with pytest.raises(ValueError, match="`history` must be None"):
            ToyA(beta=1.0, history=10).power_law_bounds()


class TestMinWindow:
    def test_spec_windows(self):
        toy = ToyA(beta=1.0)
        assert [toy.min_window(e) for e in (1e-2, 1e-3, 1e-4)] == [50, 500, 5000]

    def test_is_smallest(self):
        toy = ToyA(beta=1.3)
        for kind, f in (("model", toy.delta), ("bayes", toy.bayes_gap)):
            w = toy.min_window(1e-3, kind=kind)
            assert f(w) <= 1e-3 < f(w - 1)

    def test_rejects_bad_kind_and_eps(self):
        with pytest.raises(ValueError, match="`kind` must be"):
            ToyA(beta=1.0).min_window(0.1, kind="other")
        with pytest.raises(ValueError, match="`eps` must lie in \\(0, inf\\)"):
            ToyA(beta=1.0).min_window(0.0)


class TestMonteCarlo:
    # Spec II.9 item 2: closed forms against Monte Carlo within 3 standard errors.
    @pytest.mark.parametrize("beta, w", [(1.0, 4), (0.8, 32), (1.5, 0)])
    def test_excess_loss_matches_closed_forms(self, beta, w):
        toy = ToyA(beta=beta, c=0.9, s=0.7, history=256)
        mc = toy.sample_excess_loss(w, n_rep=20_000, seed=5)
        assert abs(mc["model"].mean - toy.delta(w)) < 3 * mc["model"].se
        assert abs(mc["bayes"].mean - toy.bayes_gap(w)) < 3 * mc["bayes"].se

    @pytest.mark.parametrize("m, t", [(4, 64), (16, 128), (64, 64)])
    def test_random_retention_matches_closed_form(self, m, t):
        toy = ToyA(beta=1.0, history=256)
        mc = toy.sample_random_retention(m, t, n_rep=20_000, seed=2)
        assert abs(mc.mean - toy.random_retention(m, t)) < 3 * mc.se

    def test_needs_finite_history(self):
        with pytest.raises(ValueError, match="`history` must be set"):
            ToyA(beta=1.0).sample_excess_loss(3)


class TestValidation:
    @pytest.mark.parametrize("kwargs, match", [
        ({"beta": 0.5}, "`beta` must be > 1/2"),
        ({"beta": 1.0, "c": 0}, "`c` must lie in \\(0, inf\\)"),
        ({"beta": 1.0, "s": -1}, "`s` must lie in \\(0, inf\\)"),
        ({"beta": 1.0, "sigma_u": float("inf")}, "`sigma_u` must lie in \\(0, inf\\)"),
        ({"beta": 1.0, "history": 0}, "`history` must be an integer >= 1"),
    ])
    def test_rejects_bad_parameters(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            ToyA(**kwargs)

    def test_rejects_fractional_and_negative_windows(self):
        toy = ToyA(beta=1.0)
        with pytest.raises(ValueError, match="`w` must hold whole numbers"):
            toy.delta(2.5)
        with pytest.raises(ValueError, match="`w` must be >= 0"):
            toy.delta(-1)

    def test_rejects_budget_above_pool(self):
        with pytest.raises(ValueError, match="`m` must be <= `t`"):
            ToyA(beta=1.0).random_retention(10, 5)

    def test_rejects_non_integer_history(self):
        with pytest.raises(TypeError, match="`history` must be an integer"):
            ToyA(beta=1.0, history=2.5)


class TestGaussianKlRate:
    # Spec II.9 item 7, as used on the KV side: the Wyner–Ziv rate for a KL target.
    def test_formula_by_hand(self):
        cond = 2.0 * 0.5 / 2.5                                                   # σ²_{X|Y} = vx·vn/(vx+vn)
        expected = 0.5 * math.log2(cond / (2 * 0.7 ** 2 * 0.01))
        assert gaussian_kl_rate(0.01, 2.0, 0.5, s=0.7) == pytest.approx(expected, rel=1e-12)

    def test_side_information_never_costs_and_vanishes_when_useless(self):
        eps = np.geomspace(1e-4, 0.4, 20)
        with_y = gaussian_kl_rate(eps, 1.0, 1.0)
        without = gaussian_kl_rate(eps, 1.0)
        assert np.all(with_y <= without)
        assert np.allclose(gaussian_kl_rate(eps, 1.0, 1e12), without, atol=1e-9)

    def test_zero_once_side_information_suffices(self):
        # 2s²ε ≥ σ²_{X|Y} = 0.5 needs no bits.
        assert gaussian_kl_rate(0.25, 1.0, 1.0) == 0.0
        assert gaussian_kl_rate(0.24, 1.0, 1.0) > 0.0

    def test_kl_of_equal_variance_gaussians_is_scaled_mse(self):
        x, xhat, s = 0.3, -0.9, 0.6
        assert gaussian_kl(x, s ** 2, xhat, s ** 2) == pytest.approx((x - xhat) ** 2 / (2 * s ** 2), rel=1e-12)

    def test_rejects_bad_eps_and_s(self):
        with pytest.raises(ValueError, match="`eps` must lie in \\(0, inf\\)"):
            gaussian_kl_rate(0.0, 1.0)
        with pytest.raises(ValueError, match="`s` must lie in \\(0, inf\\)"):
            gaussian_kl_rate(0.1, 1.0, s=0)
