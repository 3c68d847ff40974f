"""Fuzz: mutated show files, transcripts, chapter files and MP3s run through the real
commands (build, check, transcript convert, chapters import, inspect), counting what should
never happen: a traceback, a hang, an exit status other than 0 or 1, a site changed by a
failed command, sources changed. tests/test_fuzz.py runs a few hundred of the same cases on
every test run; this runs as many as asked, each under a time limit.

    .venv/bin/python bench/fuzz.py [--cases 10000] [--seed 1] [--timeout 20]

Exit status 1 when any case went wrong; the first few are printed in full.
"""

from __future__ import annotations

import argparse
import collections
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import Case, FuzzShow, random_case


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=20, help="Seconds a case may take.")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts: collections.Counter[str] = collections.Counter()
    exits: collections.Counter[int] = collections.Counter()
    shown: list[tuple[Case, str]] = []
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as folder:
        show = FuzzShow(Path(folder))
        for number in range(1, args.cases + 1):
            case = random_case(rng)
            signal.alarm(args.timeout)
            try:
                outcome = show.run(case)
            except Hang:
                counts["hangs"] += 1
                shown.append((case, "hang"))
                continue
            finally:
                signal.alarm(0)
            exits[outcome.exit_code] += 1
            for failure in outcome.failures:
                kind = "tracebacks" if failure.startswith("Traceback") else failure
                counts[kind] += 1
                shown.append((case, failure))
            if number % 500 == 0:
                print(f"{number} cases, {sum(counts.values())} problems", file=sys.stderr)
    elapsed = time.perf_counter() - started
    for case, failure in shown[:10]:
        print(f"--- {case}\n{failure}")
    print(f"cases: {args.cases} (seed {args.seed}) in {elapsed:.0f} s")
    print("exit statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(exits.items())))
    for kind in ("tracebacks", "hangs", "site modified by a failed command", "sources modified",
                 "episode.toml modified by a failed import"):  # fmt: skip
        print(f"{kind}: {counts.pop(kind, 0)}")
    for kind, count in counts.items():
        print(f"{kind}: {count}")
    return 1 if shown else 0


if __name__ == "__main__":
    sys.exit(main())
