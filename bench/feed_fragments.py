"""Benchmark: the feed rendered whole against the feed assembled from kept item fragments.

    .venv/bin/python bench/feed_fragments.py              # 1,000 and 10,000 episodes
    .venv/bin/python bench/feed_fragments.py 100 1000     # other sizes

One episode like bench/build.py's (notes with a link, eight chapters) is loaded from a show
made here, then copied in memory into N episodes of their own (slug, GUID, number, title,
notes). Prints, per size, CPU seconds of: a full render (`toolkit.feed.build_feed`); the
first build with fragments (every item rendered, the fragments written); one with nothing
changed (every item taken back); after one episode's notes were edited; after one was added.
CPU time of this process, which varies less than wall time on a shared machine; the load
average is printed too. Every assembled feed is checked against a full render.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from build import make_show

from toolkit.config import load_show
from toolkit.feed import Enclosure, build_feed
from toolkit.feed_fragments import build_feed as assembled_feed
from toolkit.model import Episode, Show


def many(show: Show, count: int) -> Show:
    model = replace(show.episodes[0], transcript=None)
    return replace(show, episodes=tuple(copy(model, i) for i in range(count)))


def copy(model: Episode, i: int) -> Episode:
    return replace(
        model,
        slug=f"{i:05d}-episode",
        guid=f"guid-{i}",
        number=i + 1,
        title=f"Épisode {i + 1}",
        notes_html=model.notes_html.replace("1", str(i + 1)),
        notes_text=model.notes_text.replace("1", str(i + 1)),
    )


def changed(show: Show, step: str) -> Show:
    """The show after this step's change."""
    if step == "edited":
        first = show.episodes[0]
        edited = replace(first, notes_html=first.notes_html + "<p>Plus.</p>")
        return replace(show, episodes=(edited, *show.episodes[1:]))
    if step == "added":
        added = copy(show.episodes[1], len(show.episodes))
        return replace(show, episodes=(*show.episodes, added))
    return show


def cpu_seconds(out: Path | None, show: Show) -> float:
    """CPU seconds of a full render (no ``out``) or of an assembly kept in ``out``, which is
    checked against a full render."""
    enclosures = {e.slug: Enclosure(f"https://example.org/{e.slug}.mp3", 1) for e in show.episodes}
    formats = {e.slug: ("vtt", "srt") for e in show.episodes}
    started = time.process_time()
    xml = (
        build_feed(show, enclosures, formats)
        if out is None
        else assembled_feed(out, show, enclosures, formats)
    )
    seconds = time.process_time() - started
    assert out is None or xml == build_feed(show, enclosures, formats)
    return seconds


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    print(f"load average {os.getloadavg()[0]:.2f}; CPU seconds")
    print(f"{'episodes':>8} {'full':>7} {'cold':>7} {'same':>7} {'1 edited':>9} {'1 added':>8}")
    with tempfile.TemporaryDirectory() as temporary:
        loaded, _ = load_show(make_show(Path(temporary), 1))
        for size in sizes:
            out = Path(temporary, f"site-{size}")
            show = many(loaded, size)
            figures = [cpu_seconds(None, show)]
            for step in ("cold", "same", "edited", "added"):
                show = changed(show, step)
                figures.append(cpu_seconds(out, show))
            full, cold, same, edited, added = figures
            print(
                f"{size:>8} {full:>6.2f}s {cold:>6.2f}s {same:>6.2f}s {edited:>8.2f}s {added:>7.2f}s"
            )


if __name__ == "__main__":
    main()
