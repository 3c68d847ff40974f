"""The build, as a script of named stages: load -> audio -> feed -> site -> write.

Everything is computed in memory before the first byte is written, so a problem anywhere
leaves the previous site exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from os.path import join
from pathlib import Path, PurePosixPath
from typing import Any, cast

from jinja2 import TemplateError, TemplateSyntaxError

from toolkit import __version__, audio, paths
from toolkit.artwork import resized_jpeg
from toolkit.chapters import chapter_image_name
from toolkit.config import Reused, files_fingerprint, load_show, load_transcript
from toolkit.episode_record import from_record, to_record, warning_from_record, warning_record
from toolkit.errors import Problem, ToolkitError
from toolkit.feed import Enclosure, build_feed
from toolkit.id3_fields import TAG_COVER_SIZE, episode_tags
from toolkit.model import Episode, Show, published_only
from toolkit.parallel import fork_map
from toolkit.site import USER_TEMPLATES, build_site, builtin_fingerprint, episode_files
from toolkit.transcript import published_formats
from toolkit.writer import (
    Kept,
    Manifest,
    Output,
    Stage,
    Staged,
    WriteReport,
    verified,
    write_site,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    show: Show
    warnings: list[Problem]
    written: WriteReport
    seconds: float
    out: Path

    def summary(self) -> str:
        count = len(self.show.episodes)
        return (
            f"Built {count} episode{'s' * (count != 1)} into {self.out}: "
            f"{len(self.written.written)} files written, {self.written.unchanged} unchanged, "
            f"{len(self.written.removed)} removed in {self.seconds:.2f} s"
        )


def build(
    source: Path,
    out: Path,
    base_url: str | None = None,
    drafts: bool = False,
    now: datetime | None = None,
    id3_version: int = 3,
    progress: Progress | None = None,
) -> BuildReport:
    started = time.perf_counter()
    previous = Manifest.load(out)
    reuse = Reuse(previous, out, site_key(source, base_url))
    show, warnings = load_show(source, base_url, reuse, read_transcripts=False)
    show = published_only(show, now or datetime.now(UTC), drafts)
    stage = Stage(out, previous)
    try:
        outputs, enclosures = tag_audio(show, stage, id3_version, progress)
        show = make_episode_files(show, reuse.reused, stage, outputs)
        # Made again only when its inputs changed: it lists every episode.
        outputs[paths.FEED] = stage.add_written(
            paths.FEED,
            _feed_key(reuse, show, enclosures),
            lambda stream: stream.write(build_feed(show, enclosures)),
        )
        outputs.update(build_site(show))
        for e in show.episodes:  # a reused episode's files are on disk as they would be made
            for name, kept in reuse.files.get(e.slug, {}).items():
                outputs.setdefault(PurePosixPath(name), kept)
        report = write_site(out, outputs, previous, reuse.manifest(show, outputs, warnings))
    except TemplateError as error:  # a show's own template is wrong: say where, no traceback
        stage.discard()
        raise ToolkitError([template_problem(error, source)]) from None
    except BaseException:
        stage.discard()  # a failed build leaves nothing of itself in the site
        raise
    warnings = [*warnings, *report.warnings]
    for name in report.written:
        log.debug("wrote %s", out / name)
    for name in report.removed:
        log.debug("removed %s", out / name)
    return BuildReport(show, warnings, report, time.perf_counter() - started, out)


def template_problem(error: TemplateError, source: Path) -> Problem:
    if isinstance(error, TemplateSyntaxError):
        return Problem(
            error.filename or str(error.name), error.lineno, f"template error: {error.message}"
        )
    return Problem(
        source / USER_TEMPLATES, None, f"template error: {error.message}: fix the template"
    )


def make_episode_files(
    show: Show, reused: set[str], stage: Stage, outputs: dict[PurePosixPath, Output]
) -> Show:
    """Each changed episode's page, transcripts and chapters, made and staged on all cores;
    returns the show with every episode's published transcript formats (for the feed)."""
    to_make = [e for e in show.episodes if e.slug not in reused]
    formats: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for made in fork_map(partial(_staged_episode_files, stage, show), to_make):
        problems += made.problems
        formats[made.slug] = made.transcript_formats
        for path, output in made.outputs.items():
            outputs[path] = output
    if problems:
        raise ToolkitError(problems)
    episodes = tuple(
        replace(e, transcript_formats=formats[e.slug]) if e.slug in formats else e
        for e in show.episodes
    )
    return replace(show, episodes=episodes)


@dataclass(frozen=True)
class _Made:
    slug: str
    outputs: dict[PurePosixPath, Output]
    transcript_formats: tuple[str, ...]
    problems: list[Problem]


def _staged_episode_files(stage: Stage, show: Show, episode: Episode) -> _Made:
    """Runs in a worker process: read the episode's transcript, make its files and stage
    them beside their place (what comes back is their names, not their megabytes: the
    transcripts never travel between processes)."""
    if episode.transcript is None and episode.transcript_file is not None:
        spoken = load_transcript(episode.transcript_file, episode.audio_info)
        if isinstance(spoken, list):
            return _Made(episode.slug, {}, (), spoken)
        formats = published_formats(spoken)
        episode = replace(episode, transcript=spoken, transcript_formats=formats)
    files = episode_files(show, episode)
    staged = {path: stage.add(path, data) for path, data in files.items()}
    return _Made(episode.slug, staged, episode.transcript_formats, [])


def site_key(source: Path, base_url: str | None) -> str:
    """Changes with anything shared by every page: podkit (its version and its code), the base
    URL, the files at the top of the show's folder (show.toml, the cover) and the templates,
    the show's and built-in."""
    trees = [source / USER_TEMPLATES, Path(__file__).parent]
    files = [p for p in source.iterdir() if p.is_file()]
    files += [
        p for tree in trees for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    theme = builtin_fingerprint()  # read as resources: the theme may be no folder on disk
    return files_fingerprint(files, salt=f"{__version__}\0{base_url}\0{theme}")


class Reuse:
    """Which episodes a previous build already published from exactly the same files, so this
    build neither reads their transcripts again nor renders their pages."""

    def __init__(self, previous: Manifest, out: Path, key: str) -> None:
        self.previous, self.out, self.site_key = previous, out, key
        self.reused: set[str] = set()
        self.files: dict[str, dict[str, Kept]] = {}  # by slug: a reused episode's files, checked
        self._keys: dict[str, str] = {}  # by slug, once the show is loaded

    def key(self, episode: Episode) -> str:
        """Changes with the site, the episode's folder and the files its episode.toml names
        outside that folder (an audio file or a cover kept elsewhere). Computed once per
        loaded episode: the feed and the manifest both ask."""
        if episode.slug not in self._keys:
            self._keys[episode.slug] = self._key(episode)
        return self._keys[episode.slug]

    def _key(self, episode: Episode) -> str:
        named = files_fingerprint(_named_files(episode))
        return hashlib.sha256(
            f"{self.site_key}\0{episode.fingerprint}\0{named}".encode()
        ).hexdigest()

    def __call__(self, directory: Path, fingerprint: str) -> Reused | None:
        entry = self.previous.episodes.get(directory.name)
        if not entry:
            return None
        try:
            episode = from_record(entry["episode"], directory, fingerprint)
            warnings = tuple(warning_from_record(w, directory) for w in entry["warnings"])
        except (KeyError, TypeError, ValueError):  # written by another version: load anew
            return None
        key = self._key(episode)  # the recorded episode's: not kept unless it is reused
        if entry.get("key") != key:
            return None
        out, records = str(self.out), self.previous.files  # os.path: 7 files × 1000s of episodes
        files = {name: verified(join(out, name), records[name]) for name in entry["files"]}
        if not all(files.values()):  # one is missing, or not as the last build left it
            return None
        self.files[directory.name] = cast(dict[str, Kept], files)
        self.reused.add(directory.name)
        self._keys[directory.name] = key
        return Reused(episode, warnings)

    def manifest(
        self, show: Show, outputs: dict[PurePosixPath, Output], warnings: list[Problem]
    ) -> dict[str, dict[str, Any]]:
        files: dict[str, list[str]] = {e.slug: [] for e in show.episodes}
        for path in outputs:
            if len(path.parts) > 1 and path.parts[0] in files:
                files[path.parts[0]].append(str(path))
        entries = {}
        for e in show.episodes:
            if e.slug in self.reused:  # loaded from its record: the record stands as it is
                entry = self.previous.episodes[e.slug]
                record, kept = entry["episode"], entry["warnings"]
            else:
                record = to_record(e)
                kept = [warning_record(w, e.directory) for w in warnings if _within(w, e)]
            entries[e.slug] = {
                "key": self.key(e),
                "files": sorted(files[e.slug]),
                "episode": record,
                "warnings": kept,
            }
        return entries


def _named_files(episode: Episode) -> list[Path]:
    images = [c.image for c in episode.chapters if c.image is not None]
    return [episode.audio, *([episode.cover] if episode.cover else []), *images]


def _within(problem: Problem, episode: Episode) -> bool:
    file, directory = problem.file, episode.directory
    return isinstance(file, Path) and (file == directory or directory in file.parents)


def _feed_key(reuse: Reuse, show: Show, enclosures: dict[str, Enclosure]) -> str:
    """Changes with the site and with any published episode or its tagged MP3."""
    digest = hashlib.sha256(reuse.site_key.encode())
    for e in show.episodes:
        enclosure = enclosures[e.slug]
        digest.update(f"{e.slug}\0{reuse.key(e)}\0{enclosure.url}\0{enclosure.length}\n".encode())
    return digest.hexdigest()


def _tag_key(episode: Episode, tags: audio.EpisodeTags, id3_version: int) -> str:
    """Changes when the source audio, the tags or podkit itself change."""
    stat = episode.audio.stat()
    inputs = (__version__, id3_version, stat.st_size, stat.st_mtime_ns, tags)
    return hashlib.sha256(pickle.dumps(inputs)).hexdigest()


Progress = Callable[[Iterable[Any], int], Iterable[Any]]


def tag_audio(
    show: Show, stage: Stage, id3_version: int, progress: Progress | None = None
) -> tuple[dict[PurePosixPath, Output], dict[str, Enclosure]]:
    """A tagged copy of each episode's MP3 (the source is only read), and its enclosure.
    Copies whose inputs did not change since the last build are kept as they are."""
    outputs: dict[PurePosixPath, Output] = {}
    show_cover = resized_jpeg(show.cover, TAG_COVER_SIZE)
    jobs: list[_TagJob] = []
    for episode in show.episodes:
        path = paths.audio(episode)
        tags = episode_tags(show, episode, show_cover)
        key = _tag_key(episode, tags, id3_version)
        kept = stage.previous.kept(stage.out, path, key)
        if kept:
            outputs[path] = kept
        else:
            jobs.append(_TagJob(episode.audio, tags, path, key))
        for index, chapter in enumerate(episode.chapters):
            if chapter.image:
                name = chapter_image_name(index, chapter.image.suffix)
                outputs[PurePosixPath(episode.slug, name)] = chapter.image.read_bytes()
    staged = fork_map(partial(_tagged_copy, stage, id3_version), jobs)
    done: Iterable[tuple[_TagJob, Output]] = zip(jobs, staged, strict=True)
    for job, output in progress(done, len(jobs)) if progress else done:
        outputs[job.path] = output
    enclosures = {}
    for episode in show.episodes:
        path = paths.audio(episode)
        output = outputs[path]  # the length of the file the site will hold
        if isinstance(output, Kept):
            length = output.record.size  # checked against the file just now
        else:
            length = cast(Staged, output).temporary.stat().st_size
        enclosures[episode.slug] = Enclosure(paths.url(show, path), length)
    return outputs, enclosures


@dataclass(frozen=True)
class _TagJob:
    source: Path
    tags: audio.EpisodeTags
    path: PurePosixPath
    key: str


def _tagged_copy(stage: Stage, id3_version: int, job: _TagJob) -> Output:
    """Runs in a worker process: stage the tagged copy beside its final place."""
    write = partial(audio.write_tagged, job.source, job.tags, v2_version=id3_version)
    return stage.add_written(job.path, job.key, write, check_previous=False)
