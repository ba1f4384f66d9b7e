"""The general index (``genindex``) as the last entry of the book's navigation.

Listed in ``_config.yml`` under ``sphinx.local_extensions``. ``_toc.yml`` can list only pages and absolute URLs, so
the index, a page Sphinx generates, is appended here to the last toctree of the root document (the back matter),
after sphinx-external-toc inserted them and before Sphinx collects the toctrees. Sphinx (>= 5.2) resolves the
entry ``("Index", "genindex")`` to the generated page, in the sidebar and in every toctree; the LaTeX builder
ignores it and prints its own index.
"""
from __future__ import annotations

from sphinx import addnodes
from sphinx.transforms import SphinxTransform

__all__ = ["INDEX_TITLE", "AppendIndex", "append_index", "setup"]

INDEX_TITLE = "Index"


def append_index(doctree, title: str = INDEX_TITLE) -> bool:
    """Append ``(title, "genindex")`` to the last toctree of ``doctree``; ``False`` if it has no toctree.

    Parameters
    ----------
    doctree : docutils.nodes.document
        The root document, its toctrees inserted.
    title : str
        The entry's text in the navigation.

    Returns
    -------
    bool
        Whether an entry was added (it is added once).
    """
    toctrees = list(doctree.findall(addnodes.toctree))
    if not toctrees:
        return False
    entries = toctrees[-1]["entries"]
    if (title, "genindex") not in entries:
        entries.append((title, "genindex"))
    return True


class AppendIndex(SphinxTransform):
    """Runs after sphinx-external-toc's ``InsertToctrees`` (priority 100), on the root document only."""

    default_priority = 101

    def apply(self, **kwargs) -> None:
        if self.env.docname == self.config.root_doc:
            append_index(self.document)  # a book of one page has no toctree and no navigation to extend


def setup(app):
    """Register the transform.

    Parameters
    ----------
    app : sphinx.application.Sphinx

    Returns
    -------
    dict
        Extension metadata.
    """
    app.add_transform(AppendIndex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
