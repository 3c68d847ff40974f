"""What the manifest keeps of an episode beyond its key: the transcript formats its build
published and the warnings its transcript gave, the two things a rebuild does not read again.

The manifest sits in the site, which others may edit: it holds nothing that is published or
printed without a check. An episode as loaded is taken back only from a sealed record (see
`toolkit.cache`), made of the model's types only. A recorded format counts only when its
file is one of the episode's files on disk; a warning only when it names the transcript and is
one printable line. Reading a damaged record raises KeyError, TypeError or ValueError
(RecordError for a loaded episode); the caller then loads the episode anew.
"""

from __future__ import annotations

import datetime
import io
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path, PosixPath
from typing import Any

from toolkit import model, paths
from toolkit.errors import Problem
from toolkit.model import Episode, replace
from toolkit.textcheck import character_problem
from toolkit.transcript import REGISTRY


def to_record(transcript_formats: tuple[str, ...]) -> dict[str, Any]:
    return {"transcript_formats": list(transcript_formats)}


_KNOWN_FORMATS = frozenset(fmt.name for fmt in REGISTRY)


def formats_from_record(
    record: dict[str, Any], slug: str, outputs: tuple[str, ...]
) -> tuple[str, ...]:
    """The transcript formats the episode's build published, each a file of the episode."""
    formats = record["transcript_formats"]
    if not isinstance(formats, list):
        raise TypeError("transcript formats: expected a list")
    for fmt in formats:
        if fmt not in _KNOWN_FORMATS:
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


# A loaded episode, kept between builds in a file sealed as a whole (see toolkit.cache), read
# back only by the podkit that wrote it (its load key holds podkit's code key): pickled, and
# unpickled by an unpickler that makes nothing but the model's objects, paths, moments and
# problems, so even a record podkit did not mean to write runs no other code.


def loaded_record(
    episode: Episode, transcript_file: Path | None, warnings: Iterable[Problem]
) -> bytes:
    """The episode as loaded (without its transcript), its transcript's path, its warnings."""
    record = (replace(episode, transcript=None), transcript_file, tuple(warnings))
    stream = io.BytesIO()
    _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(record)
    return stream.getvalue()


def loaded_from_record(data: bytes) -> tuple[Episode, Path | None, tuple[Problem, ...]]:
    """Raises RecordError for a record of another shape."""
    record = unpickled(data, _MODEL)
    if not (isinstance(record, tuple) and len(record) == 3):
        raise RecordError("a loaded episode: expected (episode, transcript, warnings)")
    episode, transcript, warnings = record
    if not (isinstance(episode, Episode) and isinstance(transcript, Path | None)):
        raise RecordError("a loaded episode: not an episode and a transcript's path")
    if not (isinstance(warnings, tuple) and all(isinstance(w, Problem) for w in warnings)):
        raise RecordError("a loaded episode's warnings: not problems")
    return episode, transcript, warnings


class RecordError(ValueError):
    """A pickled record that is not what podkit writes."""


def unpickled(data: bytes, allowed: dict[tuple[str, str], Any] | None = None) -> object:
    """The value pickled in ``data``, made of builtin values and the ``allowed`` classes only;
    raises RecordError for anything else."""
    try:
        return _Unpickler(io.BytesIO(data), allowed or {}).load()
    except RecordError:
        raise
    except Exception as error:  # whatever a torn pickle raises
        raise RecordError(f"not a record: {error}") from None


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # A path as its text: unpickled by one call, not by joining its parts again.
        if type(obj) is PosixPath:
            return PosixPath, (str(obj),)
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, stream: io.BytesIO, allowed: dict[tuple[str, str], Any]) -> None:
        super().__init__(stream)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        found = self.allowed.get((module, name))
        if found is None:
            raise RecordError(f"{module}.{name} is no part of a record")
        return found


def _path(*parts: str) -> PosixPath:
    """The path a record names: its text (see `_Pickler`), parsed as `PosixPath` would."""
    if _PARSED_PARTS and len(parts) == 1 and _is_plain(text := parts[0]):
        root = "/" if text[0] == "/" else ""
        names = text[1:].split("/") if root else text.split("/")
        make = PosixPath._from_parsed_parts  # type: ignore[attr-defined]
        path: PosixPath = make("", root, [root, *names] if root else names)
        path._str = text  # type: ignore[attr-defined]  # its text, as `str` would write it again
        return path
    return PosixPath(*parts)


# Python 3.11's paths parse their text when made, several times slower than splitting it: a
# path's own text (no empty or "." part, no "//" root) is split here, as its parts.
_PARSED_PARTS = sys.version_info[:2] == (3, 11)


def _is_plain(text: str) -> bool:
    """A path's text as `str(path)` writes it, with no part that parsing would change."""
    return bool(text) and "//" not in text and "/./" not in f"/{text}/" and text[-1] != "/"


# What a loaded episode is made of: the model's classes, paths, moments and problems.
_MODEL: dict[tuple[str, str], Any] = {
    **{("toolkit.model", n): v for n, v in vars(model).items() if model.is_value_class(v)},
    ("pathlib", "PosixPath"): _path,
    ("toolkit.errors", "Problem"): Problem,
    **{("datetime", n): getattr(datetime, n) for n in ("datetime", "timedelta", "timezone")},
}
