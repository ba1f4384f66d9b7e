"""The declared results (lib.results) against the pages' statement boxes, their constants against independent
computations, and the views that render the part tables and the list of results."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lib import course, results
from lib.front.views import results as view
from tests.conftest import ROOT

PARTS = list(course.PARTS)
BOX = re.compile(r"^`{3,}\{prf:(" + "|".join(results.RESULT_KINDS) + r")\}", flags=re.M)


def part_chapters(part):
    return [c for c in course.toc_chapters() if c.split("/")[1] == part]


@pytest.mark.parametrize("part", PARTS)
def test_every_result_of_the_part_is_in_its_table_with_its_badges(part):
    """Grep the boxes independently of lib.results' parser: each labelled result appears, with its box's badges."""
    table = {s.label: r for s, r in results.part_results(part)}
    n_boxes = 0
    for chapter in part_chapters(part):
        text = (ROOT / f"{chapter}.md").read_text()
        for box in BOX.finditer(text):
            n_boxes += 1
            body = text[box.end():text.index("\n```", box.end())]
            label = re.search(r":label: (\S+)", body)
            assert label, f"{chapter}: a {box[1]} without :label: cannot be linked from the table"
            assert label[1] in table, f"{label[1]} ({chapter}) is missing from lib.results.RESULTS"
            badges = {k for k, markup in results.BADGES.items() if markup in body}
            assert set(table[label[1]].provenance) == badges, f"{label[1]}: provenance differs from its box"
    assert n_boxes == len(table) and n_boxes >= 10


def test_no_declared_result_is_missing_from_the_pages():
    found = {s.label for part in PARTS for s, _ in results.part_results(part)}
    assert {r.label for r in results.RESULTS} == found
    assert len({r.label for r in results.RESULTS}) == len(results.RESULTS), "a result is declared twice"


def test_an_undeclared_result_is_refused(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```{prf:theorem} New\n:label: thm-not-declared\n\n{bdg-success}`this book's finding` x\n```\n")
    (found,) = results.statements([str(tmp_path / "page")])
    assert (found.kind, found.title, found.label, found.provenance) == ("theorem", "New", "thm-not-declared",
                                                                        ("finding",))
    with pytest.raises(KeyError, match="not declared"):
        results.by_label(found.label)
    with pytest.raises(ValueError, match="part must be one of"):
        results.part_results("appendix")


CONSTANTS = {  # independent closed forms of the numbers the tables print
    "thm-primer-message-bound": [math.log(2)],
    "thm-primer-one-bit-fisher": [2 / math.pi],
    "thm-primer-van-trees": [math.pi ** 2],
    "thm-primer-gaussian-rd": [0.25],
    "prop-bits-bisection": [math.pi * math.e / 6],
    "prop-bits-quantizer-fisher": [2 / math.pi],
    "thm-bits-fisher-mi": [2 * math.log(2)],
    "thm-bits-product-bound": [1 / (2 * math.log(2))],
    "prop-bits-localisation": [2 / (math.pi * math.e)],
    "prop-bits-sign-asymptote": [math.pi * math.log(2)],
    "thm-bits-ar1-statistical": [3.0],
    "prop-bits-sign-inflation": [1 + 4 / math.pi * float(np.sum(np.arcsin(0.5 ** np.arange(1, 200))))],
    "prop-bits-sign-tracker": [math.sqrt(math.pi / 2)],
}


def test_numeric_constants_match_independent_computations():
    computed = {r.label: [v for _, v in results.constant_values(r)] for r in results.RESULTS if r.numbers}
    assert computed.keys() == CONSTANTS.keys()
    for label, values in CONSTANTS.items():
        np.testing.assert_allclose(computed[label], values, rtol=1e-9, err_msg=label)


def test_sign_inflation_is_below_the_correlation_factor_as_the_table_says():
    (_, kappa), = results.constant_values(results.by_label("prop-bits-sign-inflation"))
    (_, factor), = results.constant_values(results.by_label("thm-bits-ar1-statistical"))
    assert 1 < kappa < factor


@pytest.mark.parametrize("part", PARTS)
def test_table_has_one_linked_row_per_result(part):
    text = view.part_table_markdown(part)
    assert text.startswith("```{table}\n:class: book-results\n") and text.endswith("\n```")
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(results.part_results(part))
    assert all(row.count(" | ") == len(view.HEADER) - 1 for row in rows), "a cell holds a `|`"
    for row, (statement, result) in zip(rows, results.part_results(part)):
        assert f"{{prf:ref}}`{statement.label}`" in row and f"{{doc}}`/{statement.chapter}`" in row
        assert all(results.BADGES[p] in row for p in result.provenance)


def test_a_pipe_in_a_cell_is_refused():
    with pytest.raises(ValueError, match="must not contain"):
        view._cell(r"$D(p\|q)$ with a | pipe")


@pytest.mark.parametrize("part", PARTS)
def test_results_list_links_every_numbered_statement(part):
    text = view.results_list_markdown(part)
    listed = re.findall(r"\{prf:ref\}`([a-z0-9-]+)`", text)
    expected = [s.label for s in results.statements(part_chapters(part))]
    assert listed == expected and len(expected) >= 10
    kinds = {s.kind for s in results.statements(part_chapters(part))}
    assert "definition" in kinds and "remark" not in kinds


@pytest.mark.build
def test_built_pages_link_every_result(built_book):
    """In the built site the part tables and the list link to each box (anchors the chapters really have)."""
    listing = (built_book.html / "book" / "results.html").read_text()
    for part in PARTS:
        table = (built_book.html / "book" / "summaries" / f"{part}.html").read_text()
        for s in results.statements(part_chapters(part)):
            target = f'href="{s.chapter.split("/", 1)[1]}.html#{s.label}"'
            page = (built_book.html / f"{s.chapter}.html").read_text()
            assert f'id="{s.label}"' in page, f"{s.chapter} has no anchor {s.label}"
            assert target in listing, f"the list of results does not link {s.label}"
            if s.kind in results.RESULT_KINDS:
                assert f'href="../{s.chapter.split("/", 1)[1]}.html#{s.label}"' in table, s.label
