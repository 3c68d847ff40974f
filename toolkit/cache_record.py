"""What the manifest keeps of an episode beyond its key: the transcript formats its build
published and the warnings its transcript gave, the two things a rebuild does not read again.

The manifest sits in the site, which others may edit: it holds nothing that is published or
printed without a check. An episode as loaded is taken back only from a sealed record (see
`toolkit.cache`), and read against the model's types. A recorded format counts only when its
file is one of the episode's files on disk; a warning only when it names the transcript and is
one printable line. Reading a damaged record raises KeyError, TypeError or ValueError; the
caller then loads the episode anew.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, cast, get_args, get_origin, get_type_hints

from toolkit import paths
from toolkit.errors import Problem
from toolkit.model import Episode
from toolkit.textcheck import character_problem
from toolkit.transcript import REGISTRY


def to_record(transcript_formats: tuple[str, ...]) -> dict[str, Any]:
    return {"transcript_formats": list(transcript_formats)}


def formats_from_record(
    record: dict[str, Any], slug: str, outputs: tuple[str, ...]
) -> tuple[str, ...]:
    """The transcript formats the episode's build published, each a file of the episode."""
    formats = record["transcript_formats"]
    if not isinstance(formats, list):
        raise TypeError("transcript formats: expected a list")
    known = {fmt.name for fmt in REGISTRY}
    for fmt in formats:
        if fmt not in known:
            raise ValueError(f"unknown transcript format {fmt!r}")
        if f"{slug}/{paths.transcript_name(fmt)}" not in outputs:
            raise ValueError(f"no published transcript.{fmt}")
    return tuple(formats)


def warning_record(problem: Problem, directory: Path) -> dict[str, Any]:
    return {
        "file": os.path.relpath(problem.file, directory),
        "where": problem.where,
        "message": problem.message,
    }


def warning_from_record(
    record: dict[str, Any], directory: Path, transcript_file: Path | None
) -> Problem:
    """A warning the episode's transcript gave: it must name that file and be one line."""
    where, message = record["where"], _text(record["message"])
    if not isinstance(where, str | int | None):
        raise TypeError("a warning's place must be a key, a line number or nothing")
    file = directory / _text(record["file"])
    if transcript_file is None or os.path.normpath(file) != os.path.normpath(transcript_file):
        raise ValueError("a recorded warning names another file than the transcript")
    if character_problem(message) or character_problem(str(where or "")):
        raise ValueError("a recorded warning holds a control character")
    return Problem(file, where, message, "warning")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a text, found {type(value).__name__}")
    return value


# A loaded episode, kept between builds. Its record is sealed (see toolkit.seal), and still read
# back against the model's types, field by field: a record another podkit wrote, or one that
# does not fit the model any more, is refused (TypeError or ValueError) and the episode loaded
# from its sources.


def episode_to_record(episode: Episode) -> dict[str, Any]:
    return cast(dict[str, Any], _to_json(replace(episode, transcript=None)))


def episode_from_record(record: object) -> Episode:
    return cast(Episode, _reader(Episode)(record))


def load_warning_record(problem: Problem) -> list[Any]:
    return [str(problem.file), problem.where, problem.message]


def load_warning_from_record(record: object) -> Problem:
    """A warning an episode's files gave as it was loaded: a file, a place, one line."""
    if not (isinstance(record, list) and len(record) == 3):
        raise TypeError("a warning: expected [file, place, message]")
    file, where, message = _text(record[0]), record[1], _text(record[2])
    if not isinstance(where, str | int | None) or isinstance(where, bool):
        raise TypeError("a warning's place must be a key, a line number or nothing")
    if character_problem(file + message + str(where or "")):
        raise ValueError("a recorded warning holds a control character")
    return Problem(Path(file), where, message, "warning")


def _to_json(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_to_json(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot record a {type(value).__name__}")


Reader = Callable[[object], Any]


@cache
def _reader(hint: Any) -> Reader:
    """A function that checks a JSON value against a type of the model and returns it as
    that type; made once per type."""
    origin, arguments = get_origin(hint), get_args(hint)
    if is_dataclass(hint):
        return _dataclass_reader(cast(type, hint))
    if origin is tuple:
        return _tuple_reader(_reader(arguments[0]))
    if origin in (Union, UnionType) and type(None) in arguments and len(arguments) == 2:
        return _optional_reader(_reader(next(a for a in arguments if a is not type(None))))
    if origin in (Union, UnionType):
        return _union_reader(tuple(_reader(a) for a in arguments))
    if origin is Literal:
        return _literal_reader(arguments)
    if hint is type(None):
        return _exact(type(None))
    if hint is Path:
        return lambda value: Path(_text(value))
    if hint is datetime:
        return _moment
    if hint is float:  # as the loader made it: a whole number may be an int
        return _exact(int, float)
    if hint in (str, int, bool):
        return _exact(hint)
    raise TypeError(f"no record of a {hint}")


def _dataclass_reader(cls: type) -> Reader:
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"no record of a {cls.__name__}")
    hints = get_type_hints(cls)
    readers = {f.name: _reader(hints[f.name]) for f in fields(cls) if f.init}
    items = tuple(readers.items())

    def read(value: object) -> Any:
        if not isinstance(value, dict) or value.keys() != readers.keys():
            raise ValueError(f"not a record of a {cls.__name__}")
        # Every field is checked above and below: fill the frozen object directly, as its
        # __init__ would (the model's classes have no __post_init__), at a fraction of the cost.
        made: Any = object.__new__(cls)
        made.__dict__.update({name: read(value[name]) for name, read in items})
        return made

    return read


def _tuple_reader(item: Reader) -> Reader:
    def read(value: object) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise TypeError("expected a list")
        return tuple(item(v) for v in value)

    return read


def _optional_reader(reader: Reader) -> Reader:
    return lambda value: None if value is None else reader(value)


def _union_reader(options: tuple[Reader, ...]) -> Reader:
    def read(value: object) -> Any:
        for option in options:
            try:
                return option(value)
            except (TypeError, ValueError):
                continue
        raise TypeError(f"unexpected {type(value).__name__}")

    return read


def _literal_reader(choices: tuple[Any, ...]) -> Reader:
    def read(value: object) -> Any:
        if value not in choices or not isinstance(value, str):
            raise ValueError(f"unexpected {value!r}")
        return value

    return read


def _exact(*kinds: type) -> Reader:
    """A value of exactly one of these types (a bool is not an int here)."""

    if len(kinds) == 1:
        kind = kinds[0]

        def read_one(value: object) -> Any:
            if type(value) is not kind:
                raise TypeError(f"expected a {kind.__name__}, found {type(value).__name__}")
            return value

        return read_one

    def read(value: object) -> Any:
        if type(value) not in kinds:
            raise TypeError(f"expected a {kinds[0].__name__}, found {type(value).__name__}")
        return value

    return read


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("a date-time without its offset")
    return moment
