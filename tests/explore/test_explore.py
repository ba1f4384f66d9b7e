"""Explorer core: parameters, validation, the static spec and the live widget."""
import importlib.util
import json
import re

import numpy as np
import pytest

from lib.explore import Explorer, Param, Trace, View
from lib.explore import explorer as explorer_module
from lib.explore.static import static_spec


#: The kernel's widgets: absent where these tests also run, under Node + Pyodide (tests/test_pyodide.py).
needs_ipywidgets = pytest.mark.skipif(importlib.util.find_spec("ipywidgets") is None,
                                      reason="ipywidgets is not installed (e.g. under Pyodide)")


def parabola(a, b):
    x = np.linspace(-1, 1, 21)
    return View([Trace("curve", x, a * x**2 + b), Trace("vertex", [0.0], [b], mode="markers")],
                note=f"a={a:g}, b={b:g}")


def two_slider_explorer(**kw):
    return Explorer("parabola", [Param("a", 0.5, 2.0, default=1.0, steps=4),
                                 Param("b", -1.0, 1.0, default=0.0, steps=3)], parabola, **kw)


class TestParam:
    def test_grid_contains_default_and_is_sorted(self):
        p = Param("sigma", 0.1, 10, default=0.7, steps=5, log=True)
        grid = p.grid()
        assert grid == sorted(grid)
        assert any(np.isclose(v, 0.7) for v in grid)
        assert grid[0] == pytest.approx(0.1) and grid[-1] == pytest.approx(10)

    def test_log_grid_is_geometric(self):
        grid = Param("B", 1, 1024, default=1, steps=11, log=True).grid()
        assert np.allclose(np.diff(np.log2(grid)), 1.0)

    def test_integer_grid_is_deduplicated_integers(self):
        grid = Param("d", 1, 4, default=2, steps=20, integer=True).grid()
        assert grid == [1, 2, 3, 4]
        assert all(isinstance(v, int) for v in grid)

    def test_default_index_points_at_default(self):
        p = Param("eps", 0.01, 1.0, default=0.1, steps=3, log=True)
        assert p.grid()[p.default_index()] == pytest.approx(0.1)

    @pytest.mark.parametrize("kwargs, message", [
        (dict(name="2x", low=0, high=1, default=0.5), "identifier"),
        (dict(name="x", low=1, high=1, default=1), "low < high"),
        (dict(name="x", low=0, high=1, default=0.5, log=True), "log-scale slider needs low > 0"),
        (dict(name="x", low=0, high=1, default=2), r"outside its declared range \[0, 1\]"),
        (dict(name="x", low=0, high=1, default=0.5, steps=1), "steps must be an integer >= 2"),
        (dict(name="x", low=0, high=1, default=0.5, values=[0, 1]), "default 0.5 must be one of `values`"),
    ])
    def test_bad_declarations_name_the_problem(self, kwargs, message):
        with pytest.raises(ValueError, match=message):
            Param(**kwargs)


class TestTraceAndView:
    def test_mismatched_lengths_rejected(self):
        with pytest.raises(ValueError, match="differ in length"):
            Trace("t", [1, 2], [1])

    def test_heatmap_shape_checked(self):
        with pytest.raises(ValueError, match="expected \\(len\\(y\\), len\\(x\\)\\)"):
            Trace("h", [1, 2, 3], [1, 2], z=np.zeros((3, 2)), kind="heatmap")

    def test_empty_view_rejected(self):
        with pytest.raises(ValueError, match="at least one Trace"):
            View([])

    def test_duplicate_trace_names_rejected(self):
        with pytest.raises(ValueError, match="unique"):
            View([Trace("a", [1], [1]), Trace("a", [1], [2])])


class TestExplorer:
    def test_compute_signature_must_match_params(self):
        with pytest.raises(ValueError, match=r"does not accept \['c'\]"):
            Explorer("bad", [Param("c", 0, 1, default=0.5)], parabola)

    def test_out_of_range_value_is_an_error_not_an_empty_figure(self):
        ex = two_slider_explorer()
        with pytest.raises(ValueError, match=r"Param `a`: value 5 is outside its declared range \[0.5, 2.0\]"):
            ex.view(a=5)

    def test_unknown_parameter_rejected(self):
        with pytest.raises(ValueError, match="no parameter"):
            two_slider_explorer().view(z=1)

    def test_compute_must_return_a_view(self):
        ex = Explorer("wrong", [Param("a", 0, 1, default=0.5)], lambda a: [a])
        with pytest.raises(TypeError, match="must return a lib.explore.View"):
            ex.view()

    def test_grid_is_full_product_first_parameter_slowest(self):
        grid = two_slider_explorer().grid()
        assert len(grid) == 4 * 3
        assert [g["b"] for g in grid[:3]] == [-1.0, 0.0, 1.0]
        assert grid[0]["a"] == grid[2]["a"] != grid[3]["a"]

    def test_too_many_states_rejected(self, monkeypatch):
        monkeypatch.setattr(explorer_module, "MAX_STATES", 10)
        with pytest.raises(ValueError, match="would precompute 12 states"):
            two_slider_explorer().grid()


class TestStaticSpec:
    def test_every_state_is_the_compute_result(self):
        ex = two_slider_explorer()
        spec = static_spec(ex)
        assert len(spec["states"]) == 12
        for values, state in zip(ex.grid(), spec["states"]):
            expected = parabola(**values)
            assert state["traces"][0]["y"] == pytest.approx(expected.traces[0].y.tolist(), rel=1e-4)
            assert state["note"] == expected.note

    def test_states_differ_when_parameters_differ(self):
        states = static_spec(two_slider_explorer())["states"]
        assert len({json.dumps(s["traces"]) for s in states}) == len(states)

    def test_y_axis_fixed_across_states(self):
        spec = static_spec(two_slider_explorer())
        lo, hi = spec["layout"]["yaxis"]["range"]
        all_y = [y for s in spec["states"] for t in s["traces"] for y in t["y"]]
        assert lo < min(all_y) and hi > max(all_y)

    def test_nan_becomes_gap(self):
        ex = Explorer("gap", [Param("a", 0, 1, default=0.5, steps=2)],
                      lambda a: View([Trace("t", [0, 1], [np.nan, a])]))
        assert static_spec(ex)["states"][0]["traces"][0]["y"][0] is None

    def test_inconsistent_traces_across_states_rejected(self):
        def compute(a):
            return View([Trace("first" if a < 0.5 else "second", [0], [a])])
        ex = Explorer("inconsistent", [Param("a", 0, 1, default=0.0, steps=2)], compute)
        with pytest.raises(ValueError, match="same traces in the same order"):
            static_spec(ex)

    def test_payload_limit(self, monkeypatch):
        monkeypatch.setattr(explorer_module, "MAX_BYTES", 100)
        with pytest.raises(ValueError, match="MB to its page"):
            static_spec(two_slider_explorer())

    def test_html_embeds_parseable_spec(self):
        html = two_slider_explorer().static_html()
        assert 'data-explorer="parabola"' in html and 'id="explorer-parabola"' not in html  # the figure's id
        payload = re.search(r'<script type="application/json" class="book-explorer-spec">(.*?)</script>', html).group(1)
        spec = json.loads(payload.replace("<\\/", "</"))
        assert [p["name"] for p in spec["params"]] == ["a", "b"]

    def test_static_mode_renders_html_not_widgets(self, monkeypatch):
        monkeypatch.setenv("BOOK_EXPLORER_MODE", "static")
        bundle = two_slider_explorer()._repr_mimebundle_()
        assert "text/html" in bundle and "application/vnd.jupyter.widget-view+json" not in bundle


@needs_ipywidgets
class TestLive:
    def test_moving_a_slider_recomputes(self):
        ex = two_slider_explorer()
        box = ex.widget()
        calls = []
        original = ex.compute
        ex.compute = lambda **kw: calls.append(kw) or original(**kw)
        box.sliders["a"].value = 1.7
        assert calls and calls[-1]["a"] == pytest.approx(1.7)

    def test_live_axis_keeps_the_built_books_range(self):
        ex = two_slider_explorer()
        static_range = static_spec(ex)["layout"]["yaxis"]["range"]
        box = ex.widget()
        ranges = [tuple(box.figure().layout.yaxis.range)]
        for a in (0.3, 1.1, 1.9):
            box.sliders["a"].value = a
            ranges.append(tuple(box.figure().layout.yaxis.range))
        assert set(ranges) == {tuple(static_range)}, "the live y axis rescaled on a move"
        assert box.figure().layout.yaxis.autorange is False

    def test_live_axis_widens_only_for_values_off_the_grid(self):
        ex = Explorer("widen", [Param("a", 0.0, 1.0, default=0.0, steps=2)],
                      lambda a: View([Trace("t", [0, 1], [0.0, 1.0 + 9.0 * a * (1 - a)])]))
        box = ex.widget()
        lo, hi = box.figure().layout.yaxis.range
        box.sliders["a"].value = 0.5  # between the grid points 0 and 1: draws up to 3.25, above the range
        assert box.figure().layout.yaxis.range[1] >= 3.25 > hi
        box.sliders["a"].value = 1.0  # back on the grid: the axis does not shrink again
        assert box.figure().layout.yaxis.range[1] >= 3.25

    def test_live_sliders_cover_continuous_ranges(self):
        ex = Explorer("live", [Param("B", 1, 1024, default=16, log=True, integer=True),
                               Param("sigma", 0.1, 10, default=1.0, log=True),
                               Param("rho", -0.9, 0.9, default=0.0)],
                      lambda B, sigma, rho: View([Trace("t", [0, 1], [B * sigma, rho])]))
        sliders = ex.widget().sliders
        assert len(sliders["B"].options) > 50 and sliders["B"].options[0] == 1
        assert sliders["sigma"].min == pytest.approx(-1) and sliders["sigma"].max == pytest.approx(1)
        assert sliders["rho"].step < 0.01

    def test_live_mode_returns_widget_bundle(self, monkeypatch):
        monkeypatch.delenv("BOOK_EXPLORER_MODE", raising=False)
        bundle = two_slider_explorer()._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle


class TestDeclaredSets:
    @needs_ipywidgets
    def test_live_slider_offers_exactly_the_declared_values(self):
        ex = Explorer("set", [Param("B", 1, 256, default=16, values=(1, 4, 16, 64, 256), integer=True)],
                      lambda B: View([Trace("t", [0, 1], [0, B])]))
        assert list(ex.widget().sliders["B"].options) == [1, 4, 16, 64, 256]

    def test_heatmap_colour_range_is_fixed(self):
        from lib.explore.figure import trace_style
        style = trace_style(Trace("regime", [0, 1], [0], z=[[0, 2]], kind="heatmap", zmin=0, zmax=2), 0)
        assert (style["zmin"], style["zmax"], style["zauto"]) == (0, 2, False)


class TestChoiceAndBands:
    def explorer(self):
        from lib.explore import Choice
        return Explorer("choice", [Choice("model", ["small", "large"], default="large"),
                                   Param("w", 1, 4, default=2, steps=4, integer=True)],
                        lambda model, w: View([Trace("kl", [1, 2], [w, w * (2 if model == "large" else 1)])]))

    def test_choice_values_reach_compute_and_static_grid(self):
        ex = self.explorer()
        assert [g["model"] for g in ex.grid()[::4]] == ["small", "large"]
        spec = static_spec(ex)
        assert spec["params"][0]["values"] == ["small", "large"] and spec["params"][0]["index"] == 1

    def test_unknown_choice_rejected(self):
        with pytest.raises(ValueError, match=r"Choice `model`: value 'huge' is not one of \['small', 'large'\]"):
            self.explorer().view(model="huge")

    @needs_ipywidgets
    def test_live_choice_is_a_row_of_buttons(self):
        import ipywidgets
        slider = self.explorer().widget().sliders["model"]
        assert isinstance(slider, ipywidgets.ToggleButtons)
        assert list(slider.options) == ["small", "large"] and slider.value == "large"

    def test_static_choice_is_marked_for_buttons(self):
        spec = static_spec(self.explorer())
        assert [p["live"] for p in spec["params"]] == ["options", "range"]

    def test_band_fills_to_previous_trace_without_second_legend_entry(self):
        from lib.explore.figure import trace_style
        lower = trace_style(Trace("band low", [0, 1], [0, 1], legend=False), 1)
        upper = trace_style(Trace("95% band", [0, 1], [1, 2], fill="tonexty"), 1)
        assert lower["showlegend"] is False and upper["fill"] == "tonexty"
        assert upper["fillcolor"].startswith("rgba(")


def test_html_table_escapes_cells_and_keeps_rows():
    from lib.explore.tables import html_table
    out = html_table(["a", "b<c"], [["1", "x & y"], ["2", "z"]])
    assert out.count("<tr>") == 3 and "b&lt;c" in out and "x &amp; y" in out
