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
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

_JOURNAL_NAME = ".{}.podkit-journal"
_JOURNAL_MAGIC = b"podkit-journal 1\n"
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
        digest = hashlib.sha256(body).hexdigest().encode()
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


def roll_back(path: Path) -> str | None:
    """Deal with a journal an interrupted in-place write of ``path`` left: put the saved bytes
    back (and the modification time), or delete a journal that is incomplete or belongs to a
    file since replaced. Says what was done; None when there was no journal. A symbolic
    link's target is the file."""
    path = Path(os.path.realpath(path))
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
    if hashlib.sha256(body).hexdigest().encode() != digest:
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
