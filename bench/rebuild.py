"""Benchmark: the CPU of a rebuild of a show already built, nothing changed or one episode
edited, whole process (`python -m toolkit build -q`), median of several runs.

    .venv/bin/python bench/rebuild.py SOURCE SITE              # nothing changed
    .venv/bin/python bench/rebuild.py SOURCE SITE --edit       # one notes.md edited each run

Run by another checkout's Python (`/other/.venv/bin/python bench/rebuild.py ...`), it measures
that checkout's podkit: the runs never import podkit from the current folder. SITE must hold
a build of SOURCE (build it twice first, then wait 2 s, so that no source
is "racy"). With ``--edit`` each run alternately appends a line to the first episode's
notes.md and takes it away again, so every run rebuilds one episode and the show stays as it
was. Prints CPU (user+sys, from the children's resource usage) and wall medians, and the
load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from conditions import machine_speed


def run(source: Path, site: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "toolkit",
            "build",
            "-q",
            "--source",
            str(source),
            "--out",
            str(site),
        ],
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def compile_toolkit() -> None:
    """Compile the bytecode of the podkit this Python runs (this checkout's or another's), as
    pip does on install: under PYTHONDONTWRITEBYTECODE each run would compile it again."""
    where = "import os, toolkit; print(os.path.dirname(toolkit.__file__))"
    folder = subprocess.run(
        [sys.executable, "-P", "-c", where], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"podkit: {folder}")
    subprocess.run([sys.executable, "-P", "-m", "compileall", "-q", folder], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edit", action="store_true", help="edit one notes.md before each run")
    args = parser.parse_args()
    notes = min(p for p in args.source.iterdir() if (p / "notes.md").is_file()) / "notes.md"
    original = notes.read_bytes()
    compile_toolkit()
    print(f"machine: {machine_speed()}")
    print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cpus, walls = [], []
    try:
        for index in range(args.runs):
            if args.edit:
                notes.write_bytes(original + b"\nEdited.\n" if index % 2 == 0 else original)
                time.sleep(2.1)  # past the racy window: measures an ordinary edit
            cpu, wall = run(args.source, args.site)
            cpus.append(cpu)
            walls.append(wall)
    finally:
        if notes.read_bytes() != original:
            notes.write_bytes(original)
    kind = "one notes.md edited" if args.edit else "nothing changed"
    print(
        f"{kind}: CPU {' '.join(f'{c:.3f}' for c in cpus)} s, median {statistics.median(cpus):.3f} s"
    )
    print(f"{kind}: wall median {statistics.median(walls):.3f} s")
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
