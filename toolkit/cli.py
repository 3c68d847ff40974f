"""The `podkit` command: each subcommand parses its options, calls one library function and
prints its report. The library raises `ToolkitError` and logs; this module alone turns them
into lines on the terminal and an exit status."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from toolkit import __version__
from toolkit.errors import Problem, ToolkitError
from toolkit.sentences import SNAP_TOLERANCE

# Each command imports the heavy modules it needs when it runs: `podkit tag` must not pay for
# Jinja2, feedgen and lxml, and starting Python is already a good part of its time.

log = logging.getLogger("toolkit")


class _Echo(logging.Handler):
    """The library's log as podkit prints it: the bare message, problems and warnings on
    stderr, the rest on stdout (looked up at each line, so tests can capture them)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(record.getMessage(), err=record.levelno >= logging.WARNING)


def _start_logging() -> None:
    """Print the library's log from INFO up, until -q or -v says otherwise."""
    if not any(isinstance(handler, _Echo) for handler in log.handlers):
        log.addHandler(_Echo())
    log.propagate = False
    log.setLevel(logging.INFO)


def _set_level(level: int) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(context: click.Context, parameter: click.Parameter, given: bool) -> None:
        if given:
            log.setLevel(level)

    return callback


F = TypeVar("F", bound=Callable[..., Any])


def verbosity(command: F) -> F:
    """-q and -v, the same on every command: they set the level of the library's log."""
    verbose = click.option(
        "-v",
        "--verbose",
        is_flag=True,
        expose_value=False,
        callback=_set_level(logging.DEBUG),
        help="Say more.",
    )
    quiet = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_level(logging.ERROR),
        help="Print only problems.",
    )
    return quiet(verbose(command))


if TYPE_CHECKING:
    _StrChoice = click.Choice[str]
else:
    _StrChoice = click.Choice  # generic only from click 8.2


class RegistryChoice(_StrChoice):
    """A choice among the names of a format registry, read when the option is used or shown:
    commands that do not take the option do not import the registry's module."""

    def __init__(self, module: str, names: str) -> None:
        self._where = (module, names)
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        module, names = self._where
        return cast(tuple[str, ...], getattr(import_module(module), names))

    @choices.setter
    def choices(self, given: object) -> None:
        pass  # the registry's names, never a list given here


def _chatty() -> bool:
    return log.isEnabledFor(logging.INFO)


class PodkitGroup(click.Group):
    """Shows a `ToolkitError` as one line per problem on stderr and exits with status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as error:
            click.echo(error.message, err=True)
            ctx.exit(1)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("write a date-time like 2024-10-08T07:00:00+02:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _progress(label: str) -> Callable[[Iterable[Any], int], Iterable[Any]] | None:
    """A progress bar on a terminal; nothing in CI, in pipes or with -q."""
    if not _chatty() or os.environ.get("CI") or not sys.stderr.isatty():
        return None

    def bar(items: Iterable[Any], length: int) -> Iterable[Any]:
        with click.progressbar(items, length=length, label=label, file=sys.stderr) as shown:
            yield from shown

    return bar


def _show_folder(context: click.Context, parameter: click.Parameter, source: Path) -> Path:
    """--source must name a folder: one line now rather than a traceback deep in a command."""
    try:
        found = source.is_dir()
    except OSError:  # a name too long for the system, for one
        found = False
    if not found:
        raise ToolkitError(
            [Problem(source, None, "folder not found: pass --source with your show's folder")]
        )
    return source


SOURCE_OPTION = click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=Path("episodes"),
    show_default=True,
    callback=_show_folder,
    help="The show's folder (show.toml and one folder per episode).",
)
OUT_OPTION = click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Where the site is written.",
)
ID3_OPTION = click.option(
    "--id3v2.4", "id3v24", is_flag=True, help="Write ID3v2.4 tags instead of v2.3."
)


@click.group(cls=PodkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podkit")
def cli() -> None:
    """podkit: publish podcast episodes as a static site, an RSS feed and chaptered MP3s.

    Example: podkit build
    """
    _start_logging()


def _base_url(context: click.Context, parameter: click.Parameter, url: str | None) -> str | None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "write an absolute URL like https://example.org/", param_hint="--base-url"
        )
    return url


@cli.command()
@SOURCE_OPTION
@OUT_OPTION
@click.option(
    "--base-url",
    callback=_base_url,
    help="Public URL of the site, instead of show.toml's base_url.",
)
@click.option("--drafts", is_flag=True, help="Include episodes whose publish date is to come.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    help="Take this as the current time (for repeatable builds and tests).",
)
@ID3_OPTION
@verbosity
def build(
    source: Path, out: Path, base_url: str | None, drafts: bool, now_text: str | None, id3v24: bool
) -> None:
    """Build the show into a static site, a feed and tagged MP3s.

    Example: podkit build --source episodes --out site
    """
    from toolkit.build import build as build_show

    now = _parse_now(now_text)
    id3_version = 4 if id3v24 else 3
    progress = _progress("Making episodes")
    report = build_show(source, out, base_url, drafts, now, id3_version, progress=progress)
    for warning in report.warnings:
        log.warning("%s", warning)
    log.info("%s", report.summary())


@cli.group(name="transcript")
def transcript_group() -> None:
    """Import, convert and align transcripts.

    Example: podkit transcript convert transcript.txt transcript.vtt
    """


@transcript_group.command(name="import")
@click.argument("raw", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--speaker",
    "speakers",
    multiple=True,
    metavar="LABEL=NAME",
    help='Rename a speaker, e.g. --speaker "Speaker #0=Laura Guibora". Repeatable.',
)
@click.option(
    "--corrections",
    type=click.Path(path_type=Path),
    help="The show's glossary of misheard words (lines of 'wrong -> right').",
)
@click.option(
    "--to",
    type=RegistryChoice("toolkit.transcript", "FORMATS"),
    help="Output format (default: from OUT's extension).",
)
@verbosity
def transcript_import(
    raw: Path, out: Path, speakers: tuple[str, ...], corrections: Path | None, to: str | None
) -> None:
    """Turn an automatic transcript into the editable form: rename speakers and apply the
    corrections glossary, reporting every replacement.

    Example: podkit transcript import raw.txt episodes/001/transcript.txt
    --speaker "Speaker #0=Laura Guibora" --corrections episodes/corrections.txt
    """
    from toolkit.transcript_files import import_transcript

    log.info("%s", import_transcript(raw, out, speakers, corrections, to).summary())


@transcript_group.command(name="convert")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--to",
    type=RegistryChoice("toolkit.transcript", "FORMATS"),
    help="Output format (default: from OUT's extension; .txt is the editable form).",
)
@verbosity
def transcript_convert(source: Path, out: Path, to: str | None) -> None:
    """Convert a transcript between the editable form, WebVTT, SRT and Podcasting 2.0 JSON.

    Example: podkit transcript convert episodes/001/transcript.txt captions.vtt
    """
    from toolkit.transcript_files import convert_transcript

    log.info("%s", convert_transcript(source, out, to).summary())


@transcript_group.command(name="align")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("audio", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--language",
    help="The language spoken, as in show.toml (e.g. fr, en-US); default: the show's, when "
    "TRANSCRIPT is in an episode's folder.",
)
@click.option(
    "--to",
    type=RegistryChoice("toolkit.transcript", "FORMATS"),
    help="Output format (default: from OUT's extension; .txt is the editable form).",
)
@verbosity
def transcript_align(
    source: Path, audio: Path, out: Path, language: str | None, to: str | None
) -> None:
    """Time every sentence of a transcript against the recording (forced alignment; needs
    the align extra). Times SOURCE has are ignored; speakers and text are kept.

    Example: podkit transcript align transcript.txt episode.mp3 timed.txt --language fr
    """
    from toolkit.align import align_transcript

    report = align_transcript(source, audio, out, language, to, _progress("Aligning"))
    log.info("%s", report.summary())


@cli.command()
@click.argument("mp3s", metavar="MP3...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--episode",
    "episode_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="The episode's folder (its show.toml is in the folder above).",
)
@ID3_OPTION
@verbosity
def tag(mp3s: tuple[Path, ...], episode_dir: Path, id3v24: bool) -> None:
    """Write an episode's tags and chapters into one or more MP3s of that episode (its exports
    at several bitrates, say), safely: only the tag is rewritten when the new one fits its
    room, or when the file system can insert room at the start of the file, under a journal
    that any podkit command rolls back after a crash; otherwise a temporary file is renamed
    over the MP3.

    Example: podkit tag final.mp3 final-64k.mp3 --episode episodes/001-antony-passemard
    """
    from toolkit.one_episode import tag_episode_files

    log.info("%s", tag_episode_files(list(mp3s), episode_dir, 4 if id3v24 else 3).summary())


@cli.command()
@click.argument("mp3", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@verbosity
def inspect(mp3: Path) -> None:
    """Print an MP3's format, tags and chapters.

    Example: podkit inspect site/001-antony-passemard/keytime-001-antony-passemard.mp3
    """
    from toolkit.audio import inspect_mp3

    report = inspect_mp3(mp3)
    click.echo(report.summary())
    for line in report.tags:
        log.info("%s", line)


@cli.command()
@click.argument("title")
@SOURCE_OPTION
@verbosity
def new(title: str, source: Path) -> None:
    """Start a new episode: a folder with an episode.toml filled in (fresh GUID, next number,
    today's date in the show's time zone) and an empty notes.md.

    Example: podkit new "Antony Passemard, trois dates"
    """
    from toolkit.scaffold import new_episode

    log.info("%s", new_episode(source, title).summary())


@cli.command()
@click.argument("folder", metavar="[DIR]", default=".", type=click.Path(path_type=Path))
@click.option("--title", help="The show's title (default: the folder's name).")
@click.option("--language", default="en", show_default=True, help="The show's language code.")
@click.option(
    "--base-url",
    callback=_base_url,
    help="Where the site will live; the podcast:guid is derived from it and pinned.",
)
@verbosity
def init(folder: Path, title: str | None, language: str, base_url: str | None) -> None:
    """Start a new show in DIR: show.toml with placeholders to fill in, a placeholder cover
    and a first episode folder. Never overwrites an existing show.toml.

    Example: podkit init myshow --title "My show" --base-url https://podcast.example.org/
    """
    from toolkit.scaffold import init_show

    log.info("%s", init_show(folder, title, language, base_url).summary())


@cli.command(name="import")
@click.argument("feed")
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=Path("episodes"),
    show_default=True,
    help="The show's folder to write (created if needed).",
)
@click.option(
    "--audio",
    "audio_mode",
    type=click.Choice(["download", "link"]),
    default="download",
    show_default=True,
    help="download: fetch each episode's audio into its folder; link: leave it on the old "
    "host (episode.toml gets audio_url, its length and duration).",
)
@click.option("--since", metavar="DATE", help="Only items published since this date.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N items.")
@click.option("--update", is_flag=True, help="Add the feed's new items to an imported show.")
@click.option("--base-url", callback=_base_url, help="Where podkit's site will live.")
@verbosity
def import_command(
    feed: str,
    source: Path,
    audio_mode: str,
    since: str | None,
    limit: int | None,
    update: bool,
    base_url: str | None,
) -> None:
    """Import an existing show from its feed (URL or file): show.toml and one folder per
    item, every GUID kept.

    Example: podkit import https://example.org/feed.xml --source episodes
    """
    from toolkit.importer import import_feed

    report = import_feed(
        feed,
        source,
        "link" if audio_mode == "link" else "download",
        _parse_now(since),
        limit,
        update,
        base_url,
    )
    for problem in report.problems:
        log.warning("%s", problem)
    log.info("%s", report.summary())
    if report.failed:
        sys.exit(1)


@cli.command(name="notify")
@SOURCE_OPTION
@click.option("--hub-only", is_flag=True, help="Ping the WebSub hub only, not the Podcast Index.")
@verbosity
def notify_command(source: Path, hub_only: bool) -> None:
    """Tell the WebSub hub named in show.toml ([notify] hub) and the Podcast Index that the
    feed changed, after you upload the site: apps then fetch it at once.

    Example: podkit notify
    """
    from toolkit.notify import notify

    log.info("%s", notify(source, hub_only).summary())


@cli.command(name="check")
@SOURCE_OPTION
@click.option(
    "--site",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The built site to check as well.",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object per finding, for CI.",
)
@click.option("--now", "now_text", metavar="DATETIME", help="Take this as the current time.")
@verbosity
def check_command(source: Path, site: Path, output: str, now_text: str | None) -> None:
    """Check the sources and the built site against what Apple, Podcasting 2.0 apps and
    listeners expect. Exits with status 1 when there is an error.

    Example: podkit check --format json
    """
    from toolkit.check import check

    report = check(source, site, _parse_now(now_text))
    if output == "json":
        click.echo(report.to_json())
    else:
        for finding in report.findings:  # what check finds is its output: on stdout
            if finding.level == "error" or _chatty():
                click.echo(finding.labelled())
        log.info("%s", report.summary())
    if report.errors:
        sys.exit(1)


def _port(context: click.Context, parameter: click.Parameter, port: int) -> int:
    if not 0 <= port <= 65535:
        raise ToolkitError(
            [Problem("--port", None, f"{port} is not a port: use 1 to 65535 (0: any free port)")]
        )
    return port


@cli.command()
@SOURCE_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Where the preview is written (default: .podkit-preview/ in the show's folder).",
)
@click.option(
    "--port",
    type=int,
    default=8000,
    show_default=True,
    callback=_port,
    help="The port on 127.0.0.1 (0: any free one).",
)
@click.option(
    "--drafts/--no-drafts",
    default=True,
    show_default=True,
    help="Show episodes dated in the future too.",
)
@verbosity
def serve(source: Path, out: Path | None, port: int, drafts: bool) -> None:
    """Preview the show: build it for this local address into a folder of its own, serve it
    (with the byte ranges the browser needs to seek in the audio), rebuild when a source
    changes and reload the page. Ctrl-C stops it.

    Example: podkit serve --port 8000
    """
    from toolkit.serve import preview

    preview(source, out, port, drafts)


@cli.group(name="chapters")
def chapters_group() -> None:
    """Import chapters from an editor's export, export them for another tool, or move
    them to the transcript's sentences.

    Example: podkit chapters import labels.txt --episode episodes/001-antony-passemard
    """


@chapters_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--episode",
    "episode_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="The episode folder whose episode.toml gets the chapters.",
)
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice("toolkit.chapter_formats", "IMPORT_FORMATS"),
    help="The file's format (default: guessed from its name and content).",
)
@verbosity
def chapters_import(file: Path, episode_dir: Path, fmt: str | None) -> None:
    """Replace an episode's chapters with those of an Audacity label file, a REAPER marker
    CSV, mp4chaps text, YouTube timestamps, Podcasting 2.0 JSON, Podlove XML, an ffmpeg
    metadata file or an MP3's ID3 tag. The rest of episode.toml, comments included, stays.

    Example: podkit chapters import labels.txt --episode episodes/001-antony-passemard
    """
    from toolkit.episode_toml import import_chapters

    log.info("%s", import_chapters(file, episode_dir, fmt).summary())


@chapters_group.command(name="export")
@click.argument("episode_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice("toolkit.chapter_formats", "EXPORT_FORMATS"),
    required=True,
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="File to write (default: print)."
)
@verbosity
def chapters_export(episode_dir: Path, fmt: str, output: Path | None) -> None:
    """Write an episode's chapters in another tool's format.

    Example: podkit chapters export episodes/001-antony-passemard --format youtube
    """
    from toolkit.chapter_commands import export_chapters

    report = export_chapters(episode_dir, fmt, output)
    if output is None:
        click.echo(report.text, nl=False)
    else:
        log.info("%s", report.summary())


@chapters_group.command(name="snap")
@click.argument("episode_dir", type=click.Path(path_type=Path))
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=SNAP_TOLERANCE,
    show_default=True,
    metavar="SECONDS",
    help="How far a chapter may be from a sentence's start and still move to it.",
)
@click.option("--dry-run", is_flag=True, help="Print what would move; write nothing.")
@verbosity
def chapters_snap(episode_dir: Path, tolerance: float, dry_run: bool) -> None:
    """Move each chapter start to the start of the nearest sentence of the episode's timed
    transcript (the sentence it falls in, or the one just after), and print what moved. The
    rest of episode.toml, comments included, stays.

    Example: podkit chapters snap episodes/001-antony-passemard --dry-run
    """
    from toolkit.chapter_commands import snap_chapters

    log.info("%s", snap_chapters(episode_dir, tolerance, dry_run).summary())


@cli.command()
@click.option(
    "--to",
    metavar="URL",
    help="s3://bucket[/prefix] or file:///folder (default: show.toml's [deploy] to).",
)
@click.option(
    "--site",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The built site to publish.",
)
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=Path("episodes"),
    show_default=True,
    help="The show's folder, for show.toml's [deploy] table (optional).",
)
@click.option(
    "--endpoint-url",
    metavar="URL",
    help="An S3-compatible service (R2, B2, MinIO...); AWS_ENDPOINT_URL works too.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be uploaded and deleted.")
@click.option(
    "--delete/--no-delete",
    default=None,
    help="Delete what the site no longer holds, after the feed (default: yes).",
)
@verbosity
def deploy(
    to: str | None,
    site: Path,
    source: Path,
    endpoint_url: str | None,
    dry_run: bool,
    delete: bool | None,
) -> None:
    """Publish the built site to a bucket or a folder: only what changed, media first, the
    feed last, deletions after it. Exit status 1: the public feed is unchanged; 3: the new
    feed is public but the deploy did not finish.

    Example: podkit deploy --to s3://my-show --endpoint-url https://<account>.r2.cloudflarestorage.com
    """
    from toolkit.deploy import DeployError
    from toolkit.deploy import deploy as publish

    bar = _ByteProgress() if _progress("") is not None else None
    try:
        report = publish(
            site,
            to,
            source=source if source.is_dir() else None,
            endpoint_url=endpoint_url,
            dry_run=dry_run,
            delete=delete,
            progress=bar.start if bar else None,
        )
    except DeployError as error:
        click.echo(error.message, err=True)
        sys.exit(3 if error.feed_published else 1)
    finally:
        if bar:
            bar.finish()
    if dry_run:
        for line in report.lines():
            click.echo(line)
    log.info("%s", report.summary())


class _ByteProgress:
    """A bar of bytes sent, with the rate, fed from the upload threads."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.lock = threading.Lock()
        self.done = 0
        self.began = time.monotonic()

    def start(self, total: int) -> Callable[[int], None]:
        self.bar = click.progressbar(
            length=total, label="Uploading", file=sys.stderr, item_show_func=lambda x: x
        )
        return self.advance

    def advance(self, count: int) -> None:
        with self.lock:
            self.done += count
            rate = self.done / max(time.monotonic() - self.began, 1e-3) / 1e6
            self.bar.update(count, f"{self.done / 1e6:.1f} MB, {rate:.1f} MB/s")

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


def main() -> None:
    cli(prog_name="podkit")
