"""Trial: `podkit build` killed with SIGKILL at a random moment, then built again.

    .venv/bin/python bench/kill_build.py [--trials 30] [--episodes 12] [--seed 1]

Makes its own show in a temporary folder (the Keytime example and copies of its episode) and
deletes it afterwards. Each trial starts from a site built from the show as it is (A), changes
the sources (B: the show's title, which changes every page and MP3, or some episodes' notes
with one episode added and one removed, or both, or a new cover, which podkit swaps into
every MP3's tag in place under a rollback journal), starts `podkit build` and kills its whole
process group with SIGKILL at a random moment between a quarter of what an
uninterrupted build takes (Python has started by then) and a little after its end. It then
counts, in the site:

- stale temporary files: podkit's hidden `.<name>[.<mark>].<random>.tmp` files;
- torn files: files whose bytes are neither A's nor B's version of that file (a fresh build
  of each, made once), or a manifest that is not JSON; an MP3 caught in an in-place write,
  with its rollback journal beside it or named in the site's group journal
  (`.podkit-cache/journal`, a build's in-place writes), is counted apart: the next podkit
  command that touches it puts the old bytes back (the next build's comparison checks that
  it did);
- mixed sites: some files already B's while others are still A's (expected while the build
  renames its files into place).

Then it builds again, from B or from A restored (half the trials each, as a user who reverts
an edit), and compares the site with a fresh build of the same sources (`diff -rq`, the
manifest and `.podkit-cache/` aside: they record inodes and modification times), and counts
the temporary files left.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEYTIME = Path(__file__).resolve().parents[1] / "episodes"
EPISODE = "001-antony-passemard"
MANIFEST = ".podkit-manifest.json"
CACHE = ".podkit-cache"  # the build's own records, sealed; they name inodes and times
GROUP_JOURNAL = f"{CACHE}/journal"  # a build's in-place writes, journaled as one
TEMPORARY = re.compile(r"\..+\.(?:[0-9a-f]{12}\.)?[a-z0-9_]{8}\.tmp")
CHANGES = ("title", "episodes", "both", "cover")


def podkit_build(source: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "toolkit", "build", "-q", "--source", str(source)]
    return subprocess.Popen(
        [*command, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def build(source: Path, out: Path) -> float:
    started = time.perf_counter()
    process = podkit_build(source, out)
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"podkit build failed:\n{stderr.decode()}")
    return time.perf_counter() - started


def kill_during_build(source: Path, out: Path, after: float) -> bool:
    """Start a build and kill it with SIGKILL ``after`` seconds later; True if it was killed
    before it finished."""
    process = podkit_build(source, out)
    try:
        process.wait(timeout=after)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        _wait_group_gone(process.pid)
        return True
    return False


def _wait_group_gone(group: int) -> None:
    for _ in range(200):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def add_episode(show: Path, number: int) -> None:
    folder = show / f"{number:03d}-copie"
    shutil.copytree(KEYTIME / EPISODE, folder)
    toml = folder / "episode.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^number = 1$", f"number = {number}", text)
    text = re.sub(r'(?m)^guid = "[^"]*"$', f'guid = "00000000-0000-4000-8000-{number:012d}"', text)
    text = re.sub(r'(?m)^title = "', f'title = "(copie {number}) ', text)
    toml.write_text(text, encoding="utf-8")


def make_show(folder: Path, episodes: int) -> Path:
    show = folder / "A"
    show.mkdir()
    for name in ("show.toml", "cover.jpg", "corrections.txt"):
        shutil.copy2(KEYTIME / name, show / name)
    shutil.copytree(KEYTIME / EPISODE, show / EPISODE)
    for number in range(2, episodes + 1):
        add_episode(show, number)
    return show


def changed_show(show_a: Path, folder: Path, change: str, episodes: int) -> Path:
    """B: a copy of A (modification times kept) with one kind of change."""
    show = folder / f"B-{change}"
    shutil.copytree(show_a, show)
    if change in ("title", "both"):
        toml = show / "show.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(re.sub(r'(?m)^title = "', 'title = "Nouveau ', text, count=1), "utf-8")
    if change in ("episodes", "both"):
        for number in (2, 3, 4):
            notes = show / f"{number:03d}-copie" / "notes.md"
            notes.write_text(notes.read_text(encoding="utf-8") + "\nAjout.\n", "utf-8")
        shutil.rmtree(show / f"{episodes:03d}-copie")
        add_episode(show, episodes + 1)
    if change == "cover":
        from PIL import Image

        Image.new("RGB", (1400, 1400), (200, 30, 40)).save(show / "cover.jpg", "JPEG")
    return show


def restore(show: Path, state: Path) -> None:
    """Make ``show`` hold ``state``'s files, modification times included."""
    shutil.rmtree(show, ignore_errors=True)
    shutil.copytree(state, show)


def site_files(site: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(site)): p
        for p in site.rglob("*")
        if p.is_file()
        and not TEMPORARY.fullmatch(p.name)
        and p.name != MANIFEST
        and CACHE not in p.relative_to(site).parts
    }


def stale_temporary(site: Path) -> list[Path]:
    return [p for p in site.rglob("*") if TEMPORARY.fullmatch(p.name)]


def torn_and_mixed(site: Path, old: Path, new: Path) -> tuple[int, int, bool]:
    """Torn files, files torn under a rollback journal, and whether old and new mix."""
    torn, journaled, olds, news = 0, 0, 0, 0
    grouped = group_journaled(site)
    for name, path in site_files(site).items():
        data = path.read_bytes()
        was, will = old / name, new / name
        is_old = was.is_file() and was.read_bytes() == data
        is_new = will.is_file() and will.read_bytes() == data
        if not (is_old or is_new):
            if name in grouped or (path.parent / f".{path.name}.podkit-journal").is_file():
                journaled += 1
            else:
                torn += 1
        olds += is_old and not is_new
        news += is_new and not is_old
    try:
        json.loads((site / MANIFEST).read_bytes())
    except (OSError, ValueError):
        torn += 1
    return torn, journaled, olds > 0 and news > 0


def group_journaled(site: Path) -> set[str]:
    """The names the site's group journal lists, if a build left one (complete or not: an
    incomplete one was being written before any file was touched)."""
    try:
        data = (site / GROUP_JOURNAL).read_bytes()
    except FileNotFoundError:
        return set()
    try:
        header = json.loads(data.split(b"\n", 3)[2])
        return {entry["name"] for entry in header["files"]}
    except (IndexError, ValueError, KeyError, TypeError):
        return set()


def differing(site: Path, fresh: Path) -> int:
    result = subprocess.run(
        ["diff", "-rq", "-x", MANIFEST, "-x", CACHE, str(site), str(fresh)],
        capture_output=True,
        text=True,
    )
    return len(result.stdout.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        show_a = make_show(root, options.episodes)
        states = {"A": show_a}
        for change in CHANGES:
            states[change] = changed_show(show_a, root, change, options.episodes)
        fresh = {name: root / f"fresh-{name}" for name in states}
        for name, state in states.items():
            build(state, fresh[name])
        show, site = root / "show", root / "site"
        restore(show, show_a)
        build(show, site)
        durations = {}
        for change in CHANGES:  # how long an uninterrupted build from A to B takes
            restore(show, states[change])
            durations[change] = build(show, site)
            restore(show, show_a)
            build(show, site)
        print(
            f"show: {options.episodes} episodes; a build from A to B takes "
            + ", ".join(f"{s:.1f} s ({c})" for c, s in durations.items())
        )
        figures = {
            "killed": 0,
            "mixed": 0,
            "torn": 0,
            "journaled": 0,
            "stale_before": 0,
            "stale_bytes": 0,
            "stale_most": 0,
            "stale_after": 0,
            "group_journal_after": 0,
            "differing": 0,
            "differing_trials": 0,
            "differing_at_start": 0,
        }
        for _ in range(options.trials):
            change = rng.choice(CHANGES)
            restore(show, show_a)
            build(show, site)
            figures["differing_at_start"] += differing(site, fresh["A"])
            restore(show, states[change])
            figures["killed"] += kill_during_build(
                show, site, rng.uniform(0.25, 1.05) * durations[change]
            )
            stale = stale_temporary(site)
            torn, journaled, mixed = torn_and_mixed(site, fresh["A"], fresh[change])
            figures["torn"] += torn
            figures["journaled"] += journaled
            figures["mixed"] += mixed
            figures["stale_before"] += len(stale)
            figures["stale_most"] = max(figures["stale_most"], len(stale))
            figures["stale_bytes"] += sum(p.stat().st_size for p in stale)
            target = rng.choice(["A", change])  # revert the sources, or keep the change
            restore(show, states[target])
            build(show, site)
            figures["stale_after"] += len(stale_temporary(site))
            figures["group_journal_after"] += (site / GROUP_JOURNAL).exists()
            count = differing(site, fresh[target])
            figures["differing"] += count
            figures["differing_trials"] += count > 0
        print(
            f"trials: {options.trials}, killed before the build finished: {figures['killed']}\n"
            f"torn files after the kill: {figures['torn']} (and {figures['journaled']} MP3s "
            f"caught in an in-place write, their journal beside them or the group journal naming them)\n"
            f"sites holding a mix of old and new files after the kill: {figures['mixed']}\n"
            f"stale temporary files after the kill: {figures['stale_before']} "
            f"(most in one trial: {figures['stale_most']}, "
            f"{figures['stale_bytes'] / 1e6:.0f} MB in all)\n"
            f"stale temporary files after the next build: {figures['stale_after']}\n"
            f"group journals left after the next build: {figures['group_journal_after']}\n"
            f"files differing from a fresh build after the next build: {figures['differing']} "
            f"(in {figures['differing_trials']} trials)\n"
            f"files differing from a fresh build at the start of a trial: "
            f"{figures['differing_at_start']}"
        )
        problems = figures["torn"] + figures["stale_after"] + figures["differing"]
        problems += figures["group_journal_after"]
        sys.exit(1 if problems + figures["differing_at_start"] else 0)


if __name__ == "__main__":
    main()
