"""Re-tagging in place: only the tag is written, under a rollback journal that the next podkit
command undoes after a crash; a tag that outgrows its room is rewritten with room to spare."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TONE, ShowMaker, tree_digest
from mutagen.id3 import ID3

from toolkit import audio, journal
from toolkit.build import build
from toolkit.cli import cli
from toolkit.config import load_show
from toolkit.id3_fields import episode_tags


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def source(make_show: ShowMaker) -> Path:
    return make_show()


@pytest.fixture
def tags(source: Path) -> audio.EpisodeTags:
    show, _ = load_show(source)
    return episode_tags(show, show.episodes[0], b"\xff\xd8cover\xff\xd9")


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    path = tmp_path / "final.mp3"
    path.write_bytes(TONE.read_bytes())
    return path


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_first_tag_leaves_generous_room(mp3: Path, tags: audio.EpisodeTags) -> None:
    result = audio.tag_file(mp3, tags)
    assert not result.in_place
    data = mp3.read_bytes()
    room = audio.audio_start(data)
    assert room % audio.TAG_BLOCK == 0
    # A cover 8 KB larger still fits the room: the next change is written in place.
    bigger = replace(tags, cover_jpeg=b"\xff\xd8" + os.urandom(8 * 1024) + b"\xff\xd9")
    assert audio.tag_file(mp3, bigger).in_place


def test_retag_writes_only_the_tag_in_place(mp3: Path, tags: audio.EpisodeTags) -> None:
    audio.tag_file(mp3, tags)
    before = mp3.read_bytes()
    inode = mp3.stat().st_ino
    new = replace(tags, title=tags.title + " (version corrigée)")
    result = audio.tag_file(mp3, new)
    assert result.in_place
    assert mp3.stat().st_ino == inode  # the same file, not a copy renamed over it
    assert mp3.read_bytes() == audio.tag_bytes(before, new)
    assert ID3(mp3)["TIT2"].text == [new.title]
    assert _hidden(mp3.parent) == []  # no journal, no temporary file left


def test_a_tag_that_outgrows_its_room_is_rewritten(mp3: Path, tags: audio.EpisodeTags) -> None:
    audio.tag_file(mp3, tags)
    huge = replace(tags, cover_jpeg=b"\xff\xd8" + bytes(200 * 1024) + b"\xff\xd9")
    result = audio.tag_file(mp3, huge)
    assert not result.in_place
    assert audio.audio_start(mp3.read_bytes()) % audio.TAG_BLOCK == 0
    assert ID3(mp3).getall("APIC")[0].data == huge.cover_jpeg


def test_id3v1_is_rewritten_in_place_too(mp3: Path, tags: audio.EpisodeTags) -> None:
    mp3.write_bytes(TONE.read_bytes() + b"TAG" + b"old title".ljust(125, b"\0"))
    audio.tag_file(mp3, tags)
    before = mp3.read_bytes()
    new = replace(tags, title="Un autre titre")
    assert audio.tag_file(mp3, new).in_place
    assert mp3.read_bytes()[-128:] == audio.id3v1_tag(new)
    assert mp3.read_bytes() == audio.tag_bytes(before, new)


@pytest.mark.parametrize("command", ["inspect", "tag"])
def test_a_crashed_in_place_write_is_rolled_back_by_the_next_command(
    source: Path,
    mp3: Path,
    tags: audio.EpisodeTags,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    audio.tag_file(mp3, tags)
    before, mtime = mp3.read_bytes(), mp3.stat().st_mtime_ns
    real = os.pwrite

    def crash(fd: int, data: bytes, offset: int) -> int:
        real(fd, b"\0" * (len(data) // 2), offset)
        raise KeyboardInterrupt  # stands for a kill: nothing after it runs

    monkeypatch.setattr(audio.os, "pwrite", crash)
    with pytest.raises(KeyboardInterrupt):
        audio.tag_file(mp3, replace(tags, title="Nouveau"))
    monkeypatch.setattr(audio.os, "pwrite", real)
    assert mp3.read_bytes() != before  # half written
    assert _hidden(mp3.parent) == [".final.mp3.podkit-journal"]
    if command == "inspect":
        code, _, stderr = run("inspect", str(mp3))
        assert code == 0
        assert "restored as it was before an interrupted podkit tag" in stderr
        assert mp3.read_bytes() == before
        assert mp3.stat().st_mtime_ns == mtime
    else:
        episode = source / "001-premier"
        code, _, stderr = run("tag", str(mp3), "--episode", str(episode))
        assert code == 0, stderr
        assert "restored as it was before an interrupted podkit tag" in stderr
        assert ID3(mp3)["TIT2"].text == [tags.title]
        assert mp3.read_bytes()[audio.audio_start(before) :] == before[audio.audio_start(before) :]
    assert _hidden(mp3.parent) == []


def test_an_incomplete_journal_is_removed_and_the_file_left(
    mp3: Path, tags: audio.EpisodeTags
) -> None:
    audio.tag_file(mp3, tags)
    before = mp3.read_bytes()
    journal.write_in_place(mp3, [(0, b"ID3")])  # a complete write, whose journal we forge
    kept = journal.journal_path(mp3)
    for cut in (b"", b"podkit-journal 1\n", b"podkit-journal 1\nabc\n{}\n"):
        kept.write_bytes(cut)
        assert "incomplete journal" in (journal.roll_back(mp3) or "")
        assert not kept.exists()
        assert mp3.read_bytes() == before


def test_a_journal_of_a_file_replaced_since_is_not_applied(
    mp3: Path, tags: audio.EpisodeTags, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio.tag_file(mp3, tags)
    real = os.pwrite

    def crash(fd: int, data: bytes, offset: int) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(audio.os, "pwrite", crash)
    with pytest.raises(KeyboardInterrupt):
        audio.tag_file(mp3, replace(tags, title="Nouveau"))
    monkeypatch.setattr(audio.os, "pwrite", real)
    other = tmp_path / "other.mp3"
    other.write_bytes(b"another file, put in its place" * 100)
    shutil.move(other, mp3)
    assert "replaced since" in (journal.roll_back(mp3) or "")
    assert mp3.read_bytes() == b"another file, put in its place" * 100
    assert _hidden(mp3.parent) == []


def test_tag_takes_several_files_of_one_episode(make_show: ShowMaker, tmp_path: Path) -> None:
    episode = make_show() / "001-premier"
    files = [tmp_path / "final.mp3", tmp_path / "final-64k.mp3"]
    for path in files:
        path.write_bytes(TONE.read_bytes())
    code, stdout, stderr = run("tag", *map(str, files), "--episode", str(episode))
    assert code == 0, stderr
    assert [line.split(":")[0] for line in stdout.splitlines()] == list(map(str, files))
    assert files[0].read_bytes() == files[1].read_bytes()
    code, stdout, _ = run("tag", *map(str, files), "--episode", str(episode))
    assert stdout.count("(in place)") == 2


def test_tag_of_several_files_reports_every_problem_and_writes_none(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    episode = make_show() / "001-premier"
    good = tmp_path / "final.mp3"
    good.write_bytes(TONE.read_bytes())
    missing, folder = tmp_path / "nope.mp3", tmp_path
    code, _, stderr = run("tag", str(good), str(missing), str(folder), "--episode", str(episode))
    assert code == 1
    assert "nope.mp3: file not found" in stderr
    assert "is a folder" in stderr
    assert "Traceback" not in stderr
    assert good.read_bytes() == TONE.read_bytes()


# ---------------------------------------------------------------- the build's copies

MP3 = "001-premier/episode.mp3"


def _site(folder: Path) -> dict[str, str]:
    """Every file's digest, the manifest aside (it records modification times)."""
    files = tree_digest(folder)
    del files[".podkit-manifest.json"]
    return files


def _new_cover(source: Path) -> None:
    """Another cover of the same size: every episode's tag changes, no audio does."""
    from PIL import Image

    Image.new("RGB", (1400, 1400), (200, 30, 40)).save(source / "cover.jpg", "JPEG")


@pytest.mark.parametrize("change", ["cover", "title", "chapter"])
def test_a_build_retags_the_site_copy_in_place_as_a_clean_build_would(
    source: Path, tmp_path: Path, change: str
) -> None:
    out = tmp_path / "site"
    build(source, out)
    site_copy = out / MP3
    assert site_copy.exists(), sorted(str(p) for p in out.rglob("*.mp3"))
    inode = site_copy.stat().st_ino
    if change == "cover":
        _new_cover(source)
    else:
        old, new = ("Premier épisode", "Le premier")
        if change == "chapter":
            old, new = ("Le cœur du sujet", "Au cœur du sujet")
        toml = source / "001-premier" / "episode.toml"
        toml.write_text(toml.read_text("utf-8").replace(old, new), "utf-8")
    report = build(source, out)
    assert MP3 in report.written.written
    assert site_copy.stat().st_ino == inode  # written in place, not copied again
    clean = tmp_path / "clean"
    build(source, clean)
    assert _site(out) == _site(clean)
    assert _hidden(site_copy.parent) == []


def test_a_build_killed_while_retagging_is_completed_by_the_next(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(source, out)
    _new_cover(source)
    real = os.pwrite

    def crash(fd: int, data: bytes, offset: int) -> int:
        real(fd, b"\0" * len(data), offset)
        raise KeyboardInterrupt  # stands for a kill: nothing after it runs

    monkeypatch.setattr(journal.os, "pwrite", crash)
    with pytest.raises(KeyboardInterrupt):
        build(source, out)
    monkeypatch.setattr(journal.os, "pwrite", real)
    assert journal.journal_path(out / MP3).exists()
    build(source, out)
    clean = tmp_path / "clean"
    build(source, clean)
    assert _site(out) == _site(clean)
    assert _hidden((out / MP3).parent) == []
