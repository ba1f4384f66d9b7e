"""The course page's figure: the chapter-dependency graph of :mod:`lib.course`, drawn from ``_toc.yml``."""
from __future__ import annotations

import re


from lib import course

__all__ = ["chapter_title", "layout", "dependency_figure"]


def chapter_title(chapter: str) -> str:
    """The ``# Title`` of a chapter's page."""
    text = (course.ROOT / f"{chapter}.md").read_text()
    match = re.search(r"^# (.+)$", text, flags=re.M)
    if match is None:
        raise ValueError(f"{chapter}.md has no `# Title` line")
    return match.group(1).strip()


def layout(chapters) -> dict[str, tuple[float, float]]:
    """Node positions: one column per part (primer, Part I, Part II), chapters top-down in ``_toc.yml`` order."""
    columns = list(course.PARTS)
    rows: dict[str, int] = {}
    pos = {}
    for c in chapters:
        part = c.split("/")[1]
        rows[part] = rows.get(part, 0) + 1
        pos[c] = (float(columns.index(part)), -float(rows[part]))
    return pos


def dependency_figure(toc=None):
    """Chapters as numbered boxes in their part's column; an arrow from each prerequisite to the chapter using it."""
    import matplotlib.pyplot as plt

    chapters = course.toc_chapters(toc)
    course.check_declared(chapters)
    pos = layout(chapters)
    height = max(-y for _, y in pos.values())
    fig, ax = plt.subplots(figsize=(10, 0.62 * height + 1.0))
    for chapter, prerequisite in course.reduced_edges(chapters):
        (x0, y0), (x1, y1) = pos[prerequisite], pos[chapter]
        # Skip-a-row arrows within a column and arrows across a middle column bend around the boxes between.
        bend = 0.35 if (x0 == x1 and y0 - y1 > 1) else (-0.25 if abs(x1 - x0) > 1 else 0.0)
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.0, "shrinkA": 14, "shrinkB": 14,
                                "connectionstyle": f"arc3,rad={bend}"})
    numbers: dict[str, int] = {}
    for chapter in chapters:
        part = chapter.split("/")[1]
        numbers[part] = numbers.get(part, 0) + 1
        x, y = pos[chapter]
        ax.text(x, y, f"{numbers[part]}. {chapter_title(chapter)}", ha="center", va="center", fontsize=9, zorder=2,
                wrap=True, bbox={"boxstyle": "round,pad=0.35", "fc": "#eef4fb", "ec": "#0072B2", "lw": 1.0})
    for i, caption in enumerate(course.PARTS.values()):
        ax.text(i, 0.0, caption, ha="center", va="center", fontsize=11, weight="bold")
    ax.set_xlim(-0.6, len(course.PARTS) - 0.4)
    ax.set_ylim(-height - 0.6, 0.5)
    ax.axis("off")
    fig.tight_layout()
    plt.close(fig)
    return fig
