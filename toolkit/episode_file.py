"""Edit an episode.toml in place while keeping the rest of it, comments included (tomlkit)."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from toolkit.model import Chapter
from toolkit.timecode import format_timestamp
from toolkit.writer import atomic_write


def replace_chapters(path: Path, chapters: list[Chapter]) -> None:
    """Write ``chapters`` as the file's ``[[chapters]]``; every other key stays as it was."""
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    tables = tomlkit.aot()
    for chapter in chapters:
        table = tomlkit.table()
        table["start"] = format_timestamp(chapter.start)
        table["title"] = chapter.title
        if chapter.url:
            table["url"] = chapter.url
        if chapter.hidden:
            table["hidden"] = True
        tables.append(table)
    if "chapters" in document:
        del document["chapters"]
    document["chapters"] = tables
    atomic_write(path, tomlkit.dumps(document).encode("utf-8"))
