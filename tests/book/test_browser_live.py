"""Live explorers in a real browser with every host but 127.0.0.1 unresolvable: the book's own lib runs in the page.

For one explorer of the primer, of Part I and of Part II: switch it to live, set a slider to a value that is not on
the precomputed grid, and check that the figure draws exactly what native ``lib`` computes at that value (same
seed), that ``data-live`` reached ``ready``, and that no request left 127.0.0.1. A page that is only read (sliders
moved, no live switch) fetches none of the live files. When live mode fails (live files missing, no WebAssembly or
no workers, the worker stops, a compute raises: injected by page-level hooks) the explorer shows its precomputed
states again, with ``data-live="error"`` and the reason in its status line.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from lib.explore.browser import locate
from urllib.parse import urlparse

from tests.book.test_browser import CHROMIUM, FLAGS, site  # noqa: F401  (fixture)

pytestmark = [pytest.mark.build, pytest.mark.browser]

#: Chromium resolves no host but 127.0.0.1, on top of the request router of live_context.
OFFLINE_FLAGS = [*FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
#: (explorer, slider to move, slider position out of 1000): one per part; each lands off the precomputed grid.
CASES = [("primer-gaussian-kl", "mu", 637), ("bits-communication", "eps", 411), ("kv-block-markov", "beta", 283)]
COLD_START_S = 240


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium not found: install it with `sudo apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_FLAGS)
        yield b
        b.close()


def page_of(html_dir, name: str) -> str:
    for page in sorted(html_dir.rglob("*.html")):
        if f'data-explorer="{name}"' in page.read_text(errors="replace"):
            return str(page.relative_to(html_dir))
    raise AssertionError(f"no built page holds the explorer {name}")


def spec_of(page, root) -> dict:
    return json.loads(root.locator("script.book-explorer-spec").text_content())


def drawn(page, root) -> list:
    """What the figure of ``root`` draws now: per trace x, y (and z, error bars), as Plotly holds them."""
    return page.evaluate("(el) => el.data.map(t => ({x: t.x, y: t.y, z: t.z || null, "
                         "e: t.error_y ? t.error_y.array : null}))",
                         root.locator(".book-explorer-plot").element_handle())


def as_array(values):
    return np.array([np.nan if v is None else v for v in np.ravel(np.asarray(values, dtype=object))], dtype=float)


def assert_equal_to_native(page, root):
    spec = spec_of(page, root)
    values = json.loads(root.get_attribute("data-live-values"))
    seed = root.get_attribute("data-live-seed")
    view = locate(spec["source"]).view(seed=None if seed is None else int(seed), **values)
    shown = drawn(page, root)
    assert len(shown) == len(view.traces)
    for trace, got in zip(view.traces, shown):
        pairs = [(trace.x, got["x"]), (trace.y, got["y"])]
        if trace.kind == "heatmap":
            pairs.append((trace.z, got["z"]))
        if trace.error is not None:
            pairs.append((trace.error, got["e"]))
        for want, have in pairs:
            np.testing.assert_allclose(as_array(have), np.ravel(np.asarray(want, dtype=float)), rtol=1e-9,
                                       atol=1e-12, equal_nan=True, err_msg=f"{spec['name']}: trace {trace.name}")
    return spec, values


def go_live(page, root):
    root.locator("button.book-explorer-live").click()
    page.wait_for_function("(el) => el.dataset.live === 'ready' || el.dataset.live === 'error'",
                           arg=root.element_handle(), timeout=COLD_START_S * 1000)
    assert root.get_attribute("data-live") == "ready", root.locator(".book-explorer-status").inner_text()
    page.wait_for_function("(el) => el.dataset.liveCount", arg=root.element_handle(), timeout=60_000)


def move(page, root, param, position):
    count = int(root.get_attribute("data-live-count"))
    root.locator(f'input[data-param="{param}"]').fill(str(position))
    page.wait_for_function(f"(el) => parseInt(el.dataset.liveCount) > {count}", arg=root.element_handle(),
                           timeout=60_000)
    return param


@pytest.fixture(scope="module")
def live_context(browser, site):
    """One context for every live case (the first start is cold, later pages reuse the HTTP cache); every
    request that leaves 127.0.0.1 is blocked and recorded in ``context.outside``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    context.outside = []

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", None):
            r.continue_()
        else:
            context.outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield context
    context.close()


def open_explorer(context, site, html_dir, name, init: str | None = None):
    """A new page (in the shared context) on the built page holding explorer ``name``, mounted and in view:
    (page, the explorer's root, the page's script errors). ``init``: a script run before the page's own."""
    page = context.new_page()
    if init:
        page.add_init_script(init)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site}/{page_of(html_dir, name)}", wait_until="load")
    root = page.locator(f'div.book-explorer[data-explorer="{name}"]')
    root.scroll_into_view_if_needed()
    page.wait_for_selector(f'div.book-explorer[data-explorer="{name}"][data-mounted]', timeout=20_000)
    return page, root, errors


@pytest.mark.parametrize("name,param,position", CASES)
def test_live_explorer_draws_native_lib_off_the_grid(live_context, site, built_book, name, param, position):
    page, root, errors = open_explorer(live_context, site, built_book.html, name)
    outside = live_context.outside
    try:
        assert root.get_attribute("data-live") == "off"
        go_live(page, root)
        assert_equal_to_native(page, root)
        moved = move(page, root, param, position)
        spec, values = assert_equal_to_native(page, root)
        grid = next(p["values"] for p in spec["params"] if p["name"] == moved)
        assert not any(np.isclose(values[moved], g, rtol=1e-9) for g in grid), \
            f"{name}: {moved} = {values[moved]} is on the precomputed grid {grid}; choose another position"
        assert root.get_attribute("data-live") == "ready"
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not [e for e in errors if "THEBE_JS_URL" not in e and "Queue" not in e], errors
    finally:
        page.close()


def test_rerun_draws_a_new_seed_as_native_lib(live_context, site, built_book):
    name = "primer-cramer-rao"
    page, root, _ = open_explorer(live_context, site, built_book.html, name)
    outside = live_context.outside
    try:
        go_live(page, root)
        first = drawn(page, root)
        count = int(root.get_attribute("data-live-count"))
        root.locator("button.book-explorer-rerun").click()
        page.wait_for_function(f"(el) => parseInt(el.dataset.liveCount) > {count}", arg=root.element_handle(),
                               timeout=120_000)
        assert root.get_attribute("data-live-seed") not in (None, "0")
        assert drawn(page, root) != first, "a new seed drew the same Monte Carlo points"
        assert_equal_to_native(page, root)
        assert not outside, outside
    finally:
        page.close()


def test_a_page_only_read_fetches_no_live_files(browser, site, built_book):
    rel = page_of(built_book.html, CASES[0][0])
    context = browser.new_context(service_workers="block")
    fetched = []
    context.on("request", lambda r: fetched.append(r.url))
    page = context.new_page()
    try:
        page.goto(f"{site}/{rel}", wait_until="load")
        page.wait_for_selector("div.book-explorer[data-mounted]", timeout=20_000)
        slider = page.locator("div.book-explorer input[type=range]").first
        slider.focus()
        slider.press("End")
        page.wait_for_timeout(500)
        live = [u for u in fetched if re.search(r"/live/|pyodide|\.whl", u)]
        assert not live, f"a page that is only read fetched live files: {live}"
        assert page.locator("div.book-explorer[data-live=off]").count() >= 1
    finally:
        context.close()

def assert_precomputed_state_drawn(page, root):
    """The explorer shows one of its precomputed states again: sliders on the grid, the figure that state's."""
    spec = spec_of(page, root)
    state = root.get_attribute("data-state")
    assert state not in (None, "live"), f"{spec['name']} still shows a live state"
    for p, slider in zip(spec["params"], root.locator("input[type=range]").all()):
        assert slider.get_attribute("max") == str(len(p["values"]) - 1) and slider.get_attribute("data-live") is None
    want = spec["states"][int(state)]["traces"]
    shown = drawn(page, root)
    assert len(shown) == len(want)
    for w, got in zip(want, shown):
        for key in ("x", "y"):
            if isinstance(w.get(key), list) and w[key] and not isinstance(w[key][0], str):
                np.testing.assert_allclose(as_array(got[key]), as_array(w[key]), equal_nan=True)
    slider = root.locator("input[type=range]").first
    slider.focus()
    slider.press("End" if slider.get_attribute("value") != slider.get_attribute("max") else "Home")
    assert root.get_attribute("data-state") not in (state, "live"), "the precomputed states stopped working"


#: Page-level hooks (run before the page's scripts): keep the page's worker, and corrupt compute requests on demand.
WORKER_HOOK = """
(() => {
  const Real = window.Worker;
  window.Worker = function (url, options) { const w = new Real(url, options); window.__bookWorker = w; return w; };
  const post = Real.prototype.postMessage;
  Real.prototype.postMessage = function (msg, ...rest) {
    if (window.__breakCompute && msg && msg.type === "compute") {
      const req = JSON.parse(msg.request);
      for (const k of Object.keys(req.values)) req.values[k] = "not a number";
      msg = Object.assign({}, msg, {request: JSON.stringify(req)});
    }
    return post.call(this, msg, ...rest);
  };
})();
"""


@pytest.mark.parametrize("failure", ["worker stops", "compute raises"])
def test_live_failure_returns_to_the_precomputed_states_and_says_why(live_context, site, built_book, failure):
    name, param, position = CASES[0]
    page, root, _ = open_explorer(live_context, site, built_book.html, name, init=WORKER_HOOK)
    try:
        go_live(page, root)
        if failure == "worker stops":
            page.evaluate("window.__bookWorker.dispatchEvent(new ErrorEvent('error', {message: 'simulated crash'}))")
        else:
            page.evaluate("window.__breakCompute = true")
            root.locator(f'input[data-param="{param}"]').fill(str(position))
        page.wait_for_function("(el) => el.dataset.live === 'error'", arg=root.element_handle(), timeout=60_000)
        status = root.locator(".book-explorer-status").inner_text()
        expected = "simulated crash" if failure == "worker stops" else "raised"
        assert "unavailable" in status and expected in status, status
        assert expected in root.get_attribute("data-live-reason")
        assert_precomputed_state_drawn(page, root)
    finally:
        page.close()


@pytest.mark.parametrize("missing,reason", [("live files", "could not start"),
                                            ("WebAssembly", "no WebAssembly"), ("Worker", "no web workers")])
def test_live_unavailable_keeps_the_precomputed_states_and_says_why(browser, site, built_book, missing, reason):
    name = CASES[0][0]
    context = browser.new_context(service_workers="block")
    if missing == "live files":
        context.route("**/live/**", lambda r: r.abort())
    else:
        context.add_init_script(f"delete window.{missing};")
    fetched = []
    context.on("request", lambda r: fetched.append(r.url))
    page = context.new_page()
    try:
        page.goto(f"{site}/{page_of(built_book.html, name)}", wait_until="load")
        root = page.locator(f'div.book-explorer[data-explorer="{name}"]')
        page.wait_for_selector(f'div.book-explorer[data-explorer="{name}"][data-mounted]', timeout=20_000)
        root.locator("button.book-explorer-live").click()
        page.wait_for_function("(el) => el.dataset.live === 'error'", arg=root.element_handle(), timeout=60_000)
        status = root.locator(".book-explorer-status").inner_text()
        assert "unavailable" in status and reason in status, status
        assert_precomputed_state_drawn(page, root)
        if missing != "live files":
            assert not [u for u in fetched if "/live/" in u], "live files were fetched although they cannot run"
    finally:
        context.close()
