"""The one argument-checking dialect: TypeError for a wrong type, ValueError for a wrong value, the name in both."""
import numpy as np
import pytest

from lib import checks


@pytest.mark.parametrize("check, value, error", [
    (checks.count, 2.5, TypeError), (checks.count, True, TypeError), (checks.count, 0, ValueError),
    (checks.counts, [1.0, 2.0], TypeError), (checks.counts, [0, 3], ValueError),
    (checks.positive, "1", TypeError), (checks.positive, -1.0, ValueError), (checks.positive, np.inf, ValueError),
    (checks.positive, np.nan, ValueError), (checks.nonnegative, -1e-300, ValueError),
    (checks.real, [1.0, np.inf], ValueError), (checks.correlation, -1.0, ValueError),
    (checks.correlation, 1.0, ValueError), (checks.in_open_unit, 0.0, ValueError),
    (checks.sorted_thresholds, [1.0, 1.0], ValueError), (checks.sorted_thresholds, [[0.0], [1.0]], ValueError),
])
def test_bad_values_raise_the_right_error_naming_the_parameter(check, value, error):
    with pytest.raises(error, match="`the_param`"):
        check(value, "the_param")


def test_scalars_stay_scalars_and_arrays_keep_their_shape():
    assert checks.positive(3, "s") == 3.0 and isinstance(checks.positive(3, "s"), float)
    grid = checks.positive(np.ones((2, 3)), "s")
    assert isinstance(grid, np.ndarray) and grid.shape == (2, 3)
    assert checks.positive(np.inf, "s", allow_inf=True) == np.inf
    assert checks.count(np.int64(7), "d") == 7 and type(checks.count(np.int64(7), "d")) is int


def test_probability_and_base_and_choice():
    assert checks.probability([0.25, 0.75], "p").sum() == 1.0
    with pytest.raises(ValueError, match="sum to 1"):
        checks.probability([0.5, 0.6], "p")
    assert checks.log_base(None) == 1.0 and checks.log_base(2) == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="`base`"):
        checks.log_base(1)
    assert checks.choice("sign", "scheme", ["sign", "qsgd"]) == "sign"
    with pytest.raises(ValueError, match="\\['sign', 'qsgd'\\]"):
        checks.choice("sgn", "scheme", ["sign", "qsgd"])
    with pytest.raises(TypeError, match="`scheme`"):
        checks.choice(3, "scheme", ["sign"])
