"""Benchmark: the CPU time of a re-tag (new title, cached show) by this checkout and by
another one, run in turns so that both see the same load; and of a Python process that
only imports mutagen. On a shared machine two benches run minutes apart differ by more
than a change of a few milliseconds; runs taken in turns do not.

    .venv/bin/python bench/tag_versus.py OTHER_CHECKOUT [--runs 31]

OTHER_CHECKOUT is a folder holding another version's `toolkit/` (e.g. made with
`git archive COMMIT | tar -x -C DIR`); it runs with this checkout's Python and libraries.
Needs ffmpeg (Debian package) to make the MP3.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conditions import HERE, compiled_checkouts, machine_speed
from tagging import retitle, shows_per_checkout


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """The wall time and the CPU time (user + system) of one run, in ms. Run in ``cwd``:
    `python -m` looks for the package in the working folder first."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall * 1000, cpu * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path, help="a folder with another version's toolkit/")
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("bench/tag_versus.py needs ffmpeg to make its input: apt-get install ffmpeg")
    checkouts = compiled_checkouts(args.other)
    print(machine_speed(), "| load:", " ".join(f"{x:.1f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        runs = {}
        for name, (work, episode, env) in shows_per_checkout(folder, checkouts).items():
            command = [sys.executable, "-m", "toolkit", "tag", "-q", str(work)]
            command += ["--episode", str(episode)]
            subprocess.run(command, check=True, env=env, cwd=folder)  # fills the cache
            runs[name] = (command, env, retitle(episode))
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in [*runs, "bare"]}
        bare = [sys.executable, "-c", "import mutagen.id3"]
        for _ in range(args.runs):
            for name, (command, env, before) in runs.items():
                before()
                times[name].append(timed(command, env, folder))
            times["bare"].append(timed(bare, dict(os.environ), folder))
    labels = {"this": f"re-tag, {HERE}", "other": f"re-tag, {checkouts['other']}"}
    labels["bare"] = "Python importing mutagen.id3"
    for name, label in labels.items():
        walls, cpus = [t[0] for t in times[name]], [t[1] for t in times[name]]
        print(
            f"{label}: CPU median {statistics.median(cpus):.1f} ms (min {min(cpus):.1f}), "
            f"wall median {statistics.median(walls):.1f} ms (min {min(walls):.1f})"
        )
    cpu = {name: statistics.median(t[1] for t in times[name]) for name in times}
    print(
        f"CPU: this {cpu['this'] - cpu['other']:+.1f} ms against the other; "
        f"{cpu['this'] / cpu['bare']:.2f}x the bare Python (the other: "
        f"{cpu['other'] / cpu['bare']:.2f}x); {args.runs} runs in turns, "
        "load now: " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
