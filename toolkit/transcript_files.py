"""Transcript files a user names: import an automatic one into the editable form (speakers
renamed, the corrections glossary applied), or convert one to another format."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit import transcript
from toolkit.corrections import (
    Correction,
    CorrectionsError,
    correct_transcript,
    load_corrections,
)
from toolkit.errors import Problem, ToolkitError
from toolkit.model import Transcript, replace
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranscriptImport:
    out: Path
    transcript: Transcript
    corrections: int

    def summary(self) -> str:
        return (
            f"{self.out}: {len(self.transcript.segments)} segments, {self.corrections} "
            f"corrections, speakers: {', '.join(self.transcript.speakers)}"
        )


@dataclass(frozen=True)
class TranscriptConversion:
    out: Path
    transcript: Transcript
    format: str

    def summary(self) -> str:
        return f"{self.out}: {len(self.transcript.segments)} segments as {self.format}"


def import_transcript(
    raw: Path,
    out: Path,
    speakers: Iterable[str] = (),
    corrections: Path | None = None,
    to: str | None = None,
) -> TranscriptImport:
    """Write ``raw`` to ``out`` (in ``to``, or the format of its extension), each speaker
    renamed by a ``"LABEL=NAME"`` of ``speakers`` and the ``corrections`` glossary applied;
    every replacement is logged. Every problem is raised at once and nothing is written."""
    spoken = read_transcript(raw)
    fmt = output_format(out, to)
    problems: list[Problem] = []
    renames = _renames(raw, spoken, speakers, problems)
    fixes: list[tuple[int, str, str]] = []
    if corrections is not None:
        glossary = _glossary(corrections, problems)
        if glossary is not None:
            spoken, fixes = correct_transcript(spoken, glossary)
    if problems:
        raise ToolkitError(problems)
    spoken = Transcript(
        tuple(replace(s, speaker=renames.get(s.speaker, s.speaker)) for s in spoken.segments)
    )
    write_transcript(spoken, out, fmt)
    for number, wrong, right in fixes:
        log.info("segment %d: %s -> %s", number, wrong, right)
    return TranscriptImport(out, spoken, len(fixes))


def convert_transcript(source: Path, out: Path, to: str | None = None) -> TranscriptConversion:
    """Write ``source`` to ``out`` in ``to``, or the format of ``out``'s extension."""
    spoken = read_transcript(source)
    fmt = output_format(out, to)
    write_transcript(spoken, out, fmt)
    return TranscriptConversion(out, spoken, fmt)


def _renames(
    raw: Path, spoken: Transcript, speakers: Iterable[str], problems: list[Problem]
) -> dict[str, str]:
    """The new name of each label ``speakers`` renames; what is wrong goes to ``problems``."""
    renames: dict[str, str] = {}
    for item in speakers:
        label, sep, name = item.partition("=")
        label, name = label.strip(), name.strip()
        if not sep or not label or not name:
            problems.append(Problem("--speaker", None, f"{item!r}: write LABEL=NAME"))
        elif (wrong := transcript.speaker_problem(name)) is not None:
            problems.append(Problem("--speaker", None, f"{item!r}: {wrong}"))
        elif label not in spoken.speakers:
            known = ", ".join(spoken.speakers)
            problems.append(
                Problem(raw, None, f"no speaker {label!r} here: the labels are {known}")
            )
        else:
            renames[label] = name
    return renames


def _glossary(path: Path, problems: list[Problem]) -> tuple[Correction, ...] | None:
    try:
        return load_corrections(path)
    except OSError as error:
        problems.append(unreadable(path, error))
    except UnicodeDecodeError:
        problems.append(Problem(path, None, "is not UTF-8 text: save it as UTF-8"))
    except CorrectionsError as error:
        problems.append(error.problem(path))
    return None


def unreadable(path: Path, error: OSError) -> Problem:
    """One line for a file given on the command line that cannot be read."""
    if isinstance(error, FileNotFoundError):
        return Problem(path, None, "file not found")
    if isinstance(error, IsADirectoryError):
        return Problem(path, None, "is a folder, not a file: name a file")
    return Problem(path, None, f"cannot be read ({error.strerror})")


def read_transcript(path: Path) -> Transcript:
    try:
        return transcript.read(path, path.read_bytes())
    except OSError as error:
        raise ToolkitError([unreadable(path, error)]) from None
    except transcript.TranscriptError as error:
        raise ToolkitError([error.problem(path)]) from None


def output_format(path: Path, to: str | None) -> str:
    """The format to write ``path`` in; ToolkitError when it cannot be written at all."""
    if path.is_dir():
        raise ToolkitError([Problem(path, None, "is a folder, not a file: name a file")])
    if to:
        return to
    fmt = transcript.format_for_path(path)
    if fmt is None:
        raise ToolkitError(
            [Problem(path, None, "unknown extension: use .txt, .vtt, .srt or .json, or --to")]
        )
    return fmt


def write_transcript(
    spoken: Transcript, out: Path, fmt: str, duration: float | None = None
) -> None:
    """Write ``spoken`` to ``out`` in ``fmt``; ``duration`` (the audio's) ends the last cue."""
    try:
        text = transcript.write(spoken, fmt, duration)
    except transcript.TranscriptError as error:
        raise ToolkitError([Problem(out, None, error.message)]) from None
    try:
        atomic_write(out, text.encode("utf-8"))
    except OSError as error:
        raise ToolkitError([Problem(out, None, f"cannot be written ({error.strerror})")]) from None
