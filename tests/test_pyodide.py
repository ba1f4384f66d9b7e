"""The library's unit tests under Node and the browser's Pyodide runtime (numpy 2.0.2, scipy 1.14.1, Python 3.12).

The same runtime files the live explorers load, one Node process for every suite (tests/pyodide/run_unit_tests.js):
a difference between the browser's numpy/scipy and the native pins fails here rather than on a reader's page.
Needs Node 20 and the verified runtime (`make install` fetches it); CI requires both (BOOK_REQUIRE_BROWSER=1).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUITES = ["tests/infotheory", "tests/bits", "tests/primer", "tests/explore"]

pytestmark = pytest.mark.browser


def test_unit_tests_pass_under_pyodide():
    node = shutil.which("node")
    if node is None:
        message = "Node.js not found: install Node 20 to run the unit tests under Pyodide."
        if os.environ.get("BOOK_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    sys.path.insert(0, str(ROOT / "_ext"))
    import browser_runtime

    runtime, wheels = browser_runtime.ensure_runtime(), browser_runtime.ensure_test_wheels()
    proc = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_unit_tests.js"), str(runtime), str(wheels),
                           str(ROOT), "-q", "-x", *SUITES], capture_output=True, text=True, timeout=3000)
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
    assert proc.returncode == 0, f"unit tests failed under Pyodide:\n{tail}"
    assert "numpy 2.0.2, scipy 1.14.1" in proc.stdout, tail
    assert " passed" in proc.stdout and " failed" not in proc.stdout, tail
