"""Write the built site: atomically, file by file, skipping what did not change.

Every file goes to a temporary name in its folder and is renamed over the old one, so a reader
never sees half a file. A manifest (``.podkit-manifest.json``) records what the last build
wrote: per file a key, its size and its modification time. The next build skips a file whose
key is the same and which is still as it was left (same size and time), and removes the files
it wrote before but no longer produces (never anything else in the folder).

Nothing in the manifest is trusted: it may have been edited, or left by a build that was
killed. Only relative names of plain files inside the site are ever deleted; before its first
rename a build records the names it is about to change as pending, so the next build makes
them again (or removes them) even if this one is killed halfway; and every build removes the
temporary files that killed builds left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, NamedTuple

from toolkit.errors import Problem

MANIFEST = ".podkit-manifest.json"

# The names of podkit's temporary files: `.<name>.<random>.tmp` (atomic_write) and
# `.<name>.<mark>.<random>.tmp` (Stage), <random> being tempfile's eight characters.
TEMPORARY = re.compile(r"\..+\.(?:[0-9a-f]{12}\.)?[a-z0-9_]{8}\.tmp")


class Record(NamedTuple):
    """A file as a build left it. Taken as it is only while its size and modification time
    are still those recorded: a file truncated, replaced or touched since is made again."""

    key: str
    size: int
    mtime_ns: int


# A file whose state is unknown (a pending write, an older manifest): made again, or removed.
UNKNOWN = Record("", -1, -1)


@dataclass(frozen=True)
class Kept:
    """An output already on disk as this build would make it (same key, untouched): left alone."""

    record: Record


@dataclass(frozen=True)
class Staged:
    """A finished output waiting under a temporary name beside its place."""

    key: str
    temporary: Path


Output = bytes | Kept | Staged


@dataclass
class Manifest:
    files: dict[str, Record] = field(default_factory=dict)
    # Per episode: the key of its inputs, the files made from them, its transcript formats.
    episodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Names listed that are not names of files inside the site: never used, reported.
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        path = out / MANIFEST
        try:
            if not stat.S_ISREG(path.lstat().st_mode):  # a link or a device is not podkit's
                return cls()
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        files, ignored = _file_records(data.get("files"))
        return cls(files, _episode_entries(data.get("episodes"), files), ignored)

    def kept(self, out: Path, path: PurePosixPath, key: str) -> Kept | None:
        """The output as it is on disk, if it has this key and is as the last build left it."""
        record = self.files.get(str(path))
        if record is None or record.key != key:
            return None
        return verified(out / path, record)

    def as_json(self) -> dict[str, Any]:
        files = {name: _record_json(record) for name, record in self.files.items()}
        return {"generator": "podkit", "files": files, "episodes": self.episodes}


def verified(path: str | Path, record: Record) -> Kept | None:
    """Kept if the file is a plain file of the recorded size and modification time: a stat,
    the file is not read."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if (
        stat.S_ISREG(found.st_mode)
        and found.st_size == record.size
        and found.st_mtime_ns == record.mtime_ns
    ):
        return Kept(record)
    return None


def is_site_name(name: object) -> bool:
    """A relative, normalised POSIX name below the site's folder, such as podkit writes
    (`feed.xml`, `001-ep/index.html`): never absolute, never `..`, never the manifest."""
    if not isinstance(name, str) or name == MANIFEST or "\\" in name or "\0" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _file_records(raw: object) -> tuple[dict[str, Record], list[str]]:
    if not isinstance(raw, dict):
        return {}, []
    files: dict[str, Record] = {}
    ignored: list[str] = []
    for name, value in raw.items():
        if is_site_name(name):
            files[name] = _record(value)
        else:
            ignored.append(name)
    return files, ignored


def _record(value: object) -> Record:
    """A recorded [key, size, mtime]; anything else (an older manifest's bare key, a pending
    write) is a file in an unknown state."""
    if isinstance(value, list) and len(value) == 3:
        key, size, mtime_ns = value
        if isinstance(key, str) and _whole(size) and _whole(mtime_ns):
            return Record(key, size, mtime_ns)
    return UNKNOWN


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _record_json(record: Record) -> list[Any] | None:
    return None if record == UNKNOWN else [record.key, record.size, record.mtime_ns]


def _episode_entries(raw: object, files: dict[str, Record]) -> dict[str, dict[str, Any]]:
    """The episode entries whose files are all recorded files of that episode's folder; any
    other entry is left out, and its episode loaded anew."""
    if not isinstance(raw, dict):
        return {}
    entries = {}
    for slug, entry in raw.items():
        names = entry.get("files") if isinstance(entry, dict) else None
        if isinstance(names, list) and all(
            isinstance(name, str) and name in files and name.startswith(f"{slug}/")
            for name in names
        ):
            entries[slug] = entry
    return entries


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Stage:
    """Holds the build's big outputs on disk instead of in memory: each is written, as soon as
    it is made, to a hidden temporary file beside its final place, and `write_site` renames
    them all at the end. A build that fails removes them (`discard`) and changes nothing."""

    def __init__(self, out: Path, previous: Manifest) -> None:
        self.out, self.previous = out, previous
        # Every file this build stages carries this mark, whichever process wrote it, so a
        # failed build finds and removes all of its own (and nothing else).
        self.mark = uuid.uuid4().hex[:12]

    def add(self, path: PurePosixPath, data: bytes) -> Output:
        return self.add_written(path, content_key(data), lambda stream: stream.write(data))

    def add_written(
        self,
        path: PurePosixPath,
        key: str,
        write: Callable[[BinaryIO], object],
        check_previous: bool = True,
    ) -> Output:
        """Stage what ``write`` writes, unless the file on disk already has this key."""
        if check_previous and (kept := self.previous.kept(self.out, path, key)):
            return kept
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.{self.mark}.", suffix=".tmp", dir=target.parent
        )
        temporary = Path(name)
        try:
            with os.fdopen(handle, "wb") as stream:
                write(stream)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        os.chmod(temporary, 0o644)
        return Staged(key, temporary)

    def discard(self) -> None:
        """Remove every file this build staged and did not rename."""
        if self.out.is_dir():
            for temporary in self.out.rglob(f".*.{self.mark}.*.tmp"):
                temporary.unlink(missing_ok=True)


def write_site(
    out: Path,
    outputs: dict[PurePosixPath, Output],
    previous: Manifest,
    episodes: dict[str, dict[str, Any]] | None = None,
) -> WriteReport:
    records: dict[str, Record] = {}
    changed: dict[str, Staged | bytes] = {}
    for path, output in sorted(outputs.items(), key=lambda item: str(item[0])):
        if isinstance(output, bytes):
            output = previous.kept(out, path, content_key(output)) or output
        if isinstance(output, Kept):
            records[str(path)] = output.record
        else:
            changed[str(path)] = output
    stale = sorted(set(previous.files) - set(records) - set(changed))
    if changed or stale:  # a journal: should this build be killed, the next one knows
        pending = dict.fromkeys(changed, UNKNOWN)
        _write_manifest(out, Manifest({**previous.files, **pending}, previous.episodes))
    for name, output in changed.items():
        records[name] = _put(out / name, output)
    removed, warnings = remove_stale(out, stale)
    remove_temporary_files(out)
    _write_manifest(out, Manifest(records, episodes or {}))
    ignored = [_ignored_name(out, name) for name in previous.ignored]
    return WriteReport(tuple(changed), len(records) - len(changed), removed, (*ignored, *warnings))


def _put(target: Path, output: Staged | bytes) -> Record:
    """Rename a staged file into place, or write one; what it is now, for the manifest."""
    if isinstance(output, Staged):
        os.replace(output.temporary, target)
        key = output.key
    else:
        atomic_write(target, output)
        key = content_key(output)
    written = target.stat()
    return Record(key, written.st_size, written.st_mtime_ns)


def _write_manifest(out: Path, manifest: Manifest) -> None:
    # Compact, so json's C encoder writes it (with an indent it falls back to Python).
    text = json.dumps(manifest.as_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    atomic_write(out / MANIFEST, text.encode())


def remove_stale(out: Path, names: Iterable[str]) -> tuple[tuple[str, ...], list[Problem]]:
    """Delete the files an earlier build wrote that this one does not: only plain files
    inside the site. A link or a folder in their place is left, with a warning."""
    removed: list[str] = []
    warnings: list[Problem] = []
    root = os.path.realpath(out)
    for name in names:
        path = out / name
        if not _inside(root, path.parent):
            warnings.append(_left(path, "is in a linked folder that leads out of the site"))
            continue
        try:
            mode = path.lstat().st_mode
        except OSError:  # already gone
            continue
        if stat.S_ISLNK(mode):
            warnings.append(_left(path, "is a link where podkit had written a file"))
        elif not stat.S_ISREG(mode):
            warnings.append(_left(path, "is not a file where podkit had written one"))
        else:
            path.unlink()
            removed.append(name)
            _remove_empty_folders(out, path.parent)
    return tuple(removed), warnings


def _inside(root: str, folder: Path) -> bool:
    real = os.path.realpath(folder)
    return real == root or real.startswith(root + os.sep)


def _left(path: Path, what: str) -> Problem:
    return Problem(path, None, f"{what}: left in place; delete it if it is not yours", "warning")


def _ignored_name(out: Path, name: str) -> Problem:
    return Problem(
        out / MANIFEST,
        "files",
        f"{name!r} is not the name of a file inside {out}: ignored, nothing deleted "
        "(podkit writes this manifest; check who edited it)",
        "warning",
    )


def remove_temporary_files(out: Path) -> None:
    """Remove the temporary files that builds killed before they could, whoever left them:
    plain files named as podkit names them, in the site's folders (never a hidden one)."""
    for folder, folders, names in os.walk(out):
        folders[:] = [f for f in folders if not f.startswith(".")]
        swept = False
        for name in names:
            path = os.path.join(folder, name)
            if TEMPORARY.fullmatch(name) and stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
                swept = True
        if swept:
            _remove_empty_folders(out, Path(folder))


def _remove_empty_folders(out: Path, folder: Path) -> None:
    """A folder a build made for files it no longer has (an episode removed, or one a killed
    build had begun) goes too, as a fresh build would not make it."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty: it holds someone's files
            return
        folder = folder.parent
