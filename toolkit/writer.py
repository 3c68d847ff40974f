"""Write the built site: atomically, file by file, skipping what did not change.

Every file goes to a temporary name in its folder and is renamed over the old one, so a reader
never sees half a file. A manifest (``.podkit-manifest.json``) records what the last build
wrote with a key per file: the next build skips a file whose key is the same, and removes the
files it wrote before but no longer produces (never anything else in the folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

MANIFEST = ".podkit-manifest.json"


@dataclass(frozen=True)
class Kept:
    """An output already on disk as this build would make it (same key): left alone."""

    key: str


@dataclass(frozen=True)
class Staged:
    """A finished output waiting under a temporary name beside its place."""

    key: str
    temporary: Path


Output = bytes | Kept | Staged


@dataclass
class Manifest:
    keys: dict[str, str] = field(default_factory=dict)
    # Per episode: the key of its inputs, the files made from them, its transcript formats.
    episodes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        try:
            data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
            keys, episodes = data.get("files", {}), data.get("episodes", {})
            if isinstance(keys, dict) and isinstance(episodes, dict):
                return cls({str(k): str(v) for k, v in keys.items()}, episodes)
        except (OSError, ValueError, AttributeError):
            pass
        return cls()

    def unchanged(self, out: Path, path: PurePosixPath, key: str) -> bool:
        return self.keys.get(str(path)) == key and (out / path).is_file()


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


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
        if check_previous and self.previous.unchanged(self.out, path, key):
            return Kept(key)
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
    keys: dict[str, str] = {}
    written: list[str] = []
    unchanged = 0
    for path, output in sorted(outputs.items(), key=lambda item: str(item[0])):
        name = str(path)
        if isinstance(output, Kept):
            keys[name] = output.key
            unchanged += 1
        elif isinstance(output, Staged):
            keys[name] = output.key
            os.replace(output.temporary, out / path)
            written.append(name)
        else:
            keys[name] = content_key(output)
            if previous.unchanged(out, path, keys[name]):
                unchanged += 1
                continue
            atomic_write(out / path, output)
            written.append(name)
    removed = []
    for name in sorted(set(previous.keys) - set(keys)):
        stale = out / name
        if stale.is_file():
            stale.unlink()
            removed.append(name)
    manifest = {"generator": "podkit", "files": keys, "episodes": episodes or {}}
    # Compact, so json's C encoder writes it (with an indent it falls back to Python).
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    atomic_write(out / MANIFEST, text.encode())
    return WriteReport(tuple(written), unchanged, tuple(removed))
