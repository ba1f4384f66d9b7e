"""lib.infotheory.fisher against quadrature, Monte Carlo and the generic Fisher-information routine."""
import numpy as np
import pytest
from scipy import integrate, stats

from lib.infotheory import fisher as f


class TestGaussianFisher:
    def test_matches_score_variance_by_quadrature(self):
        sigma = 1.7
        ref, _ = integrate.quad(lambda x: (x / sigma ** 2) ** 2 * stats.norm.pdf(x, 0, sigma), -np.inf, np.inf)
        assert f.gaussian_fisher(sigma) == pytest.approx(ref, rel=1e-10)

    def test_rejects_zero_sigma(self):
        with pytest.raises(ValueError, match=r"`sigma` must lie in \(0, inf\)"):
            f.gaussian_fisher(0.0)


class TestBernoulliFisher:
    def test_matches_two_point_sum(self):
        p = 0.3
        ref = (1 / p) ** 2 * p + (1 / (1 - p)) ** 2 * (1 - p)
        assert f.bernoulli_fisher(p) == pytest.approx(ref, rel=1e-14)

    def test_rejects_endpoint(self):
        with pytest.raises(ValueError, match=r"`p` must lie in \(0, 1\)"):
            f.bernoulli_fisher(1.0)


class TestBinomialFisher:
    def test_matches_numerical_fisher_of_the_pmf(self):
        n, p = 12, 0.35
        ref = f.fisher_information(lambda k, t: stats.binom.pmf(k, n, t), p, support=np.arange(n + 1),
                                   discrete=True)
        assert f.binomial_fisher(n, p) == pytest.approx(ref, rel=1e-7)

    def test_rejects_fractional_trials(self):
        with pytest.raises(TypeError, match=r"`n` must be an integer >= 1"):
            f.binomial_fisher(2.5, 0.5)

    def test_accepts_numpy_integer(self):
        assert f.binomial_fisher(np.int64(4), 0.5) == pytest.approx(16.0)


class TestThresholdQuantiserFisher:
    def test_two_over_pi_at_the_mean(self):
        assert f.threshold_quantiser_fisher(0.0) == pytest.approx(2 / np.pi, abs=1e-12)

    @pytest.mark.parametrize("a", [-2.0, 0.4, 1.0, 3.0])
    def test_matches_numerical_fisher_of_the_bit(self, a):
        sigma, t = 1.3, 0.5
        theta = t - a * sigma

        def pmf(bit, th):
            up = stats.norm.sf(t, th, sigma)
            return np.where(bit > 0, up, 1 - up)

        ref = f.fisher_information(pmf, theta, support=[0, 1], discrete=True)
        assert f.threshold_quantiser_fisher(a, sigma) == pytest.approx(ref, rel=1e-6)

    def test_spec_values_at_one_and_two(self):
        assert np.round(f.threshold_quantiser_fisher([1.0, 2.0]), 4).tolist() == [0.4386, 0.1311]

    def test_never_exceeds_unquantised_information(self):
        a = np.linspace(-30, 30, 601)
        info = f.threshold_quantiser_fisher(a, sigma=2.0)
        assert np.all(info > 0) and np.all(info <= 1 / 4)

    def test_rejects_infinite_threshold(self):
        with pytest.raises(ValueError, match=r"`a` must be finite"):
            f.threshold_quantiser_fisher(np.inf)


class TestFisherInformation:
    def test_gaussian_scale_family_is_two_over_sigma_squared(self):
        sigma = 0.8
        got = f.fisher_information(lambda x, s: stats.norm.pdf(x, 0, s), sigma)
        assert got == pytest.approx(2 / sigma ** 2, rel=1e-7)

    def test_laplace_location_is_one_over_b_squared(self):
        got = f.fisher_information(lambda x, t: stats.laplace.pdf(x, t, 2.0), 0.0, support=(-60, 60))
        assert got == pytest.approx(1 / 4, rel=1e-4)

    def test_rejects_non_callable(self):
        with pytest.raises(TypeError, match=r"`pdf` must be a callable"):
            f.fisher_information(3.0, 0.0)

    def test_rejects_bad_support(self):
        with pytest.raises(ValueError, match=r"`support` must satisfy lower < upper"):
            f.fisher_information(lambda x, t: stats.norm.pdf(x, t), 0.0, support=(1, -1))


class TestCramerRaoBound:
    def test_sample_mean_attains_it_by_monte_carlo(self):
        rng = np.random.default_rng(4)
        sigma, n = 2.0, 8
        means = rng.normal(0.0, sigma, size=(100_000, n)).mean(axis=1)
        bound = f.cramer_rao_bound(f.gaussian_fisher(sigma), n)
        err = means ** 2
        assert abs(err.mean() - bound) < 3 * err.std() / np.sqrt(err.size)

    def test_is_one_over_n_times_fisher(self):
        assert f.cramer_rao_bound(0.5, n=4) == pytest.approx(0.5)

    def test_rejects_zero_samples(self):
        with pytest.raises(ValueError, match=r"`n` must be an integer >= 1"):
            f.cramer_rao_bound(1.0, n=0)


class TestThresholdFisherInTheTail:
    """A threshold far in the tail (40 sigma and beyond) or an extreme sigma: the right limit, never NaN."""

    @pytest.mark.parametrize("a", [6.0, 20.0, 40.0])
    def test_log_information_matches_the_mills_ratio_asymptote(self, a):
        # phi(a)^2/(Phi(a) Phi(-a)) ~ a phi(a) (1 + 1/a^2) for large a: log = log a - a^2/2 - log sqrt(2 pi) + ...
        approx = np.log(a) - a**2 / 2 - 0.5 * np.log(2 * np.pi) + np.log1p(1 / a**2)
        assert f.threshold_quantiser_fisher(a, log=True) == pytest.approx(approx, abs=3 / a**4)

    def test_information_underflows_to_zero_not_nan(self):
        out = f.threshold_quantiser_fisher(np.array([40.0, -40.0, 1e200]))
        assert np.array_equal(out, [0.0, 0.0, 0.0])
        assert np.isfinite(f.threshold_quantiser_fisher(1e200, log=True))

    def test_extreme_sigma_gives_the_limits(self):
        assert f.threshold_quantiser_fisher(0.0, sigma=1e300) == 0.0
        assert f.threshold_quantiser_fisher(0.0, sigma=1e-300) == np.inf
        assert f.threshold_quantiser_fisher(0.0, sigma=1e300, log=True) == pytest.approx(
            np.log(2 / np.pi) - 2 * np.log(1e300), rel=1e-14)

    def test_sign_quantiser_of_part_one_is_the_same_function(self):
        from lib.bits import fisher_sign
        assert fisher_sign is f.threshold_quantiser_fisher
