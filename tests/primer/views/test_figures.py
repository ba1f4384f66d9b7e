"""Primer figures: return a figure, no titles, lowercase axis labels, data from the library."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lib import infotheory as it  # noqa: E402
from lib.primer.views import entropy_kl, fisher_cramer_rao  # noqa: E402
from tests.viewtools import figure_functions  # noqa: E402


FIGURES = dict(figure_functions("primer"))


@pytest.mark.parametrize("name", FIGURES)
def test_figure_conventions(name):
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    for ax in fig.axes:
        assert ax.get_title() == ""
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert label and label[0] == label[0].lower()


def test_one_bit_curve_peaks_at_two_over_pi():
    line = fisher_cramer_rao.one_bit_fisher().axes[0].get_lines()[0]
    assert line.get_ydata().max() == pytest.approx(2 / np.pi, rel=1e-4)


def test_bernoulli_quadratic_touches_kl_at_p():
    right = entropy_kl.bernoulli_kl(p=0.3).axes[1]
    kl, quad = (np.asarray(line.get_ydata()) for line in right.get_lines()[:2])
    q = np.asarray(right.get_lines()[0].get_xdata())
    near = np.abs(q - 0.3) < 0.02
    assert np.allclose(kl[near], quad[near], atol=2e-4)
    assert kl[np.argmin(np.abs(q - 0.6))] == pytest.approx(it.kl_divergence([0.3, 0.7], [0.6, 0.4]), rel=0.05)
