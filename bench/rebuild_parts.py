"""Benchmark: what one edited or one added episode costs a rebuild's home page, sitemap and feed.

    .venv/bin/python bench/rebuild_parts.py DIR [--runs 5]

DIR holds a show kept by `bench/build.py SIZE --keep DIR` (DIR/episodes, built into DIR/site).
Builds in this process, as `podkit build` does, and times with the process's CPU clock
(user+sys, less noisy than wall time on a shared machine) the whole build, the home page and
sitemap (`build_site`) and the feed (`build_feed`): with nothing changed, after one notes.md
edited, then after one episode added (removed again after each run, and the site built
back). Prints medians.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from build import shared_audio, write_episode

build_module = importlib.import_module("toolkit.build")  # `toolkit.build` is the function

spent: dict[str, float] = {}


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - started

    return wrapper


def one_build(source: Path, out: Path) -> dict[str, float]:
    spent.clear()
    started = time.process_time()
    build_module.build(source, out)
    return {"build": time.process_time() - started, **spent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="a show kept by bench/build.py --keep")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    source, out = options.dir / "episodes", options.dir / "site"
    build_module.build_site = timed("pages", build_module.build_site)
    build_module.build_feed = timed("feed", build_module.build_feed)
    build_module.build(source, out)
    time.sleep(2)  # files written this recently are loaded again (see toolkit.cache)
    number = len([p for p in source.glob("*-episode")]) + 1
    notes = next(source.glob("*-episode")) / "notes.md"
    figures: dict[str, list[dict[str, float]]] = {"unchanged": [], "edited": [], "added": []}
    for _ in range(options.runs):
        figures["unchanged"].append(one_build(source, out))
        with notes.open("a", encoding="utf-8") as stream:
            stream.write("\nUne ligne de plus.\n")
        figures["edited"].append(one_build(source, out))
        write_episode(source, number, shared_audio(source), random.Random(0))
        figures["added"].append(one_build(source, out))
        shutil.rmtree(source / f"{number:05d}-episode")
        build_module.build(source, out)
        time.sleep(2)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{options.runs} runs, medians of the main process's CPU seconds (load {load})")
    for case, runs in figures.items():
        parts = {key: statistics.median(run.get(key, 0.0) for run in runs) for key in runs[0]}
        print(f"{case:>9}: " + "  ".join(f"{key} {value:.3f}" for key, value in parts.items()))


if __name__ == "__main__":
    main()
