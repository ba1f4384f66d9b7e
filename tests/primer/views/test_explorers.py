"""Every primer explorer: fits the static budget, keeps its traces stable, and shows the library's numbers."""
import numpy as np
import pytest

from lib import infotheory as it
from lib.explore import Explorer
from lib.primer.views import entropy_kl, fisher_cramer_rao, rate_distortion, van_trees, wyner_ziv
from tests.viewtools import explorer_factories

FACTORIES = dict(explorer_factories("primer"))


@pytest.fixture(scope="module", params=FACTORIES)
def explorer(request):
    return FACTORIES[request.param]()


def test_factory_returns_explorer_with_few_states(explorer):
    assert isinstance(explorer, Explorer)
    assert len(explorer.grid()) <= 300


def test_static_payload_is_small(explorer):
    assert len(explorer.static_html().encode()) <= 600_000


def test_same_traces_in_every_state(explorer):
    names = None
    for state in explorer.grid():
        view = explorer.view(**state)
        got = [t.name for t in view.traces]
        assert names is None or got == names
        names = got
        assert view.note


def test_gaussian_kl_note_shows_closed_form():
    view = entropy_kl.gaussian_kl().view(mu=1.0, sigma=1.0)
    assert f"{it.gaussian_kl(0.0, 1.0, 1.0, 1.0):.3f} nats" in view.note


def test_cramer_rao_one_bit_bound_is_inverse_fisher():
    view = fisher_cramer_rao.cramer_rao().view(a=1.0)
    bound = next(t for t in view.traces if t.name.startswith("bound for one bit"))
    assert np.allclose(bound.y, 1 / it.threshold_quantiser_fisher(1.0))


def test_van_trees_bound_below_exact_risk_below_minimax():
    view = van_trees.van_trees().view(r=1.0, sigma=1.0)
    traces = {t.name: t.y for t in view.traces}
    exact = traces["Bayes risk, cos² prior (exact)"]
    assert np.all(traces["van Trees bound, cos² prior"] <= exact)
    assert np.all(exact <= traces["σ²/n: sample mean, minimax over all θ"] * (1 + 1e-9))


def test_water_filling_distortions_sum_to_budget():
    view = rate_distortion.water_filling().view(decay=0.65, D=0.1)
    variances, dist = view.traces[0].y, view.traces[1].y
    assert dist.sum() == pytest.approx(0.1 * variances.sum())


def test_wyner_ziv_curve_never_above_rate_without_side_information():
    view = wyner_ziv.wyner_ziv().view(sigma_x=1.0, sigma_n=0.25, D=0.01)
    assert np.all(view.traces[1].y <= view.traces[0].y + 1e-12)
