"""The Keytime pages in a real browser: Chromium driven by Playwright, served from localhost.

CI installs Debian's Chromium (.ci/run); Playwright cannot download its own browsers here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
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


def test_without_javascript_a_chapter_link_stays_on_the_page(browser: Any, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}{SLUG}/")
    assert page.locator(".chapters a.seek").count() == len(chapters())
    assert page.locator("audio[controls]").count() == 1  # the native player stays
    page.locator(".chapters a.seek").nth(2).click()
    page.wait_for_url(f"{served}{SLUG}/#chapter-3")
    assert page.locator("#chapter-3:target").count() == 1
    mp3 = page.locator(".downloads a[download]").first.get_attribute("href")
    assert mp3 == "keytime-001-antony-passemard.mp3"
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


CURRENT_IN_VIEW = (
    "(() => { const s = document.querySelector('.seg.current'); if (!s) return false;"
    " const r = s.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()"
)


def test_scrolling_by_hand_pauses_following_until_resumed(visit: Visit) -> None:
    page = visit.page
    follow = page.locator('[data-action="follow"]')
    assert follow.get_attribute("aria-pressed") == "true"
    page.locator(".para a.ts").nth(30).scroll_into_view_if_needed()  # the listener's scroll
    page.wait_for_function(
        "document.querySelector('[data-action=follow]').getAttribute('aria-pressed') === 'false'"
    )
    follow.click()
    page.evaluate("document.querySelector('audio').currentTime = 300")
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function(CURRENT_IN_VIEW)
    page.mouse.move(600, 600)
    page.mouse.wheel(0, 3000)
    page.wait_for_function(
        "document.querySelector('[data-action=follow]').getAttribute('aria-pressed') === 'false'"
    )
    box = follow.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900  # on screen
    follow.click()
    assert follow.get_attribute("aria-pressed") == "true"
    page.wait_for_function(CURRENT_IN_VIEW)
    page.evaluate("document.querySelector('audio').pause()")


def test_paging_down_from_a_focused_control_pauses_following(visit: Visit) -> None:
    page = visit.page
    page.evaluate("document.querySelector('audio').currentTime = 300")
    page.evaluate("document.querySelector('audio').play()")
    page.locator('[data-action="skip-back"]').focus()
    page.keyboard.press("PageDown")
    page.wait_for_function(
        "document.querySelector('[data-action=follow]').getAttribute('aria-pressed') === 'false'"
    )
    page.evaluate("document.querySelector('audio').pause()")


def test_a_chapter_click_does_not_scroll_into_the_transcript(visit: Visit) -> None:
    page = visit.page
    link = page.locator(".chapters a.seek").nth(9)
    link.click()
    page.wait_for_function("!document.querySelector('audio').paused")
    start = float(chapters()[9].start)
    page.wait_for_function(f"document.querySelector('audio').currentTime > {start + 1.5}")
    assert page.evaluate("document.querySelector('#transcript').getBoundingClientRect().top") > 900
    assert page.evaluate("document.activeElement.classList.contains('seek')")
    page.evaluate("document.querySelector('audio').pause()")


def audio_near(page: Any, seconds: float) -> None:
    page.wait_for_function(
        f"Math.abs(document.querySelector('audio').currentTime - {seconds}) < 0.6", timeout=10000
    )


def test_skip_buttons_go_back_15_and_forward_30(visit: Visit) -> None:
    page = visit.page
    page.evaluate("document.querySelector('audio').currentTime = 100")
    page.locator('[data-action="skip-forward"]').click()
    audio_near(page, 130)
    page.locator('[data-action="skip-back"]').click()
    audio_near(page, 115)
    page.locator("body").press("j")  # shortcuts, focus not in a field
    audio_near(page, 100)
    page.locator("body").press("l")
    audio_near(page, 130)


def test_speed_steps_and_is_remembered(browser: Any, served: str) -> None:
    page = Visit(browser, f"{served}{SLUG}/")
    speed = page.page.locator('[data-action="speed"]')
    speed.click()
    speed.click()
    assert page.page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    assert speed.inner_text() == "1,5×"
    page.page.reload()
    page.page.wait_for_function("document.querySelector('audio').playbackRate === 1.5")
    assert page.errors == []
    page.close()


def test_one_tick_per_chapter_and_a_slider_that_speaks(visit: Visit) -> None:
    page = visit.page
    assert page.locator("[data-chapter-tick]").count() == len(chapters())
    page.evaluate("document.querySelector('audio').currentTime = 605")
    track = page.locator('[role="slider"]')
    page.wait_for_function(
        "document.querySelector('[role=slider]').getAttribute('aria-valuetext')"
        ".startsWith('10 min 5 s sur ')"
    )
    track.focus()
    page.keyboard.press("ArrowRight")
    audio_near(page, 610)
    assert track.get_attribute("aria-label") == "Position dans l’épisode"


def test_chapter_buttons_and_the_polite_chapter_title(visit: Visit) -> None:
    page = visit.page
    titles = [typeset(c.title, "fr") for c in chapters()]  # as the page prints them
    page.evaluate(f"document.querySelector('audio').currentTime = {chapters()[3].start + 10}")
    label = page.locator(".bar-chapter[aria-live='polite']")
    page.wait_for_function(f"document.querySelector('.bar-chapter').textContent === {titles[3]!r}")
    page.locator('[data-action="next-chapter"]').click()
    audio_near(page, chapters()[4].start)
    page.wait_for_function(f"document.querySelector('.bar-chapter').textContent === {titles[4]!r}")
    page.locator('[data-action="previous-chapter"]').click()
    audio_near(page, chapters()[3].start)
    assert label.count() == 1


def test_clicking_a_sentence_seeks_there(visit: Visit) -> None:
    sentence = visit.page.locator(".seg[data-start]").nth(250)
    start = float(sentence.get_attribute("data-start") or "nan")
    sentence.click()
    audio_near(visit.page, start)
    assert sentence.evaluate("e => getComputedStyle(e).cursor") == "pointer"
    visit.page.evaluate("document.querySelector('audio').pause()")
    # One tab stop for the whole transcript; the arrows move between sentences.
    assert visit.page.locator("#transcript .seg[tabindex='0']").count() == 1
    sentence.focus()
    visit.page.keyboard.press("ArrowDown")
    visit.page.keyboard.press("Enter")
    after = visit.page.locator(".seg[data-start]").nth(251).get_attribute("data-start")
    audio_near(visit.page, float(after or "nan"))
    visit.page.evaluate("document.querySelector('audio').pause()")


def test_search_highlights_matches_and_counts_them(visit: Visit) -> None:
    page = visit.page
    field = page.locator('#transcript input[type="search"]')
    field.fill("berkeley")
    page.wait_for_function("document.querySelectorAll('#transcript mark').length > 1")
    total = page.locator("#transcript mark").count()
    count = page.locator(".search-count")
    assert count.inner_text() == f"1 / {total}"
    assert all("berkeley" in m.lower() for m in page.locator("#transcript mark").all_inner_texts())
    page.locator('[data-action="search-next"]').click()
    assert count.inner_text() == f"2 / {total}"
    page.locator('[data-action="search-previous"]').click()
    page.locator('[data-action="search-previous"]').click()
    assert count.inner_text() == f"{total} / {total}"
    field.fill("")
    page.wait_for_function("document.querySelectorAll('#transcript mark').length === 0")


def test_a_shared_url_reopens_at_its_time(browser: Any, served: str) -> None:
    page = Visit(browser, f"{served}{SLUG}/")
    page.page.evaluate("document.querySelector('audio').currentTime = 712.8")
    page.page.locator('[data-action="share"]').click()
    shared = page.page.locator("input[data-share-url]").input_value()
    assert shared == f"{served}{SLUG}/#t=712"
    page.page.locator("[data-share-from-now]").uncheck()
    assert page.page.locator("input[data-share-url]").input_value() == f"{served}{SLUG}/"
    again = Visit(browser, shared)
    audio_near(again.page, 712)
    assert page.errors == again.errors == []
    again.close()
    page.close()


@pytest.mark.parametrize("fragment", ["#chapter-9", "#p-60"])
def test_a_permalink_cues_the_audio(browser: Any, served: str, fragment: str) -> None:
    page = Visit(browser, f"{served}{SLUG}/{fragment}")
    target = page.page.locator(fragment)
    start = target.get_attribute("data-start") or target.locator(
        "[data-start]"
    ).first.get_attribute("data-start")
    audio_near(page.page, float(start or "nan"))
    # The target is below the sticky player, not under it.
    player = page.page.locator("#player").bounding_box()
    box = target.bounding_box()
    assert player is not None and box is not None and box["y"] >= player["y"] + player["height"]
    page.close()


def test_resume_after_a_reload(browser: Any, served: str) -> None:
    page = Visit(browser, f"{served}{SLUG}/")
    page.page.evaluate("document.querySelector('audio').currentTime = 1234")
    audio_near(page.page, 1234)
    page.page.reload()
    page.page.wait_for_function("document.querySelector('audio').readyState >= 1")
    resume = page.page.locator('[data-action="resume"]')
    assert resume.inner_text() == "Reprendre à 20:34"
    resume.click()
    audio_near(page.page, 1234)
    page.page.evaluate("document.querySelector('audio').pause()")
    assert page.errors == []
    page.close()


def test_the_lock_screen_gets_the_title_and_chapter(visit: Visit) -> None:
    show, _ = load_show(KEYTIME)
    episode = show.episodes[0]
    metadata = visit.page.evaluate(
        "(() => { const m = navigator.mediaSession.metadata; return [m.title, m.artist, m.album]; })()"
    )
    assert metadata == [typeset(t, "fr") for t in (episode.title, show.title, chapters()[0].title)]


def test_downloads_come_within_40_tab_stops(visit: Visit) -> None:
    page = visit.page
    stops = 0
    while stops < 40 and not page.evaluate("document.activeElement.hasAttribute('download')"):
        page.keyboard.press("Tab")
        stops += 1
    assert page.evaluate("document.activeElement.hasAttribute('download')"), stops
    box = page.locator(".downloads a[download]").first.bounding_box()
    assert box is not None and box["y"] < 900  # on the first screen


def test_the_subscribe_dialog_gives_the_feed_url(browser: Any, served: str) -> None:
    context = browser.new_context()
    home = context.new_page()
    home.goto(served)
    home.locator('.site-header [data-action="subscribe"]').click()
    dialog = home.locator("dialog#subscribe")
    assert dialog.is_visible()
    assert dialog.locator("input[data-feed-url]").input_value() == f"{served}feed.xml"
    assert "Efrei" not in dialog.inner_text()  # the school's site is not an app
    dialog.locator('[data-action="close-dialog"]').click()
    assert not dialog.is_visible()
    context.close()


def test_the_feed_reads_as_a_page_in_a_browser(browser: Any, served: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{served}feed.xml")
    assert page.locator("h1").inner_text() == "Keytime"
    links = page.locator(".episode-list a").evaluate_all("as => as.map(a => a.href)")
    assert links == [f"{served}{SLUG}/"]
    context.close()


def test_the_site_works_opened_from_the_disk(browser: Any, tmp_path: Any) -> None:
    """The README offers to open site/index.html: the episode link leads to the page."""
    site = tmp_path / "site"
    build(KEYTIME, site)
    context = browser.new_context()
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    page.locator(".episode-list h3 a").first.click()
    page.wait_for_url("**/index.html")
    show, _ = load_show(KEYTIME)
    assert page.locator("h1").inner_text() == typeset(show.episodes[0].title, "fr")
    assert page.locator("audio").count() == 1
    context.close()


SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots_while_playing(browser: Any, served: str, scheme: str, width: int) -> None:
    """Pictures for a person to look at (CI keeps the folder as an artefact)."""
    page = Visit(browser, f"{served}{SLUG}/", color_scheme=scheme, width=width)
    page.page.locator('[data-action="play"]').click()
    page.page.wait_for_function("!document.querySelector('audio').paused")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SCREENSHOTS / f"top-{width}-{scheme}.png"))
    page.page.locator(".chapters a.seek").nth(5).click()
    page.page.screenshot(path=str(SCREENSHOTS / f"episode-{width}-{scheme}.png"))
    page.page.evaluate("window.scrollTo(0, document.querySelector('#transcript').offsetTop)")
    page.page.screenshot(path=str(SCREENSHOTS / f"transcript-{width}-{scheme}.png"))
    page.page.evaluate("document.querySelector('audio').pause()")
    assert page.errors == []
    page.close()


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


def test_no_accessibility_problem_with_the_panels_open(browser: Any, served: str) -> None:
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )
    page = Visit(browser, f"{served}{SLUG}/", color_scheme="dark")
    page.page.evaluate("document.querySelector('audio').currentTime = 400")
    page.page.locator('[data-action="share"]').click()
    page.page.locator('[data-action="help"]').click()
    page.page.locator('#transcript input[type="search"]').fill("silicon")
    page.page.wait_for_function("document.querySelectorAll('#transcript mark').length > 0")
    results = axe_module.Axe().run(page.page)
    assert [v["id"] for v in results.response["violations"]] == []
    page.page.locator('.site-header [data-action="subscribe"]').click()
    results = axe_module.Axe().run(page.page)
    assert [v["id"] for v in results.response["violations"]] == []
    page.close()


def test_player_controls_are_44_px_targets_on_a_phone(browser: Any, served: str) -> None:
    page = Visit(browser, f"{served}{SLUG}/", width=375)
    sizes = page.page.locator(".bar button:visible, [role='slider']").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [e.dataset.action || e.getAttribute('role'), r.width, r.height]; })"
    )
    assert len(sizes) >= 9
    assert [s for s in sizes if s[1] < 44 or s[2] < 44] == []
    names = page.page.locator(".bar button").evaluate_all(
        "els => els.filter(e => !(e.getAttribute('aria-label') || e.textContent.trim()))"
    )
    assert names == []
    page.close()
