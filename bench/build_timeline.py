"""Benchmark: where a cold build's time goes, and how much of it runs on one core only.

    .venv/bin/python bench/build_timeline.py              # a 1,000-episode show, made here
    .venv/bin/python bench/build_timeline.py --source DIR  # an existing show (left unchanged)

Runs one cold build in this process (into a temporary folder) with each stage of
`toolkit.build` timed: its wall time, this process's CPU time and its workers' CPU time. The
stages outside the episodes' pool run in this process alone, the other core idle; the pool
keeps every core busy. The figure that depends least on the machine's load is the estimate
of a quiet machine's wall time: CPU time of this process outside the pool + the workers' CPU
time divided by the cores (Python's start and podkit's imports not included).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from build import make_show

STAGES = ("load_show_for_build", "plan_audio", "build_feed", "show_files", "cover_files")
POOL = "make_episode_files"  # the stage that runs on every core
WRITE = "write_site"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Timeline:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.rows: list[tuple[str, float, float, float, float]] = []
        self.pool_cpu = 0.0  # this process's CPU time while the pool ran

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            wall, cpu, workers = time.perf_counter(), time.process_time(), children_cpu()
            try:
                return function(*args, **kwargs)
            finally:
                own = time.process_time() - cpu
                self.pool_cpu += own if name == POOL else 0.0
                start = wall - self.started
                row = (name, start, time.perf_counter() - wall, own, children_cpu() - workers)
                self.rows.append(row)

        return run


def timeline(source: Path) -> None:
    build_module = importlib.import_module("toolkit.build")  # `toolkit.build` is the function
    line = Timeline()
    for name in (*STAGES, POOL, WRITE):
        setattr(build_module, name, line.timed(name, getattr(build_module, name)))
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        report = build_module.build(source, Path(folder) / "site")
    own, workers = time.process_time() - cpu, children_cpu()
    print(f"{'stage':22} {'start s':>8} {'wall s':>8} {'main CPU':>9} {'workers CPU':>12}")
    for name, start, wall, main, pool in line.rows:
        print(f"{name:22} {start:8.2f} {wall:8.2f} {main:9.2f} {pool:12.2f}")
    cores = min(os.cpu_count() or 1, 4)
    alone = own - line.pool_cpu
    print(f"{report.summary()}; load {os.getloadavg()[0]:.2f}")
    print(
        f"main process alone: {alone:.2f} s CPU; workers: {workers:.2f} s CPU; "
        f"quiet {cores}-core estimate: {alone:.2f} + {workers:.2f}/{cores} = "
        f"{alone + workers / cores:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="an existing show's folder")
    parser.add_argument("--episodes", type=int, default=1000, help="without --source")
    options = parser.parse_args()
    if options.source:
        timeline(options.source)
        return
    with tempfile.TemporaryDirectory() as root:
        timeline(make_show(Path(root), options.episodes))


if __name__ == "__main__":
    sys.exit(main())
