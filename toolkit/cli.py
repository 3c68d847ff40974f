"""The `podkit` command: each subcommand parses, calls the library and reports."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from toolkit import __version__
from toolkit.chapter_formats import EXPORT_FORMATS, IMPORT_FORMATS
from toolkit.errors import Problem, ToolkitError
from toolkit.transcript import FORMATS as TRANSCRIPT_FORMATS
from toolkit.transcript import format_for_path

if TYPE_CHECKING:
    from toolkit.model import AudioInfo, Episode, Show, Transcript

# Each command imports the heavy modules it needs when it runs: `podkit tag` must not pay for
# Jinja2, feedgen and lxml, and starting Python is already a good part of its time.


def _warn(problems: list[Problem], quiet: bool) -> None:
    if not quiet:
        for problem in problems:
            click.echo(str(problem), err=True)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("write a date-time like 2024-10-08T07:00:00+02:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


F = TypeVar("F", bound=Callable[..., Any])


def verbosity(command: F) -> F:
    """-q and -v, the same on every command."""
    command = click.option("-v", "--verbose", is_flag=True, help="Say more.")(command)
    return click.option("-q", "--quiet", is_flag=True, help="Print only problems.")(command)


def _show_and_episode(episode_dir: Path) -> tuple[Show, Episode]:
    """The show an episode folder belongs to (the folder above it), and that episode."""
    from toolkit.config import load_show

    folder = episode_dir.resolve()
    show, _ = load_show(folder.parent, read_transcripts=False, only=folder.name)
    return show, show.episodes[0]


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message)


def _progress(quiet: bool, label: str) -> Callable[[Iterable[Any], int], Iterable[Any]] | None:
    """A progress bar on a terminal; nothing in CI, in pipes or with -q."""
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podkit")
def cli() -> None:
    """podkit: publish podcast episodes as a static site, an RSS feed and chaptered MP3s.

    Example: podkit build
    """


@cli.command()
@SOURCE_OPTION
@OUT_OPTION
@click.option("--base-url", help="Public URL of the site, instead of show.toml's base_url.")
@click.option("--drafts", is_flag=True, help="Include episodes whose publish date is to come.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    help="Take this as the current time (for repeatable builds and tests).",
)
@click.option("--id3v2.4", "id3v24", is_flag=True, help="Write ID3v2.4 tags instead of v2.3.")
@verbosity
def build(
    source: Path,
    out: Path,
    base_url: str | None,
    drafts: bool,
    now_text: str | None,
    id3v24: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the show into a static site, a feed and tagged MP3s.

    Example: podkit build --source episodes --out site
    """
    from toolkit.build import build as build_show

    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "write an absolute URL like https://example.org/", param_hint="--base-url"
        )
    report = build_show(
        source,
        out,
        base_url,
        drafts,
        _parse_now(now_text),
        4 if id3v24 else 3,
        progress=_progress(quiet, "Tagging MP3s"),
    )
    _warn(report.warnings, quiet)
    if verbose:
        for name in report.written.written:
            click.echo(f"wrote {out / name}")
        for name in report.written.removed:
            click.echo(f"removed {out / name}")
    if not quiet:
        click.echo(report.summary().format(out=out))


@cli.group(name="transcript")
def transcript_group() -> None:
    """Import and convert transcripts.

    Example: podkit transcript convert transcript.txt transcript.vtt
    """


def _unreadable(path: Path, error: OSError) -> Problem:
    """One line for a file given on the command line that cannot be read."""
    if isinstance(error, FileNotFoundError):
        return Problem(path, None, "file not found")
    if isinstance(error, IsADirectoryError):
        return Problem(path, None, "is a folder, not a file: name a file")
    return Problem(path, None, f"cannot be read ({error.strerror})")


def _read_transcript(path: Path) -> Transcript:
    from toolkit import transcript

    try:
        return transcript.read(path, path.read_bytes())
    except OSError as error:
        raise ToolkitError([_unreadable(path, error)]) from None
    except transcript.TranscriptError as error:
        raise ToolkitError([error.problem(path)]) from None


def _output_format(path: Path, to: str | None) -> str:
    """The format to write ``path`` in; ToolkitError when it cannot be written at all."""
    if path.is_dir():
        raise ToolkitError([Problem(path, None, "is a folder, not a file: name a file")])
    if to:
        return to
    fmt = format_for_path(path)
    if fmt is None:
        raise ToolkitError(
            [Problem(path, None, "unknown extension: use .txt, .vtt, .srt or .json, or --to")]
        )
    return fmt


def _write_transcript(spoken: Transcript, out: Path, fmt: str) -> None:
    from toolkit import transcript
    from toolkit.writer import atomic_write

    try:
        text = transcript.write(spoken, fmt)
    except transcript.TranscriptError as error:
        raise ToolkitError([error.problem(out)]) from None
    try:
        atomic_write(out, text.encode("utf-8"))
    except OSError as error:
        raise ToolkitError([Problem(out, None, f"cannot be written ({error.strerror})")]) from None


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
    type=click.Choice(TRANSCRIPT_FORMATS),
    help="Output format (default: from OUT's extension).",
)
@verbosity
def transcript_import(
    raw: Path,
    out: Path,
    speakers: tuple[str, ...],
    corrections: Path | None,
    to: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Turn an automatic transcript into the editable form: rename speakers and apply the
    corrections glossary, reporting every replacement.

    Example: podkit transcript import raw.txt episodes/001/transcript.txt
    --speaker "Speaker #0=Laura Guibora" --corrections episodes/corrections.txt
    """
    from dataclasses import replace

    from toolkit.corrections import CorrectionsError, correct_transcript, load_corrections
    from toolkit.model import Transcript
    from toolkit.transcript import speaker_problem

    spoken = _read_transcript(raw)
    fmt = _output_format(out, to)
    problems: list[Problem] = []
    renames: dict[str, str] = {}
    for item in speakers:
        label, sep, name = item.partition("=")
        label, name = label.strip(), name.strip()
        if not sep or not label or not name:
            problems.append(Problem("--speaker", None, f"{item!r}: write LABEL=NAME"))
        elif (wrong := speaker_problem(name)) is not None:
            problems.append(Problem("--speaker", None, f"{item!r}: {wrong}"))
        elif label not in spoken.speakers:
            known = ", ".join(spoken.speakers)
            problems.append(
                Problem(raw, None, f"no speaker {label!r} here: the labels are {known}")
            )
        else:
            renames[label] = name
    fixes: list[tuple[int, str, str]] = []
    if corrections is not None:
        try:
            glossary = load_corrections(corrections)
        except OSError as error:
            problems.append(_unreadable(corrections, error))
        except UnicodeDecodeError:
            problems.append(Problem(corrections, None, "is not UTF-8 text: save it as UTF-8"))
        except CorrectionsError as error:
            problems.append(error.problem(corrections))
        else:
            spoken, fixes = correct_transcript(spoken, glossary)
    if problems:
        raise ToolkitError(problems)
    spoken = Transcript(
        tuple(replace(s, speaker=renames.get(s.speaker, s.speaker)) for s in spoken.segments)
    )
    _write_transcript(spoken, out, fmt)
    for number, wrong, right in fixes:
        _say(quiet, f"segment {number}: {wrong} -> {right}")
    _say(
        quiet,
        f"{out}: {len(spoken.segments)} segments, {len(fixes)} corrections, "
        f"speakers: {', '.join(spoken.speakers)}",
    )


@transcript_group.command(name="convert")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--to",
    type=click.Choice(TRANSCRIPT_FORMATS),
    help="Output format (default: from OUT's extension; .txt is the editable form).",
)
@verbosity
def transcript_convert(source: Path, out: Path, to: str | None, quiet: bool, verbose: bool) -> None:
    """Convert a transcript between the editable form, WebVTT, SRT and Podcasting 2.0 JSON.

    Example: podkit transcript convert episodes/001/transcript.txt captions.vtt
    """
    spoken = _read_transcript(source)
    fmt = _output_format(out, to)
    _write_transcript(spoken, out, fmt)
    _say(quiet, f"{out}: {len(spoken.segments)} segments as {fmt}")


@cli.command()
@click.argument("mp3", type=click.Path(path_type=Path))
@click.option(
    "--episode",
    "episode_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="The episode's folder (its show.toml is in the folder above).",
)
@click.option("--id3v2.4", "id3v24", is_flag=True, help="Write ID3v2.4 tags instead of v2.3.")
@verbosity
def tag(mp3: Path, episode_dir: Path, id3v24: bool, quiet: bool, verbose: bool) -> None:
    """Write an episode's tags and chapters into an MP3, in place (safely: a temporary file is
    renamed over it).

    Example: podkit tag final.mp3 --episode episodes/001-antony-passemard
    """
    from dataclasses import replace

    from toolkit import audio
    from toolkit.artwork import resized_jpeg
    from toolkit.episode_tags import TAG_COVER_SIZE, episode_tags
    from toolkit.timecode import format_timestamp

    info = _probe_to_tag(mp3)
    mp3_problems = [info] if isinstance(info, Problem) else []
    try:
        show, episode = _show_and_episode(episode_dir)
    except ToolkitError as error:  # report the MP3's problem with the episode's
        raise ToolkitError([*mp3_problems, *error.problems]) from None
    if isinstance(info, Problem):
        raise ToolkitError([info])
    late = [c for c in episode.chapters if c.start >= info.duration]
    if late:
        raise ToolkitError(
            [
                Problem(
                    episode.directory / "episode.toml",
                    f"chapters ({c.title})",
                    f"starts at {format_timestamp(c.start)}, past the end of {mp3.name} "
                    f"({format_timestamp(info.duration)})",
                )
                for c in late
            ]
        )
    episode = replace(episode, audio_info=info)
    tags = episode_tags(show, episode, resized_jpeg(show.cover, TAG_COVER_SIZE))
    try:
        removed = audio.tag_file(mp3, tags, 4 if id3v24 else 3)
    except audio.AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
    except OSError as error:
        message = f"could not be tagged ({error.strerror}); it is unchanged"
        raise ToolkitError([Problem(mp3, None, message)]) from None
    for path in removed:
        _say(quiet, f"{path}: removed, left by an interrupted podkit tag")
    _say(quiet, f"{mp3}: tagged with {len(episode.chapters)} chapters")


def _probe_to_tag(mp3: Path) -> AudioInfo | Problem:
    """The MP3's format, or the problem that keeps it from being tagged."""
    from toolkit import audio

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


@cli.command()
@click.argument("mp3", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@verbosity
def inspect(mp3: Path, quiet: bool, verbose: bool) -> None:
    """Print an MP3's format, tags and chapters.

    Example: podkit inspect site/001-antony-passemard/keytime-001-antony-passemard.mp3
    """
    from toolkit import audio
    from toolkit.timecode import format_timestamp

    try:
        data = mp3.read_bytes()
        info = audio.probe_bytes(data)
        lines = audio.describe_tags(data)
    except OSError as error:
        raise ToolkitError([Problem(mp3, None, f"cannot be read ({error.strerror})")]) from None
    except audio.AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
    click.echo(
        f"{mp3}: {format_timestamp(info.duration)}, {info.bitrate // 1000} kbit/s, "
        f"{info.sample_rate} Hz, {info.channels} channel(s), {info.size} bytes"
    )
    if not quiet:
        for line in lines:
            click.echo(line)


@cli.command()
@click.argument("title")
@SOURCE_OPTION
@verbosity
def new(title: str, source: Path, quiet: bool, verbose: bool) -> None:
    """Start a new episode: a folder with an episode.toml filled in (fresh GUID, next number,
    today's date in the show's time zone) and an empty notes.md.

    Example: podkit new "Antony Passemard, trois dates"
    """
    from toolkit.scaffold import new_episode

    folder, number, published = new_episode(source, title, datetime.now(UTC))
    if quiet:
        return
    click.echo(f"Created {folder}/ (episode {number}, published {published:%Y-%m-%d %H:%M %z})")
    click.echo("Next:")
    click.echo(f"  1. put the audio at {folder / (folder.name + '.mp3')}")
    click.echo(f"  2. write the show notes in {folder / 'notes.md'}")
    click.echo(f"  3. add chapters: podkit chapters import labels.txt --episode {folder}")
    click.echo(
        f"  4. add the transcript: podkit transcript import raw.txt {folder / 'transcript.txt'}"
    )
    click.echo("  5. podkit check, then podkit serve to preview")


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
def check_command(
    source: Path, site: Path, output: str, now_text: str | None, quiet: bool, verbose: bool
) -> None:
    """Check the sources and the built site against what Apple, Podcasting 2.0 apps and
    listeners expect. Exits with status 1 when there is an error.

    Example: podkit check --format json
    """
    import json

    from toolkit.check import check as run_checks

    findings = run_checks(source, site, _parse_now(now_text) or datetime.now(UTC))
    errors = [f for f in findings if f.level == "error"]
    if output == "json":
        click.echo(json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=1))
    else:
        for finding in findings:
            if finding.level == "error" or not quiet:
                click.echo(finding.labelled())
        if not quiet:
            warnings = len(findings) - len(errors)
            click.echo(
                f"{len(errors)} error(s), {warnings} warning(s)"
                if findings
                else "No problem found."
            )
    if errors:
        sys.exit(1)


PREVIEW_FOLDER = ".podkit-preview"  # inside the show: hidden, so builds and the watcher skip it


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
    help=f"Where the preview is written (default: {PREVIEW_FOLDER}/ in the show's folder).",
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
def serve(
    source: Path, out: Path | None, port: int, drafts: bool, quiet: bool, verbose: bool
) -> None:
    """Preview the show: build it for this local address into a folder of its own, serve it
    (with the byte ranges the browser needs to seek in the audio), rebuild when a source
    changes and reload the page. Ctrl-C stops it.

    Example: podkit serve --port 8000
    """
    import signal
    import threading
    import time

    from toolkit.serve import PreviewState, build_preview, fingerprint, make_preview_server

    if verbose:
        os.environ["PODKIT_SERVE_LOG"] = "1"
    out = out or source / PREVIEW_FOLDER
    state = PreviewState()
    try:  # listen before building: a port taken is said at once
        server = make_preview_server(out, port, state)
    except OSError as error:
        raise ToolkitError(
            f"cannot listen on port {port} ({error.strerror}): try --port 8001"
        ) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        server.server_close()
        raise ToolkitError(
            [Problem(out, None, f"{error.strerror}: choose another --out")]
        ) from None
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"

    def rebuild() -> None:
        outcome = build_preview(source, out, base_url, drafts)
        if outcome.problems:  # the last good site stays served; the pages show why
            click.echo(outcome.problems, err=True)
            state.problems = outcome.problems
            return
        state.problems = ""
        state.version += 1
        if not quiet:
            for line in outcome.warnings:
                click.echo(line, err=True)
        _say(quiet, outcome.summary)

    signal.signal(signal.SIGTERM, _stop)  # `kill` stops it as cleanly as Ctrl-C
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    with server:
        try:
            seen = fingerprint(source)  # before building: an edit meanwhile is seen
            rebuild()
            serving.start()
            click.echo(f"Serving {out} at {base_url} (Ctrl-C stops)")
            while True:
                time.sleep(0.5)
                current = fingerprint(source)
                if current != seen:
                    seen = current
                    rebuild()
        except KeyboardInterrupt:
            if serving.is_alive():
                server.shutdown()
            click.echo("Stopped.")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@cli.group(name="chapters")
def chapters_group() -> None:
    """Import chapters from an editor's export, or export them for another tool.

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
    type=click.Choice(IMPORT_FORMATS),
    help="The file's format (default: guessed from its name and content).",
)
@verbosity
def chapters_import(
    file: Path, episode_dir: Path, fmt: str | None, quiet: bool, verbose: bool
) -> None:
    """Replace an episode's chapters with those of an Audacity label file, a REAPER marker
    CSV, mp4chaps text, YouTube timestamps, Podcasting 2.0 JSON, Podlove XML, an ffmpeg
    metadata file or an MP3's ID3 tag. The rest of episode.toml, comments included, stays.

    Example: podkit chapters import labels.txt --episode episodes/001-antony-passemard
    """
    from toolkit.episode_file import EPISODE_FILE, import_chapters
    from toolkit.timecode import format_timestamp

    chapters, fmt = import_chapters(file, episode_dir, fmt)
    toml_path = episode_dir / EPISODE_FILE
    _say(quiet, f"{toml_path}: {len(chapters)} chapters from {file} ({fmt})")
    if verbose:
        for chapter in chapters:
            click.echo(f"  {format_timestamp(chapter.start)}  {chapter.title}")


@chapters_group.command(name="export")
@click.argument("episode_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="File to write (default: print)."
)
@verbosity
def chapters_export(
    episode_dir: Path, fmt: str, output: Path | None, quiet: bool, verbose: bool
) -> None:
    """Write an episode's chapters in another tool's format.

    Example: podkit chapters export episodes/001-antony-passemard --format youtube
    """
    from toolkit import chapter_formats
    from toolkit.writer import atomic_write

    _, episode = _show_and_episode(episode_dir)
    text = chapter_formats.export(fmt, episode.chapters, episode.audio_info.duration)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text.encode("utf-8"))
        _say(quiet, f"{output}: {len(episode.chapters)} chapters ({fmt})")


def main() -> None:
    cli(prog_name="podkit")
