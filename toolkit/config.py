"""Read ``show.toml`` and every ``<slug>/episode.toml`` into the model, checking every key.

All problems of all files are collected and raised together as one `ToolkitError`; warnings
(unknown keys, missing notes) are returned with the show so the CLI can print them.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from toolkit import audio, digests, notes, paths
from toolkit.apple_categories import APPLE_CATEGORIES
from toolkit.artwork import (
    TOO_LARGE,
    chapter_image_problem,
    cover_problems,
    image_format,
    image_problem,
)
from toolkit.chapters import MAX_CHAPTERS, TOO_MANY_CHAPTERS, start_problems, text_problems
from toolkit.errors import Problem, Problems
from toolkit.extras_config import episode_extras, is_decimal_number, read_location, show_extras
from toolkit.model import (
    AudioInfo,
    Category,
    Chapter,
    Episode,
    EpisodeType,
    FrozenValue,
    Funding,
    Link,
    LinkedAudio,
    Person,
    Show,
    Transcript,
    replace,
    value,
)
from toolkit.parallel import fork_map
from toolkit.textcheck import file_character_problem
from toolkit.timecode import format_timestamp
from toolkit.tomlcheck import (
    Table,
    as_uri,
    inside,
    load_toml,
    loopback,
    not_a_file,
    outside_message,
    read_source,
)

if TYPE_CHECKING:
    from toolkit.cache import Loaded, Reused

SHOW_FILE, EPISODE_FILE, NOTES_FILE = "show.toml", "episode.toml", "notes.md"
TRANSCRIPT_NAMES = ("transcript.txt", "transcript.vtt", "transcript.srt", "transcript.json")
# The UUID ead4c236-bf58-58c6-a2c6-a6b28d128cb6 (podcast:guid), as bytes.
PODCAST_NAMESPACE = bytes.fromhex("ead4c236bf5858c6a2c6a6b28d128cb6")
# podcast:medium: the namespace's list, each with its "L" variant (a list of such feeds).
_MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "course")
MEDIUMS = (*_MEDIUMS, "publisher", "mixed", *(m + "L" for m in _MEDIUMS))
FUNDING_TEXT_MAX = 128  # podcast:funding: the spec's limit for the text
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # the whole name: fullmatch


def podcast_guid(feed_url: str) -> str:
    """Podcasting 2.0 GUID: UUIDv5 of the feed URL without scheme and trailing slashes.

    >>> podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    """
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    # `uuid.uuid5` written out (RFC 4122): the uuid module imports `platform`, a cost for
    # every `podkit tag` of a show whose guid is derived.
    digest = digests.sha1(PODCAST_NAMESPACE + bare.encode())
    made = bytearray(digest[:16])
    made[6] = made[6] & 0x0F | 0x50  # version 5
    made[8] = made[8] & 0x3F | 0x80  # the RFC 4122 variant
    hexadecimal = made.hex()
    parts = (hexadecimal[:8], hexadecimal[8:12], hexadecimal[12:16], hexadecimal[16:20])
    return "-".join((*parts, hexadecimal[20:]))


class Reuse(Protocol):
    """A previous build's record (the build's cache): which episodes it already published."""

    def before_reading(self, directory: Path) -> dict[str, os.stat_result]: ...

    def loaded(self, directory: Path) -> Loaded | None: ...

    def remember(
        self, episode: Episode, transcript_file: Path | None, warnings: list[Problem]
    ) -> None: ...

    def reuse(self, episode: Episode, transcript_file: Path | None) -> Reused | None: ...


def load_show(
    source: Path,
    base_url: str | None = None,
    read_transcripts: bool = True,
    only: str | None = None,
) -> tuple[Show, list[Problem]]:
    """The whole show from ``source``; raises ToolkitError listing every problem.

    With ``read_transcripts=False`` episodes are loaded without their transcript (unless there
    are problems already: then every transcript is read too, so that all problems are
    reported at once). With ``only``, just that episode folder is read (`podkit tag` needs no
    other)."""
    show, _, warnings = _load(source, base_url, None, read_transcripts, only)
    return show, warnings


def load_show_for_build(
    source: Path, base_url: str | None, reuse: Reuse
) -> tuple[Show, dict[str, Path], list[Problem]]:
    """The show without its transcripts, and each episode's transcript file by slug: the
    build reads a transcript in the worker that publishes it, and not at all when ``reuse``
    says a previous build published the episode from exactly the same files."""
    return _load(source, base_url, reuse, False, None)


def _load(
    source: Path,
    base_url: str | None,
    reuse: Reuse | None,
    read_transcripts: bool,
    only: str | None,
) -> tuple[Show, dict[str, Path], list[Problem]]:
    problems = Problems()
    show_file = source / SHOW_FILE
    if not source.is_dir():
        problems.add(source, None, "folder not found: pass --source with your show's folder")
        problems.raise_if_errors()
    data = load_toml(show_file, problems)
    show = _read_show(data, show_file, source, base_url, problems) if data is not None else None
    read = [_read_episode(d, problems, reuse) for d in _episode_dirs(source, problems, only, reuse)]
    _check_unique([r.episode for r in read if r.episode is not None], problems)
    if show is not None and show.show_type == "serial":
        _check_numbered([r.episode for r in read if r.episode is not None], problems)
    loaded = _with_transcripts(read, problems, parse=read_transcripts or bool(problems.errors))
    problems.raise_if_errors()
    assert show is not None
    loaded.sort(key=lambda e: (e.published, e.slug))
    files = {r.episode.slug: r.transcript_path for r in read if r.episode and r.transcript_path}
    return replace(show, episodes=tuple(loaded)), files, problems.warnings


def _folders(source: Path) -> list[Path]:
    """The folders in ``source`` (links to folders too), by name; scandir tells a folder from a
    file without a stat per entry."""
    with os.scandir(source) as entries:
        names = sorted(e.name for e in entries if e.is_dir())
    return [source / name for name in names]


def _episode_dirs(
    source: Path, problems: Problems, only: str | None = None, reuse: Reuse | None = None
) -> list[Path]:
    """The episode folders; with ``reuse``, each folder's state is taken here (see
    `Reuse.before_reading`), and its listing tells whether it holds an episode.toml."""
    found = []
    for child in [source / only] if only else _folders(source):
        if child.name.startswith((".", "_")) or (only and not child.is_dir()):
            continue  # _scripts, .git and the like are the show's own business
        if not _has_episode_file(child, reuse):
            if not only:  # asked for by name, it is an error below
                problems.warn(child, None, f"no {EPISODE_FILE}: not an episode folder, skipped")
            continue
        if paths.reserved_folder(child.name):
            problems.add(
                child,
                None,
                f"the site keeps its own files in a folder {child.name!r}: rename this one",
            )
            continue
        if not SLUG.fullmatch(child.name):
            suggestion = re.sub(r"[^a-z0-9]+", "-", child.name.lower()).strip("-") or "episode-1"
            problems.add(
                child,
                None,
                "folder name is used in URLs: use lowercase letters, digits and dashes, "
                f"e.g. rename it {suggestion!r}",
            )
            continue
        found.append(child)
    if not found and only:
        problems.add(source / only, None, f"not an episode folder: it has no {EPISODE_FILE}")
    elif not found:
        problems.add(source, None, 'no episode folder: create one with `podkit new "Title"`')
    return found


def _has_episode_file(folder: Path, reuse: Reuse | None) -> bool:
    """Whether the folder holds an episode.toml (a link's target's kind), asked once: the
    folder's state, taken before its files are read, holds that file's stat."""
    name = os.path.join(folder, EPISODE_FILE)
    if reuse is None:
        return os.path.isfile(name)
    found = reuse.before_reading(folder).get(name)
    return found is not None and stat.S_ISREG(found.st_mode)


class _Settings(NamedTuple):
    """The show's keys that have a default."""

    explicit: bool
    show_type: str
    locked: bool
    medium: str
    timezone: str


def _settings(t: Table) -> _Settings:
    return _Settings(
        explicit=t.boolean("explicit", False),
        show_type=t.choice("type", ("episodic", "serial"), "episodic"),
        locked=t.boolean("locked", True),
        medium=t.choice("medium", MEDIUMS, "podcast"),
        timezone=_timezone(t),
    )


def _read_show(
    data: dict[str, object],
    file: Path,
    source: Path,
    base_url_override: str | None,
    problems: Problems,
) -> Show | None:
    t = Table(data, file, "", problems)
    title = t.text("title", required=True)
    description = t.text("description", required=True, line_breaks=True)
    language = _language(t)
    base_url = own_base_url = t.url("base_url", required=True)
    if base_url_override is not None:
        base_url = base_url_override
    author = t.text("author", required=True)
    copyright_ = t.text("copyright", required=True)
    cover = _cover(t, source, source, required=True)
    settings = _settings(t)
    guid = _guid(t)
    _no_keywords(t)
    owner_name, owner_email = _owner(t)
    categories = _show_categories(t, data)
    persons = _persons(t)
    funding = _funding(t)
    links = _links(t)
    t.known.add("deploy")  # podkit deploy's table, read by toolkit.deploy
    extras = show_extras(t)
    t.finish()

    if not (title and description and language and base_url and own_base_url):
        return None
    if not (author and copyright_):
        return None
    if not (cover and owner_name and owner_email):
        return None
    base_url = base_url.rstrip("/") + "/"
    return Show(
        directory=source,
        title=title,
        description=description,
        language=language,
        base_url=base_url,
        author=author,
        owner_name=owner_name,
        owner_email=owner_email,
        cover=cover,
        categories=tuple(categories),
        explicit=settings.explicit,
        show_type="serial" if settings.show_type == "serial" else "episodic",
        copyright=copyright_,
        podcast_guid=guid or podcast_guid(own_base_url.rstrip("/") + "/feed.xml"),
        locked=settings.locked,
        medium=settings.medium,
        timezone=settings.timezone,
        persons=tuple(persons),
        funding=tuple(funding),
        links=tuple(links),
        extras=extras,
    )


def _language(t: Table) -> str | None:
    language = t.text("language", required=True)
    if language and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language):
        t.error("language", f"{language!r} is not a language code: use e.g. fr or en-US")
    return language


def _cover(t: Table, directory: Path, root: Path, required: bool = False) -> Path | None:
    cover = t.file_path("cover", directory, required=required, root=root)
    if cover:
        for message in cover_problems(cover):
            t.error("cover", message)
    return cover


def _timezone(t: Table) -> str:
    timezone = t.text("timezone")
    if not timezone:
        return "UTC"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only when the show names one

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        t.error("timezone", f"{timezone!r} is not a time zone: use e.g. Europe/Paris")
    return timezone


def _guid(t: Table) -> str | None:
    guid = t.text("guid")
    if guid is not None:
        import uuid  # only when the show gives its guid; see `podcast_guid`

        try:
            guid = str(uuid.UUID(guid))
        except ValueError:
            t.error("guid", "must be a UUID; leave it out to derive it from the feed URL")
    return guid


def _owner(t: Table) -> tuple[str | None, str | None]:
    owner = t.table("owner", required=True)
    if not owner:
        return None, None
    name, email = owner.text("name", required=True), owner.email("email", required=True)
    owner.finish()
    return name, email


def _show_categories(t: Table, data: dict[str, object]) -> list[Category]:
    categories = _categories(t)
    if "categories" not in data:
        t.error(
            "categories", 'missing: add [[categories]] with name = "Technology" (Apple\'s list)'
        )
    elif data["categories"] == []:
        t.error("categories", "is empty: add at least one [[categories]] from Apple's list")
    return categories


def _no_keywords(t: Table) -> None:
    """No app reads keywords any more (Apple ignores itunes:keywords, Podcasting 2.0 has
    none): the key is refused with a warning rather than silently dropped."""
    if t.strings("keywords"):
        t.problems.warn(
            t.file,
            t.key("keywords"),
            "no app reads keywords (Apple ignores itunes:keywords): put the words in the "
            "title, description or notes, and remove the key",
        )


def _funding(t: Table) -> list[Funding]:
    funding = []
    for f in t.tables("funding"):
        url, text = f.url("url", required=True), f.text("text", required=True)
        f.finish()
        if url and not url.startswith("https://"):
            f.error("url", f"{url!r} must be an https:// address (Podcasting 2.0 funding)")
            url = None
        if text and len(text) > FUNDING_TEXT_MAX:
            f.error(
                "text",
                f"has {len(text)} characters: podcast:funding allows {FUNDING_TEXT_MAX}; "
                "shorten it",
            )
            text = None
        if url and text:
            funding.append(Funding(url, text))
    return funding


def _links(t: Table) -> list[Link]:
    links = []
    for link in t.tables("links"):
        name, url = link.text("name", required=True), link.url("url", required=True)
        link.finish()
        if name and url:
            links.append(Link(name, url))
    return links


def _categories(t: Table) -> list[Category]:
    categories = []
    for c in t.tables("categories"):
        name, sub = c.text("name", required=True), c.text("subcategory")
        c.finish()
        if name is None:
            continue
        if name not in APPLE_CATEGORIES:
            c.error("name", f"{name!r} is not an Apple Podcasts category: {_closest(name)}")
            continue
        if sub is not None and sub not in APPLE_CATEGORIES[name]:
            allowed = ", ".join(APPLE_CATEGORIES[name]) or "none"
            c.error("subcategory", f"{sub!r} is not a subcategory of {name}: use one of {allowed}")
            continue
        categories.append(Category(name, sub))
    return categories


def _closest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(APPLE_CATEGORIES), n=1, cutoff=0.4)
    return f"did you mean {close[0]!r}?" if close else "see Apple's list in the README"


def _persons(t: Table) -> list[Person]:
    persons = []
    for p in t.tables("persons"):
        name = p.text("name", required=True)
        role = _person_role(p, p.text("role", default="host") or "host")
        group = _person_group(p, p.text("group"), role)
        href, img = p.url("href"), p.url("img")
        p.finish()
        if name and role and group:
            persons.append(Person(name, role, group, href, img))
    return persons


def _person_role(p: Table, given: str) -> str | None:
    """The taxonomy's role (lowercase) for what the file says, a French word mapped."""
    from toolkit.person_taxonomy import FRENCH_ROLES, ROLES, closest  # only for persons

    role = FRENCH_ROLES.get(given.strip().lower(), given.strip().lower())
    if role not in ROLES:
        p.error("role", f"{given!r} is not a Podcasting 2.0 role: {closest(role, ROLES)}")
        return None
    return role


def _person_group(p: Table, given: str | None, role: str | None) -> str | None:
    """The taxonomy's group: as given (a French word mapped), else the role's own."""
    from toolkit.person_taxonomy import FRENCH_GROUPS, TAXONOMY, closest, group_of

    if given is None:
        return group_of(role) if role else None
    group = FRENCH_GROUPS.get(given.strip().lower(), given.strip().lower())
    groups = tuple(TAXONOMY)
    if group not in groups:
        p.error("group", f"{given!r} is not a Podcasting 2.0 group: {closest(group, groups)}")
        return None
    if role and role not in TAXONOMY[group]:
        p.error("role", f"{role!r} is not a role of the group {group!r}: use {group_of(role)!r}")
        return None
    return group


@value
class _Read(FrozenValue):
    """An episode read but for its transcript, which is parsed for all episodes at once."""

    episode: Episode | None
    transcript_path: Path | None
    audio_info: AudioInfo | None
    reused: bool = False  # taken from a previous build, which published its transcript


def _read_episode(directory: Path, problems: Problems, reuse: Reuse | None) -> _Read:
    if reuse is None:
        return _read_episode_files(directory, problems)
    loaded = reuse.loaded(directory)  # the folder's state was taken when it was found
    if loaded is not None:  # the same files as the last build read: taken back as loaded
        problems.items.extend(loaded.warnings)
        read = _Read(loaded.episode, loaded.transcript_file, loaded.episode.audio_info)
    else:
        start = len(problems.items)
        read = _read_episode_files(directory, problems)
        if read.episode is not None:
            warnings = [p for p in problems.items[start:] if p.warning]
            reuse.remember(read.episode, read.transcript_path, warnings)
    if read.episode is None:
        return read
    reused = reuse.reuse(read.episode, read.transcript_path)
    if reused is not None:
        problems.items.extend(reused.warnings)
        # Its transcript was checked and published by that build: it is not read again.
        return _Read(read.episode, read.transcript_path, read.audio_info, reused=True)
    return read


def _read_episode_files(directory: Path, problems: Problems) -> _Read:
    file = directory / EPISODE_FILE
    data = load_toml(file, problems)
    if data is None:
        return _Read(None, None, None)
    t = Table(data, file, "", problems)
    title = t.text("title", required=True)
    number = None if is_decimal_number(data.get("number")) else t.integer("number")
    season = t.integer("season")
    episode_type = t.choice("type", tuple(_EPISODE_TYPES), "full")
    published = t.moment("published", required=True)
    guid = t.text("guid", required=True)
    explicit = t.boolean("explicit", False)
    show_folder = directory.parent
    audio_path, linked, info = _episode_audio(t, directory, file, problems)
    cover = _cover(t, directory, show_folder)
    summary = t.text("summary", line_breaks=True)
    _no_keywords(t)
    transcript_name = t.text("transcript")
    persons = _persons(t)
    chapter_tables = _chapter_tables(t)
    extras = episode_extras(t, directory, info)
    t.finish()

    found = Problems()  # checked before the chapters (`at` reads it), reported in its place
    path = _transcript_path(directory, transcript_name, file, found)
    chapters = _chapters(chapter_tables, directory, info, problems, path)
    markdown = _notes(directory, problems)
    problems.items.extend(found.items)

    if not (title and published and guid and (audio_path or linked) and info):
        return _Read(None, path, info)
    from_notes = notes.derived_from(markdown)
    episode = Episode(
        slug=directory.name,
        directory=directory,
        title=title,
        number=number,
        season=season,
        episode_type=_EPISODE_TYPES[episode_type],
        published=published,
        guid=guid,
        explicit=explicit,
        audio=audio_path,
        audio_info=info,
        summary=summary or from_notes.summary,
        notes_html=from_notes.html,
        notes_text=from_notes.text,
        cover=cover,
        persons=tuple(persons),
        chapters=tuple(chapters),
        extras=extras,
        linked=linked,
    )
    return _Read(episode, path, info)


# The episode types, typed as the model's.
_EPISODE_TYPES: dict[str, EpisodeType] = {"full": "full", "trailer": "trailer", "bonus": "bonus"}


def _chapter_tables(t: Table) -> list[Table]:
    tables = t.tables("chapters")
    if len(tables) > MAX_CHAPTERS:
        t.error("chapters", TOO_MANY_CHAPTERS.format(count=len(tables)))
    return tables


_LINKED_KEYS = ("audio_length", "audio_duration", "audio_type")
_AUDIO_TYPE = re.compile(r"audio/[a-z0-9][a-z0-9.+-]*")


def _episode_audio(
    t: Table, directory: Path, file: Path, problems: Problems
) -> tuple[Path | None, LinkedAudio | None, AudioInfo | None]:
    """The episode's MP3 and what it measures, or its linked audio (``audio_url``) and what
    episode.toml says of it: one or the other."""
    if "audio_url" not in t.data:
        for key in (k for k in _LINKED_KEYS if k in t.data):
            t.known.add(key)
            problems.warn(file, key, "is read only with audio_url: remove it")
        path = _audio_path(t, directory)
        return path, None, _probe(path, file, problems) if path else None
    t.known.update(("audio", "audio_url", *_LINKED_KEYS))
    if "audio" in t.data:
        t.error(
            "audio_url",
            "the episode also has its own file (audio): remove audio_url to publish that "
            "file, or remove audio to link to the address",
        )
        return None, None, None
    return (None, *_linked_audio(t))


def _linked_audio(t: Table) -> tuple[LinkedAudio | None, AudioInfo | None]:
    """Audio on another host (kept there by `podkit import --audio link`): its https address,
    and the length and duration the build cannot measure."""
    url = t.url("audio_url", required=True)
    if url and not url.startswith("https://") and not loopback(url):
        t.error("audio_url", f"{url!r} must be an https:// address: apps refuse plain http")
        url = None
    for key, example in (("audio_length", "34567890"), ("audio_duration", '"00:42:10"')):
        if key not in t.data:  # podkit cannot measure a file it does not have
            t.error(key, f"missing: the audio is linked (audio_url): add {key} = {example}")
    length = t.integer("audio_length")
    duration = t.timestamp("audio_duration")
    if duration == 0:
        t.error("audio_duration", 'is zero: write the audio\'s duration, e.g. "00:42:10"')
    kind = t.text("audio_type", default="audio/mpeg") or "audio/mpeg"
    if not _AUDIO_TYPE.fullmatch(kind):
        t.error("audio_type", f"{kind!r} is not an audio MIME type: write e.g. audio/mp4")
        return None, None
    if not (url and length and duration):
        return None, None
    return LinkedAudio(url, kind), AudioInfo(duration, length, 0, 0, 0)


def _audio_path(t: Table, directory: Path) -> Path | None:
    """The MP3, published in the episode's folder under its own name: one the site's own
    files do not use."""
    path = t.file_path("audio", directory, required=True, root=directory.parent)
    clash = paths.own_name_problem(path.name) if path else None
    if clash:
        t.error("audio", clash)
        return None
    return path


def _probe(path: Path, file: Path, problems: Problems) -> AudioInfo | None:
    try:
        return audio.probe(path)
    except audio.AudioError as error:
        problems.add(file, "audio", f"{path.name} {error}")
        return None


def _chapters(
    tables: list[Table],
    directory: Path,
    info: AudioInfo | None,
    problems: Problems,
    transcript_path: Path | None = None,
) -> list[Chapter]:
    chapters: list[Chapter] = []
    read: list[int] = []  # the index of each chapter read among the tables
    starts: list[float | None] = []  # every chapter's, so that the order checks follow the file
    placed = _starts_at_sentences(tables, transcript_path, info)
    for position, c in enumerate(tables):
        start = placed[position] if position in placed else c.timestamp("start", required=True)
        starts.append(start)
        title = c.text("title", required=True)
        url = c.text("url")  # checked with the other chapter rules below
        image = c.file_path("image", directory, root=directory.parent)
        problem = image_problem(image) if image else None
        if image and problem != TOO_LARGE and image_format(image) is None:
            problem = f"{image.name} is not a JPEG or PNG image"  # what to fix first
        if image and not problem:
            problem = chapter_image_problem(image)
        if problem:
            c.error("image", problem)
            image = None
        hidden = c.boolean("hidden", False)
        image_url = c.url("image_url")
        location = read_location(c)
        c.finish()
        if start is None or title is None:
            continue
        read.append(position)
        chapters.append(Chapter(start, title, url, image, hidden, image_url, location))
    found = [(read[index], key, message) for index, key, message in text_problems(chapters)]
    found += start_problems(starts, info.duration if info else None)
    for index, key, message in sorted(found, key=lambda problem: problem[0]):
        tables[index].error(key, message)
    return [replace(c, url=as_uri(c.url)) if c.url else c for c in chapters]


def _starts_at_sentences(
    tables: list[Table], transcript_path: Path | None, info: AudioInfo | None
) -> dict[int, float | None]:
    """The start of each chapter that gives ``at``, by table: the start of the transcript's
    sentence that begins with those words (None when it cannot be placed; the problem is
    reported). The transcript is read here only for an episode that uses ``at``."""
    given: dict[int, str | None] = {}
    for position, c in enumerate(tables):
        if "at" in c.data:
            given[position] = c.text("at", required=True)
            c.timestamp("start")  # read, so that it is not also reported as an unknown key
    placed: dict[int, float | None] = dict.fromkeys(given)
    wanted = {p: at for p, at in given.items() if at is not None and "start" not in tables[p].data}
    spoken = _transcript_for_at(transcript_path, info) if wanted else ""
    name = transcript_path.name if transcript_path else "the transcript"
    for position, at in given.items():
        found = _sentence_for(tables[position], at, spoken, name)
        if isinstance(found, str):
            tables[position].error("at", found)
        else:
            placed[position] = found
    return placed


def _sentence_for(
    table: Table, at: str | None, spoken: Transcript | str, name: str
) -> float | str | None:
    """Where one chapter's ``at`` places it, or what is wrong (None: reported already)."""
    if "start" in table.data:
        return "and start are both set: keep start (a time) or at (words), not both"
    if at is None:
        return None
    from toolkit.sentences import sentence_start  # only for a chapter placed by its words

    return spoken if isinstance(spoken, str) else sentence_start(spoken, at, name)


def _transcript_for_at(path: Path | None, info: AudioInfo | None) -> Transcript | str:
    """The episode's transcript, for its chapters' ``at``; else what is wrong with it."""
    if path is None:
        return (
            "needs the episode's timed transcript (transcript.txt next to episode.toml) "
            "to find the sentence: add it, or give the chapter's start"
        )
    loaded = load_transcript(path, info)
    if isinstance(loaded, list):  # its problems are reported with the transcript's
        return f"cannot be placed until {path.name}'s problems are fixed"
    return loaded


def _notes(directory: Path, problems: Problems) -> str:
    path = directory / NOTES_FILE
    if not os.path.lexists(path):
        problems.warn(path, None, "no show notes: the episode page will only have its summary")
        return ""
    wrong = not_a_file(path)
    if wrong:
        problems.add(path, None, f"{wrong}: {NOTES_FILE} holds the episode's show notes")
        return ""
    try:
        text = read_source(path)
    except UnicodeDecodeError:
        problems.add(path, None, "is not UTF-8 text: save it as UTF-8")
        return ""
    except OSError as error:
        problems.add(path, None, f"cannot be read ({error.strerror})")
        return ""
    found = file_character_problem(text)
    if found:
        problems.add(path, *found)
        return ""
    return text


def _transcript_path(
    directory: Path, name: str | None, file: Path, problems: Problems
) -> Path | None:
    """The transcript file, as named (not resolved); it must be inside the show's folder."""
    if name is None:
        return _found_transcript(directory, problems)
    path = directory / name
    try:
        path.lstat()
    except FileNotFoundError:
        problems.add(file, "transcript", f"file {name!r} not found next to {file.name}")
        return None
    except OSError as error:  # a name too long
        problems.add(file, "transcript", f"file {name!r} cannot be read ({error.strerror})")
        return None
    wrong = not_a_file(path)
    if wrong:
        problems.add(file, "transcript", f"{name!r} {wrong}")
        return None
    if not inside(path, directory.parent):
        problems.add(file, "transcript", outside_message(name, directory.parent))
        return None
    return path


def _found_transcript(directory: Path, problems: Problems) -> Path | None:
    """The first of TRANSCRIPT_NAMES in the folder; one there as a folder or a broken link
    is an error, not the lack of a transcript."""
    there = [directory / n for n in TRANSCRIPT_NAMES if os.path.lexists(directory / n)]
    if not there:
        return None
    path = there[0]
    wrong = not_a_file(path)
    if wrong:
        problems.add(path, None, f"{wrong}: it holds the episode's transcript")
        return None
    if not inside(path, directory.parent):
        problems.add(path, None, outside_message(path.name, directory.parent))
        return None
    return path


def load_transcript(path: Path, info: AudioInfo | None) -> Transcript | list[Problem]:
    """A transcript file, checked against the episode's audio: the transcript or its problems."""
    from toolkit import transcript  # not for `podkit tag`, which reads no transcript

    try:
        spoken = transcript.read(path, path.read_bytes())
    except transcript.TranscriptError as error:
        return [error.problem(path)]
    except OSError as error:
        return [Problem(path, None, f"cannot be read ({error.strerror})")]
    if info is None:
        return spoken
    segments = spoken.segments
    late = next((i for i, s in enumerate(segments) if (s.start or 0.0) > info.duration), None)
    if late is None:  # a last cue may run on a little into the silence at the end
        limit = info.duration + 0.5
        late = next((i for i, s in enumerate(segments) if (s.end or 0.0) > limit), None)
    if late is None:
        return spoken
    segment = segments[late]
    return [
        Problem(
            path,
            f"segment {late + 1}",
            f"at {format_timestamp(max(segment.start or 0.0, segment.end or 0.0))} is past "
            f"the end of the audio ({format_timestamp(info.duration)}): fix its time",
        )
    ]


def _with_transcripts(read: list[_Read], problems: Problems, parse: bool) -> list[Episode]:
    """The episodes read, each with its transcript when ``parse`` (read on all cores: it is
    most of a show's loading time), checked against the audio."""
    pending = [r for r in read if r.transcript_path is not None and not r.reused] if parse else []
    results = fork_map(_load_pending, [(r.transcript_path, r.audio_info) for r in pending])
    spoken_by_path: dict[Path | None, Transcript] = {}
    for item, result in zip(pending, results, strict=True):
        if isinstance(result, list):
            problems.items.extend(result)
        else:
            spoken_by_path[item.transcript_path] = result
    episodes = []
    for item in read:
        if item.episode is None:
            continue
        spoken = None if item.reused else spoken_by_path.get(item.transcript_path)
        episodes.append(replace(item.episode, transcript=spoken) if spoken else item.episode)
    return episodes


def _load_pending(job: tuple[Path | None, AudioInfo | None]) -> Transcript | list[Problem]:
    path, info = job
    assert path is not None
    return load_transcript(path, info)


def _check_numbered(episodes: list[Episode], problems: Problems) -> None:
    """Apple rejects a serial show whose episodes are not all numbered."""
    for episode in episodes:
        if episode.number is None:
            problems.add(
                episode.directory / EPISODE_FILE,
                "number",
                'missing: the show is type = "serial", so every episode needs its number',
            )


def _check_unique(episodes: list[Episode], problems: Problems) -> None:
    seen: dict[str, Episode] = {}
    for episode in episodes:
        other = seen.get(episode.guid)
        if other is not None:
            problems.add(
                episode.directory / EPISODE_FILE,
                "guid",
                f"is also the GUID of {other.slug}: every episode needs its own "
                "(`python -c 'import uuid; print(uuid.uuid4())'` makes one)",
            )
        seen[episode.guid] = episode
    numbers: dict[tuple[int | None, int], str] = {}
    for episode in episodes:
        if episode.number is None:
            continue
        key = (episode.season, episode.number)
        if key in numbers:
            problems.warn(
                episode.directory / EPISODE_FILE,
                "number",
                f"episode {episode.number} is also {numbers[key]}'s number in this season",
            )
        numbers[key] = episode.slug
