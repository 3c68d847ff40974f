"""One episode's folder on its own, without building the show: tag an MP3 published
elsewhere with it (`podkit tag`). Its chapters' commands are in `chapter_commands`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

from toolkit import audio, derived, journal, logs
from toolkit.artwork import resized_jpeg
from toolkit.chapters import chapter_problems
from toolkit.config import EPISODE_FILE, SHOW_FILE, load_show
from toolkit.errors import Problem, ToolkitError
from toolkit.id3_fields import TAG_COVER_SIZE, episode_tags
from toolkit.model import AudioInfo, Episode, FrozenValue, Show, replace, value

log = logs.Logger(__name__)


@value
class Tagged(FrozenValue):
    mp3: Path
    chapters: int
    in_place: bool = False

    def summary(self) -> str:
        how = "in place" if self.in_place else "rewritten"
        chapters = "1 chapter" if self.chapters == 1 else f"{self.chapters} chapters"
        return f"{self.mp3}: tagged with {chapters} ({how})"


@value
class TaggedFiles(FrozenValue):
    files: list[Tagged]

    def summary(self) -> str:
        return "\n".join(tagged.summary() for tagged in self.files)


def load_episode(episode_dir: Path, with_transcript: bool = False) -> tuple[Show, Episode]:
    """The show an episode folder belongs to (the folder above it), and that episode; other
    episodes are not read, so their problems do not stop this one."""
    folder = _episode_folder(episode_dir)
    try:
        show, warnings = load_show(
            _from_here(folder.parent), read_transcripts=with_transcript, only=folder.name
        )
    except ToolkitError:
        if not (folder / EPISODE_FILE).exists():  # then the folder above needn't be a show
            raise ToolkitError([_not_an_episode(episode_dir, folder)]) from None
        raise
    for warning in warnings:  # an unknown key, a placeholder left: said as the build says it
        log.warning("%s", warning)
    return show, show.episodes[0]


def _episode_folder(episode_dir: Path) -> Path:
    """The episode's folder as given, made absolute without resolving links: "." and "x/"
    then have a name and a parent, the show's folder."""
    return Path(os.path.abspath(episode_dir))


def _from_here(folder: Path) -> Path:
    """``folder`` (absolute) relative to the working folder when inside it: problems then name
    files as `podkit build --source` and `podkit check` name them."""
    try:
        return folder.relative_to(os.getcwd())
    except ValueError:
        return folder


def _not_an_episode(given: Path, folder: Path) -> Problem:
    """What to do when the folder given for an episode's holds no episode.toml: the problems
    of the folder above it (no show.toml there, say) would only mislead."""
    if not folder.is_dir():
        return Problem(given, None, "folder not found: give the episode's folder")
    if (folder / SHOW_FILE).is_file():
        episodes = sorted(p.parent.name for p in folder.glob(f"*/{EPISODE_FILE}"))
        example = f", e.g. {given / episodes[0]}" if episodes else ""
        return Problem(given, None, f"is a show's folder: give one of its episode folders{example}")
    return Problem(given, None, f"not an episode folder: it has no {EPISODE_FILE}")


def tag_episode_file(mp3: Path, episode_dir: Path, id3_version: int = 3) -> Tagged:
    """Write the episode's tags and chapters into ``mp3``, safely (see `audio.tag_file`)."""
    return tag_episode_files([mp3], episode_dir, id3_version).files[0]


def tag_episode_files(mp3s: list[Path], episode_dir: Path, id3_version: int = 3) -> TaggedFiles:
    """Write one episode's tags and chapters into each of ``mp3s`` (its exports at several
    bitrates, its copies for several hosts), safely (see `audio.tag_file`). Every file and the
    episode are checked first: their problems are raised together and no file is written. A
    file that still cannot be written is left unchanged and the others are tagged: the files
    tagged are logged and the failures raised together."""
    infos = {mp3: _probe_to_tag(mp3) for mp3 in mp3s}
    problems = [info for info in infos.values() if isinstance(info, Problem)]
    # The notes' summary and the cover's checks and copy, kept from the last tag of this show.
    with derived.kept_in(_episode_folder(episode_dir).parent / derived.CACHE_FOLDER):
        try:
            show, episode = load_episode(episode_dir)
        except ToolkitError as error:
            raise ToolkitError([*problems, *error.problems]) from None
        tags = _tags_for(show, episode, infos, problems)
    tagged: list[Tagged] = []
    failed: list[Problem] = []
    for mp3, file_tags in tags.items():
        try:
            tagged.append(Tagged(mp3, len(episode.chapters), _tag(mp3, file_tags, id3_version)))
        except ToolkitError as error:
            failed += error.problems
    if failed:
        for done in tagged:  # written all the same: a failure must not hide them
            log.info("%s", done.summary())
        raise ToolkitError(failed)
    return TaggedFiles(tagged)


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
    except PermissionError as error:
        message = (
            f"cannot be written ({error.strerror}): make it writable to tag it; it is unchanged"
        )
        raise ToolkitError([Problem(mp3, None, message)]) from None
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
        info = audio.probe(mp3)
    except FileNotFoundError:
        return Problem(mp3, None, "file not found: check the path of the MP3 to tag")
    except OSError as error:
        return Problem(mp3, None, f"cannot be read ({error.strerror}): check the path")
    except audio.AudioError as error:
        return Problem(mp3, None, str(error))
    return _unwritable(mp3) or info


def _unwritable(mp3: Path) -> Problem | None:
    """Why this file could not be tagged, found before any file is written: a read-only file
    is one its owner wants left alone, and its folder gets the journal of an in-place write."""
    target = mp3.resolve()
    if not os.access(target, os.W_OK):
        return Problem(mp3, None, "is read-only: make it writable to tag it (chmod u+w)")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        message = f"is in a folder podkit cannot write to ({target.parent}): tagging writes a"
        return Problem(mp3, None, f"{message} journal beside the file; make the folder writable")
    return None
