"""Benchmark: the cost of making the model's values (a cold build makes millions of
Segments) and of importing `toolkit.model`, in this checkout and in another one, run in
turns so that both see the same load.

    .venv/bin/python bench/model_construct.py OTHER_CHECKOUT [--rounds 5]

OTHER_CHECKOUT is a folder holding another version's `toolkit/` (e.g. made with
`git archive COMMIT toolkit | tar -x -C DIR`); it runs with this checkout's Python.
Prints, for each, the best time per construction in ns and the median of
`python -X importtime` for toolkit.model alone (its own time, then with what it imports).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from conditions import compiled_checkouts

CONSTRUCT = """
import timeit
from datetime import datetime, timezone
from pathlib import Path
from toolkit.model import AudioInfo, Episode, Segment

info, now, path = AudioInfo(1.0, 2, 3, 4, 5), datetime.now(timezone.utc), Path("x")
made = {
    "Segment, 4 positional": lambda: Segment("Ann", "Hello there", 1.0, 2.0),
    "Segment, 2 keywords": lambda: Segment(speaker="Ann", text="Hello there"),
    "Episode, 14 positional": lambda: Episode(
        "s", path, "t", 1, None, "full", now, "g", False, path, info, "", "", ""
    ),
}
for name, make in made.items():
    best = min(timeit.repeat(make, number=100_000, repeat=5))
    print(f"{name}\\t{best / 100_000 * 1e9:.0f}")
"""


def construct(root: Path, cwd: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(root))
    done = subprocess.run(
        [sys.executable, "-c", CONSTRUCT], env=env, cwd=cwd, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    return {name: float(ns) for name, ns in (line.split("\t") for line in done.stdout.splitlines())}


def import_time(root: Path, cwd: Path) -> tuple[float, float]:
    """toolkit.model's own and cumulative import time in ms, from `-X importtime`."""
    env = dict(os.environ, PYTHONPATH=str(root))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import toolkit.model"],
        env=env, cwd=cwd, check=True, capture_output=True, text=True,
    )  # fmt: skip
    for line in done.stderr.splitlines():
        itself, cumulative, name = line[len("import time:") :].split("|")
        if name.strip() == "toolkit.model":
            return int(itself) / 1000, int(cumulative) / 1000
    raise SystemExit("toolkit.model was not imported")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path, help="a folder with another version's toolkit/")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    checkouts = compiled_checkouts(args.other)
    print("load:", " ".join(f"{x:.1f}" for x in os.getloadavg()))
    made: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    imports: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory() as cwd:  # no toolkit/ in the working folder
        for _ in range(args.rounds):
            for name, root in checkouts.items():
                made[name].append(construct(root, Path(cwd)))
                imports[name].extend(import_time(root, Path(cwd)) for _ in range(5))
    for name in checkouts:
        best = {k: min(run[k] for run in made[name]) for k in made[name][0]}
        own = statistics.median(i[0] for i in imports[name])
        cumulative = statistics.median(i[1] for i in imports[name])
        shown = ", ".join(f"{k} {ns:.0f} ns" for k, ns in best.items())
        print(f"{name}: {shown}; import toolkit.model {own:.2f} ms own, {cumulative:.2f} ms")
    print("load:", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
