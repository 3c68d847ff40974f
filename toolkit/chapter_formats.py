"""Chapters in the formats of audio editors and other tools: read them, write them (pure).

Formats: ``audacity`` (label track export), ``reaper`` (marker/region list CSV), ``mp4chaps``
(``HH:MM:SS.mmm Title`` lines), ``youtube`` (description timestamps), ``json`` (Podcasting
2.0), ``podlove`` (Simple Chapters XML), ``ffmetadata`` (ffmpeg's metadata file) and, for
import only, ``mp3`` (the CHAP frames of an MP3's ID3 tag). Each is declared once, in
`REGISTRY`: detection, parsing, export and the command line's choices all come from there.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.chapters import MAX_CHAPTERS, TOO_MANY_CHAPTERS, podcasting_json
from toolkit.errors import LocatedError
from toolkit.model import Chapter, Location
from toolkit.textcheck import character_problem, excerpt, file_character_problem
from toolkit.timecode import checked_seconds, format_clock, format_timestamp, parse_timestamp

PSC_NS = "http://podlove.org/simple-chapters"


class ChapterFormatError(LocatedError):
    """A problem at a line of a chapter file (a chapter's number in JSON), or in all of it."""


Numbered = list[tuple[int | str, Chapter]]  # (line in the file or "chapter N", chapter)


def detect_format(path: Path, data: bytes) -> str:
    """The format from the extension, then from the content."""
    suffix = path.suffix.lower()
    for fmt in REGISTRY:
        if suffix in fmt.suffixes:
            return fmt.name
    text = data.decode("utf-8-sig", errors="replace")
    for fmt in sorted(REGISTRY, key=lambda f: f.loose):  # stable: the table's order otherwise
        if fmt.sniff is not None and fmt.sniff(text):
            return fmt.name
    raise ChapterFormatError(
        None, f"cannot tell the chapter format: pass --format ({', '.join(IMPORT_FORMATS)})"
    )


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ChapterFormatError(line, "is not UTF-8: save the file as UTF-8") from None
    found = file_character_problem(text)
    if found:
        raise ChapterFormatError(*found)
    return text


def _seconds(line: int, value: str) -> float:
    try:
        return parse_timestamp(value)
    except ValueError:
        pass
    try:
        seconds = float(value)
    except ValueError:
        raise ChapterFormatError(line, f"{excerpt(value)} is not a time") from None
    if not math.isfinite(seconds):  # "inf", "nan", or more digits than a float holds
        raise ChapterFormatError(
            line, f"{excerpt(value)} is not a number of seconds: write a time like 754.5"
        )
    return _checked(line, seconds)


def _checked(line: int | str | None, seconds: float) -> float:
    """Seconds rounded to the millisecond, when finite and in range."""
    try:
        return round(checked_seconds(seconds), 3)
    except ValueError as error:
        raise ChapterFormatError(line, str(error)) from None


def parse(fmt: str, data: bytes) -> Numbered:
    """Chapters with the line each came from; ChapterFormatError for a malformed line."""
    chapters = _named(fmt, IMPORT_FORMATS).read(data)
    if not chapters:
        raise ChapterFormatError(None, f"no chapter found in this {fmt} file")
    if len(chapters) > MAX_CHAPTERS:
        raise ChapterFormatError(None, TOO_MANY_CHAPTERS.format(count=len(chapters)))
    for line, chapter in chapters:  # escapes (JSON, ID3) can carry what the text check cannot
        problem = character_problem(chapter.title)
        if problem:
            raise ChapterFormatError(line, f"title {chapter.title!r} {problem}")
    return chapters


def _named(fmt: str, names: tuple[str, ...]) -> ChapterFormat:
    if fmt not in names:
        raise ChapterFormatError(None, f"unknown format {fmt!r}: use one of {', '.join(names)}")
    return _BY_NAME[fmt]


def _textual(reader: Callable[[str], Numbered]) -> Callable[[bytes], Numbered]:
    """A reader of text as a reader of the file's bytes: UTF-8, a BOM dropped, no control
    characters."""

    def read(data: bytes) -> Numbered:
        return reader(_text(data))

    return read


def _read_mp3(data: bytes) -> Numbered:
    from toolkit import audio  # mutagen: only for this format

    try:
        frames = audio.read_chapters(data)
    except audio.AudioError as error:
        raise ChapterFormatError(None, str(error)) from None
    if not frames:
        raise ChapterFormatError(None, "this MP3 has no CHAP frames")
    found = [
        (i + 1, Chapter(_checked(i + 1, start / 1000), title))
        for i, (_, start, _, title) in enumerate(frames)
    ]
    return sorted(found, key=lambda item: item[1].start)


def _read_audacity(text: str) -> Numbered:
    """``start<TAB>end<TAB>label`` per line, times in seconds (Audacity's label export)."""
    chapters: Numbered = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("\\"):  # "\" lines carry spectral data
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip():
            raise ChapterFormatError(number, "expected 'start<TAB>end<TAB>label' (Audacity labels)")
        chapters.append((number, Chapter(_seconds(number, parts[0].strip()), parts[2].strip())))
    return chapters


def _read_reaper(text: str) -> Numbered:
    """REAPER's region/marker manager CSV export: ``#,Name,Start,End,Length``."""
    reader = csv.reader(io.StringIO(text, newline=""))  # a lone \r ends a line, as in editors
    try:
        rows = list(reader)
    except csv.Error as error:  # a field longer than the csv module's limit
        raise ChapterFormatError(reader.line_num, f"is not valid CSV: {error}") from None
    if not rows or [c.strip().lower() for c in rows[0][:3]] != ["#", "name", "start"]:
        raise ChapterFormatError(1, "expected REAPER's header '#,Name,Start,End,Length'")
    chapters: Numbered = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3 or not row[1].strip():
            raise ChapterFormatError(number, "expected 'M1,Name,Start,…' or 'R1,Name,Start,End,…'")
        chapters.append((number, Chapter(_seconds(number, row[2].strip()), row[1].strip())))
    return chapters


_MP4CHAPS = re.compile(r"^(\d{1,2}:\d{2}:\d{2}(?:\.\d{1,3})?)\s+(.+)$")


def _read_mp4chaps(text: str) -> Numbered:
    chapters: Numbered = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _MP4CHAPS.match(line.strip())
        if not match:
            raise ChapterFormatError(number, "expected 'HH:MM:SS.mmm Title'")
        chapters.append((number, Chapter(_seconds(number, match.group(1)), match.group(2).strip())))
    return chapters


_YOUTUBE = re.compile(r"^[\s(\[]*((?:\d{1,2}:)?\d{1,2}:\d{2})[)\]]?\s*(?:[-–—:|]\s*)?(.+)$")


def _read_youtube(text: str) -> Numbered:
    """Lines that start with a timestamp; the rest of a description is left alone."""
    chapters: Numbered = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _YOUTUBE.match(line)
        if match:
            chapters.append(
                (number, Chapter(_seconds(number, match.group(1)), match.group(2).strip()))
            )
    return chapters


def _read_json(text: str) -> Numbered:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ChapterFormatError(error.lineno, f"is not valid JSON: {error.msg}") from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        raise ChapterFormatError(
            None, "is not JSON podkit can read: a number too long or lists nested too deeply"
        ) from None
    items = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ChapterFormatError(None, "expected an object with a 'chapters' list")
    return [(f"chapter {i}", _json_chapter(i, item)) for i, item in enumerate(items, start=1)]


def _json_chapter(index: int, item: object) -> Chapter:
    """One chapter of the Podcasting 2.0 JSON. Its title is optional there: an untitled
    chapter is kept hidden (nothing to show in a table of contents), titled by its start.
    ``img`` is kept as the image_url published as-is, ``location`` as the chapter's
    location (checked with every other key when episode.toml loads)."""
    if not isinstance(item, dict):
        raise ChapterFormatError(f"chapter {index}", "expected an object with a startTime")
    start = item.get("startTime")
    if isinstance(start, bool) or not isinstance(start, int | float):
        raise ChapterFormatError(f"chapter {index}", "expected a startTime in seconds")
    seconds = _checked(f"chapter {index}", start)
    title, url, img = (_json_text(index, item, key) for key in ("title", "url", "img"))
    hidden = item.get("toc") is False or not title
    if not title:
        title = format_clock(seconds, always_hours=True)
    return Chapter(seconds, title, url, None, hidden, img, _json_location(index, item))


def _json_location(index: int, item: dict[str, object]) -> Location | None:
    """The spec's ``{"name", "geo", "osm"}``; the name is required there."""
    value = item.get("location")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ChapterFormatError(f"chapter {index}", "location must be an object with a name")
    name, geo, osm = (_json_text(index, value, key) for key in ("name", "geo", "osm"))
    if name is None:
        raise ChapterFormatError(f"chapter {index}", "location needs a name")
    return Location(name, geo=geo, osm=osm)


def _json_text(index: int, item: dict[str, object], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ChapterFormatError(f"chapter {index}", f"{key} must be a string")
    return value.strip() or None


def _read_podlove(text: str) -> Numbered:
    from lxml import etree  # only for this format, so the CLI starts fast

    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as error:
        raise ChapterFormatError(error.lineno, f"is not valid XML: {error.msg}") from None
    chapters: Numbered = []
    for element in root.iter(f"{{{PSC_NS}}}chapter"):
        line = element.sourceline or 0
        start, title = element.get("start"), element.get("title")
        if not start or not title:
            raise ChapterFormatError(line, 'expected <psc:chapter start="…" title="…"/>')
        chapters.append((line, Chapter(_seconds(line, start), title.strip(), element.get("href"))))
    return chapters


def _read_ffmetadata(text: str) -> Numbered:
    lines = text.splitlines()
    if not lines or not lines[0].startswith(";FFMETADATA"):
        raise ChapterFormatError(1, "an ffmpeg metadata file starts with ';FFMETADATA1'")
    chapters: Numbered = []
    section: dict[str, str] | None = None
    section_line = 0

    def close() -> None:
        if section is None:
            return
        start = _ffmetadata_start(section_line, section)
        chapters.append(
            (section_line, Chapter(start, section.get("title", f"Chapter {len(chapters) + 1}")))
        )

    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            close()
            section = {} if stripped == "[CHAPTER]" else None
            section_line = number
        elif section is not None and "=" in stripped and not stripped.startswith((";", "#")):
            key, _, value = stripped.partition("=")
            section[key.strip()] = value.replace("\\=", "=").replace("\\;", ";").replace("\\#", "#")
    close()
    return chapters


_TIMEBASE = re.compile(r"\s*([0-9]{1,9})\s*/\s*([0-9]{1,9})\s*")
_START = re.compile(r"\s*(-?[0-9]{1,19})\s*")


def _ffmetadata_start(line: int, section: dict[str, str]) -> float:
    """A [CHAPTER]'s START in seconds: START counts units of TIMEBASE (a fraction)."""
    timebase = _TIMEBASE.fullmatch(section.get("TIMEBASE", "1/1000"))
    if not timebase or int(timebase[1]) == 0 or int(timebase[2]) == 0:
        raise ChapterFormatError(line, "TIMEBASE must be a fraction of a second, like 1/1000")
    start = _START.fullmatch(section.get("START", ""))
    if not start:
        raise ChapterFormatError(line, "a [CHAPTER] needs START=… (a whole number)")
    return _checked(line, int(start[1]) * int(timebase[1]) / int(timebase[2]))


# ---------------------------------------------------------------- writing


def export(fmt: str, chapters: Sequence[Chapter], duration: float) -> str:
    """The chapters as a file of ``fmt``; ``duration`` ends the last one."""
    write = _named(fmt, EXPORT_FORMATS).write
    assert write is not None  # every export format has a writer
    return write(chapters, duration)


def _ends(chapters: Sequence[Chapter], duration: float) -> list[float]:
    """Each chapter ends where the next one starts; the last at the audio's end."""
    return [c.start for c in chapters[1:]] + [duration]


def _write_audacity(chapters: Sequence[Chapter], duration: float) -> str:
    ends = _ends(chapters, duration)
    return "".join(
        f"{c.start:.6f}\t{end:.6f}\t{c.title}\n" for c, end in zip(chapters, ends, strict=True)
    )


def _write_reaper(chapters: Sequence[Chapter], duration: float) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["#", "Name", "Start", "End", "Length"])
    ends = _ends(chapters, duration)
    for i, (c, end) in enumerate(zip(chapters, ends, strict=True), start=1):
        writer.writerow(
            [
                f"R{i}",
                c.title,
                format_timestamp(c.start),
                format_timestamp(end),
                format_timestamp(end - c.start),
            ]
        )
    return out.getvalue()


def _write_mp4chaps(chapters: Sequence[Chapter], duration: float) -> str:
    return "".join(f"{format_timestamp(c.start)} {c.title}\n" for c in chapters)


def _write_youtube(chapters: Sequence[Chapter], duration: float) -> str:
    """Description lines, hidden chapters left out; hours only for an hour or more."""
    long = duration >= 3600
    return "".join(
        f"{format_clock(c.start, always_hours=long)} {c.title}\n" for c in chapters if not c.hidden
    )


def _write_podlove(chapters: Sequence[Chapter], duration: float) -> str:
    from lxml import etree

    root = etree.Element(f"{{{PSC_NS}}}chapters", nsmap={"psc": PSC_NS}, version="1.2")
    for c in chapters:
        element = etree.SubElement(
            root, f"{{{PSC_NS}}}chapter", start=format_timestamp(c.start), title=c.title
        )
        if c.url:
            element.set("href", c.url)
    return str(etree.tostring(root, encoding="unicode", pretty_print=True))


def _write_ffmetadata(chapters: Sequence[Chapter], duration: float) -> str:
    parts = [";FFMETADATA1\n"]
    for c, end in zip(chapters, _ends(chapters, duration), strict=True):
        parts.append(
            f"\n[CHAPTER]\nTIMEBASE=1/1000\nSTART={round(c.start * 1000)}\n"
            f"END={round(end * 1000)}\ntitle={_escape_ffmetadata(c.title)}\n"
        )
    return "".join(parts)


def _escape_ffmetadata(value: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


# ---------------------------------------------------------------- the formats


@dataclass(frozen=True)
class ChapterFormat:
    """One chapter file format: how to read it, write it (None: import only) and tell it."""

    name: str
    read: Callable[[bytes], Numbered]
    write: Callable[[Sequence[Chapter], float], str] | None
    suffixes: tuple[str, ...] = ()  # a file with one of these is in this format
    sniff: Callable[[str], bool] | None = None  # whether a file's text looks like this format
    loose: bool = False  # the sniff also matches other formats' files: tried after theirs


def _sniff_audacity(text: str) -> bool:
    return bool(re.match(r"^\d+(\.\d+)?\t\d+(\.\d+)?\t", _first_line(text)))


def _sniff_mp4chaps(text: str) -> bool:
    return bool(re.match(r"^\d{1,2}:\d{2}:\d{2}\.\d{3}\s", _first_line(text)))


def _sniff_youtube(text: str) -> bool:
    return bool(re.search(r"\d{1,2}:\d{2}", text))


def _sniff_podlove(text: str) -> bool:
    return _first_line(text).startswith("<")


def _sniff_ffmetadata(text: str) -> bool:
    return _first_line(text).startswith(";FFMETADATA")


# In the order the CLI and its messages list them.
REGISTRY = (
    ChapterFormat("audacity", _textual(_read_audacity), _write_audacity, sniff=_sniff_audacity),
    ChapterFormat("reaper", _textual(_read_reaper), _write_reaper, suffixes=(".csv",)),
    ChapterFormat("mp4chaps", _textual(_read_mp4chaps), _write_mp4chaps, sniff=_sniff_mp4chaps),
    ChapterFormat(
        "youtube", _textual(_read_youtube), _write_youtube, sniff=_sniff_youtube, loose=True
    ),
    ChapterFormat("json", _textual(_read_json), podcasting_json, suffixes=(".json",)),
    ChapterFormat(
        "podlove", _textual(_read_podlove), _write_podlove, (".xml",), sniff=_sniff_podlove
    ),
    ChapterFormat(
        "ffmetadata", _textual(_read_ffmetadata), _write_ffmetadata, sniff=_sniff_ffmetadata
    ),
    ChapterFormat("mp3", _read_mp3, None, suffixes=(".mp3",)),
)
IMPORT_FORMATS = tuple(f.name for f in REGISTRY)
EXPORT_FORMATS = tuple(f.name for f in REGISTRY if f.write is not None)
_BY_NAME = {f.name: f for f in REGISTRY}
