"""The index of key terms: entries in the pages (``{index}`` directives where a term is defined or first used), the
index linked from the navigation (``_ext/index_entry.py``) and populated in the built site."""
from __future__ import annotations

import re
import sys

import pytest
from docutils import nodes
from sphinx import addnodes

from tests.conftest import ROOT, toc_pages

sys.path.insert(0, str(ROOT / "_ext"))
import index_entry  # noqa: E402

MIN_TERMS = 60
#: Terms the index must hold (issue 14): each defined or first used where its entry stands.
KEY_TERMS = ("Fisher information", "van Trees inequality", "KL divergence", "excess log-loss", "attention sink",
             "StreamingLLM", "rate–distortion function", "Wyner–Ziv rate–distortion function", "AR(1) oracle")
BLOCK = re.compile(r"^```\{index\} ([^\n]+)\n```\n", flags=re.M)


def index_blocks():
    """(page, entries, text after the block, text before it) of every ``{index}`` block of the book."""
    out = []
    for page in toc_pages():
        text = (ROOT / f"{page}.md").read_text()
        for m in BLOCK.finditer(text):
            out.append((page, [e.strip() for e in m[1].split(",")], text[m.end():], text[:m.start()]))
    return out


def terms() -> set[str]:
    return {e for _, entries, _, _ in index_blocks() for e in entries}


def test_the_index_holds_the_key_terms():
    found = terms()
    assert len(found) >= MIN_TERMS, f"only {len(found)} index terms"
    assert set(KEY_TERMS) <= found, f"missing: {set(KEY_TERMS) - found}"


def test_each_entry_stands_before_a_statement_box_or_after_a_heading():
    """The placement rule: an entry's target is a definition or a section, never the middle of a paragraph."""
    for page, entries, after, before in index_blocks():
        assert all(entries), f"{page}: an empty index entry"
        assert re.match(r"\n(`{3,}|:{3,})\{prf:", after) or re.search(r"^#{2,4} [^\n]+\n\n\Z", before, flags=re.M), \
            f"{page}: index entry {entries} is neither before a statement box nor right after a heading"


def test_a_term_is_indexed_once():
    seen = {}
    for page, entries, _, _ in index_blocks():
        for e in entries:
            assert e not in seen, f"{e!r} indexed on {seen[e]} and on {page}: index it where it is defined"
            seen[e] = page


def test_append_index_adds_the_entry_once_to_the_last_toctree():
    doc = nodes.document(None, None)
    first, last = addnodes.toctree(entries=[("Preface", "book/preface")]), addnodes.toctree(entries=[])
    doc += [first, last]
    assert index_entry.append_index(doc) and index_entry.append_index(doc)
    assert last["entries"] == [("Index", "genindex")] and first["entries"] == [("Preface", "book/preface")]
    assert not index_entry.append_index(nodes.document(None, None))


@pytest.mark.build
def test_the_built_index_is_populated_and_in_the_navigation(built_book):
    index = (built_book.html / "genindex.html").read_text()
    entries = re.findall(r'<li><a href="book/[^"]+#index-\d+">', index)
    assert len(entries) >= MIN_TERMS, f"only {len(entries)} linked entries in genindex.html"
    for term in KEY_TERMS:
        assert term in index.replace("&#39;", "'"), f"{term!r} missing from genindex.html"
    page = (built_book.html / "book" / "primer" / "entropy-kl.html").read_text()
    assert re.search(r'<a class="reference internal" href="\.\./\.\./genindex\.html">\s*Index\s*</a>', page), \
        "the navigation does not link the index"
