"""Where each published file lives in the site, so the feed, the pages and the writer agree."""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, urlparse

if TYPE_CHECKING:  # the model asks this module for its URLs
    from toolkit.model import AlternateEnclosure, Episode, Show

HOME = PurePosixPath("index.html")
NOT_FOUND = PurePosixPath("404.html")
SITEMAP = PurePosixPath("sitemap.xml")
FEED = PurePosixPath("feed.xml")
COVER_SMALL = PurePosixPath("cover-600.jpg")
FAVICON = PurePosixPath("favicon.png")
STYLE = PurePosixPath("assets", "style.css")
PLAYER = PurePosixPath("assets", "player.js")
FEED_STYLE = PurePosixPath("assets", "feed.xsl")  # rendered: it speaks the show's language
ASSETS = (STYLE, PLAYER)
_RESERVED = frozenset(asset.parts[0] for asset in ASSETS)  # asked of every episode folder
# What the site names its own files in an episode's folder, whatever the extension (and the
# case: a Mac's disk does not tell Index.html from index.html): the page, chapters.json,
# transcript.*, cover.* and chapter-N.* images.
_EPISODE_OWN = re.compile(r"(?:index|chapters|transcript|cover|chapter-\d+)(?:\..*)?", re.I)


def own_name_problem(name: str) -> str | None:
    """Why a source file cannot be published in its episode's folder under ``name`` (None
    when it can): the site's own files have that name, or hosts would not serve it."""
    if name.startswith("."):
        return f"{name!r} is a hidden file's name, which hosts and podkit deploy skip: rename it"
    if _EPISODE_OWN.fullmatch(name):
        return (
            f"{name!r} is a name the site gives its own files (index, chapters, transcript, "
            "cover, chapter-N): rename the file"
        )
    return None


def reserved_folder(name: str) -> bool:
    """Whether the site's own files use this top-level folder (an episode's cannot)."""
    return name in _RESERVED


def folders(show: Show) -> list[PurePosixPath]:
    """The site's folders: the theme's and one per episode."""
    return [*{asset.parent for asset in ASSETS}, *(_site_path(e.slug) for e in show.episodes)]


def show_cover(show: Show) -> PurePosixPath:
    return PurePosixPath("cover" + show.cover.suffix.lower())


def episode_page(episode: Episode) -> PurePosixPath:
    return PurePosixPath(episode.slug) / HOME


def audio(episode: Episode) -> PurePosixPath:
    """The site's copy of the episode's audio (a linked episode has none: see `audio_url`)."""
    assert episode.audio is not None, f"{episode.slug}: linked audio has no site path"
    return _site_path(episode.slug, episode.audio.name)


def _site_path(*names: str) -> PurePosixPath:
    """``PurePosixPath(*names)``, asked for each of thousands of episodes: on Python 3.11,
    which parses the names again, plain names (no "/", not "", "." or "..") are taken as the
    path's parts."""
    text = "/".join(names)
    wrapped = f"/{text}/"  # no empty, "." or ".." name; and no "/" in one (counted below)
    plain = "//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped
    if not (_PARSED_PARTS and plain and text.count("/") == len(names) - 1):
        return PurePosixPath(*names)
    make = PurePosixPath._from_parsed_parts  # type: ignore[attr-defined]
    path: PurePosixPath = make("", "", list(names))
    path._str = text  # type: ignore[attr-defined]  # its text, as `str` would write it again
    return path


_PARSED_PARTS = sys.version_info[:2] == (3, 11)


def audio_url(show: Show, episode: Episode) -> str:
    """Where apps and pages fetch the audio: the site's copy, or the linked address."""
    return episode.linked.url if episode.linked else url(show, audio(episode))


def chapters(episode: Episode) -> PurePosixPath:
    return PurePosixPath(episode.slug, "chapters.json")


def transcript(episode: Episode, fmt: str) -> PurePosixPath:
    return PurePosixPath(episode.slug, transcript_name(fmt))


def transcript_name(fmt: str) -> str:
    return f"transcript.{fmt}"


def episode_cover(episode: Episode) -> PurePosixPath | None:
    if episode.cover is None:
        return None
    return PurePosixPath(episode.slug, "cover" + episode.cover.suffix.lower())


def alternate(episode: Episode, version: AlternateEnclosure) -> PurePosixPath:
    """Another version of the audio (Opus, AAC…), published under its own name."""
    return PurePosixPath(episode.slug, version.file.name)


def quoted(path: PurePosixPath | str) -> str:
    """A site path as it goes in a URL: every segment percent-encoded, so that a file
    named ``my ep#1?.mp3`` stays one file and not a path, a fragment and a query.

    >>> quoted(PurePosixPath("001-ep", "my ep#1?.mp3"))
    '001-ep/my%20ep%231%3F.mp3'
    """
    return quote(str(path), safe="/")  # a segment holds no "/": each is quoted apart


def url(show: Show, path: PurePosixPath) -> str:
    """Absolute URL of a site path; an ``index.html`` is addressed by its folder."""
    return show.base_url + _addressed(path)


def rooted(show: Show, path: PurePosixPath) -> str:
    """The URL of a site path from the server's root, for a page served at any depth (404).

    >>> from types import SimpleNamespace
    >>> rooted(SimpleNamespace(base_url="https://example.org/show/"), FEED)
    '/show/feed.xml'
    """
    return urlparse(show.base_url).path + _addressed(path)


def href(path: PurePosixPath, page: PurePosixPath) -> str:
    """The URL of a site path relative to the page at ``page``, for links within the site.
    A page keeps its ``index.html``: the site then also works opened from the disk
    (``file://``), where a folder's address lists the folder.

    >>> href(PurePosixPath("001-ep/Épisode 12.mp3"), PurePosixPath("001-ep/index.html"))
    '%C3%89pisode%2012.mp3'
    >>> href(PurePosixPath("cover-600.jpg"), PurePosixPath("001-ep/index.html"))
    '../cover-600.jpg'
    >>> href(HOME, PurePosixPath("001-ep/index.html"))
    '../index.html'
    """
    return quoted(PurePosixPath(posixpath.relpath(str(path), str(page.parent))))


def _addressed(path: PurePosixPath) -> str:
    text = quoted(path)
    if path.name == HOME.name:
        text = text[: -len(HOME.name)]
    return text
