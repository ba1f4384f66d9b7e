"""The chapter graph of lib.course against the pages, and the course plans of book/course.md against the graph."""
from __future__ import annotations

import re

import pytest

from lib import course
from tests.conftest import ROOT

CHAPTERS = course.toc_chapters()


def labels_of(chapter: str) -> set[str]:
    text = (ROOT / f"{chapter}.md").read_text()
    return set(re.findall(r"^\(([a-z0-9-]+)\)=", text, flags=re.M) + re.findall(r":label: (\S+)", text)
               + re.findall(r"^\$\$ \(([a-z0-9-]+)\)", text, flags=re.M))


def cited(chapter: str) -> set[str]:
    """Labels and documents a chapter's text cites."""
    text = (ROOT / f"{chapter}.md").read_text()
    refs = set(re.findall(r"\{(?:ref|prf:ref|eq|numref)\}`(?:[^<`]*<)?([a-z0-9-]+)>?`", text))
    docs = {"book/" + d.lstrip("/") for d in re.findall(r"\{doc\}`([^`<]+)`", text)}
    return refs | docs


def test_every_toc_chapter_is_declared_in_order():
    course.check_declared(CHAPTERS)
    assert len(CHAPTERS) >= 15


def test_check_declared_refuses_missing_and_misordered_chapters():
    with pytest.raises(ValueError, match="missing from lib.course.DEPENDS"):
        course.check_declared([*CHAPTERS, "book/kv/not-a-chapter"])
    reordered = [c for c in CHAPTERS if c != "book/primer/van-trees"] + ["book/primer/van-trees"]
    with pytest.raises(ValueError, match="comes after it"):
        course.check_declared(reordered)
    with pytest.raises(KeyError, match="not declared"):
        course.prerequisites("book/kv/not-a-chapter")


def names(chapter: str) -> list[str]:
    """The parts of a chapter's title that name its subject: "Fisher Information", "Cramér–Rao Bound"."""
    title = re.search(r"^# (.+)$", (ROOT / f"{chapter}.md").read_text(), flags=re.M).group(1)
    parts = [re.sub(r"^(the|a)\s+", "", p.strip(), flags=re.I) for p in re.split(r",|:| and ", title)]
    return [p.lower() for p in parts if len(p) >= 8]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_declared_prerequisites_are_cited_by_the_chapter(chapter):
    """A dependency is real: the chapter cites a label or the page of each chapter it is declared to build on, or
    names its subject."""
    refs, text = cited(chapter), (ROOT / f"{chapter}.md").read_text().lower()
    for prerequisite in course.prerequisites(chapter):
        assert prerequisite in refs or refs & labels_of(prerequisite) or any(n in text for n in names(prerequisite)), \
            f"{chapter} is declared to build on {prerequisite} but neither cites nor names it"


def test_reduced_edges_drop_implied_dependencies_only():
    edges = course.reduced_edges(CHAPTERS)
    for chapter in CHAPTERS:
        reachable = set()
        stack = [p for c, p in edges if c == chapter]
        while stack:
            p = stack.pop()
            if p not in reachable:
                reachable.add(p)
                stack += [q for c, q in edges if c == p]
        assert reachable == course.closure(chapter) & set(CHAPTERS), chapter
    assert len(edges) < sum(len(course.prerequisites(c)) for c in CHAPTERS)


def test_dependency_figure_draws_every_chapter_and_edge():
    import matplotlib.text

    from lib.front.views import course as view

    fig = view.dependency_figure()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for chapter in CHAPTERS:
        assert any(view.chapter_title(chapter) in t for t in texts), chapter
    arrows = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]
    assert len(arrows) == len(course.reduced_edges(CHAPTERS))


def plans() -> dict[str, list[tuple[list[str], list[str]]]]:
    """``{plan letter: [(chapters, exercise labels) per lecture]}`` from the tables of book/course.md."""
    out: dict[str, list] = {}
    for row in re.findall(r"^\| ([A-C])(\d+) \|(.*)$", (ROOT / "book" / "course.md").read_text(), flags=re.M):
        letter, _, rest = row
        chapters_cell, _, exercises_cell = rest.split("|")[:3]
        chapters = ["book/" + d for d in re.findall(r"\{doc\}`([^`]+)`", chapters_cell)]
        exercises = re.findall(r"\{ref\}`([a-z0-9-]+)`", exercises_cell)
        out.setdefault(letter, []).append((chapters, exercises))
    return out


def test_three_plans_of_the_promised_length():
    found = plans()
    assert {k: len(v) for k, v in found.items()} == {"A": 8, "B": 8, "C": 10}
    assert all(chapters and len(exercises) >= 2 for lectures in found.values() for chapters, exercises in lectures)


@pytest.mark.parametrize("letter", ["A", "B", "C"])
def test_plans_teach_prerequisites_first_and_set_existing_exercises(letter):
    exercise_home = {label: c for c in CHAPTERS for label in labels_of(c)}
    taught: set[str] = set()
    for i, (chapters, exercises) in enumerate(plans()[letter], start=1):
        taught |= set(chapters)
        for chapter in chapters:
            assert chapter in CHAPTERS, f"{letter}{i}: {chapter} is not in _toc.yml"
            missing = course.closure(chapter) - taught
            assert not missing, f"{letter}{i} teaches {chapter} before {sorted(missing)}"
        for label in exercises:
            assert label in exercise_home, f"{letter}{i}: no exercise labelled {label}"
            assert exercise_home[label] in taught, f"{letter}{i}: {label} is from a chapter not yet taught"


def test_plan_c_is_the_preface_course():
    preface = (ROOT / "book" / "preface.md").read_text()
    card = re.search(r"grid-item-card\} A lecture course.*?\n:::", preface, flags=re.S).group(0)
    lectures = re.findall(r"^\d+\. (.*)$", card, flags=re.M)
    expected = [["book/" + d for d in re.findall(r"\{doc\}`([^`]+)`", line)] for line in lectures]
    assert [chapters[:len(e)] for (chapters, _), e in zip(plans()["C"], expected)] == expected
