"""The Jupyter server side of ``make lab``: jupytext's contents manager plus the book's live rendering.

Set in ``lab/jupyter_server_config.json``. A book page opens with :func:`~lib.notebook.pages.to_live` applied and
its cells trusted (the project's own files: no "not trusted" warning), and is saved through
:func:`~lib.notebook.pages.from_live`, so the file on disk keeps its bytes.
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from jupytext import AsyncTextFileContentsManager

from .pages import ROOT, from_live, to_live

__all__ = ["BookContentsManager", "KERNEL_METADATA", "lab_roundtrip", "normalize"]

#: What a running kernel writes into a notebook's metadata (JupyterLab 4.6, ipykernel 7, Python 3.11).
KERNEL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "pygments_lexer": "ipython3", "file_extension": ".py",
                      "mimetype": "text/x-python", "nbconvert_exporter": "python",
                      "codemirror_mode": {"name": "ipython", "version": 3}, "version": "3.11"},
}


class BookContentsManager(AsyncTextFileContentsManager):
    """Jupytext's contents manager, plus the book's live rendering of its pages (see the module docstring)."""

    def _is_page(self, path: str) -> bool:
        return path.endswith(".md") and not Path(path).name.startswith("README")

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model.get("type") == "notebook" and self._is_page(path):
            to_live(model["content"])
            for cell in model["content"].cells:
                cell.metadata["trusted"] = True
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and self._is_page(path):
            import nbformat

            nb = nbformat.from_dict(model["content"])
            model = {**model, "content": from_live(nb)}
        return await super().save(model, path)

    def mark_trusted_cells(self, nb, path=""):
        if not self._is_page(path):
            super().mark_trusted_cells(nb, path)

    def check_and_sign(self, nb, path=""):
        if not self._is_page(path):
            super().check_and_sign(nb, path)


async def _open_run_save(manager, path: str) -> None:
    model = await manager.get(path)
    model["content"].metadata.update(KERNEL_METADATA)
    await manager.save({"type": "notebook", "format": "json", "content": model["content"]}, path)


def lab_roundtrip(text: str) -> str:
    """``text`` (a page) as ``make lab`` saves it after a reader opened it and ran it in a kernel."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(ROOT / "book" / "jupytext.toml", tmp)
        page = Path(tmp) / "page.md"
        page.write_text(text)
        asyncio.run(_open_run_save(BookContentsManager(root_dir=tmp), page.name))
        return page.read_text()


def normalize(pages: list[Path]) -> list[Path]:
    """Rewrite ``pages`` in the form ``make lab`` saves them; return the pages that changed."""
    changed = []
    for page in pages:
        text = page.read_text()
        new = lab_roundtrip(text)
        if new != text:
            page.write_text(new)
            changed.append(page)
    return changed
