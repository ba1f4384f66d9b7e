"""A book page as a reader's notebook, and back: the page stays byte-identical.

* :func:`jupytext_roundtrip` is a page read and written back by jupytext; a page is kept in that form
  (``make normalize``, :mod:`lib.notebook.server`), so that opening, running and saving it changes no byte;
* :func:`to_live` adds, in memory only, a first markdown cell that defines the book's TeX macros (``\\R``,
  ``\\eps``, ...) for jupyterlab-myst and for the notebook's MathJax, and rewrites ``{glue:text}`` roles into
  inline expressions that show the glued values from the kernel; :func:`from_live` undoes it before a save.

The macros are read from ``_config.yml`` (``sphinx.config.mathjax3_config.tex.macros``), their one definition.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

__all__ = ["MACRO_CELL_KEY", "book_macros", "from_live", "jupytext_roundtrip", "macro_cell_source", "to_live"]

ROOT = Path(__file__).resolve().parents[2]
#: Cell-metadata key that marks the in-memory macro cell (never written to a page).
MACRO_CELL_KEY = "book_lab_macros"
GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z0-9_.-]+)(?::([^`]*))?`")
GLUE_EVAL = re.compile(r"\{eval\}`__import__\('lib'\)\.glued\('([A-Za-z0-9_.-]+)', '([^'`]*)'\)`")


def book_macros(config: Path = ROOT / "_config.yml") -> dict[str, str]:
    """The book's TeX macros, as ``{"\\\\R": "\\\\mathbb{R}", ...}``, from the build configuration."""
    tex = yaml.safe_load(config.read_text())["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    return {f"\\{name}": body for name, body in tex.items()}


def macro_cell_source(macros: dict[str, str] | None = None) -> str:
    """Markdown that defines ``macros`` for jupyterlab-myst: front matter of the notebook's first cell."""
    macros = book_macros() if macros is None else macros
    front = yaml.safe_dump({"math": macros}, default_flow_style=False, sort_keys=True).strip()
    return f"---\n{front}\n---\n*Run All (Run menu) to compute this page's numbers and figures.*"


def to_live(nb):
    """The notebook a reader sees: macro cell first, ``{glue:text}`` roles as kernel expressions."""
    import nbformat

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = GLUE_ROLE.sub(
                lambda m: f"{{eval}}`__import__('lib').glued('{m.group(1)}', '{m.group(2) or ''}')`",
                cell.source)
    cell = nbformat.v4.new_markdown_cell(macro_cell_source(), metadata={MACRO_CELL_KEY: True})
    cell.pop("id", None)
    nb.cells.insert(0, cell)
    return nb


def from_live(nb):
    """Undo :func:`to_live` and drop what a kernel adds (language_info, user_expressions, trust)."""
    nb.cells = [c for c in nb.cells if not c.metadata.get(MACRO_CELL_KEY)]
    for cell in nb.cells:
        cell.metadata.pop("user_expressions", None)
        cell.metadata.pop("trusted", None)
        if cell.cell_type == "markdown":
            cell.source = GLUE_EVAL.sub(
                lambda m: f"{{glue:text}}`{m.group(1)}" + (f":{m.group(2)}" if m.group(2) else "") + "`",
                cell.source)
    nb.metadata.pop("language_info", None)
    return nb


def jupytext_roundtrip(text: str, folder: Path = ROOT / "book") -> str:
    """``text`` (a page) read and written back by jupytext with the book's settings (``jupytext.toml``)."""
    import jupytext
    from jupytext.config import load_jupytext_config

    config = load_jupytext_config(str(folder))
    nb = jupytext.reads(text, fmt="md:myst", config=config)
    return jupytext.writes(nb, fmt="md:myst", config=config)
