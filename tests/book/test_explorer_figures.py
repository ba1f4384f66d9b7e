"""Explorers are numbered figures with a Try-this box under them (_ext/explorer_figures.py), and their named
options are buttons: the transform on a small document, then the built book."""
from __future__ import annotations

import re
import sys
from collections import defaultdict

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from tests.conftest import ROOT, toc_pages

sys.path.insert(0, str(ROOT / "_ext"))
import explorer_figures  # noqa: E402

FIGURE = re.compile(r'<figure class="book-explorer-figure[^"]*" id="explorer-([a-z0-9-]+)">(.*?)</figure>', re.S)
NUMBER = re.compile(r'<span class="caption-number">Fig\. (\d+)\.(\d+) </span>')


def explorer_output(name="demo", caption="What the demo shows."):
    from lib.explore import Explorer, Move, Param, Trace, TryThis, View
    from lib.explore.teach import peak

    ex = Explorer(name, [Param("a", 0.0, 1.0, 0.5, steps=3)], lambda a: View([Trace("t", [0, 1], [0, a])]),
                  caption=caption, try_this=TryThis("Does it move?", [
                      Move({"a": 1.0}, "it rises", peak("t"), "up"),
                      Move({"a": 0.0}, "it is flat", peak("t"), "down")]))
    document = new_document("page.md", get_default_settings(Parser))
    bundle = nodes.container(nb_element="mime_bundle")
    html = nodes.container(mime_type="text/html")
    html += nodes.raw("", ex.static_html(), format="html")
    bundle += html
    output = nodes.container(nb_element="cell_code_output")
    output += bundle
    document += output
    return document, output


def test_an_explorer_output_becomes_a_labelled_figure_with_its_box():
    document, output = explorer_output()
    explorer_figures.ExplorerFigures(document).apply()
    figure, box = output.children
    assert isinstance(figure, nodes.figure) and figure["ids"] == ["explorer-demo"]
    assert document.nameids["explorer-demo"] == "explorer-demo"
    assert figure.children[-1].astext() == "What the demo shows."
    assert isinstance(box, nodes.admonition) and box[0].astext() == "Try this"
    moves = [item.astext() for item in box.findall(nodes.list_item)]
    assert moves == ["Set a to 1: it rises.", "Set a to 0: it is flat."]


def test_an_output_without_teaching_text_is_left_alone():
    document, output = explorer_output(caption=None)
    explorer_figures.ExplorerFigures(document).apply()
    assert [type(c) for c in output.children] == [nodes.container]


@pytest.mark.build
def test_every_explorer_is_a_numbered_figure_with_a_try_this_box(built_book):
    from tests.viewtools import explorer_factories

    names = {f().name for part in ("primer", "bits", "kv") for _, f in explorer_factories(part)}
    found, numbers = {}, defaultdict(list)
    for page in toc_pages():
        text = (built_book.html / f"{page}.html").read_text()
        for name, body in FIGURE.findall(text):
            number = NUMBER.search(body)
            assert number, f"{page}: explorer {name} has no numbered caption"
            found[name] = page
            numbers[page].append((int(number.group(1)), int(number.group(2))))
            after = text[text.index(body) + len(body):][:3000]
            assert re.search(r'class="[^"]*book-try[^"]*"', after), f"{page}: explorer {name} has no Try-this box"
    assert set(found) == names, f"explorers without a figure: {sorted(names - set(found))}"
    for page, seen in numbers.items():
        assert seen == sorted(seen) and len(set(seen)) == len(seen), f"{page}: figure numbers {seen} do not increase"


@pytest.mark.build
def test_citations_of_explorers_resolve_to_their_numbers(built_book):
    cited = 0
    for page in toc_pages():
        text = (built_book.html / f"{page}.html").read_text()
        for target, shown in re.findall(r'href="[^"]*#explorer-([a-z0-9-]+)"><span class="std std-numref">'
                                        r'Fig\. ([\d.]+)<', text):
            cited += 1
            assert target and re.fullmatch(r"\d+\.\d+", shown)
    assert cited >= 3, f"only {cited} citations of an explorer by number (one per part expected)"
