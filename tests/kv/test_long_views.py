"""The long-context helpers of the Part II views: pending runs, status sentences, window phrases."""
import math

from lib.kv.models import MEASURED, REGISTRY
from lib.kv.views.common import PENDING, long_status, pending_numbers, window_text


def test_pending_numbers_cover_exactly_the_models_without_a_run():
    present = {MEASURED[0]: object()}
    out = pending_numbers(present, ("ainf", "xa-verdict"))
    missing = [REGISTRY[n].tag for n in MEASURED[1:]]
    assert set(out) == {f"{t}-{s}" for t in missing for s in ("ainf", "xa-verdict")}
    assert set(out.values()) <= {PENDING}
    assert pending_numbers({n: object() for n in MEASURED}, ("ainf",)) == {}


def test_status_names_what_is_stored_and_what_is_pending():
    first, rest = MEASURED[0], MEASURED[1:]
    text = long_status({first: object()})
    assert f"stored for {REGISTRY[first].label}" in text
    assert all(REGISTRY[n].label in text.split("stored for")[1] for n in rest) and "pending" in text
    assert "no model yet" in long_status({})
    assert "every measured model" in long_status({n: object() for n in MEASURED})


def test_window_phrases_label_extrapolation():
    inside = {"inside": True, "w": 321.7, "lo": 166.4, "hi": math.inf, "method": "interpolated", "w_max": 2048.0}
    assert window_text(inside) == "322 tokens [166, beyond 2048]"
    beyond = {"inside": False, "w": 18595.0, "lo": math.nan, "hi": math.nan, "w_max": 2048.0,
              "method": "extrapolated: power law fitted on 4–2048"}
    assert window_text(beyond).startswith("18595 tokens, extrapolated (power law fitted on 4–2048")
