"""The book as a course: which chapter builds on which, declared once and checked against ``_toc.yml``.

The course page (``book/course.md``) draws the graph (:mod:`lib.front.views.course`) and its plans cite the
chapters in an order the graph allows (``tests/test_course.py``). A chapter added to ``_toc.yml`` must be declared
here too.

Example
-------
>>> "book/primer/van-trees" in prerequisites("book/bits/statistical-bound")
True
>>> ("book/kv/window-theorem", "book/kv/sequential-wyner-ziv") in reduced_edges()  # implied by the law's chapter
False
"""
from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["DEPENDS", "PARTS", "toc_chapters", "prerequisites", "closure", "reduced_edges", "check_declared"]

ROOT = Path(__file__).resolve().parents[1]

#: The parts a chapter can belong to: folder under ``book/`` -> caption of the figure's column.
PARTS = {"primer": "Primer", "bits": "Part I: bits", "kv": "Part II: KV caches"}

#: chapter -> the chapters it builds on directly: its text uses their definitions or results (and cites them, which
#: ``tests/test_course.py`` checks). Asides and comparisons are not dependencies: the regime map mentions the
#: correlated conjecture, but it can be taught before that chapter.
DEPENDS: dict[str, tuple[str, ...]] = {
    "book/primer/entropy-kl": (),
    "book/primer/differential-entropy": ("book/primer/entropy-kl",),
    "book/primer/fisher-cramer-rao": ("book/primer/entropy-kl",),
    "book/primer/van-trees": ("book/primer/fisher-cramer-rao",),
    "book/primer/lower-bound-methods": ("book/primer/van-trees",),
    "book/primer/rate-distortion": ("book/primer/entropy-kl",),
    "book/primer/wyner-ziv": ("book/primer/rate-distortion",),
    "book/primer/attention": (),
    "book/bits/bit-oracle-reduction": (),
    "book/bits/communication-bound": ("book/bits/bit-oracle-reduction", "book/primer/rate-distortion"),
    "book/bits/statistical-bound": ("book/bits/bit-oracle-reduction", "book/primer/van-trees"),
    "book/bits/fisher-per-bit": ("book/bits/communication-bound", "book/bits/statistical-bound"),
    "book/bits/other-routes": ("book/bits/fisher-per-bit",),
    "book/bits/achievability": ("book/bits/communication-bound", "book/bits/fisher-per-bit"),
    "book/bits/correlated-drifting": ("book/bits/achievability",),
    "book/bits/regime-map": ("book/bits/achievability",),
    "book/bits/in-context": ("book/bits/regime-map",),
    "book/kv/sequential-wyner-ziv": ("book/primer/wyner-ziv",),
    "book/kv/polynomial-sensitivity": ("book/kv/sequential-wyner-ziv",),
    "book/kv/sinks-and-positions": ("book/kv/polynomial-sensitivity",),
    "book/kv/window-theorem": ("book/kv/polynomial-sensitivity", "book/kv/sequential-wyner-ziv"),
    "book/kv/block-markov": ("book/kv/window-theorem",),
    "book/kv/policies": ("book/kv/block-markov", "book/kv/sinks-and-positions"),
    "book/kv/tokens-or-bits": ("book/kv/policies", "book/primer/rate-distortion"),
    "book/kv/in-context": ("book/kv/policies", "book/kv/window-theorem"),
}


def toc_chapters(toc: Path | None = None) -> list[str]:
    """The chapters of the primer and the two parts, in ``_toc.yml`` order (paths without suffix)."""
    data = yaml.safe_load((toc or ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in data.get("parts", []) for c in part["chapters"]]
    return [f for f in files if f.split("/")[1] in PARTS]


def prerequisites(chapter: str) -> tuple[str, ...]:
    """The chapters ``chapter`` builds on directly; ``KeyError`` with the fix if it is not declared."""
    try:
        return DEPENDS[chapter]
    except KeyError:
        raise KeyError(f"chapter `{chapter}` is not declared in lib.course.DEPENDS: add it with the chapters "
                       "it builds on") from None


def closure(chapter: str) -> set[str]:
    """Every chapter ``chapter`` builds on, directly or through others."""
    seen: set[str] = set()
    stack = list(prerequisites(chapter))
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.add(c)
            stack.extend(prerequisites(c))
    return seen


def reduced_edges(chapters=None) -> list[tuple[str, str]]:
    """Edges ``(chapter, prerequisite)`` of the transitive reduction among ``chapters`` (default: all declared).

    An edge is dropped when the prerequisite is reached through another direct prerequisite, so the figure
    shows each dependency once.
    """
    chapters = list(DEPENDS if chapters is None else chapters)
    keep = set(chapters)
    edges = []
    for c in chapters:
        direct = [p for p in prerequisites(c) if p in keep]
        for p in direct:
            if not any(p in closure(q) for q in direct if q != p):
                edges.append((c, p))
    return edges


def check_declared(chapters) -> None:
    """Raise ``ValueError`` if a chapter is undeclared, or builds on one that is missing or comes later."""
    order = {c: i for i, c in enumerate(chapters)}
    undeclared = [c for c in chapters if c not in DEPENDS]
    if undeclared:
        raise ValueError(f"chapters of _toc.yml missing from lib.course.DEPENDS: {undeclared}")
    for c in chapters:
        for p in DEPENDS[c]:
            if p not in order:
                raise ValueError(f"`{c}` builds on `{p}`, which is not in _toc.yml")
            if order[p] > order[c]:
                raise ValueError(f"`{c}` builds on `{p}`, which comes after it in _toc.yml")
