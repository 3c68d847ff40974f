"""Benchmark: rebuild a show after its cover changed. Every episode's tag changes and none of
its audio: podkit re-tags the site's copies in place. Compared with the same rebuild when the
site's MP3s cannot be re-tagged in place (their modification times touched, so podkit copies
every MP3 again), and with copying the MP3s alone.

    .venv/bin/python bench/cover_change.py [--episodes 1000] [--runs 3]

The show is bench/build.py's (transcripts, notes, chapters, ten minutes of audio) with its
silence at 128 kbit/s (9.6 MB) shared by every episode; the site has its own copies. At 1,000
episodes that is 9.6 GB, and twice as much while the copying build stages its copies: the
disk needs about 20 GB free. Also printed: a rebuild with nothing changed, for reference.
Each timed build starts once the data earlier steps wrote is on the disk (`os.sync`), so that
it pays for its own writes only: a build's copies are still being written to the disk for a
while after it ends, and each fsync of the in-place re-tag waits for its MP3's unwritten data.
Also printed: the in-place build run right after the copying build, which pays that wait.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from build import AUDIO_SECONDS, make_show, shared_audio, timed_build
from conditions import compile_podkit, machine_speed
from PIL import Image

# An MPEG-1 layer III frame at 128 kbit/s, 44.1 kHz, mono: 417 bytes for 1152 samples.
FRAME = bytes([0xFF, 0xFB, 0x90, 0xC0]) + bytes(413)
SECONDS_PER_FRAME = 1152 / 44100


def new_cover(source: Path, colour: int) -> None:
    Image.new("RGB", (1400, 1400), (colour, 60, 90)).save(source / "cover.jpg", "JPEG")


def copy_all(out: Path) -> float:
    """Copy every MP3 of the site beside itself (the kernel's copy), then delete the copies."""
    started = time.perf_counter()
    for mp3 in out.glob("*/*.mp3"):
        shutil.copyfile(mp3, mp3.with_suffix(".copy"))
    elapsed = time.perf_counter() - started
    for copy in out.glob("*/*.copy"):
        copy.unlink()
    return elapsed


def dirty_mb() -> float:
    """Data written to files and not yet on the disk, machine-wide (Linux): waiting to be
    written, or being written."""
    with open("/proc/meminfo") as meminfo:
        kb = [int(line.split()[1]) for line in meminfo if line.startswith(("Dirty:", "Writeback:"))]
    return sum(kb) / 1024


def settle() -> None:
    """Write what earlier steps left in memory to the disk, so that a timed build does not
    pay for it: its fsyncs of a site MP3 would wait for that file's data."""
    os.sync()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_podkit()
    print(machine_speed())
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        source = make_show(root, args.episodes)
        shared_audio(source).write_bytes(FRAME * int(AUDIO_SECONDS / SECONDS_PER_FRAME))
        out = root / "site"
        timed_build(source, out)
        timed_build(source, out)  # records the episodes the first build saw just written
        time.sleep(2)  # files written this recently are loaded again (see toolkit.cache)
        in_place, copied, copies, unchanged, cpu, unsettled, dirty = ([] for _ in range(7))
        colour = 0
        for _ in range(args.runs):
            settle()
            unchanged.append(timed_build(source, out)[0])
            colour += 1
            new_cover(source, colour)
            settle()
            seconds, _, cpu_seconds = timed_build(source, out)
            in_place.append(seconds)
            cpu.append(cpu_seconds)
            colour += 1
            new_cover(source, colour)
            for mp3 in out.glob("*/*.mp3"):  # no longer as the last build left them
                os.utime(mp3)
            settle()
            copied.append(timed_build(source, out)[0])
            colour += 1
            new_cover(source, colour)
            dirty.append(dirty_mb())  # the copies the last build made, not on the disk yet
            unsettled.append(timed_build(source, out)[0])
            settle()
            copies.append(copy_all(out))
        size = next(out.glob("*/*.mp3")).stat().st_size
        a, b, c, d, e, f, g = (
            statistics.median(x)
            for x in (in_place, copied, copies, unchanged, cpu, unsettled, dirty)
        )
        print(f"{args.episodes} episodes, MP3s of {size / 1e6:.1f} MB, medians of {args.runs}:")
        print(f"  nothing changed                     {d:7.2f} s")
        print(f"  cover changed, re-tagged in place   {a:7.2f} s  ({e:.2f} s CPU)")
        print(f"  cover changed, every MP3 copied     {b:7.2f} s")
        print(f"  copying the MP3s alone              {c:7.2f} s")
        print(
            f"  re-tagged in place right after the copying build: {f:.2f} s, its fsyncs waiting "
            f"for the {g:.0f} MB of copies not yet on the disk"
        )
        print(
            f"cover changed: the in-place build is {b / a:.1f}x faster than the same build "
            f"copying every MP3 (target: at least 20x)  (load {os.getloadavg()[0]:.2f})"
        )


if __name__ == "__main__":
    sys.exit(main())
