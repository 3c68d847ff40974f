"""The recording as the aligner reads it: decoded once by ffmpeg to 16 kHz mono 16-bit WAV
on disk, then cut into windows, so that memory holds one window, never the episode."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

from toolkit.errors import Problem, ToolkitError

RATE = 16_000  # what the aligner's MFCCs are computed at: decoding to it once saves a resample
NO_FFMPEG = "ffmpeg is not installed (Debian package ffmpeg): install it to align"


def decode(audio: Path, wav: Path) -> float:
    """Decode ``audio`` (any format ffmpeg reads) to ``wav``; its duration in seconds."""
    if shutil.which("ffmpeg") is None:
        raise ToolkitError([Problem(audio, None, NO_FFMPEG)])
    if not audio.is_file():
        what = "is a folder, not a file: name a file" if audio.is_dir() else "file not found"
        raise ToolkitError([Problem(audio, None, what)])
    command = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(audio), "-vn"]
    command += ["-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le", str(wav)]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise ToolkitError([Problem(audio, None, f"ffmpeg cannot decode it ({reason})")])
    with wave.open(str(wav), "rb") as stream:
        duration = stream.getnframes() / RATE
    if duration <= 0:
        raise ToolkitError([Problem(audio, None, "holds no audio: name the episode's recording")])
    return duration


def cut(wav: Path, start: float, end: float, out: Path) -> None:
    """Write the samples of ``wav`` from ``start`` to ``end`` (seconds) to ``out``."""
    with wave.open(str(wav), "rb") as source, wave.open(str(out), "wb") as target:
        target.setparams(source.getparams())
        first = max(0, round(start * RATE))
        source.setpos(min(first, source.getnframes()))
        target.writeframes(source.readframes(max(0, round(end * RATE) - first)))
