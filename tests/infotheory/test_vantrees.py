"""lib.infotheory.vantrees against quadrature, Monte Carlo, KS tests and brute-force Bayes risks."""
import numpy as np
import pytest
from scipy import integrate, stats

from lib.infotheory import fisher as fi
from lib.infotheory import vantrees as f


def bayes_risk_grid(n, sigma, r):
    """Brute-force Bayes risk under the cos² prior: trapezoid rule on a fine (y, θ) grid."""
    s = sigma / np.sqrt(n)
    theta = np.linspace(-r, r, 1501)
    prior = np.cos(np.pi * theta / (2 * r)) ** 2 / r
    y = np.linspace(-r - 10 * s, r + 10 * s, 2001)
    lik = np.exp(-0.5 * ((y[:, None] - theta[None, :]) / s) ** 2) / (s * np.sqrt(2 * np.pi))
    m0, m1, m2 = (np.trapezoid(lik * prior * theta ** k, theta, axis=1) for k in range(3))
    return np.trapezoid(m2 - m1 ** 2 / np.maximum(m0, 1e-300), y)


class TestVanTreesBound:
    def test_scalar_gaussian_prior_is_exact_bayes_risk(self):
        sigma, n, tau2 = 1.5, 5, 0.7
        prior_fisher = 1 / tau2
        bound = f.van_trees_bound(1, n / sigma ** 2, prior_fisher)
        rng = np.random.default_rng(5)
        theta = rng.normal(0, np.sqrt(tau2), 200_000)
        xbar = theta + rng.normal(0, sigma / np.sqrt(n), theta.size)
        post_mean = xbar * tau2 / (tau2 + sigma ** 2 / n)
        err = (post_mean - theta) ** 2
        assert abs(err.mean() - bound) < 3 * err.std() / np.sqrt(err.size)

    @pytest.mark.parametrize("n, sigma, r", [(1, 1.0, 1.0), (20, 1.0, 0.5), (3, 2.0, 4.0)])
    def test_below_brute_force_bayes_risk_under_cos2_prior(self, n, sigma, r):
        bound = f.van_trees_bound(1, n / sigma ** 2, f.cos2_prior_fisher(1, r))
        assert bound <= bayes_risk_grid(n, sigma, r)

    def test_multivariate_form_is_at_most_sum_of_scalar_bounds(self):
        a = np.array([1.0, 3.0, 10.0])
        assert f.van_trees_bound(3, a.sum(), 0.0 + 1e-300) <= np.sum(1 / a)

    def test_rejects_negative_fisher_trace(self):
        with pytest.raises(ValueError, match=r"`fisher_trace` must lie in \[0, inf\]"):
            f.van_trees_bound(2, -1.0, 1.0)

    def test_rejects_zero_prior_fisher(self):
        with pytest.raises(ValueError, match=r"`prior_fisher` must lie in \(0, inf\]"):
            f.van_trees_bound(2, 1.0, 0.0)

    def test_rejects_fractional_dimension(self):
        with pytest.raises(TypeError, match=r"`d` must be an integer >= 1"):
            f.van_trees_bound(1.5, 1.0, 1.0)


class TestCos2Prior:
    def test_fisher_matches_quadrature(self):
        r = 1.7
        pdf = lambda t: f.cos2_prior_pdf(t, r)  # noqa: E731
        score2 = lambda t: (np.pi / r * np.tan(np.pi * t / (2 * r))) ** 2 * pdf(t)  # noqa: E731
        ref, _ = integrate.quad(score2, -r, r)
        assert f.cos2_prior_fisher(1, r) == pytest.approx(ref, rel=1e-9)
        assert f.cos2_prior_fisher(5, r) == pytest.approx(5 * ref, rel=1e-9)

    def test_fisher_matches_generic_routine(self):
        r = 2.0
        got = fi.fisher_information(lambda x, t: f.cos2_prior_pdf(x - t, r), 0.0, support=(-r, r))
        assert got == pytest.approx(np.pi ** 2 / r ** 2, rel=1e-6)

    def test_pdf_integrates_to_one_and_vanishes_outside(self):
        r = 0.6
        total, _ = integrate.quad(lambda t: f.cos2_prior_pdf(t, r), -r, r)
        assert total == pytest.approx(1.0, abs=1e-12)
        assert np.all(f.cos2_prior_pdf(np.array([-1.0, 0.61, 5.0]), r) == 0)

    def test_cdf_is_integral_of_pdf(self):
        r = 1.3
        for u in (-1.0, 0.2, 1.1):
            ref, _ = integrate.quad(lambda t: f.cos2_prior_pdf(t, r), -r, u)
            assert f.cos2_prior_cdf(u, r) == pytest.approx(ref, abs=1e-12)
        assert f.cos2_prior_cdf(-9.0, r) == 0.0 and f.cos2_prior_cdf(9.0, r) == 1.0

    def test_sampler_passes_ks_test_against_cdf(self):
        r = 2.5
        x = f.sample_cos2_prior(np.random.default_rng(6), 20_000, r)
        assert stats.kstest(x, lambda u: f.cos2_prior_cdf(u, r)).pvalue > 1e-3

    def test_sampler_moments_match_quadrature(self):
        r = 1.0
        x = f.sample_cos2_prior(np.random.default_rng(7), (50_000, 2), r)
        var_ref, _ = integrate.quad(lambda t: t ** 2 * f.cos2_prior_pdf(t, r), -r, r)
        assert x.shape == (50_000, 2) and np.all(np.abs(x) <= r)
        assert abs((x ** 2).mean() - var_ref) < 3 * (x ** 2).std() / np.sqrt(x.size)

    def test_sampler_rejects_seed_instead_of_generator(self):
        with pytest.raises(TypeError, match=r"`rng` must be a numpy.random.Generator"):
            f.sample_cos2_prior(0, 10, 1.0)

    def test_rejects_nonpositive_radius(self):
        with pytest.raises(ValueError, match=r"`r` must lie in \(0, inf\)"):
            f.cos2_prior_pdf(0.0, -1.0)


class TestGaussianPosteriorVariance:
    def test_matches_inverse_of_summed_precisions(self):
        assert f.gaussian_posterior_variance(4, 2.0, 0.5) == pytest.approx(1 / (4 / 4 + 2))

    def test_equals_van_trees_with_gaussian_prior(self):
        n, sigma, tau2 = 7, 0.9, 3.0
        assert f.gaussian_posterior_variance(n, sigma, tau2) == pytest.approx(
            f.van_trees_bound(1, n / sigma ** 2, 1 / tau2))

    def test_rejects_zero_prior_variance(self):
        with pytest.raises(ValueError, match=r"`prior_var` must lie in \(0, inf\)"):
            f.gaussian_posterior_variance(1, 1.0, 0.0)


class TestGaussianLocationBayesRisk:
    @pytest.mark.parametrize("n, sigma, r", [(1, 1.0, 1.0), (100, 1.0, 1.0), (5, 2.0, 3.0), (1, 30.0, 1.0)])
    def test_matches_brute_force_grid(self, n, sigma, r):
        assert f.gaussian_location_bayes_risk(n, sigma, r) == pytest.approx(bayes_risk_grid(n, sigma, r), rel=1e-6)

    def test_monte_carlo_posterior_mean_risk(self):
        rng = np.random.default_rng(8)
        n, sigma, r = 2, 1.0, 1.0
        theta = f.sample_cos2_prior(rng, 20_000, r)
        y = theta + rng.normal(0, sigma / np.sqrt(n), theta.size)
        grid = np.linspace(-r, r, 801)
        w = f.cos2_prior_pdf(grid, r)[None, :] * np.exp(-0.5 * ((y[:, None] - grid) * np.sqrt(n) / sigma) ** 2)
        err = ((w @ grid) / w.sum(axis=1) - theta) ** 2
        risk = f.gaussian_location_bayes_risk(n, sigma, r)
        assert abs(err.mean() - risk) < 3 * err.std() / np.sqrt(err.size)

    def test_between_van_trees_and_the_two_trivial_risks(self):
        for n in (1, 10, 1000):
            risk = f.gaussian_location_bayes_risk(n, 1.0, 2.0)
            trivial = min(1 / n, 4 * (1 / 3 - 2 / np.pi ** 2))
            assert f.van_trees_bound(1, n, f.cos2_prior_fisher(1, 2.0)) <= risk <= trivial

    def test_tends_to_prior_variance_without_data(self):
        r = 1.0
        prior_var = r ** 2 * (1 / 3 - 2 / np.pi ** 2)
        assert f.gaussian_location_bayes_risk(1, 1e4, r) == pytest.approx(prior_var, rel=1e-6)

    def test_rejects_too_few_nodes(self):
        with pytest.raises(ValueError, match=r"`nodes` must be an integer >= 16"):
            f.gaussian_location_bayes_risk(1, 1.0, 1.0, nodes=4)
