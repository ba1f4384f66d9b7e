"""The views of the three added primer pages: explorers whose every control changes the view, numbers as glued."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lib.primer.views import attention, differential_entropy, lower_bound_methods

EXPLORERS = [differential_entropy.shannon_lower_bound, lower_bound_methods.four_methods, attention.window_and_sink]


def fingerprint(view):
    return [np.nan_to_num(np.asarray(t.y, dtype=float), nan=-1.0).round(12).tobytes() for t in view.traces] + [view.note]


@pytest.mark.parametrize("factory", EXPLORERS)
def test_every_control_changes_the_view(factory):
    ex = factory()
    base = fingerprint(ex.view(**ex.defaults))
    for p in ex.params:
        other = [v for v in p.grid() if v != ex.defaults[p.name]][0]
        assert fingerprint(ex.view(**{**ex.defaults, p.name: other})) != base, f"{p.name} changes nothing"
    assert ex.state_count() <= 600


def test_differential_entropy_numbers():
    n = differential_entropy.page_numbers()
    assert n["h_gaussian"] == pytest.approx(0.5 * math.log2(2 * math.pi * math.e))
    assert n["h_gaussian"] > n["h_laplace"] > n["h_uniform"]
    # the uniform source's distance from the Gaussian equals the high-rate loss of scalar quantisation
    assert n["kl_uniform"] == pytest.approx(n["high_rate_gap"], rel=1e-12)
    assert n["fine_gap"] == pytest.approx(n["high_rate_gap"], abs=5e-3)


def test_lower_bound_numbers_are_ordered():
    n = lower_bound_methods.page_numbers()
    assert n["le_cam"] == pytest.approx(2 * n["assouad"])
    assert n["fano_64"] < n["fano_limit"] < n["assouad"] < 1
    assert n["le_cam_at_one"] <= n["bayes_two_point"] <= 1
    assert n["small_assouad"] > n["small_van_trees"]


def test_sink_keeps_the_cut_cache_close():
    with_sink = attention.cut_numbers(3.0, 8, True)
    without = attention.cut_numbers(3.0, 8, False)
    assert with_sink["mass"] > without["mass"] and with_sink["change"] < without["change"]
    assert with_sink["change"] <= with_sink["bound"]


def test_every_control_matters_in_every_state_of_the_attention_explorer():
    """The browser test moves the sliders one after another: the policy must matter at every window."""
    ex = attention.window_and_sink()
    for w in ex.params[1].grid():
        a = fingerprint(ex.view(sink_logit=3.0, w=w, policy="window + sink"))
        assert a != fingerprint(ex.view(sink_logit=3.0, w=w, policy="window only")), f"policy inert at w = {w}"
