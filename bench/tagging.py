"""Benchmark: writing six chapters and a cover into a long MP3, podkit against ffmpeg (and
eyeD3 where it is installed). Whole-process wall time, median of several runs. A "floor" row
times the least a Python tagger that writes safely can do: start Python, import click,
mutagen and tomllib, copy the file beside itself and rename it over.

    .venv/bin/python bench/tagging.py [--runs 5]

Needs ffmpeg (Debian package) to make its inputs: a 55-minute and a 110-minute mono
128 kbit/s MP3, made in a temporary folder and deleted afterwards.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from conditions import compile_podkit, machine_speed
from PIL import Image

CHAPTERS = ["Introduction", "Première partie", "Deuxième partie", "Troisième partie",
            "La question de l'étudiante", "Conclusion"]  # fmt: skip


def make_inputs(folder: Path) -> dict[str, Path]:
    m55 = folder / "m55.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3300",
         "-ac", "1", "-b:a", "128k", "-id3v2_version", "0", "-y", str(m55)],
        check=True,
    )  # fmt: skip
    m110 = folder / "m110.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", f"concat:{m55}|{m55}", "-c", "copy", "-id3v2_version", "0",
         "-y", str(m110)],
        check=True,
    )  # fmt: skip
    return {"55 min": m55, "110 min": m110}


def one_minute_mp3(path: Path) -> Path:
    """A one-minute mono 128 kbit/s MP3 without a tag (for the benches that time a re-tag's
    start-up, not its audio)."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=60",
         "-ac", "1", "-b:a", "128k", "-id3v2_version", "0", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path


def make_show(folder: Path, mp3: Path, minutes: int) -> Path:
    """A one-episode show whose episode.toml carries the six chapters."""
    show = folder / f"show{minutes}"
    episode = show / "001-bench"
    episode.mkdir(parents=True)
    cover = io.BytesIO()
    Image.new("RGB", (1400, 1400), (40, 30, 120)).save(cover, "JPEG", quality=90)
    (show / "cover.jpg").write_bytes(cover.getvalue())
    (show / "show.toml").write_text(
        'title = "Bench"\ndescription = "Bench."\nlanguage = "fr"\nbase_url = "https://example.org/"\n'
        'author = "Bench"\ncopyright = "Bench"\ncover = "cover.jpg"\n'
        '[owner]\nname = "Bench"\nemail = "bench@example.org"\n[[categories]]\nname = "Technology"\n',
        encoding="utf-8",
    )
    step = minutes * 60 // len(CHAPTERS)
    chapters = "".join(
        f'\n[[chapters]]\nstart = "{i * step // 3600:02d}:{i * step % 3600 // 60:02d}:{i * step % 60:02d}"\n'
        f'title = "{title}"\n'
        for i, title in enumerate(CHAPTERS)
    )
    (episode / "episode.toml").write_text(
        'title = "Bench"\nnumber = 1\npublished = 2024-01-01T08:00:00+01:00\n'
        f'guid = "bench-guid"\naudio = "{mp3.name}"\n{chapters}',
        encoding="utf-8",
    )
    (episode / "notes.md").write_text("Bench.\n", encoding="utf-8")
    # podkit reads only files inside the show: a hard link puts the input there without a copy.
    shared = show / "_audio" / mp3.name
    shared.parent.mkdir()
    os.link(mp3, shared)
    (episode / mp3.name).symlink_to(shared)
    return episode


def shows_per_checkout(
    folder: Path, checkouts: dict[str, Path]
) -> dict[str, tuple[Path, Path, dict[str, str]]]:
    """For each checkout (by name): a copy of a one-minute MP3 to re-tag, the folder of its
    one-episode show, and the environment that runs that checkout's podkit. One show each: the
    cache of derived values is keyed by the code that made them."""
    mp3 = one_minute_mp3(folder / "one.mp3")
    made = {}
    for name, root in checkouts.items():
        place = folder / name
        place.mkdir()
        episode = make_show(place, mp3, 1)
        work = place / "work.mp3"
        shutil.copyfile(mp3, work)
        made[name] = (work, episode, dict(os.environ, PYTHONPATH=str(root)))
    return made


def retitle(episode: Path) -> Callable[[], object]:
    """Before each re-tag, not timed: episode.toml gets a new title of the same length, so
    every run writes a tag that differs from the file's."""
    runs = iter(range(1, 1_000_000))

    def before() -> None:
        toml = episode / "episode.toml"
        text = toml.read_text(encoding="utf-8")
        start = text.index('title = "Bench') + len('title = "Bench')
        toml.write_text(f"{text[:start]} {next(runs):06d}{text[text.index(chr(34), start) :]}")

    return before


def ffmetadata(minutes: int) -> str:
    step = minutes * 60 * 1000 // len(CHAPTERS)
    parts = [";FFMETADATA1\n"]
    for i, title in enumerate(CHAPTERS):
        end = (i + 1) * step if i + 1 < len(CHAPTERS) else minutes * 60 * 1000
        parts.append(f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={i * step}\nEND={end}\ntitle={title}\n")
    return "".join(parts)


# The least any Python `podkit tag` can cost: start Python, import the libraries every tagging
# needs, and copy the audio beside the file and rename it over (the safe write of #5).
FLOOR = """
import os, sys, tempfile
import click, mutagen.id3, tomllib
path = sys.argv[1]
handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path))
with open(path, "rb") as source:
    size, offset = os.fstat(source.fileno()).st_size, 0
    while offset < size:
        offset += os.copy_file_range(source.fileno(), handle, size - offset, offset)
os.close(handle)
os.replace(temporary, path)
"""


# eyeD3 writing the same six chapters (titles, times, a table of contents) and the cover.
EYED3 = f"""
import sys
import eyed3
from eyed3.id3.frames import ImageFrame
path, minutes = sys.argv[1], int(sys.argv[2])
titles = {CHAPTERS!r}
audio = eyed3.load(path)
tag = audio.tag or audio.initTag(version=(2, 3, 0))
step = minutes * 60 * 1000 // len(titles)
ids = []
for i, title in enumerate(titles):
    end = (i + 1) * step if i + 1 < len(titles) else minutes * 60 * 1000
    chapter = tag.chapters.set(f"chp{{i}}".encode(), (i * step, end))
    chapter.title = title
    ids.append(chapter.element_id)
tag.table_of_contents.set(b"toc", toplevel=True, ordered=True, child_ids=ids)
cover = open(sys.argv[3], "rb").read()
tag.images.set(ImageFrame.FRONT_COVER, cover, "image/jpeg")
tag.save(version=(2, 3, 0))
"""


def versus(seconds: float, podkit: float) -> str:
    if seconds >= podkit:
        return f"{seconds / podkit:.1f}x slower"
    return f"{podkit / seconds:.1f}x faster"


def median_times(
    command: list[str], runs: int, before: Callable[[], object]
) -> tuple[float, float]:
    """Medians of the wall time and of the CPU time (user + system) of the process. The
    disks are flushed first: no run pays for writing back the files the last step wrote."""
    walls, cpus = [], []
    for _ in range(runs):
        before()
        os.sync()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(now.ru_utime - used.ru_utime + now.ru_stime - used.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def median_time(command: list[str], runs: int, before: Callable[[], object]) -> float:
    return median_times(command, runs, before)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("bench/tagging.py needs ffmpeg to make its inputs: apt-get install ffmpeg")
    podkit = [sys.executable, "-m", "toolkit"]
    compile_podkit()
    print(machine_speed())
    eyed3 = importlib.util.find_spec("eyed3") is not None  # its Python API, in this Python
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        inputs = make_inputs(folder)
        print(f"{'file':8} {'operation':34} {'median':>9}  vs podkit")
        retag: dict[str, float] = {}
        for label, source in inputs.items():
            minutes = 55 if label == "55 min" else 110
            episode = make_show(folder, source, minutes)
            work = folder / f"work-{minutes}.mp3"

            fresh_copy = partial(shutil.copyfile, source, work)  # before each run, not timed

            fresh = median_time(
                [*podkit, "tag", "-q", str(work), "--episode", str(episode)], args.runs, fresh_copy
            )
            fresh_copy()
            subprocess.run([*podkit, "tag", "-q", str(work), "--episode", str(episode)], check=True)
            again, again_cpu = median_times(
                [*podkit, "tag", "-q", str(work), "--episode", str(episode)],
                args.runs,
                retitle(episode),
            )
            retag[label] = again
            meta = folder / f"meta-{minutes}.txt"
            meta.write_text(ffmetadata(minutes), encoding="utf-8")
            out = folder / f"ffmpeg-{minutes}.mp3"
            ffmpeg = median_time(
                ["ffmpeg", "-v", "error", "-i", str(source), "-i", str(meta), "-map_metadata", "1",
                 "-map_chapters", "1", "-c", "copy", "-y", str(out)],
                args.runs, lambda: None,
            )  # fmt: skip
            floor = median_time([sys.executable, "-c", FLOOR, str(work)], args.runs, fresh_copy)
            bare, bare_cpu = median_times(
                [sys.executable, "-c", "import mutagen.id3"], args.runs, lambda: None
            )
            print(f"{label:8} {'podkit tag (fresh copy)':34} {fresh * 1000:7.0f} ms  1.0x")
            print(f"{label:8} {'podkit tag (re-tag, new title)':34} {again * 1000:7.0f} ms")
            print(
                f"{label:8} {'floor: Python, imports, copy+rename':34} {floor * 1000:7.0f} ms"
                f"  {versus(floor, fresh)}"
            )
            print(
                f"{label:8} {'ffmpeg -map_chapters -c copy':34} {ffmpeg * 1000:7.0f} ms  {versus(ffmpeg, fresh)}"
            )
            print(f"{label:8} {'Python importing mutagen, no work':34} {bare * 1000:7.0f} ms")
            print(
                f"{label:8} re-tag: {ffmpeg / again:.1f}x faster than ffmpeg (target: 10x), "
                f"{again / bare:.2f}x a bare Python with mutagen (target: at most 2x); "
                f"first tag: {fresh / floor:.2f}x the floor (target: at most 1.3x)"
            )
            print(
                f"{label:8} CPU time (user + system, less sensitive to the load): re-tag "
                f"{again_cpu * 1000:.0f} ms, bare Python with mutagen {bare_cpu * 1000:.0f} ms "
                f"({again_cpu / bare_cpu:.2f}x)"
            )
            if eyed3:
                eye = median_time(
                    [
                        sys.executable,
                        "-c",
                        EYED3,
                        str(work),
                        str(minutes),
                        str(episode.parent / "cover.jpg"),
                    ],
                    args.runs,
                    fresh_copy,
                )
                print(
                    f"{label:8} {'eyeD3 (Python API)':34} {eye * 1000:7.0f} ms  {versus(eye, fresh)}"
                )
        ratio = retag["110 min"] / retag["55 min"]
        print(f"re-tagging 110 min / 55 min: {ratio:.2f} (target: at most 1.1)")


if __name__ == "__main__":
    main()
