"""The docstring examples of lib.infotheory run and hold (each states an identity of the primer)."""
import doctest
import importlib

import pytest

MODULES = ["lib.infotheory.measures", "lib.infotheory.fisher", "lib.infotheory.vantrees",
           "lib.infotheory.ratedistortion", "lib.infotheory.wynerziv"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
