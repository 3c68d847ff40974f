"""Micro-benchmark: overwrite one region in each of many files, each under its own rollback
journal, two ways:

- one by one, as a build does: `journal.write_in_place` (journal, fsync, folder fsync, write,
  fsync, unlink, folder fsync) for each file, in a pool of 32 threads;
- in phases over all the files: every journal written (no fsync), one flush, every file
  overwritten, one flush, every journal removed, one flush. A flush is one syncfs(2) for the
  file system, or one fsync per file in the pool. The phases are a prototype written here;
- under one group journal, as a build now does: `journal.write_group_in_place` (one journal
  for all the files, fsync, every file overwritten, one syncfs, the journal removed).

    .venv/bin/python bench/journal_batch.py [--files 1000] [--region 150000] [--runs 3]

Each file sits in its own folder, as a site's MP3s do. Printed: wall and CPU seconds of each
way, and where the phases' time goes.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import itertools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit import journal

Files = list[tuple[Path, bytes]]  # each file and the bytes written at its start
PHASES = ("journals", "flush", "overwrite", "flush", "unlink", "flush")


def one_by_one(files: Files, phases: list[float]) -> None:
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(lambda item: journal.write_in_place(item[0], [(0, item[1])]), files))


def one_group(files: Files, phases: list[float]) -> None:
    root = files[0][0].parent.parent
    journal.write_group_in_place(
        root, {str(path.relative_to(root)): [(0, data)] for path, data in files}
    )


def _write_journal(path: Path, data: bytes) -> Path:
    """The same bytes as `journal.write_in_place`'s journal, not flushed."""
    with path.open("rb") as stream:
        found = os.fstat(stream.fileno())
        old = os.pread(stream.fileno(), len(data), 0)
    facts = {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "ino": found.st_ino}
    header = json.dumps({**facts, "regions": [[0, len(old)]], "inserted": 0}).encode()
    body = header + b"\n" + old
    kept = journal.journal_path(path)
    fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, b"podkit-journal 1\n" + hashlib.sha256(body).hexdigest().encode() + b"\n")
        os.write(fd, body)
    finally:
        os.close(fd)
    return kept


def _overwrite(path: Path, data: bytes) -> None:
    with path.open("r+b") as stream:
        os.pwrite(stream.fileno(), data, 0)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if ctypes.CDLL(None, use_errno=True).syncfs(fd) != 0:
            raise OSError(ctypes.get_errno(), "syncfs")
    finally:
        os.close(fd)


def in_phases(
    flush: Callable[[Executor, list[Path]], None],
) -> Callable[[Files, list[float]], None]:
    def run(files: Files, phases: list[float]) -> None:
        marks = [time.perf_counter()]
        with ThreadPoolExecutor(max_workers=32) as pool:
            journals = list(pool.map(lambda item: _write_journal(*item), files))
            marks.append(time.perf_counter())
            flush(pool, journals + [kept.parent for kept in journals])
            marks.append(time.perf_counter())
            list(pool.map(lambda item: _overwrite(*item), files))
            marks.append(time.perf_counter())
            flush(pool, [path for path, _ in files])
            marks.append(time.perf_counter())
            list(pool.map(os.unlink, journals))
            marks.append(time.perf_counter())
            flush(pool, [kept.parent for kept in journals])
            marks.append(time.perf_counter())
        phases[:] = [b - a for a, b in itertools.pairwise(marks)]

    return run


def by_syncfs(pool: Executor, places: list[Path]) -> None:
    _syncfs(places[0])  # one file system


def by_fsync(pool: Executor, places: list[Path]) -> None:
    list(pool.map(_fsync, places))


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--region", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ways = {
        "one by one, 32 threads": one_by_one,
        "in phases, syncfs": in_phases(by_syncfs),
        "in phases, fsync each": in_phases(by_fsync),
        "one group journal": one_group,
    }
    figures: dict[str, list[tuple[float, float, list[float]]]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as temporary:
        paths = [Path(temporary) / f"{n:05}" / "episode.mp3" for n in range(args.files)]
        for path in paths:
            path.parent.mkdir()
            path.write_bytes(bytes(args.region * 2))
        fill = 0
        for _ in range(args.runs):
            for name, way in ways.items():
                fill += 1
                os.sync()  # nothing written earlier is waiting for the disk
                phases: list[float] = []
                started, started_cpu = time.perf_counter(), cpu()
                way([(path, bytes([fill % 256]) * args.region) for path in paths], phases)
                figures[name].append((time.perf_counter() - started, cpu() - started_cpu, phases))
    print(
        f"{args.files} files, {args.region / 1e3:.0f} KB written in each, medians of {args.runs}:"
    )
    for name, runs in figures.items():
        wall = statistics.median(seconds for seconds, _, _ in runs)
        used = statistics.median(seconds for _, seconds, _ in runs)
        print(f"  {name:24} {wall:6.2f} s  ({used:.2f} s CPU)")
        if runs[0][2]:
            steps = [statistics.median(run[2][n] for run in runs) for n in range(len(PHASES))]
            print("      " + ", ".join(f"{p} {s:.2f}" for p, s in zip(PHASES, steps, strict=True)))
    print(f"(load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
