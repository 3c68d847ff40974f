"""`podkit notify` against HTTP servers on 127.0.0.1 that the tests start (never the real
hub or the Podcast Index): what each receives, and one line per failure."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from conftest import SHOW_TOML, ShowMaker

from toolkit.cli import cli
from toolkit.errors import ToolkitError
from toolkit.notify import notify

FEED = "https://example.org/show/feed.xml"


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]]  # method, path with query, body

    def _answer(self, body: str) -> None:
        self.seen.append((self.command, self.path, body))
        self.send_response(204 if self.command == "POST" else 200)
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self._answer(self.rfile.read(length).decode())

    def do_GET(self) -> None:
        self._answer("")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    seen: list[tuple[str, str, str]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


def _show(make_show: ShowMaker, hub: str, index: str) -> Path:
    table = f'\n[notify]\nhub = "{hub}"\npodcast_index = "{index}"\n'
    return make_show(**{"show.toml": SHOW_TOML + table})


def test_notify_posts_to_the_hub_and_gets_pubnotify(
    make_show: ShowMaker, server: tuple[str, list[tuple[str, str, str]]]
) -> None:
    address, seen = server
    source = _show(make_show, f"{address}/hub", f"{address}/api/1.0/hub/pubnotify")
    report = notify(source)
    post, get = sorted(seen)[1], sorted(seen)[0]
    assert post[0] == "POST" and post[1] == "/hub"
    assert parse_qs(post[2]) == {"hub.mode": ["publish"], "hub.url": [FEED]}
    assert get[0] == "GET" and urlsplit(get[1]).path == "/api/1.0/hub/pubnotify"
    assert parse_qs(urlsplit(get[1]).query) == {"url": [FEED]}
    assert [(p.service, p.status) for p in report.pings] == [
        ("WebSub hub", 204),
        ("Podcast Index", 200),
    ]


def test_hub_only_leaves_the_podcast_index_alone(
    make_show: ShowMaker, server: tuple[str, list[tuple[str, str, str]]]
) -> None:
    address, seen = server
    source = _show(make_show, f"{address}/hub", f"{address}/pubnotify")
    result = CliRunner().invoke(cli, ["notify", "--source", str(source), "--hub-only"])
    assert result.exit_code == 0, result.output
    assert [s[0] for s in seen] == ["POST"]
    assert "Notified WebSub hub (HTTP 204)" in result.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_refused_and_silent_services_are_one_line_each(make_show: ShowMaker) -> None:
    silent = socket.socket()  # accepts connections (the backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    try:
        refused = f"http://127.0.0.1:{_closed_port()}/hub"
        quiet = f"http://127.0.0.1:{silent.getsockname()[1]}/pubnotify"
        source = _show(make_show, refused, quiet)
        with pytest.raises(ToolkitError) as raised:
            notify(source, timeout=0.5)
    finally:
        silent.close()
    lines = raised.value.message.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(
        "notify.hub: WebSub hub at "
        + refused
        + " refused the connection: check the address, or try again later"
    )
    assert lines[1].endswith("did not answer within 0.5 s: try again later")
    assert "notify.podcast_index: Podcast Index at " in lines[1]


def test_hub_only_without_a_hub_says_what_to_add(make_show: ShowMaker) -> None:
    result = CliRunner().invoke(cli, ["notify", "--source", str(make_show()), "--hub-only"])
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        'show.toml: notify.hub: no hub: add [notify] hub = "https://…" to show.toml'
    )
    assert "Traceback" not in result.output


def test_the_podcast_index_is_pinged_by_default_the_hub_only_when_named(
    make_show: ShowMaker,
) -> None:
    from toolkit.config import load_show

    plain, _ = load_show(make_show(), read_transcripts=False)
    assert plain.extras.notify.hub is None
    assert plain.extras.notify.podcast_index == "https://api.podcastindex.org/api/1.0/hub/pubnotify"
