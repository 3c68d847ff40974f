"""Overwrite parts of a file in place so that a crash at any moment loses nothing: the
bytes about to be replaced go first to a rollback journal beside the file (as SQLite's
`-journal`), which the next podkit command that touches the file puts back.

Before podkit overwrites part of a file in place, it saves the bytes it is about to replace
in `.<name>.podkit-journal` beside it: a first line naming the format, a line of JSON (the
file's size, modification time and inode, the regions saved), a line with the SHA-256 of
the rest, then the saved bytes. Whoever finds a complete journal puts those bytes back: the
file is then exactly as it was. An incomplete one was being written when the run stopped,
before the file was touched: it is deleted.

A tag that outgrows its room can grow in place too, on file systems that insert whole blocks
at the start of a file without moving its data (Linux `fallocate` with
`FALLOC_FL_INSERT_RANGE`: ext4, XFS). The journal then also records how many bytes were
inserted; rolling back puts the saved bytes back behind them and collapses them again. Each
step of the roll-back can be done twice, so a crash during it is undone by the next one.

A build that patches many files of a site (a show's new cover in every MP3) journals them all
in one group journal, `.podkit-cache/journal` in the site: for each file its name in the site,
size, modification time, inode and saved regions, then one checksum, written and flushed
once; then every file is overwritten; then one syncfs(2) per file system makes them durable
(an fsync per file for a few files, or where syncfs is missing); then the journal is deleted
and its folder flushed. A crash at each point leaves every file old or new once the group is
rolled back:

- while the journal is written: no file was touched yet, and the journal, incomplete (its
  checksum fails) or absent, is deleted: every file is old;
- while the files are overwritten or flushed, or before the journal's deletion is on the
  disk: the journal is complete and durable, so rolling back puts every file's saved bytes
  and modification time back: every file is old, whatever part of the new bytes reached the
  disk (a build records the files it changes as pending, so the next one makes them again);
- once the journal's deletion is on the disk: every file was flushed before it: all are new.

A file that has another inode or size than the journal says was replaced since: it is
skipped. The journal is deleted only once every restored file is flushed, and restoring the
same bytes and time twice changes nothing, so a killed roll-back is finished by the next.
A build rolls its site's group back before it reads anything; `roll_back` of one file also
looks for a group journal in the folders above it, so `podkit tag`, `inspect` and `check`
on a site's MP3 roll the whole group back first.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import cast

from toolkit import digests

_JOURNAL_NAME = ".{}.podkit-journal"
_JOURNAL_MAGIC = b"podkit-journal 1\n"
# A site's group journal: the same folder as the site's other caches (`cache.CACHE_FOLDER`).
GROUP_JOURNAL = ".podkit-cache/journal"
_GROUP_MAGIC = b"podkit-group-journal 1\n"
# fallocate(2) modes: insert a hole of whole blocks at an offset, or remove whole blocks.
_INSERT_RANGE, _COLLAPSE_RANGE = 0x20, 0x08


class CannotInsert(Exception):
    """The file system cannot insert blocks into this file; nothing was written."""


def journal_path(path: Path) -> Path:
    return path.parent / _JOURNAL_NAME.format(path.name)


def write_in_place(path: Path, writes: list[tuple[int, bytes]], inserted: int = 0) -> None:
    """Overwrite these regions of ``path`` so that a crash at any moment leaves, once
    `roll_back` has run, the old file or the new one: journal the old bytes and flush it to
    disk, write, flush, delete the journal. With ``inserted``, that many bytes (whole blocks)
    are first inserted at the start of the file, and ``writes`` are offsets in the file they
    make; CannotInsert when the file system cannot, and then nothing was written."""
    journal = journal_path(path)
    with path.open("r+b") as stream:
        fd = stream.fileno()
        found = os.fstat(fd)
        saved = [(offset, os.pread(fd, n, offset)) for offset, n in _old_regions(writes, inserted)]
        header = json.dumps(
            {
                "size": found.st_size,
                "mtime_ns": found.st_mtime_ns,
                "ino": found.st_ino,
                "regions": [[offset, len(old)] for offset, old in saved],
                "inserted": inserted,
            }
        ).encode()
        body = header + b"\n" + b"".join(old for _, old in saved)
        digest = digests.sha256_hex(body).encode()
        _write_durably(journal, _JOURNAL_MAGIC + digest + b"\n" + body)
        if inserted:
            _insert(fd, inserted, journal)
        for offset, data in writes:
            os.pwrite(fd, data, offset)
        os.fsync(fd)
    journal.unlink()
    _fsync_folder(path.parent)


def _old_regions(writes: list[tuple[int, bytes]], inserted: int) -> list[tuple[int, int]]:
    """(offset, length) in the file before the insertion of the bytes each write replaces;
    the inserted bytes replace nothing."""
    regions = []
    for offset, data in writes:
        start, end = max(offset - inserted, 0), offset + len(data) - inserted
        if end > start:
            regions.append((start, end - start))
    return regions


def _insert(fd: int, inserted: int, journal: Path) -> None:
    """Insert ``inserted`` bytes at the start of the file; when the file system refuses, the
    journal goes (nothing was touched) and CannotInsert says so."""
    try:
        _fallocate(fd, _INSERT_RANGE, 0, inserted)
    except OSError as error:
        journal.unlink()
        raise CannotInsert(error.strerror) from None


def _fallocate(fd: int, mode: int, offset: int, length: int) -> None:
    """Linux's fallocate(2), which Python's os module offers only without its mode."""
    import ctypes  # only when a tag grows: not on the path of a re-tag in place

    libc = ctypes.CDLL(None, use_errno=True)
    call = getattr(libc, "fallocate64", None) or getattr(libc, "fallocate", None)
    if call is None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))
    call.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    if call(fd, mode, offset, length) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _write_durably(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_group_in_place(root: Path, files: Mapping[str, list[tuple[int, bytes]]]) -> None:
    """Overwrite these regions of these files of the folder ``root`` (by their names in it)
    under one group journal, so that a crash at any moment leaves, once `roll_back_group` has
    run, every file old or every file new (see the module's docstring)."""
    entries: list[dict[str, object]] = []
    saved: list[bytes] = []
    devices: dict[int, list[Path]] = {}
    for name, writes in files.items():
        facts, old, device = _save(root / name, writes)
        entries.append({"name": name, **facts})
        saved += old
        devices.setdefault(device, []).append(root / name)
    body = json.dumps({"files": entries}, ensure_ascii=False).encode() + b"\n" + b"".join(saved)
    digest = digests.sha256_hex(body).encode()
    journal = root / GROUP_JOURNAL
    journal.parent.mkdir(exist_ok=True)
    _write_durably(journal, _GROUP_MAGIC + digest + b"\n" + body)
    for name, writes in files.items():
        _overwrite(root / name, writes)
    _flush(devices)
    journal.unlink()
    _fsync_folder(journal.parent)


def _save(
    path: Path, writes: list[tuple[int, bytes]]
) -> tuple[dict[str, object], list[bytes], int]:
    """What the group journal keeps of a file: its facts and the bytes the writes replace;
    and its file system (for `_flush`)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        found = os.fstat(fd)
        old = [os.pread(fd, len(data), offset) for offset, data in writes]
    finally:
        os.close(fd)
    regions = [[offset, len(data)] for (offset, _), data in zip(writes, old, strict=True)]
    facts: dict[str, object] = {
        "size": found.st_size,
        "mtime_ns": found.st_mtime_ns,
        "ino": found.st_ino,
        "regions": regions,
    }
    return facts, old, found.st_dev


def _overwrite(path: Path, writes: list[tuple[int, bytes]]) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        for offset, data in writes:
            os.pwrite(fd, data, offset)
    finally:
        os.close(fd)


# From this many files on one file system, one syncfs(2) flushes them: far cheaper than an
# fsync each. Below it, each file is flushed alone: syncfs also waits for every other file's
# unwritten data there (a build's fresh copies of its MP3s, say), which one re-tag should not.
SYNCFS_FROM = 16


def _flush(devices: dict[int, list[Path]]) -> None:
    """Make what was written to these files (by file system) durable: one syncfs(2) for a file
    system holding many of them, else (or without syncfs) an fsync per file."""
    many = any(len(paths) >= SYNCFS_FROM for paths in devices.values())
    syncfs = _libc_function("syncfs") if many else None
    for paths in devices.values():
        at_once = syncfs is not None and len(paths) >= SYNCFS_FROM
        for path in paths[:1] if at_once else paths:
            fd = os.open(path, os.O_RDONLY)
            try:
                if not at_once:
                    os.fsync(fd)
                elif cast(Callable[[int], int], syncfs)(fd) != 0:
                    _raise_errno()
            finally:
                os.close(fd)


def _libc_function(name: str) -> Callable[..., int] | None:
    import ctypes  # only when a tag grows or a build patches files: not on `podkit tag`'s path

    function = getattr(ctypes.CDLL(None, use_errno=True), name, None)
    return cast(Callable[..., int] | None, function)


def _raise_errno() -> None:
    import ctypes

    code = ctypes.get_errno()
    raise OSError(code, os.strerror(code))


def roll_back_group(root: Path) -> str | None:
    """Deal with the group journal an interrupted build left in the folder ``root``: put each
    file's saved bytes and modification time back, skipping a file since replaced, or delete
    an incomplete journal. Says what was done; None when there was no journal."""
    journal = root / GROUP_JOURNAL
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return None
    saved = _parse_group(data)
    if saved is None:
        journal.unlink()
        _fsync_folder(journal.parent)
        return f"{journal}: removed, an incomplete journal (no file had been touched)"
    devices: dict[int, list[Path]] = {}
    for name, facts, regions in saved:
        path = root / name
        try:
            found = path.stat()
        except FileNotFoundError:
            continue
        if found.st_ino != facts["ino"] or found.st_size != facts["size"]:
            continue  # replaced since: not the file the journal saved bytes of
        _overwrite(path, regions)
        os.utime(path, ns=(found.st_atime_ns, facts["mtime_ns"]))
        devices.setdefault(found.st_dev, []).append(path)
    _flush(devices)  # before the journal goes: a killed roll-back is done again
    journal.unlink()
    _fsync_folder(journal.parent)
    count = sum(map(len, devices.values()))
    return f"{root}: {count} files restored as they were before an interrupted build"


def _parse_group(data: bytes) -> list[tuple[str, dict[str, int], list[tuple[int, bytes]]]] | None:
    """Each file's name, facts and saved regions, or None when the journal is not complete
    (or names a file outside its folder, which podkit never writes)."""
    if not data.startswith(_GROUP_MAGIC):
        return None
    digest, _, body = data[len(_GROUP_MAGIC) :].partition(b"\n")
    if digests.sha256_hex(body).encode() != digest:
        return None
    header, _, rest = body.partition(b"\n")
    files = []
    position = 0
    try:
        for entry in json.loads(header)["files"]:
            name = str(entry["name"])
            parts = PurePosixPath(name).parts
            if not parts or name.startswith("/") or ".." in parts:
                raise ValueError(f"{name!r} is not a name inside the site")
            facts = {k: int(entry[k]) for k in ("size", "mtime_ns", "ino")}
            regions = []
            for offset, length in entry["regions"]:
                if not 0 <= int(offset) <= int(offset) + int(length) <= facts["size"]:
                    raise ValueError("a region outside the file")
                regions.append((int(offset), rest[position : position + int(length)]))
                position += int(length)
            files.append((name, facts, regions))
    except (ValueError, KeyError, TypeError):
        return None
    return files if position == len(rest) else None


def _site_above(path: Path) -> Path | None:
    """The nearest folder above ``path`` that holds a group journal: a stat per folder."""
    folder, parent = str(path), os.path.dirname(path)
    while parent != folder:  # up to the root, as strings: this runs before every `podkit tag`
        folder, parent = parent, os.path.dirname(parent)
        if os.path.lexists(os.path.join(folder, GROUP_JOURNAL)):
            return Path(folder)
    return None


def roll_back(path: Path, group: bool = True) -> str | None:
    """Deal with a journal an interrupted in-place write of ``path`` left: put the saved bytes
    back (and the modification time), or delete a journal that is incomplete or belongs to a
    file since replaced. Says what was done; None when there was no journal. A symbolic
    link's target is the file. With ``group``, first roll back the group journal of the site
    that holds the file, if an interrupted build left one (`roll_back_group`)."""
    path = Path(os.path.realpath(path))
    site = _site_above(path) if group else None
    done = [roll_back_group(site) if site else None, _roll_back_file(path)]
    return "\n".join(what for what in done if what) or None


def _roll_back_file(path: Path) -> str | None:
    journal = journal_path(path)
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return None
    saved = _parse_journal(data)
    if saved is None:
        journal.unlink()
        return f"{journal}: removed, an incomplete journal (the file had not been touched)"
    facts, regions = saved
    try:
        found = path.stat()
    except FileNotFoundError:
        found = None
    # The inserted bytes are still there when the file has the size the insertion gave it.
    sizes = {facts["size"]: 0, facts["size"] + facts["inserted"]: facts["inserted"]}
    if found is None or found.st_ino != facts["ino"] or found.st_size not in sizes:
        journal.unlink()
        return f"{journal}: removed, the file it was kept for has been replaced since"
    shift = sizes[found.st_size]
    with path.open("r+b") as stream:
        for offset, old in regions:
            os.pwrite(stream.fileno(), old, offset + shift)
        if shift:
            _fallocate(stream.fileno(), _COLLAPSE_RANGE, 0, shift)
        os.fsync(stream.fileno())
    os.utime(path, ns=(found.st_atime_ns, facts["mtime_ns"]))
    journal.unlink()
    _fsync_folder(path.parent)
    return f"{path}: restored as it was before an interrupted podkit tag"


def _parse_journal(data: bytes) -> tuple[dict[str, int], list[tuple[int, bytes]]] | None:
    """The file's facts and the saved regions, or None when the journal is not complete."""
    if not data.startswith(_JOURNAL_MAGIC):
        return None
    digest, _, body = data[len(_JOURNAL_MAGIC) :].partition(b"\n")
    if digests.sha256_hex(body).encode() != digest:
        return None
    header, _, rest = body.partition(b"\n")
    try:
        facts = json.loads(header)
        regions = []
        position = 0
        for offset, length in facts["regions"]:
            regions.append((int(offset), rest[position : position + length]))
            position += length
        found = {k: int(facts[k]) for k in ("size", "mtime_ns", "ino")}
        found["inserted"] = int(facts.get("inserted", 0))  # absent from journals of podkit 0.1
        if found["inserted"] < 0:
            raise ValueError("a negative insertion")
        return found, regions
    except (ValueError, KeyError, TypeError):
        return None
