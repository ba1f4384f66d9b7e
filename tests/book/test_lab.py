"""A reader's session in `make lab`, headless: open a page of each part as a notebook, Run All, move a slider.

The test starts JupyterLab on 127.0.0.1 with the settings `make install` puts into .venv (pages open as
notebooks, no news, the book's contents manager) on a copy of book/, drives Debian's Chromium with every request
that leaves 127.0.0.1 blocked, and stops the server at the end. It checks that the page opens as a notebook,
that its cells run, that a slider changes the figure's data while the y axis stays put, that no raw directive,
role, label line or undefined macro is visible, that glued numbers show, and that after a save the file on disk
is byte-identical. Skipped without Chromium, except where BOOK_REQUIRE_BROWSER is set (CI).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.book.test_browser import browser, open_offline  # noqa: F401  (browser: the Chromium fixture)
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

#: One page of each part: the primer, Part I (its drift-tracking explorer re-runs a simulation), Part II.
PAGES = ["primer/entropy-kl.md", "bits/correlated-drifting.md", "kv/window-theorem.md"]
VENV = Path(sys.executable).parents[1]
SETTINGS = {ROOT / "lab" / "overrides.json": VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json",
            ROOT / "lab" / "jupyter_server_config.json": VENV / "etc" / "jupyter" / "jupyter_server_config.json"}
#: Text that must never show in the rendered notebook: raw directives, roles, label lines, the glue fallback.
RAW = [r"```\{", r":label:", r"\{prf:", r"\{glue:", r"\{ref\}", r"\{eq\}", r"\{cite", r"\{numref\}",
       r"(?m)^\([a-z0-9-]+\)=$", r"__import__", r"run the cells above", r"\{bdg-", r"\{eval\}"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` runs it, on a copy of book/, in a private Jupyter home; stopped afterwards."""
    stale = [str(dst) for src, dst in SETTINGS.items() if not dst.exists() or dst.read_bytes() != src.read_bytes()]
    assert not stale, f"JupyterLab settings not installed in .venv: {stale}. Run `make install`."
    tmp = tmp_path_factory.mktemp("lab")
    book = tmp / "book"
    shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    home = tmp / "home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "run"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython")}
    env.pop("BOOK_EXPLORER_MODE", None)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(VENV / "bin" / "jupyter"), "lab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
           f"--ServerApp.root_dir={book}", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        yield {"base": base, "token": token, "book": book, "log": tmp / "lab.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


#: The data (x, y, z of every trace) and the y range of the figure an explorer shows now; the live explorer
#: replaces its Plotly element on every move, so it is looked up again each time.
FIGURE_STATE = ("(box) => { const el = box.querySelector('.js-plotly-plot');"
                " return el && el.data ? [JSON.stringify(el.data.map(t => [t.x, t.y, t.z])),"
                " JSON.stringify(el.layout.yaxis.range)] : null; }")


#: True once every code cell of the visible notebook shows an execution count (none pending, none unrun).
ALL_RUN = ("() => { const p = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell"
           " .jp-InputPrompt')].map(e => e.innerText.trim()); return p.length > 0 && p.every(t => /\\[\\d+\\]/.test(t)); }")
STARTED = ("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]"
           ".some(e => /\\[(\\*|\\d+)\\]/.test(e.innerText))")


def run_all(page, timeout=600_000):
    """*Kernel → Restart Kernel and Run All Cells…* from the main menu, confirmed; wait until all cells ran.

    The menu rather than the notebook's toolbar button: at 1200 px with the file browser open, JupyterLab folds
    the toolbar's last buttons into an overflow menu, where the button exists but is hidden.
    """
    for _ in range(3):
        page.locator("#jp-MainMenu .lm-MenuBar-item").filter(has_text="Kernel").click()
        page.locator(".lm-Menu:visible .lm-Menu-item").filter(has_text="Restart Kernel and Run All Cells").click()
        page.locator(".jp-Dialog .jp-mod-accept").click()
        try:
            page.wait_for_function(STARTED, timeout=90_000)
            break
        except Exception:  # the kernel was still starting: ask again
            pass
    page.wait_for_function(ALL_RUN, timeout=timeout)


@pytest.mark.parametrize("rel", PAGES)
def test_page_opens_runs_and_slides_as_a_notebook(browser, lab, rel):
    page_file = lab["book"] / rel
    before_bytes = page_file.read_bytes()
    context, page, outside, _ = open_offline(browser, f"{lab['base']}/lab/tree/{rel}?token={lab['token']}")
    try:
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        assert page.locator(".jp-FileEditor").count() == 0, f"{rel} opened as a text file, not a notebook"
        run_all(page)
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first
        assert not notebook.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                                    ).filter(has_text="Traceback").count(), f"{rel}: a cell failed"
        explorer = notebook.locator(".widget-vbox").filter(has=page.locator(".js-plotly-plot")).first
        explorer.scroll_into_view_if_needed()
        handle = explorer.element_handle()
        page.wait_for_function(FIGURE_STATE, arg=handle, timeout=60_000)
        data0, range0 = handle.evaluate(FIGURE_STATE)
        slider = explorer.locator(".widget-slider .noUi-target, .widget-slider .slider").first
        slider.scroll_into_view_if_needed()  # the explorer (caption and Try-this box under it) outgrows the window
        box = slider.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        page.wait_for_function(f"([box, d]) => {{ const s = ({FIGURE_STATE})(box); return s && s[0] !== d; }}",
                               arg=[handle, data0], timeout=120_000)
        data1, range1 = handle.evaluate(FIGURE_STATE)
        assert data1 != data0, f"{rel}: the slider moved but the figure's data stayed put"
        assert range1 == range0 and json.loads(range1), f"{rel}: the y axis rescaled ({range0} -> {range1})"

        notebook.evaluate("el => el.querySelectorAll('details').forEach(d => d.open = true)")
        text = notebook.inner_text()
        shown = [m.group(0) for raw in RAW for m in [re.search(raw, text)] if m]
        assert not shown, f"{rel} shows raw markup: {shown}"
        assert notebook.locator(".katex-error, mjx-merror, .text-red-500").count() == 0, \
            f"{rel}: a formula or macro renders as an error"
        assert notebook.locator(".katex, mjx-container").count() > 5, f"{rel}: no rendered mathematics"

        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.jp-mod-current .jp-mod-dirty')", timeout=30_000)
        page.wait_for_timeout(1000)
        assert page_file.read_bytes() == before_bytes, f"opening, running and saving {rel} changed the file"
        assert not outside, f"JupyterLab tried to reach outside 127.0.0.1: {outside}"
    except Exception:
        page.screenshot(path=str(lab["book"].parent / f"failure-{rel.replace('/', '-')}.png"))
        raise
    finally:
        context.close()


def test_server_log_is_quiet(lab):
    """No trust warning and no unencrypted-TCP kernel warning greet the reader."""
    log = lab["log"].read_text()
    assert "Kernel started" in log, "no kernel ran: run the notebook tests of this module first"
    for noisy in ("is not trusted", "without encryption"):
        assert noisy not in log, f"`make lab` logs '{noisy}':\n{log[-2000:]}"
