"""The `podkit` command: each subcommand parses, calls the library and reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from toolkit import __version__, audio, transcript
from toolkit.artwork import resized_jpeg
from toolkit.build import TAG_COVER_SIZE, episode_tags
from toolkit.build import build as build_show
from toolkit.config import load_show
from toolkit.corrections import CorrectionsError, correct_transcript, load_corrections
from toolkit.errors import Problem, ToolkitError
from toolkit.model import Transcript
from toolkit.timecode import format_timestamp
from toolkit.writer import atomic_write


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podkit")
def cli() -> None:
    """podkit: publish podcast episodes as a static site, an RSS feed and chaptered MP3s.

    Example: podkit build
    """


@cli.command()
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=Path("episodes"),
    show_default=True,
    help="The show's folder (show.toml and one folder per episode).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Where to write the site.",
)
@click.option("--base-url", help="Public URL of the site, instead of show.toml's base_url.")
@click.option("--drafts", is_flag=True, help="Include episodes whose publish date is to come.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    help="Take this as the current time (for repeatable builds and tests).",
)
@click.option("--id3v2.4", "id3v24", is_flag=True, help="Write ID3v2.4 tags instead of v2.3.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
def build(source: Path, out: Path, base_url: str | None, drafts: bool, now_text: str | None,
          id3v24: bool, quiet: bool, verbose: bool) -> None:  # fmt: skip
    """Build the show into a static site, a feed and tagged MP3s.

    Example: podkit build --source episodes --out site
    """
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "write an absolute URL like https://example.org/", param_hint="--base-url"
        )
    report = build_show(source, out, base_url, drafts, _parse_now(now_text), 4 if id3v24 else 3)
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


def _read_transcript(path: Path) -> Transcript:
    try:
        return transcript.read(path, path.read_bytes())
    except FileNotFoundError:
        raise ToolkitError([Problem(path, None, "file not found")]) from None
    except transcript.TranscriptError as error:
        raise ToolkitError([Problem(path, error.where, error.message)]) from None


def _output_format(path: Path, to: str | None) -> str:
    if to:
        return to
    by_extension = {".vtt": "vtt", ".srt": "srt", ".json": "json", ".txt": "turns"}
    fmt = by_extension.get(path.suffix.lower())
    if fmt is None:
        raise ToolkitError(
            [Problem(path, None, "unknown extension: use .txt, .vtt, .srt or .json, or --to")]
        )
    return fmt


def _write_transcript(spoken: Transcript, out: Path, fmt: str) -> None:
    try:
        text = transcript.write(spoken, fmt)
    except transcript.TranscriptError as error:
        raise ToolkitError([Problem(out, None, error.message)]) from None
    atomic_write(out, text.encode("utf-8"))


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
    type=click.Choice(transcript.FORMATS),
    help="Output format (default: from OUT's extension).",
)
def transcript_import(raw: Path, out: Path, speakers: tuple[str, ...],
                      corrections: Path | None, to: str | None) -> None:  # fmt: skip
    """Turn an automatic transcript into the editable form: rename speakers and apply the
    corrections glossary, reporting every replacement.

    Example: podkit transcript import raw.txt episodes/001/transcript.txt
    --speaker "Speaker #0=Laura Guibora" --corrections episodes/corrections.txt
    """
    spoken = _read_transcript(raw)
    fmt = _output_format(out, to)
    problems: list[Problem] = []
    renames: dict[str, str] = {}
    for item in speakers:
        label, sep, name = item.partition("=")
        label, name = label.strip(), name.strip()
        if not sep or not label or not name:
            problems.append(Problem("--speaker", None, f"{item!r}: write LABEL=NAME"))
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
        except FileNotFoundError:
            problems.append(Problem(corrections, None, "file not found"))
        except CorrectionsError as error:
            problems.append(Problem(corrections, error.line, error.message))
        else:
            spoken, fixes = correct_transcript(spoken, glossary)
    if problems:
        raise ToolkitError(problems)
    spoken = Transcript(
        tuple(replace(s, speaker=renames.get(s.speaker, s.speaker)) for s in spoken.segments)
    )
    _write_transcript(spoken, out, fmt)
    for number, wrong, right in fixes:
        click.echo(f"segment {number}: {wrong} -> {right}")
    click.echo(f"{out}: {len(spoken.segments)} segments, {len(fixes)} corrections, "
               f"speakers: {', '.join(spoken.speakers)}")  # fmt: skip


@transcript_group.command(name="convert")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--to",
    type=click.Choice(transcript.FORMATS),
    help="Output format (default: from OUT's extension; .txt is the editable form).",
)
def transcript_convert(source: Path, out: Path, to: str | None) -> None:
    """Convert a transcript between the editable form, WebVTT, SRT and Podcasting 2.0 JSON.

    Example: podkit transcript convert episodes/001/transcript.txt captions.vtt
    """
    spoken = _read_transcript(source)
    fmt = _output_format(out, to)
    _write_transcript(spoken, out, fmt)
    click.echo(f"{out}: {len(spoken.segments)} segments as {fmt}")


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
def tag(mp3: Path, episode_dir: Path, id3v24: bool) -> None:
    """Write an episode's tags and chapters into an MP3, in place (safely: a temporary file is
    renamed over it).

    Example: podkit tag final.mp3 --episode episodes/001-anthony-passemard
    """
    show, _ = load_show(episode_dir.resolve().parent)
    matches = [e for e in show.episodes if e.directory == episode_dir.resolve()]
    if not matches:
        raise ToolkitError([Problem(episode_dir, None, "not an episode folder of this show")])
    episode = matches[0]
    try:
        data = mp3.read_bytes()
        info = audio.probe_bytes(data)
    except FileNotFoundError:
        raise ToolkitError([Problem(mp3, None, "file not found")]) from None
    except audio.AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
    late = [c for c in episode.chapters if c.start >= info.duration]
    if late:
        raise ToolkitError([
            Problem(episode.directory / "episode.toml", f"chapters ({c.title})",
                    f"starts at {format_timestamp(c.start)}, past the end of {mp3.name} "
                    f"({format_timestamp(info.duration)})") for c in late
        ])  # fmt: skip
    episode = replace(episode, audio_info=info)
    tags = episode_tags(show, episode, resized_jpeg(show.cover, TAG_COVER_SIZE))
    atomic_write(mp3, audio.tag_bytes(data, tags, 4 if id3v24 else 3))
    click.echo(f"{mp3}: tagged with {len(episode.chapters)} chapters")


@cli.command()
@click.argument("mp3", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def inspect(mp3: Path) -> None:
    """Print an MP3's format, tags and chapters.

    Example: podkit inspect site/001-anthony-passemard/keytime-001-anthony-passemard.mp3
    """
    data = mp3.read_bytes()
    try:
        info = audio.probe_bytes(data)
    except audio.AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
    click.echo(f"{mp3}: {format_timestamp(info.duration)}, {info.bitrate // 1000} kbit/s, "
               f"{info.sample_rate} Hz, {info.channels} channel(s), {info.size} bytes")  # fmt: skip
    report = audio.describe_tags(data)
    for line in report:
        click.echo(line)


def main() -> None:
    cli(prog_name="podkit")
