"""Where each published file lives in the site, so the feed, the pages and the writer agree."""

from __future__ import annotations

from pathlib import PurePosixPath

from toolkit.model import Episode, Show

FEED = PurePosixPath("feed.xml")
COVER = PurePosixPath("cover.jpg")
COVER_SMALL = PurePosixPath("cover-600.jpg")
FAVICON = PurePosixPath("favicon.png")


def show_cover(show: Show) -> PurePosixPath:
    return PurePosixPath("cover" + show.cover.suffix.lower())


def episode_page(episode: Episode) -> PurePosixPath:
    return PurePosixPath(episode.slug, "index.html")


def audio(episode: Episode) -> PurePosixPath:
    return PurePosixPath(episode.slug, episode.audio.name)


def chapters(episode: Episode) -> PurePosixPath:
    return PurePosixPath(episode.slug, "chapters.json")


def transcript(episode: Episode, fmt: str) -> PurePosixPath:
    return PurePosixPath(episode.slug, f"transcript.{fmt}")


def episode_cover(episode: Episode) -> PurePosixPath | None:
    if episode.cover is None:
        return None
    return PurePosixPath(episode.slug, "cover" + episode.cover.suffix.lower())


def url(show: Show, path: PurePosixPath) -> str:
    """Absolute URL of a site path; an ``index.html`` is addressed by its folder."""
    text = str(path)
    if path.name == "index.html":
        text = text[: -len("index.html")]
    return show.base_url + text
