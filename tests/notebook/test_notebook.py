"""The pages as notebooks: byte-identical round trips, the in-memory live notebook, glued values in a kernel."""
from __future__ import annotations

import re
import sys

import jupytext
import pytest

from lib.notebook import glue as glue_module
from lib.notebook.pages import MACRO_CELL_KEY, book_macros, from_live, jupytext_roundtrip, to_live
from lib.notebook.server import lab_roundtrip
from tests.conftest import ROOT, toc_pages

PAGES = toc_pages()


@pytest.mark.parametrize("page", PAGES)
def test_page_is_written_as_jupytext_writes_it(page):
    text = (ROOT / f"{page}.md").read_text()
    assert jupytext_roundtrip(text) == text, f"{page}: run `make normalize` (jupytext would rewrite it)"


@pytest.mark.parametrize("page", PAGES)
def test_opening_running_and_saving_in_lab_keeps_every_byte(page):
    text = (ROOT / f"{page}.md").read_text()
    assert lab_roundtrip(text) == text, f"{page}: `make lab` would rewrite it on save; run `make normalize`"


def test_lab_roundtrip_detects_a_page_not_in_saved_form():
    page = (ROOT / "book" / "primer" / "entropy-kl.md").read_text()
    unsaved = page.replace("display_name: Python 3 (ipykernel)", "display_name: Python 3")
    assert unsaved != page and lab_roundtrip(unsaved) == page


@pytest.mark.parametrize("page", PAGES)
def test_live_notebook_converts_back_exactly(page):
    text = (ROOT / f"{page}.md").read_text()
    nb = jupytext.reads(text, fmt="md:myst")
    live = to_live(jupytext.reads(text, fmt="md:myst"))
    assert live.cells[0].metadata[MACRO_CELL_KEY]
    markdown = "\n".join(c.source for c in live.cells if c.cell_type == "markdown")
    assert "{glue:text}" not in markdown
    assert [c.source for c in from_live(live).cells] == [c.source for c in nb.cells]


def test_glue_roles_become_kernel_expressions_with_their_format():
    nb = jupytext.reads("Error {glue:text}`a-b:.3f` and {glue:text}`c` here.\n", fmt="md:myst")
    source = to_live(nb).cells[1].source
    assert "{eval}`__import__('lib').glued('a-b', '.3f')`" in source
    assert "{eval}`__import__('lib').glued('c', '')`" in source
    assert from_live(nb).cells[0].source.rstrip() == "Error {glue:text}`a-b:.3f` and {glue:text}`c` here."


def test_macros_cover_every_macro_the_pages_use():
    macros = book_macros()
    assert {"\\R", "\\eps", "\\E", "\\KL", "\\tr", "\\Var"} <= set(macros)
    front = to_live(jupytext.reads("x\n", fmt="md:myst")).cells[0].source
    assert front.startswith("---\nmath:\n") and "\\mathbb{R}" in front
    used = set()
    for page in PAGES:
        used |= set(re.findall(r"\\(R|eps|E|KL|tr|Var)(?![A-Za-z])", (ROOT / f"{page}.md").read_text()))
    assert used and {f"\\{m}" for m in used} <= set(macros)


def test_glued_formats_like_the_glue_role(monkeypatch):
    monkeypatch.setattr(glue_module, "GLUED", {"x": "0.80654", "name": "SmolLM2"})
    assert glue_module.glued("x", ".3f") == "0.807"
    assert glue_module.glued("x") == "0.80654"
    assert glue_module.glued("name", ".2f") == "SmolLM2"
    assert "run the cells above" in glue_module.glued("missing")


def test_capture_glue_records_what_glue_displays(monkeypatch):
    import myst_nb.ext.glue as myst_glue

    shown = []
    monkeypatch.setattr(myst_glue, "ipy_display", lambda bundle, **kw: shown.append(bundle))
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel", object()))
    monkeypatch.delenv("BOOK_EXPLORER_MODE", raising=False)
    monkeypatch.setattr(glue_module, "GLUED", {})
    glue_module.capture_glue()
    myst_glue.glue("ratio", 1.25, display=False)
    assert glue_module.glued("ratio", ".1f") == "1.2" and shown


def test_capture_glue_does_nothing_in_the_book_build(monkeypatch):
    import myst_nb.ext.glue as myst_glue

    before = myst_glue.ipy_display
    monkeypatch.setenv("BOOK_EXPLORER_MODE", "static")
    glue_module.capture_glue()
    assert myst_glue.ipy_display is before
