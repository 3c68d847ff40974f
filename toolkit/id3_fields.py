"""What podkit writes in an episode's ID3 tag, from the show's model (no I/O but images)."""

from __future__ import annotations

from typing import cast

from toolkit import audio
from toolkit.artwork import chapter_image_bytes, image_mime, resized_jpeg
from toolkit.i18n import iso_639_2, words
from toolkit.model import Episode, Show
from toolkit.typography import TypesetOnUse, typeset_show

TAG_COVER_SIZE = 600  # pixels: players show it small, and the tag stays around 50 KB


def episode_tags(show: Show, episode: Episode, cover_jpeg: bytes | None) -> audio.EpisodeTags:
    """The tag's text is reading text, typeset as the pages are: the same chapter titles."""
    show = typeset_show(show, episodes=False)
    # Only what the tag reads is typeset: not the notes' HTML, nor a loaded transcript.
    episode = cast(Episode, TypesetOnUse(episode, show.language))
    hosts = [p.name for p in (episode.persons or show.persons) if p.role == "host"]
    chapters = tuple(
        audio.ChapterTag(
            start_ms=round(chapter.start * 1000),
            end_ms=round(episode.chapter_end(index) * 1000),
            title=chapter.title,
            url=chapter.url,
            image=chapter_image_bytes(chapter.image) if chapter.image else None,
            image_mime=image_mime(chapter.image) if chapter.image else "image/jpeg",
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
