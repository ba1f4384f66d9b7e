"""The documentation lives with the code: one numpydoc dialect, and every equation a docstring cites exists."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib"
CITED = re.compile(r"\beq-[a-z0-9]+(?:-[a-z0-9]+)*")
#: Packages whose public functions all carry numpydoc Parameters and Returns sections (issue 10); Part II and the
#: tooling follow in their own redesign.
SECTIONED = ("bits", "primer", "infotheory")


def book_labels() -> set[str]:
    labels = set()
    for page in (ROOT / "book").rglob("*.md"):
        text = page.read_text()
        labels |= set(re.findall(r"^\$\$ \((eq-[a-z0-9-]+)\)\s*$", text, flags=re.M))
        labels |= set(re.findall(r"^:label: (eq-[a-z0-9-]+)\s*$", text, flags=re.M))
    return labels


def modules():
    return sorted(p for p in LIB.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_equation_cited_in_lib_exists_in_the_book():
    labels = book_labels()
    assert len(labels) > 50, "the label pattern no longer finds the book's equations"
    missing = {f"{p.relative_to(LIB)}: {m}" for p in modules() for m in CITED.findall(p.read_text())
               if m not in labels}
    assert not missing, f"equation labels cited in lib but defined on no page: {sorted(missing)}"


def test_the_label_check_can_fail():
    assert "eq-no-such-equation" not in book_labels()
    assert CITED.findall("see ``eq-bits-product-bound``.") == ["eq-bits-product-bound"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_one_docstring_dialect(path):
    """numpydoc only: no Google-style ``Args:`` blocks, no reST ``:param:`` fields."""
    text = path.read_text()
    assert not re.search(r"^\s*(Args|Arguments|Returns|Raises|Yields):\s*$", text, flags=re.M), "Google style"
    assert not re.search(r":(param|type|returns|rtype)\b[^:]*:", text), "reST fields"
    for header in re.findall(r"^\s*(Parameters|Returns|Notes|Examples|Raises)\n(\s*)(\S+)", text, flags=re.M):
        assert set(header[2]) == {"-"}, f"section {header[0]} must be underlined with dashes (numpydoc)"


def public_functions(path: Path):
    tree = ast.parse(path.read_text())
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


@pytest.mark.parametrize("path", [p for p in modules() if p.relative_to(LIB).parts[0] in SECTIONED],
                         ids=lambda p: str(p.relative_to(LIB)))
def test_public_functions_document_parameters_and_returns(path):
    lacking = []
    for fn in public_functions(path):
        doc = ast.get_docstring(fn) or ""
        args = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg not in ("self", "cls")]
        if args and not re.search(r"^Parameters\n-{10}$", doc, flags=re.M):
            lacking.append(f"{fn.name}: Parameters")
        if not re.search(r"^Returns\n-{7}$", doc, flags=re.M):
            lacking.append(f"{fn.name}: Returns")
    assert not lacking, f"numpydoc sections missing: {lacking}"
