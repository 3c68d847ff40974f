"""An episode's chapters on their own: export them in another tool's format (`podkit
chapters export`), move them to the transcript's sentences (`podkit chapters snap`). Apart
from `one_episode`, whose `podkit tag` needs none of this."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.chapters import start_problems
from toolkit.config import EPISODE_FILE
from toolkit.errors import Problem, ToolkitError
from toolkit.model import Chapter, Episode
from toolkit.one_episode import load_episode
from toolkit.sentences import SNAP_TOLERANCE, UNTIMED_HINT, sentence_starts, snapped
from toolkit.timecode import format_timestamp
from toolkit.tomlcheck import BOM


@dataclass(frozen=True)
class ChaptersExport:
    text: str
    format: str
    chapters: int
    output: Path | None

    def summary(self) -> str:
        return f"{self.output}: {self.chapters} chapters ({self.format})"


def export_chapters(episode_dir: Path, fmt: str, output: Path | None = None) -> ChaptersExport:
    """The episode's chapters in ``fmt``, written to ``output`` when one is given."""
    from toolkit import chapter_formats
    from toolkit.writer import atomic_write

    _, episode = load_episode(episode_dir)
    text = chapter_formats.export(fmt, episode.chapters, episode.audio_info.duration)
    if output is not None:
        atomic_write(output, text.encode("utf-8"))
    return ChaptersExport(text, fmt, len(episode.chapters), output)


@dataclass(frozen=True)
class Move:
    """A chapter whose start moves to a sentence's start (``new`` None: it stays, no
    sentence starts near enough)."""

    index: int
    title: str
    old: float
    new: float | None

    def line(self, tolerance: float) -> str:
        old = format_timestamp(self.old)
        if self.new is None:
            return f"  {old}  stays: no sentence starts within {tolerance:g} s  {self.title}"
        return f"  {old} -> {format_timestamp(self.new)}  {self.title}"


@dataclass(frozen=True)
class ChaptersSnap:
    episode_toml: Path
    moves: list[Move]
    tolerance: float
    dry_run: bool

    def summary(self) -> str:
        moved = sum(move.new is not None for move in self.moves)
        count = f"{moved} chapter{'' if moved == 1 else 's'}"
        if self.dry_run:
            head = f"{self.episode_toml}: {count} would move (dry run: nothing written)"
        else:
            head = f"{self.episode_toml}: {count} moved to a sentence's start"
        return "\n".join([head, *(move.line(self.tolerance) for move in self.moves)])


def snap_chapters(
    episode_dir: Path, tolerance: float = SNAP_TOLERANCE, dry_run: bool = False
) -> ChaptersSnap:
    """Move each chapter start given as a time to the start of the nearest sentence of the
    episode's timed transcript, within ``tolerance`` seconds, and write the new starts into
    episode.toml (unless ``dry_run``), keeping the rest of it. The first chapter stays at 0;
    a chapter placed by ``at`` is at its sentence already."""
    _, episode = load_episode(episode_dir, with_transcript=True)
    toml_path = episode.directory / EPISODE_FILE
    spoken = episode.transcript
    if spoken is None or not spoken.timed:
        what = "has no transcript" if spoken is None else "has a transcript without times"
        fix = "add a timed transcript.txt" if spoken is None else UNTIMED_HINT
        raise ToolkitError([Problem(episode.directory, None, f"{what}: {fix}, then snap")])
    moves = _moves(episode.chapters, _given_by_time(toml_path), sentence_starts(spoken), tolerance)
    _check_order(episode, moves, toml_path)
    new = {move.index: move.new for move in moves if move.new is not None}
    if new and not dry_run:
        from toolkit.episode_toml import set_chapter_starts  # tomlkit: not on the tag's path

        set_chapter_starts(toml_path, new)
    return ChaptersSnap(toml_path, moves, tolerance, dry_run)


def _given_by_time(toml_path: Path) -> set[int]:
    """The chapters whose episode.toml gives ``start`` (not ``at``)."""
    data = tomllib.loads(toml_path.read_text(encoding="utf-8").removeprefix(BOM))
    return {i for i, table in enumerate(data.get("chapters", [])) if "start" in table}


def _moves(
    chapters: Sequence[Chapter], by_time: set[int], starts: list[float], tolerance: float
) -> list[Move]:
    """The chapters that move, and those too far from any sentence, which stay."""
    moves = []
    for index, chapter in enumerate(chapters):
        if index == 0 or index not in by_time:
            continue
        new = snapped(chapter.start, starts, tolerance)
        if round(new, 3) != round(chapter.start, 3):
            moves.append(Move(index, chapter.title, chapter.start, new))
        elif not any(abs(s - chapter.start) <= tolerance for s in starts):
            moves.append(Move(index, chapter.title, chapter.start, None))
    return moves


def _check_order(episode: Episode, moves: list[Move], toml_path: Path) -> None:
    """Two chapters moved to one sentence, or past each other: refused, nothing written."""
    starts = [chapter.start for chapter in episode.chapters]
    for move in moves:
        if move.new is not None:
            starts[move.index] = move.new
    found = start_problems(starts, episode.audio_info.duration)
    if found:
        problems = [
            Problem(toml_path, f"chapters[{i}].{key}", f"once snapped, {message}: move it by hand")
            for i, key, message in found
        ]
        raise ToolkitError(problems)
