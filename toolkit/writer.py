"""Write the built site: atomically, file by file, skipping what did not change.

Every file goes to a temporary name in its folder and is renamed over the old one, so a reader
never sees half a file. The cache's manifest (see `toolkit.cache`) records what the last build
wrote: per file a key, its size and its modification time. The next build skips a file whose
key is the same and which is still as it was left (same size and time), and removes the files
it wrote before but no longer produces (never anything else in the folder).

Only relative names of plain files inside the site are ever deleted; before its first rename a
build records the names it is about to change as pending, so the next build makes them again
(or removes them) even if this one is killed halfway; and every build removes the temporary
files that killed builds left behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from toolkit.cache import (
    CACHE_FOLDER,
    MANIFEST,
    EpisodeEntry,
    FileEntry,
    Kept,
    Manifest,
    Sealed,
    clear_pending,
    write_pending,
)
from toolkit.errors import Problem, ToolkitError
from toolkit.journal import write_group_in_place

# The names of podkit's temporary files: `.<name>.<random>.tmp` (atomic_write) and
# `.<name>.<mark>.<random>.tmp` (Stage), <random> being tempfile's eight characters.
TEMPORARY = re.compile(r"\..+\.(?:[0-9a-f]{12}\.)?[a-z0-9_]{8}\.tmp")
# Exists while a build may leave temporary files in the site: one found at the start of a
# build was left by a build that was killed, and only then is the whole site swept.
BUILDING = f"{CACHE_FOLDER}/building"


@dataclass(frozen=True)
class Staged:
    """A finished output waiting under a temporary name beside its place."""

    key: str
    temporary: Path


@dataclass(frozen=True)
class Patched:
    """New bytes for some regions of a file the last build wrote, waiting under a temporary
    name (the regions one after the other), or held in memory; written into the file in
    place, under a rollback journal (see `toolkit.journal`), when the site is written."""

    key: str
    temporary: Path | None  # None: the bytes are ``held``
    regions: tuple[tuple[int, int], ...]  # (offset, length) in the file
    size: int  # the file's size, the same before and after
    held: tuple[bytes, ...] = ()  # each region's bytes, when not in a temporary file


Output = bytes | Kept | Staged | Patched


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()


def check_out(source: Path, out: Path) -> None:
    """Refuse a site folder that would overwrite the show's sources: the show's folder, a
    folder above it, or one inside it (but a hidden one, which the show never reads); and
    anything that is not a folder."""
    show, site = Path(os.path.realpath(source)), Path(os.path.realpath(out))
    if site == show:
        _refuse(out, "is the show's folder: choose a --out outside it, such as site")
    if site in show.parents:
        _refuse(out, f"holds the show's folder {source}: choose a --out outside it")
    if show in site.parents and not site.relative_to(show).parts[0].startswith("."):
        _refuse(out, f"is inside the show's folder {source}: choose a --out outside it")
    if os.path.lexists(out) and not out.is_dir():
        _refuse(out, "is not a folder: give --out a folder (podkit makes it if it is missing)")


def check_folders(out: Path, folders: Iterable[PurePosixPath]) -> None:
    """Refuse to write through a link, or over something that is not a folder, where the
    site has a folder: neither is podkit's, and a link would take its files out of the site."""
    # Sorted by parts, as paths sort, without a comparison in Python per pair.
    ordered = sorted(set(folders), key=lambda folder: folder.parts)
    problems = [p for folder in ordered if (p := _folder_problem(out, folder))]
    if problems:
        raise ToolkitError(problems)


def _folder_problem(out: Path, folder: PurePosixPath) -> Problem | None:
    path = str(out)  # os.path: a folder per episode, thousands of them
    for part in folder.parts:
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return Problem(
                Path(path), None, "is a link where the site has a folder: remove the link"
            )
        if not stat.S_ISDIR(mode):
            return Problem(Path(path), None, "is in the way of the site's folder: move it out")
    return None


def _refuse(out: Path, message: str) -> None:
    raise ToolkitError([Problem(out, None, message)])


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    if path.is_dir():
        _refuse(path, "is a folder: name a file to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file where a folder should be
        _refuse(path, f"cannot be written ({error.strerror}): name a file in a folder")
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
        self.killed_before = False  # whether `begin` found a killed build's marker

    def begin(self) -> None:
        """Marks the site as being built before anything is written to it (see BUILDING)."""
        marker = self.out / BUILDING
        self.killed_before = os.path.lexists(marker)
        marker.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644))

    def end(self) -> None:
        """The build left no temporary file: the next one need not sweep the site."""
        (self.out / BUILDING).unlink(missing_ok=True)

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

    def add_patch(
        self, path: PurePosixPath, key: str, writes: list[tuple[int, bytes]], size: int
    ) -> Patched:
        """Stage new bytes for these regions of the site's file at ``path``."""
        data = b"".join(data for _, data in writes)
        staged = self.add_written(path, key, lambda stream: stream.write(data), False)
        regions = tuple((offset, len(data)) for offset, data in writes)
        return Patched(key, cast(Staged, staged).temporary, regions, size)

    def hold_patch(
        self, path: PurePosixPath, key: str, writes: list[tuple[int, bytes]], size: int
    ) -> Patched:
        """New bytes for these regions of the site's file at ``path``, held in memory: for
        bytes that many files share (a show's new cover), so they take no room per file."""
        regions = tuple((offset, len(data)) for offset, data in writes)
        return Patched(key, None, regions, size, tuple(data for _, data in writes))

    def discard(self) -> None:
        """Remove every file this build staged and did not rename."""
        if self.out.is_dir():
            for temporary in self.out.rglob(f".*.{self.mark}.*.tmp"):
                temporary.unlink(missing_ok=True)
            if not self.killed_before:  # else the next build still sweeps for that one
                self.end()
                _remove_empty_folders(self.out, self.out / CACHE_FOLDER)


def write_site(
    out: Path,
    outputs: dict[PurePosixPath, Output],
    previous: Manifest,
    episodes: dict[str, EpisodeEntry] | None = None,
    pages: Sealed | None = None,
    kept: dict[str, Kept] | None = None,
    sweep: bool = True,
) -> WriteReport:
    """Rename or write what changed into place, remove what is no longer made, and record
    it all in the manifest. ``kept``: files on disk as this build would make them, by name
    (unless ``outputs`` has them too). ``sweep``: look for killed builds' temporary files in
    the whole site, not only in podkit's caches."""
    records: dict[str, FileEntry] = {}
    changed: dict[str, Staged | Patched | bytes] = {}
    for path, output in sorted(outputs.items(), key=lambda item: str(item[0])):
        if isinstance(output, bytes):
            output = previous.kept(out, path, content_key(output)) or output
        if isinstance(output, Kept):
            records[str(path)] = output.entry
        else:
            changed[str(path)] = output
    for name, file in (kept or {}).items():
        if name not in changed:
            records.setdefault(name, file.entry)
    _check_files(out, changed)
    stale = sorted(set(previous.files) - set(records) - set(changed))
    if changed:  # a journal: should this build be killed, the next one knows
        write_pending(out, changed)
    patches = {name: o for name, o in changed.items() if isinstance(o, Patched)}
    for batch in _batches(patches, GROUP_BYTES):  # a journal and a flush per batch, not file
        write_group_in_place(out, {name: _writes(patch) for name, patch in batch.items()})
        records.update({name: _patched(out / name, patch) for name, patch in batch.items()})
    for name, output in changed.items():
        if not isinstance(output, Patched):
            records[name] = _put(out / name, output)
    removed, warnings = remove_stale(out, stale)
    remove_temporary_files(out, everywhere=sweep)
    manifest = Manifest(records, episodes or {}, pages=pages)
    if changed or stale or manifest != previous:  # an unchanged site: the manifest as read
        _write_manifest(out, manifest)
    clear_pending(out)  # recorded now, or left by a killed build and made again
    ignored = [_ignored_name(out, name) for name in previous.ignored]
    return WriteReport(tuple(changed), len(records) - len(changed), removed, (*ignored, *warnings))


def _check_files(out: Path, names: Iterable[str]) -> None:
    """Refuse, before anything is renamed, to replace what is not a file (a folder someone
    made where the site has a file)."""
    problems = [
        Problem(out / name, None, "is in the way of a file of the site: move it out")
        for name in names
        if os.path.isdir(out / name) and not os.path.islink(out / name)
    ]
    if problems:
        raise ToolkitError(problems)


def _put(target: Path, output: Staged | bytes) -> FileEntry:
    """Rename a staged file into place, or write one; what it is now, for the manifest."""
    if isinstance(output, Staged):
        os.replace(output.temporary, target)
        key = output.key
    else:
        atomic_write(target, output)
        key = content_key(output)
    written = target.stat()
    return FileEntry(key, written.st_size, written.st_mtime_ns)


# The bytes a group journal saves, and as many new ones, are held in memory: a show-wide
# change of tags over thousands of episodes goes in several groups.
GROUP_BYTES = 32 * 1024 * 1024


def _batches(patches: dict[str, Patched], limit: int = GROUP_BYTES) -> Iterator[dict[str, Patched]]:
    """The patches in groups whose regions add up to about ``limit`` bytes at most (a
    single larger patch makes a group of its own)."""
    batch: dict[str, Patched] = {}
    size = 0
    for name, patch in patches.items():
        length = sum(length for _, length in patch.regions)
        if batch and size + length > limit:
            yield batch
            batch, size = {}, 0
        batch[name] = patch
        size += length
    if batch:
        yield batch


def _writes(patch: Patched) -> list[tuple[int, bytes]]:
    """A staged patch's regions and their new bytes."""
    if patch.temporary is None:
        regions = zip(patch.regions, patch.held, strict=True)
        return [(offset, data) for (offset, _), data in regions]
    data = patch.temporary.read_bytes()
    writes, position = [], 0
    for offset, length in patch.regions:
        writes.append((offset, data[position : position + length]))
        position += length
    return writes


def _patched(target: Path, patch: Patched) -> FileEntry:
    """The file a patch was written into, for the manifest (its temporary file goes)."""
    if patch.temporary is not None:
        patch.temporary.unlink()
    written = target.stat()
    return FileEntry(patch.key, written.st_size, written.st_mtime_ns)


def _write_manifest(out: Path, manifest: Manifest) -> None:
    atomic_write(out / MANIFEST, manifest.serialised())


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


def remove_temporary_files(out: Path, everywhere: bool = True) -> None:
    """Remove the temporary files that builds killed before they could, whoever left them:
    plain files named as podkit names them, in the site's folders (never a hidden one but
    podkit's own caches), or only in podkit's caches (where other commands write too)."""
    for folder, folders, names in os.walk(out if everywhere else out / CACHE_FOLDER):
        folders[:] = [f for f in folders if not f.startswith(".") or f == CACHE_FOLDER]
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
