"""Shared by the aligner's tests and bench/align.py: real speech made harder than the
synthesised voice the aligner expects (tempo, noise, resampling, a music bed), and the
errors of an aligned transcript against the true times."""

from __future__ import annotations

import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from toolkit.model import Transcript
from toolkit.transcript import is_editor_note

TEMPO = 1.04  # the perturbed audio plays 4% faster: a true time t is heard at t / TEMPO
NOISE_AMPLITUDE = 0.03  # white noise at about -30 dB full scale
MUSIC_SECONDS = 30.0  # the music bed under the intro, fading out over its last 5 s


def perturb(source: Path, out: Path, start: float = 0.0, seconds: float | None = None) -> None:
    """Write ``seconds`` of ``source`` from ``start`` to ``out``, sped up by TEMPO,
    resampled to 44.1 kHz stereo, with white noise throughout and a chord of three
    tremolo sines under the first MUSIC_SECONDS."""
    cut = ["-ss", f"{start}"] + (["-t", f"{seconds}"] if seconds is not None else [])
    music = (
        "aevalsrc='0.08*(sin(2*PI*220*t)+sin(2*PI*277.2*t)+sin(2*PI*329.6*t))"
        f"*(0.6+0.4*sin(2*PI*2*t))':s=44100:d={MUSIC_SECONDS}"
    )
    graph = (
        f"[0:a]atempo={TEMPO},aresample=44100,aformat=channel_layouts=stereo[speech];"
        f"{music},afade=t=out:st={MUSIC_SECONDS - 5}:d=5,aformat=channel_layouts=stereo[music];"
        f"anoisesrc=color=white:amplitude={NOISE_AMPLITUDE}:r=44100:seed=19,"
        "aformat=channel_layouts=stereo[noise];"
        "[speech][music][noise]amix=inputs=3:duration=first:normalize=0[out]"
    )
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            *cut,
            "-i",
            str(source),
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            "-ar",
            "44100",
            "-ac",
            "2",
            str(out),
        ],
        check=True,
    )


@dataclass(frozen=True)
class Errors:
    """Sentence-start errors, in seconds, of the spoken segments."""

    errors: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.errors)

    @property
    def p95(self) -> float:
        ordered = sorted(self.errors)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def worst(self) -> float:
        return max(self.errors)

    @property
    def within_half_second(self) -> float:
        return sum(e <= 0.5 for e in self.errors) / len(self.errors)

    def summary(self) -> str:
        return (
            f"{len(self.errors)} sentences: median {self.median:.3f} s, p95 {self.p95:.3f} s, "
            f"max {self.worst:.3f} s, within 0.5 s {self.within_half_second:.1%}"
        )


def start_errors(aligned: Transcript, truth: Transcript, offset: float = 0.0) -> Errors:
    """Each spoken segment's |aligned start - true start heard in the perturbed audio|, the
    true times shifted by ``offset`` (where the cut began) and mapped through TEMPO."""
    errors = []
    for ours, true in zip(aligned.segments, truth.segments, strict=True):
        if is_editor_note(true.text):
            continue
        assert ours.start is not None and true.start is not None
        errors.append(abs(ours.start - (true.start - offset) / TEMPO))
    return Errors(tuple(errors))
