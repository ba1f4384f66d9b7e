"""Sphinx extension that makes the book build offline, honest and cache-correct.

Listed in ``_config.yml`` under ``sphinx.local_extensions`` (this folder, ``_ext/``, is outside the library). It

1. tells the kernels that execute the pages that they run inside the book build
   (``BOOK_EXPLORER_MODE=static``, inherited by every kernel the build starts), so explorers render their
   precomputed static form;
2. keys the execution cache on the library and the stored data too: a page whose cells did not change but whose
   ``lib/`` or ``book/data/`` did is executed again (jupyter-cache alone hashes only the cells);
3. vendors the explorer's JavaScript from installed packages: ``plotly.min.js`` from the plotly wheel and
   ``book-explorer.js``/``.css`` from ``lib/explore/assets`` (MathJax comes from ``sphinx-mathjax-offline``);
4. before executing anything, checks that the kernel's Python can import ``lib`` (else the build stops with the
   fix, instead of every page failing with ``ModuleNotFoundError``);
5. offers every executed page as a notebook download (``.ipynb``, beside the ``.md`` source in the download
   menu): the notebook myst-nb executed is copied into ``_sources/``;
6. stages the browser runtime of the live explorers (``browser_runtime.py``: Pyodide, numpy, scipy, the lib
   wheel and ``lib/explore/worker.js``, each verified) under ``live/`` of the site through ``html_extra_path``
   (not ``_static``: Jupyter Book would load every script there on every page); no page fetches it until a
   reader switches an explorer to live. ``BOOK_LIVE=0`` (or the Sphinx setting ``book_live: false``) skips it
   (explorers then say live mode is unavailable);
7. after the build, scans every HTML page and warns (so ``-W`` fails the build) about any script, stylesheet,
   image or frame loaded from outside the site, and about any static ipywidgets embed, whose sliders would move
   without changing their figure;
8. makes every explorer a numbered figure with its caption and its "Try this" box (``explorer_figures.py``).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

import browser_runtime
import explorer_figures
from lib.explore.explorer import MODE_VARIABLE

__all__ = ["setup", "source_fingerprint", "external_resources"]

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "lib" / "explore" / "assets"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def source_fingerprint(*roots: Path) -> str:
    """A short hash of every file under ``roots`` (names and bytes), skipping caches."""
    digest = hashlib.sha256()
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class _ResourceParser(HTMLParser):
    """Collects the addresses a page *loads* (script, stylesheet, image, frame), not the links it shows."""

    LOADED = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("embed", "src"),
              ("link", "href")}

    def __init__(self):
        super().__init__()
        self.loaded: list[str] = []
        self.widget_state = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" not in (attrs.get("rel") or "") and "preload" not in (attrs.get("rel") or ""):
            return
        for t, attr in self.LOADED:
            if tag == t and attrs.get(attr):
                self.loaded.append(attrs[attr])
        if tag == "script" and attrs.get("type") == WIDGET_STATE:
            self.widget_state = True


def external_resources(html: str) -> tuple[list[str], bool]:
    """Addresses outside the site that ``html`` loads, and whether it embeds static ipywidgets state."""
    parser = _ResourceParser()
    parser.feed(html)
    external = [u for u in parser.loaded if re.match(r"^(https?:)?//", u.strip(), re.I)]
    return external, parser.widget_state


def _key_execution_cache(app, config):
    if config.nb_execution_mode != "cache":
        return
    root = Path(app.srcdir)
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    if re.fullmatch(r"[0-9a-f]{12}", base.name):
        base = base.parent
    key = source_fingerprint(root / "lib", root / "book" / "data")
    for stale in base.glob("*"):
        if stale.is_dir() and re.fullmatch(r"[0-9a-f]{12}", stale.name) and stale.name != key:
            shutil.rmtree(stale, ignore_errors=True)
    config.nb_execution_cache_path = str(base / key)


def _vendor_assets(app, config):
    import plotly

    vendor = Path(app.outdir).parent / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not plotly_js.exists():
        raise RuntimeError(f"plotly.min.js not found at {plotly_js}: reinstall plotly (`make install`).")
    for src in [plotly_js, *ASSETS.glob("*")]:
        shutil.copy2(src, vendor / src.name)
    config.html_static_path = [*config.html_static_path, str(vendor)]


def _stage_live_runtime(app, config):
    if not config.book_live or os.environ.get("BOOK_LIVE", "1") == "0":
        return
    site = browser_runtime.stage(Path(app.outdir).parent, ROOT / "lib" / "explore" / "worker.js")
    config.html_extra_path = [*config.html_extra_path, str(site)]


def _check_kernel_imports_lib(app, config):
    if config.nb_execution_mode == "off":
        return
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        python = KernelSpecManager().get_kernel_spec("python3").argv[0]
    except NoSuchKernel:
        raise ExtensionError("No `python3` Jupyter kernel is installed: run `make install` (it installs ipykernel "
                             "into .venv).") from None
    if python in ("python", "python3"):  # jupyter_client runs the native kernel with the build's own Python
        python = sys.executable
    probe = subprocess.run([python, "-c", "import lib.explore"], capture_output=True, text=True,
                           cwd=Path(app.srcdir) / "book")
    if probe.returncode != 0:
        raise ExtensionError(
            f"The pages' kernel ({python}) cannot import the book's library `lib`:\n{probe.stderr.strip()[-400:]}\n"
            "Fix: build with `make book` (it installs lib into .venv with `pip install -e .`), or run "
            "`pip install -e .` in the environment of that kernel.")


def _offer_executed_notebook(app, pagename, templatename, context, doctree):
    """Put the executed notebook of ``pagename`` in ``_sources/`` and list it in the page's download menu."""
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _check_offline(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in sorted(Path(app.outdir).rglob("*.html")):
        external, widget_state = external_resources(page.read_text(encoding="utf-8", errors="replace"))
        rel = page.relative_to(app.outdir)
        for url in external:
            logger.warning(f"{rel} loads {url} from outside the site; vendor it (the book must render offline).",
                           type="book", subtype="offline")
        if widget_state:
            logger.warning(f"{rel} embeds a static ipywidgets state: its sliders would not change the figure. "
                           "Show interactive figures with lib.explore.Explorer.", type="book", subtype="widget")


def setup(app):
    os.environ[MODE_VARIABLE] = "static"
    app.add_config_value("book_live", True, "env")  # False: no live/ files (e.g. a throw-away test book)
    app.connect("config-inited", _key_execution_cache)
    app.connect("config-inited", _vendor_assets)
    app.connect("config-inited", _stage_live_runtime)
    app.connect("config-inited", _check_kernel_imports_lib)
    app.add_js_file("plotly.min.js")
    app.add_js_file("book-explorer.js")
    app.add_css_file("book-explorer.css")
    app.connect("html-page-context", _offer_executed_notebook, priority=500)
    app.connect("build-finished", _check_offline)
    explorer_figures.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
