"""Benchmark: reading and writing the manifest of a built site, in this process.

    .venv/bin/python bench/manifest.py SITE [--runs 7]

Prints the best of the runs of `Manifest.load` (the parse and checks of every entry) and of
`Manifest.serialised` (the bytes an edited build writes), and whether the bytes written are
those on disk. Run by another checkout's Python, it measures that checkout's podkit.
"""

from __future__ import annotations

import argparse
import os
import timeit
from pathlib import Path

from toolkit.cache import MANIFEST, Manifest  # the podkit of the Python that runs this


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    manifest = Manifest.load(args.site)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{len(manifest.files)} files, {len(manifest.episodes)} episodes")
    load = min(timeit.repeat(lambda: Manifest.load(args.site), number=1, repeat=args.runs))
    write = min(timeit.repeat(manifest.serialised, number=1, repeat=args.runs))
    print(f"Manifest.load: {load * 1000:.1f} ms (best of {args.runs})")
    print(f"Manifest.serialised: {write * 1000:.1f} ms (best of {args.runs})")
    print(f"same bytes as on disk: {manifest.serialised() == (args.site / MANIFEST).read_bytes()}")


if __name__ == "__main__":
    main()
