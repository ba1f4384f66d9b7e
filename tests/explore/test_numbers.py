"""The page-number helper glues under predictable names and refuses what the prose cannot show."""
import numpy as np
import pytest

from lib.explore.numbers import glue_name, numbers

pytest.importorskip("myst_nb", reason="numbers() glues through myst-nb, which only the build and kernels have")


def test_names_and_values():
    assert glue_name("regime-map", "d_over_B") == "regime-map-d-over-B"
    glued = numbers("page", ratio=np.float64(2.5), count=np.int64(3), label="SmolLM2")
    assert glued == {"page-ratio": 2.5, "page-count": 3, "page-label": "SmolLM2"}
    assert type(glued["page-count"]) is int


@pytest.mark.parametrize("bad", [[1.0, 2.0], True, None])
def test_non_numbers_are_refused(bad):
    with pytest.raises(TypeError, match="`x`"):
        numbers("page", x=bad)
