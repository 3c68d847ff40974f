"""Values derived from a source's bytes (the notes' summary and HTML, a cover's checks and its
smaller copy), kept between runs in a cache folder under the digest of those bytes: `podkit
tag` then needs neither markdown-it nor Pillow for a show whose notes and cover it has seen.

Only code run inside `kept_in(folder)` uses a cache; elsewhere every value is computed. New
values are written when the block ends without an error: a refused command changes nothing. An
entry is used only when its first line holds the key asked for and this machine's seal (see
`toolkit.seal`) of that key and the rest: a renamed, truncated, edited or foreign entry is
computed again and written over, and without a seal key nothing is kept."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from toolkit import __version__, digests, logs, seal
from toolkit.errors import ToolkitError

log = logs.Logger(__name__)

CACHE_FOLDER = ".podkit-cache"  # in the show's folder, beside show.toml


class _Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.new: dict[Path, bytes] = {}  # entries to write at the end of the block


_CACHE: ContextVar[_Cache | None] = ContextVar("derived_cache", default=None)


@contextmanager
def kept_in(folder: Path) -> Iterator[None]:
    """Within this block, derived values are read from ``folder``, and written to it at the
    end of the block unless it raised."""
    cache = _Cache(folder)
    token = _CACHE.set(cache)
    try:
        yield
    finally:
        _CACHE.reset(token)
    for entry, data in cache.new.items():
        _keep(entry, data)


def in_use() -> bool:
    return _CACHE.get() is not None


def cached(kind: str, source: bytes, compute: Callable[[], bytes], code: tuple[str, ...]) -> bytes:
    """``compute()``, the ``kind`` of value derived from ``source``: from the cache when a
    previous run kept it for exactly these bytes and these versions of the ``code`` modules
    that derive it (podkit's and the library's), else computed and kept."""
    cache = _CACHE.get()
    if cache is None:
        return compute()
    key = _key(kind, source, code)
    entry = cache.folder / "derived" / f"{kind}-{key}"
    if entry in cache.new:
        return cache.new[entry].partition(b"\n")[2]
    try:
        header, _, value = entry.read_bytes().partition(b"\n")
        expected = _header(key, value)
        if expected is not None and digests.compare_digest(header, expected):
            return value
    except OSError:
        pass  # not kept yet, or unreadable: computed below
    value = compute()
    sealed = _header(key, value)
    if sealed is not None:
        cache.new[entry] = sealed + b"\n" + value
    return value


def _header(key: str, value: bytes) -> bytes | None:
    """The entry's first line: its key and the seal of the key and the value, so that only
    what podkit derived on this machine is taken back (the value goes into the MP3's tags)."""
    tag = seal.seal(key.encode() + b"\n" + value, "derived value")
    return None if tag is None else f"{key} {tag}".encode()


def _key(kind: str, source: bytes, code: tuple[str, ...]) -> str:
    """The digest of the source's bytes, the kind of value, podkit's version and the code's
    (a podkit or a library installed or edited since derives its values again)."""
    versions = f"{kind}\0{__version__}\0{_code_version(code)}\0".encode()
    return digests.sha256_hex(versions, source)


@lru_cache
def _code_version(modules: tuple[str, ...]) -> str:
    """The size and modification time of each module's file, found without importing it."""
    found = []
    for name in modules:
        module = sys.modules.get(name)
        spec = module.__spec__ if module is not None else importlib.util.find_spec(name)
        try:
            stat = os.stat(spec.origin) if spec and spec.origin else None
        except OSError:
            stat = None
        found.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}" if stat else name)
    return " ".join(found)


def _keep(entry: Path, data: bytes) -> None:
    from toolkit.writer import atomic_write  # only when a value is new

    try:
        atomic_write(entry, data)
    except (OSError, ToolkitError) as error:  # a read-only show: only the next run is slower
        log.debug("%s: not cached (%s)", entry, error)
