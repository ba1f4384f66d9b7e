"""At 400 px (a phone) the explorers stack their controls, keep the legend under the plot, clip nothing, and the
note under them stays readable in dark mode (book/_static/book-layout.css). Needs Debian's Chromium."""
from __future__ import annotations

import pytest

from tests.book.test_browser import browser, explorer_pages, site  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.build, pytest.mark.browser]

WIDTH = 400


def narrow_page(browser, url, dark=False):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, service_workers="block",
                                  color_scheme="dark" if dark else "light")
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    page = context.new_page()
    if dark:  # the book theme follows the stored choice, not only the system's
        page.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    page.goto(url, wait_until="load")
    page.wait_for_selector("div.book-explorer[data-mounted]", timeout=20_000)
    return context, page


def boxes(page, root):
    """Bounding boxes of the first control row's label, slider and value, and of the plot, legend and axes."""
    return page.evaluate("""(root) => {
        const r = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
                             return {x: b.left, y: b.top, w: b.width, h: b.height}; };
        const row = root.querySelector('label.book-explorer-row');
        return {label: r(row.querySelector('span')), slider: r(row.querySelector('input')),
                value: r(row.querySelector('output')), root: r(root),
                svg: r(root.querySelector('.main-svg')), legend: r(root.querySelector('g.legend')),
                axes: r(root.querySelector('g.xy .bglayer rect, g.cartesianlayer .xy')),
                xtitle: r(root.querySelector('g.g-xtitle')),
                scroll: [document.documentElement.scrollWidth, document.documentElement.clientWidth]};
    }""", root.element_handle())


def luminance(rgb):
    channels = [c / 255 for c in rgb[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rgb(css: str):
    return [float(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3]]


def test_explorers_stack_and_fit_at_400px(browser, site, built_book):
    findings = []
    for rel in sorted(set(explorer_pages(built_book.html)))[:6]:
        context, page = narrow_page(browser, f"{site}/{rel}")
        try:
            root = page.locator("div.book-explorer").first
            root.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            b = boxes(page, root)
            assert b["scroll"][0] <= b["scroll"][1] + 1, f"{rel}: the page scrolls sideways at {WIDTH} px"
            assert b["label"]["y"] + b["label"]["h"] <= b["slider"]["y"] + 1, f"{rel}: slider beside its label"
            assert b["slider"]["y"] + b["slider"]["h"] <= b["value"]["y"] + 1, f"{rel}: value beside the slider"
            assert b["slider"]["w"] >= 0.8 * b["root"]["w"], f"{rel}: the slider does not take the full width"
            assert b["svg"]["x"] >= b["root"]["x"] - 1 and b["svg"]["x"] + b["svg"]["w"] <= b["root"]["x"] + b["root"]["w"] + 1, \
                f"{rel}: the plot is wider than its box"
            if b["legend"] is not None:
                legend, svg = b["legend"], b["svg"]
                assert legend["y"] >= b["axes"]["y"] + b["axes"]["h"] - 1, f"{rel}: the legend is not under the plot"
                assert legend["y"] + legend["h"] <= svg["y"] + svg["h"] + 1, f"{rel}: the legend is clipped"
                assert legend["x"] >= svg["x"] - 1 and legend["x"] + legend["w"] <= svg["x"] + svg["w"] + 1, \
                    f"{rel}: the legend is clipped at the side"
            root.screenshot(path=f"{built_book.html.parent}/narrow-{rel.replace('/', '-')}.png")
            findings.append(rel)
        finally:
            context.close()
    assert findings, "no explorer page was checked"


def test_explorer_note_readable_in_dark_mode(browser, site, built_book):
    rel = explorer_pages(built_book.html)[0]
    context, page = narrow_page(browser, f"{site}/{rel}", dark=True)
    try:
        theme = page.evaluate("document.documentElement.dataset.theme")
        assert theme == "dark", f"the page did not switch to dark mode (data-theme={theme!r})"
        for selector in ("p.book-explorer-note", "label.book-explorer-row span", "label.book-explorer-row output"):
            colours = page.evaluate("""(selector) => {
                const node = document.querySelector(selector);
                let el = node, bg = 'rgba(0, 0, 0, 0)';
                while (el && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                    bg = getComputedStyle(el).backgroundColor; el = el.parentElement; }
                return [getComputedStyle(node).color, bg, node.textContent];
            }""", selector)
            assert colours[2].strip(), f"{selector} is empty"
            ratio = contrast(rgb(colours[0]), rgb(colours[1]))
            assert ratio >= 4.5, f"{selector}: {colours[0]} on {colours[1]}, contrast {ratio:.2f} < 4.5 (WCAG AA)"
    finally:
        context.close()
