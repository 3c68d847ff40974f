"""The one set of chapter rules, and the chapters published with each episode: the
Podcasting 2.0 JSON (also a `chapter_formats` export) and the description's timestamps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath

from toolkit import paths
from toolkit.model import Chapter, Episode
from toolkit.timecode import format_clock, format_timestamp
from toolkit.tomlcheck import url_problem

# A chapter that breaks a rule: its index, the key at fault and what to do.
ChapterProblem = tuple[int, str, str]


def chapter_problems(
    chapters: Sequence[Chapter], duration: float | None, audio: str = "the audio"
) -> list[ChapterProblem]:
    """What is wrong with these chapters, whether they come from episode.toml or from
    another tool's file: a title, an http(s) link if any, the first at 0, starts that go
    up, all inside the audio (when its ``duration`` is known)."""
    found = text_problems(chapters) + start_problems([c.start for c in chapters], duration, audio)
    return sorted(found, key=lambda problem: problem[0])  # stable: each chapter's in order


def text_problems(chapters: Sequence[Chapter]) -> list[ChapterProblem]:
    """Each chapter's title and link, on its own."""
    found: list[ChapterProblem] = []
    for index, chapter in enumerate(chapters):
        if not chapter.title.strip():
            found.append((index, "title", "is empty: write a value"))
        for key, link in (("url", chapter.url), ("image_url", chapter.image_url)):
            wrong_url = None if link is None else url_problem(link)
            if wrong_url is not None:
                found.append((index, key, wrong_url))
    return found


def start_problems(
    starts: Sequence[float | None], duration: float | None, audio: str = "the audio"
) -> list[ChapterProblem]:
    """The chapters' starts in the order of the file, None for one that could not be read
    (it is not compared, so that its neighbours are not blamed for it)."""
    found: list[ChapterProblem] = []
    for index, start in enumerate(starts):
        if start is None:
            continue
        if index == 0 and start != 0:
            found.append((index, "start", 'the first chapter must start at "00:00:00"'))
        previous = starts[index - 1] if index > 0 else None
        if previous is not None and start <= previous:
            found.append(
                (
                    index,
                    "start",
                    f"{format_timestamp(start)} is not after the previous chapter "
                    f"({format_timestamp(previous)}): chapters must be in order, without repeats",
                )
            )
        if duration is not None and start >= duration:
            end = format_timestamp(duration)
            found.append(
                (
                    index,
                    "start",
                    f"{format_timestamp(start)} is past the end of {audio} ({end}):"
                    " move it before the end, or remove the chapter",
                )
            )
    return found


# An ID3 table of contents (CTOC) counts its entries in one byte. Splitting it into nested
# tables would allow more, but players read one flat table and show far fewer chapters.
MAX_CHAPTERS = 255
TOO_MANY_CHAPTERS = "has {count} chapters: an MP3's table of contents holds at most 255; merge some"


def chapters_json(episode: Episode, base_url: str) -> str:
    """The episode's chapters.json, with the address of each chapter's image."""
    images = [chapter_image_url(episode, i, base_url) for i in range(len(episode.chapters))]
    return podcasting_json(episode.chapters, episode.audio_info.duration, images)


def chapter_image_url(episode: Episode, index: int, base_url: str) -> str | None:
    """Where chapter ``index``'s art is: its copy in the site, else its image_url."""
    chapter = episode.chapters[index]
    if chapter.image is None:
        return chapter.image_url
    name = chapter_image_name(index, chapter.image.suffix)
    return base_url + paths.quoted(PurePosixPath(episode.slug, name))


def podcasting_json(
    chapters: Sequence[Chapter], duration: float, images: Sequence[str | None] = ()
) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0): each ends where the next one starts,
    the last at ``duration``; ``images`` are their img URLs; hidden ones have ``toc: false``."""
    items = []
    for index, chapter in enumerate(chapters):
        end = chapters[index + 1].start if index + 1 < len(chapters) else duration
        item: dict[str, object] = {
            "startTime": round(chapter.start, 3),
            "endTime": round(end, 3),
            "title": chapter.title,
        }
        if chapter.url:
            item["url"] = chapter.url
        if index < len(images) and images[index]:
            item["img"] = images[index]
        if chapter.hidden:
            item["toc"] = False
        if chapter.location:
            place = chapter.location
            item["location"] = {
                key: value
                for key, value in (("name", place.name), ("geo", place.geo), ("osm", place.osm))
                if value
            }
        items.append(item)
    document = {"version": "1.2.0", "chapters": items}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def chapter_image_name(index: int, suffix: str) -> str:
    return f"chapter-{index + 1}{suffix.lower()}"


def description_timestamps(episode: Episode) -> list[str]:
    """``00:00:00 Title`` lines, the form Apple Podcasts and YouTube turn into chapters."""
    return [
        f"{format_clock(c.start, always_hours=True)} {c.title}" for c in episode.visible_chapters
    ]
