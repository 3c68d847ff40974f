"""Each feed item's XML, kept between builds: a rebuild renders only the items whose inputs
changed and `toolkit.feed` assembles them with the channel into a full render's bytes.

The items are kept in the site's `.podkit-cache/feed-items` (a dot name: never deployed) and
published as they are, so they are taken back only under this machine's seal
(`toolkit.seal`). A missing, torn, edited, unsealed or stale file means rendering the items
again, never a failure.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Mapping
from contextlib import suppress
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

from lxml import etree

from toolkit import seal
from toolkit.cache import CACHE_FOLDER, code_key, files_key
from toolkit.errors import ToolkitError
from toolkit.feed import render_feed
from toolkit.model import Enclosure, Episode, Show, replace
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

FILE = Path(CACHE_FOLDER, "feed-items")
# The file: a seal line, then the sealed body: this header and the items' XML by key, as
# `toolkit.seal.packed` lays them out.
_HEADER = b"podkit feed items 2\n"
PURPOSE = "feed items"  # what its seal is for (see toolkit.seal)


def build_feed(
    out: Path,
    show: Show,
    enclosures: dict[str, Enclosure],
    transcripts: dict[str, tuple[str, ...]],
    records: Mapping[str, bytes] | None = None,
) -> bytes:
    """The feed `toolkit.feed.build_feed` makes, rendering only the items that the site's
    kept fragments do not hold, then keeping the fragments of this feed's items when enough
    were rendered (`toolkit.seal.worth_rewriting`).
    ``records``: episodes as loaded, by slug, as `toolkit.cache` records them (bytes that
    make the episode: cheaper to key than the episode itself)."""
    path = out / FILE
    shared = shared_inputs(show)
    records = records or {}
    keys = {
        e.slug: item_key(
            shared, e, enclosures[e.slug], transcripts.get(e.slug, ()), records.get(e.slug)
        )
        for e in show.episodes
    }
    stored = read(path)
    kept = {slug: stored[key] for slug, key in keys.items() if key in stored}
    rendered = render_feed(show, enclosures, transcripts, kept)
    fragments = {keys[slug]: xml for slug, xml in rendered.items.items()}
    if (stored and not fragments) or seal.worth_rewriting(len(keys) - len(kept), len(keys)):
        write(path, fragments)
    return rendered.xml


def item_key(
    shared: bytes,
    episode: Episode,
    enclosure: Enclosure,
    formats: tuple[str, ...],
    record: bytes | None = None,
) -> str:
    """Changes with anything the item's XML depends on: podkit and the show's settings
    (``shared``), the episode as loaded (or ``record``, bytes that make it), its enclosure
    and transcript formats, and the episode cover's file (the feed gives its width)."""
    if record is None:  # the item names the formats, not the words
        record = pickle.dumps(replace(episode, transcript=None), pickle.HIGHEST_PROTOCOL)
    cover = files_key([episode.cover]) if episode.cover else None
    digest = _digest_of(shared).copy()
    digest.update(b"%d\0" % len(record))  # its length first: the fields stay apart
    digest.update(record)
    # Its fields by name (every field, as the dataclass's own repr, which is much slower).
    digest.update(repr((vars(enclosure), formats, cover)).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _digest_of(shared: bytes) -> hashlib._Hash:
    """The digest of the shared inputs, made once for every item's key."""
    return hashlib.sha256(shared)


def shared_inputs(show: Show) -> bytes:
    """podkit's code and the show's settings (the base URL among them), which every item
    may use: a change to either renders every item again."""
    return f"{_code_key()}\0{replace(show, episodes=())!r}\0".encode()


@cache
def _code_key() -> str:
    """podkit's code (as the rebuild's records know it) and the versions of the libraries
    that write the XML."""
    libraries = f"{metadata.version('feedgen')}\0{etree.LXML_VERSION}{etree.LIBXML_VERSION}"
    return f"{code_key()}\0{libraries}"


def read(path: Path) -> dict[str, bytes]:
    """The kept fragments by key; none when the file is not as this machine's podkit sealed
    it (a person, another machine or a crash may have changed it)."""
    found = seal.read_packed(path, _HEADER, PURPOSE, 1)
    return {key: xml for key, (xml,) in found.items()}


def write(path: Path, fragments: dict[str, bytes]) -> None:
    """Written atomically and sealed; without a seal key, or without items, nothing is kept
    (no file, as a first build of the same show would leave)."""
    records = seal.packed({key: (xml,) for key, xml in fragments.items()}, 1)
    sealed = seal.sealed_file(_HEADER, records, PURPOSE) if fragments else None
    try:
        if sealed is not None:
            atomic_write(path, sealed)
        elif path.is_file():
            path.unlink()
            with suppress(OSError):
                path.parent.rmdir()  # only when empty: the loudness figures may be there
    except (OSError, ToolkitError) as error:  # a read-only site: the feed stands, only slower
        log.debug("feed fragments not kept: %s", error)
