"""lib.infotheory.wynerziv against regression by Monte Carlo, limits of the formulas and simulation of the scheme."""
import numpy as np
import pytest
from scipy import special

from lib.infotheory import ratedistortion as rd
from lib.infotheory import wynerziv as wz


class TestConditionalVarianceGaussian:
    def test_matches_regression_residual_by_monte_carlo(self):
        rng = np.random.default_rng(10)
        vx, vn = 2.0, 0.5
        x = rng.normal(0, np.sqrt(vx), 200_000)
        y = x + rng.normal(0, np.sqrt(vn), x.size)
        resid = (x - vx / (vx + vn) * y) ** 2
        got = wz.conditional_variance_gaussian(vx, vn)
        assert abs(got - resid.mean()) < 3 * resid.std() / np.sqrt(resid.size)

    def test_infinite_noise_means_no_side_information(self):
        assert wz.conditional_variance_gaussian(3.0, np.inf) == 3.0

    def test_rejects_zero_noise(self):
        with pytest.raises(ValueError, match=r"`var_noise` must lie in \(0, inf\]"):
            wz.conditional_variance_gaussian(1.0, 0.0)


class TestWynerZivGaussian:
    def test_at_most_rate_without_side_information(self):
        D = np.geomspace(1e-3, 2, 30)
        assert np.all(wz.wyner_ziv_gaussian(D, 1.5, 0.7) <= rd.gaussian_rate_distortion(D, 1.5) + 1e-15)

    def test_tends_to_rate_distortion_as_noise_grows(self):
        D, vx = 0.05, 1.0
        gaps = [rd.gaussian_rate_distortion(D, vx) - wz.wyner_ziv_gaussian(D, vx, vn) for vn in (1e2, 1e4, 1e6)]
        assert gaps[0] > gaps[1] > gaps[2] > 0 and gaps[2] < 1e-5

    def test_zero_once_distortion_reaches_conditional_variance(self):
        cond = 1.0 * 0.25 / 1.25
        assert wz.wyner_ziv_gaussian(cond, 1.0, 0.25) == 0.0 and wz.wyner_ziv_gaussian(cond * 1.01, 1.0, 0.25) == 0

    def test_saving_is_half_log_of_one_plus_snr(self):
        vx, vn, D = 2.0, 0.5, 0.01
        saving = rd.gaussian_rate_distortion(D, vx) - wz.wyner_ziv_gaussian(D, vx, vn)
        assert saving == pytest.approx(0.5 * np.log2(1 + vx / vn))

    def test_rejects_zero_distortion(self):
        with pytest.raises(ValueError, match=r"`D` must lie in \(0, inf\)"):
            wz.wyner_ziv_gaussian(0.0, 1.0, 1.0)


class TestWynerZivDistortion:
    def test_inverts_the_rate(self):
        for R in (0.5, 2.0):
            D = wz.wyner_ziv_distortion(R, 1.0, 0.3)
            assert wz.wyner_ziv_gaussian(D, 1.0, 0.3) == pytest.approx(R)

    def test_rejects_negative_rate(self):
        with pytest.raises(ValueError, match=r"`R` must lie in \[0, inf\)"):
            wz.wyner_ziv_distortion(-0.1, 1.0, 1.0)


def simulate(R, vx, vn, step, decoder, samples=200_000, seed=12):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, np.sqrt(vx), samples)
    y = x + rng.normal(0, np.sqrt(vn), samples)
    err = (wz.nested_quantise(x, y, R, step, vx, vn, decoder) - x) ** 2
    return err.mean(), err.std(ddof=1) / np.sqrt(samples)


class TestNestedQuantise:
    def test_sends_r_bits_the_decoder_recovers_the_fine_cell_without_confusion(self):
        rng = np.random.default_rng(13)
        x = rng.normal(0, 1, 10_000)
        y = x + rng.normal(0, 0.01, x.size)      # side information almost exact
        out = wz.nested_quantise(x, y, 2, 0.1, 1.0, 1e-4, decoder="nearest")
        assert np.allclose(out, np.round(x / 0.1) * 0.1)

    def test_mmse_decoder_matches_brute_force_posterior_mean(self):
        vx, vn, R, step = 1.0, 0.09, 1, 0.3
        x, y = np.array([0.37]), np.array([0.1])
        k = np.mod(np.round(x / step), 2 ** R)
        grid = np.linspace(-4, 4, 400_001)
        in_coset = np.mod(np.round(grid / step), 2 ** R) == k
        cond_var = vx * vn / (vx + vn)
        w = np.exp(-0.5 * (grid - vx / (vx + vn) * y) ** 2 / cond_var) * in_coset
        assert wz.nested_quantise(x, y, R, step, vx, vn)[0] == pytest.approx((w * grid).sum() / w.sum(), abs=1e-5)

    def test_rejects_unknown_decoder(self):
        with pytest.raises(ValueError, match=r"`decoder` must be 'mmse' or 'nearest'"):
            wz.nested_quantise([0.0], [0.0], 1, 0.1, 1.0, 1.0, decoder="ml")

    def test_rejects_zero_rate(self):
        with pytest.raises(ValueError, match=r"`R` must be an integer >= 1"):
            wz.nested_quantise([0.0], [0.0], 0, 0.1, 1.0, 1.0)


class TestNestedQuantiserMSE:
    @pytest.mark.parametrize("R, vx, vn, step, decoder", [(1, 1.0, 0.1, 0.5, "mmse"), (3, 1.0, 0.09, 0.1, "mmse"),
                                                          (2, 2.0, 1.0, 0.6, "nearest"), (2, 1.0, 4.0, 0.8, "mmse"),
                                                          (1, 1.0, 100.0, 2.0, "mmse"), (4, 1.0, 0.004, 0.01, "mmse")])
    def test_exact_error_matches_monte_carlo(self, R, vx, vn, step, decoder):
        """Cases where E[X|Y] is narrow or wide against a cell (its density wrapped modulo a cell is summed
        directly, or by Poisson summation), and both decoders."""
        mc, se = simulate(R, vx, vn, step, decoder)
        assert abs(wz.nested_quantiser_mse(R, vx, vn, step, decoder) - mc) < 3 * se

    @pytest.mark.parametrize("step", [0.01, 0.05, 0.2, 0.5, 2.0])
    def test_mmse_never_worse_than_side_information_alone(self, step):
        cond = wz.conditional_variance_gaussian(1.0, 0.0625)
        assert wz.nested_quantiser_mse(1, 1.0, 0.0625, step) <= cond * (1 + 1e-9)

    def test_nearest_decoder_can_be_worse_than_sending_nothing(self):
        assert wz.nested_quantiser_mse(1, 1.0, 0.0625, 0.2, "nearest") > wz.conditional_variance_gaussian(1.0, 0.0625)


class TestBestNestedQuantiser:
    @pytest.mark.parametrize("ratio", [0.0625, 1.0, 4.0, 8.0])
    @pytest.mark.parametrize("R", [1, 2, 4])
    def test_never_below_the_wyner_ziv_bound(self, R, ratio):
        """Also where side information is poor (the spread of E[X|Y] far below a cell)."""
        _, mse = wz.best_nested_quantiser(R, 1.0, ratio ** 2)
        assert wz.wyner_ziv_distortion(R, 1.0, ratio ** 2) < mse <= wz.conditional_variance_gaussian(1.0, ratio ** 2)

    @pytest.mark.parametrize("R", [1, 2, 3, 4])
    def test_between_wyner_ziv_bound_and_uniform_quantiser_ignoring_y(self, R):
        _, mse = wz.best_nested_quantiser(R, 1.0, 0.0625)
        assert wz.wyner_ziv_distortion(R, 1.0, 0.0625) < mse < rd.uniform_quantiser_mse(R)

    def test_optimum_beats_a_grid_of_steps(self):
        step, mse = wz.best_nested_quantiser(2, 1.0, 0.1)
        grid = np.geomspace(0.05, 2.0, 60)
        assert mse <= min(wz.nested_quantiser_mse(2, 1.0, 0.1, s) for s in grid) + 1e-9

    def test_scale_equivariant(self):
        step1, mse1 = wz.best_nested_quantiser(2, 1.0, 0.25)
        step4, mse4 = wz.best_nested_quantiser(2, 4.0, 1.0)
        assert step4 == pytest.approx(2 * step1, rel=1e-3) and mse4 == pytest.approx(4 * mse1, rel=1e-6)

    def test_nearest_confusion_probability_is_small_at_the_optimum(self):
        sd = np.sqrt(wz.conditional_variance_gaussian(1.0, 0.0625))
        step, _ = wz.best_nested_quantiser(2, 1.0, 0.0625, decoder="nearest")
        assert 2 * special.ndtr(-(2 ** 2) * step / (2 * sd)) < 1e-2
