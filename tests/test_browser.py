"""The Keytime pages in a real browser: Chromium driven by Playwright, served from localhost.

CI installs Debian's Chromium (.ci/run); Playwright cannot download its own browsers here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import KEYTIME, need_program

from toolkit.build import build
from toolkit.config import load_show
from toolkit.serve import PreviewState, make_preview_server
from toolkit.typography import typeset

SLUG = "001-antony-passemard"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


STATE = PreviewState(version=1)  # what the served pages' reload script reads


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site as `podkit serve` serves it: byte ranges, and the live-reload script."""
    out = tmp_path_factory.mktemp("site")
    server = make_preview_server(out, 0, STATE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    build(KEYTIME, out, base_url=url)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = need_program("chromium", "chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                "--mute-audio",
            ],
        )
        yield browser
        browser.close()


class Visit:
    """A page with its console errors and every request it made."""

    def __init__(
        self, browser: Any, url: str, color_scheme: str = "light", width: int = 1280
    ) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=color_scheme
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_function(
            "document.querySelector('audio').readyState >= 1", timeout=15000
        )

    def time(self) -> float:
        return float(self.page.evaluate("document.querySelector('audio').currentTime"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, served: str) -> Iterator[Visit]:
    page = Visit(browser, f"{served}{SLUG}/")
    yield page
    assert page.errors == [], page.errors
    assert all(r.startswith(served) for r in page.requests), [
        r for r in page.requests if not r.startswith(served)
    ]
    page.close()


def chapters() -> list[Any]:
    show, _ = load_show(KEYTIME)
    return list(show.episodes[0].visible_chapters)


@pytest.mark.parametrize("index", [1, 4, 11])
def test_activating_a_chapter_seeks_the_player(visit: Visit, index: int) -> None:
    chapter = chapters()[index]
    visit.page.locator(".chapters a.seek").nth(index).click()
    visit.page.wait_for_function(
        f"Math.abs(document.querySelector('audio').currentTime - {chapter.start}) < 0.5",
        timeout=10000,
    )
    current = visit.page.locator(".chapters li[aria-current='true'] .title").inner_text()
    assert current == typeset(chapter.title, "fr")  # as the page prints it


def test_keyboard_activates_a_chapter(visit: Visit) -> None:
    chapter = chapters()[6]
    link = visit.page.locator(".chapters a.seek").nth(6)
    link.focus()
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_function(
        f"Math.abs(document.querySelector('audio').currentTime - {chapter.start}) < 0.5",
        timeout=10000,
    )


def test_a_transcript_timestamp_seeks(visit: Visit) -> None:
    stamp = visit.page.locator(".para a.ts").nth(40)
    start = float(stamp.get_attribute("data-start") or "nan")
    stamp.click()
    visit.page.wait_for_function(
        f"Math.abs(document.querySelector('audio').currentTime - {start}) < 0.5"
    )
    assert abs(visit.time() - start) < 0.5


def test_the_highlight_follows_the_time(visit: Visit) -> None:
    segments = visit.page.locator(".seg[data-start]")
    for n in (10, 300, 700):
        start = float(segments.nth(n).get_attribute("data-start") or "nan")
        visit.page.evaluate(f"document.querySelector('audio').currentTime = {start + 0.05}")
        visit.page.wait_for_function(
            f"(document.querySelector('.seg.current') || {{}}).dataset?.start === '{segments.nth(n).get_attribute('data-start')}'"
        )
    assert visit.page.locator(".seg.current").count() == 1


def test_time_in_the_url_starts_the_player_there(browser: Any, served: str) -> None:
    for fragment, seconds in (("#t=12:34", 754.0), ("#t=1500", 1500.0)):
        page = Visit(browser, f"{served}{SLUG}/{fragment}")
        page.page.wait_for_function(
            f"Math.abs(document.querySelector('audio').currentTime - {seconds}) < 0.5",
            timeout=10000,
        )
        assert page.errors == []
        page.close()


def test_without_javascript_everything_is_there(browser: Any, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}{SLUG}/")
    assert page.locator(".chapters a.seek").count() == len(chapters())
    href = page.locator(".chapters a.seek").nth(2).get_attribute("href")
    assert href is not None and href.startswith("keytime-001-antony-passemard.mp3#t=")
    assert page.locator(".para").count() > 100
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", f"{SLUG}/", "404.html"])
def test_no_serious_accessibility_problem(
    browser: Any, served: str, scheme: str, path: str
) -> None:
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{served}{path}")
    results = axe_module.Axe().run(page)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    context.close()


@pytest.mark.parametrize("width", [320, 375])
def test_no_horizontal_scrolling_on_a_phone(browser: Any, served: str, width: int) -> None:
    page = Visit(browser, f"{served}{SLUG}/", width=width)
    overflow = page.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.close()


def test_scrolling_by_hand_pauses_following_until_resumed(visit: Visit) -> None:
    page = visit.page
    page.evaluate("document.querySelector('audio').currentTime = 300")
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("!document.querySelector('audio').paused")
    assert page.locator(".follow").is_hidden()
    page.mouse.move(600, 600)
    page.mouse.wheel(0, 3000)
    page.wait_for_function("!document.querySelector('.follow').hidden")
    page.locator(".follow").click()
    page.wait_for_function("document.querySelector('.follow').hidden")
    page.wait_for_function(
        "(() => { const s = document.querySelector('.seg.current'); if (!s) return false;"
        " const r = s.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()"
    )
    page.evaluate("document.querySelector('audio').pause()")


def test_keyboard_focus_is_visible_and_the_skip_link_comes_first(visit: Visit) -> None:
    page = visit.page
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.className, s.outlineStyle, s.outlineWidth, e.getBoundingClientRect().left >= 0]; })()"
    )
    assert focused == ["skip", "solid", "3px", True]


def test_a_failed_rebuild_shows_its_problems_until_a_good_one_reloads(
    browser: Any, served: str
) -> None:
    page = Visit(browser, f"{served}{SLUG}/")
    banner = page.page.locator("#podkit-problems[role='alert']")
    problem = "episodes/show.toml:3: invalid TOML: <b>not markup</b>"
    try:
        STATE.problems = problem
        banner.wait_for(timeout=10000)
        assert problem in banner.inner_text()  # as text: the problem is never markup
        assert page.page.locator("#podkit-problems b").count() == 0
        with page.page.expect_navigation(timeout=10000):
            STATE.problems, STATE.version = "", STATE.version + 1
        page.page.wait_for_timeout(1500)  # a poll or more after the reload
        assert banner.count() == 0
        assert page.errors == []
    finally:
        STATE.problems = ""
        page.close()
