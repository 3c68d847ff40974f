"""What the home page and the sitemap show of each episode, kept between builds: a rebuild
after one episode changed renders only the changed episode's entries (its ``<li>`` on the
home page, its ``<url>`` in the sitemap) and the pages around them, and makes again only
that episode's few values (its label, dates, links and typeset title and summary), which a
show's own ``index.html`` or ``sitemap.xml`` still gets for every episode.

The entries are published, so they are kept in the site's `.podkit-cache/listing` (a dot
name: never deployed) under this machine's seal (`toolkit.seal`), by the key of the
episode's inputs (`toolkit.cache.Cache.key`: podkit's code, the show's settings and
templates, the episode's files). A missing, torn, edited or unsealed file means making the
entries again, never a failure.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import NamedTuple

from toolkit import seal
from toolkit.cache import CACHE_FOLDER
from toolkit.errors import ToolkitError
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

FILE = Path(CACHE_FOLDER, "listing")
PURPOSE = "listed episodes"  # what its seal is for (see toolkit.seal)
# The file: a seal line, then the sealed body: this header and each episode's three parts,
# as `toolkit.seal.packed` lays them out.
_HEADER = b"podkit listed episodes 2\n"

# An episode's values: its item's texts, and the typeset reading fields the pages read.
Values = tuple[tuple[str, ...], dict[str, str]]


class Listed(NamedTuple):
    """What the pages show of one episode: its values (JSON, read only when a page needs
    them), its home page entry and its sitemap entry, as rendered."""

    values: bytes
    home: bytes  # UTF-8
    sitemap: bytes


def listed(values: Values, home: str, sitemap: str) -> Listed:
    # Compact and sorted: the same values make the same bytes, however they were made.
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Listed(text.encode(), home.encode(), sitemap.encode())


def values(entry: Listed) -> Values | None:
    """The entry's values; None when they are not of the shape `listed` writes."""
    try:
        found = json.loads(entry.values)
    except (ValueError, RecursionError):
        return None
    return (tuple(found[0]), found[1]) if _is_values(found) else None


def _is_values(value: object) -> bool:
    """Of the shape `listed` writes (another podkit's file may hold another)."""
    if not (isinstance(value, list) and len(value) == 2):
        return False
    texts, fields = value
    return (
        isinstance(texts, list)
        and all(isinstance(t, str) for t in texts)
        and isinstance(fields, dict)
        and all(isinstance(v, str) for v in fields.values())
    )


def read(out: Path) -> dict[str, Listed]:
    """The kept entries by key; none when the file is not as this machine's podkit sealed
    it."""
    found = seal.read_packed(out / FILE, _HEADER, PURPOSE, 3)
    return {key: Listed(*parts) for key, parts in found.items()}


def write(out: Path, entries: dict[str, Listed]) -> None:
    """Written atomically and sealed; without a seal key nothing is kept."""
    sealed = seal.sealed_file(_HEADER, seal.packed(entries, 3), PURPOSE)
    try:
        if sealed is not None:
            atomic_write(out / FILE, sealed)
    except (OSError, ToolkitError) as error:  # a read-only site: only slower next time
        log.debug("listed episodes not kept: %s", error)
