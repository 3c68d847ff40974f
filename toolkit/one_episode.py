"""One episode's folder on its own, without building the show: tag an MP3 published
elsewhere with it (`podkit tag`), export its chapters (`podkit chapters export`), move
them to the transcript's sentences (`podkit chapters snap`)."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from toolkit import audio, derived, journal
from toolkit.artwork import resized_jpeg
from toolkit.chapters import chapter_problems, start_problems
from toolkit.config import EPISODE_FILE, load_show
from toolkit.errors import Problem, ToolkitError
from toolkit.id3_fields import TAG_COVER_SIZE, episode_tags
from toolkit.model import AudioInfo, Chapter, Episode, Show
from toolkit.timecode import format_timestamp
from toolkit.tomlcheck import BOM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tagged:
    mp3: Path
    chapters: int
    in_place: bool = False

    def summary(self) -> str:
        how = "in place" if self.in_place else "rewritten"
        chapters = "1 chapter" if self.chapters == 1 else f"{self.chapters} chapters"
        return f"{self.mp3}: tagged with {chapters} ({how})"


@dataclass(frozen=True)
class TaggedFiles:
    files: list[Tagged]

    def summary(self) -> str:
        return "\n".join(tagged.summary() for tagged in self.files)


@dataclass(frozen=True)
class ChaptersExport:
    text: str
    format: str
    chapters: int
    output: Path | None

    def summary(self) -> str:
        return f"{self.output}: {self.chapters} chapters ({self.format})"


def load_episode(episode_dir: Path, with_transcript: bool = False) -> tuple[Show, Episode]:
    """The show an episode folder belongs to (the folder above it), and that episode; other
    episodes are not read, so their problems do not stop this one."""
    folder = episode_dir.resolve()
    show, _ = load_show(folder.parent, read_transcripts=with_transcript, only=folder.name)
    return show, show.episodes[0]


def tag_episode_file(mp3: Path, episode_dir: Path, id3_version: int = 3) -> Tagged:
    """Write the episode's tags and chapters into ``mp3``, safely (see `audio.tag_file`)."""
    return tag_episode_files([mp3], episode_dir, id3_version).files[0]


def tag_episode_files(mp3s: list[Path], episode_dir: Path, id3_version: int = 3) -> TaggedFiles:
    """Write one episode's tags and chapters into each of ``mp3s`` (its exports at several
    bitrates, its copies for several hosts), safely (see `audio.tag_file`). Every file and the
    episode are checked first: their problems are raised together and no file is written."""
    infos = {mp3: _probe_to_tag(mp3) for mp3 in mp3s}
    problems = [info for info in infos.values() if isinstance(info, Problem)]
    # The notes' summary and the cover's checks and copy, kept from the last tag of this show.
    with derived.kept_in(episode_dir.resolve().parent / derived.CACHE_FOLDER):
        try:
            show, episode = load_episode(episode_dir)
        except ToolkitError as error:
            raise ToolkitError([*problems, *error.problems]) from None
        tags = _tags_for(show, episode, infos, problems)
    return TaggedFiles(
        [Tagged(mp3, len(episode.chapters), _tag(mp3, tags[mp3], id3_version)) for mp3 in tags]
    )


def _tags_for(
    show: Show, episode: Episode, infos: dict[Path, AudioInfo | Problem], problems: list[Problem]
) -> dict[Path, audio.EpisodeTags]:
    """Each file's tags, once the chapters are checked against each file's length."""
    toml_path = episode.directory / EPISODE_FILE
    for mp3, info in infos.items():
        if not isinstance(info, Problem):  # the rest was checked against the episode's audio
            late = chapter_problems(episode.chapters, info.duration, mp3.name)
            problems += [Problem(toml_path, f"chapters[{i}].{k}", m) for i, k, m in late]
    if problems:
        raise ToolkitError(problems)
    cover = resized_jpeg(show.cover, TAG_COVER_SIZE)
    return {
        mp3: episode_tags(show, replace(episode, audio_info=cast(AudioInfo, info)), cover)
        for mp3, info in infos.items()
    }


def _tag(mp3: Path, tags: audio.EpisodeTags, id3_version: int) -> bool:
    """Tag one file; whether it was written in place."""
    try:
        result = audio.tag_file(mp3, tags, id3_version)
    except audio.AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
    except OSError as error:
        message = f"could not be tagged ({error.strerror}); it is unchanged"
        raise ToolkitError([Problem(mp3, None, message)]) from None
    if result.recovered:
        log.warning("%s", result.recovered)
    for path in result.removed:
        log.info("%s: removed, left by an interrupted podkit tag", path)
    return result.in_place


def _probe_to_tag(mp3: Path) -> AudioInfo | Problem:
    """The MP3's format, or the problem that keeps it from being tagged."""
    if mp3.is_dir():
        return Problem(mp3, None, "is a folder: give the MP3 file to tag")
    try:
        recovered = journal.roll_back(mp3)  # an interrupted re-tag: undo it first
        if recovered:
            log.warning("%s", recovered)
        return audio.probe(mp3)
    except FileNotFoundError:
        return Problem(mp3, None, "file not found: check the path of the MP3 to tag")
    except OSError as error:
        return Problem(mp3, None, f"cannot be read ({error.strerror}): check the path")
    except audio.AudioError as error:
        return Problem(mp3, None, str(error))


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
    episode_dir: Path, tolerance: float | None = None, dry_run: bool = False
) -> ChaptersSnap:
    """Move each chapter start given as a time to the start of the nearest sentence of the
    episode's timed transcript, within ``tolerance`` seconds, and write the new starts into
    episode.toml (unless ``dry_run``), keeping the rest of it. The first chapter stays at 0;
    a chapter placed by ``at`` is at its sentence already. ``tolerance`` defaults to
    `sentences.SNAP_TOLERANCE`."""
    from toolkit.sentences import SNAP_TOLERANCE, UNTIMED_HINT, sentence_starts  # not the tag's

    if tolerance is None:
        tolerance = SNAP_TOLERANCE
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
    from toolkit.sentences import snapped

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
