"""Every page follows the book's anatomy (style anchors 1, 2, 11): checked on the sources, no build needed."""
from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT, toc_pages

PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.split("/")[1] in ("primer", "bits", "kv")]
BADGES = ("{bdg-primary}`stated in the paper`", "{bdg-warning}`reconstructed here`",
          "{bdg-success}`this book's finding`", "{bdg-info}`from the literature`")
MAX_CELL_LINES = 15


def source(page):
    return (ROOT / f"{page}.md").read_text()


def code_cells(text):
    return re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.S | re.M)


def cell_body(cell):
    """A cell without its YAML options block and without blank lines."""
    cell = re.sub(r"\A---\n.*?\n---\n", "", cell, flags=re.S)
    cell = "\n".join(line for line in cell.splitlines() if not line.startswith(":"))
    return [line for line in cell.splitlines() if line.strip()]


@pytest.mark.parametrize("page", PAGES)
def test_front_matter_makes_cells_execute(page):
    text = source(page)
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["jupytext"]["text_representation"]["format_name"] == "myst", "jupytext block missing"
    assert front["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("page", PAGES)
def test_label_then_single_title(page):
    body = source(page).split("---\n", 2)[2].lstrip()
    assert re.match(r"\([a-z0-9-]+\)=\n# \S", body), "a page opens with (label)= and one # title"
    assert len(re.findall(r"^# ", re.sub(r"```.*?```", "", body, flags=re.S), flags=re.M)) == 1


@pytest.mark.parametrize("page", PAGES)
def test_cells_are_short_calls_into_the_library(page):
    for cell in code_cells(source(page)):
        lines = cell_body(cell)
        assert len(lines) <= MAX_CELL_LINES, f"a cell of {len(lines)} lines: move the work into lib/"
        assert not any(re.match(r"\s*(def|class) ", line) for line in lines), "definitions belong in lib/"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_anatomy(page):
    text = source(page)
    assert "## Overview" in text
    assert text.rstrip().count("## Exercises") == 1
    assert text.index("## Exercises") > max(text.rfind("```{code-cell}"), text.find("## Overview"))
    exercises = re.findall(r"```\{exercise\}[^\n]*\n:label: ([a-z0-9-]+)", text)
    assert 2 <= len(exercises) <= 8, f"{len(exercises)} exercises"
    for label in exercises:
        assert re.search(r"```\{solution\} " + label + r"\n(:label: \S+\n)?:class: dropdown", text), \
            f"exercise {label} has no hidden solution"
    assert any(b in text for b in BADGES), "no provenance badge"
    assert re.search(r"explorers?\.\w+\(|Explorer\(|\bview\.\w+\(", text), "no explorer on this page"


@pytest.mark.parametrize("page", PAGES)
def test_only_the_four_provenance_badges(page):
    for badge in re.findall(r"\{bdg-[a-z]+\}`[^`]*`", source(page)):
        assert badge in BADGES, f"unknown provenance badge {badge}"


@pytest.mark.parametrize("page", PAGES)
def test_figures_have_captions_and_names(page):
    for cell in code_cells(source(page)):
        options = re.match(r"\A---\n(.*?)\n---\n", cell, flags=re.S)
        if options and "figure" in options.group(1):
            figure = yaml.safe_load(options.group(1))["mystnb"]["figure"]
            assert figure.get("caption") and figure.get("name", "").startswith("fig-")


def test_equation_labels_are_unique_across_pages():
    """Sphinx numbers equations globally: a label defined on two pages resolves to one of them and warns."""
    seen = {}
    for page in PAGES:
        for label in re.findall(r"^\$\$ \(([a-z0-9-]+)\)\s*$", source(page), flags=re.M):
            assert label not in seen, f"equation label {label} defined on {seen[label]} and on {page}"
            seen[label] = page
    assert seen, "no labelled equation found: the pattern no longer matches the pages"


MAX_CODE_WIDTH = 92


def cells_with_visibility(text):
    """(hidden?, code lines) of every code cell."""
    out = []
    for cell in code_cells(text):
        options = re.match(r"\A(---\n.*?\n---\n)?((?::[^\n]*\n)*)", cell, flags=re.S)
        hidden = "remove-cell" in options.group(0) or "remove-input" in options.group(0)
        out.append((hidden, cell_body(cell)))
    return out


@pytest.mark.parametrize("page", PAGES)
def test_numbers_reach_the_prose_from_hidden_cells(page):
    """Numbers in prose come from lib.explore.numbers in hidden cells; glue plumbing never shows."""
    for hidden, lines in cells_with_visibility(source(page)):
        code = "\n".join(lines)
        assert not re.search(r"\bglue\(", code), "use lib.explore.numbers.numbers(page, key=value) for prose numbers"
        if re.search(r"\bnumbers\(", code):
            assert hidden, "the numbers(...) cell must be hidden (:tags: [remove-cell])"


@pytest.mark.parametrize("page", PAGES)
def test_imports_are_visible_and_code_fits_the_text_width(page):
    for hidden, lines in cells_with_visibility(source(page)):
        if hidden:
            imports = [ln for ln in lines if re.match(r"\s*(import |from \S+ import )", ln)]
            assert all("lib.explore.numbers" in ln for ln in imports), f"imports hidden from the reader: {imports}"
        else:
            wide = [ln for ln in lines if len(ln) > MAX_CODE_WIDTH]
            assert not wide, f"code wider than {MAX_CODE_WIDTH} characters: {wide}"


@pytest.mark.parametrize("page", [p for p in CHAPTERS if (ROOT / "lib" / p.split("/")[1] / "views").is_dir()])
def test_a_chapter_imports_its_view(page):
    part, name = page.split("/")[1:]
    module = f"lib.{part}.views.{name.replace('-', '_')}"
    assert re.search(rf"^from lib\.{part}\.views import {name.replace('-', '_')} as view$", source(page), flags=re.M), \
        f"{page} must import its view {module} (as view)"
    assert (ROOT / "lib" / part / "views" / f"{name.replace('-', '_')}.py").exists()
