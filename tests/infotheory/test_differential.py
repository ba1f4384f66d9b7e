"""Differential entropy and the Shannon lower bound, against quadrature, Monte Carlo and Part I's bound."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from lib.bits.bounds import communication_lower_bound_uniform
from lib.infotheory import differential as de
from lib.infotheory import gaussian_rate_distortion


@pytest.mark.parametrize("source", de.SOURCES)
@pytest.mark.parametrize("variance", [0.3, 2.0])
def test_closed_forms_match_quadrature(source, variance):
    scale = 12 * math.sqrt(variance)
    numeric = de.differential_entropy(lambda x: de.source_pdf(source, variance, x), (-scale, scale),
                                      points=[0.0, -math.sqrt(3 * variance), math.sqrt(3 * variance)])
    assert de.source_entropy(source, variance) == pytest.approx(numeric, abs=1e-5)
    assert de.source_entropy(source, variance, base=2) == pytest.approx(numeric / math.log(2), abs=1e-5)


@pytest.mark.parametrize("source", de.SOURCES)
def test_non_gaussianness_is_the_kl_to_the_gaussian(source):
    f = lambda x: de.source_pdf(source, 1.0, x)  # noqa: E731
    kl, _ = integrate.quad(lambda x: f(x) * math.log(f(x) / stats.norm.pdf(x)) if f(x) > 0 else 0.0, -30, 30,
                           limit=400, points=[-math.sqrt(3), 0.0, math.sqrt(3)])
    assert de.non_gaussianness(source, 1.0) == pytest.approx(kl, abs=1e-6)
    assert de.non_gaussianness(source, 1.0) >= 0


def test_shannon_lower_bound_is_tight_for_the_gaussian_and_below_the_gaussian_bound():
    D = np.geomspace(0.01, 0.99, 9)
    slb = de.shannon_lower_bound(de.source_entropy("gaussian", 1.0, base=2), D, base=2)
    np.testing.assert_allclose(slb, gaussian_rate_distortion(D, 1.0), rtol=1e-12)
    for source in de.SOURCES:
        lower = de.shannon_lower_bound(de.source_entropy(source, 1.0), D)
        upper = de.gaussian_upper_bound(1.0, D)
        assert np.all(lower <= upper + 1e-12)
        both = lower > 0
        assert both.sum() >= 3
        np.testing.assert_allclose((upper - lower)[both], de.non_gaussianness(source, 1.0), rtol=1e-9, atol=1e-12)


def test_vector_bound_is_the_scalar_bound_per_coordinate():
    h1, d, D = de.source_entropy("laplace", 1.0), 7, 0.7
    assert de.shannon_lower_bound(d * h1, D, d=d) == pytest.approx(d * de.shannon_lower_bound(h1, D / d))


def test_shannon_lower_bound_of_the_uniform_cube_is_part_one_communication_bound():
    """The communication bound of Part I with a uniform prior is this page's bound: h = d log2(2r), D = ε²."""
    d, r, eps = 16, 2.0, 0.1
    slb = de.shannon_lower_bound(d * math.log2(2 * r), eps ** 2, d=d, base=2)
    assert slb == pytest.approx(communication_lower_bound_uniform(d, eps, r), rel=1e-12)


@pytest.mark.parametrize("source", de.SOURCES)
def test_quantised_entropy_approaches_h_minus_log_step(source):
    fine = de.quantised_entropy(source, 1.0, 0.005) + math.log(0.005)
    assert fine == pytest.approx(de.source_entropy(source, 1.0), abs=2e-3)
    rng = np.random.default_rng(3)
    x = {"gaussian": rng.normal(size=400_000), "laplace": rng.laplace(scale=math.sqrt(0.5), size=400_000),
         "uniform": rng.uniform(-math.sqrt(3), math.sqrt(3), size=400_000)}[source]
    _, counts = np.unique(np.floor(x / 0.5), return_counts=True)
    p = counts / counts.sum()
    assert de.quantised_entropy(source, 1.0, 0.5) == pytest.approx(-(p * np.log(p)).sum(), abs=5e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: de.source_entropy("gaussian", -1.0), "variance"),
    (lambda: de.source_entropy("cauchy", 1.0), "source"),
    (lambda: de.shannon_lower_bound(1.0, 0.0), "D"),
    (lambda: de.quantised_entropy("gaussian", 1.0, 1e-8), "too fine"),
    (lambda: de.differential_entropy(lambda x: 1.0, (1.0, 0.0)), "support"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("source", de.SOURCES)
def test_quantiser_mse_is_step_squared_over_twelve_at_high_resolution(source):
    assert de.quantiser_mse(source, 1.0, 0.05) == pytest.approx(0.05 ** 2 / 12, rel=2e-2)
    rng = np.random.default_rng(5)
    x = rng.normal(size=400_000)
    mid = (np.floor(x / 1.5) + 0.5) * 1.5
    assert de.quantiser_mse("gaussian", 1.0, 1.5) == pytest.approx(((x - mid) ** 2).mean(), rel=1e-2)
