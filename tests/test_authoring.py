"""The authoring loop: new, chapters import/export, check and serve, as a podcaster uses them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, KEYTIME, TRANSCRIPT, ShowMaker
from lxml import etree

from toolkit.cli import cli
from toolkit.timecode import parse_timestamp

EP = "001-premier"


SPEC_JSON = DATA / "chapters-spec-complex.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------ podkit new


def test_new_creates_a_ready_episode(make_show: ShowMaker) -> None:
    source = make_show()
    code, stdout, _ = run("new", "Deuxième épisode : l'IA !", "--source", str(source))
    assert code == 0
    folder = source / "002-deuxieme-episode-l-ia"
    data = tomllib.loads((folder / "episode.toml").read_text(encoding="utf-8"))
    assert data["title"] == "Deuxième épisode : l'IA !"
    assert data["number"] == 2
    assert uuid.UUID(data["guid"]).version == 4
    assert data["published"].utcoffset().total_seconds() in (3600, 7200)  # Europe/Paris
    assert data["audio"] == "002-deuxieme-episode-l-ia.mp3"
    assert data["persons"] == [{"name": "Hôte Un", "role": "host"}]
    assert (folder / "notes.md").read_text() == ""
    assert "Next:" in stdout and "002-deuxieme-episode-l-ia.mp3" in stdout
    # The commands it suggests name the show's folder: run as printed, they find the show.
    assert f"podkit check --source {source}, then podkit serve --source {source}" in stdout


def test_new_never_overwrites(make_show: ShowMaker) -> None:
    source = make_show()
    (source / "002-encore").mkdir()
    code, _, stderr = run("new", "Encore", "--source", str(source))
    assert code == 1
    assert (
        stderr.strip()
        == f"{source / '002-encore'}: already exists: podkit new never overwrites an episode"
    )


def test_new_without_a_show(tmp_path: Path) -> None:
    code, _, stderr = run("new", "X", "--source", str(tmp_path))
    assert code == 1 and "show.toml: not found" in stderr


# ------------------------------------------------------------ chapters


SAMPLES = {
    "audacity": (
        "labels.txt",
        "0.000000\t0.000000\tIntro\n20.500000\t20.500000\tLe cœur\n45.000000\t45.000000\tFin\n",
    ),
    "reaper": (
        "markers.csv",
        "#,Name,Start,End,Length\nM1,Intro,0:00.000,,\nM2,Le cœur,0:20.500,,\nM3,Fin,0:45.000,,\n",
    ),
    "mp4chaps": ("chapters.txt", "00:00:00.000 Intro\n00:00:20.500 Le cœur\n00:00:45.000 Fin\n"),
    "youtube": (
        "description.txt",
        "Un super épisode !\n\n0:00 Intro\n0:20 - Le cœur\n(0:45) Fin\n\nAbonnez-vous.\n",
    ),
    "json": (
        "chapters.json",
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Intro"},
                    {"startTime": 20.5, "title": "Le cœur"},
                    {"startTime": 45, "title": "Fin"},
                ],
            }
        ),
    ),
    "podlove": (
        "chapters.xml",
        '<psc:chapters xmlns:psc="http://podlove.org/simple-chapters" version="1.2">'
        '<psc:chapter start="00:00:00" title="Intro"/><psc:chapter start="00:00:20.500" title="Le cœur"/>'
        '<psc:chapter start="00:00:45" title="Fin"/></psc:chapters>',
    ),
    "ffmetadata": (
        "meta.txt",
        ";FFMETADATA1\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=20500\ntitle=Intro\n\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=20500\nEND=45000\ntitle=Le cœur\n\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=45000\nEND=60000\ntitle=Fin\n",
    ),
}


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_chapters_import_from_each_editor(make_show: ShowMaker, tmp_path: Path, fmt: str) -> None:
    source = make_show()
    name, content = SAMPLES[fmt]
    (tmp_path / name).write_text(content, encoding="utf-8")
    toml_path = source / EP / "episode.toml"
    toml_path.write_text(
        "# my comment stays\n" + toml_path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    code, stdout, stderr = run(
        "chapters", "import", str(tmp_path / name), "--episode", str(source / EP)
    )
    assert code == 0, stderr
    assert f"({fmt})" in stdout
    text = toml_path.read_text(encoding="utf-8")
    assert text.startswith("# my comment stays\n")
    data = tomllib.loads(text)
    expected_start = "00:00:20.000" if fmt == "youtube" else "00:00:20.500"
    assert [(c["start"], c["title"]) for c in data["chapters"]] == [
        ("00:00:00.000", "Intro"),
        (expected_start, "Le cœur"),
        ("00:00:45.000", "Fin"),
    ]
    assert data["guid"] == "11111111-2222-3333-4444-555555555555"


def test_chapters_import_from_an_mp3(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    out = tmp_path / "site"
    run("build", "--source", str(source), "--out", str(out), "--now", "2026-01-01T00:00:00+00:00")
    toml_path = source / EP / "episode.toml"
    toml_path.write_text(toml_path.read_text().replace('title = "Conclusion"', 'title = "Autre"'))
    code, _, stderr = run(
        "chapters", "import", str(out / EP / "episode.mp3"), "--episode", str(source / EP)
    )
    assert code == 0, stderr
    assert [c["title"] for c in tomllib.loads(toml_path.read_text())["chapters"]] == [
        "Introduction",
        "Le cœur du sujet",
        "Conclusion",
    ]


@pytest.mark.parametrize(
    "fmt", ["audacity", "reaper", "mp4chaps", "youtube", "json", "podlove", "ffmetadata"]
)
def test_export_then_import_gives_the_same_chapters(
    make_show: ShowMaker, tmp_path: Path, fmt: str
) -> None:
    source = make_show()
    before = tomllib.loads((source / EP / "episode.toml").read_text())["chapters"]
    exported = tmp_path / f"out.{fmt}"
    code, _, stderr = run(
        "chapters", "export", str(source / EP), "--format", fmt, "-o", str(exported)
    )
    assert code == 0, stderr
    code, _, stderr = run(
        "chapters", "import", str(exported), "--episode", str(source / EP), "--format", fmt
    )
    assert code == 0, stderr
    after = tomllib.loads((source / EP / "episode.toml").read_text())["chapters"]
    assert [c["title"] for c in after] == [c["title"] for c in before]
    whole = fmt == "youtube"  # YouTube timestamps have whole seconds

    def starts(chapters: list[dict[str, str]]) -> list[float]:
        return [
            int(parse_timestamp(c["start"])) if whole else parse_timestamp(c["start"])
            for c in chapters
        ]

    assert starts(after) == starts(before)


def test_a_hidden_chapter_is_toc_false_in_the_json_export_and_the_published_json(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show()
    toml_path = source / EP / "episode.toml"
    toml_path.write_text(
        toml_path.read_text(encoding="utf-8").replace(
            'url = "https://example.org/sujet"\n',
            'url = "https://example.org/sujet"\nhidden = true\n',
        ),
        encoding="utf-8",
    )
    code, exported, stderr = run("chapters", "export", str(source / EP), "--format", "json")
    assert code == 0, stderr
    items = json.loads(exported)["chapters"]
    assert [item.get("toc", True) for item in items] == [True, False, True]
    assert items[1] == {
        "startTime": 20.5,
        "endTime": 45.0,
        "title": "Le cœur du sujet",
        "url": "https://example.org/sujet",
        "toc": False,
    }
    out = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(source), "--out", str(out))
    assert code == 0, stderr
    assert (out / EP / "chapters.json").read_text(encoding="utf-8") == exported  # one writer
    (tmp_path / "back.json").write_text(exported, encoding="utf-8")
    toml_path.write_text(toml_path.read_text(encoding="utf-8").replace("hidden = true\n", ""))
    code, _, stderr = run(
        "chapters", "import", str(tmp_path / "back.json"), "--episode", str(source / EP)
    )
    assert code == 0, stderr
    chapters = tomllib.loads(toml_path.read_text(encoding="utf-8"))["chapters"]
    assert [c.get("hidden", False) for c in chapters] == [False, True, False]


def test_export_youtube_prints_description_lines(make_show: ShowMaker) -> None:
    code, stdout, _ = run("chapters", "export", str(make_show() / EP), "--format", "youtube")
    assert code == 0
    assert stdout == "00:00 Introduction\n00:20 Le cœur du sujet\n00:45 Conclusion\n"


@pytest.mark.parametrize(
    ("name", "content", "fmt", "message"),
    [
        (
            "labels.txt",
            "0\t0\tIntro\n12.5 Le sujet\n",
            "audacity",
            "labels.txt:2: expected 'start<TAB>end<TAB>label' (Audacity labels)",
        ),
        (
            "c.txt",
            "00:00:00.000 Intro\nvers 00:10 Sujet\n",
            "mp4chaps",
            "c.txt:2: expected 'HH:MM:SS.mmm Title'",
        ),
        (
            "c.txt",
            "00:00:00.000 Intro\n00:00:30.000 Deux\n00:00:10.000 Trois\n",
            None,
            "c.txt:3: 00:00:10.000 is not after the previous chapter (00:00:30.000): chapters must be in order, without repeats",
        ),
        (
            "c.txt",
            "00:00:05.000 Intro\n",
            None,
            'c.txt:1: the first chapter must start at "00:00:00"',
        ),
        (
            "c.txt",
            "00:00:00.000 Intro\n00:02:00.000 Trop tard\n",
            None,
            "c.txt:2: 00:02:00.000 is past the end of episode.mp3 (00:01:00.000): move it before the end, or remove the chapter",
        ),
        (
            "m.csv",
            "Name,Start\nIntro,0\n",
            None,
            "m.csv:1: expected REAPER's header '#,Name,Start,End,Length'",
        ),
        (
            "c.json",
            '{"chapters": [{"title": "x"}]}',
            None,
            "c.json: chapter 1: expected a startTime in seconds",
        ),
        (
            "c.json",
            '{"chapters": [{"startTime": 0, "title": "a"},\n{"startTime": 99, "title": "b"}]}',
            None,
            "c.json: chapter 2: 00:01:39.000 is past the end of episode.mp3 (00:01:00.000): move it before the end, or remove the chapter",
        ),
        (
            "c.json",
            '{"chapters": [{"startTime": 0, "title": "a", "img": "ftp://x.org/a.jpg"}]}',
            None,
            "c.json: chapter 1: image_url 'ftp://x.org/a.jpg' is not an absolute http(s) URL: "
            "write https://…",
        ),
        (
            "notes.md",
            "Rien à voir\n",
            None,
            "notes.md: cannot tell the chapter format: pass --format (audacity, reaper, mp4chaps, youtube, json, podlove, ffmetadata, mp3)",
        ),
    ],
)
def test_bad_chapter_files_write_nothing(
    make_show: ShowMaker, tmp_path: Path, name: str, content: str, fmt: str | None, message: str
) -> None:
    source = make_show()
    before = (source / EP / "episode.toml").read_bytes()
    (tmp_path / name).write_text(content, encoding="utf-8")
    extra = ["--format", fmt] if fmt else []
    code, _, stderr = run(
        "chapters", "import", str(tmp_path / name), "--episode", str(source / EP), *extra
    )
    assert code == 1
    assert stderr.strip() == f"{tmp_path}/{message}"
    assert (source / EP / "episode.toml").read_bytes() == before


def test_unknown_format_is_refused(make_show: ShowMaker, tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("x")
    code, _, stderr = run(
        "chapters",
        "import",
        str(tmp_path / "c.txt"),
        "--episode",
        str(make_show() / EP),
        "--format",
        "cue",
    )
    assert code == 2 and "'cue' is not one of" in stderr


# ------------------------------------------------------------ podkit check


def test_check_is_clean_on_keytime(tmp_path: Path) -> None:
    out = tmp_path / "site"
    run("build", "--source", str(KEYTIME), "--out", str(out))
    code, stdout, _ = run("check", "--source", str(KEYTIME), "--site", str(out), "--format", "json")
    # Nothing at all, the stand-in audio's loudness included: the example is what a new user
    # checks first.
    assert (code, json.loads(stdout)) == (0, [])


def test_check_catches_planted_mistakes(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{f"{EP}/transcript.txt": TRANSCRIPT.replace("Invitée Deux", "Speaker #1")})
    out = tmp_path / "site"
    now = ["--now", "2026-01-01T00:00:00+00:00"]
    run("build", "--source", str(source), "--out", str(out), *now)
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    length = str((out / EP / "episode.mp3").stat().st_size)
    (out / "feed.xml").write_text(
        feed.replace(f'length="{length}"', 'length="12"'), encoding="utf-8"
    )
    (out / EP / "transcript.srt").unlink()
    page = (out / EP / "index.html").read_text(encoding="utf-8")
    (out / EP / "index.html").write_text(
        page.replace('href="chapters.json"', 'href="chapitres.json"'), encoding="utf-8"
    )
    code, stdout, _ = run(
        "check", "--source", str(source), "--site", str(out), "--format", "json", *now
    )
    assert code == 1
    findings = json.loads(stdout)
    messages = {(f["level"], f["where"], f["message"]) for f in findings}
    assert (
        "error",
        "speaker 'Speaker #1'",
        'is a generic label: name the speaker (podkit transcript import --speaker "Speaker #1=Name")',
    ) in messages
    assert (
        "error",
        "item 'Premier épisode'",
        f"enclosure length 12 is not the file's {length} bytes: build again",
    ) in messages
    assert (
        "error",
        "item 'Premier épisode'",
        "https://example.org/show/001-premier/transcript.srt is not a file of the site: build again",
    ) in messages
    assert ("error", "link 'chapitres.json'", "points at nothing in the site") in messages
    assert (
        "error",
        "link 'transcript.srt'",
        "points at nothing in the site",
    ) in messages  # the download
    # The test tone is louder than podcast targets: a warning apart from the planted mistakes.
    assert len([f for f in findings if "LUFS" not in f["message"]]) == 5, findings


def test_check_reports_source_errors_without_traceback(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(**{f"{EP}/episode.toml": "title = \n"})
    code, stdout, _ = run("check", "--source", str(source), "--site", str(tmp_path))
    assert code == 1
    assert stdout.splitlines()[0].startswith("error: ") and "episode.toml:1: invalid TOML" in stdout


# ------------------------------------------------------------ podkit serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def test_serve_builds_serves_ranges_rebuilds_and_stops(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out, port = make_show(), tmp_path / "site", _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toolkit",
            "serve",
            "--source",
            str(source),
            "--out",
            str(out),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "1"},
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status, version = _get(base + "__podkit__/version")
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert version == b"1"
        status, body = _get(base + "001-premier/episode.mp3", {"Range": "bytes=100-199"})
        assert status == 206 and len(body) == 100
        assert body == (out / "001-premier" / "episode.mp3").read_bytes()[100:200]
        status, page = _get(base + "001-premier/")
        assert b"__podkit__/version" in page  # the reload script
        feed = _get(base + "feed.xml")[1]
        assert f"<link>{base}</link>".encode() in feed  # built for the local address
        (source / EP / "notes.md").write_text("Notes changées.\n", encoding="utf-8")
        deadline = time.monotonic() + 10
        while _get(base + "__podkit__/version")[1] == b"1":
            assert time.monotonic() < deadline, "no rebuild after a change"
            time.sleep(0.2)
        assert "Notes changées." in _get(base + "001-premier/")[1].decode()
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert stdout.strip().endswith("Stopped.")
    assert "Traceback" not in stderr


# ------------------------------------------------------------ every command


def test_no_progress_bar_outside_a_terminal(make_show: ShowMaker, tmp_path: Path) -> None:
    code, stdout, stderr = run("build", "--source", str(make_show()), "--out", str(tmp_path / "s"))
    assert code == 0 and "Tagging" not in stdout + stderr


def test_the_chapters_specs_own_complex_example_imports(
    make_show: ShowMaker, caplog: pytest.LogCaptureFixture
) -> None:
    """tests/data/chapters-spec-complex.json is the "More complex example" of
    Podcastindex-org/podcast-namespace chapters/jsonChapters.md, copied as it is."""
    source = make_show()
    (source / EP / "episode.mp3").unlink()  # its 6,089 s need a longer audio: not checked
    code, _, stderr = run("chapters", "import", str(SPEC_JSON), "--episode", str(source / EP))
    assert code == 0, stderr
    chapters = tomllib.loads((source / EP / "episode.toml").read_text("utf-8"))["chapters"]
    assert len(chapters) == 9
    assert chapters[3] == {
        "start": "00:06:50.000",
        "title": "Namespace",
        "url": "https://github.com/Podcastindex-org/podcast-namespace",
        "image_url": "https://example.com/images/namepsace_example.jpg",
    }
    assert chapters[5] == {  # untitled and toc: false: kept, hidden, titled by its start
        "start": "01:20:26.000",
        "title": "01:20:26",
        "hidden": True,
        "image_url": "https://example.com/images/parisfrance.jpg",
        "location": {"name": "Eiffel Tower, Paris", "geo": "geo:42.3417649,-70.9661596"},
    }
    assert [c.get("hidden", False) for c in chapters].count(True) == 1
    assert "left out" not in caplog.text


def test_imported_chapter_art_urls_and_hidden_chapters_are_published(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show()
    document = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Intro", "img": "https://cdn.example.com/a.jpg"},
            {"startTime": 20, "toc": False},
            {"startTime": 40, "title": "Fin", "location": {"name": "Villejuif", "osm": "R105901"}},
        ],
    }
    (tmp_path / "c.json").write_text(json.dumps(document), encoding="utf-8")
    assert (
        run("chapters", "import", str(tmp_path / "c.json"), "--episode", str(source / EP))[0] == 0
    )
    out = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(source), "--out", str(out))
    assert code == 0, stderr
    items = json.loads((out / EP / "chapters.json").read_text("utf-8"))["chapters"]
    assert items[0]["img"] == "https://cdn.example.com/a.jpg"
    assert items[1] == {"startTime": 20.0, "endTime": 40.0, "title": "00:00:20", "toc": False}
    assert items[2]["location"] == {"name": "Villejuif", "osm": "R105901"}
    feed = etree.parse(str(out / "feed.xml"))
    psc = feed.findall(".//{http://podlove.org/simple-chapters}chapter")
    assert [(c.get("title"), c.get("image")) for c in psc] == [
        ("Intro", "https://cdn.example.com/a.jpg"),
        ("Fin", None),
    ]


def _png(path: Path, size: tuple[int, int]) -> None:
    from PIL import Image

    Image.new("RGB", size, (200, 30, 30)).save(path, "PNG")


def test_chapter_images_are_resized_for_tags_and_site_and_named_in_psc(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    import io

    from mutagen.id3 import ID3
    from PIL import Image

    source = make_show()
    _png(source / EP / "wide.png", (1200, 800))
    toml_path = source / EP / "episode.toml"
    text = toml_path.read_text("utf-8").replace(
        'title = "Le cœur du sujet"\n', 'title = "Le cœur du sujet"\nimage = "wide.png"\n'
    )
    toml_path.write_text(text, "utf-8")
    out = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(source), "--out", str(out))
    assert code == 0, stderr
    with Image.open(out / EP / "chapter-2.png") as copy:
        assert (copy.format, copy.size) == ("PNG", (600, 400))
    chap = ID3(out / EP / "episode.mp3").getall("CHAP")[1]
    with Image.open(io.BytesIO(chap.sub_frames.getall("APIC")[0].data)) as tagged:
        assert tagged.size == (600, 400)
    psc = etree.parse(str(out / "feed.xml")).findall(
        ".//{http://podlove.org/simple-chapters}chapter"
    )
    assert psc[1].get("image") == f"https://example.org/show/{EP}/chapter-2.png"
    assert psc[0].get("image") is None


def test_a_chapter_image_over_3000_pixels_is_refused(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    _png(source / EP / "huge.png", (3001, 40))
    toml_path = source / EP / "episode.toml"
    text = toml_path.read_text("utf-8").replace(
        'title = "Conclusion"\n', 'title = "Conclusion"\nimage = "huge.png"\n'
    )
    toml_path.write_text(text, "utf-8")
    code, _, stderr = run("build", "--source", str(source), "--out", str(tmp_path / "site"))
    assert code == 1
    assert (
        f"{toml_path}: chapters[2].image: huge.png is 3001x40 pixels: a chapter image may be at "
        "most 3000 pixels on its longer side"
    ) in stderr
