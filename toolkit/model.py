"""The in-memory show: frozen dataclasses that every stage reads and none changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from toolkit import paths

EpisodeType = Literal["full", "trailer", "bonus"]
ShowType = Literal["episodic", "serial"]


@dataclass(frozen=True)
class Person:
    name: str
    role: str = "host"  # Podcasting 2.0 taxonomy role, e.g. host, guest
    group: str = "cast"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds from the start of the audio
    title: str
    url: str | None = None
    image: Path | None = None
    hidden: bool = False  # kept in the file, left out of tables of contents


@dataclass(frozen=True)
class Category:
    name: str
    subcategory: str | None = None


@dataclass(frozen=True)
class Funding:
    url: str
    text: str


@dataclass(frozen=True)
class Link:
    """A subscribe link on the home page (Apple Podcasts, Spotify, …)."""

    name: str
    url: str


@dataclass(frozen=True)
class Segment:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Named speakers in order of first appearance."""
        return tuple(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    @property
    def timed(self) -> bool:
        return bool(self.segments) and all(s.start is not None for s in self.segments)


@dataclass(frozen=True)
class AudioInfo:
    duration: float  # seconds, from the LAME/Xing header when there is one
    size: int  # bytes of the source file
    bitrate: int  # bits per second
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class Episode:
    slug: str
    directory: Path
    title: str
    number: int | None
    season: int | None
    episode_type: EpisodeType
    published: datetime  # always timezone-aware
    guid: str
    explicit: bool
    audio: Path
    audio_info: AudioInfo
    summary: str
    notes_html: str  # the show notes, rendered once by the loader
    notes_text: str  # the same without Markdown marks (the feed's description)
    cover: Path | None = None
    persons: tuple[Person, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    transcript: Transcript | None = None  # None when it has none, or was loaded without it

    @property
    def visible_chapters(self) -> tuple[Chapter, ...]:
        return tuple(c for c in self.chapters if not c.hidden)

    def chapter_end(self, index: int) -> float:
        """Each chapter ends where the next one starts; the last at the audio's end."""
        if index + 1 < len(self.chapters):
            return self.chapters[index + 1].start
        return self.audio_info.duration


@dataclass(frozen=True)
class Show:
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
