"""Execute one or more book pages the way the build does, without Sphinx: ``make page PAGE=book/x.md``.

Faster than a full build while writing a chapter. Explorers render their static form, as in the book.
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from lib.explore import MODE_VARIABLE  # noqa: E402


def execute_page(page: Path, timeout: int = 600):
    """Execute ``page`` (a MyST notebook) in a fresh kernel; return the executed notebook."""
    os.environ[MODE_VARIABLE] = "static"
    nb = jupytext.read(page)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(page.parent)}}).execute()
    return nb


def glue_problems(nb) -> list[str]:
    """Glued values whose text form Sphinx cannot format as a number (e.g. ``np.float64(0.5)``): pass float()."""
    problems = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            key = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get("application/papermill.record/text/plain", "")
            if key and text.startswith("np."):
                problems.append(f"glue key `{key}` holds {text}: glue float(...)/int(...) instead")
    return problems


def unglued(nb, text: str) -> list[str]:
    """Names the prose cites (``{glue:text}`name:fmt```, ``{glue}`name```) that no cell of the page glued."""
    glued = {out.get("metadata", {}).get("scrapbook", {}).get("name") for cell in nb.cells
             for out in cell.get("outputs", [])}
    cited = set(re.findall(r"\{glue(?::\w+)?\}`([^`:]+)", text))
    return [f"the prose cites `{name}`, which no cell glues" for name in sorted(cited - glued)]


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: make page PAGE=book/primer/entropy-kl.md", file=sys.stderr)
        return 2
    failed = 0
    for name in argv:
        page = Path(name)
        if not page.exists():
            print(f"{page}: no such page", file=sys.stderr)
            failed += 1
            continue
        start = time.perf_counter()
        try:
            nb = execute_page(page)
        except CellExecutionError as err:
            print(f"FAILED {page}\n{err}", file=sys.stderr)
            failed += 1
            continue
        problems = glue_problems(nb) + unglued(nb, page.read_text())
        if problems:
            print(f"FAILED {page}\n" + "\n".join(problems), file=sys.stderr)
            failed += 1
            continue
        print(f"ok {page} ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
