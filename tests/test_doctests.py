"""Every docstring example in lib runs and holds: the documentation is tested like the code."""
import doctest
import importlib
import pkgutil

import pytest

import lib

MODULES = sorted(m.name for m in pkgutil.walk_packages(lib.__path__, "lib.") if not m.name.endswith("__main__"))


def test_the_walk_finds_the_library():
    assert {"lib.bits.quantisers", "lib.infotheory.fisher", "lib.kv.stats", "lib.explore"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"


def test_the_documented_modules_keep_their_examples():
    """The modules that state the book's identities as examples must not lose them."""
    documented = ["lib.infotheory.measures", "lib.infotheory.fisher", "lib.infotheory.vantrees",
                  "lib.infotheory.ratedistortion", "lib.infotheory.wynerziv", "lib.kv.fits", "lib.kv.toys",
                  "lib.kv.block_markov", "lib.kv.memory", "lib.kv.stats", "lib.kv.policies", "lib.explore",
                  "lib.bits.quantisers", "lib.infotheory.montecarlo"]
    finder = doctest.DocTestFinder()
    for name in documented:
        examples = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
        assert examples > 0, f"{name} has no docstring examples"
