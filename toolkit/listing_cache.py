"""What the home page and the sitemap show of each episode, kept between builds: a rebuild
after one episode changed renders these pages over every episode again, but makes again only
the changed episode's few values (its label, dates, links and typeset title and summary).

The values are published, so they are kept in the site's `.podkit-cache/listing` (a dot name:
never deployed) under this machine's seal (`toolkit.seal`), by the key of the episode's inputs
(`toolkit.cache.Cache.key`: podkit's code, the show's settings and templates, the episode's
files). A missing, torn, edited or unsealed file means making the values again, never a
failure.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from toolkit import seal
from toolkit.cache import CACHE_FOLDER
from toolkit.errors import ToolkitError
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

FILE = Path(CACHE_FOLDER, "listing")
PURPOSE = "listed episodes"  # what its seal is for (see toolkit.seal)
_HEADER = b"podkit listed episodes 1\n"

# An episode's values: its item's texts, and the typeset reading fields the pages read.
Values = tuple[tuple[str, ...], dict[str, str]]


def read(out: Path) -> dict[str, Values]:
    """The kept values by key; none when the file is not as this machine's podkit sealed it."""
    try:
        data = (out / FILE).read_bytes()
    except OSError:
        return {}
    text = seal.opened_file(data, _HEADER, PURPOSE)
    if text is None:
        return {}
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {key: (tuple(v[0]), v[1]) for key, v in found.items() if _is_values(v)}


def _is_values(value: object) -> bool:
    """Of the shape `write` writes (another podkit's file may hold another)."""
    if not (isinstance(value, list) and len(value) == 2):
        return False
    texts, fields = value
    return (
        isinstance(texts, list)
        and all(isinstance(t, str) for t in texts)
        and isinstance(fields, dict)
        and all(isinstance(v, str) for v in fields.values())
    )


def write(out: Path, values: dict[str, Values]) -> None:
    """Written atomically and sealed; without a seal key nothing is kept."""
    # Compact and sorted: the same values make the same file, however they were made.
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    sealed = seal.sealed_file(_HEADER, text.encode(), PURPOSE)
    try:
        if sealed is not None:
            atomic_write(out / FILE, sealed)
    except (OSError, ToolkitError) as error:  # a read-only site: only slower next time
        log.debug("listed episodes not kept: %s", error)
