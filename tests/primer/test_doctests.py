"""The docstring examples of lib.primer run and hold."""
import doctest
import importlib

import pytest

MODULES = ["lib.primer.simulate", "lib.primer.explorers", "lib.primer.figures"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
