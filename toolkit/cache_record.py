"""An episode as it was loaded, kept as JSON in the cache's manifest: a rebuild takes each
unchanged episode from there instead of parsing its episode.toml and notes again.

Paths are stored relative to the episode's folder, so the manifest, which sits in the site,
names no folder of the machine that built it. Reading a damaged or outdated record raises
KeyError, TypeError or ValueError; the caller then loads the episode from its files.
"""

from __future__ import annotations

import math
import os
import types
import typing
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from toolkit.errors import Problem
from toolkit.model import AudioInfo, Chapter, Episode, EpisodeExtras, Person


def to_record(
    episode: Episode, transcript_file: Path | None, transcript_formats: tuple[str, ...]
) -> dict[str, Any]:
    base = os.path.realpath(episode.directory)  # loaded paths are resolved: compare like with like
    return {
        "title": episode.title,
        "number": episode.number,
        "season": episode.season,
        "type": episode.episode_type,
        "published": episode.published.isoformat(),
        "guid": episode.guid,
        "explicit": episode.explicit,
        "audio": os.path.relpath(episode.audio, base),
        "audio_info": asdict(episode.audio_info),
        "summary": episode.summary,
        "notes_html": episode.notes_html,
        "notes_text": episode.notes_text,
        "cover": _relative(episode.cover, base),
        "persons": [asdict(p) for p in episode.persons],
        "chapters": [{**asdict(c), "image": _relative(c.image, base)} for c in episode.chapters],
        # Not resolved when loaded: kept relative to the folder as it was named.
        "transcript_file": _relative(transcript_file, str(episode.directory)),
        "keywords": list(episode.keywords),
        "transcript_formats": list(transcript_formats),
        "extras": _encoded(episode.extras, base),
    }


def from_record(
    record: dict[str, Any], directory: Path
) -> tuple[Episode, Path | None, tuple[str, ...]]:
    """The episode, its transcript's file and the transcript formats its build published."""
    base = os.path.realpath(directory)
    episode_type = record["type"]
    if episode_type not in ("full", "trailer", "bonus"):
        raise ValueError(f"unknown episode type {episode_type!r}")
    published = datetime.fromisoformat(record["published"])
    if published.tzinfo is None:
        raise ValueError("publish date without a time zone")
    audio = _absolute(record["audio"], base)
    if audio is None:
        raise ValueError("no audio file")
    episode = Episode(
        slug=directory.name,
        directory=directory,
        title=_text(record["title"]),
        number=_whole_or_none(record["number"]),
        season=_whole_or_none(record["season"]),
        episode_type=episode_type,
        published=published,
        guid=_text(record["guid"]),
        explicit=bool(record["explicit"]),
        audio=audio,
        audio_info=_typed(AudioInfo, record["audio_info"]),
        summary=_text(record["summary"]),
        notes_html=_text(record["notes_html"]),
        notes_text=_text(record["notes_text"]),
        cover=_absolute(record["cover"], base),
        persons=tuple(_typed(Person, p) for p in record["persons"]),
        chapters=tuple(
            _typed(Chapter, c, image=_absolute(c["image"], base)) for c in record["chapters"]
        ),
        keywords=tuple(_text(k) for k in record["keywords"]),
        extras=_decoded(EpisodeExtras, record["extras"], base),
    )
    transcript_file = _absolute(record["transcript_file"], str(directory))
    return episode, transcript_file, tuple(_text(f) for f in record["transcript_formats"])


def warning_record(problem: Problem, directory: Path) -> dict[str, Any]:
    return {
        "file": os.path.relpath(problem.file, directory),
        "where": problem.where,
        "message": problem.message,
    }


def warning_from_record(record: dict[str, Any], directory: Path) -> Problem:
    where = record["where"]
    if not isinstance(where, str | int | None):
        raise TypeError("a warning's place must be a key, a line number or nothing")
    return Problem(directory / _text(record["file"]), where, _text(record["message"]), "warning")


T = TypeVar("T")

# The field types of the model's records, as their annotations name them.
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "None": (type(None),),
}


def _typed(cls: type[T], values: object, **converted: object) -> T:
    """A record of the model made from a JSON object, each field of its annotated type: an
    edited manifest must not put a text where the feed does arithmetic."""
    if not isinstance(values, dict):
        raise TypeError(f"expected an object, found {type(values).__name__}")
    for item in fields(cls):  # type: ignore[arg-type]
        if item.name in values and item.name not in converted:
            value = values[item.name]
            allowed = [_TYPES.get(name.strip(), ()) for name in str(item.type).split("|")]
            if not isinstance(value, tuple(t for types in allowed for t in types)):
                raise TypeError(f"{item.name}: unexpected {type(value).__name__}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{item.name}: not a finite number")
    return cls(**{**values, **converted})


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a text, found {type(value).__name__}")
    return value


def _whole_or_none(value: object) -> int | None:
    if value is not None and not isinstance(value, int):
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value


def _relative(path: Path | None, base: str) -> str | None:
    return None if path is None else os.path.relpath(path, base)


def _absolute(relative: object, base: str) -> Path | None:
    if relative is None:
        return None
    return Path(os.path.normpath(os.path.join(base, _text(relative))))


def _encoded(value: object, base: str) -> Any:
    """A record of the model as JSON: nested records as objects, paths relative to ``base``."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encoded(getattr(value, f.name), base) for f in fields(value)}
    if isinstance(value, tuple):
        return [_encoded(v, base) for v in value]
    if isinstance(value, Path):
        return _relative(value, base)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _decoded(hint: Any, value: object, base: str) -> Any:
    """The inverse of `_encoded`, led by the annotations: each value checked for its type."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _decoded(options[0], value, base)
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, found {type(value).__name__}")
        return tuple(_decoded(typing.get_args(hint)[0], v, base) for v in value)
    if is_dataclass(hint):
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, found {type(value).__name__}")
        hints = typing.get_type_hints(hint)
        make: Any = hint
        return make(**{f.name: _decoded(hints[f.name], value[f.name], base) for f in fields(hint)})
    if hint is Path:
        return _absolute(value, base)
    if hint is datetime:
        return datetime.fromisoformat(_text(value))
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return float(value)
    allowed = {str: str, int: int, bool: bool}.get(hint)
    if (
        allowed is None
        or not isinstance(value, allowed)
        or (hint is int and isinstance(value, bool))
    ):
        raise TypeError(f"expected {getattr(hint, '__name__', hint)}, found {type(value).__name__}")
    return value
