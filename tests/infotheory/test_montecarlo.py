"""lib.infotheory.montecarlo against exact references (binomial sums, closed forms, exact quantiser errors)."""
import numpy as np
import pytest
from scipy import special, stats

from lib import infotheory as it
from lib.infotheory import montecarlo as sim


def one_bit_mle_exact(a, n):
    """E(θ̂ − θ)² of the clipped one-bit MLE, summed exactly over the Binomial(n, 1 − Φ(a)) count."""
    k = np.arange(n + 1)
    p_hat = np.clip(k / n, 0.5 / n, 1 - 0.5 / n)
    return float(np.sum(stats.binom.pmf(k, n, special.ndtr(-a)) * (a - special.ndtri(1 - p_hat)) ** 2))


class TestLocationEstimatorMSE:
    def test_sample_mean_matches_sigma_squared_over_n(self):
        out = sim.location_estimator_mse()
        mse, se = out["mean"]
        assert np.all(np.abs(mse - 1 / out["n"]) < 3 * se)

    def test_median_tends_to_pi_over_two_n(self):
        out = sim.location_estimator_mse()
        mse, se = out["median"]
        assert abs(out["n"][-1] * mse[-1] - np.pi / 2) < 3 * out["n"][-1] * se[-1] + 0.02

    def test_rejects_too_few_replicates(self):
        with pytest.raises(ValueError, match=r"`reps` must be an integer >= 10"):
            sim.location_estimator_mse(reps=5)


class TestOneBitMLEMSE:
    @pytest.mark.parametrize("a", [0.0, 1.5])
    def test_matches_exact_binomial_sum(self, a):
        mse, se = sim.one_bit_mle_mse(a)
        exact = np.array([one_bit_mle_exact(a, n) for n in sim.N_GRID])
        assert np.all(np.abs(mse - exact) < 3 * se + 1e-12)

    def test_converges_to_one_bit_cramer_rao(self):
        exact = 1024 * one_bit_mle_exact(0.0, 1024)
        assert exact == pytest.approx(1 / it.threshold_quantiser_fisher(0.0), rel=0.02)

    def test_rejects_vector_offset(self):
        with pytest.raises(ValueError, match=r"`a` must be a finite number"):
            sim.one_bit_mle_mse([0.0, 1.0])


class TestUniformQuantiserMC:
    def test_within_three_standard_errors_of_exact(self):
        rates, mse, se = sim.uniform_quantiser_mc()
        exact = np.array([it.uniform_quantiser_mse(int(R)) for R in rates])
        assert np.all(np.abs(mse - exact) < 3 * se)


class TestNestedQuantiserCurve:
    def test_between_wyner_ziv_bound_and_side_information_alone(self):
        rates, mse = sim.nested_quantiser_curve(0.25)
        cond = it.conditional_variance_gaussian(1.0, 0.0625)
        assert np.all(it.wyner_ziv_distortion(rates, 1.0, 0.0625) < mse) and np.all(mse < cond)
        assert np.all(np.diff(mse) < 0)

    def test_rejects_nonpositive_ratio(self):
        with pytest.raises(ValueError, match=r"`ratio` must lie in \(0, inf\)"):
            sim.nested_quantiser_curve(0.0)
