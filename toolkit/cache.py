"""What the last build made, kept in the site as ``.podkit-manifest.json``, and what this build
may take from it as it is. The only module that knows the manifest's format.

Every decision rests on a key: a digest of the inputs an output is made from. A file whose key
is unchanged and which is still as the last build left it (same size and modification time)
is kept; an episode whose key is unchanged keeps its files, and its transcript is not read
again (the episode itself is always loaded from its sources: nothing the manifest says is
published).

Nothing in the manifest is trusted: it may have been edited, or left by a build that was
killed. Only relative names of plain files inside the site are taken; an entry of any other
shape is left out (its file is made again, its episode loaded anew); a name listed as pending
(a killed build was about to change it) is a file in an unknown state.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit import __version__
from toolkit.cache_record import (
    formats_from_record,
    to_record,
    warning_from_record,
    warning_record,
)
from toolkit.errors import Problem
from toolkit.model import Episode, Show

if TYPE_CHECKING:
    from toolkit.audio import EpisodeTags
    from toolkit.feed import Enclosure

MANIFEST = ".podkit-manifest.json"


class FileEntry(NamedTuple):
    """A file as a build left it. Taken as it is only while its size and modification time
    are still those recorded: a file truncated, replaced or touched since is made again."""

    key: str
    size: int
    mtime_ns: int


# A file whose state is unknown (a pending write, an older manifest): made again, or removed.
UNKNOWN = FileEntry("", -1, -1)


@dataclass(frozen=True)
class Kept:
    """An output already on disk as this build would make it (same key, untouched): left alone."""

    entry: FileEntry


@dataclass(frozen=True)
class EpisodeEntry:
    """An episode as a build loaded it: the key of its inputs, the files made from them, and
    its serialised record and warnings (read back only when the episode is reused)."""

    key: str
    outputs: tuple[str, ...]
    record: dict[str, Any]
    warnings: list[Any]


@dataclass
class Manifest:
    files: dict[str, FileEntry] = field(default_factory=dict)
    episodes: dict[str, EpisodeEntry] = field(default_factory=dict)
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
        files, ignored = _file_entries(data.get("files"))
        return cls(files, _episode_entries(data.get("episodes"), files), ignored)

    def kept(self, out: Path, path: PurePosixPath, key: str) -> Kept | None:
        """The output as it is on disk, if it has this key and is as the last build left it."""
        entry = self.files.get(str(path))
        if entry is None or entry.key != key:
            return None
        return unchanged(out / path, entry)

    def serialised(self) -> bytes:
        files = {name: _file_json(entry) for name, entry in self.files.items()}
        episodes = {slug: _episode_json(entry) for slug, entry in self.episodes.items()}
        data = {"generator": "podkit", "files": files, "episodes": episodes}
        # Compact, so json's C encoder writes it (with an indent it falls back to Python).
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return text.encode()


def unchanged(path: str | Path, entry: FileEntry) -> Kept | None:
    """Kept if the file is a plain file of the recorded size and modification time: a stat,
    the file is not read."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if (
        stat.S_ISREG(found.st_mode)
        and found.st_size == entry.size
        and found.st_mtime_ns == entry.mtime_ns
    ):
        return Kept(entry)
    return None


def is_site_name(name: object) -> bool:
    """A relative, normalised POSIX name below the site's folder, such as podkit writes
    (`feed.xml`, `001-ep/index.html`): never absolute, never `..`, never the manifest."""
    if not isinstance(name, str) or name == MANIFEST or "\\" in name or "\0" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _file_entries(raw: object) -> tuple[dict[str, FileEntry], list[str]]:
    if not isinstance(raw, dict):
        return {}, []
    files: dict[str, FileEntry] = {}
    ignored: list[str] = []
    for name, value in raw.items():
        if is_site_name(name):
            files[name] = _file_entry(value)
        else:
            ignored.append(name)
    return files, ignored


def _file_entry(value: object) -> FileEntry:
    """A recorded [key, size, mtime]; anything else (an older manifest's bare key, a pending
    write) is a file in an unknown state."""
    if isinstance(value, list) and len(value) == 3:
        key, size, mtime_ns = value
        if isinstance(key, str) and _whole(size) and _whole(mtime_ns):
            return FileEntry(key, size, mtime_ns)
    return UNKNOWN


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _file_json(entry: FileEntry) -> list[Any] | None:
    return None if entry == UNKNOWN else [entry.key, entry.size, entry.mtime_ns]


def _episode_entries(raw: object, files: dict[str, FileEntry]) -> dict[str, EpisodeEntry]:
    """The episode entries of the expected shape whose files are all recorded files of that
    episode's folder; any other entry is left out, and its episode loaded anew."""
    if not isinstance(raw, dict):
        return {}
    entries = {}
    for slug, value in raw.items():
        entry = _episode_entry(value)
        if entry is not None and all(
            name in files and name.startswith(f"{slug}/") for name in entry.outputs
        ):
            entries[slug] = entry
    return entries


def _episode_entry(value: object) -> EpisodeEntry | None:
    if not isinstance(value, dict):
        return None
    key, names = value.get("key"), value.get("files")
    record, warnings = value.get("episode"), value.get("warnings")
    if not (isinstance(key, str) and isinstance(names, list)):
        return None
    if not (isinstance(record, dict) and isinstance(warnings, list)):
        return None
    if not all(isinstance(name, str) for name in names):
        return None
    return EpisodeEntry(key, tuple(names), record, warnings)


def _episode_json(entry: EpisodeEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "files": list(entry.outputs),
        "episode": entry.record,
        "warnings": entry.warnings,
    }


def files_key(paths: Iterable[Path], salt: str = "") -> str:
    """A digest of these files' names, sizes and modification times (a symlink's target's):
    it changes when any of them is edited, added or removed, without reading them."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(paths):
        try:
            found = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{found.st_size}\0{found.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def site_key(source: Path, base_url: str | None) -> str:
    """Changes with anything shared by every page: podkit (its version and its code), the base
    URL, the files at the top of the show's folder (show.toml, the cover) and the templates,
    the show's and built-in."""
    from toolkit.site import USER_TEMPLATES, builtin_key  # Jinja: only builds need it

    trees = [source / USER_TEMPLATES, Path(__file__).parent]
    files = [p for p in source.iterdir() if p.is_file()]
    files += [
        p for tree in trees for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    theme = builtin_key()  # read as resources: the theme may be no folder on disk
    return files_key(files, salt=f"{__version__}\0{base_url}\0{theme}")


def tag_key(episode: Episode, tags: EpisodeTags, id3_version: int) -> str:
    """Changes when the source audio, the tags or podkit itself change: a key of the audio
    (see `same_audio`) followed by a key of the tags."""
    assert episode.audio is not None  # a linked episode is never tagged
    found = episode.audio.stat()
    audio = (__version__, id3_version, found.st_size, found.st_mtime_ns)
    return _half_key(audio) + _half_key(tags)


def same_audio(key: str, other: str) -> bool:
    """Whether two tag keys are of the same source audio (their tags may differ)."""
    return key[:32] == other[:32]


def _half_key(inputs: object) -> str:
    return hashlib.sha256(pickle.dumps(inputs)).hexdigest()[:32]


@dataclass(frozen=True)
class Reused:
    """An episode whose files a previous build made from exactly the same sources: its
    transcript is not read again, and the warnings that transcript gave are repeated."""

    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class _Taken:
    """A reused episode's build state: its key, its published transcript formats and its
    files on disk, each checked."""

    key: str
    transcript_formats: tuple[str, ...]
    files: dict[str, Kept]


class Cache:
    """Which episodes a previous build already published from exactly the same files, so this
    build neither reads their transcripts again nor renders their pages; and the keys and
    entries this build records for the next one."""

    def __init__(self, previous: Manifest, out: Path, key: str) -> None:
        self.previous, self.out, self.site_key = previous, out, key
        self._taken: dict[str, _Taken] = {}  # by slug: the episodes reused
        self._folder_keys: dict[str, str] = {}  # by slug, taken before the folder is read
        self._keys: dict[str, str] = {}  # by slug, once the show is loaded

    def before_reading(self, directory: Path) -> None:
        """Takes the folder's key before its files are read: a file edited meanwhile then
        changes the next build's key."""
        self._folder_keys[directory.name] = files_key(directory.iterdir())

    def reuse(self, episode: Episode, transcript_file: Path | None) -> Reused | None:
        """Whether the episode, loaded from its sources, was published by the last build from
        exactly the same files, which are still as that build left them. Only that decision
        is taken from the manifest, never the episode's content."""
        entry = self.previous.episodes.get(episode.slug)
        if entry is None:
            return None
        key = self.key(episode, transcript_file)
        if entry.key != key:
            return None
        directory = episode.directory
        try:
            formats = formats_from_record(entry.record, episode.slug, entry.outputs)
            warnings = tuple(
                warning_from_record(w, directory, transcript_file) for w in entry.warnings
            )
        except (KeyError, TypeError, ValueError):  # written by another version: made anew
            return None
        files = self._kept_files(entry)
        if files is None:
            return None
        self._taken[episode.slug] = _Taken(key, formats, files)
        return Reused(warnings)

    def _kept_files(self, entry: EpisodeEntry) -> dict[str, Kept] | None:
        """The entry's files, if every one is on disk as the last build left it."""
        out, records = str(self.out), self.previous.files  # os.path: 7 files × 1000s of episodes
        files = {name: unchanged(os.path.join(out, name), records[name]) for name in entry.outputs}
        if not all(files.values()):  # one is missing, or not as the last build left it
            return None
        return {name: kept for name, kept in files.items() if kept}

    def is_reused(self, slug: str) -> bool:
        return slug in self._taken

    def transcript_formats(self, slug: str) -> tuple[str, ...]:
        """A reused episode's published transcript formats, as its build recorded them."""
        return self._taken[slug].transcript_formats

    def kept_files(self, slug: str) -> dict[str, Kept]:
        """A reused episode's files, on disk as they would be made."""
        taken = self._taken.get(slug)
        return taken.files if taken else {}

    def key(self, episode: Episode, transcript_file: Path | None) -> str:
        """Changes with the site, the episode's folder and the files its episode.toml names
        (an audio file, a cover or a transcript kept elsewhere). Computed once per loaded
        episode: the feed and the manifest both ask."""
        if episode.slug not in self._keys:
            folder = self._folder_keys[episode.slug]
            self._keys[episode.slug] = self._key(folder, episode, transcript_file)
        return self._keys[episode.slug]

    def _key(self, folder: str, episode: Episode, transcript_file: Path | None) -> str:
        named = files_key(_named_files(episode, transcript_file))
        return hashlib.sha256(f"{self.site_key}\0{folder}\0{named}".encode()).hexdigest()

    def feed_key(
        self, show: Show, transcripts: dict[str, Path], enclosures: dict[str, Enclosure]
    ) -> str:
        """Changes with the site and with any published episode or its tagged MP3."""
        digest = hashlib.sha256(self.site_key.encode())
        for e in show.episodes:
            key, enclosure = self.key(e, transcripts.get(e.slug)), enclosures[e.slug]
            digest.update(f"{e.slug}\0{key}\0{enclosure.url}\0{enclosure.length}\n".encode())
        return digest.hexdigest()

    def entries(
        self,
        show: Show,
        transcripts: dict[str, Path],
        formats: dict[str, tuple[str, ...]],
        outputs: Iterable[PurePosixPath],
        warnings: list[Problem],
    ) -> dict[str, EpisodeEntry]:
        """Each published episode's entry for the next build."""
        files: dict[str, list[str]] = {e.slug: [] for e in show.episodes}
        for path in outputs:
            if len(path.parts) > 1 and path.parts[0] in files:
                files[path.parts[0]].append(str(path))
        entries = {}
        for e in show.episodes:
            transcript_file = transcripts.get(e.slug)
            record = to_record(formats[e.slug])
            # Only the transcript's warnings: the rest come again as the episode is loaded.
            kept = [warning_record(w, e.directory) for w in warnings if _about(w, transcript_file)]
            key = self.key(e, transcript_file)
            entries[e.slug] = EpisodeEntry(key, tuple(sorted(files[e.slug])), record, kept)
        return entries


def _named_files(episode: Episode, transcript_file: Path | None) -> list[Path]:
    images = [c.image for c in episode.chapters if c.image is not None]
    audio = [episode.audio] if episode.audio else []  # linked audio: episode.toml says all
    named = [*audio, *([episode.cover] if episode.cover else []), *images]
    return [*named, *([transcript_file] if transcript_file else [])]


def _about(problem: Problem, file: Path | None) -> bool:
    return file is not None and os.path.normpath(problem.file) == os.path.normpath(file)
