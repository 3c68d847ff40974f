"""Benchmark: building a large show, cold and incrementally.

    .venv/bin/python bench/build.py                 # 100 and 1,000 episodes
    .venv/bin/python bench/build.py 100 1000 10000  # the growth curve up to 10,000
    .venv/bin/python bench/build.py 10000 --keep DIR  # a show kept in DIR between runs

Each episode gets a ~10,000-word timed transcript, eight chapters, show notes and a small
MP3 (ten minutes of MPEG silence, made here: no encoder needed). Everything is generated in a
temporary folder and deleted afterwards. Prints, per size: cold build time and peak memory,
rebuild with nothing changed, after editing one episode's notes, after adding an episode, the
feed generation alone, and the floor of a rebuild: a process that only lists the show's
folders and stats every file in them (what a rebuild must do to know nothing changed).
Whole-process times (`python -m toolkit build`), with the load average beside them.

With ``--keep DIR`` (one size), the show is generated once in DIR/episodes and built into
DIR/site, both kept: a later run skips the generation and, while DIR/site is there, the cold
build too (its column then shows the first build, cold only after a change of podkit's code).
The episode the run adds is removed at its end, so the next run measures the same show.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from conditions import compile_podkit, machine_speed

FRAME = bytes([0xFF, 0xF3, 0x18, 0xC0]) + bytes(32)  # MPEG-2 layer III, 16 kHz, 8 kbit/s, mono
SECONDS_PER_FRAME = 576 / 16000
AUDIO_SECONDS = 600
WORDS = (
    "alors donc voilà en fait le la les un une des du de et à dans pour avec sur chez nous vous "
    "ils on projet équipe produit client données cloud réseau boîte entreprise marché idée "
    "décision culture stratégie année moment question réponse chose temps travail ingénieur "
    "école étudiant carrière développement logiciel plateforme service contrat communauté "
    "apprendre construire lancer changer grandir partir revenir décider travailler comprendre"
).split()
SPEAKERS = ("Laura Guibora", "Invité·e")


def silent_mp3() -> bytes:
    return FRAME * int(AUDIO_SECONDS / SECONDS_PER_FRAME)


def transcript(rng: random.Random, words: int = 10_000) -> str:
    lines: list[str] = []
    said, time_at, speaker = 0, 0.0, 1
    per_word = (AUDIO_SECONDS - 5) / words
    while said < words:
        if rng.random() < 0.15 or not lines:
            speaker = 1 - speaker
            lines.append(f"- {SPEAKERS[speaker]}")
        count = rng.randint(8, 22)
        sentence = " ".join(rng.choice(WORDS) for _ in range(count))
        hours, rest = divmod(time_at, 3600)
        minutes, seconds = divmod(rest, 60)
        lines.append(
            f"[{int(hours):02d}:{int(minutes):02d}:{seconds:06.3f}] {sentence.capitalize()}."
        )
        said += count
        time_at += count * per_word
    return "\n".join(lines) + "\n"


def write_episode(source: Path, number: int, audio: Path, rng: random.Random) -> None:
    folder = source / f"{number:05d}-episode"
    folder.mkdir()
    step = AUDIO_SECONDS // 8
    chapters = "".join(
        f'\n[[chapters]]\nstart = "00:{i * step // 60:02d}:{i * step % 60:02d}"\ntitle = "Chapitre {i + 1}"\n'
        for i in range(8)
    )
    (folder / "episode.toml").write_text(
        f'title = "Épisode {number}"\nnumber = {number}\npublished = 2020-01-01T08:00:00+01:00\n'
        f'guid = "{uuid.UUID(int=rng.getrandbits(128))}"\naudio = "episode.mp3"\n{chapters}',
        encoding="utf-8",
    )
    (folder / "notes.md").write_text(
        f"Notes de l'épisode {number}.\n\n## Liens\n\n- [Efrei](https://www.efrei.fr/)\n",
        encoding="utf-8",
    )
    (folder / "transcript.txt").write_text(transcript(rng), encoding="utf-8")
    (folder / "episode.mp3").symlink_to(audio)


def shared_audio(source: Path) -> Path:
    return source / "_audio" / "silence.mp3"


def make_show(root: Path, episodes: int) -> Path:
    source = root / "episodes"
    source.mkdir()
    keytime = Path(__file__).resolve().parents[1] / "episodes"
    (source / "cover.jpg").write_bytes((keytime / "cover.jpg").read_bytes())
    (source / "show.toml").write_text(
        (keytime / "show.toml")
        .read_text(encoding="utf-8")
        .replace("https://keytime.efrei.fr/", "https://example.org/"),
        encoding="utf-8",
    )
    audio = shared_audio(source)  # every episode links to it: files stay inside the show
    audio.parent.mkdir()
    audio.write_bytes(silent_mp3())
    rng = random.Random(episodes)
    for number in range(1, episodes + 1):
        write_episode(source, number, audio, rng)
    return source


def timed_build(source: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB) and CPU seconds (all processes) of one
    `podkit build`. CPU time varies less than wall time when the machine is shared."""
    command = ["/usr/bin/time", "-f", "%M %U %S", sys.executable, "-m", "toolkit", "build", "-q",
               "--source", str(source), "--out", str(out)]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak, user, system = result.stderr.strip().splitlines()[-1].split()
    return seconds, int(peak) / 1024, float(user) + float(system)


def feed_alone(source: Path) -> float:
    script = (
        "import time,sys;from pathlib import Path;from toolkit.config import load_show;"
        "from toolkit.feed import Enclosure,build_feed;s,_=load_show(Path(sys.argv[1]));"
        # As in a build: the transcripts' formats are known, the transcripts are not in memory.
        "import dataclasses as d,gc;r=d.replace;from toolkit.transcript import published_formats;"
        "f={x.slug:published_formats(x.transcript) for x in s.episodes if x.transcript};"
        "s=r(s,episodes=tuple(r(x,transcript=None) for x in s.episodes));gc.collect();"
        "e={x.slug:Enclosure('https://example.org/a.mp3',1) for x in s.episodes};"
        "t=time.perf_counter();build_feed(s,e,f);print(time.perf_counter()-t)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(source)], check=True, capture_output=True, text=True
    )
    return float(result.stdout)


# Lists the show's folders and stats every file in them, as a rebuild must: nothing more.
FLOOR = """
import os, sys, time
started = time.perf_counter()
for entry in os.scandir(sys.argv[1]):
    if entry.is_dir() and not entry.name.startswith(("_", ".")):
        for name in os.listdir(entry.path):
            os.stat(os.path.join(entry.path, name))
    else:
        entry.stat()
print(time.perf_counter() - started)
"""


def stat_floor(source: Path) -> tuple[float, float]:
    """Seconds of the stat walk alone, and of the whole process that makes it."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", FLOOR, str(source)], check=True, capture_output=True, text=True
    )
    return float(result.stdout), time.perf_counter() - started


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="episode counts (100 1000)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="a show kept between runs")
    options = parser.parse_args()
    keep: Path | None = options.keep
    sizes: list[int] = options.sizes or [100, 1000]
    if keep and len(sizes) != 1:
        sys.exit("--keep DIR measures one size")
    compile_podkit()
    print(machine_speed())
    print("targets at 10,000: unchanged < 2 s, 1 edited < 3 s, 1 added < 3 s, cold < 300 s and")
    print("< 1 GB; at 1,000: cold < 15 s. floor: the stat walk alone / its whole process.")
    print("CPU: user+sys seconds of the build's processes.")
    print(
        f"{'episodes':>8} {'cold':>8} {'cold CPU':>9} {'peak MB':>8} {'unchanged':>10} {'CPU':>5} {'1 edited':>9} {'CPU':>5} {'1 added':>8} {'CPU':>5} {'feed':>7} {'floor':>7} {'floor proc':>10}"
    )
    for size in sizes:
        if keep:
            measure(keep, size, kept=True)
            continue
        with tempfile.TemporaryDirectory() as temporary:
            measure(Path(temporary), size, kept=False)


def measure(root: Path, size: int, kept: bool) -> None:
    """Prints one line of figures for the show of ``size`` episodes in ``root``."""
    source, out = root / "episodes", root / "site"
    if not source.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        make_show(root, size)
    cold, peak, cpu = timed_build(source, out)
    timed_build(source, out)  # records the episodes the cold build saw just written
    time.sleep(2)  # files written this recently are loaded again (see toolkit.cache)
    unchanged, _, unchanged_cpu = timed_build(source, out)
    notes = next(source.glob("*-episode")) / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    edited, _, edited_cpu = timed_build(source, out)
    write_episode(source, size + 1, shared_audio(source), random.Random(0))
    added, _, added_cpu = timed_build(source, out)
    feed = feed_alone(source)
    floor, floor_process = stat_floor(source)
    if kept:  # the same show for the next run
        shutil.rmtree(source / f"{size + 1:05d}-episode")
    print(
        f"{size:>8} {cold:>7.1f}s {cpu:>8.1f}s {peak:>8.0f} {unchanged:>9.2f}s {unchanged_cpu:>5.2f} {edited:>8.2f}s {edited_cpu:>5.2f} {added:>7.2f}s {added_cpu:>5.2f} {feed:>6.2f}s {floor:>6.2f}s {floor_process:>9.2f}s  ({load()})"
    )


if __name__ == "__main__":
    main()
