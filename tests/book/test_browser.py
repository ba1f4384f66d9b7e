"""A real browser, with the network off, opens a built page, moves a slider and sees the figure change.

Needs Debian's Chromium (``apt-get install chromium``); ``.ci/run`` installs it and sets BOOK_REQUIRE_BROWSER=1 so
that CI never skips this test.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import threading
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.build, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        message = "Chromium not found: install it with `sudo apt-get install chromium` (Debian) to run this test."
        if os.environ.get("BOOK_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book.returncode == 0, "the book did not build"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_book.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def explorer_pages(html_dir):
    """Built pages that hold an explorer, the one with the most sliders first."""
    found = []
    for page in html_dir.rglob("*.html"):
        text = page.read_text(errors="replace")
        for payload in re.findall(r'class="book-explorer-spec">(.*?)</script>', text, flags=re.S):
            found.append((payload.count('"label"'), str(page.relative_to(html_dir))))
    return [p for _, p in sorted(found, reverse=True)]


def open_offline(browser, url):
    """A page in a fresh context where every request that leaves 127.0.0.1 is blocked and recorded."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    outside = []

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", None):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return context, page, outside, errors


def figure_data(page, plot) -> str:
    """A hash of the data the Plotly figure currently draws."""
    data = page.evaluate("(el) => JSON.stringify(el.data.map(t => [t.x, t.y, t.z]))", plot.element_handle())
    return hashlib.sha256(data.encode()).hexdigest()


def figure_fingerprint(page, plot):
    """The figure's data hash and a hash of its picture on screen."""
    return figure_data(page, plot), hashlib.sha256(plot.screenshot()).hexdigest()


def test_slider_moves_figure_offline(browser, site, built_book):
    pages = explorer_pages(built_book.html)
    assert pages, "no page with an explorer in the built book"
    context, page, outside, errors = open_offline(browser, f"{site}/{pages[0]}")
    try:
        root = page.locator("div.book-explorer").first
        root.scroll_into_view_if_needed()
        page.wait_for_selector("div.book-explorer[data-mounted]", timeout=20_000)
        plot = root.locator(".book-explorer-plot")
        sliders = root.locator("input[type=range]")
        assert sliders.count() >= 1
        before = figure_fingerprint(page, plot)
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            box = slider.bounding_box()
            start = root.get_attribute("data-state")
            page.mouse.click(box["x"] + box["width"] * 0.97, box["y"] + box["height"] / 2)
            if root.get_attribute("data-state") == start:  # the default was already at the right end
                page.mouse.click(box["x"] + box["width"] * 0.03, box["y"] + box["height"] / 2)
            assert root.get_attribute("data-state") != start, f"slider {i} did not change the state"
            page.wait_for_timeout(300)
            after = figure_fingerprint(page, plot)
            assert after[0] != before[0], f"slider {i} moved but the figure's data stayed put"
            assert after[1] != before[1], f"slider {i} moved but the picture stayed put"
            before = after
        assert not outside, f"the page tried to reach outside the site: {outside}"
        assert not [e for e in errors if "THEBE_JS_URL" not in e and "Queue" not in e], errors
    finally:
        context.close()


def test_math_renders_offline(browser, site, built_book):
    candidates = [p for p in built_book.html.rglob("*.html") if "\\(" in p.read_text(errors="replace")
                  or "\\[" in p.read_text(errors="replace")]
    assert candidates, "no page with mathematics"
    target = sorted(candidates)[0].relative_to(built_book.html)
    context, page, outside, _ = open_offline(browser, f"{site}/{target}")
    try:
        page.wait_for_selector("mjx-container", timeout=30_000)
        assert page.locator("mjx-container").count() > 0
        assert not outside, outside
    finally:
        context.close()


def test_every_slider_of_every_explorer_changes_its_figure(browser, site, built_book):
    """No slider in the book moves while its figure and note stay put."""
    still = []
    for rel in sorted(set(explorer_pages(built_book.html))):
        context, page, outside, _ = open_offline(browser, f"{site}/{rel}")
        try:
            page.wait_for_selector("div.book-explorer[data-mounted]", timeout=20_000)
            roots = page.locator("div.book-explorer")
            for e in range(roots.count()):
                root = roots.nth(e)
                plot = root.locator(".book-explorer-plot")
                sliders = root.locator("input[type=range]")
                for i in range(sliders.count()):
                    before = (figure_data(page, plot), root.locator(".book-explorer-note").inner_text())
                    slider = sliders.nth(i)
                    slider.focus()
                    key = "Home" if slider.input_value() == slider.get_attribute("max") else "End"
                    slider.press(key)
                    after = (figure_data(page, plot), root.locator(".book-explorer-note").inner_text())
                    if after == before:
                        still.append(f"{rel} explorer {root.get_attribute('data-explorer')} slider {i}")
                buttons = root.locator("div.book-explorer-buttons button[aria-pressed=false]")
                for i in range(buttons.count()):
                    before = (figure_data(page, plot), root.locator(".book-explorer-note").inner_text())
                    buttons.nth(0).click()  # the pressed one leaves this list: the next unpressed is first
                    after = (figure_data(page, plot), root.locator(".book-explorer-note").inner_text())
                    if after == before:
                        still.append(f"{rel} explorer {root.get_attribute('data-explorer')} option button {i}")
            assert not outside, outside
        finally:
            context.close()
    assert not still, f"sliders that change nothing: {still}"


def test_named_options_are_buttons(browser, site, built_book):
    """A Choice (a model, a scheme) is a row of buttons, the chosen one pressed; a click swaps the figure."""
    pages = [rel for rel in sorted(set(explorer_pages(built_book.html)))
             if '"live":"options"' in (built_book.html / rel).read_text(errors="replace")]
    assert pages, "no built page has an explorer with named options"
    context, page, outside, _ = open_offline(browser, f"{site}/{pages[0]}")
    try:
        page.wait_for_selector("div.book-explorer[data-mounted]", timeout=20_000)
        root = page.locator("div.book-explorer:has(div.book-explorer-buttons)").first
        group = root.locator("div.book-explorer-buttons").first
        buttons = group.locator("button")
        name = buttons.first.get_attribute("data-param")
        assert root.locator(f'input[data-param="{name}"]').count() == 0, "named options are still a slider"
        pressed = [buttons.nth(i).get_attribute("aria-pressed") for i in range(buttons.count())]
        assert buttons.count() >= 2 and pressed.count("true") == 1, pressed
        plot = root.locator(".book-explorer-plot")
        before, state = figure_data(page, plot), root.get_attribute("data-state")
        target = pressed.index("false")
        buttons.nth(target).click()
        assert buttons.nth(target).get_attribute("aria-pressed") == "true"
        assert [buttons.nth(i).get_attribute("aria-pressed") for i in range(buttons.count())].count("true") == 1
        assert root.get_attribute("data-state") != state and figure_data(page, plot) != before
        assert not outside, outside
    finally:
        context.close()
