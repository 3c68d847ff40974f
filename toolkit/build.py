"""The build, as a script of named stages: load -> episodes (their files and tagged MP3s, on
all cores) -> feed -> site -> write.

Each stage stages its outputs beside their place in the site (big ones as hidden temporary
files, small ones in memory); only the last stage renames them into place. A problem before
then removes what was staged and leaves the previous site as it was; a build killed while
renaming leaves a manifest that makes the next build complete the site (see `toolkit.writer`).
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from toolkit import audio, paths, template_cache
from toolkit.artwork import chapter_image_bytes, favicon_png, resized_jpeg
from toolkit.cache import (
    Cache,
    Kept,
    Manifest,
    files_key,
    images_key,
    same_audio,
    same_but_cover,
    show_key,
    site_key,
    tag_key,
    unchanged,
)
from toolkit.chapters import chapter_image_name
from toolkit.config import load_show_for_build, load_transcript
from toolkit.errors import Problem, ToolkitError
from toolkit.id3_fields import TAG_COVER_SIZE, episode_tags
from toolkit.journal import roll_back, roll_back_group
from toolkit.model import Enclosure, Episode, Show, published_only, replace
from toolkit.parallel import fork_map
from toolkit.theme import USER_TEMPLATES
from toolkit.transcript import published_formats
from toolkit.writer import (
    Output,
    Patched,
    Stage,
    Staged,
    WriteReport,
    check_folders,
    check_out,
    write_site,
)

if TYPE_CHECKING:
    from jinja2 import TemplateError

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
    check_out(source, out)
    if recovered := roll_back_group(out):  # a killed build's in-place writes: undone first
        log.info("%s", recovered)
    with _loading():
        previous = Manifest.load(out)
        cache = Cache(previous, out, site_key(source, base_url), images_key(source))
        show, transcripts, warnings = load_show_for_build(source, base_url, cache)
    show = published_only(show, now or datetime.now(UTC), drafts)
    stage = Stage(out, previous)
    try:
        stage.begin()
        check_folders(out, paths.folders(show))
        # The show's cover has a key of its own (see `tag_key`).
        without_cover = show_key(source, base_url, images=False)
        tags_key = partial(_tags_key, cache, transcripts, without_cover)
        audio_plan = plan_audio(show, stage, id3_version, tags_key, cache.audio_stat)
        outputs = audio_plan.outputs
        formats = make_episode_files(show, transcripts, cache, stage, audio_plan, progress)
        enclosures = episode_enclosures(show, outputs, audio_plan.paths)
        # Made again only when its inputs changed: it lists every episode.
        outputs[paths.FEED] = stage.add_written(
            paths.FEED,
            cache.feed_key(show, transcripts, enclosures),
            lambda stream: stream.write(
                build_feed(out, show, enclosures, formats, cache.records())
            ),
        )
        pages = show_files(show, cache.pages_key(show, transcripts), stage, cache.keys())
        outputs.update(pages)
        outputs.update(cover_files(show, cache.cover_key(show), stage))
        # A reused episode's files are on disk as they would be made: kept, by name.
        kept = {name: k for e in show.episodes for name, k in cache.kept_files(e.slug).items()}
        names = [*map(str, outputs), *kept]
        entries = cache.entries(show, transcripts, formats, names, warnings)
        pages_record = cache.pages(map(str, pages))
        sweep = stage.killed_before
        report = write_site(out, outputs, previous, entries, pages_record, kept, sweep)
        cache.keep_loads()
        template_cache.keep()
        stage.end()
    except BaseException as error:
        stage.discard()  # a failed build leaves nothing of itself in the site
        if _is_template_error(error):  # a show's own template is wrong: say where, no traceback
            raise ToolkitError([template_problem(cast("TemplateError", error), source)]) from None
        raise
    finally:
        template_cache.forget()
        gc.unfreeze()  # what was loaded goes when no longer used, cycles too
    warnings = [*warnings, *report.warnings]
    for name in report.written:
        log.debug("wrote %s", out / name)
    for name in report.removed:
        log.debug("removed %s", out / name)
    return BuildReport(show, warnings, report, time.perf_counter() - started, out)


@contextmanager
def _loading() -> Iterator[None]:
    """Loads with the cyclic garbage collector paused, then takes what was loaded out of its
    later passes (`gc.freeze`, also before the workers fork): a build holds hundreds of
    thousands of objects, few in cycles, for its whole run, and scanning them again at each
    pass cost more than the rest of a rebuild with nothing changed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


# The template engine and the feed's libraries are imported only by a build that renders or
# makes the feed: a rebuild with nothing changed needs neither. (Module-level names: the
# benches and tests time and replace these stages here.)
def build_feed(
    out: Path,
    show: Show,
    enclosures: dict[str, Enclosure],
    transcripts: dict[str, tuple[str, ...]],
    records: Mapping[str, bytes],
) -> bytes:
    from toolkit import feed_fragments

    return feed_fragments.build_feed(out, show, enclosures, transcripts, records)


def build_site(
    show: Show, out: Path | None = None, keys: Mapping[str, str] | None = None
) -> dict[PurePosixPath, bytes]:
    from toolkit import site

    return site.build_site(show, out, keys)


def episode_files(
    show: Show, episode: Episode, out: Path | None = None
) -> dict[PurePosixPath, bytes]:
    from toolkit import site

    return site.episode_files(show, episode, out)


def _is_template_error(error: BaseException) -> bool:
    """A show's own template is wrong (Jinja2 is loaded only when a page is rendered)."""
    jinja2 = sys.modules.get("jinja2")
    return jinja2 is not None and isinstance(error, jinja2.TemplateError)


def show_files(
    show: Show, key: str, stage: Stage, keys: dict[str, str] | None = None
) -> dict[PurePosixPath, Output]:
    """The show's own pages and files (`build_site`), or those the last build made from the
    same inputs when they are still on disk as it left them."""
    kept = stage.previous.kept_pages(stage.out, key)
    if kept is not None:
        return {PurePosixPath(name): file for name, file in kept.items()}
    return dict(build_site(show, stage.out, keys))


def cover_files(show: Show, key: str, stage: Stage) -> dict[PurePosixPath, Output]:
    """The site's files of the show's cover (its copy, the pages' 600 px one and the favicon),
    made again only when the cover or podkit changed. Apart from the pages, which only name
    them: a new cover makes only these."""
    files: dict[PurePosixPath, Callable[[], bytes]] = {
        paths.show_cover(show): show.cover.read_bytes,
        paths.COVER_SMALL: partial(resized_jpeg, show.cover, 600),
        paths.FAVICON: partial(favicon_png, show.cover),
    }
    return {path: stage.add_written(path, key, _made(make)) for path, make in files.items()}


def _made(make: Callable[[], bytes]) -> Callable[[BinaryIO], object]:
    return lambda stream: stream.write(make())


def _tags_key(cache: Cache, transcripts: dict[str, Path], show: str, episode: Episode) -> str:
    return cache.tags_key(episode, transcripts.get(episode.slug), show)


def template_problem(error: TemplateError, source: Path) -> Problem:
    from jinja2 import TemplateSyntaxError  # the error is Jinja2's: it is loaded

    if isinstance(error, TemplateSyntaxError):
        return Problem(
            error.filename or str(error.name), error.lineno, f"template error: {error.message}"
        )
    return Problem(
        source / USER_TEMPLATES, None, f"template error: {error.message}: fix the template"
    )


def make_episode_files(
    show: Show,
    transcripts: dict[str, Path],
    cache: Cache,
    stage: Stage,
    audio_plan: AudioPlan,
    progress: Progress | None = None,
) -> dict[str, tuple[str, ...]]:
    """Each changed episode's page, transcripts and chapters, and each tagged copy of an MP3
    the site lacks, made and staged on all cores in one pool (an episode's copy beside its
    files: no core waits for the other between the two); returns every episode's published
    transcript formats (for the feed), by slug. What is staged goes into the plan's outputs."""
    reused = [e.slug for e in show.episodes if cache.is_reused(e.slug)]
    formats = {slug: cache.transcript_formats(slug) for slug in reused}
    copies = audio_plan.copies
    jobs = [
        _EpisodeJob(e, transcripts.get(e.slug), e.slug not in formats, copies.get(e.slug))
        for e in show.episodes
        if e.slug not in formats or e.slug in copies
    ]
    if any(job.make_files for job in jobs):
        from toolkit import site  # noqa: F401  imported once, before the workers fork

    version, cover = audio_plan.id3_version, audio_plan.show_cover
    work = partial(_staged_episode_files, stage, show, version, cover)
    made_all: Iterable[_Made] = fork_map(work, jobs)
    problems: list[Problem] = []
    for made in progress(made_all, len(jobs)) if progress else made_all:
        problems += made.problems
        if made.made_files:
            formats[made.slug] = made.transcript_formats
        for path, output in made.outputs.items():
            audio_plan.outputs[path] = output
    if problems:
        raise ToolkitError(problems)
    return formats


@dataclass(frozen=True)
class _EpisodeJob:
    episode: Episode
    transcript_file: Path | None
    make_files: bool  # its page, transcripts and chapters (not when reused from the last build)
    copy: _Copy | None  # its MP3, tagged, when the site's copy is not as this build makes it


@dataclass(frozen=True)
class _Made:
    slug: str
    outputs: dict[PurePosixPath, Output]
    transcript_formats: tuple[str, ...]
    problems: list[Problem]
    made_files: bool = True


def _staged_episode_files(
    stage: Stage, show: Show, id3_version: int, show_cover: bytes | None, job: _EpisodeJob
) -> _Made:
    """Runs in a worker process: read the episode's transcript, make its files and stage
    them beside their place (what comes back is their names, not their megabytes: the
    transcripts never travel between processes); and stage its tagged MP3."""
    episode = job.episode
    staged: dict[PurePosixPath, Output] = {}
    if job.copy is not None:
        tags = episode_tags(show, episode, show_cover)
        copy = job.copy
        tag_job = _TagJob(cast(Path, episode.audio), tags, copy.path, copy.key, copy.retag)
        staged[copy.path] = _tagged_copy(stage, id3_version, tag_job)
    if not job.make_files:
        return _Made(episode.slug, staged, (), [], made_files=False)
    formats: tuple[str, ...] = ()
    if job.transcript_file is not None:
        spoken = load_transcript(job.transcript_file, episode.audio_info)
        if isinstance(spoken, list):
            return _Made(episode.slug, staged, (), spoken)
        formats = published_formats(spoken)
        episode = replace(episode, transcript=spoken)
    files = episode_files(show, episode, stage.out)
    staged.update({path: stage.add(path, data) for path, data in files.items()})
    return _Made(episode.slug, staged, formats, [])


Progress = Callable[[Iterable[Any], int], Iterable[Any]]


@dataclass(frozen=True)
class _Copy:
    """An episode's MP3 to tag and stage (its tags are made in the worker that copies it)."""

    path: PurePosixPath
    key: str
    retag: bool  # the site's copy holds the same audio: re-tag it in place if the tag fits


@dataclass
class AudioPlan:
    """What the site's audio needs: the outputs known before the workers start (copies kept
    as they are, chapter images, other versions of the audio), the MP3s to tag and copy (by
    slug), and each episode's MP3 in the site (by slug)."""

    outputs: dict[PurePosixPath, Output]
    copies: dict[str, _Copy]
    paths: dict[str, PurePosixPath]
    id3_version: int
    show_cover: bytes  # at the tags' size, made before the workers fork: they inherit it


def plan_audio(
    show: Show,
    stage: Stage,
    id3_version: int,
    tags_key: Callable[[Episode], str],
    audio_stat: Callable[[Episode], os.stat_result | None] = lambda episode: None,
) -> AudioPlan:
    """Which tagged copies of the episodes' MP3s (the sources are only read) must be made:
    copies whose inputs (``tags_key``: a key of the inputs of an episode's tags) did not
    change since the last build are kept as they are, their tags not even made.
    ``audio_stat``: an MP3's stat taken while loading, if any."""
    outputs: dict[PurePosixPath, Output] = {}
    # Made only when an MP3 is tagged or gets a new cover: a rebuild that keeps them all
    # neither decodes the cover nor imports the imaging library.
    show_cover = lru_cache(maxsize=1)(partial(resized_jpeg, show.cover, TAG_COVER_SIZE))
    cover_key = files_key([show.cover])
    copies: dict[str, _Copy] = {}
    audio_paths: dict[str, PurePosixPath] = {}  # by slug
    for episode in show.episodes:
        if episode.audio is not None:  # linked audio: the build never tags a file it lacks
            path = audio_paths[episode.slug] = paths.audio(episode)
            cover = "" if episode.cover else cover_key  # an episode's own: one of its files
            key = tag_key(episode, tags_key(episode), id3_version, cover, audio_stat(episode))
            kept = stage.previous.kept(stage.out, path, key)
            if kept:
                outputs[path] = kept
            elif patched := _new_cover(stage, path, key, episode.audio, show_cover, id3_version):
                outputs[path] = patched
            else:
                copies[episode.slug] = _Copy(path, key, _retaggable(stage, path, key))
        for index, chapter in enumerate(episode.chapters):
            if chapter.image:
                name = chapter_image_name(index, chapter.image.suffix)
                outputs[PurePosixPath(episode.slug, name)] = chapter_image_bytes(chapter.image)
        for version in episode.extras.alternate_enclosures:
            path = paths.alternate(episode, version)
            outputs[path] = stage.add_written(path, version.integrity or "", _copy(version.file))
    return AudioPlan(outputs, copies, audio_paths, id3_version, show_cover() if copies else b"")


def episode_enclosures(
    show: Show, outputs: dict[PurePosixPath, Output], audio_paths: dict[str, PurePosixPath]
) -> dict[str, Enclosure]:
    """Each episode's enclosure: the length of the file the site will hold."""
    enclosures = {}
    for episode in show.episodes:
        if episode.linked:  # the length episode.toml gives: the old host's file
            enclosures[episode.slug] = Enclosure(episode.linked.url, episode.audio_info.size)
            continue
        path = audio_paths[episode.slug]
        output = outputs[path]
        if isinstance(output, Kept):
            length = output.entry.size  # checked against the file just now
        elif isinstance(output, Patched):
            length = output.size
        else:
            length = cast(Staged, output).temporary.stat().st_size
        enclosures[episode.slug] = Enclosure(paths.url(show, path), length)
    return enclosures


def _retaggable(stage: Stage, path: PurePosixPath, key: str) -> bool:
    """Whether the site's copy was made from the same source audio and is as the last build
    left it: then only its tags need writing."""
    entry = stage.previous.files.get(str(path))
    return (
        entry is not None
        and same_audio(entry.key, key)
        and unchanged(stage.out / path, entry) is not None
    )


def _new_cover(
    stage: Stage,
    path: PurePosixPath,
    key: str,
    source: Path,
    cover: Callable[[], bytes],
    id3_version: int,
) -> Patched | None:
    """The site's copy with the show's new cover, staged for writing in place, when it has
    the tags this build makes but for the cover, is as the last build left it, and the new
    cover fits its room. Its other frames are not made again: this is cheap enough to do here
    for every episode of a show, and the new cover is held once in memory for them all."""
    entry = stage.previous.files.get(str(path))
    if entry is None or not same_but_cover(entry.key, key):
        return None
    site_copy = stage.out / path
    roll_back(site_copy, group=False)  # an interrupted tag: the copy is as it was before
    if unchanged(site_copy, entry) is None:
        return None
    patch = audio.cover_patch(site_copy, source, cover(), id3_version)
    return None if patch is None else stage.hold_patch(path, key, patch.writes, patch.size)


def _copy(source: Path) -> Callable[[BinaryIO], object]:
    """Writes the file as it is (another version of the audio, published unchanged)."""

    def write(stream: BinaryIO) -> None:
        with source.open("rb") as read:
            shutil.copyfileobj(read, stream)

    return write


@dataclass(frozen=True)
class _TagJob:
    source: Path
    tags: audio.EpisodeTags
    path: PurePosixPath
    key: str
    retag: bool  # the site's copy holds the same audio: re-tag it in place if the tag fits


def _tagged_copy(stage: Stage, id3_version: int, job: _TagJob) -> Output:
    """Runs in a worker process: stage the new tags of the site's copy when they fit its
    room (the same bytes a fresh copy would have), else the tagged copy beside its place."""
    site_copy = stage.out / job.path
    roll_back(site_copy, group=False)  # an interrupted tag: the copy is as it was before
    if job.retag:
        patch = audio.tag_patch(job.source, job.tags, id3_version)
        if audio.fits_in_place(site_copy, patch):
            return stage.add_patch(job.path, job.key, patch.writes(), patch.size)
    write = partial(audio.write_tagged, job.source, job.tags, v2_version=id3_version)
    return stage.add_written(job.path, job.key, write, check_previous=False)
