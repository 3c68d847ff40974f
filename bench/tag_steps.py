"""Benchmark: where a re-tag (new title, cached show) spends its own time, step by step, in
this checkout and in another one, run in turns. Each run is a fresh `podkit tag` process
whose steps are wrapped with timers; the figures are CPU times (the process's, not the
machine's), medians over the runs, and how many times each step ran.

    .venv/bin/python bench/tag_steps.py OTHER_CHECKOUT [--runs 21]

OTHER_CHECKOUT is a folder holding another version's `toolkit/` (e.g. made with
`git archive COMMIT | tar -x -C DIR`); it runs with this checkout's Python and libraries.
Needs ffmpeg (Debian package) to make the MP3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from conditions import HERE, compiled_checkouts, machine_speed
from tagging import retitle, shows_per_checkout

# (module, function): the steps of a re-tag, outermost first.
STEPS = [
    ("toolkit.one_episode", "tag_episode_files"),
    ("toolkit.one_episode", "_probe_to_tag"),
    ("toolkit.audio", "probe"),
    ("toolkit.one_episode", "load_episode"),
    ("toolkit.config", "_read_show"),
    ("toolkit.config", "_read_episode"),
    ("toolkit.one_episode", "_tags_for"),
    ("toolkit.one_episode", "resized_jpeg"),
    ("toolkit.one_episode", "episode_tags"),
    ("toolkit.one_episode", "_tag"),
    ("toolkit.audio", "_read_old_tag"),
    ("toolkit.audio", "render_tag"),
    ("toolkit.audio", "write_in_place"),
]

# Runs `podkit tag ARGS...` with each step timed; prints {step: [CPU ms, calls]} at exit.
TIMED = """
import atexit, importlib, json, runpy, sys, time
steps = json.loads(sys.argv[1])
spent = {}
def timed(name, function):
    def run(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            total = spent.setdefault(name, [0.0, 0])
            total[0] += (time.process_time() - started) * 1000
            total[1] += 1
    return run
for module, function in steps:
    loaded = importlib.import_module(module)
    setattr(loaded, function, timed(f"{module[8:]}.{function}", getattr(loaded, function)))
atexit.register(lambda: print(json.dumps(spent)))
sys.argv = ["podkit", *sys.argv[2:]]
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""


def one_run(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, list[float]]:
    done = subprocess.run(command, check=True, env=env, cwd=cwd, capture_output=True, text=True)
    return dict(json.loads(done.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path, help="a folder with another version's toolkit/")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("bench/tag_steps.py needs ffmpeg to make its input: apt-get install ffmpeg")
    checkouts = compiled_checkouts(args.other)
    print(machine_speed(), "| load:", " ".join(f"{x:.1f}" for x in os.getloadavg()))
    steps = json.dumps(STEPS)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        runs = {}
        for name, (work, episode, env) in shows_per_checkout(folder, checkouts).items():
            command = [sys.executable, "-c", TIMED, steps, "tag", "-q", str(work)]
            command += ["--episode", str(episode)]
            one_run(command, env, folder)  # fills the cache
            runs[name] = (command, env, retitle(episode))
        found: dict[str, list[dict[str, list[float]]]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, (command, env, before) in runs.items():
                before()
                found[name].append(one_run(command, env, folder))
    print(f"CPU ms per step, median of {args.runs} runs in turns (calls per run):")
    print(f"  {'step':34} {'this':>14} {'other':>14}")
    for module, function in STEPS:
        step = f"{module[8:]}.{function}"
        cells = []
        for name in runs:
            values = [run[step] for run in found[name] if step in run]
            if not values:
                cells.append(f"{'-':>14}")
                continue
            ms = statistics.median(v[0] for v in values)
            calls = statistics.median(v[1] for v in values)
            cells.append(f"{ms:8.2f} ({calls:g})".rjust(14))
        print(f"  {step:34} {cells[0]} {cells[1]}")
    print(f"this: {HERE}, other: {checkouts['other']}")
    print("load now:", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
