"""One counter for every numbered statement (prf_realtyp_to_countertyp in _config.yml): a number names one box."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml

from tests.conftest import ROOT, toc_pages

pytestmark = pytest.mark.build
KINDS = ("Theorem", "Proposition", "Lemma", "Definition", "Corollary", "Conjecture", "Remark")
TITLE = re.compile(r'<p class="admonition-title">\s*<span class="caption-number">(' + "|".join(KINDS)
                   + r') (\d+(?:\.\d+)*) </span>')


def test_config_shares_the_theorem_counter():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    shared = config["prf_realtyp_to_countertyp"]
    assert {k.lower() for k in KINDS if k != "Theorem"} <= set(shared) and set(shared.values()) == {"theorem"}


def test_no_number_names_two_statements(built_book):
    """On every page a number belongs to one statement ("Proposition 9.1" and "Theorem 9.1" cannot both exist)."""
    boxes = defaultdict(list)
    for page in toc_pages():
        for kind, number in TITLE.findall((built_book.html / f"{page}.html").read_text()):
            boxes[page, number].append(kind)
    assert len(boxes) >= 50, f"only {len(boxes)} numbered statements found: has the HTML of the titles changed?"
    clashes = {n: b for n, b in boxes.items() if len(b) > 1}
    assert not clashes, f"numbers given to more than one statement: {dict(list(clashes.items())[:5])}"
    kinds = {kind for b in boxes.values() for kind in b}
    assert {"Theorem", "Proposition", "Definition"} <= kinds
