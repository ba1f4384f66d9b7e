"""The course apparatus of every chapter, read from its source: rated exercises of three kinds, key points.

Every chapter of ``lib.course`` (primer, Part I, Part II) has
- 5 to 8 exercises, each rated ``[1]``, ``[2]`` or ``[3]`` at the start of its title (MacKay's scale: [1] a
  few minutes, [2] an hour, [3] a small project);
- at least one of each kind, named by the exercise's ``:class:``: ``ex-proof`` (a derivation), ``ex-numerical``
  (a computation with ``lib``) and ``ex-explorer`` (done with an explorer of the page);
- a solution for every exercise; the solution of an ``ex-numerical`` exercise holds Python code that calls
  ``lib`` and runs (this test runs it);
- a ``## Key points`` section of 4 to 6 bullets before ``## Exercises``.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from lib import course
from tests.conftest import ROOT

CHAPTERS = course.toc_chapters()
KINDS = ("ex-proof", "ex-numerical", "ex-explorer")
_FENCE = r"(?P<fence>`{3,}|:{3,})"
EXERCISE = re.compile(_FENCE + r"\{exercise\}(?P<title>[^\n]*)\n(?P<body>.*?)\n(?P=fence)\s*$", re.S | re.M)
SOLUTION = re.compile(_FENCE + r"\{solution\}\s*(?P<label>\S+)[^\n]*\n(?P<body>.*?)\n(?P=fence)\s*$",
                      re.S | re.M)
CODE = re.compile(r"^(?P<fence>`{3,})(?:python|\{code-cell\} ipython3)[^\n]*\n(?P<code>.*?)\n(?P=fence)\s*$",
                  re.S | re.M)


def source(chapter: str) -> str:
    return (ROOT / f"{chapter}.md").read_text()


def exercises(source: str) -> list[dict]:
    """The exercises of a page's source: title, label, classes and the body of its solution."""
    solutions = {m["label"]: m["body"] for m in SOLUTION.finditer(source)}
    found = []
    for m in EXERCISE.finditer(source):
        options = dict(re.findall(r"^:(\w+):\s*(.*)$", m["body"], flags=re.M))
        label = options.get("label", "")
        found.append({"title": m["title"].strip(), "label": label, "classes": options.get("class", "").split(),
                      "solution": solutions.get(label)})
    return found


def key_points(source: str) -> list[str] | None:
    """The bullets of a page's ``## Key points`` section (None if it has none, or it follows the exercises)."""
    m = re.search(r"^## Key points\s*\n(?P<body>.*?)(?=^#{1,2} )", source, flags=re.S | re.M)
    if not m or source.find("## Exercises") < m.start():
        return None
    return re.findall(r"^[-*] ", m["body"], flags=re.M)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_five_to_eight_rated_exercises_of_every_kind(chapter):
    found = exercises(source(chapter))
    assert 5 <= len(found) <= 8, f"{chapter}: {len(found)} exercises (5 to 8 wanted)"
    unrated = [e["title"] for e in found if not re.match(r"\[[123]\] \S", e["title"])]
    assert not unrated, f"{chapter}: exercises without a rating [1]-[3] at the start of the title: {unrated}"
    missing = [k for k in KINDS if not any(k in e["classes"] for e in found)]
    assert not missing, f"{chapter}: no exercise of kind {missing} (set it in the exercise's :class:)"
    unsolved = [e["label"] or e["title"] for e in found if e["solution"] is None]
    assert not unsolved, f"{chapter}: exercises without a solution: {unsolved}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_numerical_solutions_call_lib_and_run(chapter, tmp_path):
    numerical = [e for e in exercises(source(chapter)) if "ex-numerical" in e["classes"] and e["solution"]]
    for e in numerical:
        code = "\n".join(m["code"] for m in CODE.finditer(e["solution"]))
        assert re.search(r"^\s*(from lib\b|import lib\b)", code, flags=re.M), \
            f"{chapter}: the solution of {e['label']} has no Python code that imports lib"
        script = tmp_path / f"{e['label']}.py"
        script.write_text("import matplotlib\nmatplotlib.use('Agg')\n" + code)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's lib, wherever the venv's lib points
        run = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 0, f"{chapter}: the solution code of {e['label']} fails:\n{run.stderr[-2000:]}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_key_points_close_the_chapter(chapter):
    points = key_points(source(chapter))
    assert points is not None, f"{chapter}: no '## Key points' section before '## Exercises'"
    assert 4 <= len(points) <= 6, f"{chapter}: {len(points)} key points (4 to 6 wanted)"


def test_the_parser_reads_a_known_page():
    """The parser on a page written here: two exercises, one solution with code, three key points."""
    text = ("## Key points\n\n- one\n- two\n* three\n\n## Exercises\n\n"
            "```{exercise} [2] A proof\n:label: t-ex1\n:class: ex-proof\n\nShow it.\n```\n\n"
            "```{exercise} Unrated\n:label: t-ex2\n\nCompute.\n```\n\n"
            "````{solution} t-ex1\n:class: dropdown\n\nBecause.\n```python\nfrom lib import checks\n```\n````\n")
    found = exercises(text)
    assert [e["title"] for e in found] == ["[2] A proof", "Unrated"]
    assert found[0]["classes"] == ["ex-proof"] and found[1]["solution"] is None
    assert "from lib import checks" in CODE.search(found[0]["solution"])["code"]
    assert key_points(text) == ["- ", "- ", "* "]
    assert key_points(text.replace("## Key points", "## Elsewhere")) is None
