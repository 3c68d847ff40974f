"""`podkit check` on a built site that something damaged, or that was built for a preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ShowMaker
from lxml import etree

from toolkit.cli import cli
from toolkit.errors import Problem

NOW = ["--now", "2026-01-01T00:00:00+00:00"]
PAGE = "001-premier/index.html"


def check(source: Path, site: Path) -> tuple[int, list[dict[str, str]]]:
    result = CliRunner().invoke(
        cli, ["check", "--source", str(source), "--site", str(site), "--format", "json", *NOW]
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout)


def built(make_show: ShowMaker, site: Path, *options: str) -> Path:
    source = make_show()
    result = CliRunner().invoke(
        cli, ["build", "--source", str(source), "--out", str(site), *NOW, *options]
    )
    assert result.exit_code == 0, result.output
    return source


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is an empty page: build again"),
        (b"  \n\t", "is an empty page: build again"),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            "is not an HTML page (binary data): build again",
        ),
        (b"<p>caf\xe9</p>\x00", "is not an HTML page (binary data): build again"),
    ],
    ids=["empty", "blank", "binary", "nul"],
)
def test_an_empty_or_binary_page_is_an_error_naming_it(
    make_show: ShowMaker, tmp_path: Path, content: bytes, message: str
) -> None:
    site = tmp_path / "site"
    source = built(make_show, site)
    (site / PAGE).write_bytes(content)
    code, findings = check(source, site)
    assert code == 1
    assert {"level": "error", "file": str(site / PAGE), "where": None, "message": message} in (
        findings
    )


def test_a_problem_reads_the_same_in_the_build_in_check_and_in_json() -> None:
    line = Problem("episode.toml", 3, "invalid TOML: fix it")
    key = Problem("show.toml", "title", "is empty: write a value", "warning")
    whole = Problem(Path("site"), None, "no built site here")
    assert [str(p) for p in (line, key, whole)] == [
        "episode.toml:3: invalid TOML: fix it",
        "warning: show.toml: title: is empty: write a value",
        "site: no built site here",
    ]
    assert [p.labelled() for p in (line, key, whole)] == [
        "error: episode.toml:3: invalid TOML: fix it",
        "warning: show.toml: title: is empty: write a value",
        "error: site: no built site here",
    ]
    assert [p.as_json() for p in (line, key, whole)] == [
        {"level": "error", "file": "episode.toml:3", "where": None, "message": line.message},
        {"level": "warning", "file": "show.toml", "where": "title", "message": key.message},
        {"level": "error", "file": "site", "where": None, "message": whole.message},
    ]
    with pytest.raises(ValueError, match="'error' or 'warning'"):
        Problem("show.toml", None, "a bool is no level", True)  # type: ignore[arg-type]


def test_check_gives_a_source_error_at_a_line_in_text_and_json(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(**{"001-premier/episode.toml": "title = \n"})
    toml = source / "001-premier" / "episode.toml"
    text = CliRunner().invoke(cli, ["check", "--source", str(source), "--site", str(tmp_path)])
    assert text.exit_code == 1
    assert text.stdout.splitlines()[0].startswith(f"error: {toml}:1: invalid TOML: ")
    code, findings = check(source, tmp_path)
    assert code == 1
    assert findings[0]["file"] == f"{toml}:1" and findings[0]["where"] is None
    assert findings[0]["message"].startswith("invalid TOML: ")


def test_check_reports_a_description_or_title_over_apple_limits(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    source = built(make_show, site)
    feed = site / "feed.xml"
    tree = etree.parse(str(feed))
    tree.find("channel/item/description").text = "é" * 2001  # 4,002 bytes
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    tree.find(f"channel/item/{itunes}title").text = "T" * 256
    tree.write(str(feed), encoding="UTF-8", xml_declaration=True)
    code, findings = check(source, site)
    assert code == 1
    found = {(f["where"], f["message"]) for f in findings if f["file"] == str(feed)}
    assert (
        "item 'Premier épisode': description",
        "is 4002 bytes: Apple Podcasts cuts it at 4000; shorten the notes (or build again)",
    ) in found
    assert (
        "item 'Premier épisode': itunes:title",
        "is 256 characters: Apple Podcasts accepts at most 255; shorten the title",
    ) in found
