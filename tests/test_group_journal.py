"""One rollback journal for many in-place writes (a build's patches): stopped at any point,
then rolled back, every file is old or every file is new, and no journal is left."""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import journal

NAMES = [f"{number:03d}-ep/episode.mp3" for number in range(1, 6)]
Writes = dict[str, list[tuple[int, bytes]]]


class Stop(BaseException):
    """Stands for a kill: nothing after it runs."""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    rng = random.Random(4)
    root = tmp_path / "site"
    for name in NAMES:
        (root / name).parent.mkdir(parents=True)
        (root / name).write_bytes(rng.randbytes(20_000))
        os.utime(root / name, ns=(10**18, 10**18))
    return root


def _writes() -> Writes:
    rng = random.Random(5)
    return {name: [(100, rng.randbytes(3_000)), (9_000, rng.randbytes(500))] for name in NAMES}


def _patched(old: bytes, writes: list[tuple[int, bytes]]) -> bytes:
    data = bytearray(old)
    for offset, new in writes:
        data[offset : offset + len(new)] = new
    return bytes(data)


def _contents(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in NAMES}


def _stop_after(count: int, real: Callable[..., object]) -> Callable[..., object]:
    """``real``, run ``count`` times, then a stop (with half of the next call's writes done
    when it writes)."""
    calls = []

    def stopping(*args: object) -> object:
        if len(calls) == count:
            if real is journal._overwrite:
                path, writes = args
                real(path, [(offset, data[: len(data) // 2]) for offset, data in writes])
            raise Stop
        calls.append(args)
        return real(*args)

    return stopping


def _torn_journal(path: Path, data: bytes) -> None:
    path.write_bytes(data[: len(data) // 2])  # the run stopped while writing it
    raise Stop


# Each point where a group write can stop: the name of what it stops in, and after how many
# calls of it.
STOPS = {
    "while the journal is written": ("_write_durably", None),
    "before any file is overwritten": ("_overwrite", 0),
    "halfway through overwriting the files": ("_overwrite", 2),
    "while overwriting the last file": ("_overwrite", len(NAMES) - 1),
    "before the files are flushed": ("_flush", 0),
    "before the journal's deletion is flushed": ("_fsync_folder", 1),
}


def _stopped_write(site: Path, monkeypatch: pytest.MonkeyPatch, stop: str) -> None:
    function, count = STOPS[stop]
    real = getattr(journal, function)
    stopping = _torn_journal if count is None else _stop_after(count, real)
    with monkeypatch.context() as patch:
        patch.setattr(journal, function, stopping)
        with pytest.raises(Stop):
            journal.write_group_in_place(site, _writes())


def _roll_back_through_one_file(site: Path) -> str | None:
    return journal.roll_back(site / NAMES[3])


@pytest.mark.parametrize("stop", list(STOPS))
@pytest.mark.parametrize("roll_back", [journal.roll_back_group, _roll_back_through_one_file])
def test_a_stopped_group_write_is_rolled_back_to_every_old_file(
    site: Path, monkeypatch: pytest.MonkeyPatch, stop: str, roll_back: Callable[[Path], object]
) -> None:
    old = _contents(site)
    new = {name: _patched(old[name], writes) for name, writes in _writes().items()}
    times = {name: (site / name).stat().st_mtime_ns for name in NAMES}
    _stopped_write(site, monkeypatch, stop)
    roll_back(site)
    found = _contents(site)
    assert found in (old, new)  # every file old, or (the journal's deletion done) every one new
    if found == old:
        assert {name: (site / name).stat().st_mtime_ns for name in NAMES} == times
    assert not (site / journal.GROUP_JOURNAL).exists()
    assert journal.roll_back_group(site) is None


def test_a_group_write_leaves_every_file_new_and_no_journal(site: Path) -> None:
    old = _contents(site)
    journal.write_group_in_place(site, _writes())
    assert _contents(site) == {n: _patched(old[n], w) for n, w in _writes().items()}
    assert os.listdir(site / ".podkit-cache") == []


@pytest.mark.parametrize("undo_stopped_after", [0, 2, len(NAMES) - 1])
def test_a_stopped_roll_back_is_finished_by_the_next(
    site: Path, monkeypatch: pytest.MonkeyPatch, undo_stopped_after: int
) -> None:
    old = _contents(site)
    _stopped_write(site, monkeypatch, "before the files are flushed")
    with monkeypatch.context() as patch:
        patch.setattr(journal, "_overwrite", _stop_after(undo_stopped_after, journal._overwrite))
        with pytest.raises(Stop):
            journal.roll_back_group(site)
    assert (site / journal.GROUP_JOURNAL).exists()
    journal.roll_back(site / NAMES[0])
    assert _contents(site) == old
    assert not (site / journal.GROUP_JOURNAL).exists()


def test_a_torn_group_journal_is_deleted_and_no_file_touched(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[bytes] = []
    with monkeypatch.context() as patch:
        patch.setattr(journal, "_write_durably", lambda path, data: kept.append(data))
        patch.setattr(journal, "_overwrite", _stop_after(0, journal._overwrite))
        with pytest.raises(Stop):
            journal.write_group_in_place(site, _writes())
    old = _contents(site)
    complete = kept[0]
    for cut in (0, 10, len(complete) // 2, len(complete) - 1):
        (site / journal.GROUP_JOURNAL).write_bytes(complete[:cut])
        (site / NAMES[0]).write_bytes(b"written since" + old[NAMES[0]][13:])
        assert "incomplete" in (journal.roll_back_group(site) or "")
        assert (site / NAMES[0]).read_bytes().startswith(b"written since")
        assert not (site / journal.GROUP_JOURNAL).exists()


def test_a_file_replaced_since_is_skipped(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _contents(site)
    _stopped_write(site, monkeypatch, "before the files are flushed")
    replaced, resized = site / NAMES[1], site / NAMES[2]
    replaced.unlink()
    replaced.write_bytes(b"another file" * 2_000)  # another inode
    with resized.open("ab") as stream:
        stream.write(b"more")  # another size: not the file the journal knew
    kept = resized.read_bytes()
    (site / NAMES[4]).unlink()  # gone: nothing to restore
    journal.roll_back_group(site)
    assert replaced.read_bytes() == b"another file" * 2_000
    assert resized.read_bytes() == kept
    assert (site / NAMES[0]).read_bytes() == old[NAMES[0]]
    assert (site / NAMES[3]).read_bytes() == old[NAMES[3]]
    assert not (site / journal.GROUP_JOURNAL).exists()


def test_a_journal_naming_a_file_outside_its_folder_is_not_applied(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(bytes(20_000))
    escape = "../outside.mp3"
    with monkeypatch.context() as patch:
        patch.setattr(journal, "_overwrite", _stop_after(0, journal._overwrite))
        with pytest.raises(Stop):
            journal.write_group_in_place(site, {escape: [(0, b"new")]})
    outside.write_bytes(b"\1" * 20_000)  # would be "restored" to zeros
    ino = outside.stat().st_ino
    assert "incomplete" in (journal.roll_back_group(site) or "")
    assert outside.read_bytes() == b"\1" * 20_000 and outside.stat().st_ino == ino


def test_without_syncfs_every_file_is_flushed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "_libc_function", lambda name: None)
    flushed: list[int] = []
    real = os.fsync
    monkeypatch.setattr(journal.os, "fsync", lambda fd: flushed.append(fd) or real(fd))
    old = _contents(site)
    journal.write_group_in_place(site, _writes())
    assert len(flushed) >= len(NAMES)
    assert _contents(site) == {n: _patched(old[n], w) for n, w in _writes().items()}


def test_roll_back_of_a_file_outside_any_site_finds_no_group(tmp_path: Path) -> None:
    lone = tmp_path / "lone.mp3"
    lone.write_bytes(b"x")
    assert journal.roll_back(lone) is None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_ENTRY = st.fixed_dictionaries(
    {
        "name": st.sampled_from([*NAMES, "../x", "/etc/x", "", "a/../../x"]) | st.text(),
        "size": st.integers(-5, 30_000) | st.text(max_size=3),
        "mtime_ns": st.integers(0, 2**62),
        "ino": st.integers(-1, 2**40),
        "regions": st.lists(st.lists(st.integers(-10, 30_000), max_size=3), max_size=3) | _JSON,
    }
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.fixed_dictionaries({"files": st.lists(_ENTRY, max_size=3)}) | _JSON,
    saved=st.binary(max_size=64),
    checksum_right=st.booleans(),
)
def test_any_group_journal_is_rolled_back_or_removed_without_a_traceback(
    site: Path, header: object, saved: bytes, checksum_right: bool
) -> None:
    """Whatever a group journal holds, rolling it back never fails, never writes outside the
    site, never changes a file's size, and leaves no journal."""
    sizes = {name: (site / name).stat().st_size for name in NAMES}
    body = json.dumps(header).encode() + b"\n" + saved
    digest = hashlib.sha256(body if checksum_right else body + b"?").hexdigest().encode()
    (site / ".podkit-cache").mkdir(exist_ok=True)
    (site / journal.GROUP_JOURNAL).write_bytes(b"podkit-group-journal 1\n" + digest + b"\n" + body)
    journal.roll_back_group(site)
    assert not (site / journal.GROUP_JOURNAL).exists()
    assert {name: (site / name).stat().st_size for name in NAMES} == sizes
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


@pytest.mark.parametrize("region", [[19_990, 20], [-5, 10], [0, -3]])
def test_a_journal_with_a_region_outside_its_file_is_not_applied(
    site: Path, region: list[int]
) -> None:
    """A checksummed journal podkit did not write (a region past the file's end, or
    negative): removed, the file neither grown nor written."""
    path = site / NAMES[0]
    old, found = path.read_bytes(), path.stat()
    facts = {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "ino": found.st_ino}
    saved = b"x" * max(region[1], 0)
    header = {"files": [{"name": NAMES[0], **facts, "regions": [region]}]}
    body = json.dumps(header).encode() + b"\n" + saved
    digest = hashlib.sha256(body).hexdigest().encode()
    (site / ".podkit-cache").mkdir()
    (site / journal.GROUP_JOURNAL).write_bytes(b"podkit-group-journal 1\n" + digest + b"\n" + body)
    assert "incomplete" in (journal.roll_back_group(site) or "")
    assert path.read_bytes() == old
    assert not (site / journal.GROUP_JOURNAL).exists()


def _spied_flushes(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """The fds given to syncfs (a stand-in that flushes its file) and to fsync, from now on."""
    synced: list[int] = []
    flushed: list[int] = []
    real = os.fsync

    def syncfs(fd: int) -> int:
        synced.append(fd)
        real(fd)
        return 0

    monkeypatch.setattr(journal, "_libc_function", lambda name: syncfs)
    monkeypatch.setattr(journal.os, "fsync", lambda fd: flushed.append(fd) or real(fd))
    return synced, flushed


def test_a_few_files_are_flushed_each_not_the_whole_file_system(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """syncfs would also wait for every other file's unwritten data (a build's fresh copies):
    a group of a few files is flushed file by file."""
    synced, flushed = _spied_flushes(monkeypatch)
    journal.write_group_in_place(site, _writes())
    assert synced == [] and len(flushed) >= len(NAMES)


def test_many_files_of_one_file_system_are_flushed_at_once(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced, flushed = _spied_flushes(monkeypatch)
    monkeypatch.setattr(journal, "SYNCFS_FROM", len(NAMES))
    old = _contents(site)
    journal.write_group_in_place(site, _writes())
    assert len(synced) == 1
    assert len(flushed) < len(NAMES)  # the journal's own, not one per file
    assert _contents(site) == {n: _patched(old[n], w) for n, w in _writes().items()}
