"""Chapter formats published with each episode (pure functions)."""

from __future__ import annotations

import json

from toolkit.model import Episode
from toolkit.timecode import format_clock

# An ID3 table of contents (CTOC) counts its entries in one byte. Splitting it into nested
# tables would allow more, but players read one flat table and show far fewer chapters.
MAX_CHAPTERS = 255
TOO_MANY_CHAPTERS = "has {count} chapters: an MP3's table of contents holds at most 255; merge some"


def chapters_json(episode: Episode, base_url: str) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0); hidden chapters have ``toc: false``."""
    chapters = []
    for index, chapter in enumerate(episode.chapters):
        item: dict[str, object] = {
            "startTime": round(chapter.start, 3),
            "endTime": round(episode.chapter_end(index), 3),
            "title": chapter.title,
        }
        if chapter.url:
            item["url"] = chapter.url
        if chapter.image:
            item["img"] = (
                f"{base_url}{episode.slug}/{chapter_image_name(index, chapter.image.suffix)}"
            )
        if chapter.hidden:
            item["toc"] = False
        chapters.append(item)
    document = {"version": "1.2.0", "chapters": chapters}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def chapter_image_name(index: int, suffix: str) -> str:
    return f"chapter-{index + 1}{suffix.lower()}"


def description_timestamps(episode: Episode) -> list[str]:
    """``00:00:00 Title`` lines, the form Apple Podcasts and YouTube turn into chapters."""
    return [
        f"{format_clock(c.start, always_hours=True)} {c.title}" for c in episode.visible_chapters
    ]
