"""Tests of lib.bits.oracles: noise laws (Monte Carlo, 3 standard errors) and the prior draw."""
import math

import numpy as np
import pytest

from lib.bits import oracles as orc


class TestGaussianOracle:
    def test_gradient_is_shifted_noise(self):
        theta = np.array([[1.0, -2.0]])
        oracle = orc.GaussianOracle(theta, 0.5)
        rng = np.random.default_rng(0)
        x = np.array([[3.0, 3.0]])
        g = np.array([oracle.gradient(x, rng)[0] for _ in range(20000)])
        se = g.std(axis=0) / math.sqrt(g.shape[0])
        assert np.all(np.abs(g.mean(axis=0) - (x - theta)[0]) < 3 * se)

    @pytest.mark.parametrize("rho", [0.0, 0.6, -0.4, 0.999])
    def test_ar1_is_stationary_with_lag_one_correlation_rho(self, rho):
        oracle = orc.GaussianOracle(np.zeros((40000, 1)), 2.0, rho=rho)
        rng = np.random.default_rng(1)
        z0 = oracle.noise(rng)[:, 0]
        z1 = oracle.noise(rng)[:, 0]
        n = z0.size
        assert abs(z1.var() - 4.0) < 3 * 4.0 * math.sqrt(2 / n)
        corr = np.corrcoef(z0, z1)[0, 1]
        assert abs(corr - rho) < 3 * (1 - rho**2) / math.sqrt(n) + 1e-9

    def test_clipped_noise_is_bounded_and_symmetric(self):
        oracle = orc.GaussianOracle(np.zeros((100000, 1)), 1.0, clip_kappa=0.5)
        z = oracle.noise(np.random.default_rng(2))
        assert np.abs(z).max() <= 0.5
        assert abs(z.mean()) < 3 * z.std() / math.sqrt(z.size)

    def test_masked_noise_draws_only_the_read_entries_with_the_same_law(self):
        mask = np.random.default_rng(3).random((50000, 8)) < 0.25
        oracle = orc.GaussianOracle(np.zeros(mask.shape), 2.0, clip_kappa=3.0)
        z = oracle.noise(np.random.default_rng(4), mask)
        replay = np.clip(2.0 * np.random.default_rng(4).standard_normal(mask.sum()), -6.0, 6.0)
        assert np.array_equal(z[mask], replay) and not z[~mask].any()  # row-major over the read entries, 0 else
        assert abs(z[mask].mean()) < 3 * 2.0 / math.sqrt(mask.sum())

    def test_masked_ar1_noise_still_draws_every_entry(self):
        mask = np.zeros((10, 4), dtype=bool)
        mask[:, 0] = True
        z = orc.GaussianOracle(np.zeros(mask.shape), 1.0, rho=0.5).noise(np.random.default_rng(5), mask)
        assert np.array_equal(z, np.random.default_rng(5).standard_normal(mask.shape))

    @pytest.mark.parametrize("kw,match", [(dict(rho=1.0), r"`rho` must lie in \(-1, 1\)"),
                                          (dict(sigma=0.0), "`sigma`"), (dict(clip_kappa=-1.0), "`clip_kappa`")])
    def test_rejects_bad_arguments(self, kw, match):
        with pytest.raises(ValueError, match=match):
            orc.GaussianOracle(**(dict(theta=np.zeros((1, 2)), sigma=1.0) | kw))


class TestDrawTheta:
    def test_prior_draws_lie_in_the_cube_with_prior_variance(self):
        theta = orc.draw_theta(np.random.default_rng(3), 20000, 3, 2.0)
        assert theta.shape == (20000, 3) and np.abs(theta).max() <= 2.0
        var = 4.0 * (1 / 3 - 2 / math.pi**2)  # variance of r^{-1} cos^2(pi u/(2r)) on [-r, r], by integration
        assert abs(theta.var() - var) < 3 * theta.var() * math.sqrt(2 / theta.size) * 2

    def test_fixed_theta_broadcasts(self):
        theta = orc.draw_theta(np.random.default_rng(0), 4, 3, 1.0, theta=[1.0, 2.0, 3.0])
        assert theta.shape == (4, 3) and np.all(theta[:, 2] == 3.0)

    def test_rejects_wrong_shape(self):
        with pytest.raises(ValueError, match="`theta` must be a scalar"):
            orc.draw_theta(np.random.default_rng(0), 4, 3, 1.0, theta=[1.0, 2.0])


class TestGradientRange:
    def test_value(self):
        assert orc.gradient_range(2.0, 1.0, 6.0) == 10.0


class TestReduction:
    """Lemma 1 (eq-bits-reduced-encoder): X = x - G is N(theta, sigma^2) whatever the query, and sign bits of G are
    threshold tests of X at the query."""

    def test_reduced_sample_law_does_not_depend_on_the_query(self):
        theta = np.full((50000, 2), 0.7)
        rng = np.random.default_rng(4)
        for x in (np.zeros((50000, 2)), rng.normal(0, 50, size=(50000, 2))):
            X = x - orc.GaussianOracle(theta, 1.3).gradient(x, rng)
            n = X.size
            assert abs(X.mean() - 0.7) < 3 * 1.3 / math.sqrt(n)
            assert abs(X.var() - 1.69) < 3 * 1.69 * math.sqrt(2 / n)

    def test_sign_bits_are_threshold_tests(self):
        rng = np.random.default_rng(5)
        theta = rng.normal(size=(100, 5))
        x = rng.normal(0, 3, size=(100, 5))
        G = orc.GaussianOracle(theta, 1.0).gradient(x, rng)
        assert np.array_equal(G >= 0, (x - G) <= x)
