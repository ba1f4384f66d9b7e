"""lib.infotheory.measures against independent computations (mpmath sums, quadrature, Monte Carlo)."""
import mpmath
import numpy as np
import pytest
from scipy import integrate, stats

from lib.infotheory import measures as m


def mp_entropy(p):
    """Reference entropy in nats with mpmath at 30 digits (0 log 0 = 0)."""
    mpmath.mp.dps = 30
    return float(-sum(mpmath.mpf(x) * mpmath.log(mpmath.mpf(x)) for x in p if x > 0))


class TestEntropy:
    def test_matches_mpmath_sum_in_nats(self):
        p = np.array([0.1, 0.2, 0.3, 0.4])
        assert m.entropy(p) == pytest.approx(mp_entropy(p), rel=1e-13)

    def test_base_two_is_nats_over_ln2(self):
        p = [0.7, 0.2, 0.1]
        assert m.entropy(p, base=2) == pytest.approx(mp_entropy(p) / np.log(2), rel=1e-13)

    def test_uniform_on_k_outcomes_is_log_k_bits(self):
        assert m.entropy(np.full(8, 1 / 8), base=2) == pytest.approx(3.0, abs=1e-14)

    def test_zero_probabilities_contribute_nothing(self):
        assert m.entropy([0.5, 0.5, 0.0]) == pytest.approx(np.log(2), abs=1e-15)

    def test_batch_along_last_axis(self):
        p = np.array([[1.0, 0.0], [0.5, 0.5]])
        assert np.allclose(m.entropy(p, base=2), [0.0, 1.0])

    def test_rejects_unnormalised_vector(self):
        with pytest.raises(ValueError, match=r"`p` must sum to 1"):
            m.entropy([0.5, 0.6])

    def test_rejects_negative_entry(self):
        with pytest.raises(ValueError, match=r"`p` must have entries in \[0, 1\]"):
            m.entropy([1.5, -0.5])

    def test_rejects_scalar(self):
        with pytest.raises(ValueError, match=r"`p` must be a non-empty array"):
            m.entropy(1.0)

    def test_rejects_nan(self):
        with pytest.raises(ValueError, match=r"`p` must not contain NaN"):
            m.entropy([np.nan, 1.0])

    def test_rejects_non_numeric(self):
        with pytest.raises(TypeError, match=r"`p` must be a real number or an array"):
            m.entropy(["a", "b"])

    @pytest.mark.parametrize("base", [1, 0, -2, "two"])
    def test_rejects_bad_base(self, base):
        with pytest.raises((ValueError, TypeError), match=r"`base`"):
            m.entropy([0.5, 0.5], base=base)


class TestBinaryEntropy:
    def test_matches_two_point_entropy(self):
        for p in (0.01, 0.3, 0.5):
            assert m.binary_entropy(p) == pytest.approx(mp_entropy([p, 1 - p]), rel=1e-13)

    def test_half_is_one_bit_and_endpoints_are_zero(self):
        assert np.allclose(m.binary_entropy([0.0, 0.5, 1.0], base=2), [0.0, 1.0, 0.0])

    def test_rejects_outside_unit_interval(self):
        with pytest.raises(ValueError, match=r"`p` must lie in \[0, 1\]"):
            m.binary_entropy(1.2)


class TestCrossEntropy:
    def test_is_entropy_plus_kl(self):
        p, q = [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]
        ref_kl = sum(a * np.log(a / b) for a, b in zip(p, q))
        assert m.cross_entropy(p, q) == pytest.approx(mp_entropy(p) + ref_kl, rel=1e-13)

    def test_monte_carlo_log_loss(self):
        rng = np.random.default_rng(1)
        p, q = np.array([0.6, 0.3, 0.1]), np.array([0.3, 0.3, 0.4])
        losses = -np.log(q[rng.choice(3, size=200_000, p=p)])
        se = losses.std() / np.sqrt(losses.size)
        assert abs(m.cross_entropy(p, q) - losses.mean()) < 3 * se

    def test_infinite_when_q_misses_support(self):
        assert m.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf


class TestKLDivergence:
    def test_matches_explicit_sum(self):
        p, q = [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]
        mpmath.mp.dps = 30
        ref = float(sum(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) for a, b in zip(p, q)))
        assert m.kl_divergence(p, q) == pytest.approx(ref, rel=1e-13)

    def test_monte_carlo_log_likelihood_ratio(self):
        rng = np.random.default_rng(2)
        p, q = np.array([0.5, 0.25, 0.25]), np.array([0.2, 0.4, 0.4])
        llr = np.log(p / q)[rng.choice(3, size=200_000, p=p)]
        assert abs(m.kl_divergence(p, q) - llr.mean()) < 3 * llr.std() / np.sqrt(llr.size)

    def test_zero_iff_equal_and_positive_otherwise(self):
        assert m.kl_divergence([0.3, 0.7], [0.3, 0.7]) == 0.0
        assert m.kl_divergence([0.3, 0.7], [0.31, 0.69]) > 0

    def test_is_not_symmetric(self):
        p, q = [0.9, 0.1], [0.5, 0.5]
        assert m.kl_divergence(p, q) != pytest.approx(m.kl_divergence(q, p))

    def test_infinite_when_support_not_covered(self):
        assert m.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf

    def test_bits_are_nats_over_ln2(self):
        p, q = [0.1, 0.9], [0.5, 0.5]
        assert m.kl_divergence(p, q, base=2) == pytest.approx(m.kl_divergence(p, q) / np.log(2), rel=1e-14)

    def test_rejects_shape_mismatch(self):
        with pytest.raises(ValueError, match=r"`p` and `q` must have the same shape"):
            m.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])

    def test_rejects_unnormalised_q(self):
        with pytest.raises(ValueError, match=r"`q` must sum to 1"):
            m.kl_divergence([0.5, 0.5], [0.5, 0.6])


class TestMutualInformation:
    def test_independent_table_has_zero_information(self):
        joint = np.outer([0.3, 0.7], [0.2, 0.5, 0.3])
        assert m.mutual_information(joint) == pytest.approx(0.0, abs=1e-15)

    def test_equals_hx_plus_hy_minus_hxy(self):
        joint = np.array([[0.3, 0.1], [0.05, 0.55]])
        ref = mp_entropy(joint.sum(1)) + mp_entropy(joint.sum(0)) - mp_entropy(joint.ravel())
        assert m.mutual_information(joint) == pytest.approx(ref, rel=1e-12)

    def test_b_bit_message_carries_at_most_b_bits(self):
        rng = np.random.default_rng(3)
        for _ in range(20):
            joint = rng.random((16, 4))
            joint /= joint.sum()
            assert m.mutual_information(joint, base=2) <= m.entropy(joint.sum(0), base=2) + 1e-12 <= 2 + 1e-12

    def test_rejects_vector(self):
        with pytest.raises(ValueError, match=r"`joint` must be a 2-dimensional array"):
            m.mutual_information([0.5, 0.5])


class TestGaussianKL:
    def test_matches_numerical_integration(self):
        mu0, v0, mu1, v1 = 0.3, 0.5, -0.4, 2.0
        p, q = stats.norm(mu0, np.sqrt(v0)), stats.norm(mu1, np.sqrt(v1))
        ref, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), -np.inf, np.inf)
        assert m.gaussian_kl(mu0, v0, mu1, v1) == pytest.approx(ref, rel=1e-9)

    def test_equal_variances_is_half_squared_distance(self):
        assert m.gaussian_kl(1.0, 4.0, -1.0, 4.0) == pytest.approx(0.5 * 4 / 4)

    def test_broadcasts(self):
        out = m.gaussian_kl(np.array([0.0, 1.0]), 1.0, 0.0, 1.0)
        assert np.allclose(out, [0.0, 0.5])

    def test_rejects_nonpositive_variance(self):
        with pytest.raises(ValueError, match=r"`var1` must lie in \(0, inf\)"):
            m.gaussian_kl(0.0, 1.0, 0.0, 0.0)

    def test_rejects_infinite_mean(self):
        with pytest.raises(ValueError, match=r"`mu0` must be finite"):
            m.gaussian_kl(np.inf, 1.0, 0.0, 1.0)


class TestGaussianEntropy:
    def test_matches_scipy_differential_entropy(self):
        assert m.gaussian_entropy(3.0) == pytest.approx(stats.norm(0, np.sqrt(3.0)).entropy(), rel=1e-14)

    def test_rejects_zero_variance(self):
        with pytest.raises(ValueError, match=r"`variance` must lie in \(0, inf\)"):
            m.gaussian_entropy(0.0)
