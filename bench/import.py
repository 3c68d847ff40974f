"""Bench: `podkit import --audio link` of a generated 500-item feed served from 127.0.0.1.

    .venv/bin/python bench/import.py [--items 500] [--runs 3] [--without-length 0]

A feed shaped like a host's (title, GUID, date, enclosure with its length, itunes:duration,
HTML notes per item) is served by a local HTTP server with the show's cover; each run imports
it into a new folder with ``--audio link`` (no audio is fetched) and prints the wall-clock
time, the CPU time and the number of HTTP requests (the figure that does not depend on the
machine's load). ``--without-length N`` leaves the length out of N items: the import then
asks the server for each (a HEAD request). Target: under 10 s for 500 items.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

from toolkit.importer import import_feed

AUDIO_LENGTH = 48_000_000


def make_feed(base: str, items: int, without_length: int) -> bytes:
    start = datetime(2015, 1, 5, 7, tzinfo=UTC)
    rows = []
    for n in range(1, items + 1):
        length = "" if n <= without_length else f' length="{AUDIO_LENGTH + n}"'
        rows.append(
            f"<item><title>Episode {n}: a conversation &amp; notes</title>"
            f'<guid isPermaLink="false">bench-{n:05d}-0f8e</guid>'
            f"<pubDate>{format_datetime(start + timedelta(days=7 * n))}</pubDate>"
            f'<enclosure url="{base}/audio/{n:05d}.mp3"{length} type="audio/mpeg"/>'
            f"<itunes:duration>{n % 2}:{n % 60:02d}:{n % 59:02d}</itunes:duration>"
            f"<itunes:episode>{n}</itunes:episode>"
            "<content:encoded><![CDATA[<p>In this episode <b>we talk</b> about "
            f"<a href='https://example.org/{n}'>item {n}</a>.</p><ul><li>one</li><li>two</li>"
            "</ul>" + "<p>More notes, a paragraph of them.</p>" * 20 + "]]></content:encoded>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Bench show</title><link>https://old.example.org/</link>"
        "<description>A generated show.</description><language>en</language>"
        f'<itunes:image href="{base}/cover.png"/><itunes:category text="Technology"/>'
        "<itunes:owner><itunes:name>O</itunes:name><itunes:email>o@example.org</itunes:email>"
        "</itunes:owner>" + "".join(rows) + "</channel></rss>"
    ).encode()


class Host:
    def __init__(self, items: int, without_length: int) -> None:
        self.requests = 0
        cover = io.BytesIO()
        Image.new("RGB", (1400, 1400), (20, 90, 160)).save(cover, "PNG")
        self.files = {"/cover.png": cover.getvalue()}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.files["/feed.xml"] = make_feed(self.base, items, without_length)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _head(self) -> bytes | None:
                host.requests += 1
                body = host.files.get(self.path)
                if body is None and not self.path.startswith("/audio/"):
                    self.send_error(404)
                    return None
                self.send_response(200)
                length = len(body) if body is not None else AUDIO_LENGTH
                self.send_header("Content-Length", str(length))
                self.end_headers()
                return body

            def do_HEAD(self) -> None:
                self._head()

            def do_GET(self) -> None:
                body = self._head()
                if body is not None:
                    self.wfile.write(body)

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--without-length", type=int, default=0)
    args = parser.parse_args()
    host = Host(args.items, args.without_length)
    load = os.getloadavg()[0]
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            host.requests = 0
            source = Path(folder) / f"run-{run}"
            wall, cpu = time.perf_counter(), time.process_time()
            report = import_feed(f"{host.base}/feed.xml", source, audio_mode="link")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            times.append(wall)
            assert len(report.imported) == args.items and report.failed == 0, report.summary()
            print(
                f"run {run + 1}: {args.items} items imported with --audio link in {wall:.2f} s "
                f"({cpu:.2f} s CPU), {host.requests} HTTP requests"
            )
    best = min(times)
    verdict = "under" if best < 10 else "OVER"
    print(f"best {best:.2f} s for {args.items} items: {verdict} the 10 s target (load {load:.2f})")
    host.httpd.shutdown()
    sys.exit(0 if best < 10 else 1)


if __name__ == "__main__":
    main()
