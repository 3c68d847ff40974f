"""What the manifest keeps of an episode beyond its key: the transcript formats its build
published and the warnings its transcript gave, the two things a rebuild does not read again.

The manifest sits in the site, which others may edit: it holds nothing that is published or
printed without a check. A reused episode is loaded from its episode.toml and notes as any
other; only the reading of its transcript is spared. A recorded format counts only when its
file is one of the episode's files on disk; a warning only when it names the transcript and is
one printable line. Reading a damaged record raises KeyError, TypeError or ValueError; the
caller then loads the episode anew.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from toolkit import paths
from toolkit.errors import Problem
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
