"""The "What to remember" tables of the three parts and the list of results, from :mod:`lib.results`.

Both render MyST markdown (``text/markdown``; the page cell sets ``mystnb: markdown_format: myst``), so that
``{prf:ref}`` gives each result its number and a link, ``{doc}`` links the chapter, the badges are the pages' own,
and Sphinx resolves every link: a label that disappears fails the build (``-n``).
"""
from __future__ import annotations

from lib import course, results

__all__ = ["part_table_markdown", "part_table", "results_list_markdown", "results_list"]

HEADER = ("result", "statement", "constants", "provenance", "chapter")
#: The class that book/_static/book-layout.css sets in a smaller type, with column widths that fit the page.
TABLE_CLASS = "book-results"


def _cell(text: str) -> str:
    if "|" in text:
        raise ValueError(f"a table cell must not contain `|` (use \\Vert, \\mid, \\lVert): {text!r}")
    return text.replace("\n", " ").strip() or "—"


def _constants(result: results.Result) -> str:
    numbers = ", ".join(f"${name}\\approx{value:.4g}$" for name, value in results.constant_values(result))
    return "; ".join(part for part in (result.constants if result.constants != "—" else "", numbers) if part)


def part_table_markdown(part: str) -> str:
    """The table of ``part``'s results as MyST markdown: one row per theorem, proposition, lemma, conjecture.

    Parameters
    ----------
    part : str
        ``"primer"``, ``"bits"`` or ``"kv"``.

    Returns
    -------
    str
        A pipe table in a ``{table}`` directive (its class); the result and its chapter are links,
        provenance is the box's badges.
    """
    lines = ["```{table}", f":class: {TABLE_CLASS}", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for statement, result in results.part_results(part):
        row = (f"{{prf:ref}}`{statement.label}` {statement.title}", result.statement, _constants(result),
               " ".join(results.BADGES[p] for p in result.provenance), f"{{doc}}`/{statement.chapter}`")
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines + ["```"])


def part_table(part: str):
    """:func:`part_table_markdown` shown by a page cell (``IPython.display.Markdown``)."""
    return _markdown(part_table_markdown(part))


def results_list_markdown(part: str) -> str:
    """Every numbered result and definition of ``part``'s chapters, by chapter, each linked to its box.

    Parameters
    ----------
    part : str
        ``"primer"``, ``"bits"`` or ``"kv"``.

    Returns
    -------
    str
        MyST markdown: one paragraph per chapter (its link), then a bullet per statement, ``{prf:ref}`` and title.
    """
    if part not in course.PARTS:
        raise ValueError(f"part must be one of {list(course.PARTS)}, not {part!r}")
    out = []
    for chapter in (c for c in course.toc_chapters() if c.split("/")[1] == part):
        found = results.statements([chapter])
        unlabelled = [s.title for s in found if not s.label]
        if unlabelled:
            raise ValueError(f"{chapter}: numbered statements without a `:label:` cannot be listed: {unlabelled}")
        if found:
            out.append(f"{{doc}}`/{chapter}`\n")
            out += [f"- {{prf:ref}}`{s.label}`: {s.title}" for s in found]
            out.append("")
    return "\n".join(out)


def results_list(part: str):
    """:func:`results_list_markdown` shown by a page cell (``IPython.display.Markdown``)."""
    return _markdown(results_list_markdown(part))


def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)
