"""Benchmark: what `podkit tag` imports, re-tagging a one-minute MP3 of a one-episode show
whose notes and cover the tag has already cached. Prints the median of `python -X importtime`
totals (the sum of the top-level imports' cumulative times), the number of modules and the
packages imported; with --compare OTHER_PYTHON, the modules this podkit imports no longer.

    .venv/bin/python bench/tag_imports.py [--runs 7] [--console-script] [--top 25]

Needs ffmpeg (Debian package) to make the MP3. Import times depend on the machine's load;
the module lists do not.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from conditions import compile_podkit
from tagging import make_show, one_minute_mp3


def imported(stderr: str) -> tuple[float, list[str], dict[str, float]]:
    """The total import time in ms, the modules and each one's own time in ms, from
    `-X importtime` output."""
    total, modules, own = 0, [], {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        itself, cumulative, name = line[len("import time:") :].split("|")
        modules.append(name.strip())
        own[name.strip()] = int(itself) / 1000
        if len(name) - len(name.lstrip()) == 1:  # a top-level import: its time includes its own
            total += int(cumulative)
    return total / 1000, modules, own


def run(command: list[str]) -> tuple[float, list[str], dict[str, float]]:
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return imported(done.stderr)


def packages(modules: list[str]) -> list[str]:
    """The packages not in Python's standard library."""
    tops = {m.split(".")[0] for m in modules}
    return sorted(t for t in tops if t not in sys.stdlib_module_names and not t.startswith("_"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--console-script", action="store_true", help="run the installed `podkit` script"
    )
    parser.add_argument("--save", type=Path, help="write the modules imported, one a line")
    parser.add_argument("--compare", type=Path, help="a --save file: list the modules not in it")
    parser.add_argument(
        "--top", type=int, default=0, help="list the N slowest modules, by own time"
    )
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("bench/tag_imports.py needs ffmpeg to make its input: apt-get install ffmpeg")
    compile_podkit()
    podkit = [sys.executable, "-X", "importtime", "-m", "toolkit"]
    if args.console_script:
        podkit = [sys.executable, "-X", "importtime", str(Path(sys.executable).parent / "podkit")]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        mp3 = one_minute_mp3(folder / "one.mp3")
        episode = make_show(folder, mp3, 1)
        work = folder / "work.mp3"
        shutil.copyfile(mp3, work)
        command = [*podkit, "tag", "-q", str(work), "--episode", str(episode)]
        run(command)  # the first tag: rewrites the file and fills the show's cache
        results = [run(command) for _ in range(args.runs)]
    totals = [total for total, _, _ in results]
    modules = results[-1][1]
    print(
        f"podkit tag (re-tag, cached show): imports {len(modules)} modules, "
        f"importtime total median {statistics.median(totals):.0f} ms "
        f"(min {min(totals):.0f}, max {max(totals):.0f}, {args.runs} runs)"
    )
    print("packages besides the standard library:", " ".join(packages(modules)))
    toolkit = sorted(m for m in modules if m.startswith("toolkit"))
    print("toolkit modules:", " ".join(toolkit))
    if args.top:
        own = {m: statistics.median(r[2].get(m, 0.0) for r in results) for m in modules}
        slowest = sorted(own, key=own.__getitem__, reverse=True)[: args.top]
        print(f"slowest modules, median own time: {sum(own.values()):.0f} ms in all")
        print("  ".join(f"{m} {own[m]:.2f}" for m in slowest))
    if args.save:
        args.save.write_text("".join(f"{m}\n" for m in sorted(modules)), encoding="utf-8")
    if args.compare:
        before = set(args.compare.read_text(encoding="utf-8").split())
        gone = sorted(before - set(modules))
        print(f"no longer imported ({len(gone)} of {len(before)}):", " ".join(gone))
        print("newly imported:", " ".join(sorted(set(modules) - before)))


if __name__ == "__main__":
    main()
