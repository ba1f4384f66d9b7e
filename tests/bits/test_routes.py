"""Tests of lib.bits.routes: every closed form against an independent computation (quadrature, Monte Carlo, scipy)."""
import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from lib.bits import LN2, communication_lower_bound_uniform, fisher_sign, mse_lower_bound
from lib.bits import routes as R
from lib.bits.quantisers import tail_threshold_per_bit


class TestAssouadSdpi:
    @pytest.mark.parametrize("T,d,B,kappa", [(100, 16, 2, 1.0), (5000, 64, 64, 1.0), (10**4, 256, 8, 31.0)])
    def test_closed_form_is_the_maximum_over_delta(self, T, d, B, kappa):
        sigma = 0.7
        m = min(d / 2, kappa * B * LN2)

        def risk(delta):  # Assouad + Pinsker + Cauchy-Schwarz, written out independently
            sum_tv_sq = 2 * T * delta**2 * m / sigma**2
            return delta**2 * d / 2 * max(0.0, 1 - math.sqrt(sum_tv_sq / d))

        zero = sigma * math.sqrt(d / (2 * T * m))  # where the bracket of Assouad's bound reaches 0
        res = optimize.minimize_scalar(lambda x: -risk(x), bounds=(1e-9, zero), method="bounded",
                                       options={"xatol": 1e-12})
        bound, delta = R.assouad_sdpi_bound(T, d, B, sigma, kappa)
        assert bound == pytest.approx(-res.fun, rel=1e-6) and delta == pytest.approx(res.x, rel=1e-4)

    def test_same_shape_as_van_trees_a_factor_13_5_lower(self):
        T = np.array([10, 1000, 10**5])
        for d, B in [(64, 2), (64, 4096)]:
            bound, _ = R.assouad_sdpi_bound(T, d, B, 1.0)
            assert np.allclose(mse_lower_bound(T, d, B, 1.0) / bound, 13.5)

    def test_rejects_bad_kappa(self):
        with pytest.raises(ValueError, match="`kappa`"):
            R.assouad_sdpi_bound(10, 4, 2, 1.0, kappa=0.0)


class TestPinskerForAUniformBit:
    def test_tv_squared_at_most_twice_the_mutual_information(self):
        rng = np.random.default_rng(1)
        for _ in range(2000):
            p, q = rng.dirichlet(np.ones(rng.integers(2, 6)), size=2)
            tv = 0.5 * np.abs(p - q).sum()
            mix = (p + q) / 2
            info = 0.5 * stats.entropy(p, mix) + 0.5 * stats.entropy(q, mix)   # I(V; Y), V uniform
            assert tv**2 <= 2 * info + 1e-12


class TestSdpiConstants:
    @pytest.mark.parametrize("delta", [0.05, 0.3, 1.0])
    def test_chi2_contraction_against_monte_carlo(self, delta):
        rng = np.random.default_rng(2)
        v = rng.choice([-1.0, 1.0], size=2 * 10**6)
        x = delta * v + rng.standard_normal(v.size)
        # maximal correlation of a binary V: corr(V, E[V|X])^2 = Var(E[V|X]) with E[V|X] = tanh(delta x)
        assert R.chi2_contraction(delta) == pytest.approx(np.mean(np.tanh(delta * x) ** 2), rel=5e-3)

    def test_chi2_contraction_tends_to_delta_squared(self):
        assert R.chi2_contraction(1e-3, 2.0) / (1e-3 / 2.0) ** 2 == pytest.approx(1.0, abs=1e-5)

    @pytest.mark.parametrize("t,delta", [(0.0, 0.3), (1.5, 0.1), (4.0, 0.5), (-2.0, 0.2)])
    def test_threshold_ratio_against_scipy_entropies(self, t, delta):
        p_plus, p_minus = stats.norm.sf(t - delta), stats.norm.sf(t + delta)
        p_bar = (p_plus + p_minus) / 2
        h = lambda p: stats.entropy([p, 1 - p])
        expected = (h(p_bar) - h(p_plus) / 2 - h(p_minus) / 2) / h(p_bar)
        assert R.threshold_sdpi_ratio(t, delta) == pytest.approx(expected, rel=1e-8)

    def test_threshold_ratio_below_delta_squared_and_approaches_it(self):
        best = []
        for delta in (0.3, 0.1, 0.03, 0.01):
            t = np.linspace(0.0, 29.0, 5801)
            ratio = R.threshold_sdpi_ratio(t, delta) / delta**2
            assert np.all(ratio < 1.0)
            best.append(ratio.max())
        assert np.all(np.diff(best) > 0) and best[-1] > 0.95

    def test_small_delta_is_half_the_fisher_information(self):
        # I(V; Y) ~ (delta^2/2) I_Y(0): the local SDPI is the Fisher-per-nat ratio, capped by Barnes-Ozgur at 2
        t, delta = 2.0, 1e-3
        ratio = R.threshold_sdpi_ratio(t, delta) / delta**2
        h = stats.entropy([stats.norm.sf(t), stats.norm.cdf(t)])
        assert ratio == pytest.approx(fisher_sign(t) / (2 * h), rel=1e-4)

    def test_truncation_level_keeps_the_samples_inside(self):
        T, d, fail = 500, 32, 0.2
        tau = R.truncation_level(T, d, fail)
        assert T * d * 2 * stats.norm.sf(tau) == pytest.approx(fail, rel=1e-10)
        rng = np.random.default_rng(3)
        outside = np.mean([np.abs(rng.standard_normal((T, d))).max() > tau for _ in range(400)])
        assert outside < fail + 0.06
        assert tau**2 == pytest.approx(2 * math.log(T * d / fail), rel=0.25)

    def test_truncated_likelihood_ratio_costs_four_tau_squared(self):
        tau = R.truncation_level(10**4, 64, 0.1)
        for delta in (1e-3, 1e-5):
            c = math.exp(2 * delta * (delta + tau))       # sup of exp(2 delta x) over |x| <= delta + tau (sigma = 1)
            assert (c - 1) ** 2 / delta**2 == pytest.approx(4 * tau**2, rel=30 * delta)

    def test_truncation_rejects_bad_fail(self):
        with pytest.raises(ValueError, match="`fail`"):
            R.truncation_level(10, 2, 1.5)


class TestTailScheme:
    @pytest.mark.parametrize("rate", [1.0, 0.5, 0.1, 1e-3])
    def test_offset_inverts_the_binary_entropy(self, rate):
        a = R.tail_offset_for_rate(rate)
        q = stats.norm.sf(a)
        assert stats.entropy([q, 1 - q], base=2) == pytest.approx(rate, rel=1e-9)

    def test_budget_is_the_sign_at_d_equals_b_and_approaches_the_ceiling(self):
        assert R.tail_scheme_budget(8, 8) == pytest.approx(8 * 2 / math.pi)
        big = R.tail_scheme_budget(10**7, 10)
        assert 0.8 * 2 * LN2 * 10 < big < 2 * LN2 * 10   # slow: 85% of the ceiling at d/B = 10^6

    def test_gap_at_one_coordinate_one_bit_is_pi_over_two(self):
        rows = R.efficiency_table((1, 4, 4096))["rows"]
        assert rows[0][3] == pytest.approx(math.pi / 2)
        assert rows[-1][3] < rows[1][3] and all(r[3] > 1 for r in rows)

    def test_rejects_more_bits_than_coordinates(self):
        with pytest.raises(ValueError, match="`B`"):
            R.tail_scheme_budget(4, 8)


class TestLocalisation:
    @pytest.mark.parametrize("d,r", [(1, 2.0), (16, 10.0), (256, 1e3)])
    def test_at_most_the_communication_bound_below_the_threshold(self, d, r):
        sigma = 0.5
        eps_max = math.sqrt(2 * d * sigma**2 / (math.pi * math.e))
        for eps in np.linspace(0.05, 1.0, 20) * eps_max:
            assert R.localisation_bits(d, r, sigma) <= communication_lower_bound_uniform(d, eps, r) + 1e-9
        above = communication_lower_bound_uniform(d, 1.05 * eps_max, r)
        assert R.localisation_bits(d, r, sigma) > above

    def test_zero_when_the_range_is_already_small(self):
        assert R.localisation_bits(8, 0.5, 1.0) == 0.0


class TestSimulateTailThreshold:
    def test_error_matches_the_delta_method_and_bits_are_counted(self):
        run = R.simulate_tail_threshold(d=512, T=4000, a=2.0, reps=3, seed=4)
        assert run.mse == pytest.approx(run.predicted, rel=0.12)
        n2 = 4000 - 40
        assert run.bits_pilot == 40 * 512
        assert run.bits_ideal < run.bits_tail < run.bits_ideal + n2 * (2 * math.log2(1 + 512 * 0.05) + 2)
        assert run.fisher_per_bit == pytest.approx(512**2 / (run.mse * run.bits_tail))

    def test_code_length_is_enough_to_name_the_pattern(self):
        for d, k in [(10, 0), (10, 3), (64, 5), (1000, 999)]:
            gamma = 2 * (k + 1).bit_length() - 1        # Elias gamma length of k + 1
            assert 2 ** (R._code_length(k, d) - gamma) >= math.comb(d, k)
            assert 2 ** (R._code_length(k, d) - gamma - 1) < max(math.comb(d, k), 1) or math.comb(d, k) == 1

    def test_fisher_per_bit_beats_the_sign(self):
        run = R.simulate_tail_threshold(d=1024, T=6000, a=2.5, reps=2, seed=5)
        assert run.fisher_per_bit > 2 / math.pi
        assert run.fisher_per_bit < tail_threshold_per_bit(2.5) * 1.05

    @pytest.mark.parametrize("kw,name", [({"a": 9.0}, "`a`"), ({"r": 5.0}, "`r`"), ({"pilot": 1.0}, "`pilot`"),
                                         ({"T": 1}, "`T`")])
    def test_rejects_bad_input(self, kw, name):
        args = dict(d=8, T=100, a=1.0) | kw
        with pytest.raises(ValueError, match=name):
            R.simulate_tail_threshold(**args)


def test_quadrature_independent_of_hermite_nodes():
    delta = 0.4
    f = lambda x: np.tanh(delta * x) ** 2 * 0.5 * (stats.norm.pdf(x - delta) + stats.norm.pdf(x + delta))
    assert R.chi2_contraction(delta) == pytest.approx(integrate.quad(f, -40, 40)[0], rel=1e-10)


class TestCategoricalFisher:
    @staticmethod
    def score_covariance(p, cells, eps=1e-6):
        """Fisher information of the cell by finite differences of log P(cell) over the free parameters."""
        m = p.size
        labels = np.unique(cells)

        def log_cells(theta):
            full = np.append(theta, 1 - theta.sum())
            return np.log([full[cells == c].sum() for c in labels])

        theta = p[:-1]
        jac = np.array([(log_cells(theta + eps * e) - log_cells(theta - eps * e)) / (2 * eps)
                        for e in np.eye(m - 1)]).T                  # (L, m-1) scores of each cell
        prob = np.array([p[cells == c].sum() for c in labels])
        return (jac.T * prob) @ jac

    def test_against_finite_differences_and_the_rank_bound(self):
        rng = np.random.default_rng(6)
        for L in (2, 4, 16):
            p = rng.dirichlet(np.ones(40))
            cells = rng.integers(0, L, size=40)
            cells[:L] = np.arange(L)                                   # every cell used
            fisher_y, fisher_x = R.categorical_fisher(p, cells)
            assert np.allclose(fisher_y, self.score_covariance(p, cells), rtol=1e-5, atol=1e-6)
            assert np.linalg.matrix_rank(fisher_y, tol=1e-8 * np.abs(fisher_y).max()) <= L - 1
            assert np.linalg.eigvalsh(fisher_x - fisher_y).min() > -1e-8 * np.abs(fisher_x).max()
            assert np.trace(fisher_y) <= (L - 1) * np.linalg.eigvalsh(fisher_x).max() * (1 + 1e-12)

    def test_full_resolution_recovers_the_sample(self):
        p = np.array([0.1, 0.2, 0.3, 0.4])
        fisher_y, fisher_x = R.categorical_fisher(p, np.arange(4))
        assert np.allclose(fisher_y, fisher_x)

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match="`p`"):
            R.categorical_fisher([0.5, 0.6], [0, 1])
        with pytest.raises(ValueError, match="`cells`"):
            R.categorical_fisher([0.5, 0.5], [0])
