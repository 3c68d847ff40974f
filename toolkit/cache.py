"""What the last build made, kept in the site as ``.podkit-manifest.json``, and what this build
may take from it as it is. The only module that knows the manifest's format.

Every decision rests on a key: a digest of the inputs an output is made from. A file whose key
is unchanged and which is still as the last build left it (same size and modification time)
is kept; an episode whose key is unchanged keeps its files, and its transcript is not read
again.

Nothing in the manifest is trusted: it may have been edited, or left by a build that was
killed. Only relative names of plain files inside the site are taken; an entry of any other
shape is left out (its file is made again, its episode loaded anew); a name listed as pending
(a killed build was about to change it) is a file in an unknown state.

Content is taken back only from sealed records (`toolkit.seal`: an HMAC under a key outside
the show and the site): the names of the show's own pages, in the manifest, and each episode as
loaded, in `.podkit-cache/episodes` (one seal for the whole file, checked once; each episode's
record opened only when every file of its folder and every file it names is still the very
file read: same size, modification time, change time and inode). A record whose seal does not
verify, or that is not made of the model's types, is no record: the episode is loaded from its
files, the pages made again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pickle
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit import __version__
from toolkit.artwork import FORMAT_EXTENSIONS
from toolkit.cache_record import (
    RecordError,
    formats_from_record,
    loaded_from_record,
    loaded_record,
    to_record,
    unpickled,
    warning_from_record,
    warning_record,
)
from toolkit.errors import Problem, ToolkitError
from toolkit.model import Episode, Show
from toolkit.seal import opened_file, seal, sealed_file, verified
from toolkit.theme import USER_TEMPLATES, builtin_key

if TYPE_CHECKING:
    from toolkit.audio import EpisodeTags
    from toolkit.model import Enclosure

MANIFEST = ".podkit-manifest.json"
# podkit's caches in the site (feed items, episodes as loaded...): hidden, so never deployed.
CACHE_FOLDER = ".podkit-cache"
# The episodes as loaded, for the next build: a seal line, then the sealed body (see `_Loads`).
LOADED = f"{CACHE_FOLDER}/episodes"
# The names a build is about to change, written before its first rename and removed once the
# manifest records them: a build killed in between leaves them, and the next one makes them again.
PENDING = f"{CACHE_FOLDER}/pending"
_LOADED_HEADER = b"podkit loaded episodes 1\n"


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
    """An episode as a build published it: the key of its inputs, the files made from them,
    and its serialised record and warnings (read back only when the episode is reused)."""

    key: str
    outputs: tuple[str, ...]
    record: dict[str, Any]
    warnings: list[Any]


class Sealed(NamedTuple):
    """A record as JSON text, and its seal (see `toolkit.seal`): read only if it verifies."""

    text: str
    seal: str

    @classmethod
    def of(cls, data: object) -> Sealed | None:
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        tag = seal(text.encode(), "manifest record")
        return cls(text, tag) if tag else None

    def opened(self) -> object:
        """The record, if podkit sealed it on this machine; else None."""
        if not verified(self.text.encode(), self.seal, "manifest record"):
            return None
        try:
            return json.loads(self.text)
        except (ValueError, RecursionError):
            return None


@dataclass
class Manifest:
    files: dict[str, FileEntry] = field(default_factory=dict)
    episodes: dict[str, EpisodeEntry] = field(default_factory=dict)
    # Names listed that are not names of files inside the site: never used, reported.
    ignored: list[str] = field(default_factory=list)
    # The show's own pages and files (home, sitemap, assets…): the key of their inputs and
    # their names, sealed (a name left out would be deleted as no longer made).
    pages: Sealed | None = None
    # Files found as the last build left them when their episode was reused, while loading:
    # this build keeps them as they are (see `Cache.kept_files`), without asking again.
    checked: dict[str, Kept] = field(default_factory=dict, compare=False, repr=False)

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
        files.update(dict.fromkeys(_pending(out), UNKNOWN))
        episodes = _episode_entries(data.get("episodes"), files)
        return cls(files, episodes, ignored, _sealed(data.get("pages")))

    def kept(self, out: Path, path: PurePosixPath, key: str) -> Kept | None:
        """The output as it is on disk, if it has this key and is as the last build left it."""
        name = str(path)
        entry = self.files.get(name)
        if entry is None or entry.key != key:
            return None
        return self.checked.get(name) or unchanged(f"{out}/{name}", entry)  # called per file

    def kept_pages(self, out: Path, key: str) -> dict[str, Kept] | None:
        """The show's own files, if the last build made them from inputs of this key and
        every one is on disk as it left it."""
        record = self.pages.opened() if self.pages else None
        if not (isinstance(record, dict) and record.get("key") == key):
            return None
        names = record.get("files")
        if not (isinstance(names, list) and names and all(n in self.files for n in names)):
            return None
        kept = {name: unchanged(out / name, self.files[name]) for name in names}
        return kept if all(kept.values()) else None  # type: ignore[return-value]

    def serialised(self) -> bytes:
        # An entry is a tuple, which json writes as [key, size, mtime]; an unknown one, null.
        files = {name: None if e == UNKNOWN else e for name, e in self.files.items()}
        episodes = {slug: _episode_json(entry) for slug, entry in self.episodes.items()}
        data: dict[str, Any] = {"generator": "podkit", "files": files, "episodes": episodes}
        if self.pages is not None:
            data["pages"] = list(self.pages)
        # Compact, so json's C encoder writes it (with an indent it falls back to Python).
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return text.encode()


def _pending(out: Path) -> list[str]:
    """The names a killed build was about to change (see PENDING): files in an unknown state.
    Anyone may have written the file: it can only make files be made again."""
    try:
        names = json.loads((out / PENDING).read_bytes())
    except (OSError, ValueError, RecursionError):
        return []
    return [n for n in names if is_site_name(n)] if isinstance(names, list) else []


def write_pending(out: Path, names: Iterable[str]) -> None:
    from toolkit.writer import atomic_write  # the writer reads the manifest: imported on use

    atomic_write(out / PENDING, json.dumps(list(names), ensure_ascii=False).encode())


def clear_pending(out: Path) -> None:
    (out / PENDING).unlink(missing_ok=True)


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
    if type(name) is not str or name == MANIFEST or "\\" in name or "\0" in name:
        return False
    # No empty, "." or ".." part: found in the text, without splitting it (once per file).
    wrapped = f"/{name}/"
    return "//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped


def _file_entries(raw: object) -> tuple[dict[str, FileEntry], list[str]]:
    if not isinstance(raw, dict):
        return {}, []
    files: dict[str, FileEntry] = {}
    ignored: list[str] = []
    all_site_names = _all_site_names(raw)
    for name, value in raw.items():
        if all_site_names or is_site_name(name):
            files[name] = _file_entry(value)
        else:
            ignored.append(name)
    return files, ignored


def _all_site_names(names: Iterable[object]) -> bool:
    """Whether every name is a site name (`is_site_name`), told by one look at them all:
    each name, between slashes, is part of the text looked at; False sends each name to
    `is_site_name` (tens of thousands of them in a big show's manifest)."""
    try:
        text = "/\n/".join(names)  # type: ignore[arg-type]  # a name that is no text: False
    except TypeError:
        return False
    wrapped = f"/{text}/"
    if "\\" in text or "\0" in text or f"/{MANIFEST}/" in wrapped:
        return False
    return "//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped


def _file_entry(value: object) -> FileEntry:
    """A recorded [key, size, mtime]; anything else (an older manifest's bare key, a pending
    write) is a file in an unknown state."""
    # Types compared exactly (JSON makes no subclasses; True is no size): once per file.
    if type(value) is list and len(value) == 3:
        key, size, mtime_ns = value
        numbers = type(size) is int and type(mtime_ns) is int
        if type(key) is str and numbers and size >= 0 and mtime_ns >= 0:
            return FileEntry._make(value)
    return UNKNOWN


def _episode_entries(raw: object, files: dict[str, FileEntry]) -> dict[str, EpisodeEntry]:
    """The episode entries of the expected shape whose files are all recorded files of that
    episode's folder; any other entry is left out, and its episode loaded anew."""
    if not isinstance(raw, dict):
        return {}
    entries = {}
    for slug, value in raw.items():
        entry = _episode_entry(value)
        folder = f"{slug}/"
        if entry is not None and all(
            name in files and name.startswith(folder) for name in entry.outputs
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


def _sealed(value: object) -> Sealed | None:
    """A sealed record as the manifest holds it; anything else is no record."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(x, str) for x in value):
        return Sealed(*value)
    return None


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
    URL, the files at the top of the show's folder but its images (show.toml, a glossary) and
    the templates, the show's and built-in. Pages name the cover, never read it: a new cover
    makes its own copies and the MP3s' tags again, not every page."""
    files = [p for p in (source / USER_TEMPLATES).rglob("*") if p.is_file()]
    theme = builtin_key()  # read as resources: the theme may be no folder on disk
    return files_key(files, salt=f"{show_key(source, base_url, images=False)}\0{theme}")


def images_key(source: Path) -> str:
    """Changes with the JPEG and PNG files at the top of the show's folder (the cover)."""
    return files_key([p for p in _top_files(source) if _is_image(p)])


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in _IMAGE_SUFFIXES


def show_key(source: Path, base_url: str | None, images: bool = True) -> str:
    """Changes with podkit's code, the base URL and the files at the top of the show's folder
    (show.toml, the cover): what every MP3's tags are made from, with the episode's own.
    Without ``images``, the JPEG and PNG files there (the cover) are left out."""
    files = [p for p in _top_files(source) if images or not _is_image(p)]
    return files_key(files, salt=f"{code_key()}\0{base_url}")


def _top_files(source: Path) -> list[Path]:
    """The files at the top of the show's folder (a link's target's kind), told apart from its
    thousands of episode folders by the folder's listing, without a stat of each."""
    with os.scandir(source) as entries:
        return [Path(entry.path) for entry in entries if entry.is_file()]


_IMAGE_SUFFIXES = {suffix for suffixes in FORMAT_EXTENSIONS.values() for suffix in suffixes}


@cache
def code_key() -> str:
    """Changes with podkit's code and the parser of the show notes (found without importing
    it: a rebuild that reads no notes does not need it)."""
    code = Path(__file__).parent
    files = [p for p in code.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files_key([*files, *_package_file("markdown_it")], salt=__version__)


def _package_file(name: str) -> list[Path]:
    """An installed package's first file (its ``__init__.py``, which holds its version): an
    upgrade writes it again."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:  # not installed: podkit then fails where it is used
        return []
    return [Path(spec.origin)]


# A file changed this recently may change again within the same tick of the clock that stamps
# it, unseen: an episode with such a file is not kept as loaded (it is loaded again next time).
RACY_NS = 2_000_000_000


def identity(found: os.stat_result) -> str:
    """What says a file is still the one read before: its size and modification time, which
    a copy or an archive may set back, with its inode and its change time, which nobody can
    (a file replaced by another, or touched, or changed in any way, changes them)."""
    return f"{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}"


class State(NamedTuple):
    """A digest of files' identities, and whether one of them changed too recently to tell."""

    key: str
    racy: bool


def files_state(
    names: Iterable[str | Path], seen: dict[str, os.stat_result] | None = None
) -> State:
    """The files' identities (a link's target's), by name; a missing file counts too. A file
    in ``seen`` (filled by this function) is not asked for again."""
    recent = time.time_ns() - RACY_NS
    lines, racy = [], False
    for name in sorted(map(str, names)):
        found = seen.get(name) if seen else None
        if found is None:
            try:
                found = os.stat(name)
            except OSError:
                lines.append(f"{name}\0\n")
                continue
            if seen is not None:
                seen[name] = found
        racy = racy or max(found.st_ctime_ns, found.st_mtime_ns) > recent
        lines.append(f"{name}\0{identity(found)}\n")
    return State(hashlib.sha256("".join(lines).encode()).hexdigest(), racy)


def tag_key(
    episode: Episode,
    tags: EpisodeTags | str | None,
    id3_version: int,
    cover: str = "",
    found: os.stat_result | None = None,
) -> str:
    """Changes when the source audio, the tags or podkit itself change: a key of the audio
    (see `same_audio`), a key of the tags (or of what they are made from but the cover), and
    a key of the ``cover`` they show, when the tags' key leaves it out (see `same_but_cover`).
    ``found``: the source audio's stat, if taken already (as loading does)."""
    assert episode.audio is not None  # a linked episode is never tagged
    found = found if found is not None else episode.audio.stat()
    audio = (__version__, id3_version, found.st_size, found.st_mtime_ns)
    return _half_key(audio) + _half_key(tags) + _cover_half_key(cover)


def same_audio(key: str, other: str) -> bool:
    """Whether two tag keys are of the same source audio (their tags may differ)."""
    return key[:32] == other[:32]


def same_but_cover(key: str, other: str) -> bool:
    """Whether two tag keys are of the same source audio and tags but for the cover."""
    return key[:64] == other[:64]


def _half_key(inputs: object) -> str:
    return hashlib.sha256(pickle.dumps(inputs)).hexdigest()[:32]


@cache
def _cover_half_key(cover: str) -> str:
    """The same few covers' keys for every episode: each made once."""
    return _half_key(cover)


@dataclass(frozen=True)
class Reused:
    """An episode whose files a previous build made from exactly the same sources: its
    transcript is not read again, and the warnings that transcript gave are repeated."""

    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class Loaded:
    """An episode as a previous build loaded it from exactly the same files (with the path of
    its transcript, not read, and the warnings its files gave)."""

    episode: Episode
    transcript_file: Path | None
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

    def __init__(self, previous: Manifest, out: Path, key: str, images_key: str = "") -> None:
        self.previous, self.out, self.site_key = previous, out, key
        # The feed (which gives the cover's size) is made from the images at the top of the
        # show; pages are not (the cover's own files have `cover_key`).
        self.shared_key = f"{key}\0{images_key}"
        self._taken: dict[str, _Taken] = {}  # by slug: the episodes reused
        self._folders: dict[str, State] = {}  # by slug, taken before the folder is read
        self._seen: dict[str, dict[str, os.stat_result]] = {}  # by slug: the folder's files
        self._named: dict[str, State] = {}  # by slug: the files its episode.toml names
        self._stored: dict[str, _Load] | None = None  # the last build's, read on first use
        self._loads: dict[str, _Load] = {}  # by slug: the episodes as loaded, for the next build
        self._keys: dict[str, str] = {}  # by slug, once the show is loaded
        self._pages_key = ""

    def before_reading(self, directory: Path) -> dict[str, os.stat_result]:
        """Takes the folder's state before its files are read: a file edited meanwhile then
        changes the next build's key. Returns the stat of each file found, by name."""
        folder = str(directory)  # texts: thousands of folders, no Path objects
        names = [f"{folder}/{name}" for name in os.listdir(folder)]
        # The files the episode names are mostly in its folder: their identities as taken
        # here, before the folder is read, serve for its named files' state too.
        seen = self._seen[directory.name] = {}
        self._folders[directory.name] = files_state(names, seen)
        return seen

    def loaded(self, directory: Path) -> Loaded | None:
        """The episode as the last build loaded it, if podkit sealed that record and the
        folder and the files the episode names are still the very files it read."""
        if self._stored is None:
            self._stored = read_loads(self.out)
        stored = self._stored.get(directory.name)
        if stored is None:
            return None
        files = files_state(stored.named, self._seen.get(directory.name))
        if self._load_key(directory, files) != stored.key:
            return None
        try:  # the key holds podkit's code key: only this very podkit's records are opened
            loaded = Loaded(*loaded_from_record(stored.record))
        except RecordError:
            return None
        if loaded.episode.directory != directory:
            return None
        self._named[directory.name], self._loads[directory.name] = files, stored
        return loaded

    def remember(
        self, episode: Episode, transcript_file: Path | None, warnings: Iterable[Problem]
    ) -> None:
        """Keeps the episode as loaded from its sources for the next build, unless one of its
        files changed too recently to tell whether it changes again unseen."""
        named = tuple(sorted(map(str, _load_files(episode, transcript_file))))
        files = self._named[episode.slug] = files_state(named, self._seen.get(episode.slug))
        key = self._load_key(episode.directory, files)
        if key is not None:
            record = loaded_record(episode, transcript_file, warnings)
            self._loads[episode.slug] = _Load(key, named, record)

    def records(self) -> dict[str, bytes]:
        """Each episode's record as loaded (see `loaded_record`), by slug, when it has one: it
        makes the very episode this build uses."""
        return {slug: load.record for slug, load in self._loads.items()}

    def keep_loads(self) -> None:
        """Writes the episodes as loaded for the next build, unless they are those read."""
        if self._stored is None:
            self._stored = read_loads(self.out)
        if self._loads != self._stored:  # the records taken back are the very objects read
            write_loads(self.out, self._loads)

    def _load_key(self, directory: Path, files: State) -> str | None:
        """Changes with podkit's code and the identity of every file in the folder and of
        every file the episode names; None when one changed too recently to tell."""
        folder = self._folders[directory.name]
        if folder.racy or files.racy:
            return None
        inputs = f"{code_key()}\0{directory}\0{folder.key}\0{files.key}"
        return hashlib.sha256(inputs.encode()).hexdigest()

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
        out, records = self.out, self.previous.files
        files = {}
        for name in entry.outputs:  # texts, not paths: 7 files × 1000s of episodes
            record = records[name]
            try:  # `unchanged`, written out: the call costs more than the check
                found = os.lstat(f"{out}/{name}")
            except OSError:
                return None
            if not (
                stat.S_ISREG(found.st_mode)
                and found.st_size == record.size
                and found.st_mtime_ns == record.mtime_ns
            ):  # missing, or not as the last build left it
                return None
            files[name] = Kept(record)
        self.previous.checked.update(files)
        return files

    def audio_stat(self, episode: Episode) -> os.stat_result | None:
        """The stat of the episode's MP3 taken while loading it (the one its key holds), if
        any: a later stat would ask again for the same file."""
        seen = self._seen.get(episode.slug)
        return seen.get(str(episode.audio)) if seen and episode.audio else None

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
        slug = episode.slug
        if slug not in self._keys:
            inputs = f"{self.site_key}\0{self._sources(episode, transcript_file)}"
            self._keys[slug] = hashlib.sha256(inputs.encode()).hexdigest()
        return self._keys[slug]

    def keys(self) -> dict[str, str]:
        """The keys computed so far (`key`), by slug."""
        return self._keys

    def tags_key(self, episode: Episode, transcript_file: Path | None, show: str) -> str:
        """Changes with what an episode's tags are made from: the show (`show_key`) and the
        episode's files (not the templates)."""
        inputs = f"tags\0{show}\0{self._sources(episode, transcript_file)}"
        return hashlib.sha256(inputs.encode()).hexdigest()

    def _sources(self, episode: Episode, transcript_file: Path | None) -> str:
        """The state of the episode's folder and of the files it names."""
        if episode.slug not in self._named:
            self._named[episode.slug] = files_state(_load_files(episode, transcript_file))
        return f"{self._folders[episode.slug].key}\0{self._named[episode.slug].key}"

    def pages_key(self, show: Show, transcripts: dict[str, Path]) -> str:
        """Changes with the site and with any published episode: the home page and the
        sitemap list them all. Not with the cover, which they name and never read."""
        lines = [f"{e.slug}\0{self.key(e, transcripts.get(e.slug))}\n" for e in show.episodes]
        inputs = f"pages\0{self.site_key}{''.join(lines)}"
        self._pages_key = hashlib.sha256(inputs.encode()).hexdigest()
        return self._pages_key

    def cover_key(self, show: Show) -> str:
        """Changes with podkit's code and the show's cover: the files made from it alone."""
        inputs = f"cover\0{code_key()}\0{files_key([show.cover])}"
        return hashlib.sha256(inputs.encode()).hexdigest()

    def pages(self, names: Iterable[str]) -> Sealed | None:
        """The record of the show's own files, made from inputs of `pages_key`."""
        return Sealed.of({"key": self._pages_key, "files": sorted(names)})

    def feed_key(
        self, show: Show, transcripts: dict[str, Path], enclosures: dict[str, Enclosure]
    ) -> str:
        """Changes with the site, the show's cover (wherever it is kept) and with any
        published episode or its tagged MP3."""
        lines = [f"{self.shared_key}\0{files_key([show.cover])}"]
        for e in show.episodes:
            key, enclosure = self.key(e, transcripts.get(e.slug)), enclosures[e.slug]
            lines.append(f"{e.slug}\0{key}\0{enclosure.url}\0{enclosure.length}\n")
        return hashlib.sha256("".join(lines).encode()).hexdigest()

    def entries(
        self,
        show: Show,
        transcripts: dict[str, Path],
        formats: dict[str, tuple[str, ...]],
        outputs: Iterable[str],
        warnings: list[Problem],
    ) -> dict[str, EpisodeEntry]:
        """Each published episode's entry for the next build (``outputs``: the names of the
        files this build makes or keeps)."""
        files: dict[str, set[str]] = {e.slug: set() for e in show.episodes}
        for name in outputs:
            folder, slash, _ = name.partition("/")
            if slash and folder in files:
                files[folder].add(name)
        # Only the transcripts' warnings: the rest come again as the episode is loaded.
        by_file: dict[str, list[Problem]] = {}
        for w in warnings:
            by_file.setdefault(os.path.normpath(w.file), []).append(w)
        entries = {}
        for e in show.episodes:
            transcript_file = transcripts.get(e.slug)
            record = to_record(formats[e.slug])
            about: list[Problem] = []
            if by_file and transcript_file:  # no warnings at all: no path to normalise
                about = by_file.get(os.path.normpath(transcript_file), [])
            kept = [warning_record(w, e.directory) for w in about]
            key, outputs_of = self.key(e, transcript_file), tuple(sorted(files[e.slug]))
            entries[e.slug] = EpisodeEntry(key, outputs_of, record, kept)
        return entries


def _load_files(episode: Episode, transcript_file: Path | None) -> list[Path]:
    """The files an episode's folder names, which may be elsewhere in the show."""
    images = [c.image for c in episode.chapters if c.image is not None]
    audio = [episode.audio] if episode.audio else []  # linked audio: episode.toml says all
    named = [*audio, *([episode.cover] if episode.cover else []), *images]
    named += [version.file for version in episode.extras.alternate_enclosures]
    return [*named, *([transcript_file] if transcript_file else [])]


class _Load(NamedTuple):
    """An episode as loaded: the key of the files it was loaded from, their names (those its
    episode.toml names), and the record of the episode (`loaded_record`)."""

    key: str
    named: tuple[str, ...]
    record: bytes


def read_loads(out: Path) -> dict[str, _Load]:
    """The episodes as the last build loaded them, by slug; none when the file is not as this
    machine's podkit sealed it (a person, another machine or a crash may have changed it)."""
    try:
        data = (out / LOADED).read_bytes()
    except OSError:
        return {}
    pickled = opened_file(data, _LOADED_HEADER, "loaded episodes")
    if pickled is None:
        return {}
    try:  # builtin values only: a dict of tuples of texts and bytes
        loads = unpickled(pickled)
    except RecordError:
        return {}
    if not isinstance(loads, dict):
        return {}
    return {slug: _Load(*value) for slug, value in loads.items() if _is_load(value)}


def _is_load(value: object) -> bool:
    """Of the shape `write_loads` writes (another podkit's file may hold another)."""
    if not (isinstance(value, tuple) and len(value) == 3):
        return False
    key, named, record = value
    return (
        isinstance(key, str)
        and isinstance(named, tuple)
        and all(isinstance(n, str) for n in named)
        and isinstance(record, bytes)
    )


def write_loads(out: Path, loads: dict[str, _Load]) -> None:
    """Written atomically and sealed as a whole; without a seal key, or without episodes,
    nothing is kept (no file, as a first build of the same show would leave)."""
    from toolkit.writer import atomic_write  # the writer reads the manifest: imported on use

    records = {slug: tuple(load) for slug, load in sorted(loads.items())}
    pickled = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
    sealed = sealed_file(_LOADED_HEADER, pickled, "loaded episodes") if loads else None
    path = out / LOADED
    try:
        if sealed is not None:
            atomic_write(path, sealed)
        else:
            path.unlink(missing_ok=True)
    except (OSError, ToolkitError):  # a read-only cache folder: only the next build is slower
        return
