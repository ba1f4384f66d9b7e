"""Every row of the notation tables (book/notation.md) links to where its symbol is first defined, and every link
names a label that a page of the book defines (the build with ``-n`` fails on a broken one as well)."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, toc_pages

NOTATION = ROOT / "book" / "notation.md"
ROLE = re.compile(r"\{(?:ref|prf:ref|eq|numref)\}`(?:[^`<]*<)?([A-Za-z0-9_-]+)>?`")
TABLES = ("## General symbols", "## Part I: bit-constrained optimisation", "## Part II: KV-cache limits")


def defined_labels() -> set[str]:
    labels = set()
    for page in toc_pages():
        text = (ROOT / f"{page}.md").read_text()
        labels |= set(re.findall(r"^\(([a-z0-9-]+)\)=$", text, flags=re.M))
        labels |= set(re.findall(r"^:label: (\S+)$", text, flags=re.M))
        labels |= set(re.findall(r"^\$\$ \(([a-z0-9-]+)\)\s*$", text, flags=re.M))
    return labels


def table_rows(text: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``heading``, as lists of cells."""
    section = text.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row.strip("|").split(" | ")] for row in rows[1:]]


def row_links(cells: list[str]) -> list[str]:
    """Labels the row's last column ("defined in") links to."""
    return ROLE.findall(cells[-1])


@pytest.mark.parametrize("heading", TABLES)
def test_every_notation_row_links_to_a_defined_label(heading):
    rows = table_rows(NOTATION.read_text(), heading)
    assert len(rows) >= 10
    labels = defined_labels()
    for cells in rows:
        links = row_links(cells)
        assert links, f"notation row {cells[0]} has no link to its definition"
        assert set(links) <= labels, f"notation row {cells[0]} links to undefined labels {set(links) - labels}"


def test_the_row_check_can_fail():
    assert row_links(["$x$", "a thing", "nowhere"]) == []
    assert row_links(["$x$", "a thing", "{prf:ref}`def-primer-kl`, {ref}`the prior <bits-cos2-prior>`"]) == \
        ["def-primer-kl", "bits-cos2-prior"]
    assert "no-such-label" not in defined_labels()
