"""The build, as a script of named stages: load -> audio -> feed -> site -> write.

Everything is computed in memory before the first byte is written, so a problem anywhere
leaves the previous site exactly as it was.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from toolkit import __version__, audio, paths
from toolkit.artwork import resized_jpeg
from toolkit.chapters import chapter_image_name
from toolkit.config import load_show
from toolkit.errors import Problem
from toolkit.feed import Enclosure, build_feed
from toolkit.i18n import iso_639_2, words
from toolkit.model import Episode, Show
from toolkit.site import build_site
from toolkit.writer import Kept, Manifest, Output, WriteReport, write_site

TAG_COVER_SIZE = 600  # pixels: players show it small, and the tag stays around 50 KB


@dataclass(frozen=True)
class BuildReport:
    show: Show
    warnings: list[Problem]
    written: WriteReport
    seconds: float

    def summary(self) -> str:
        count = len(self.show.episodes)
        return (
            f"Built {count} episode{'s' * (count != 1)} into {{out}}: "
            f"{len(self.written.written)} files written, {self.written.unchanged} unchanged, "
            f"{len(self.written.removed)} removed in {self.seconds:.2f} s"
        )


def build(
    source: Path,
    out: Path,
    base_url: str | None = None,
    drafts: bool = False,
    now: datetime | None = None,
    id3_version: int = 3,
    progress: Callable[[Sequence[Episode]], Iterable[Episode]] | None = None,
) -> BuildReport:
    started = time.perf_counter()
    show, warnings = load_show(source, base_url)
    show = published_only(show, now or datetime.now(UTC), drafts)
    previous = Manifest.load(out)
    outputs, enclosures = tag_audio(show, out, previous, id3_version, progress)
    outputs[paths.FEED] = build_feed(show, enclosures)
    outputs.update(build_site(show))
    report = write_site(out, outputs, previous)
    return BuildReport(show, warnings, report, time.perf_counter() - started)


def published_only(show: Show, now: datetime, drafts: bool) -> Show:
    """Leave out episodes dated after ``now`` unless drafts are wanted."""
    if drafts:
        return show
    return replace(show, episodes=tuple(e for e in show.episodes if e.published <= now))


def episode_tags(show: Show, episode: Episode, cover_jpeg: bytes | None) -> audio.EpisodeTags:
    hosts = [p.name for p in (episode.persons or show.persons) if p.role == "host"]
    chapters = tuple(
        audio.ChapterTag(
            start_ms=round(chapter.start * 1000),
            end_ms=round(episode.chapter_end(index) * 1000),
            title=chapter.title,
            url=chapter.url,
            image=chapter.image.read_bytes() if chapter.image else None,
            image_mime="image/png"
            if chapter.image and chapter.image.suffix == ".png"
            else "image/jpeg",
            hidden=chapter.hidden,
        )
        for index, chapter in enumerate(episode.chapters)
    )
    return audio.EpisodeTags(
        title=episode.title,
        artist=", ".join(hosts) or show.author,
        album=show.title,
        date=episode.published.date().isoformat(),
        track=episode.number,
        comment=episode.summary,
        language=iso_639_2(show.language),
        guid=episode.guid,
        page_url=show.episode_url(episode),
        feed_url=show.feed_url,
        cover_jpeg=resized_jpeg(episode.cover, TAG_COVER_SIZE) if episode.cover else cover_jpeg,
        chapters=chapters,
        toc_title=words(show.language)["chapters"],
    )


def _tag_key(episode: Episode, tags: audio.EpisodeTags, id3_version: int) -> str:
    """Changes when the source audio, the tags or podkit itself change."""
    stat = episode.audio.stat()
    inputs = (__version__, id3_version, stat.st_size, stat.st_mtime_ns, tags)
    return hashlib.sha256(pickle.dumps(inputs)).hexdigest()


def tag_audio(
    show: Show,
    out: Path,
    previous: Manifest,
    id3_version: int,
    progress: Callable[[Sequence[Episode]], Iterable[Episode]] | None = None,
) -> tuple[dict[PurePosixPath, Output], dict[str, Enclosure]]:
    """A tagged copy of each episode's MP3 (the source is only read), and its enclosure."""
    outputs: dict[PurePosixPath, Output] = {}
    enclosures: dict[str, Enclosure] = {}
    show_cover = resized_jpeg(show.cover, TAG_COVER_SIZE)
    for episode in progress(show.episodes) if progress else show.episodes:
        path = paths.audio(episode)
        tags = episode_tags(show, episode, show_cover)
        key = _tag_key(episode, tags, id3_version)
        if previous.unchanged(out, path, key):
            outputs[path] = Kept(key)
            length = (out / path).stat().st_size
        else:
            data = audio.tag_bytes(episode.audio.read_bytes(), tags, id3_version)
            outputs[path] = Kept(key, data)
            length = len(data)
        enclosures[episode.slug] = Enclosure(paths.url(show, path), length)
        for index, chapter in enumerate(episode.chapters):
            if chapter.image:
                name = chapter_image_name(index, chapter.image.suffix)
                outputs[PurePosixPath(episode.slug, name)] = chapter.image.read_bytes()
    return outputs, enclosures
