"""Edit an episode.toml in place while keeping the rest of it, comments included (tomlkit)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from toolkit import audio, chapter_formats
from toolkit.chapters import chapter_problems
from toolkit.errors import Problems
from toolkit.model import Chapter
from toolkit.timecode import format_timestamp
from toolkit.tomlcheck import BOM, load_toml
from toolkit.writer import atomic_write

EPISODE_FILE = "episode.toml"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChaptersImport:
    episode_toml: Path
    source: Path
    format: str
    chapters: list[Chapter]

    def summary(self) -> str:
        count = len(self.chapters)
        return f"{self.episode_toml}: {count} chapters from {self.source} ({self.format})"


def import_chapters(file: Path, episode_dir: Path, fmt: str | None = None) -> ChaptersImport:
    """Replace the episode's chapters with those of ``file`` (in ``fmt``, or the format its
    name and content tell), checked by the loader's rules first: with any problem, every
    one is raised and nothing is written."""
    problems = Problems()
    toml_path = episode_dir / EPISODE_FILE
    if not episode_dir.is_dir():
        problems.add(episode_dir, None, "is not a folder: --episode is the episode's folder")
    elif not toml_path.is_file():
        problems.add(toml_path, None, "not found: --episode is the episode's folder")
    data = load_toml(toml_path, problems) if toml_path.is_file() else None
    numbered: chapter_formats.Numbered = []
    if file.is_dir():
        problems.add(file, None, "is a folder: pass the chapter file to import")
    elif not file.is_file():
        problems.add(file, None, "file not found")
    else:
        try:
            content = file.read_bytes()
            fmt = fmt or chapter_formats.detect_format(file, content)
            numbered = chapter_formats.parse(fmt, content)
        except chapter_formats.ChapterFormatError as error:
            problems.append(error.problem(file))
        except OSError as error:
            problems.add(file, None, f"cannot be read ({error.strerror})")
    chapters = [chapter for _, chapter in numbered]
    audio_path = _audio_path(episode_dir, data)
    duration = _duration(audio_path) if audio_path else None
    name = audio_path.name if audio_path else "the audio"
    for index, key, message in chapter_problems(chapters, duration, name):
        problems.add(file, numbered[index][0], message if key == "start" else f"{key} {message}")
    problems.raise_if_errors()
    assert fmt is not None  # else a problem was raised
    replace_chapters(toml_path, chapters)
    for chapter in chapters:
        log.debug("  %s  %s", format_timestamp(chapter.start), chapter.title)
    return ChaptersImport(toml_path, file, fmt, chapters)


def _audio_path(episode_dir: Path, data: dict[str, object] | None) -> Path | None:
    """The episode's MP3 when episode.toml names one that exists (its problems are the
    build's to report: chapters import only needs its duration)."""
    name = data.get("audio") if data else None
    if not isinstance(name, str) or not name.strip():
        return None
    path = episode_dir / name.strip()
    return path if path.is_file() else None


def _duration(path: Path) -> float | None:
    try:
        return audio.probe(path).duration
    except audio.AudioError:
        return None


def replace_chapters(path: Path, chapters: list[Chapter]) -> None:
    """Write ``chapters`` as the file's ``[[chapters]]``; every other key stays as it was."""
    text = path.read_text(encoding="utf-8")
    bom = BOM if text.startswith(BOM) else ""  # kept: only the chapters change
    document = tomlkit.parse(text.removeprefix(BOM))
    tables = tomlkit.aot()
    for chapter in chapters:
        table = tomlkit.table()
        table["start"] = format_timestamp(chapter.start)
        table["title"] = chapter.title
        if chapter.url:
            table["url"] = chapter.url
        if chapter.hidden:
            table["hidden"] = True
        if chapter.image_url:
            table["image_url"] = chapter.image_url
        if chapter.location:
            place = tomlkit.inline_table()
            for key in ("name", "geo", "osm"):
                if getattr(chapter.location, key):
                    place[key] = getattr(chapter.location, key)
            table["location"] = place
        tables.append(table)
    if "chapters" in document:
        del document["chapters"]
    document["chapters"] = tables
    atomic_write(path, (bom + tomlkit.dumps(document)).encode("utf-8"))


def set_chapter_starts(path: Path, starts: dict[int, float]) -> None:
    """Write new starts for some chapters (by index); every other value, comment and blank
    line of the file stays as it was."""
    text = path.read_text(encoding="utf-8")
    bom = BOM if text.startswith(BOM) else ""
    document = tomlkit.parse(text.removeprefix(BOM))
    tables = document["chapters"]
    for index, start in starts.items():
        tables[index]["start"] = format_timestamp(start)
    atomic_write(path, (bom + tomlkit.dumps(document)).encode("utf-8"))
