"""Glued numbers in a reader's kernel: what ``{glue:text}`` shows in the built book, shown in the notebook.

:func:`capture_glue` (run when ``lib`` is imported in a live kernel) records the text of every value a page
glues; the notebook's inline expressions (see :func:`lib.notebook.pages.to_live`) call :func:`glued`.
"""
from __future__ import annotations

import sys

__all__ = ["GLUED", "capture_glue", "glued"]

#: The plain-text form of every value glued in this kernel, by name (filled by :func:`capture_glue`).
GLUED: dict[str, str] = {}


def glued(name: str, fmt: str = "") -> str:
    """The value a page glued under ``name`` in this kernel, formatted like ``{glue:text}`name:fmt``."""
    if name not in GLUED:
        return f"[{name}: run the cells above]"
    text = GLUED[name]
    if not fmt:
        return text
    try:
        return format(float(text), fmt)
    except ValueError:
        return text


def capture_glue() -> None:
    """In a reader's kernel, record what ``myst_nb.glue`` displays, so that :func:`glued` can show it.

    Called when ``lib`` is imported; does nothing outside an IPython kernel or while the book is built.
    """
    from ..explore.explorer import mode

    if mode() != "live" or "ipykernel" not in sys.modules:
        return
    import myst_nb.ext.glue as glue_module

    display = glue_module.ipy_display
    if getattr(display, "book_capture", False):
        return

    def recording_display(bundle, *args, metadata=None, **kwargs):
        name = (metadata or {}).get("scrapbook", {}).get("name")
        text = [v for k, v in bundle.items() if k.endswith("text/plain")]
        if name and text:
            GLUED[name] = str(text[0]).strip("'\"")
        return display(bundle, *args, metadata=metadata, **kwargs)

    recording_display.book_capture = True
    glue_module.ipy_display = recording_display
