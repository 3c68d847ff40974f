"""Benchmark: sealing and opening what a build keeps, by this checkout and by another one, in
turns: a sealed file of 20 MB (a packed cache of a large show) and 10,000 small records
sealed and verified one by one (a build's records of loaded episodes, feed items...). Each
round runs in a new process that has imported `hashlib`, as a build has; the figures are the
medians of each process's own CPU time (user + system) per operation.

    .venv/bin/python bench/seal_speed.py OTHER_CHECKOUT [--rounds 7] [--megabytes 20]

OTHER_CHECKOUT is a folder holding another version's `toolkit/` (e.g. made with
`git archive COMMIT | tar -x -C DIR`); it runs with this checkout's Python and libraries.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from conditions import compiled_checkouts

# Runs in a new process: argv is the checkout, the megabytes, the records; prints ms per step.
ROUND = """
import hashlib, json, os, sys, time
sys.path.insert(0, sys.argv[1])
from toolkit import seal
assert seal.__file__.startswith(sys.argv[1]), seal.__file__
big = os.urandom(int(sys.argv[2]) << 20)
small = [os.urandom(1024) for _ in range(int(sys.argv[3]))]
seal.seal(b"", "bench")  # the key, made or read once
def cpu(work):
    started = time.process_time()
    work()
    return (time.process_time() - started) * 1000
sealed = []
made = cpu(lambda: sealed.append(seal.sealed_file(b"bench 1\\n", big, "bench")))
opened = cpu(lambda: seal.opened_file(sealed[0], b"bench 1\\n", "bench"))
tags = []
records = cpu(lambda: tags.extend(seal.seal(r, "bench") for r in small))
verified = cpu(lambda: all(seal.verified(r, t, "bench") for r, t in zip(small, tags)))
print(json.dumps({"seal file": made, "open file": opened, "seal records": records,
                  "verify records": verified}))
"""


def one_round(
    checkout: Path, megabytes: int, records: int, env: dict[str, str]
) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", ROUND, str(checkout), str(megabytes), str(records)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path, help="another checkout (holding toolkit/)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    checkouts = compiled_checkouts(args.other)
    found: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "XDG_CACHE_HOME": home}
        for _ in range(args.rounds):
            for name, checkout in checkouts.items():
                found[name].append(one_round(checkout, args.megabytes, args.records, env))
    load = os.getloadavg()
    print(f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; median CPU ms of {args.rounds} rounds")
    print(f"{'':8}" + "".join(f"{step:>16}" for step in found["this"][0]))
    for name, rounds in found.items():
        medians = [statistics.median(r[step] for r in rounds) for step in rounds[0]]
        print(f"{name:8}" + "".join(f"{m:16.1f}" for m in medians))
    print(f"(file: {args.megabytes} MB; records: {args.records} of 1 KB each)")


if __name__ == "__main__":
    main()
