"""`podkit new`: a new episode folder with an episode.toml ready to fill in."""

from __future__ import annotations

import json
import tomllib
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from toolkit.config import EPISODE_FILE, NOTES_FILE, SHOW_FILE
from toolkit.errors import Problem, ToolkitError
from toolkit.tomlcheck import read_source
from toolkit.writer import atomic_write


def slugify(title: str, limit: int = 50) -> str:
    """Lowercase ASCII words joined by dashes, transliterated (text-unidecode, through
    python-slugify), cut at a word boundary.

    >>> slugify("L'épisode d'Anthony : 3 dates !")
    'l-episode-d-anthony-3-dates'
    >>> [slugify(t) for t in ("Le cœur du sujet", "Straße", "Привет, мир")]
    ['le-coeur-du-sujet', 'strasse', 'privet-mir']
    """
    from slugify import slugify as transliterated  # only `new` and `init` name folders

    slug = transliterated(title, max_length=limit, word_boundary=True, save_order=True)
    return slug or "episode"


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(read_source(path))
    except (OSError, ValueError):
        return {}


def next_number(source: Path) -> int:
    numbers = []
    for path in source.glob(f"*/{EPISODE_FILE}"):
        number = _read(path).get("number")
        if isinstance(number, int) and not isinstance(number, bool):
            numbers.append(number)
    return max(numbers, default=0) + 1


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot be an episode's title (None when it can)."""
    if not title.strip():
        return 'is empty: give the episode\'s title, e.g. podkit new "My first episode"'
    control = next((c for c in title if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
    if control is not None:
        return (
            f"{title!r} has a control character (U+{ord(control):04X}) at position "
            f"{title.index(control) + 1}: write the title on one line"
        )
    return None


@dataclass(frozen=True)
class NewEpisode:
    folder: Path
    number: int
    published: datetime

    def summary(self) -> str:
        """What was made, and the podcaster's next steps."""
        folder = self.folder
        return "\n".join(
            [
                f"Created {folder}/ (episode {self.number}, "
                f"published {self.published:%Y-%m-%d %H:%M %z})",
                "Next:",
                f"  1. put the audio at {folder / (folder.name + '.mp3')}",
                f"  2. write the show notes in {folder / NOTES_FILE}",
                f"  3. add chapters: podkit chapters import labels.txt --episode {folder}",
                "  4. add the transcript: podkit transcript import raw.txt "
                f"{folder / 'transcript.txt'}",
                "  5. podkit check, then podkit serve to preview",
            ]
        )


def new_episode(source: Path, title: str, now: datetime | None = None) -> NewEpisode:
    """Create ``<source>/<NNN-slug>/`` with episode.toml and an empty notes.md, dated ``now``
    (by default the current time) in the show's time zone."""
    problem = title_problem(title)
    if problem is not None:
        raise ToolkitError([Problem("title", None, problem)])
    title = title.strip()
    show_file = source / SHOW_FILE
    if not show_file.is_file():
        raise ToolkitError([Problem(show_file, None, "not found: is --source your show's folder?")])
    show = _read(show_file)
    zone_name = show.get("timezone") if isinstance(show.get("timezone"), str) else "UTC"
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    number = next_number(source)
    slug = f"{number:03d}-{slugify(title)}"
    folder = source / slug
    if folder.exists():
        raise ToolkitError(
            [Problem(folder, None, "already exists: podkit new never overwrites an episode")]
        )
    published = (now or datetime.now(UTC)).astimezone(zone).replace(second=0, microsecond=0)
    persons = show.get("persons")
    hosts = [
        p["name"]
        for p in (persons if isinstance(persons, list) else [])
        if isinstance(p, dict)
        and p.get("role", "host") == "host"
        and isinstance(p.get("name"), str)
    ]
    lines = [
        f"# Created by `podkit new` on {published:%Y-%m-%d}. Every key is described in the README.",
        f"title = {_toml_string(title)}",
        f"number = {number}",
        'type = "full"',
        "# When the episode goes public (with its UTC offset): a date to come keeps it out of the",
        "# feed until then, unless you build with --drafts.",
        f"published = {published.isoformat()}",
        "# Made once: never change it, or apps will download the episode again.",
        f'guid = "{uuid.uuid4()}"',
        "explicit = false",
        "# The episode's MP3, next to this file.",
        f'audio = "{slug}.mp3"',
    ]
    for host in hosts:
        lines += ["", "[[persons]]", f"name = {_toml_string(host)}", 'role = "host"']
    lines += ["", "[[chapters]]", 'start = "00:00:00"', 'title = "Introduction"', ""]
    folder.mkdir(parents=True)
    atomic_write(folder / EPISODE_FILE, "\n".join(lines).encode("utf-8"))
    atomic_write(folder / NOTES_FILE, b"")
    return NewEpisode(folder, number, published)
