"""`podkit check` on a site someone else changed: every link and feed URL must name a
regular file inside the site; a malformed or overlong one is a finding, not a traceback."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ShowMaker

from toolkit.build import build
from toolkit.cli import cli

EP = "001-premier"
FEED_CHAPTERS = f"https://example.org/show/{EP}/chapters.json"


def add_link(site: Path, href: str) -> None:
    page = site / EP / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", f'<a href="{href}">x</a></body>'), encoding="utf-8")


def in_feed(site: Path, old: str, new: str) -> None:
    feed = site / "feed.xml"
    text = feed.read_text(encoding="utf-8")
    assert old in text
    feed.write_text(text.replace(old, new), encoding="utf-8")


def chapters_link(site: Path) -> None:
    (site / EP / "chapters.json").unlink()
    (site / EP / "chapters.json").symlink_to("/etc/passwd")


def page_folder(site: Path) -> None:
    os.replace(site / EP / "index.html", site / "moved.html")
    (site / EP / "index.html").mkdir()


EDITS: dict[str, tuple[Callable[[Path], None], str]] = {
    "ipv6": (lambda s: add_link(s, "http://[::1"), "is not a URL"),
    "long link": (lambda s: add_link(s, "a" * 5000), "points at nothing in the site"),
    "up and out": (lambda s: add_link(s, "../../../../../etc/passwd"), "points outside the site"),
    "long enclosure": (
        lambda s: in_feed(s, "episode.mp3", "a" * 5000 + ".mp3"),
        "its enclosure is not a file of the site",
    ),
    "chapters out": (
        lambda s: in_feed(s, FEED_CHAPTERS, f"https://example.org/show/{EP}/../../../etc/passwd"),
        "points outside the site",
    ),
    "chapters encoded": (
        lambda s: in_feed(s, FEED_CHAPTERS, "https://example.org/show/%2e%2e/%2e%2e/etc/passwd"),
        "points outside the site",
    ),
    "chapters folder": (
        lambda s: in_feed(s, FEED_CHAPTERS, f"https://example.org/show/{EP}"),
        "is not a file of the site",
    ),
    "chapters link": (chapters_link, "points outside the site"),
    "page folder": (page_folder, ""),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_check_finds_what_leads_out_of_the_site(
    make_show: ShowMaker, tmp_path: Path, name: str
) -> None:
    source, site = make_show(), tmp_path / "site"
    build(source, site)
    edit, expected = EDITS[name]
    edit(site)
    result = CliRunner().invoke(cli, ["check", "--source", str(source), "--site", str(site)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors and all(len(line) < 400 for line in errors)
    assert any(expected in line for line in errors), result.output
