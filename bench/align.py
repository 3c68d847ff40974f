"""`podkit transcript align` on the whole Keytime episode, perturbed as the tests perturb
their few minutes (tempo +4 %, white noise at about -30 dB, 44.1 kHz stereo, a music bed
under the intro): sentence-start errors against the true times, wall time, real-time factor
and peak memory (of the aligning process and the programs it runs).

    .venv/bin/python bench/align.py

Targets: median <= 0.25 s, p95 <= 0.6 s, faster than 60x real time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from aligncase import perturb, start_errors
from conditions import compile_podkit, machine_speed

from toolkit import transcript
from toolkit.model import Segment, Transcript

ROOT = Path(__file__).resolve().parents[1]
EPISODE = ROOT / "episodes" / "001-antony-passemard"


def main() -> None:
    compile_podkit()
    print(machine_speed())
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    source = EPISODE / "transcript.txt"
    truth = transcript.read(source, source.read_bytes())
    with tempfile.TemporaryDirectory(prefix="podkit-bench-align-") as scratch:
        folder = Path(scratch)
        audio = folder / "episode.wav"
        perturb(EPISODE / "keytime-001-antony-passemard.mp3", audio)
        untimed = folder / "untimed.txt"
        bare = Transcript(tuple(Segment(s.speaker, s.text) for s in truth.segments))
        untimed.write_text(transcript.write(bare, "turns"), encoding="utf-8")
        out = folder / "timed.txt"
        podkit = Path(sys.executable).with_name("podkit")
        command = [str(podkit), "transcript", "align", str(untimed), str(audio), str(out)]
        started = time.perf_counter()
        child = subprocess.Popen([*command, "--language", "fr"])
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            sys.exit(f"podkit transcript align failed (status {status})")
        peak = usage.ru_maxrss / 1024  # the largest of podkit and the programs it ran
        cpu = usage.ru_utime + usage.ru_stime  # with the programs it ran; less load-dependent
        aligned = transcript.read(out, out.read_bytes())
        duration = _duration(audio)
    errors = start_errors(aligned, truth)
    print(f"audio: {duration / 60:.1f} min (perturbed), {errors.summary()}")
    print(
        f"wall time {wall:.1f} s, {duration / wall:.0f}x real time; CPU time {cpu:.1f} s, "
        f"{duration / cpu:.0f}x real time; peak memory {peak:.0f} MB"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _duration(audio: Path) -> float:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", audio],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(probe.stdout)


if __name__ == "__main__":
    main()
