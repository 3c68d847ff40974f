"""Crash test: `kill -9` a `podkit tag` that re-tags files in place, at a random moment, then
run the next podkit command (`podkit inspect` on each file): every file must be byte for byte
its old or its new version, and no journal may be left.

    .venv/bin/python bench/crash_tag.py [--trials 100] [--files 8] [--seed 1] [--first]

Each trial re-tags --files copies of Keytime's first episode (already tagged) with a new
title, in one process killed after a delay drawn uniformly between zero and the time an
uninterrupted run takes. With --first, the copies have no tag: their first tag grows them in
place (blocks inserted at the start of the file) where the file system can, here the
temporary folder's. Exits non-zero when any file is anything else.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from conditions import compile_podkit, machine_speed

from toolkit.audio import audio_start

ROOT = Path(__file__).resolve().parent.parent
EPISODE = "001-antony-passemard"
PODKIT = [sys.executable, "-m", "toolkit"]
INSPECT = """
import sys
from toolkit.cli import cli
for name in sys.argv[1:]:
    cli(["inspect", "-q", name], standalone_mode=False)
"""


def make_shows(folder: Path) -> tuple[Path, Path]:
    """Keytime with only its first episode, as it is (old) and with a new title (new)."""
    shows = []
    for name in ("old", "new"):
        show = folder / name
        shutil.copytree(ROOT / "episodes", show, ignore=_other_episodes)
        if name == "new":
            toml = show / EPISODE / "episode.toml"
            text = toml.read_text(encoding="utf-8")
            toml.write_text(text.replace('title = "', 'title = "(nouveau) ', 1), encoding="utf-8")
        shows.append(show / EPISODE)
    return shows[0], shows[1]


def _other_episodes(folder: str, names: list[str]) -> list[str]:
    if Path(folder) == ROOT / "episodes":
        return [n for n in names if n[:3].isdigit() and n != EPISODE]
    return []


def tagged(folder: Path, episode: Path, name: str) -> bytes:
    path = folder / name
    shutil.copy(episode / f"keytime-{EPISODE}.mp3", path)
    subprocess.run([*PODKIT, "tag", "-q", str(path), "--episode", str(episode)], check=True)
    return path.read_bytes()


def untagged(episode: Path) -> bytes:
    """Keytime's episode without its ID3v2 tag."""
    data = (episode / f"keytime-{EPISODE}.mp3").read_bytes()
    return data[audio_start(data) :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", action="store_true", help="first tags of untagged copies")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    compile_podkit()
    print(machine_speed())
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        old_episode, new_episode = make_shows(folder)
        if args.first:
            old = untagged(old_episode)
            (folder / "reference-new.mp3").write_bytes(old)
            subprocess.run([*PODKIT, "tag", "-q", str(folder / "reference-new.mp3"), "--episode",
                            str(new_episode)], check=True)  # fmt: skip
            new = (folder / "reference-new.mp3").read_bytes()
        else:
            old = tagged(folder, old_episode, "reference-old.mp3")
            new = tagged(folder, new_episode, "reference-new.mp3")
        work = folder / "work"
        work.mkdir()
        files = [work / f"copy-{i}.mp3" for i in range(args.files)]
        command = [*PODKIT, "tag", "-q", *map(str, files), "--episode", str(new_episode)]
        for path in files:
            path.write_bytes(old)
        started = time.perf_counter()
        verbose = [*PODKIT, "tag", *command[len(PODKIT) + 2 :]]  # without -q: how each was written
        done = subprocess.run(verbose, check=True, capture_output=True, text=True)
        whole = time.perf_counter() - started
        assert all(path.read_bytes() == new for path in files), "an uninterrupted run failed"
        how = Counter(line.rpartition("(")[2].rstrip(")") for line in done.stdout.splitlines())
        print(f"an uninterrupted run tags {args.files} files in {whole * 1000:.0f} ms: {dict(how)}")
        found: Counter[str] = Counter()
        for _ in range(args.trials):
            for path in files:
                path.write_bytes(old)
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0, whole))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            found["journals left by the kill"] += len(list(work.glob(".*.podkit-journal")))
            subprocess.run(
                [sys.executable, "-c", INSPECT, *map(str, files)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=120,
            )
            for path in files:
                data = path.read_bytes()
                found["old" if data == old else "new" if data == new else "OTHER"] += 1
            found["journals left after inspect"] += len(list(work.glob(".*.podkit-journal")))
            found["other files left"] += len([p for p in work.iterdir() if p not in files])
        print(f"{args.trials} trials of {args.files} files each:")
        for what in ("old", "new", "OTHER", "journals left by the kill",
                     "journals left after inspect", "other files left"):  # fmt: skip
            print(f"  {what:30} {found[what]}")
        if found["OTHER"] or found["journals left after inspect"]:
            sys.exit("FAILED: a file is neither its old nor its new version, or a journal is left")


if __name__ == "__main__":
    main()
