"""Shared fixtures: the book, built once per test session (execution cache keyed on lib/ and book/data/)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


@dataclass
class Build:
    returncode: int
    log: str
    seconds: float
    html: Path


def jupyter_book(book_dir: Path, timeout: float = 3000) -> tuple[int, str]:
    """Run ``jupyter-book build BOOK -W -n --keep-going`` as `make book` does; return (exit code, output)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe), "build", str(book_dir), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=timeout, cwd=book_dir,
                          env={**os.environ, "TMPDIR": os.environ.get("TMPDIR", "/tmp")})
    return proc.returncode, proc.stdout + proc.stderr


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` (root, then parts in order), as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


@pytest.fixture(scope="session")
def built_book() -> Build:
    start = time.perf_counter()
    code, log = jupyter_book(ROOT)
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "test-build.log").write_text(log)
    return Build(code, log, time.perf_counter() - start, HTML)
