"""Source names the site's own files use, chapters refused one at a time, links and times
quoted as the user wrote them, and sources that are there but cannot be read: each is one
clear line and exit status 1, with the site and the sources as they were."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import EPISODE_TOML, TONE, ShowMaker, tree_digest
from test_bad_input import invoke, refused_build

# ---------------------------------------------------------------- names the site writes


@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "chapters.json",
        "transcript.vtt",
        "transcript.srt",
        "transcript.json",
        "transcript.txt",
        "cover.jpg",
        "cover.png",
        "chapter-2.jpg",
        "Index.HTML",
        ".ep.abcdefgh.tmp",
        ".hidden.mp3",
    ],
)
def test_an_audio_file_named_like_the_sites_own_files_is_refused(
    make_show: ShowMaker, tmp_path: Path, name: str
) -> None:
    toml = EPISODE_TOML.replace('"episode.mp3"', f'"{name}"')
    source = make_show(**{"001-premier__episode.toml": toml, "001-premier__transcript.txt": None})
    shutil.copy(TONE, source / "001-premier" / name)
    stderr = refused_build(source, tmp_path / "site")
    lines = [line for line in stderr.splitlines() if "episode.toml: audio: " in line]
    assert len(lines) == 1, stderr
    assert f"audio: {name!r} is a" in lines[0]
    assert "rename" in lines[0]


@pytest.mark.parametrize("name", ["chapters.json", ".episode.opus"])
def test_another_version_of_the_audio_follows_the_same_rule(
    make_show: ShowMaker, tmp_path: Path, name: str
) -> None:
    toml = EPISODE_TOML + f'\n[[alternate_enclosures]]\nfile = "{name}"\n'
    source = make_show(**{"001-premier__episode.toml": toml})
    shutil.copy(TONE, source / "001-premier" / name)
    stderr = refused_build(source, tmp_path / "site")
    assert f"alternate_enclosures[0].file: {name!r} is a" in stderr


def test_an_episode_folder_named_like_the_sites_assets_is_refused(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    toml = EPISODE_TOML.replace('"episode.mp3"', '"style.css"').replace("11111111", "22222222")
    source = make_show(**{"assets__episode.toml": toml})
    shutil.copy(TONE, source / "assets" / "style.css")
    stderr = refused_build(source, tmp_path / "site")
    assert f"{source / 'assets'}: the site keeps its own files in a folder 'assets'" in stderr


# ---------------------------------------------------------------- chapters


def test_a_chapter_refused_for_its_title_does_not_shift_the_order_checks(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    toml = EPISODE_TOML.replace('"Introduction"', '"Intro\\uffff"')
    stderr = refused_build(make_show(**{"001-premier__episode.toml": toml}), tmp_path / "site")
    chapter_lines = [line for line in stderr.splitlines() if "chapters[" in line]
    assert len(chapter_lines) == 1, stderr
    assert "chapters[0].title: contains" in chapter_lines[0]


def test_order_checks_still_run_around_a_refused_title(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    toml = EPISODE_TOML.replace('"Introduction"', '"Intro\\uffff"').replace(
        '"00:00:45"', '"00:00:10"'
    )
    stderr = refused_build(make_show(**{"001-premier__episode.toml": toml}), tmp_path / "site")
    assert "chapters[0].title: contains" in stderr
    assert "chapters[2].start: 00:00:10.000 is not after the previous chapter" in stderr
    assert "chapters[1].start" not in stderr


def test_a_folder_name_with_a_line_break_is_shown_escaped(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(**{"001-ep\n__episode.toml": EPISODE_TOML})
    stderr = refused_build(source, tmp_path / "site")
    line = next(line for line in stderr.splitlines() if "folder name is used in URLs" in line)
    assert repr(str(source / "001-ep\n")) in line
    assert "rename it '001-ep'" in line


@pytest.mark.parametrize(
    ("url", "toml_url"),
    [
        ("https://example.org/<b>", "https://example.org/<b>"),
        ("https://example.org/a>b", "https://example.org/a>b"),
        ('https://example.org/"q"', 'https://example.org/\\"q\\"'),
        ("https://example.org/a\\b", "https://example.org/a\\\\b"),
        ("https://example.org/a^b", "https://example.org/a^b"),
        ("https://example.org/a`b", "https://example.org/a`b"),
        ("https://example.org/{a}", "https://example.org/{a}"),
        ("https://example.org/a|b", "https://example.org/a|b"),
        ("https://example.org:99999/", "https://example.org:99999/"),
        ("https://example.org:port/", "https://example.org:port/"),
    ],
)
def test_a_chapter_url_urls_cannot_hold_is_refused(
    make_show: ShowMaker, tmp_path: Path, url: str, toml_url: str
) -> None:
    toml = EPISODE_TOML.replace("https://example.org/sujet", toml_url)
    source = make_show(**{"001-premier__episode.toml": toml})
    stderr = refused_build(source, tmp_path / "site")
    assert f"chapters[1].url: {url!r} " in stderr

    chapters = tmp_path / "c.json"
    document = {"chapters": [{"startTime": 0, "title": "A", "url": url}]}
    chapters.write_text(json.dumps(document), encoding="utf-8")
    before = tree_digest(source)
    result = invoke("chapters", "import", chapters, "--episode", source / "001-premier")
    assert result.exit_code == 1, result.output
    assert f"{url!r} " in result.stderr
    assert tree_digest(source) == before


def test_a_time_of_5000_digits_is_quoted_shortened(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    labels = tmp_path / "labels.txt"
    labels.write_text("0\t0\tA\n" + "1" * 5000 + "\t1\tB\n")
    result = invoke(
        "chapters", "import", labels, "--format", "audacity", "--episode", source / "001-premier"
    )
    assert result.exit_code == 1, result.output
    assert f"{labels}:2: '{'1' * 40}…' (5000 characters) is not a number of seconds" in (
        result.stderr
    )
    assert "inf" not in result.stderr
    assert len(result.stderr) < 400


# ---------------------------------------------------------------- sources there but unreadable


def test_a_folder_named_transcript_txt_is_an_error(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"001-premier__transcript.txt": None})
    (source / "001-premier" / "transcript.txt").mkdir()
    stderr = refused_build(source, tmp_path / "site")
    lines = [line for line in stderr.splitlines() if "transcript.txt" in line]
    assert lines == [
        f"{source / '001-premier' / 'transcript.txt'}: is a folder, not a file: "
        "it holds the episode's transcript"
    ]


def test_a_loop_of_links_as_notes_or_transcript_is_an_error(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(**{"001-premier__notes.md": None, "001-premier__transcript.txt": None})
    os.symlink("notes.md", source / "001-premier" / "notes.md")
    os.symlink("transcript.txt", source / "001-premier" / "transcript.txt")
    stderr = refused_build(source, tmp_path / "site")
    notes = [line for line in stderr.splitlines() if "notes.md" in line]
    assert notes == [
        f"{source / '001-premier' / 'notes.md'}: cannot be read (Too many levels of symbolic "
        "links): notes.md holds the episode's show notes"
    ]
    assert "transcript.txt: cannot be read (Too many levels of symbolic links)" in stderr
