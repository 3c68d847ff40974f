"""`podkit import`: real hosts' feeds served from a local HTTP server, imported, built, checked.

Every feed in tests/data/feeds names its files under http://podkit.test/ (or relatively):
the server puts its own address there, and serves small MP3s, a cover, chapters and
transcripts. See tests/data/feeds/README.md for where each feed comes from.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import threading
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner
from conftest import DATA, TONE
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree, html
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from PIL import Image

from toolkit import feed_reader
from toolkit.check import check
from toolkit.cli import cli
from toolkit.config import load_show, podcast_guid
from toolkit.errors import ToolkitError
from toolkit.importer import RECORD_FILE, import_feed

FEEDS = DATA / "feeds"
PLACEHOLDER = "http://podkit.test"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"

CHAPTERS_JSON = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 0, "title": "Opening"},
        {"startTime": 30.5, "title": "The future", "url": "https://example.com/future"},
    ],
}
TRANSCRIPT_JSON = {
    "version": "1.0.0",
    "segments": [
        {"speaker": "John Smith", "startTime": 0.0, "endTime": 4.0, "body": "From JSON, hello."},
        {"speaker": "Jane Doe", "startTime": 4.0, "endTime": 9.5, "body": "Hi John."},
    ],
}
TRANSCRIPT_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v John Smith>From VTT, hello.\n"
TRANSCRIPT_SRT = "1\n00:00:00,000 --> 00:00:04,000\nJohn Smith: From SRT, hello.\n"


def _chaptered_mp3() -> bytes:
    """The test tone with an ID3 table of contents of its own."""
    buffer = io.BytesIO(TONE.read_bytes())
    tag = ID3()
    tag.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["c1", "c2"]))
    tag.add(CHAP(element_id="c1", start_time=0, end_time=25000, sub_frames=[TIT2(text="Dawn")]))
    tag.add(CHAP(element_id="c2", start_time=25000, end_time=60000, sub_frames=[TIT2(text="Dusk")]))
    tag.save(buffer)
    return buffer.getvalue()


def _cover_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1400, 1400), (200, 60, 30)).save(out, "PNG")
    return out.getvalue()


class Server:
    """A small host: feeds with its own address in them, audio with Range support, and the
    oddities of real hosts on demand (404, redirects, gzip, a connection cut mid-file)."""

    def __init__(self) -> None:
        self.tone = TONE.read_bytes()
        self.files: dict[str, bytes] = {
            "/audio/chaptered.mp3": _chaptered_mp3(),
            "/art/show.png": _cover_png(),
            "/chapters/podcast-3.json": json.dumps(CHAPTERS_JSON).encode(),
            "/transcripts/podcast-3.json": json.dumps(TRANSCRIPT_JSON).encode(),
            "/transcripts/podcast-3.vtt": TRANSCRIPT_VTT.encode(),
            "/transcripts/podcast-3.srt": TRANSCRIPT_SRT.encode(),
            "/transcripts/podcast-2.srt": TRANSCRIPT_SRT.encode(),
            "/page.html": b"<!doctype html><html><body><p>Not a feed</p></body></html>",
        }
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        self.heads: list[str] = []  # paths asked for with HEAD
        self.cut_once: set[str] = set()  # paths whose first answer stops halfway
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def feed(self, name: str) -> str:
        text = (FEEDS / name).read_text(encoding="utf-8")
        self.files[f"/feeds/{name}"] = self._local(text)
        return f"{self.base}/feeds/{name}"

    def add_feed(self, path: str, text: str) -> str:
        self.files[path] = self._local(text)
        return self.base + path

    def _local(self, text: str) -> bytes:
        return text.replace(PLACEHOLDER, self.base).replace("LENGTH", str(len(self.tone))).encode()

    def body(self, path: str) -> bytes | None:
        if path in self.files:
            return self.files[path]
        if path.startswith("/audio/") and path.endswith(".mp3") and "missing" not in path:
            return self.tone
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                """The size without the body; refused where the path says "nohead"."""
                path = self.path.split("?")[0]
                server.heads.append(path)
                body = server.body(path)
                if body is None or "nohead" in path:
                    self.send_error(404 if body is None else 405)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.requests.append((path, self.headers.get("Range")))
                if path.startswith("/moved/"):
                    self.send_response(301)
                    self.send_header("Location", path.replace("/moved/", "/audio/", 1))
                    self.end_headers()
                    return
                body = server.body(path)
                if body is None:
                    self.send_error(404)
                    return
                if "gzip" in self.path and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    self._send(200, gzip.compress(body), {"Content-Encoding": "gzip"})
                    return
                wanted = self.headers.get("Range")
                if wanted and wanted.startswith("bytes="):
                    start = int(wanted[6:].split("-")[0])
                    total = len(body)
                    self._send(
                        206, body[start:], {"Content-Range": f"bytes {start}-{total - 1}/{total}"}
                    )
                    return
                if path in server.cut_once:
                    server.cut_once.discard(path)
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(200, body, {})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    host = Server()
    yield host
    host.httpd.shutdown()
    host.httpd.server_close()


def _original_items(data: bytes, url: str) -> dict[str, etree._Element]:
    """The items of a feed as lxml reads it by GUID (or enclosure URL), first of each."""
    root = etree.fromstring(data.lstrip(), etree.XMLParser(recover=True))
    items: dict[str, etree._Element] = {}
    for item in root.iter("item"):
        guid = (item.findtext("guid") or "").strip()
        items.setdefault(guid or urljoin(url, item.find("enclosure").get("url")), item)
    return items


def _built_items(site: Path) -> list[etree._Element]:
    return etree.parse(str(site / "feed.xml")).getroot().findall("channel/item")


REAL_FEEDS = [
    "podlove-kern-punkto.xml",
    "anchor-karino2.xml",
    "libsyn-sothewind.xml",
    "transistor-songhaus.xml",
    "podcasting20-sample.xml",
]


@pytest.mark.parametrize("name", REAL_FEEDS)
def test_import_build_check_keeps_guids_titles_and_dates(
    server: Server, tmp_path: Path, name: str
) -> None:
    url = server.feed(name)
    source, site = tmp_path / "show", tmp_path / "site"
    report = import_feed(url, source, base_url="https://new.example.org/show/")
    assert report.failed == 0, [str(p) for p in report.problems]
    if any(p.where == "categories" for p in report.problems):  # the feed has none: say one
        with (source / "show.toml").open("a") as show:
            show.write('\n[[categories]]\nname = "Music"\n')
    load_show(source)  # the loader takes every key the import wrote
    result = CliRunner().invoke(cli, ["build", "--source", str(source), "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert [str(p) for p in check(source, site).errors] == []
    result = CliRunner().invoke(cli, ["check", "--source", str(source), "--site", str(site)])
    assert result.exit_code == 0, result.output

    original = _original_items(server.files[f"/feeds/{name}"], url)
    by_guid = {i.findtext("guid"): i for i in _built_items(site)}
    assert set(by_guid) == set(original)  # the same GUIDs, exactly
    for guid, item in original.items():
        copy = by_guid[guid]
        assert copy.findtext("title") == feed_reader.plain(item.findtext("title"))
        before = feed_reader.parse_date(item.findtext("pubDate"))
        after = feed_reader.parse_date(copy.findtext("pubDate"))
        assert before == after  # the same instant


def test_show_keeps_its_podcast_guid_or_derives_it_from_the_old_feed_url(
    server: Server, tmp_path: Path
) -> None:
    import_feed(server.feed("podcasting20-sample.xml"), tmp_path / "a")
    show, _ = load_show(tmp_path / "a")
    assert show.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    url = server.feed("podlove-kern-punkto.xml")
    import_feed(url, tmp_path / "b")
    show, _ = load_show(tmp_path / "b")
    assert show.podcast_guid == podcast_guid(url)


def test_show_metadata_categories_persons_funding(server: Server, tmp_path: Path) -> None:
    import_feed(server.feed("podcasting20-sample.xml"), tmp_path / "s")
    show, _ = load_show(tmp_path / "s")
    assert [(c.name, c.subcategory) for c in show.categories] == [
        ("Leisure", "Video Games"),
        ("Technology", None),
    ]
    assert show.explicit and show.show_type == "serial" and show.language == "en-US"
    assert [(p.name, p.role) for p in show.persons] == [
        ("John Smith", "host"),
        ("Jane Doe", "guest"),
    ]
    assert [(f.url, f.text) for f in show.funding] == [
        ("https://www.example.com/donations", "Support the show!")
    ]
    assert (show.owner_name, show.owner_email) == ("John Smith", "johnsmith@example.com")
    assert show.cover.name == "cover.png"


def test_owner_email_from_podcast_locked_when_itunes_owner_has_none(
    server: Server, tmp_path: Path
) -> None:
    report = import_feed(server.feed("transistor-songhaus.xml"), tmp_path / "s")
    assert any(p.where == "categories" and p.warning for p in report.problems)
    with (tmp_path / "s" / "show.toml").open("a") as show_file:
        show_file.write('\n[[categories]]\nname = "Music"\n')
    show, _ = load_show(tmp_path / "s")
    assert show.owner_email == "team@song.haus"


def test_notes_are_markdown_with_links_and_lists_and_no_script(
    server: Server, tmp_path: Path
) -> None:
    import_feed(server.feed("podlove-kern-punkto.xml"), tmp_path / "s")
    notes = (tmp_path / "s" / "204-kp204-pigmentoj" / "notes.md").read_text()
    assert "## La mistera eliksiro de pentrado" in notes
    assert "[koloroj](https://eo.wikipedia.org/wiki/Pigmento)" in notes
    assert "- Krajonoj\n- inko" in notes
    assert "alert" not in notes and "script" not in notes


def test_chapters_from_psc_from_json_and_from_the_mp3(server: Server, tmp_path: Path) -> None:
    import_feed(server.feed("podlove-kern-punkto.xml"), tmp_path / "a")
    import_feed(server.feed("podcasting20-sample.xml"), tmp_path / "b")
    shows = [load_show(tmp_path / "a")[0], load_show(tmp_path / "b")[0]]
    chapters = {
        e.slug: [(c.start, c.title, c.url) for c in e.chapters] for s in shows for e in s.episodes
    }
    assert chapters["204-kp204-pigmentoj"] == [
        (0.0, "Enkonduko", None),
        (20.5, "Pigmentoj", "https://kern.punkto.info/"),
    ]
    assert chapters["s01e003-episode-3-the-future"] == [
        (0.0, "Opening", None),
        (30.5, "The future", "https://example.com/future"),
    ]
    assert chapters["s01e001-episode-1-the-past"] == [(0.0, "Dawn", None), (25.0, "Dusk", None)]


def test_transcript_prefers_json_then_vtt_then_srt(server: Server, tmp_path: Path) -> None:
    import_feed(server.feed("podcasting20-sample.xml"), tmp_path / "s")
    show, _ = load_show(tmp_path / "s")
    spoken = {e.slug: e.transcript for e in show.episodes}
    third = spoken["s01e003-episode-3-the-future"]
    assert third is not None and [s.text for s in third.segments] == [
        "From JSON, hello.",
        "Hi John.",
    ]
    second = spoken["s01e002-episode-2-the-present"]
    assert second is not None and second.segments[0].text == "From SRT, hello."
    assert (tmp_path / "s" / "s01e003-episode-3-the-future" / "transcript.txt").is_file()


def test_oddities_missing_guid_html_title_rfc822_variants_relative_urls(
    server: Server, tmp_path: Path
) -> None:
    url = server.feed("podcasting20-sample.xml")
    report = import_feed(url, tmp_path / "s")
    show, _ = load_show(tmp_path / "s")
    by_slug = {e.slug: e for e in show.episodes}
    second = by_slug["s01e002-episode-2-the-present"]
    assert second.title == "Episode 2 - The Present"
    assert second.guid == f"{server.base}/audio/podcast-2.mp3"  # from its enclosure, as apps do
    assert second.published.utcoffset() == timedelta(hours=2)
    assert by_slug["s01e001-episode-1-the-past"].published.utcoffset() == timedelta(hours=-4)
    assert by_slug["s01e001-episode-1-the-past"].episode_type == "trailer"
    assert any("no <guid>" in str(p) and p.warning for p in report.problems)


def test_duplicate_guids_keep_the_first_and_say_so(server: Server, tmp_path: Path) -> None:
    report = import_feed(server.feed("anchor-karino2.xml"), tmp_path / "s")
    assert len(report.imported) == 1
    assert any("also an earlier item's" in str(p) for p in report.problems)


def _feed(base: str, items: list[tuple[str, str, str]], item_xml: str = "") -> str:
    """An RSS feed with (guid, title, enclosure path) items, one day apart."""
    start = datetime(2020, 1, 1, 8, tzinfo=UTC)
    rows = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid>"
        f"<pubDate>{format_datetime(start + timedelta(days=i))}</pubDate>"
        f'<enclosure url="{base}{path}" length="LENGTH" type="audio/mpeg"/>{item_xml}</item>'
        for i, (guid, title, path) in enumerate(items)
    )
    return (
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        "<channel><title>Generated</title><link>https://old.example.org/</link>"
        "<description>d</description><language>fr</language>"
        f'<itunes:image href="{base}/art/show.png"/>'
        '<itunes:category text="Technology"/>'
        "<itunes:owner><itunes:name>O</itunes:name><itunes:email>o@example.org</itunes:email>"
        f"</itunes:owner>{rows}</channel></rss>"
    )


def test_404_enclosure_is_reported_and_the_others_are_imported(
    server: Server, tmp_path: Path
) -> None:
    items = [
        ("a", "One", "/audio/one.mp3"),
        ("b", "Two", "/audio/missing.mp3"),
        ("c", "Three", "/moved/three.mp3"),
    ]
    url = server.add_feed("/gen.xml", _feed(server.base, items))
    report = import_feed(url, tmp_path / "s")
    assert report.imported == ("001-one", "003-three")  # the redirect was followed
    errors = [str(p) for p in report.problems if not p.warning]
    assert (
        len(errors) == 1
        and f"{server.base}/audio/missing.mp3: the server answered 404" in errors[0]
    )
    assert not (tmp_path / "s" / "002-two").exists()
    assert [p.name for p in (tmp_path / "s").iterdir() if p.name.startswith(".import-")] == [
        ".import-002-two"
    ]  # hidden from the build, kept for a retry
    result = CliRunner().invoke(cli, ["import", url, "--source", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "missing.mp3: the server answered 404 Not Found" in result.output


def test_gzip_feed(server: Server, tmp_path: Path) -> None:
    url = server.feed("podlove-kern-punkto.xml") + "?gzip"
    report = import_feed(url, tmp_path / "s")
    assert report.imported == ("204-kp204-pigmentoj",)


def test_a_cut_download_resumes_with_a_range_request(server: Server, tmp_path: Path) -> None:
    url = server.add_feed("/gen.xml", _feed(server.base, [("a", "One", "/audio/one.mp3")]))
    server.cut_once.add("/audio/one.mp3")
    first = import_feed(url, tmp_path / "s")
    assert first.imported == () and first.failed == 1
    part = tmp_path / "s" / ".import-001-one" / "001-one.mp3.part"
    assert 0 < part.stat().st_size < len(server.tone)
    second = import_feed(url, tmp_path / "s", update=True)
    assert second.imported == ("001-one",)
    assert (
        "/audio/one.mp3",
        f"bytes={part.stat().st_size if part.exists() else len(server.tone) // 2}-",
    ) in server.requests
    assert (tmp_path / "s" / "001-one" / "001-one.mp3").read_bytes() == server.tone


def test_update_adds_new_items_and_never_overwrites_edits(server: Server, tmp_path: Path) -> None:
    items = [("a", "One", "/audio/one.mp3"), ("b", "Two", "/audio/two.mp3")]
    url = server.add_feed("/gen.xml", _feed(server.base, items))
    source = tmp_path / "s"
    import_feed(url, source)
    notes = source / "001-one" / "notes.md"
    notes.write_text("My own notes.\n")
    (source / "show.toml").write_text((source / "show.toml").read_text() + "\n# mine\n")
    shutil.rmtree(source / "002-two")  # removed by the podcaster: not brought back
    server.add_feed("/gen.xml", _feed(server.base, [*items, ("c", "Three", "/audio/three.mp3")]))
    report = import_feed(url, source, update=True)
    assert report.imported == ("003-three",)
    assert report.already == 2
    assert notes.read_text() == "My own notes.\n"
    assert (source / "show.toml").read_text().endswith("# mine\n")
    assert report.kept == (source / "show.toml",)
    assert not (source / "002-two").exists()
    assert "c" in json.loads((source / RECORD_FILE).read_text())["episodes"]


def test_import_refuses_a_folder_with_a_show_unless_update(server: Server, tmp_path: Path) -> None:
    url = server.feed("podlove-kern-punkto.xml")
    import_feed(url, tmp_path / "s")
    with pytest.raises(ToolkitError, match="pass --update"):
        import_feed(url, tmp_path / "s")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/nothing.xml", "the server answered 404"),
        ("/page.html", "is not XML (an HTML page or an empty answer?)"),
        ("/feeds/atom.xml", "is not an RSS feed (its root element is <feed>)"),
        ("/art/show.png", "is not XML"),
    ],
)
def test_not_a_feed_is_one_line(server: Server, tmp_path: Path, path: str, message: str) -> None:
    server.files["/feeds/atom.xml"] = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
    )
    result = CliRunner().invoke(
        cli, ["import", server.base + path, "--source", str(tmp_path / "s")]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and server.base + path in lines[0]
    assert "Traceback" not in result.output and not (tmp_path / "s" / "show.toml").exists()


def test_only_http_urls_are_fetched(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import", "ftp://example.org/feed.xml", "--source", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "only http:// and https://" in result.output


def test_since_and_limit(server: Server, tmp_path: Path) -> None:
    items = [(f"g{i}", f"Item {i}", f"/audio/{i}.mp3") for i in range(1, 6)]
    url = server.add_feed("/gen.xml", _feed(server.base, items))
    report = import_feed(url, tmp_path / "a", limit=2)
    assert report.imported == ("004-item-4", "005-item-5")
    report = import_feed(url, tmp_path / "b", since=datetime(2020, 1, 4, tzinfo=UTC))
    assert report.imported == ("004-item-4", "005-item-5")


def test_200_items_import_fast_with_stable_distinct_slugs(server: Server, tmp_path: Path) -> None:
    items = [
        (f"guid-{i}", "Same title" if i % 10 == 0 else f"Item {i}", f"/audio/{i}.mp3")
        for i in range(200)
    ]
    url = server.add_feed("/big.xml", _feed(server.base, items))
    started = time.perf_counter()
    first = import_feed(url, tmp_path / "a")
    elapsed = time.perf_counter() - started
    print(f"imported 200 items in {elapsed:.2f} s")
    second = import_feed(url, tmp_path / "b")
    assert len(first.imported) == 200 and len(set(first.imported)) == 200
    assert first.imported == second.imported
    show, _ = load_show(tmp_path / "a")
    assert sorted(e.guid for e in show.episodes) == sorted(g for g, _, _ in items)


MP3_TYPES = ("audio/mpeg", "audio/mp3")
DURATION = "<itunes:duration>60</itunes:duration>"


def _import_linked(server: Server, url: str, source: Path) -> None:
    report = import_feed(url, source, audio_mode="link", base_url="https://new.example.org/s/")
    assert report.failed == 0, [str(p) for p in report.problems]
    assert not [str(p) for p in report.problems if str(p.where).startswith("audio")]
    if any(p.where == "categories" for p in report.problems):  # the feed has none: say one
        with (source / "show.toml").open("a") as show:
            show.write('\n[[categories]]\nname = "Music"\n')


@pytest.mark.parametrize("name", REAL_FEEDS)
def test_audio_link_builds_the_same_items_enclosures_lengths_and_durations(
    server: Server, tmp_path: Path, name: str
) -> None:
    url = server.feed(name)
    source, site = tmp_path / "show", tmp_path / "site"
    _import_linked(server, url, source)
    # Nothing downloaded: at most the first bytes, for a duration the feed does not give.
    assert [r for p, r in server.requests if p.startswith("/audio/") and r is None] == []
    result = CliRunner().invoke(cli, ["build", "--source", str(source), "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert list(source.rglob("*.mp3")) == list(site.rglob("*.mp3")) == []
    assert [str(p) for p in check(source, site).errors] == []
    result = CliRunner().invoke(cli, ["check", "--source", str(source), "--site", str(site)])
    assert result.exit_code == 0, result.output

    original = _original_items(server.files[f"/feeds/{name}"], url)
    built = _built_items(site)
    by_guid = {i.findtext("guid"): i for i in built}
    assert len(built) == len(original) and set(by_guid) == set(original)
    for guid, item in original.items():
        copy = by_guid[guid]
        assert copy.findtext("title") == feed_reader.plain(item.findtext("title"))
        before = feed_reader.parse_date(item.findtext("pubDate"))
        assert before == feed_reader.parse_date(copy.findtext("pubDate"))
        enclosure, linked = item.find("enclosure"), copy.find("enclosure")
        assert linked.get("url") == urljoin(url, enclosure.get("url"))
        assert linked.get("length") == enclosure.get("length") == str(len(server.tone))
        kind = enclosure.get("type")
        assert linked.get("type") == ("audio/mpeg" if kind in MP3_TYPES else kind)
        given = feed_reader.parse_duration(item.findtext(f"{ITUNES}duration"))
        seconds = 60 if given is None else round(given)  # else read from the MP3's head
        assert copy.findtext(f"{ITUNES}duration") == str(seconds)
    show, _ = load_show(source)
    for episode in show.episodes:  # the page plays the old host's file
        page = html.parse(str(site / episode.slug / "index.html"))
        assert page.xpath("//audio/@src") == [episode.linked.url if episode.linked else None]


def test_audio_link_update_adds_new_items_linked(server: Server, tmp_path: Path) -> None:
    duration = "<itunes:duration>1:00</itunes:duration><description>Notes.</description>"
    items = [("a", "One", "/audio/one.mp3"), ("b", "Two", "/audio/two.mp3")]
    url = server.add_feed("/gen.xml", _feed(server.base, items, duration))
    source, site = tmp_path / "s", tmp_path / "site"
    _import_linked(server, url, source)
    more = [*items, ("c", "Three", "/audio/three.mp3")]
    server.add_feed("/gen.xml", _feed(server.base, more, duration))
    report = import_feed(url, source, audio_mode="link", update=True)
    assert report.imported == ("003-three",) and report.already == 2
    toml = tomllib.loads((source / "003-three" / "episode.toml").read_text())
    assert toml["audio_url"] == f"{server.base}/audio/three.mp3"
    assert (toml["audio_length"], toml["audio_duration"]) == (len(server.tone), "00:01:00.000")
    assert "audio" not in toml and "audio_type" not in toml
    result = CliRunner().invoke(cli, ["build", "--source", str(source), "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert [str(p) for p in check(source, site).errors] == []
    assert sorted(i.findtext("guid") for i in _built_items(site)) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("path", "asked"),
    [("/audio/one.mp3", "HEAD"), ("/audio/nohead.mp3", "Range")],
)
def test_audio_link_item_without_length_asks_the_server(
    server: Server, tmp_path: Path, path: str, asked: str
) -> None:
    text = _feed(server.base, [("a", "One", path)], "<itunes:duration>60</itunes:duration>")
    url = server.add_feed("/gen.xml", text.replace('length="LENGTH" ', ""))
    _import_linked(server, url, tmp_path / "s")
    toml = tomllib.loads((tmp_path / "s" / "001-one" / "episode.toml").read_text())
    assert toml["audio_length"] == len(server.tone)
    assert server.heads == [path]
    ranges = [r for p, r in server.requests if p == path]
    assert ranges == ([] if asked == "HEAD" else ["bytes=0-0"])


def test_audio_link_unknown_length_and_duration_are_warned_and_the_loader_says_what_to_add(
    server: Server, tmp_path: Path
) -> None:
    text = _feed(server.base, [("a", "One", "/audio/missing.mp3")])
    url = server.add_feed("/gen.xml", text.replace('length="LENGTH" ', ""))
    source = tmp_path / "s"
    report = import_feed(url, source, audio_mode="link")
    toml_file = source / "001-one" / "episode.toml"
    found = {(Path(p.file), p.where): p.message for p in report.problems if p.warning}
    assert "the server answered 404" in found[(toml_file, "audio_length")]
    assert "no itunes:duration" in found[(toml_file, "audio_duration")]
    with pytest.raises(ToolkitError) as error:
        load_show(source)
    messages = {(p.where, p.message) for p in error.value.problems}
    assert (
        "audio_length",
        "missing: the audio is linked (audio_url): add audio_length = 34567890",
    ) in messages
    assert (
        "audio_duration",
        'missing: the audio is linked (audio_url): add audio_duration = "00:42:10"',
    ) in messages


def test_audio_link_of_plain_http_audio_is_a_warning_and_refused_by_the_loader(
    tmp_path: Path,
) -> None:
    text = _feed("http://old.example.invalid", [("a", "One", "/a.mp3")])
    feed = tmp_path / "feed.xml"
    text = text.replace('<itunes:image href="http://old.example.invalid/art/show.png"/>', "")
    feed.write_text(text.replace("LENGTH", "1000").replace("</item>", DURATION + "</item>"))
    report = import_feed(str(feed), tmp_path / "s", audio_mode="link")  # nothing fetched
    toml_file = tmp_path / "s" / "001-one" / "episode.toml"
    warned = [p.message for p in report.problems if p.where == "audio_url"]
    assert warned == [
        "the old host serves it over http, which apps refuse: import with --audio download"
    ]
    with pytest.raises(ToolkitError) as error:
        load_show(tmp_path / "s")
    about = [p.where for p in error.value.problems if Path(p.file) == toml_file]
    assert about == ["audio_url"]  # (show.toml lacks a cover: the feed gave none)


def test_audio_link_without_duration_reads_the_mp3s_first_frames(
    server: Server, tmp_path: Path
) -> None:
    url = server.add_feed("/gen.xml", _feed(server.base, [("a", "One", "/audio/chaptered.mp3")]))
    _import_linked(server, url, tmp_path / "s")
    toml = tomllib.loads((tmp_path / "s" / "001-one" / "episode.toml").read_text())
    assert toml["audio_duration"] == "00:01:00.000"
    tag = len(server.files["/audio/chaptered.mp3"]) - len(server.tone)
    ranges = [r for p, r in server.requests if p == "/audio/chaptered.mp3"]
    assert ranges == ["bytes=0-9", f"bytes={tag}-{tag + 16383}"]  # the tag's size, the frames


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999))
def test_every_form_of_itunes_duration_reads_the_same_seconds(seconds: int) -> None:
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    forms = [str(seconds), f"{seconds // 60}:{s:02d}", f"{h}:{m:02d}:{s:02d}", f" {seconds}.0 "]
    assert {feed_reader.parse_duration(f) for f in forms} == {float(seconds)}


@given(st.text(max_size=40))
def test_any_duration_text_is_positive_seconds_or_none(text: str) -> None:
    seconds = feed_reader.parse_duration(text)
    assert seconds is None or 0 < seconds < 1e7


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_a_feed_or_one_feed_error(data: bytes) -> None:
    try:
        feed_reader.parse(data, "https://example.org/feed.xml")
    except feed_reader.FeedError as error:
        assert "\n" not in error.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_date_text_is_a_moment_with_an_offset_or_none(text: str) -> None:
    moment = feed_reader.parse_date(text)
    assert moment is None or moment.utcoffset() is not None
