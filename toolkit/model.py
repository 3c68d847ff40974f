"""The in-memory show: frozen dataclasses that every stage reads and none changes."""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Literal

from toolkit import paths

EpisodeType = Literal["full", "trailer", "bonus"]
ShowType = Literal["episodic", "serial"]


class _Value:
    """The equality, hash and repr of the frozen dataclasses below, written once: what
    `dataclass` generates for each class (its compared fields in order; its qualified name
    and shown fields in the repr) without compiling a copy of each for every class."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            compared = _compared(self.__class__)
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_compared(self.__class__)(self))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = (f"{name}={getattr(self, name)!r}" for name in _shown(self.__class__))
        return f"{self.__class__.__qualname__}({', '.join(shown)})"


_COMPARED: dict[type, Callable[[object], tuple[object, ...]]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


def _compared(cls: type) -> Callable[[object], tuple[object, ...]]:
    """What a dataclass's generated ``__eq__`` and ``__hash__`` compare, as one tuple."""
    if cls not in _COMPARED:
        names = [f.name for f in fields(cls) if f.compare]
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
            one = attrgetter(names[0])
            _COMPARED[cls] = lambda value: (one(value),)
        else:
            _COMPARED[cls] = attrgetter(*names) if names else lambda value: ()
    return _COMPARED[cls]


def _shown(cls: type) -> tuple[str, ...]:
    if cls not in _SHOWN:
        _SHOWN[cls] = tuple(f.name for f in fields(cls) if f.repr)
    return _SHOWN[cls]


@dataclass(frozen=True, eq=False, repr=False)
class Person(_Value):
    name: str
    role: str = "host"  # Podcasting 2.0 taxonomy role, e.g. host, guest
    group: str = "cast"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Chapter(_Value):
    start: float  # seconds from the start of the audio
    title: str
    url: str | None = None
    image: Path | None = None
    hidden: bool = False  # kept in the file, left out of tables of contents
    image_url: str | None = None  # art on another host: published as-is, never fetched
    location: Location | None = None  # the place the chapter is about


@dataclass(frozen=True, eq=False, repr=False)
class Category(_Value):
    name: str
    subcategory: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Funding(_Value):
    url: str
    text: str


@dataclass(frozen=True, eq=False, repr=False)
class Link(_Value):
    """A subscribe link on the home page (Apple Podcasts, Spotify, …)."""

    name: str
    url: str


@dataclass(frozen=True, eq=False, repr=False)
class Segment(_Value):
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Transcript(_Value):
    segments: tuple[Segment, ...]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Named speakers in order of first appearance."""
        return tuple(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    @property
    def timed(self) -> bool:
        return bool(self.segments) and all(s.start is not None for s in self.segments)


@dataclass(frozen=True, eq=False, repr=False)
class AudioInfo(_Value):
    duration: float  # seconds, from the LAME/Xing header when there is one
    size: int  # bytes of the source file
    bitrate: int  # bits per second
    sample_rate: int
    channels: int


@dataclass(frozen=True, eq=False, repr=False)
class LinkedAudio(_Value):
    """Audio left on another host (a show imported with its enclosures linked): the site
    holds no copy, so episode.toml gives what the build cannot measure."""

    url: str
    type: str = "audio/mpeg"


@dataclass(frozen=True, eq=False, repr=False)
class License(_Value):
    """podcast:license: an SPDX identifier, or a name with the URL of its text."""

    name: str
    url: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Location(_Value):
    name: str
    rel: str | None = None  # "subject" (what it is about) or "creator" (where it was made)
    geo: str | None = None  # geo URI, e.g. geo:48.78,2.36
    osm: str | None = None  # OpenStreetMap type and id, e.g. R7444
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, eq=False, repr=False)
class Soundbite(_Value):
    start: float  # seconds
    duration: float
    title: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Txt(_Value):
    text: str
    purpose: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class RemoteItem(_Value):
    """A show recommended in podcast:podroll."""

    feed_guid: str
    feed_url: str | None = None
    medium: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class UpdateFrequency(_Value):
    text: str
    rrule: str | None = None
    complete: bool = False
    dtstart: datetime | None = None


@dataclass(frozen=True, eq=False, repr=False)
class SocialInteract(_Value):
    protocol: str
    uri: str | None = None
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None


@dataclass(frozen=True, eq=False, repr=False)
class ValueRecipient(_Value):
    name: str
    address: str
    split: int
    type: str = "node"
    custom_key: str | None = None
    custom_value: str | None = None
    fee: bool = False


@dataclass(frozen=True, eq=False, repr=False)
class Value(_Value):
    recipients: tuple[ValueRecipient, ...]
    type: str = "lightning"
    method: str = "keysend"
    suggested: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class AlternateEnclosure(_Value):
    """Another version of the episode's audio that the podcaster provides (Opus, AAC…)."""

    file: Path
    type: str  # MIME type, from the file's contents
    length: int  # bytes
    title: str | None = None
    default: bool = False
    integrity: str | None = None  # Subresource Integrity digest, e.g. sha384-…


@dataclass(frozen=True, eq=False, repr=False)
class Notify(_Value):
    """Where `podkit notify` announces a new feed: a WebSub hub, the Podcast Index."""

    hub: str | None = None
    podcast_index: str | None = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


@dataclass(frozen=True, eq=False, repr=False)
class ShowExtras(_Value):
    """Show-level Podcasting 2.0 and Apple tags beyond the basics."""

    license: License | None = None
    location: Location | None = None
    txt: tuple[Txt, ...] = ()
    podroll: tuple[RemoteItem, ...] = ()
    update_frequency: UpdateFrequency | None = None
    block: tuple[str, ...] = ()  # services ("apple", "spotify"…), or ("all",)
    value: Value | None = None
    new_feed_url: str | None = None
    complete: bool = False
    analytics_prefix: str | None = None
    notify: Notify = field(default_factory=Notify)


@dataclass(frozen=True, eq=False, repr=False)
class EpisodeExtras(_Value):
    """Episode-level Podcasting 2.0 and Apple tags beyond the basics."""

    soundbites: tuple[Soundbite, ...] = ()
    license: License | None = None
    location: Location | None = None
    season_name: str | None = None
    episode_display: str | None = None
    decimal_number: str | None = None  # a number like 2.5, for podcast:episode only
    alternate_enclosures: tuple[AlternateEnclosure, ...] = ()
    txt: tuple[Txt, ...] = ()
    social_interact: tuple[SocialInteract, ...] = ()
    value: Value | None = None
    block: bool = False


@dataclass(frozen=True, eq=False, repr=False)
class Episode(_Value):
    slug: str
    directory: Path
    title: str
    number: int | None
    season: int | None
    episode_type: EpisodeType
    published: datetime  # always timezone-aware
    guid: str
    explicit: bool
    audio: Path | None  # None when the audio is linked: on another host, never copied
    audio_info: AudioInfo
    summary: str
    notes_html: str  # the show notes, rendered once by the loader
    notes_text: str  # the same without Markdown marks (the feed's description)
    cover: Path | None = None
    persons: tuple[Person, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    transcript: Transcript | None = None  # None when it has none, or was loaded without it
    extras: EpisodeExtras = field(default_factory=EpisodeExtras)
    linked: LinkedAudio | None = None

    @property
    def audio_type(self) -> str:
        """The audio's MIME type: podkit publishes MP3s; a linked file may be another."""
        return self.linked.type if self.linked else "audio/mpeg"

    @property
    def visible_chapters(self) -> tuple[Chapter, ...]:
        return tuple(c for c in self.chapters if not c.hidden)

    def chapter_end(self, index: int) -> float:
        """Each chapter ends where the next one starts; the last at the audio's end."""
        if index + 1 < len(self.chapters):
            return self.chapters[index + 1].start
        return self.audio_info.duration


@dataclass(frozen=True, eq=False, repr=False)
class Show(_Value):
    directory: Path
    title: str
    description: str
    language: str
    base_url: str  # always ends with "/"
    author: str
    owner_name: str
    owner_email: str
    cover: Path
    categories: tuple[Category, ...]
    explicit: bool
    show_type: ShowType
    copyright: str
    podcast_guid: str
    locked: bool
    medium: str
    timezone: str
    persons: tuple[Person, ...] = ()
    funding: tuple[Funding, ...] = ()
    links: tuple[Link, ...] = ()
    extras: ShowExtras = field(default_factory=ShowExtras)
    episodes: tuple[Episode, ...] = field(default=())

    @property
    def feed_url(self) -> str:
        return paths.url(self, paths.FEED)

    def episode_url(self, episode: Episode) -> str:
        return paths.url(self, paths.episode_page(episode))


def published_only(show: Show, now: datetime, drafts: bool) -> Show:
    """Leave out episodes dated after ``now`` unless drafts are wanted."""
    if drafts:
        return show
    return replace(show, episodes=tuple(e for e in show.episodes if e.published <= now))
