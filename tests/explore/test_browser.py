"""The browser side of live explorers: an explorer is found again from where it was made, and computes there."""
import json

import numpy as np
import pytest

from lib.explore import Explorer, Param, Trace, View
from lib.explore.browser import factory_source, live_view, locate, nearest_declared
from lib.explore.static import static_spec


def curve(a, seed=None):
    x = np.linspace(0.0, 1.0, 11)
    noise = np.random.default_rng(seed).normal(size=x.size) if seed is not None else 0.0
    return View([Trace("y", x, a * x ** 2 + 1e-3 * noise)], note=f"a = {a}")


def factory(scale: float = 1.0, label: str = "a"):
    """A module-level factory, as every page's view module has them."""
    return Explorer("browser-test", [Param("a", 0.1, 10.0, default=1.0 * scale, steps=3, log=True, label=label)],
                    curve)


def simulation():
    return Explorer("browser-sim", [Param("a", 0.0, 2.0, default=1.0, steps=3)], curve, seed=7)


def on_declared_values_only():
    table = {1: 0.5, 4: 2.0, 16: 8.0}
    return Explorer("browser-table", [Param("B", 1, 16, default=4, integer=True, values=(1, 4, 16), log=True)],
                    lambda B: View([Trace("stored", [0, 1], [0, table[B]])], note=f"B = {B}"))


def with_object(obj):
    return Explorer("browser-object", [Param("a", 0.0, 1.0, default=0.5)], curve)


MODULE_LEVEL = Explorer("browser-module-level", [Param("a", 0.0, 1.0, default=0.5, steps=2)], curve)


class TestFactorySource:
    def test_records_module_factory_and_arguments(self):
        assert factory(scale=2.0).source == {"module": __name__, "factory": "factory",
                                             "args": {"scale": 2.0, "label": "a"}}

    def test_module_level_explorer_is_found_by_name(self):
        assert MODULE_LEVEL.source == {"module": __name__, "name": "browser-module-level"}
        assert locate(MODULE_LEVEL.source) is MODULE_LEVEL

    def test_nested_factory_cannot_go_live_and_says_why(self):
        def nested():
            return Explorer("browser-nested", [Param("a", 0.0, 1.0, default=0.5)], curve)

        source = nested().source
        assert "cannot be imported again" in source["reason"]
        with pytest.raises(ValueError, match="cannot run live"):
            locate(source)

    def test_non_plain_argument_is_a_reason(self):
        assert "not a plain value (object)" in with_object(object()).source["reason"]

    def test_numpy_scalars_are_recorded_as_plain_numbers(self):
        assert factory(scale=np.float64(2.0)).source["args"]["scale"] == 2.0

    def test_a_method_is_its_own_caller(self):
        assert factory_source("x")["reason"].startswith("an argument of")  # `self` is not a plain value


class TestLiveView:
    def request(self, explorer, values, seed=None, y_range=None):
        return json.loads(live_view(json.dumps({"source": explorer.source, "values": values, "seed": seed,
                                                "y_range": y_range})))

    def test_off_grid_value_is_computed_by_the_explorers_own_compute_at_full_precision(self):
        ex = factory(scale=2.0)
        out = self.request(ex, {"a": 3.3})
        want = curve(3.3).traces[0]
        assert out["values"] == {"a": 3.3} and out["note"] == "a = 3.3"
        assert np.array_equal(out["traces"][0]["y"], want.y)  # exact doubles, not the static 5 digits

    def test_out_of_range_value_raises_the_params_error(self):
        with pytest.raises(ValueError, match=r"outside its declared range \[0.1, 10.0\]"):
            self.request(factory(), {"a": 11.0})

    def test_seed_changes_the_draw_and_is_reproducible(self):
        ex = simulation()
        default = self.request(ex, {"a": 1.0})
        again, other = self.request(ex, {"a": 1.0}, seed=7), self.request(ex, {"a": 1.0}, seed=8)
        assert default["traces"] == again["traces"] != other["traces"]
        assert np.array_equal(other["traces"][0]["y"], curve(1.0, seed=8).traces[0].y)

    def test_y_range_only_widens(self):
        out = self.request(factory(), {"a": 10.0}, y_range=[0.0, 1.0])
        assert out["y_range"][0] <= 0.0 and out["y_range"][1] > 10.0
        assert self.request(factory(), {"a": 0.5}, y_range=[-1.0, 5.0])["y_range"] == [-1.0, 5.0]

    def test_compute_that_exists_only_on_declared_values_shows_the_nearest_and_says_so(self):
        out = self.request(on_declared_values_only(), {"B": 6})
        assert out["values"] == {"B": 4} and out["note"].startswith("[no state at B = 6")
        assert out["traces"][0]["y"] == [0.0, 2.0]

    def test_nearest_declared_is_on_a_log_scale_for_a_log_param(self):
        assert nearest_declared(on_declared_values_only(), {"B": 9}) == {"B": 16}  # log: 9 is nearer 16 than 4


class TestStaticSpecCarriesTheLiveDeclaration:
    def test_spec_has_source_seed_and_ranges(self):
        spec = static_spec(simulation())
        assert spec["source"]["factory"] == "simulation" and spec["seed"] == 7
        assert spec["params"][0] | {"values": None} == {"name": "a", "label": "a", "values": None, "index": 1,
                                                       "live": "range", "low": 0.0, "high": 2.0, "log": False,
                                                       "integer": False}

    def test_seed_must_be_a_keyword_of_compute(self):
        with pytest.raises(ValueError, match="accept `seed`"):
            Explorer("no-seed", [Param("a", 0.0, 1.0, default=0.5)], lambda a: View([Trace("t", [0], [a])]),
                     seed=1)
