"""Two editions from one source: no solution and no lecturer note reaches the student edition; the instructor
edition shows both (``_ext/editions.py``)."""
from __future__ import annotations

import html
import json
import os
import re
import sys

import pytest

from tests.book.test_build import CELL, mini_book
from tests.conftest import ROOT, jupyter_book, toc_pages

sys.path.insert(0, str(ROOT / "_ext"))
import editions  # noqa: E402

SAMPLE = """Intro.

```{exercise}
:label: ex-a

State the bound.
```

```{solution} ex-a
:class: dropdown

Because the posterior precision adds up the sample information.
```

````{solution} ex-b
:class: dropdown

Indented code follows

    x = 1
````

```{admonition} For the lecturer
:class: instructor-note

Spend ten minutes on the prior.
```

```{admonition} A remark for everyone
Kept in both editions.
```
"""


def test_strip_hidden_drops_solutions_and_notes_only():
    out = editions.strip_hidden(SAMPLE)
    for gone in ["posterior precision", "Indented code", "x = 1", "ten minutes", "{solution}"]:
        assert gone not in out
    for kept in ["Intro.", "State the bound.", "{exercise}", "Kept in both editions."]:
        assert kept in out
    assert editions.strip_hidden(out) == out
    assert len(editions.split_hidden(SAMPLE)[1]) == 3


def test_unknown_edition_is_refused(monkeypatch):
    monkeypatch.setenv(editions.EDITION_VARIABLE, "teacher")
    with pytest.raises(Exception, match="BOOK_EDITION='teacher' is not an edition"):
        editions.edition()
    monkeypatch.delenv(editions.EDITION_VARIABLE)
    assert editions.edition() == "student"


def test_mathjax_macros_become_latex_definitions():
    tex = editions.latex_macros({"E": "\\mathbb{E}", "pair": ["(#1, #2)", 2]})
    assert "\\renewcommand{\\E}{\\mathbb{E}}" in tex
    assert "\\renewcommand{\\pair}[2]{(#1, #2)}" in tex


def phrases(text: str) -> set[str]:
    """Runs of at least five plain words (no maths, roles or code) in MyST text: what the HTML shows verbatim."""
    text = re.sub(r"^    .*$|^:\w+:.*$|^`{3,}.*$", " | ", text, flags=re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|\{[\w:-]+\}`[^`]*`|`[^`]*`", " | ", text, flags=re.S)
    text = " ".join(text.split())
    return set(re.findall(r"(?:[A-Za-z]+ ){4,}[A-Za-z]+", text))


def shown_text(page_html: str) -> str:
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def secret_phrases(source: str) -> set[str]:
    """Phrases of the hidden blocks that the rest of the page does not also contain."""
    kept, hidden = editions.split_hidden(source)
    public = phrases(kept)
    secret = set().union(*(phrases(b) for b in hidden))
    return {p for p in secret if not any(p in q for q in public)}


@pytest.mark.build
def test_student_edition_holds_no_solution_text(built_book):
    assert built_book.returncode == 0, "the book did not build"
    checked = 0
    for page in toc_pages():
        source = (ROOT / f"{page}.md").read_text()
        secret = secret_phrases(source)
        if not secret:
            continue
        shown = shown_text((built_book.html / f"{page}.html").read_text())
        exercise = set().union(*(phrases(e) for e in re.findall(r"`{3,}\{exercise\}.*?\n`{3,}", source, flags=re.S)))
        assert not exercise or any(p in shown for p in exercise), f"{page}: the exercise text itself is not found"
        leaked = sorted(p for p in secret if p in shown)
        assert not leaked, f"{page}: solution text in the student edition: {leaked[:3]}"
        for suffix in (".md", ".ipynb"):
            download = built_book.html / "_sources" / f"{page}{suffix}"
            if download.exists():
                text = download.read_text()
                text = "".join("".join(c["source"]) for c in json.loads(text)["cells"]) if suffix == ".ipynb" else text
                assert not [p for p in secret if p in " ".join(text.split())], f"{download.name} leaks a solution"
        checked += 1
    assert checked >= 10, f"only {checked} pages with solutions were checked"


PAGE = """```{exercise}
:label: page-ex1

Show that the bound holds.
```

```{solution} page-ex1
:class: dropdown

Integrate by parts twice and the boundary terms vanish at both ends.
```

```{admonition} For the lecturer
:class: instructor-note

Ask the room which prior they would choose first.
```
""" + CELL % "print(1 + 1)"


@pytest.mark.build
@pytest.mark.parametrize("edition", editions.EDITIONS)
def test_editions_of_a_page(tmp_path, monkeypatch, edition):
    monkeypatch.setenv(editions.EDITION_VARIABLE, edition)
    book = mini_book(tmp_path, PAGE)
    code, log = jupyter_book(book, timeout=300)
    assert code == 0, log[-3000:]
    page_html = (book / "_build" / "html" / "book" / "page.html").read_text()
    shown = shown_text(page_html)
    assert "Show that the bound holds." in shown
    secrets = ["Integrate by parts twice", "Ask the room which prior"]
    if edition == "student":
        assert not [s for s in secrets if s in page_html]
        assert "Integrate by parts" not in (book / "_build" / "html" / "_sources" / "book" / "page.md").read_text()
    else:
        assert all(s in shown for s in secrets)
        solution = re.search(r'<div[^>]*class="([^"]*solution[^"]*)"', page_html).group(1)
        assert "dropdown" not in solution, "the instructor edition shows its solutions open"
    assert os.environ[editions.EDITION_VARIABLE] == edition


INSTRUCTOR_HTML = ROOT / "_build" / "instructor" / "_build" / "html"


@pytest.mark.build
@pytest.mark.skipif(not INSTRUCTOR_HTML.exists(), reason="run `make book-instructor` first")
def test_instructor_edition_shows_what_the_student_edition_hides():
    shown_pages = 0
    for page in toc_pages():
        source = (ROOT / f"{page}.md").read_text()
        secret = secret_phrases(source)
        if not secret:
            continue
        shown = shown_text((INSTRUCTOR_HTML / f"{page}.html").read_text())
        missing = sorted(p for p in secret if p not in shown)
        assert not missing, f"{page}: the instructor edition lacks {missing[:3]}"
        shown_pages += 1
    assert shown_pages >= 10
    assert "For the lecturer" in (INSTRUCTOR_HTML / "book" / "course.html").read_text()


def test_latex_references_to_exercises_and_page_labels_are_repaired():
    tex = (r"\phantomsection\label{\detokenize{book/preface::doc}}" "\n"
           r"see \hyperref[\detokenize{book/preface:preface}]{Preface} and "
           r"\hyperref[\detokenize{book/a:a-ex1}]{Exercise \ref{\detokenize{book/a:a-ex1}}}" "\n"
           r"\label{exercise:a-ex1}" "\n\n" r"\begin{sphinxadmonition}{note}{Exercise 2.4.1 ([1] Title)}")
    out = editions.fix_latex_references(tex)
    assert r"\hyperref[exercise:a-ex1]{Exercise 2.4.1}" in out and r"Exercise \ref" not in out
    assert r"\label{\detokenize{book/preface::doc}}\label{\detokenize{book/preface:preface}}" in out
    assert editions.fix_latex_references(out) == out
