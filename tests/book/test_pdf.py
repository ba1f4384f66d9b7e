"""The whole-book PDF (`make pdf`): built offline with XeLaTeX, every chapter in it, explorers printed as figures,
statement boxes and cross-references resolved. Run by `make test-pdf` (it builds the PDF first); too slow for
`make test`, so skipped there."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.conftest import ROOT, toc_pages

pytestmark = [pytest.mark.pdf, pytest.mark.skipif(not os.environ.get("BOOK_TEST_PDF"),
                                                  reason="the PDF is checked by `make test-pdf`")]
PDF = ROOT / "_build" / "pdf" / "_build" / "latex" / "book.pdf"


def poppler(*args) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def text():
    assert PDF.exists(), f"{PDF} missing: run `make pdf`"
    return " ".join(poppler("pdftotext", "-enc", "UTF-8", str(PDF), "-").split())


def titles() -> dict[str, str]:
    out = {}
    for page in toc_pages():
        match = re.search(r"^# (.+)$", (ROOT / f"{page}.md").read_text(), flags=re.M)
        out[page] = match.group(1).strip()
    return out


def test_page_count():
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(PDF))).group(1))
    chapters = len(toc_pages())
    assert pages >= 3 * chapters, f"{pages} pages for {chapters} chapters"
    print(f"book.pdf: {pages} pages")


def test_every_chapter_title_is_in_the_pdf(text):
    flat = re.sub(r"\s+", " ", text)
    missing = [t for t in titles().values() if " ".join(t.split()) not in flat]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


def test_explorers_print_as_figures():
    rows = poppler("pdfimages", "-list", str(PDF)).splitlines()[2:]
    images = sum(1 for row in rows if row.split()[2] == "image")
    explorers = sum(len(re.findall(r"explorers?\.\w+\(|Explorer\(", (ROOT / f"{p}.md").read_text()))
                    for p in toc_pages())
    assert images >= explorers, f"{images} images in the PDF for {explorers} explorer calls"


def test_statements_and_references_resolve(text):
    assert re.search(r"Theorem \d+(\.\d+)*", text), "no numbered theorem box in the PDF"
    assert "??" not in text, "an unresolved reference prints as ?? in the PDF"


def test_index_and_results_are_in_the_pdf(text):
    """The general index (from the pages' {index} entries) and the part tables reach the PDF."""
    index = text[text.rfind("INDEX"):]  # the general index comes last; its heading prints in capitals
    for term in ("Fisher information", "van Trees inequality", "StreamingLLM", "attention sink"):
        assert term in index, f"{term!r} is not in the PDF's index"
    assert "What to remember" in text and "stated in the paper" in text
    assert "conj-bits-correlated-product (book/bits" not in text, "sphinx-proof's index of raw labels is printed"


def test_explorers_print_with_their_captions_and_try_this_boxes(text):
    from tests.viewtools import explorer_factories

    explorers = [f() for part in ("primer", "bits", "kv") for _, f in explorer_factories(part)]
    flat = re.sub(r"\s+", " ", text)
    missing = [ex.name for ex in explorers if " ".join(ex.caption.split()[:6]) not in flat]
    assert not missing, f"explorer captions missing from the PDF: {missing}"
    assert flat.count("Try this") >= len(explorers), "a Try-this box is missing from the PDF"
