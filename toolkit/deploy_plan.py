"""What a deploy does, and in which order: pure functions over what the site holds and what the
target holds, so the order apps depend on is decided (and tested) without any storage.

Apps fetch the feed and then what it links, so a new feed must never arrive before its media:
media go first, then the files pages need, the pages, the home page and sitemap that list them,
the feed, and only then the deletions of what the new feed no longer links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path, PurePosixPath
from typing import Literal

from toolkit.paths import FEED, SITEMAP

# Files at least this large go up in parts of this size, several at once; the part size also
# gives the ETag such an upload gets (MD5 of the parts' MD5s, then "-" and the count).
PART_SIZE = 16 * 1024 * 1024

_MEDIA = {".mp3", ".m4a", ".jpg", ".jpeg", ".png", ".webp", ".gif", ".vtt", ".srt", ".json"}
_MEDIA |= {".txt"}
_ASSETS = {".css", ".js", ".ico", ".svg", ".woff2"}


class Stage(IntEnum):
    """The steps of a deploy; every object of a step is up before the next step starts."""

    MEDIA = 0  # MP3s, images, transcripts, chapters: what the feed and the pages link
    ASSETS = 1  # styles and scripts the pages load
    PAGES = 2  # episode pages and any other file
    INDEX = 3  # the home page and the sitemap: they list the pages
    FEED = 4  # the feed last: apps act on it at once
    DELETE = 5  # what the site no longer holds, once nothing public links it


def stage_of(name: str) -> Stage:
    """The step that uploads ``name`` (a path relative to the site, with ``/``).

    >>> [stage_of(n).name for n in ("a/x.mp3", "assets/style.css", "a/index.html", "feed.xml")]
    ['MEDIA', 'ASSETS', 'PAGES', 'FEED']
    >>> stage_of("index.html").name, stage_of("sitemap.xml").name
    ('INDEX', 'INDEX')
    """
    path = PurePosixPath(name)
    if path == FEED:
        return Stage.FEED
    if path in (SITEMAP, PurePosixPath("index.html")):
        return Stage.INDEX
    suffix = path.suffix.lower()
    if suffix in _MEDIA:
        return Stage.MEDIA
    if suffix in _ASSETS:
        return Stage.ASSETS
    return Stage.PAGES


def private(name: str) -> bool:
    """Names podkit never publishes nor deletes: a dot at the start of any part (the manifest,
    temporary files, a checkout's .git).

    >>> private(".podkit-manifest.json"), private("a/.x.mp3.tmp"), private(".git/HEAD")
    (True, True, True)
    >>> private("001/index.html")
    False
    """
    return any(part.startswith(".") for part in PurePosixPath(name).parts)


@dataclass(frozen=True)
class Local:
    """A file of the built site, with the checksums a target may hold for it."""

    path: Path
    size: int
    md5: str
    sha256: str
    multipart_etag: str | None  # the ETag of our multipart upload, for large files

    def etags(self) -> set[str]:
        return {self.md5} | ({self.multipart_etag} if self.multipart_etag else set())


@dataclass(frozen=True)
class Remote:
    """An object the target holds: its size, its ETag (without quotes) and, once asked, the
    SHA-256 podkit stored with it."""

    size: int
    etag: str
    sha256: str | None = None


Action = Literal["upload", "replace", "delete"]


@dataclass(frozen=True)
class Step:
    action: Action
    name: str
    size: int
    stage: Stage


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    unchanged: int

    def stages(self) -> list[tuple[Stage, list[Step]]]:
        """The steps grouped by stage, in the order they run."""
        grouped: dict[Stage, list[Step]] = {}
        for step in self.steps:
            grouped.setdefault(step.stage, []).append(step)
        return sorted(grouped.items())

    def count(self, action: Action) -> int:
        return sum(1 for step in self.steps if step.action == action)

    def bytes(self, action: Action) -> int:
        return sum(step.size for step in self.steps if step.action == action)


def scan(site: Path) -> dict[str, Local]:
    """Every publishable file of the site, by its name relative to the site."""
    found: dict[str, Local] = {}
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        if path.is_file() and not private(name):
            found[name] = checksums(path)
    return found


def checksums(path: Path) -> Local:
    """MD5 (the ETag of a simple upload), the multipart ETag and SHA-256, in one read."""
    whole_md5, sha256, parts = hashlib.md5(), hashlib.sha256(), []
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(PART_SIZE):
            size += len(chunk)
            whole_md5.update(chunk)
            sha256.update(chunk)
            parts.append(hashlib.md5(chunk).digest())
    multipart = None
    if size >= PART_SIZE:
        multipart = f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}"
    return Local(path, size, whole_md5.hexdigest(), sha256.hexdigest(), multipart)


def same(local: Local, remote: Remote) -> bool:
    """Whether the target already holds these bytes: by ETag, else by the stored SHA-256."""
    if local.size != remote.size:
        return False
    return remote.etag in local.etags() or remote.sha256 == local.sha256


def doubtful(local: Mapping[str, Local], remote: Mapping[str, Remote]) -> list[str]:
    """Names whose ETag says nothing (another tool's part size, an encrypted object) but whose
    size matches: worth asking the target for the SHA-256 podkit stored with them."""
    return [
        name
        for name, file in local.items()
        if name in remote
        and remote[name].size == file.size
        and remote[name].sha256 is None
        and not same(file, remote[name])
    ]


def plan(local: Mapping[str, Local], remote: Mapping[str, Remote], delete: bool) -> Plan:
    """Upload what is new, replace what changed, delete (when asked) what the site dropped."""
    steps: list[Step] = []
    unchanged = 0
    for name, file in local.items():
        if name not in remote:
            steps.append(Step("upload", name, file.size, stage_of(name)))
        elif same(file, remote[name]):
            unchanged += 1
        else:
            steps.append(Step("replace", name, file.size, stage_of(name)))
    if delete:
        gone: Iterable[str] = (n for n in remote if n not in local and not private(n))
        steps += [Step("delete", name, remote[name].size, Stage.DELETE) for name in gone]
    return Plan(tuple(sorted(steps, key=lambda s: (s.stage, s.name))), unchanged)
