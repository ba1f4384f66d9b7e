"""The docstring examples of lib.kv's theory modules run and hold (each checks a number of the spec)."""
import doctest
import importlib

import pytest

MODULES = ["lib.kv.fits", "lib.kv.toys", "lib.kv.block_markov", "lib.kv.memory", "lib.kv.stats"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
