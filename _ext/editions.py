"""Two editions from one source: the student edition (default) and the instructor edition.

Listed in ``_config.yml`` under ``sphinx.local_extensions``. The edition comes from the environment variable
``BOOK_EDITION`` (``student`` unless set; ``make book-instructor`` sets ``instructor``).

* **Student edition.** Every ``{solution}`` block is dropped while the page is parsed (sphinx-exercise's
  ``hide_solutions``), every element of class ``instructor-note`` is removed from the document tree, and the page
  sources offered for download (``_sources/*.md`` and ``*.ipynb``) are rewritten without them. The solutions are
  not collapsed, they are absent: printing or opening the source shows nothing either.
* **Instructor edition.** Solutions are shown open (their ``dropdown`` class is removed) and lecturer notes
  appear. A note is written in a page as::

      ```{admonition} For the lecturer
      :class: instructor-note

      Spend ten minutes on ...
      ```
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.errors import ConfigError

__all__ = ["EDITION_VARIABLE", "EDITIONS", "NOTE_CLASS", "edition", "split_hidden", "strip_hidden", "latex_macros",
           "fix_latex_references", "setup"]

EDITION_VARIABLE = "BOOK_EDITION"
EDITIONS = ("student", "instructor")
NOTE_CLASS = "instructor-note"
#: Files copied beside the LaTeX sources (a stand-in for bbm.sty, which jupyterBook.cls loads).
LATEX_FILES = Path(__file__).resolve().parent / "latex"

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>solution|admonition)\}[^\n]*$")


def edition() -> str:
    """The edition being built: ``BOOK_EDITION`` (``student`` if unset).

    Raises
    ------
    ConfigError
        If the variable names neither edition.
    """
    value = os.environ.get(EDITION_VARIABLE, "student").strip().lower() or "student"
    if value not in EDITIONS:
        raise ConfigError(f"{EDITION_VARIABLE}={value!r} is not an edition: use one of {list(EDITIONS)} "
                          "(make book builds the student edition, make book-instructor the instructor one).")
    return value


def _block_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the block opened at ``start`` (a line of the fence character, as long or longer)."""
    closing = re.compile("^" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
    for i in range(start + 1, len(lines)):
        if closing.match(lines[i]):
            return i
    return len(lines) - 1


def _is_hidden(kind: str, body: list[str]) -> bool:
    if kind == "solution":
        return True
    options = [line for line in body if line.startswith(":")]
    return any(re.match(r":class:.*\b" + NOTE_CLASS + r"\b", line) for line in options)


def split_hidden(text: str) -> tuple[str, list[str]]:
    """Split MyST markdown into what every edition shows and the blocks only the instructor edition shows.

    Parameters
    ----------
    text : str
        A page's source, or one markdown cell of it.

    Returns
    -------
    kept : str
        ``text`` without its ``{solution}`` blocks and ``instructor-note`` admonitions (fence to closing fence,
        and one blank line after).
    hidden : list of str
        Those blocks, in order.
    """
    lines = text.split("\n")
    kept, hidden, i = [], [], 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if match:
            end = _block_end(lines, i, match["fence"])
            if _is_hidden(match["kind"], lines[i + 1:end]):
                hidden.append("\n".join(lines[i:end + 1]))
                i = end + 1
                if i < len(lines) and not lines[i].strip() and kept and not kept[-1].strip():
                    i += 1
                continue
        kept.append(lines[i])
        i += 1
    return "\n".join(kept), hidden


def strip_hidden(text: str) -> str:
    """``text`` without what only the instructor edition shows (see :func:`split_hidden`)."""
    return split_hidden(text)[0]


#: PDF bookmarks are plain text: maths in a section title ("from $\\alpha$ and $\\varepsilon$ to bytes") must print
#: as Unicode there, or hyperref stops on unicode-math's symbols ("Improper alphabetic constant").
_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta kappa lambda mu nu xi pi rho sigma tau phi "
          "varphi chi psi omega Gamma Delta Theta Lambda Pi Sigma Phi Psi Omega")
_BOOKMARK_MATH = "\\pdfstringdefDisableCommands{%s\\def\\ln{ln}\\def\\log{log}\\def\\eps{\u03b5}}" % "".join(
    f"\\def\\{name}{{{char}}}" for name, char in zip(_GREEK.split(), "αβγδϵεζηθκλμνξπρστϕφχψωΓΔΘΛΠΣΦΨΩ"))


def latex_macros(mathjax_macros: dict) -> str:
    """LaTeX definitions of the MathJax macros of ``_config.yml``, so that the PDF typesets the same formulas.

    Parameters
    ----------
    mathjax_macros : dict
        ``{name: body}`` as in ``mathjax3_config.tex.macros`` (a body may be ``[body, n_args]``).

    Returns
    -------
    str
        One ``\\providecommand``/``\\renewcommand`` pair per macro, e.g. ``\\renewcommand{\\E}{\\mathbb{E}}``.
    """
    lines = []
    for name, body in mathjax_macros.items():
        body, args = (body[0], int(body[1])) if isinstance(body, (list, tuple)) else (body, 0)
        arity = f"[{args}]" if args else ""
        lines.append(f"\\providecommand{{\\{name}}}{{}}\\renewcommand{{\\{name}}}{arity}{{{body}}}")
    return "\n".join(lines)


def _configure(app, config):
    config.book_edition = edition()
    config.hide_solutions = config.book_edition == "student"
    app.tags.add(config.book_edition)
    if not config.nb_execution_cache_path:
        # The editions and the PDF differ only in their text and builder: all reuse the executed cells of the
        # student build (`make book`), whatever --path-output they are built into.
        config.nb_execution_cache_path = str(Path(app.srcdir) / "_build" / ".jupyter_cache")
    macros = ((config.mathjax3_config or {}).get("tex") or {}).get("macros") or {}
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + "\n" + latex_macros(macros) + "\n" + _BOOKMARK_MATH
    config.latex_elements = elements
    config.latex_additional_files = [*config.latex_additional_files, str(LATEX_FILES / "bbm.sty")]


def _apply_edition(app, doctree):
    if app.config.book_edition == "student":
        for node in list(doctree.findall(nodes.Element)):
            if NOTE_CLASS in node.get("classes", []) and node.parent is not None:
                node.parent.remove(node)
        return
    for node in doctree.findall(nodes.Element):
        if type(node).__name__ == "solution_node" and "dropdown" in node.get("classes", []):
            node["classes"].remove("dropdown")


def _strip_sources(app, exception):
    if exception is not None or app.config.book_edition != "student" or app.builder.format != "html":
        return
    for path in Path(app.outdir, "_sources").rglob("*"):
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb.get("cells", []):
                if cell.get("cell_type") == "markdown":
                    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                    cell["source"] = strip_hidden(source)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        elif path.suffix in (".md", ".txt") and path.is_file():
            path.write_text(strip_hidden(path.read_text(encoding="utf-8")), encoding="utf-8")


_EXERCISE = re.compile(r"\\label\{exercise:([^}]+)\}\s*\\begin\{sphinxadmonition\}\{note\}\{(Exercise [0-9.]+)")
_EXERCISE_REF = re.compile(r"\\hyperref\[\\detokenize\{([^}:]+):([^}]+)\}\]\{Exercise \\ref\{\\detokenize\{\1:\2\}\}\}")
_HYPERREF = re.compile(r"\\hyperref\[\\detokenize\{([^}:]+):([^}:]+)\}\]")
_LABEL = re.compile(r"\\label\{\\detokenize\{([^}]+)\}\}")


def fix_latex_references(tex: str) -> str:
    """Repair two kinds of reference the LaTeX writers leave dangling (they print as ``??`` in the PDF).

    * sphinx-exercise labels an exercise ``exercise:<label>`` but refers to ``<doc>:<label>``: each reference
      becomes a link to the exercise with its printed number (``Exercise 1.6.1``).
    * The label of a page's first line (``(preface)=``) is lost when the page opens the document: it is put back
      beside the page's own ``<doc>::doc`` label.

    Parameters
    ----------
    tex : str
        The LaTeX source Sphinx wrote.

    Returns
    -------
    str
    """
    numbers = dict(_EXERCISE.findall(tex))
    tex = _EXERCISE_REF.sub(lambda m: (f"\\hyperref[exercise:{m[2]}]{{{numbers[m[2]]}}}" if m[2] in numbers
                                       else m[0]), tex)
    defined = set(_LABEL.findall(tex))
    for doc, label in sorted(set(_HYPERREF.findall(tex))):
        anchor = f"\\label{{\\detokenize{{{doc}::doc}}}}"
        if f"{doc}:{label}" not in defined and anchor in tex:
            tex = tex.replace(anchor, anchor + f"\\label{{\\detokenize{{{doc}:{label}}}}}", 1)
            defined.add(f"{doc}:{label}")
    return tex


def _fix_latex(app, exception):
    if exception is not None or app.builder.format != "latex":
        return
    for path in Path(app.outdir).glob("*.tex"):
        path.write_text(fix_latex_references(path.read_text(encoding="utf-8")), encoding="utf-8")


def setup(app):
    app.add_config_value("book_edition", "student", "env")
    app.connect("config-inited", _configure, priority=100)
    app.connect("doctree-read", _apply_edition)
    app.connect("build-finished", _strip_sources, priority=400)
    app.connect("build-finished", _fix_latex)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
