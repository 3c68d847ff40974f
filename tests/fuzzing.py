"""Mutated sources run through the real commands: what the fuzz test and bench/fuzz.py share.

A case names a file of a small valid show (or a chapter file, a transcript, an MP3 given on
the command line), the edits made to it (insert, replace, drop or repeat a line, cut the file
short) and the command to run. `FuzzShow.run` applies the case to a copy of the show that
has been built once, runs the command through click's CliRunner and says what went wrong:
an exception other than SystemExit, an exit status other than 0 or 1, a site changed by a
command that failed, or sources changed.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import EPISODE_TOML, KEYTIME, NOTES, SHOW_TOML, TONE, TRANSCRIPT

from toolkit import chapter_formats, transcript
from toolkit.cli import cli
from toolkit.config import load_show

NOW = ["--now", "2026-01-01T00:00:00+00:00"]
EPISODE = "001-premier"

# What a person or a damaged file puts where a value was: control characters, numbers no
# time can be, escapes, paths, markup, text that ends a line or a block.
PAYLOADS = (
    "\x00", "\x01", "\x08", "\x0b", "\x1f", "\t", "\n", "\r", "\n\n", "\u2028", "\ufeff",
    "\\u0000", "\\u0001", "\\t", "\\n", "\\ud800",
    "NaN", "Infinity", "-Infinity", "nan", "inf", "-1", "0", "1e308", "1e400", "-0",
    "9" * 40, "9" * 400, "99999:00:00", "1000:00:01", "00:00:00", "59:59", "1/0", "0/1",
    "TIMEBASE=1/0", "START=-5", '"', "'", "[", "]", "{", "}", "[[", "=", ",", ":", "-->",
    "<", ">", "&", "<v A>", "- ", "WEBVTT", "#", ";", "\\", "/", "../../x", "/etc/passwd",
    "a" * 300, "é", "😀", "\u200b", " ", "true", "null", "[]", "{}",
    '[[chapters]]\nstart = "00:00:01"\ntitle = "x"\n', 'audio = "x.mp3"\n',
)  # fmt: skip
BYTE_PAYLOADS = (b"\xff", b"\xfe\xff", b"\xc3", b"\x00" * 4, b"ID3", b"\xff\xfb\x90\x00")
OPS = ("insert", "replace", "number", "drop_line", "repeat_line", "truncate")

# Each target: where the mutated file goes and the commands that read it.
TARGETS: dict[str, tuple[str, ...]] = {
    "show.toml": ("build", "check"),
    "episode.toml": ("build",),
    "notes.md": ("build",),
    "transcript.txt": ("build", "convert"),
    "transcript.vtt": ("build", "convert"),
    "transcript.srt": ("build", "convert"),
    "transcript.json": ("build", "convert"),
    "episode.mp3": ("build", "inspect", "import_mp3", "check"),
    "cover.jpg": ("build",),
    **{f"chapters.{fmt}": ("import",) for fmt in chapter_formats.IMPORT_FORMATS if fmt != "mp3"},
}


@dataclass(frozen=True)
class Op:
    kind: str  # one of OPS
    position: float  # where in the file, 0 to 1
    payload: int  # index into PAYLOADS (or BYTE_PAYLOADS for binary files)
    length: int = 1  # characters replaced


@dataclass(frozen=True)
class Case:
    target: str
    command: str
    ops: tuple[Op, ...]


def random_case(rng: random.Random) -> Case:
    """A case for bench/fuzz.py, drawn like `cases()` draws them for hypothesis."""
    target = rng.choice(sorted(TARGETS))
    ops = tuple(
        Op(rng.choice(OPS), rng.random(), rng.randrange(len(PAYLOADS)), rng.randrange(1, 20))
        for _ in range(rng.randrange(1, 4))
    )
    return Case(target, rng.choice(TARGETS[target]), ops)


def _mutate_text(text: str, op: Op) -> str:
    at = int(op.position * len(text))
    payload = PAYLOADS[op.payload]
    lines = text.splitlines(keepends=True)
    line = int(op.position * len(lines)) if lines else 0
    if op.kind == "insert":
        return text[:at] + payload + text[at:]
    if op.kind == "replace":
        return text[:at] + payload + text[at + op.length :]
    if op.kind == "number":  # the n-th number of the file becomes the payload
        numbers = list(re.finditer(r"\d+(?:\.\d+)?", text))
        if not numbers:
            return text
        match = numbers[int(op.position * len(numbers))]
        return text[: match.start()] + payload + text[match.end() :]
    if op.kind == "drop_line" and lines:
        return "".join(lines[:line] + lines[line + 1 :])
    if op.kind == "repeat_line" and lines:
        return "".join(lines[: line + 1] + lines[line:])
    if op.kind == "truncate":
        return text[:at]
    return text


def _mutate_bytes(data: bytes, op: Op) -> bytes:
    at = int(op.position * len(data))
    payload = BYTE_PAYLOADS[op.payload % len(BYTE_PAYLOADS)]
    if op.kind == "insert":
        return data[:at] + payload + data[at:]
    if op.kind in ("replace", "number"):
        return data[:at] + payload * op.length + data[at + len(payload) * op.length :]
    if op.kind == "drop_line":  # the ID3 header's size bytes get a random size
        size = bytes(b & 0x7F for b in int(op.position * 2**32).to_bytes(4, "big"))
        return data[:6] + size + data[10:] if data[:3] == b"ID3" else data
    if op.kind == "repeat_line":  # an ID3 header of any size, then the rest of the file
        size = bytes(b & 0x7F for b in int(op.position * 2**28).to_bytes(4, "big"))
        return b"ID3\x03\x00\x00" + size + data[at:]
    return data[:at]  # truncate


def mutate(data: bytes, ops: Sequence[Op], binary: bool) -> bytes:
    if binary:
        for op in ops:
            data = _mutate_bytes(data, op)
        return data
    text = data.decode("utf-8")
    for op in ops:
        text = _mutate_text(text, op)
    return text.encode("utf-8")


def digest(folder: Path, skip: Callable[[Path], bool] = lambda _: False) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and not skip(p)
    }


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    failures: tuple[str, ...]  # what went wrong, empty when nothing did
    output: str


class FuzzShow:
    """A small valid show, built once, and the valid inputs the cases start from."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.source, self.site, self.scratch = root / "episodes", root / "site", root / "scratch"
        self._write_show()
        self.scratch.mkdir()
        result = CliRunner().invoke(
            cli, ["build", "--source", str(self.source), "--out", str(self.site), *NOW]
        )
        assert result.exit_code == 0, result.output
        self.paths = set(self.source.rglob("*"))
        self.originals = {p: p.read_bytes() for p in self.paths if p.is_file()}
        self.inputs = self._valid_inputs()

    def _write_show(self) -> None:
        episode = self.source / EPISODE
        episode.mkdir(parents=True)
        shutil.copy(KEYTIME / "cover.jpg", self.source / "cover.jpg")
        shutil.copy(TONE, episode / "episode.mp3")
        (self.source / "show.toml").write_text(SHOW_TOML, encoding="utf-8")
        (episode / "episode.toml").write_text(EPISODE_TOML, encoding="utf-8")
        (episode / "notes.md").write_text(NOTES, encoding="utf-8")
        (episode / "transcript.txt").write_text(TRANSCRIPT, encoding="utf-8")

    def _valid_inputs(self) -> dict[str, bytes]:
        """The valid form of every target: the show's own files, the transcript and the
        chapters in every format, and the MP3 as the build tagged it."""
        show, _ = load_show(self.source)
        episode = show.episodes[0]
        assert episode.transcript is not None
        inputs = {
            "show.toml": SHOW_TOML.encode(),
            "episode.toml": EPISODE_TOML.encode(),
            "notes.md": NOTES.encode(),
            "cover.jpg": (self.source / "cover.jpg").read_bytes(),
            "episode.mp3": (self.site / EPISODE / "episode.mp3").read_bytes(),
        }
        for fmt, name in (("turns", "txt"), ("vtt", "vtt"), ("srt", "srt"), ("json", "json")):
            text = transcript.write(episode.transcript, fmt, episode.audio_info.duration)
            inputs[f"transcript.{name}"] = text.encode()
        for fmt in chapter_formats.EXPORT_FORMATS:
            text = chapter_formats.export(fmt, episode.chapters, episode.audio_info.duration)
            inputs[f"chapters.{fmt}"] = text.encode()
        return inputs

    def _restore(self) -> None:
        for path in sorted(self.source.rglob("*"), reverse=True):
            if path not in self.paths:
                path.unlink() if not path.is_dir() or path.is_symlink() else shutil.rmtree(path)
        for path, data in self.originals.items():
            if not path.is_file() or path.read_bytes() != data:
                path.write_bytes(data)
        for path in self.scratch.iterdir():
            path.unlink()

    def _place(self, case: Case, data: bytes) -> list[str]:
        """Write the mutated file where the case says; the command line that reads it."""
        episode = self.source / EPISODE
        if case.target.startswith("chapters."):
            fmt = case.target.partition(".")[2]
            path = self.scratch / f"chapters.{fmt}"
            path.write_bytes(data)
            return [
                "chapters",
                "import",
                str(path),
                "--format",
                fmt,
                "--episode",
                str(episode),
            ]
        folder = self.source if case.target in ("show.toml", "cover.jpg") else episode
        if case.command == "convert":
            path = self.scratch / case.target
            out = self.scratch / ("out.srt" if path.suffix != ".srt" else "out.vtt")
            path.write_bytes(data)
            return ["transcript", "convert", str(path), str(out)]
        path = folder / case.target
        if case.target.startswith("transcript."):
            (episode / "transcript.txt").unlink()
        path.write_bytes(data)
        commands = {
            "build": ["build", "--source", str(self.source), "--out", str(self.site), *NOW],
            "check": ["check", "--source", str(self.source), "--site", str(self.site), *NOW],
            "inspect": ["inspect", str(path)],
            "import_mp3": ["chapters", "import", str(path), "--format", "mp3", "--episode", str(episode)],
        }  # fmt: skip
        return commands[case.command]

    def run(self, case: Case) -> Outcome:
        binary = case.target.endswith((".mp3", ".jpg"))
        data = mutate(self.inputs[case.target], case.ops, binary)
        try:
            args = self._place(case, data)
            site_before = digest(self.site)
            imports = case.command in ("import", "import_mp3")
            toml = self.source / EPISODE / "episode.toml"
            sources_before = digest(self.source, lambda p: imports and p == toml)
            toml_before = toml.read_bytes()
            result = CliRunner().invoke(cli, args)
            failures: list[str] = []
            error: Any = result.exception
            if error is not None and not isinstance(error, SystemExit):
                assert result.exc_info is not None
                failures.append("".join(traceback.format_exception(*result.exc_info)))
            if result.exit_code not in (0, 1):
                failures.append(f"exit status {result.exit_code}")
            if result.exit_code != 0 and digest(self.site) != site_before:
                failures.append("site modified by a failed command")
            if digest(self.source, lambda p: imports and p == toml) != sources_before:
                failures.append("sources modified")
            if imports and result.exit_code != 0 and toml.read_bytes() != toml_before:
                failures.append("episode.toml modified by a failed import")
            return Outcome(result.exit_code, tuple(failures), result.output)
        finally:
            self._restore()
