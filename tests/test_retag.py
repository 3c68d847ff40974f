"""Re-tagging in place: only the tag is written, under a rollback journal that the next podkit
command undoes after a crash; a tag that outgrows its room is rewritten with room to spare."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import TONE, ShowMaker, inserts_blocks, tree_digest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.id3 import APIC, ID3, TIT2, PictureType
from mutagen.id3._tags import ID3SaveConfig

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
    audio.tag_file(mp3, tags)
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


def test_a_tag_that_outgrows_its_room_gets_room_to_spare(
    mp3: Path, tags: audio.EpisodeTags
) -> None:
    audio.tag_file(mp3, tags)
    before = mp3.read_bytes()
    huge = replace(tags, cover_jpeg=b"\xff\xd8" + bytes(200 * 1024) + b"\xff\xd9")
    audio.tag_file(mp3, huge)
    assert audio.audio_start(mp3.read_bytes()) % audio.TAG_BLOCK == 0
    assert ID3(mp3).getall("APIC")[0].data == huge.cover_jpeg
    assert mp3.read_bytes() == audio.tag_bytes(before, huge)  # whichever way it was written


# ---------------------------------------------------------------- growing in place

needs_insert = pytest.mark.skipif(
    not inserts_blocks(Path(tempfile.gettempdir())),
    reason="the temporary folder's file system cannot insert blocks (tmpfs, btrfs...)",
)


@needs_insert
@pytest.mark.parametrize("id3v1", [False, True])
def test_a_first_tag_grows_the_file_in_place(
    mp3: Path, tags: audio.EpisodeTags, id3v1: bool
) -> None:
    if id3v1:
        mp3.write_bytes(TONE.read_bytes() + b"TAG" + b"old title".ljust(125, b"\0"))
    before, inode = mp3.read_bytes(), mp3.stat().st_ino
    assert audio.tag_file(mp3, tags).in_place
    assert mp3.stat().st_ino == inode  # the same file: the audio was neither copied nor moved
    assert mp3.read_bytes() == audio.tag_bytes(before, tags)  # what a copy would have written
    assert _hidden(mp3.parent) == []


@needs_insert
@pytest.mark.parametrize("killed", ["journal", "insert", "write 1", "write 2"])
@pytest.mark.parametrize("undo_killed", [None, "write 1", "write 2", "collapse"])
def test_a_killed_growth_is_rolled_back_even_when_the_roll_back_is_killed(
    mp3: Path,
    tags: audio.EpisodeTags,
    monkeypatch: pytest.MonkeyPatch,
    killed: str,
    undo_killed: str | None,
) -> None:
    """Killed once the journal is written, once the blocks are inserted, after the new tag and
    after the new ID3v1 tag; then its roll-back killed after each of its steps: the next
    roll-back gives the file back byte for byte, its modification time too."""
    original = TONE.read_bytes() + b"TAG" + b"old title".ljust(125, b"\0")
    mp3.write_bytes(original)
    mtime = mp3.stat().st_mtime_ns
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        _kill_at(patched, killed)
        audio.tag_file(mp3, tags)
    assert journal.journal_path(mp3).exists()
    assert (mp3.stat().st_size > len(original)) == (killed != "journal")  # blocks inserted
    if undo_killed is not None:
        with monkeypatch.context() as patched, contextlib.suppress(KeyboardInterrupt):
            _kill_at(patched, undo_killed)
            journal.roll_back(mp3)  # it may end before the step: then the next does nothing
        journal.roll_back(mp3)
    else:
        assert "restored" in (journal.roll_back(mp3) or "")
    assert mp3.read_bytes() == original
    assert mp3.stat().st_mtime_ns == mtime
    assert _hidden(mp3.parent) == []


def _kill_at(patched: pytest.MonkeyPatch, step: str) -> None:
    """Raise KeyboardInterrupt (a kill: nothing after it runs) at ``step``: "journal" (just
    before the insertion), "insert" and "collapse" (once fallocate has done it), "write N"
    (once the Nth region is written)."""
    real_fallocate, real_pwrite = journal._fallocate, os.pwrite
    writes = 0

    def fallocate(fd: int, mode: int, offset: int, length: int) -> None:
        if step == "journal":
            raise KeyboardInterrupt
        real_fallocate(fd, mode, offset, length)
        if step == {journal._INSERT_RANGE: "insert", journal._COLLAPSE_RANGE: "collapse"}[mode]:
            raise KeyboardInterrupt

    def pwrite(fd: int, data: bytes, offset: int) -> int:
        nonlocal writes
        writes += 1
        done = real_pwrite(fd, data, offset)
        if step == f"write {writes}":
            raise KeyboardInterrupt
        return done

    patched.setattr(journal, "_fallocate", fallocate)
    patched.setattr(journal.os, "pwrite", pwrite)


def test_a_tag_of_odd_size_is_rewritten_not_grown(mp3: Path, tags: audio.EpisodeTags) -> None:
    """Another tool's tag of 100 bytes: growing it to podkit's size is not whole blocks."""
    id3 = ID3()
    id3.add(TIT2(encoding=1, text=["Old title"]))
    id3.save(mp3, padding=lambda info: 100 - 10 - len(id3._write(ID3SaveConfig())))
    before, inode = mp3.read_bytes(), mp3.stat().st_ino
    assert audio.audio_start(before) == 100
    assert not audio.tag_file(mp3, tags).in_place
    assert mp3.stat().st_ino != inode
    assert mp3.read_bytes() == audio.tag_bytes(before, tags)


def test_growth_falls_back_to_a_copy_where_the_file_system_cannot_insert(
    mp3: Path, tags: audio.EpisodeTags, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(fd: int, mode: int, offset: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))

    monkeypatch.setattr(journal, "_fallocate", refused)
    before = mp3.read_bytes()
    assert not audio.tag_file(mp3, tags).in_place
    assert mp3.read_bytes() == audio.tag_bytes(before, tags)
    assert _hidden(mp3.parent) == []


def test_a_file_with_other_hard_links_is_rewritten_not_grown(
    mp3: Path, tags: audio.EpisodeTags, tmp_path: Path
) -> None:
    other = tmp_path / "other-name.mp3"
    os.link(mp3, other)
    assert not audio.tag_file(mp3, tags).in_place
    assert other.read_bytes() == TONE.read_bytes()  # the other name keeps the file as it was
    assert mp3.read_bytes() == audio.tag_bytes(TONE.read_bytes(), tags)


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


# ---------------------------------------------------------------- a new cover


def _patched(path: Path, writes: list[tuple[int, bytes]]) -> bytes:
    data = bytearray(path.read_bytes())
    for offset, new in writes:
        data[offset : offset + len(new)] = new
    return bytes(data)


def _with_pictures(mp3: Path, version: int, *descriptions: str) -> None:
    """Give the source its own tag: a back cover and a front cover under these descriptions,
    and a frame mutagen does not know (carried over as it is)."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=["Titre de l'éditeur"]))
    for number, description in enumerate(descriptions):
        kind = PictureType.COVER_BACK if number % 2 == 0 else PictureType.COVER_FRONT
        id3.add(APIC(encoding=3, mime="image/png", type=kind, desc=description, data=b"\x89PNG"))
    id3.save(mp3, v2_version=version)
    data = mp3.read_bytes()  # an unknown frame (XXXX), put before the padding
    size = audio.audio_start(data)
    frames = data[10:size].rstrip(b"\0") + b"XXXX" + bytes((0, 0, 0, 3, 0, 0)) + b"abc"
    tag = frames.ljust(size - 10, b"\0")
    mp3.write_bytes(data[:6] + _syncsafe(len(tag)) + tag + data[size:])


def _syncsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


@settings(max_examples=60, deadline=None)
@given(
    version=st.sampled_from([3, 4]),
    own_tag=st.sampled_from([(), ("Cover",), ("Cover", "Cover 2", "Autre"), ("Été", "€")]),
    old_size=st.integers(0, 40_000),
    new_size=st.integers(0, 80_000),
)
def test_a_new_cover_is_swapped_in_as_a_full_tag_would_write_it(
    tmp_path_factory: pytest.TempPathFactory,
    version: int,
    own_tag: tuple[str, ...],
    old_size: int,
    new_size: int,
) -> None:
    """Only the cover frame and what follows it are written; the file is then byte for byte
    the copy a full tag would make, or, when that copy would not fit the room, no patch."""
    folder = tmp_path_factory.mktemp("cover")
    source, site_copy = folder / "source.mp3", folder / "site.mp3"
    source.write_bytes(TONE.read_bytes() + b"TAG" + bytes(125))
    if own_tag:
        _with_pictures(source, version, *own_tag)
    tags = audio.EpisodeTags(
        "Épisode", "Hôte", "Émission", "2024-05-01", 3, "Résumé", "fra", "g", "https://e/1",
        "https://e/f", b"\xff\xd8" + bytes(old_size), (audio.ChapterTag(0, 500, "Un"),),
    )  # fmt: skip
    site_copy.write_bytes(audio.tag_bytes(source.read_bytes(), tags, version))
    new = replace(tags, cover_jpeg=b"\xff\xd8" + os.urandom(new_size))
    full = audio.tag_patch(source, new, version)
    patch = audio.cover_patch(site_copy, source, new.cover_jpeg or b"", version)
    if audio.fits_in_place(site_copy, full):
        assert patch is not None
        assert patch.size == site_copy.stat().st_size
        assert _patched(site_copy, patch.writes) == audio.tag_bytes(
            source.read_bytes(), new, version
        )
        assert min(offset for offset, _ in patch.writes) > 10  # the frames before it stay
    else:
        assert patch is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda tag: tag[:5] + b"\x80" + tag[6:],  # a tag flag podkit never sets
        lambda tag: tag.replace(b"image/jpeg", b"image/jpog"),  # not podkit's picture
        lambda tag: tag.replace(b"APIC", b"APIX"),  # no picture frame
        lambda tag: tag[:14] + b"\x7f\xff\xff\xff" + tag[18:],  # a frame past the tag's end
    ],
)
def test_a_cover_frame_not_as_podkit_writes_it_gets_no_patch(
    mp3: Path, tags: audio.EpisodeTags, tmp_path: Path, damage: Any
) -> None:
    site_copy = tmp_path / "site.mp3"
    data = audio.tag_bytes(mp3.read_bytes(), tags)
    size = audio.audio_start(data)
    site_copy.write_bytes(damage(data[:size]) + data[size:])
    assert audio.cover_patch(site_copy, mp3, b"\xff\xd8new", 3) is None


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
    assert (out / journal.GROUP_JOURNAL).exists()  # the build journals its patches as one
    build(source, out)
    clean = tmp_path / "clean"
    build(source, clean)
    assert _site(out) == _site(clean)
    assert _hidden((out / MP3).parent) == []
