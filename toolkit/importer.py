"""`podkit import`: an existing show's feed and back catalogue as a podkit show folder.

It writes show.toml and one folder per item (episode.toml, notes.md, the audio, the
episode's art, chapters and transcript), keeping every item's GUID exactly, so that the feed
podkit builds is the same show to the apps. Each episode folder is assembled under a
hidden name and renamed when complete. What the import wrote is recorded with checksums in
`RECORD_FILE`: `--update` adds only items it has not seen, and never rewrites a file whose
checksum changed since (the podcaster edited it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
import tomllib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomlkit

from toolkit import audio, chapter_formats, feed_reader, fetch, transcript
from toolkit.apple_categories import current_category
from toolkit.artwork import cover_problems, image_format
from toolkit.chapters import chapter_problems
from toolkit.config import EPISODE_FILE, NOTES_FILE, SHOW_FILE, podcast_guid
from toolkit.errors import Problem, ToolkitError
from toolkit.feed_reader import Channel, Item
from toolkit.html_markdown import require, to_markdown
from toolkit.model import Chapter
from toolkit.scaffold import slugify
from toolkit.timecode import format_timestamp
from toolkit.tomlcheck import loopback
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

RECORD_FILE = ".podkit-import.json"
AudioMode = Literal["download", "link"]
WORKERS = 4  # downloads at a time: enough to fill a line, polite to the old host
# The transcript formats podkit reads, by the MIME types feeds give, best first.
TRANSCRIPT_TYPES = (
    ("json", ("application/json",)),
    ("vtt", ("text/vtt",)),
    ("srt", ("application/x-subrip", "application/srt", "text/srt")),
)
_AUDIO_SUFFIXES = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/x-m4a": ".m4a"}


@dataclass(frozen=True)
class Planned:
    """An item of the feed and the folder it goes to."""

    item: Item
    slug: str


@dataclass
class Record:
    """What the import wrote: the feed, and each file's checksum, by show file or item GUID."""

    feed: str
    show: dict[str, str] = field(default_factory=dict)
    episodes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, source: Path) -> Record | None:
        try:
            data = json.loads((source / RECORD_FILE).read_text(encoding="utf-8"))
            return cls(str(data["feed"]), dict(data["show"]), dict(data["episodes"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, source: Path) -> None:
        data = {"feed": self.feed, "show": self.show, "episodes": self.episodes}
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
        atomic_write(source / RECORD_FILE, text.encode("utf-8"))


@dataclass(frozen=True)
class ImportReport:
    source: Path
    feed: str
    imported: tuple[str, ...]
    already: int  # items imported before (or in an episode folder already)
    kept: tuple[Path, ...]  # files edited since the last import: left as they are
    problems: tuple[Problem, ...]

    @property
    def failed(self) -> int:
        return sum(1 for p in self.problems if not p.warning)

    def summary(self) -> str:
        lines = [
            f"Imported {len(self.imported)} episode(s) from {self.feed} into {self.source}"
            + (f" ({self.already} already there)" if self.already else "")
        ]
        if self.kept:
            lines.append(f"Kept {len(self.kept)} file(s) edited since the last import")
        if self.failed:
            lines.append(f"{self.failed} item(s) need attention (listed above); run again later")
        lines.append("Next: podkit check, then podkit build (see README: moving a show)")
        return "\n".join(lines)


def import_feed(
    feed: str,
    source: Path,
    audio_mode: AudioMode = "download",
    since: datetime | None = None,
    limit: int | None = None,
    update: bool = False,
    base_url: str | None = None,
) -> ImportReport:
    """Import ``feed`` (an http(s) URL or a file) into ``source``; ToolkitError when the feed
    cannot be read or the folder does not fit (a show already there without ``update``)."""
    require()
    record = _check_folder(source, feed, update)
    channel = _read_feed(feed)
    problems = [Problem(feed, line, f"item {why}", "warning") for line, why in channel.skipped]
    source.mkdir(parents=True, exist_ok=True)
    kept = _write_show(channel, source, feed, base_url, record, problems)
    known = set(record.episodes) | _guids_on_disk(source)
    plan = _plan(channel.items, source, record, problems)
    wanted = _select([p for p in plan if p.item.guid not in known], since, limit)
    imported = _import_items(wanted, channel, source, record, problems, audio_mode)
    record.save(source)
    return ImportReport(
        source,
        feed,
        tuple(imported),
        sum(1 for p in plan if p.item.guid in known),
        tuple(kept),
        tuple(problems),
    )


def _check_folder(source: Path, feed: str, update: bool) -> Record:
    record = Record.load(source) if source.is_dir() else None
    if update:
        if not (source / SHOW_FILE).is_file():
            raise ToolkitError(
                [Problem(source, None, "has no show to update: import without --update")]
            )
        return record or Record(feed)
    if (source / SHOW_FILE).exists():
        raise ToolkitError(
            [
                Problem(
                    source / SHOW_FILE,
                    None,
                    "a show is already here: pass --update to add new items, "
                    "or choose another --source",
                )
            ]
        )
    return Record(feed)


def _read_feed(feed: str) -> Channel:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", feed):
        try:
            data = fetch.get(feed)
        except fetch.FetchError as error:
            raise ToolkitError(str(error)) from None
        base = feed
    else:
        path = Path(feed)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ToolkitError(
                [Problem(path, None, f"cannot be read ({error.strerror})")]
            ) from None
        base = ""
    try:
        return feed_reader.parse(data, base)
    except feed_reader.FeedError as error:
        raise ToolkitError([error.problem(feed)]) from None


def _guids_on_disk(source: Path) -> set[str]:
    guids = set()
    for path in source.glob(f"*/{EPISODE_FILE}"):
        try:
            guid = tomllib.loads(path.read_text(encoding="utf-8-sig")).get("guid")
        except (OSError, ValueError):
            continue
        if isinstance(guid, str):
            guids.add(guid)
    return guids


# --- the plan: which items, in which folders ---------------------------------------------


def _plan(
    items: Iterable[Item], source: Path, record: Record, problems: list[Problem]
) -> list[Planned]:
    """Every usable item with its folder, in publication order. A folder depends only on the
    feed and on what was imported before, so it stays the same from one import to the next."""
    dated: list[Item] = []
    seen: set[str] = set()
    for item in items:
        where = f"item {item.title!r}"
        if item.guid in seen:
            problems.append(
                Problem(
                    "feed",
                    item.line,
                    f"{where}: GUID {item.guid!r} is also an earlier item's: skipped",
                    "warning",
                )
            )
            continue
        seen.add(item.guid)
        if item.published is None:
            problems.append(Problem("feed", item.line, f"{where}: no readable pubDate: skipped"))
            continue
        if item.guid_derived:
            problems.append(
                Problem(
                    "feed",
                    item.line,
                    f"{where}: no <guid>: using its enclosure URL, as apps do",
                    "warning",
                )
            )
        dated.append(item)
    dated.sort(key=lambda i: i.published or datetime.min)
    taken = {str(e.get("folder")) for e in record.episodes.values()}
    planned = []
    for order, item in enumerate(dated, start=1):
        previous = record.episodes.get(item.guid)
        if previous is not None:
            planned.append(Planned(item, str(previous.get("folder"))))
            continue
        slug = _free_slug(_slug(item, order), taken, source)
        taken.add(slug)
        planned.append(Planned(item, slug))
    return planned


def _slug(item: Item, order: int) -> str:
    """``012-title``: the item's own number, else its place in publication order.

    >>> from datetime import UTC
    >>> item = Item("Épisode : un", "g", False, None, feed_reader.Remote("u"), "", None, 7, 2,
    ...             "full", None, None, (), (), None, None, (), 0)
    >>> _slug(item, 3)
    's02e007-episode-un'
    """
    number = item.number or order
    prefix = f"s{item.season:02d}e{number:03d}" if item.season and item.number else f"{number:03d}"
    return f"{prefix}-{slugify(item.title)}"


def _free_slug(slug: str, taken: set[str], source: Path) -> str:
    candidate, suffix = slug, 2
    while candidate in taken or (source / candidate).exists():
        candidate, suffix = f"{slug}-{suffix}", suffix + 1
    return candidate


def _select(plan: list[Planned], since: datetime | None, limit: int | None) -> list[Planned]:
    """The items published since ``since``, the newest ``limit`` of them."""
    chosen = [p for p in plan if since is None or (p.item.published and p.item.published >= since)]
    return chosen[-limit:] if limit else chosen


# --- the show -----------------------------------------------------------------------------


def _write_show(
    channel: Channel,
    source: Path,
    feed: str,
    base_url: str | None,
    record: Record,
    problems: list[Problem],
) -> list[Path]:
    """show.toml and the cover, unless the podcaster changed them since the last import."""
    show_file = source / SHOW_FILE
    kept = [p for p in (show_file,) if _edited(p, record.show.get(p.name))]
    if kept:
        log.info("%s: edited since the last import: left as it is", show_file)
        return kept
    if record.show and show_file.is_file():  # an update: the show is as imported, keep it
        return []
    cover = _fetch_cover(channel.image, source, "cover", problems, show_file)
    document = _show_document(channel, feed, base_url, cover, problems, show_file)
    data = tomlkit.dumps(document).encode("utf-8")
    atomic_write(show_file, data)
    record.show = {SHOW_FILE: _digest(data)}
    if cover:
        record.show[cover] = _digest((source / cover).read_bytes())
    return []


def _owner(
    channel: Channel, author: str, problems: list[Problem], show_file: Path
) -> tomlkit.items.Table:
    owner = tomlkit.table()
    owner["name"] = channel.owner_name or author
    if channel.owner_email:
        owner["email"] = channel.owner_email
    else:
        problems.append(
            Problem(show_file, "owner.email", "the feed has none: add the owner's email", "warning")
        )
    return owner


def _show_document(
    channel: Channel,
    feed: str,
    base_url: str | None,
    cover: str | None,
    problems: list[Problem],
    show_file: Path,
) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Imported from {feed}. Every key is described in the README."))
    doc["title"] = channel.title
    doc["description"] = _plain_markdown(channel.description_html) or channel.title
    language = _language(channel.language)
    if language:
        doc["language"] = language
    else:
        problems.append(
            Problem(
                show_file,
                "language",
                f"the feed gives {channel.language!r}: write the show's language, e.g. en",
                "warning",
            )
        )
    site = base_url or channel.link or _folder_url(feed)
    doc["base_url"] = site
    if base_url is None:
        problems.append(
            Problem(
                show_file,
                "base_url",
                f"set to the old site {site}: change it to where podkit's site will live",
                "warning",
            )
        )
    author = channel.author or channel.owner_name or channel.title
    doc["author"] = author
    doc["copyright"] = channel.copyright or f"© {author}"
    if cover:
        doc["cover"] = cover
    doc["explicit"] = channel.explicit
    doc["type"] = "serial" if channel.show_type == "serial" else "episodic"
    doc.add(tomlkit.comment("The show's identity for the apps: kept from the old feed."))
    doc["guid"] = _show_guid(channel, feed)
    # The feed's keywords are left out: no app reads them (the loader says why).
    doc["owner"] = _owner(channel, author, problems, show_file)
    categories = _categories(channel, problems, show_file)
    if categories:  # else the loader's message says what to add
        doc["categories"] = categories
    if channel.persons:
        doc["persons"] = _persons(channel.persons)
    if channel.funding:
        doc["funding"] = _tables([{"url": url, "text": text} for url, text in channel.funding])
    if channel.link and channel.link != site:
        doc["links"] = _tables([{"name": "Website", "url": channel.link}])
    return doc


def _show_guid(channel: Channel, feed: str) -> str:
    """The feed's podcast:guid, else the one the spec derives from the old feed's URL."""
    import uuid

    if channel.podcast_guid:
        try:
            return str(uuid.UUID(channel.podcast_guid))
        except ValueError:
            pass
    return podcast_guid(feed)


def _language(value: str | None) -> str | None:
    """
    >>> _language("EN-us"), _language("ja_JP"), _language("english")
    ('en-US', 'ja-JP', None)
    """
    match = re.fullmatch(r"\s*([a-zA-Z]{2,3})(?:[-_]([A-Za-z]{2,4}))?\s*", value or "")
    if not match:
        return None
    primary, region = match.group(1).lower(), match.group(2)
    return f"{primary}-{region.upper() if len(region) == 2 else region}" if region else primary


def _folder_url(feed: str) -> str:
    parts = urlsplit(feed)
    return (
        f"{parts.scheme}://{parts.netloc}/"
        if parts.scheme in ("http", "https")
        else "https://example.org/"
    )


def _categories(channel: Channel, problems: list[Problem], show_file: Path) -> tomlkit.items.AoT:
    found: list[dict[str, str]] = []
    for name, sub in channel.categories:
        current = current_category(name, sub)
        if current is None:
            problems.append(
                Problem(
                    show_file, "categories", f"{name!r} is not in Apple's list: left out", "warning"
                )
            )
            continue
        table = {"name": current[0]} | ({"subcategory": current[1]} if current[1] else {})
        if table not in found:
            found.append(table)
    if not found:
        problems.append(
            Problem(show_file, "categories", "none from Apple's list: add one", "warning")
        )
    return _tables(found)


def _tables(rows: list[dict[str, Any]]) -> tomlkit.items.AoT:
    tables = tomlkit.aot()
    for row in rows:
        table = tomlkit.table()
        for key, value in row.items():
            table[key] = value
        tables.append(table)
    return tables


def _persons(persons: Iterable[feed_reader.Person]) -> tomlkit.items.AoT:
    rows = []
    for p in persons:
        row: dict[str, Any] = {"name": p.name, "role": (p.role or "host").lower()}
        if p.group:
            row["group"] = p.group.lower()
        if p.href:
            row["href"] = p.href
        if p.img:
            row["img"] = p.img
        rows.append(row)
    return _tables(rows)


def _plain_markdown(html: str) -> str:
    return to_markdown(html).strip()


# --- files ------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _edited(path: Path, recorded: str | None) -> bool:
    """True when ``path`` exists and differs from what the import wrote there."""
    return recorded is not None and path.is_file() and _file_digest(path) != recorded


def _fetch_cover(
    url: str | None, folder: Path, stem: str, problems: list[Problem], file: Path
) -> str | None:
    """The image at ``url`` saved as ``stem.jpg`` or ``.png`` in ``folder``: its name, or None
    (with a problem) when it cannot be fetched or Apple would refuse it."""
    if url is None:
        problems.append(
            Problem(file, "cover", "the feed has no image: add a square JPEG or PNG", "warning")
        )
        return None
    try:
        data = fetch.get(url)
    except fetch.FetchError as error:
        problems.append(Problem(file, "cover", str(error), "warning"))
        return None
    trial = folder / f".{stem}.download"
    atomic_write(trial, data)
    kind = image_format(trial)
    if kind is None:
        trial.unlink()
        problems.append(Problem(file, "cover", f"{url}: is not a JPEG or PNG image", "warning"))
        return None
    name = f"{stem}.{'png' if kind == 'PNG' else 'jpg'}"
    trial.replace(folder / name)
    for message in cover_problems(folder / name):
        problems.append(Problem(file, "cover", f"{name} (from {url}) {message}", "warning"))
    return name


# --- episodes ----------------------------------------------------------------------------


def _import_items(
    plan: list[Planned],
    channel: Channel,
    source: Path,
    record: Record,
    problems: list[Problem],
    audio_mode: AudioMode,
) -> list[str]:
    lock = threading.Lock()
    done: list[str] = []

    def one(planned: Planned) -> None:
        found: list[Problem] = []
        try:
            files = _import_item(planned, channel, source, found, audio_mode)
        except OSError as error:  # a full disk, a folder made read-only meanwhile
            message = f"cannot be written ({error.strerror}): run the import again"
            found.append(Problem(source / planned.slug, None, message))
            files = None
        with lock:
            problems.extend(found)
            if files is not None:
                record.episodes[planned.item.guid] = {"folder": planned.slug, "files": files}
                done.append(planned.slug)
                log.info("imported %d/%d: %s", len(done), len(plan), planned.slug)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(one, plan))
    return sorted(done)


def _import_item(
    planned: Planned,
    channel: Channel,
    source: Path,
    problems: list[Problem],
    audio_mode: AudioMode = "download",
) -> dict[str, str] | None:
    """Assemble the episode under a hidden name, rename it when complete: the checksums of
    its files, or None when it could not be imported (the partial audio stays for a retry)."""
    item, slug = planned.item, planned.slug
    work = source / f".import-{slug}"
    work.mkdir(exist_ok=True)
    for leftover in work.iterdir():  # all but a partial download is made again
        if not leftover.name.endswith(".part"):
            leftover.unlink() if leftover.is_file() else shutil.rmtree(leftover)
    toml_file = source / slug / EPISODE_FILE
    mp3: Path | None = None
    if audio_mode == "link":
        audio_keys, duration = _linked_keys(item, problems, toml_file), item.duration
    else:
        audio_name = slug + _audio_suffix(item.enclosure)
        try:
            fetch.download(item.enclosure.url, work / audio_name, item.enclosure.length)
        except fetch.FetchError as error:
            problems.append(Problem("feed", item.line, f"item {item.title!r}: {error}"))
            return None
        mp3, audio_keys = work / audio_name, {"audio": audio_name}
        duration = _duration(mp3, item, problems)
    chapters = _chapters(item, mp3, duration, problems, toml_file)
    document = _episode_document(item, audio_keys, chapters)
    if item.image and item.image != channel.image:
        cover = _fetch_cover(item.image, work, "cover", problems, toml_file)
        if cover and cover_problems(work / cover):
            (work / cover).unlink()  # an episode does without its own art: the show's is used
        elif cover:
            document["cover"] = cover
    _transcript(item, work, duration, problems, toml_file)
    atomic_write(work / EPISODE_FILE, tomlkit.dumps(document).encode("utf-8"))
    atomic_write(work / NOTES_FILE, to_markdown(item.notes_html).encode("utf-8"))
    files = {p.name: _file_digest(p) for p in sorted(work.iterdir()) if p.is_file()}
    work.rename(source / slug)
    return files


def _audio_suffix(enclosure: feed_reader.Remote) -> str:
    suffix = Path(urlsplit(enclosure.url).path).suffix.lower()
    if re.fullmatch(r"\.(mp3|m4a|mp4|aac|ogg|opus|wav|flac)", suffix):
        return suffix
    return _AUDIO_SUFFIXES.get(enclosure.type, ".mp3")


def _linked_keys(item: Item, problems: list[Problem], file: Path) -> dict[str, Any]:
    """episode.toml's keys for audio left where it is: its address, and its length and
    duration from the feed (the length from the server when the feed gives none)."""
    enclosure = item.enclosure
    keys: dict[str, Any] = {"audio_url": enclosure.url}
    if not enclosure.url.startswith("https://") and not loopback(enclosure.url):
        message = "the old host serves it over http, which apps refuse: import with --audio "
        problems.append(Problem(file, "audio_url", message + "download", "warning"))
    length = enclosure.length or _server_length(enclosure.url)
    if isinstance(length, int):
        keys["audio_length"] = length
    else:
        message = f"{length}; nor does the feed: add the size in bytes"
        problems.append(Problem(file, "audio_length", message, "warning"))
    duration = item.duration or _remote_duration(enclosure.url, keys.get("audio_length"))
    if duration:
        keys["audio_duration"] = format_timestamp(duration)
    else:
        message = 'the feed gives no itunes:duration: add it, e.g. audio_duration = "00:42:10"'
        problems.append(Problem(file, "audio_duration", message, "warning"))
    kind = _linked_type(enclosure)
    if kind:
        keys["audio_type"] = kind
    return keys


FRAMES = 1 << 14  # bytes of MPEG frames that hold the Xing/LAME header and the bitrate


def _remote_duration(url: str, size: int | None) -> float | None:
    """An MP3's duration read from its first frames on the old host (two Range requests:
    its ID3 tag's header, then the frames after the tag), for a feed that gives none."""
    if not size:
        return None
    try:
        start = audio.audio_start(fetch.part(url, 0, 10))
        frames = fetch.part(url, start, FRAMES)
    except fetch.FetchError:
        return None
    return audio.duration_from_head(frames, size - start) if size > start else None


def _server_length(url: str) -> int | str:
    """The size the old host gives for the file, or why there is none."""
    try:
        size = fetch.size(url)
    except fetch.FetchError as error:
        return str(error)
    return size or f"{url}: its host does not say its size"


# MP3's other names in feeds; other audio is linked with its own type.
_MP3_TYPES = ("audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mp3", "audio/x-mpeg")
_SUFFIX_TYPES = {
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".opus": "audio/opus",
}


def _linked_type(enclosure: feed_reader.Remote) -> str | None:
    """The MIME type episode.toml needs for a linked file that is not an MP3, else None.

    >>> [_linked_type(feed_reader.Remote(u, t)) for u, t in (("a.mp3", "audio/mp3"),
    ...     ("a.m4a", ""), ("a", "audio/x-m4a"), ("a.mp3", ""))]
    [None, 'audio/mp4', 'audio/x-m4a', None]
    """
    if enclosure.type in _MP3_TYPES:
        return None
    if enclosure.type:
        return enclosure.type
    return _SUFFIX_TYPES.get(Path(urlsplit(enclosure.url).path).suffix.lower())


def _duration(path: Path, item: Item, problems: list[Problem]) -> float | None:
    try:
        return audio.probe(path).duration
    except audio.AudioError as error:
        problems.append(
            Problem("feed", item.line, f"item {item.title!r}: {path.name} {error}", "warning")
        )
        return None


def _episode_document(
    item: Item, audio_keys: dict[str, Any], chapters: list[Chapter]
) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    doc["title"] = item.title
    if item.number:
        doc["number"] = item.number
    if item.season:
        doc["season"] = item.season
    doc["type"] = item.episode_type if item.episode_type in ("full", "trailer", "bonus") else "full"
    doc["published"] = item.published
    doc.add(
        tomlkit.comment("The GUID the old feed gave this item: keep it, or apps download it again.")
    )
    doc["guid"] = item.guid
    doc["explicit"] = bool(item.explicit)
    for key, value in audio_keys.items():  # the file, or the linked audio's address
        doc[key] = value
    if item.summary:
        doc["summary"] = item.summary
    if item.keywords:
        doc["keywords"] = list(item.keywords)
    if item.persons:
        doc["persons"] = _persons(item.persons)
    if chapters:
        rows: list[dict[str, Any]] = []
        for c in chapters:
            row: dict[str, Any] = {"start": format_timestamp(c.start), "title": c.title}
            if c.url:
                row["url"] = c.url
            if c.hidden:
                row["hidden"] = True
            rows.append(row)
        doc["chapters"] = _tables(rows)
    return doc


def _chapters(
    item: Item, mp3: Path | None, duration: float | None, problems: list[Problem], file: Path
) -> list[Chapter]:
    """From podcast:chapters, else psc:chapters, else the MP3's own CHAP frames (when it was
    downloaded); left out (with a warning) when they break podkit's chapter rules."""
    try:
        if item.chapters_json:
            numbered = chapter_formats.parse("json", fetch.get(item.chapters_json))
        elif item.psc_chapters:
            numbered = chapter_formats.parse("podlove", item.psc_chapters)
        elif mp3 is not None:
            numbered = _mp3_chapters(mp3)
        else:
            return []
    except fetch.FetchError as error:
        problems.append(Problem(file, "chapters", f"{error}: left out", "warning"))
        return []
    except chapter_formats.ChapterFormatError as error:
        problems.append(Problem(file, "chapters", f"{error.message}: left out", "warning"))
        return []
    chapters = [c for _, c in numbered]
    found = chapter_problems(chapters, duration)
    if found:
        index, key, message = found[0]
        problems.append(
            Problem(
                file, f"chapters[{index + 1}].{key}", f"{message}: chapters left out", "warning"
            )
        )
        return []
    return chapters


def _mp3_chapters(mp3: Path) -> chapter_formats.Numbered:
    with mp3.open("rb") as stream:
        head = stream.read(10)
        data = head + stream.read(max(audio.audio_start(head) - 10, 0))
    try:
        frames = audio.read_chapters(data)
    except audio.AudioError:
        return []
    chapters = sorted((start / 1000, title) for _, start, _, title in frames if title.strip())
    return [
        (i, Chapter(round(start, 3), title.strip())) for i, (start, title) in enumerate(chapters, 1)
    ]


def _transcript(
    item: Item, work: Path, duration: float | None, problems: list[Problem], file: Path
) -> None:
    """The best transcript the feed offers (JSON, then VTT, then SRT), written as the
    editable transcript.txt."""
    choice = next(
        ((fmt, t) for fmt, types in TRANSCRIPT_TYPES for t in item.transcripts if t.type in types),
        None,
    )
    if choice is None:
        return
    fmt, remote = choice
    try:
        spoken = transcript.read(Path(f"transcript.{fmt}"), fetch.get(remote.url), fmt)
    except fetch.FetchError as error:
        problems.append(Problem(file, "transcript", f"{error}: left out", "warning"))
        return
    except transcript.TranscriptError as error:
        problems.append(
            Problem(file, "transcript", f"{remote.url}: {error.message}: left out", "warning")
        )
        return
    atomic_write(
        work / "transcript.txt", transcript.write(spoken, "turns", duration).encode("utf-8")
    )
