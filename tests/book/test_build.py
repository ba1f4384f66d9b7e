"""The whole book builds with every cell executed, no warning, and nothing loaded from outside the site."""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from lib.explore.explorer import MAX_BYTES
from tests.conftest import ROOT, jupyter_book, toc_pages

sys.path.insert(0, str(ROOT / "_ext"))
from book_sphinx import external_resources  # noqa: E402  (the Sphinx extension lives outside lib, in _ext/)

pytestmark = pytest.mark.build
PAGES = toc_pages()


def test_build_succeeds_without_warnings(built_book):
    tail = "\n".join(built_book.log.splitlines()[-60:])
    assert built_book.returncode == 0, f"make book failed (full log in _build/test-build.log):\n{tail}"
    assert not re.search(r"WARNING: ", built_book.log), "the build printed Sphinx warnings"


@pytest.mark.parametrize("page", PAGES)
def test_page_built_and_executed(built_book, page):
    html = built_book.html / f"{page}.html"
    assert html.exists(), f"{page}.html was not built"
    text = html.read_text()
    source = (ROOT / f"{page}.md").read_text()
    if "```{code-cell}" in source:
        assert "cell_output" in text or "cell_input" in text, f"{page}: code cells were not rendered"
    assert "Traceback (most recent call last)" not in text, f"{page} shows a traceback"


def test_no_page_loads_anything_from_outside(built_book):
    offenders = {}
    for page in built_book.html.rglob("*.html"):
        external, _ = external_resources(page.read_text(errors="replace"))
        if external:
            offenders[str(page.relative_to(built_book.html))] = external
    assert not offenders, f"external resources: {offenders}"


def test_no_static_widget_embeds(built_book):
    embeds = [p.name for p in built_book.html.rglob("*.html")
              if "application/vnd.jupyter.widget-state+json" in p.read_text(errors="replace")]
    assert not embeds, f"static ipywidgets (sliders that do not move their figure) in {embeds}"


def test_math_plot_and_explorer_scripts_are_vendored(built_book):
    static = built_book.html / "_static"
    for name in ["mathjax/tex-chtml.js", "plotly.min.js", "book-explorer.js", "book-explorer.css"]:
        assert (static / name).stat().st_size > 0, f"_static/{name} missing"
    math_pages = [p for p in built_book.html.rglob("*.html") if 'class="math' in p.read_text(errors="replace")]
    assert math_pages, "no page with mathematics"
    for page in math_pages:
        assert re.search(r'src="[./]*_static/mathjax/tex-chtml\.js(\?[^"]*)?"', page.read_text()), f"{page.name}: MathJax"


def test_explorer_payloads_parse_and_fit_the_budget(built_book):
    sizes = {}
    for page in built_book.html.rglob("*.html"):
        for payload in re.findall(r'class="book-explorer-spec">(.*?)</script>', page.read_text(), flags=re.S):
            spec = json.loads(payload.replace("<\\/", "</"))
            assert spec["states"] and spec["params"], f"{page.name}: empty explorer"
            sizes[f"{page.name}:{spec['name']}"] = len(payload)
    assert sizes, "no explorer found in the built book"
    too_big = {k: v for k, v in sizes.items() if v > MAX_BYTES}
    assert not too_big, too_big


def test_offline_scan_detects_external_resources():
    html = ('<link rel="stylesheet" href="https://cdn.example.org/x.css"><script src="//cdn.x/y.js"></script>'
            '<img src="_static/ok.png"><a href="https://arxiv.org/abs/1">a link is fine</a>'
            '<script type="application/vnd.jupyter.widget-state+json">{}</script>')
    external, widget_state = external_resources(html)
    assert sorted(external) == ["//cdn.x/y.js", "https://cdn.example.org/x.css"]
    assert widget_state


FRONT = """---
jupytext:
  text_representation: {extension: .md, format_name: myst, format_version: 0.13}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""


def mini_book(tmp_path: Path, body: str, timeout: int | None = None) -> Path:
    """A one-page book with the project's real configuration and extensions."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "force"
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path
                                           in config["sphinx"]["local_extensions"].items()}
    config["sphinx"]["config"]["book_live"] = False  # no 36 MB of live files for a throw-away book
    if timeout is not None:
        config["execute"]["timeout"] = timeout
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    shutil.copytree(ROOT / "_ext", tmp_path / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "book" / "_static", tmp_path / "book" / "_static")
    (tmp_path / "book" / "page.md").write_text(FRONT + "# Page\n\n" + body)
    return tmp_path


CELL = "```{code-cell} python\n%s\n```\n"


@pytest.mark.parametrize("body, timeout, evidence", [
    (CELL % "raise ValueError('deliberate failure')", None, "deliberate failure"),
    ("See {ref}`no-such-label`.\n", None, "no-such-label"),
    (CELL % "import time; time.sleep(30)", 3, "timed out"),
], ids=["failing-cell", "broken-reference", "timeout"])
def test_build_fails_loudly(tmp_path, body, timeout, evidence):
    code, log = jupyter_book(mini_book(tmp_path, body, timeout), timeout=300)
    assert code != 0, f"the build passed although it should fail on: {evidence}"
    assert evidence in log


def test_mini_book_passes_when_clean(tmp_path):
    code, log = jupyter_book(mini_book(tmp_path, CELL % "print(1 + 1)"), timeout=300)
    assert code == 0, log[-3000:]


def test_build_stops_with_the_fix_when_the_kernel_cannot_import_lib(tmp_path):
    book = mini_book(tmp_path, CELL % "import lib.explore")
    shadow = tmp_path / "book" / "lib"  # a package in the kernel's working folder that shadows the library
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError('a different lib package')\n")
    code, log = jupyter_book(book, timeout=300)
    assert code != 0
    assert "cannot import the book's library `lib`" in log and "pip install -e ." in log


def test_every_executed_page_is_offered_as_a_notebook(built_book):
    import nbformat

    import jupytext

    for page in PAGES:
        source = (ROOT / f"{page}.md").read_text()
        if "```{code-cell}" not in source:
            continue
        ipynb = built_book.html / "_sources" / f"{page}.ipynb"
        assert ipynb.exists(), f"{page}: no executed .ipynb in _sources/"
        nb = nbformat.read(ipynb, as_version=4)
        nbformat.validate(nb)
        code = [c.source for c in jupytext.reads(source, fmt="md:myst").cells if c.cell_type == "code"]
        assert [c.source for c in nb.cells if c.cell_type == "code"] == code, f"{page}.ipynb is not this page"
        if re.search(r"\b(explorers|view)\.\w+\(", source):  # an explorer shows (numbers-only cells keep none)
            assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{page}.ipynb: not executed"
        name = Path(page).name
        assert f'{name}.ipynb"' in (built_book.html / f"{page}.html").read_text(), f"{page}: no .ipynb download"


def test_a_downloaded_notebook_runs_outside_the_book(built_book, tmp_path):
    """The recipe of book/reproducing.md: the book's environment, any folder, plain nbformat + nbclient (the
    engine of ``jupyter nbconvert --execute``), no jupytext."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(built_book.html / "_sources" / "book" / "primer" / "entropy-kl.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    assert any(c.outputs for c in nb.cells if c.cell_type == "code")
