"""Tests of the views of the reduction and bound pages (static specs within budget, values consistent with the library) and figures."""
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from lib.bits import LN2, bisection_error, rounds_lower_bound  # noqa: E402
from lib.bits.noiseless import uniform_distortion_bound  # noqa: E402
from lib.explore.explorer import MAX_STATES  # noqa: E402
from lib.explore.static import static_spec  # noqa: E402
from lib.bits.views import (bit_oracle_reduction, communication_bound, fisher_per_bit,  # noqa: E402
                            statistical_bound)
from lib.infotheory import bayes_risk_cos2, gaussian_location_bayes_risk, van_trees_bound  # noqa: E402

FACTORIES = [bit_oracle_reduction.sgd_gain, communication_bound.communication_bits, statistical_bound.statistical_bound,
             fisher_per_bit.product_bound,
             fisher_per_bit.quantiser_calculator]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
class TestExplorerSpecs:
    def test_static_spec_within_budget_and_names_stable(self, factory):
        ex = factory()
        assert len(ex.grid()) <= MAX_STATES
        spec = static_spec(ex)  # raises if sizes or trace names break the rules
        assert len(spec["states"]) == len(ex.grid())
        assert ex.name.startswith("bits-")

    def test_note_changes_with_parameters(self, factory):
        ex = factory()
        notes = {ex.view(**state).note for state in ex.grid()[:: max(1, len(ex.grid()) // 7)]}
        assert len(notes) > 1


class TestSgdGainExplorer:
    def test_unit_gain_sits_on_the_bound(self):
        view = bit_oracle_reduction.sgd_gain().view(gain=1.0, start=1000.0, sigma=2.0)
        err = view.traces[0]
        assert np.allclose(err.y, 16 * 4.0 / err.x, rtol=1e-12)

    def test_asymptotic_inflation_for_gain_two(self):
        from lib.bits import sgd_error
        T = 200_000
        assert sgd_error(T, 1, 1.0, gain=2.0)[-1] * T == pytest.approx(4 / 3, rel=1e-3)


class TestCommunicationExplorer:
    def test_fisher_route_equals_van_trees_inversion(self):
        d, eps, sigma, s = 16, 0.1, 0.3, 2.0
        from lib.bits import fisher_route_bits
        bits = fisher_route_bits(d, eps, sigma, s)
        # Independent: van Trees with Gaussian prior information d/s^2 and Fisher trace 2 ln2 TB / sigma^2.
        assert van_trees_bound(d, 2 * LN2 * bits / sigma**2, d / s**2) == pytest.approx(eps**2, rel=1e-12)

    def test_zero_noise_hides_the_fisher_route(self):
        view = communication_bound.communication_bits().view(d=16, s=1.0, sigma=0.0, eps=0.1)
        assert np.all(np.isnan(view.traces[1].y))


class TestStatisticalExplorer:
    @pytest.mark.parametrize("T,sigma,r", [(1, 1.0, 1.0), (37, 0.5, 2.0), (5000, 2.0, 0.5)])
    def test_tabulated_bayes_risk_matches_quadrature(self, T, sigma, r):
        assert bayes_risk_cos2([T], sigma, r)[0] == pytest.approx(
            gaussian_location_bayes_risk(T, sigma, r), rel=2e-3)

    def test_bayes_risk_between_bound_and_sample_mean(self):
        view = statistical_bound.statistical_bound().view(d=16, sigma=1.0, r=1.0, eps=0.3)
        bound, bayes = view.traces[0].y, view.traces[1].y
        T = view.traces[0].x
        assert np.all(bound <= bayes * (1 + 1e-3)) and np.all(bayes <= 16 / T * (1 + 1e-3))


class TestProductExplorer:
    def test_marker_is_the_rounds_bound(self):
        view = fisher_per_bit.product_bound().view(B=8, d=256, sigma=2.0, eps=0.1)
        assert view.traces[-1].y[0] == pytest.approx(rounds_lower_bound(0.1, 256, 8, 2.0))
        assert "bit-limited" in view.note


class TestQuantiserExplorer:
    def test_peak_of_two_bit_curve_is_the_best_uniform_quantiser(self):
        view = fisher_per_bit.quantiser_calculator().view(b=2, offset=0.0, step=1.0)
        assert max(view.traces[0].y) == pytest.approx(0.8825, abs=2e-3)


class TestFigures:
    def _check(self, fig):
        for ax in fig.axes:
            assert ax.get_title() == ""
            for label in (ax.get_xlabel(), ax.get_ylabel()):
                assert label and label[0] == label[0].lower()

    def test_all_figures_draw_with_lowercase_labels_and_no_title(self):
        from lib.bits import random_quantisers, simulate
        fi, en = random_quantisers(np.random.default_rng(0), 200)
        run = simulate("full", d=4, B=1, sigma=1.0, T=20, reps=10)
        for fig in (bit_oracle_reduction.error_vs_rounds({"a": run}, reference=(run.rounds, 4 / run.rounds)),
                    communication_bound.bisection_vs_bound(4, 1.0, 16), statistical_bound.statistical_bound_figure(4, 1.0, 1.0, mc=run, T_max=50),
                    fisher_per_bit.fisher_per_bit_bars(3, (1, 2)), fisher_per_bit.fisher_vs_entropy(fi, en)):
            self._check(fig)

    def test_best_uniform_table_rows(self):
        table = fisher_per_bit.best_uniform_table(3).data
        assert table.count("<tr>") == 4 and "0.8825" in table


class TestBisectionFormula:
    def test_ratio_is_pi_e_over_six_at_multiples_of_d(self):
        d, r = 5, 2.0
        for m in (1, 3, 7):
            assert bisection_error(d, m * d, r) / uniform_distortion_bound(d, m * d, r) == pytest.approx(
                math.pi * math.e / 6, rel=1e-12)
