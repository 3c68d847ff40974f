"""One episode's folder on its own, without building the show: tag an MP3 published
elsewhere with it (`podkit tag`), export its chapters (`podkit chapters export`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit import audio, chapter_formats
from toolkit.artwork import resized_jpeg
from toolkit.chapters import chapter_problems
from toolkit.config import EPISODE_FILE, load_show
from toolkit.errors import Problem, ToolkitError
from toolkit.id3_fields import TAG_COVER_SIZE, episode_tags
from toolkit.model import AudioInfo, Episode, Show
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tagged:
    mp3: Path
    chapters: int

    def summary(self) -> str:
        return f"{self.mp3}: tagged with {self.chapters} chapters"


@dataclass(frozen=True)
class ChaptersExport:
    text: str
    format: str
    chapters: int
    output: Path | None

    def summary(self) -> str:
        return f"{self.output}: {self.chapters} chapters ({self.format})"


def load_episode(episode_dir: Path) -> tuple[Show, Episode]:
    """The show an episode folder belongs to (the folder above it), and that episode; other
    episodes are not read, so their problems do not stop this one."""
    folder = episode_dir.resolve()
    show, _ = load_show(folder.parent, read_transcripts=False, only=folder.name)
    return show, show.episodes[0]


def tag_episode_file(mp3: Path, episode_dir: Path, id3_version: int = 3) -> Tagged:
    """Write the episode's tags and chapters into ``mp3`` in place, through a temporary file
    renamed over it; the problems of the MP3 and of the episode are raised together."""
    info = _probe_to_tag(mp3)
    mp3_problems = [info] if isinstance(info, Problem) else []
    try:
        show, episode = load_episode(episode_dir)
    except ToolkitError as error:
        raise ToolkitError([*mp3_problems, *error.problems]) from None
    if isinstance(info, Problem):
        raise ToolkitError([info])
    late = chapter_problems(episode.chapters, info.duration, mp3.name)
    if late:  # the rest was checked when the episode loaded, against its own audio
        toml_path = episode.directory / EPISODE_FILE
        raise ToolkitError(Problem(toml_path, f"chapters[{i}].{k}", m) for i, k, m in late)
    episode = replace(episode, audio_info=info)
    tags = episode_tags(show, episode, resized_jpeg(show.cover, TAG_COVER_SIZE))
    try:
        removed = audio.tag_file(mp3, tags, id3_version)
    except audio.AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
    except OSError as error:
        message = f"could not be tagged ({error.strerror}); it is unchanged"
        raise ToolkitError([Problem(mp3, None, message)]) from None
    for path in removed:
        log.info("%s: removed, left by an interrupted podkit tag", path)
    return Tagged(mp3, len(episode.chapters))


def _probe_to_tag(mp3: Path) -> AudioInfo | Problem:
    """The MP3's format, or the problem that keeps it from being tagged."""
    if mp3.is_dir():
        return Problem(mp3, None, "is a folder: give the MP3 file to tag")
    try:
        return audio.probe(mp3)
    except FileNotFoundError:
        return Problem(mp3, None, "file not found: check the path of the MP3 to tag")
    except OSError as error:
        return Problem(mp3, None, f"cannot be read ({error.strerror}): check the path")
    except audio.AudioError as error:
        return Problem(mp3, None, str(error))


def export_chapters(episode_dir: Path, fmt: str, output: Path | None = None) -> ChaptersExport:
    """The episode's chapters in ``fmt``, written to ``output`` when one is given."""
    _, episode = load_episode(episode_dir)
    text = chapter_formats.export(fmt, episode.chapters, episode.audio_info.duration)
    if output is not None:
        atomic_write(output, text.encode("utf-8"))
    return ChaptersExport(text, fmt, len(episode.chapters), output)
