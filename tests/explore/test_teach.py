"""Captions and "Try this" boxes: declared with the explorer, checked against its compute, shown in every world."""
import importlib.util
import json
import re

import numpy as np
import pytest

from lib.explore import Choice, Explorer, Move, Param, Trace, TryThis, View
from lib.explore.teach import (finite_count, move_text, note_value, outcomes, peak, ratio_at, share_of,
                               teaching_html, teaching_meta, value_at, where_min)

needs_ipywidgets = pytest.mark.skipif(importlib.util.find_spec("ipywidgets") is None,
                                      reason="ipywidgets is not installed (e.g. under Pyodide)")


def line(a, kind):
    x = np.array([1.0, 2.0, 4.0])
    y = a * x if kind == "rising" else a / x
    return View([Trace("line", x, y), Trace("gap", x, np.where(x > a, y, np.nan))], note=f"slope {a:g} here")


def explorer(moves, **kw):
    return Explorer("teach", [Param("a", 1.0, 3.0, 2.0, steps=3), Choice("kind", ["rising", "falling"], "rising")],
                    line, caption="A line whose slope the reader moves.",
                    try_this=TryThis("What does the slope do?", moves, **kw))


def test_true_moves_hold_and_false_ones_are_caught():
    up = Move({"a": 3.0}, "the end rises", value_at("line", 4.0), "up")
    claims_down = Move({"a": 1.0}, "the end rises (wrong)", value_at("line", 4.0), "up")
    results = outcomes(explorer([up, claims_down]))
    assert [(r.before, r.after) for r in results] == [(8.0, 12.0), (12.0, 4.0)]
    assert [r.holds for r in results] == [True, False]


def test_moves_are_made_one_after_the_other_from_the_default():
    moves = [Move({"kind": "falling"}, "the line falls", value_at("line", 4.0), "down"),
             Move({"a": 3.0}, "steeper", value_at("line", 4.0), "up")]
    results = outcomes(explorer(moves))
    assert results[1].state == {"a": 3.0, "kind": "falling"} and results[1].after == pytest.approx(0.75)


def test_same_means_unchanged():
    same = Move({"kind": "rising"}, "nothing moves", value_at("line", 1.0), "same")
    moved = Move({"a": 3.0}, "it moves", value_at("line", 1.0), "same")
    assert [r.holds for r in outcomes(explorer([same, moved]))] == [True, False]


@pytest.mark.parametrize("values, message", [({"b": 1.0}, "no slider `b`"), ({"a": 2.5}, "not on the slider's grid"),
                                             ({"kind": "flat"}, "not on the slider's grid")])
def test_a_move_the_built_book_cannot_make_is_refused(values, message):
    bad = Move(values, "whatever", value_at("line", 1.0), "up")
    ok = Move({"a": 3.0}, "up", value_at("line", 1.0), "up")
    with pytest.raises(ValueError, match=message):
        explorer([ok, bad])


@pytest.mark.parametrize("kwargs, message", [
    (dict(values={}, see="x", watch=peak("line"), change="up"), "at least one slider"),
    (dict(values={"a": 1.0}, see="x", watch=peak("line"), change="sideways"), "change must be one of"),
    (dict(values={"a": 1.0}, see=" ", watch=peak("line"), change="up"), "what the reader sees"),
])
def test_bad_moves_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Move(**kwargs)


def test_a_box_has_two_or_three_moves_and_a_question():
    move = Move({"a": 3.0}, "up", peak("line"), "up")
    with pytest.raises(ValueError, match="two or three moves"):
        TryThis("Why?", [move])
    with pytest.raises(ValueError, match="needs a question"):
        TryThis("", [move, move])
    with pytest.raises(ValueError, match="caption is empty"):
        Explorer("c", [Param("a", 1.0, 3.0, 2.0)], lambda a: line(a, "rising"), caption=" ")


def test_watched_numbers_read_the_figure_and_the_note():
    view = line(2.0, "falling")
    assert value_at("line", 3.9)(view) == 0.5 and peak("line")(view) == 2.0 and where_min("line")(view) == 4.0
    assert finite_count("gap")(view) == 1 and share_of("line", 1.0)(view) == pytest.approx(1 / 3)
    assert ratio_at("line", "gap", 4.0)(view) == 1.0 and note_value("slope")(view) == 2.0
    with pytest.raises(ValueError, match="no number after 'width'"):
        note_value("width")(view)


def test_the_move_is_written_from_its_data():
    moves = [Move({"kind": "falling"}, "the line falls.", peak("line"), "down"),
             Move({"a": 3.0}, "steeper", peak("line"), "up")]
    ex = explorer(moves)
    assert move_text(ex, moves[0]) == "Press “falling” for kind: the line falls."
    assert move_text(ex, moves[1]) == "Set a to 3: steeper."


def test_the_teaching_text_travels_in_the_static_html():
    ex = explorer([Move({"a": 3.0}, "up", peak("line"), "up"), Move({"a": 1.0}, "down", peak("line"), "down")],
                  why="Slopes scale lines.")
    payload = re.search(r'<script type="application/json" class="book-explorer-teach">(.*?)</script>',
                        ex.static_html()).group(1)
    meta = json.loads(payload)
    assert meta == teaching_meta(ex)
    assert meta["caption"] == "A line whose slope the reader moves."
    assert meta["try"]["moves"] == ["Set a to 3: up.", "Set a to 1: down."]
    assert meta["try"]["why"] == "Slopes scale lines."


@needs_ipywidgets
def test_a_kernel_shows_caption_and_box_under_the_widget():
    ex = explorer([Move({"a": 3.0}, "up <b>", peak("line"), "up"), Move({"a": 1.0}, "down", peak("line"), "down")])
    shown = ex.widget().children[-1].value
    assert shown == teaching_html(ex)
    assert "A line whose slope" in shown and "Try this." in shown and "<li>Set a to 3: up &lt;b&gt;.</li>" in shown
    assert not re.search(r"\{[a-z]+\}`|```", shown), "raw MyST markup in the kernel's caption"
