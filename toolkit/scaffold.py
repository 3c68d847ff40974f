"""`podkit new`: a new episode folder with an episode.toml ready to fill in."""

from __future__ import annotations

import json
import re
import textwrap
import tomllib
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from toolkit.config import EPISODE_FILE, NOTES_FILE, SHOW_FILE
from toolkit.errors import Problem, ToolkitError
from toolkit.tomlcheck import read_source
from toolkit.writer import atomic_write

if TYPE_CHECKING:
    from PIL import ImageFont


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
                f"  5. podkit check --source {folder.parent}, then podkit serve --source "
                f"{folder.parent} to preview",
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


# `podkit init`: what it writes where the podcaster has to decide. The loader accepts each
# value; `podkit check` names every one still there (see placeholder_findings).
PLACEHOLDER_BASE_URL = "https://example.org/"
PLACEHOLDERS = {
    "description": "Describe your show here: what it is about, for whom, how often.",
    "author": "Your name",
    "copyright": "© Your name",
    "owner.name": "Your name",
    "owner.email": "you@example.org",
    "base_url": PLACEHOLDER_BASE_URL,
}
FIRST_EPISODE_TITLE = "First episode"
NOTES_PLACEHOLDER = "Write the episode's show notes here (Markdown): check lists this line.\n"
COVER_FILE = "cover.jpg"
COVER_SIZE = 3000


@dataclass(frozen=True)
class NewShow:
    folder: Path
    title: str
    guid: str | None
    episode: NewEpisode

    def summary(self) -> str:
        """What was made, and the podcaster's next steps."""
        show_file = self.folder / SHOW_FILE
        steps = [
            f"Created {show_file}, {self.folder / COVER_FILE} (a placeholder, 3000x3000 px) "
            f"and {self.episode.folder}/",
            "Next:",
            f"  1. fill in {show_file}: every value marked 'change me' (podkit check lists them)",
        ]
        if self.guid is None:
            steps.append(
                "     set base_url, then pin the guid line podkit check gives: it is made once"
            )
        steps += [
            f"  2. replace {self.folder / COVER_FILE} with your cover art",
            f"  3. put the audio at {self.episode.folder / (self.episode.folder.name + '.mp3')}",
            f"  4. podkit build --source {self.folder} --out site, then "
            f"podkit check --source {self.folder} --site site",
        ]
        return "\n".join(steps)


def init_show(
    folder: Path,
    title: str | None = None,
    language: str = "en",
    base_url: str | None = None,
    now: datetime | None = None,
) -> NewShow:
    """Start a show in ``folder``: show.toml, a placeholder cover and a first episode.

    With ``base_url`` the podcast:guid is derived from it (the namespace's UUIDv5 of the feed
    URL) and pinned. Without it base_url is a placeholder and no guid is written: a GUID made
    from a placeholder would be every such show's, so check asks for it once base_url is set.
    """
    from toolkit.config import podcast_guid

    show_file = folder / SHOW_FILE
    if show_file.exists():
        raise ToolkitError(
            [Problem(show_file, None, "already exists: podkit init never overwrites a show")]
        )
    title = (title if title is not None else folder.resolve().name).strip()
    problem = title_problem(title)
    if problem is not None:
        raise ToolkitError([Problem("--title", None, problem)])
    problems = _init_option_problems(language, base_url)
    if problems:
        raise ToolkitError(problems)
    guid = podcast_guid(base_url.rstrip("/") + "/feed.xml") if base_url else None
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / COVER_FILE, placeholder_cover(title))
    atomic_write(show_file, _show_toml(title, language, base_url, guid).encode("utf-8"))
    episode = new_episode(folder, FIRST_EPISODE_TITLE, now)
    atomic_write(episode.folder / NOTES_FILE, NOTES_PLACEHOLDER.encode("utf-8"))
    return NewShow(folder, title, guid, episode)


def _init_option_problems(language: str, base_url: str | None) -> list[Problem]:
    from toolkit.tomlcheck import url_problem

    problems = []
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language):
        problems.append(
            Problem("--language", None, f"{language!r} is not a language code: use e.g. fr")
        )
    if base_url is not None:
        problem = url_problem(base_url)
        if problem is not None:
            problems.append(Problem("--base-url", None, problem))
    return problems


def _show_toml(title: str, language: str, base_url: str | None, guid: str | None) -> str:
    p = {key: _toml_string(value) for key, value in PLACEHOLDERS.items()}
    lines = [
        '# Created by `podkit init`. Every key is described in the README ("show.toml");',
        "# change each value marked 'change me': podkit check lists those still here.",
        f"title = {_toml_string(title)}",
        f"description = {p['description']}  # change me",
        f"language = {_toml_string(language)}",
        "# The public URL where the built site is served.",
        f"base_url = {_toml_string(base_url) if base_url else p['base_url'] + '  # change me'}",
        f"author = {p['author']}  # change me",
        f"copyright = {p['copyright']}  # change me",
        f'cover = "{COVER_FILE}"',
        "explicit = false",
        'type = "episodic"',
        'timezone = "UTC"',
    ]
    if guid is not None:
        lines += [
            "# The podcast's identity in Podcasting 2.0 apps: made once, kept when base_url",
            "# changes.",
            f'guid = "{guid}"',
        ]
    lines += [
        "",
        "[owner]  # who Apple and directories write to (not shown to listeners)",
        f"name = {p['owner.name']}  # change me",
        f"email = {p['owner.email']}  # change me",
        "",
        "# Apple's list of categories (see the README): pick up to three.",
        "[[categories]]",
        'name = "Technology"',
        "",
    ]
    return "\n".join(lines)


def placeholder_cover(title: str) -> bytes:
    """A 3000x3000 JPEG with the title in white on a dark ground, within Apple's rules."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (COVER_SIZE, COVER_SIZE), (32, 48, 72))
    draw = ImageDraw.Draw(image)
    lines = textwrap.wrap(title, width=14)[:5] or [title]
    size = 300
    font = _font(size)
    step = int(size * 1.25)
    top = (COVER_SIZE - step * len(lines)) // 2
    for index, line in enumerate(lines):
        draw.text(
            (COVER_SIZE // 2, top + index * step + step // 2),
            line,
            font=font,
            fill=(255, 255, 255),
            anchor="mm",
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    try:  # Pillow looks the name up in the system's font folders
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)  # Pillow's own font, scalable since 10.1
