"""Inputs that must be escaped, checked or contained: file names in URLs, speaker names,
paths that leave the show, whole-string patterns, BOMs, imported chapters, new titles."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from click.testing import CliRunner
from conftest import EPISODE_TOML, NOTES, SHOW_TOML, TONE, ShowMaker, tree_digest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree, html

from toolkit import chapter_formats
from toolkit import transcript as tr
from toolkit.cli import cli
from toolkit.config import load_show
from toolkit.corrections import apply_corrections, load_corrections, parse_corrections
from toolkit.errors import ToolkitError
from toolkit.model import Chapter, Segment, Transcript

NOW = ["--now", "2026-01-01T00:00:00+00:00"]
BASE = "https://example.org/show/"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _site_file(site: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return site / unquote(urlsplit(url[len(BASE) :]).path)


# ------------------------------------------------------------ file names in URLs


@pytest.mark.parametrize("name", ["Episode 12.mp3", "my ep#1?.mp3", "épisode & co.mp3"])
def test_audio_names_are_percent_encoded_in_every_url(
    make_show: ShowMaker, tmp_path: Path, name: str
) -> None:
    source = make_show(**{"001-premier/episode.toml": EPISODE_TOML.replace("episode.mp3", name)})
    (source / "001-premier" / "episode.mp3").rename(source / "001-premier" / name)
    site = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(source), "--out", str(site), *NOW)
    assert code == 0, stderr
    audio = site / "001-premier" / name
    assert audio.is_file()

    feed_bytes = (site / "feed.xml").read_bytes()
    feed = etree.fromstring(feed_bytes)
    enclosure = feed.find("channel/item/enclosure")
    assert enclosure is not None
    url = enclosure.get("url", "")
    assert " " not in url and "#" not in url and "?" not in url
    assert _site_file(site, url) == audio
    parsed = feedparser.parse(feed_bytes)
    assert not parsed.bozo, parsed.bozo_exception
    (link,) = parsed.entries[0].enclosures
    assert _site_file(site, link.href) == audio
    for element in feed.iter("{https://podcastindex.org/namespace/1.0}*"):
        if element.get("url"):
            assert _site_file(site, element.get("url", "")).is_file()

    page_file = site / "001-premier" / "index.html"
    page = html.parse(str(page_file)).getroot()
    refs = page.xpath("//audio/@src | //a[@download]/@href")
    assert len(refs) > 3
    for ref in refs:
        parts = urlsplit(ref)
        assert (page_file.parent / unquote(parts.path)).is_file(), ref
        assert parts.fragment == ""
    # Chapter and timestamp links stay on the page (the script cues the audio from them).
    seeks = page.xpath("//a[contains(@class, 'seek')]/@href")
    assert seeks and all(ref.startswith("#") for ref in seeks), seeks
    (src,) = page.xpath("//audio/@src")
    assert page_file.parent / unquote(src) == audio
    (og_audio,) = page.xpath("//meta[@property='og:audio']/@content")
    assert _site_file(site, og_audio) == audio

    chapters = json.loads((site / "001-premier" / "chapters.json").read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0" and len(chapters["chapters"]) == 3

    code, stdout, stderr = run("check", "--source", str(source), "--site", str(site), *NOW)
    assert code == 0 and "error:" not in stdout + stderr, stdout + stderr


def test_chapter_image_urls_are_percent_encoded(make_show: ShowMaker, tmp_path: Path) -> None:
    # The published name keeps the image's own extension, whatever it is.
    toml = EPISODE_TOML.replace(
        'title = "Le cœur du sujet"\n', 'title = "Le cœur du sujet"\nimage = "art.j#g"\n'
    )
    source = make_show(**{"001-premier/episode.toml": toml})
    shutil.copy(source / "cover.jpg", source / "001-premier" / "art.j#g")
    site = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(source), "--out", str(site), *NOW)
    assert code == 0, stderr
    chapters = json.loads((site / "001-premier" / "chapters.json").read_text(encoding="utf-8"))
    image = chapters["chapters"][1]["img"]
    assert _site_file(site, image) == site / "001-premier" / "chapter-2.j#g"
    assert (site / "001-premier" / "chapter-2.j#g").is_file()


# ------------------------------------------------------------ whole-string patterns


def test_a_folder_name_ending_in_a_newline_is_not_a_slug(make_show: ShowMaker) -> None:
    source = make_show()
    (source / "001-premier").rename(source / "001-premier\n")
    with pytest.raises(ToolkitError) as caught:
        load_show(source)
    problem = caught.value.problems[0]
    assert problem.file == source / "001-premier\n"
    assert "folder name is used in URLs" in problem.message
    assert "'001-premier'" in problem.message


# ------------------------------------------------------------ paths stay in the show


def _outside(source: Path) -> Path:
    """A private folder beside the show, with a diary, a picture and an MP3."""
    private = source.parent / "private"
    private.mkdir()
    (private / "diary.txt").write_text("- Moi\nMon journal intime.\n", encoding="utf-8")
    shutil.copy(source / "cover.jpg", private / "any.jpg")
    shutil.copy(TONE, private / "any.mp3")
    return private


def _problem_lines(source: Path) -> list[str]:
    with pytest.raises(ToolkitError) as caught:
        load_show(source)
    return [str(p) for p in caught.value.problems if not p.warning]


def test_paths_outside_the_show_are_refused(make_show: ShowMaker) -> None:
    source = make_show()
    private = _outside(source)
    toml = (
        EPISODE_TOML.replace('audio = "episode.mp3"', f'audio = "{private}/any.mp3"')
        .replace("explicit = false\n", 'explicit = false\ntranscript = "../../private/diary.txt"\n')
        .replace(
            'title = "Introduction"\n', f'title = "Introduction"\nimage = "{private}/any.jpg"\n'
        )
        .replace('type = "full"\n', 'type = "full"\ncover = "../../private/any.jpg"\n')
    )
    (source / "001-premier" / "episode.toml").write_text(toml, encoding="utf-8")
    show_toml = (source / "show.toml").read_text(encoding="utf-8")
    (source / "show.toml").write_text(
        show_toml.replace('cover = "cover.jpg"', 'cover = "../private/any.jpg"'), encoding="utf-8"
    )
    said = f"is outside the show's folder '{source}': podkit publishes only files of the show"
    episode = source / "001-premier" / "episode.toml"
    assert _problem_lines(source) == [
        f"{source / 'show.toml'}: cover: '../private/any.jpg' {said}; move or copy the file into it",
        f"{episode}: audio: '{private}/any.mp3' {said}; move or copy the file into it",
        f"{episode}: cover: '../../private/any.jpg' {said}; move or copy the file into it",
        f"{episode}: chapters[0].image: '{private}/any.jpg' {said}; move or copy the file into it",
        f"{episode}: transcript: '../../private/diary.txt' {said}; move or copy the file into it",
    ]


def test_links_out_of_the_show_are_refused(make_show: ShowMaker) -> None:
    source = make_show(**{"001-premier/transcript.txt": None})
    private = _outside(source)
    folder = source / "001-premier"
    (folder / "episode.mp3").unlink()
    (folder / "episode.mp3").symlink_to(private / "any.mp3")
    (folder / "transcript.txt").symlink_to(private / "diary.txt")
    said = f"is outside the show's folder '{source}': podkit publishes only files of the show"
    assert _problem_lines(source) == [
        f"{folder / 'episode.toml'}: audio: 'episode.mp3' {said}; move or copy the file into it",
        f"{folder / 'transcript.txt'}: 'transcript.txt' {said}; move or copy the file into it",
    ]


def test_paths_inside_the_show_may_be_anywhere_in_it(make_show: ShowMaker) -> None:
    source = make_show()
    shared = source / "_audio"
    shared.mkdir()
    (source / "001-premier" / "episode.mp3").rename(shared / "one.mp3")
    (source / "001-premier" / "episode.mp3").symlink_to(shared / "one.mp3")
    toml = EPISODE_TOML.replace('"episode.mp3"', f'"{shared / "one.mp3"}"')
    (source / "001-premier" / "episode.toml").write_text(toml, encoding="utf-8")
    show, _ = load_show(source)
    assert show.episodes[0].audio == (shared / "one.mp3").resolve()


# ------------------------------------------------------------ speaker names

INJECTED_VTT = "A>\n\n00:00:00.000 --> 00:00:09.000\nINJECTED <b>"


def _json_transcript(speaker: str) -> bytes:
    segment = {"speaker": speaker, "startTime": 0.0, "endTime": 2.0, "body": "Bonjour."}
    return json.dumps({"version": "1.0.0", "segments": [segment]}).encode()


@pytest.mark.parametrize(
    ("speaker", "message"),
    [
        (INJECTED_VTT, "contains the control character U+000A at position 3: remove it"),
        ("B: fake", "contains ':', '<' or '>': drop them"),
        ("Ana\tBo", "contains the control character U+0009 at position 4"),
        ("Ana\u2028Bo", "contains the character U+2028 at position 4"),
        ("Ana  Bo", "separate its words with single spaces"),
        ("Note", "not as a remark's label such as Note"),
        ("bon", "start it with a capital letter or a digit"),
        ("A" * 61, "is 61 characters long: shorten it to 60"),
    ],
)
def test_speaker_names_are_checked_in_json(speaker: str, message: str) -> None:
    with pytest.raises(tr.TranscriptError) as caught:
        tr.read(Path("t.json"), _json_transcript(speaker))
    assert caught.value.where == "segments[0].speaker"
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("t.vtt", b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v A &lt;b&gt;>Bonjour.\n", 3),
        ("t.vtt", b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v A\xc2\x9fB>Bonjour.\n", 3),
        ("t.srt", b"1\n00:00:00,000 --> 00:00:02,000\nA\xc2\x9fB: Bonjour.\n", 1),
        ("t.txt", b"- A\x7fB\n[00:00:00] Bonjour.\n", 1),
    ],
)
def test_speaker_names_are_checked_in_every_format(name: str, data: bytes, where: int) -> None:
    with pytest.raises(tr.TranscriptError) as caught:
        tr.read(Path(name), data)
    assert caught.value.where == where
    assert "speaker" in caught.value.message


def test_an_injected_speaker_never_reaches_the_published_vtt(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(
        **{
            "001-premier/transcript.txt": None,
            "001-premier/transcript.json": _json_transcript(INJECTED_VTT).decode(),
        }
    )
    code, _, stderr = run("build", "--source", str(source), "--out", str(tmp_path / "s"), *NOW)
    assert code == 1
    transcript = source / "001-premier" / "transcript.json"
    assert stderr.startswith(f"{transcript}: segments[0].speaker: speaker 'A>")
    assert "Traceback" not in stderr and not (tmp_path / "s" / "feed.xml").exists()


def test_transcript_import_refuses_a_bad_new_speaker_name(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text("- Speaker #0\nBonjour.\n", encoding="utf-8")
    code, _, stderr = run(
        "transcript", "import", str(raw), str(tmp_path / "out.txt"), "--speaker", "Speaker #0=B: x"
    )
    assert code == 1
    assert stderr.startswith("--speaker: 'Speaker #0=B: x': speaker 'B: x' contains ':'")
    assert not (tmp_path / "out.txt").exists()


speaker_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=70
).filter(lambda name: tr.speaker_problem(name) is None)


@settings(max_examples=300, deadline=None)
@given(st.lists(speaker_names, min_size=1, max_size=3))
def test_every_allowed_speaker_name_survives_every_format(names: list[str]) -> None:
    segments = tuple(
        Segment(name, f"Phrase {i}: bonjour.", float(i * 2), float(i * 2 + 1.5))
        for i, name in enumerate(names)
    )
    spoken = Transcript(segments)
    for fmt, path in (("vtt", "t.vtt"), ("srt", "t.srt"), ("json", "t.json"), ("turns", "t.txt")):
        back = tr.read(Path(path), tr.write(spoken, fmt).encode())
        assert [s.speaker for s in back.segments] == names, fmt


# ------------------------------------------------------------ byte order marks

BOM = "\ufeff"


def test_a_bom_is_accepted_in_toml_and_left_out_of_the_notes(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(
        **{
            "show.toml": BOM + SHOW_TOML,
            "001-premier/episode.toml": BOM + EPISODE_TOML,
            "001-premier/notes.md": BOM + NOTES,
        }
    )
    before = tree_digest(source)
    site = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(source), "--out", str(site), *NOW)
    assert code == 0, stderr
    assert tree_digest(source) == before
    for name in ("feed.xml", "index.html", "001-premier/index.html"):
        assert BOM not in (site / name).read_text(encoding="utf-8"), name
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert parsed.entries[0].summary.startswith("Un épisode de test.")


def test_new_and_chapters_import_read_a_toml_file_with_a_bom(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(
        **{"show.toml": BOM + SHOW_TOML, "001-premier/episode.toml": BOM + EPISODE_TOML}
    )
    code, _, stderr = run("new", "Deux", "--source", str(source))
    assert code == 0, stderr
    data = tomllib.loads((source / "002-deux" / "episode.toml").read_text(encoding="utf-8"))
    assert data["persons"] == [{"name": "Hôte Un", "role": "host"}]  # read from show.toml

    labels = tmp_path / "labels.txt"
    labels.write_text(BOM + "0.000000\t0.000000\tDébut\n30.5\t30.5\tSuite\n", encoding="utf-8")
    episode = source / "001-premier"
    code, _, stderr = run("chapters", "import", str(labels), "--episode", str(episode))
    assert code == 0, stderr
    text = (episode / "episode.toml").read_text(encoding="utf-8")
    assert text.startswith(BOM)  # only the chapters changed
    chapters = tomllib.loads(text.removeprefix(BOM))["chapters"]
    assert [c["title"] for c in chapters] == ["Début", "Suite"]


EXTENSIONS = {"json": ".json", "podlove": ".xml", "reaper": ".csv"}


@pytest.mark.parametrize(
    ("fmt", "suffix"),
    [(fmt, EXTENSIONS.get(fmt, ".txt")) for fmt in chapter_formats.EXPORT_FORMATS]
    + [("podlove", ".txt")],  # Podlove XML told by its content too
)
def test_chapter_files_with_a_bom_are_read(fmt: str, suffix: str) -> None:
    chapters = (Chapter(0.0, "Début"), Chapter(12.0, "Suite"))
    data = (BOM + chapter_formats.export(fmt, chapters, 60.0)).encode()
    path = Path("chapters" + suffix)
    found = chapter_formats.detect_format(path, data)
    assert found == fmt
    back = chapter_formats.parse(found, data)
    assert [(c.start, c.title) for _, c in back] == [(0.0, "Début"), (12.0, "Suite")]


@pytest.mark.parametrize("fmt", ["vtt", "srt", "json", "turns"])
def test_transcripts_with_a_bom_are_read(fmt: str) -> None:
    spoken = Transcript((Segment("Ana", "Bonjour.", 0.0, 2.0), Segment("Bo", "Salut.", 2.0, 3.0)))
    data = (BOM + tr.write(spoken, fmt)).encode()
    suffix = {"turns": ".txt"}.get(fmt, "." + fmt)
    back = tr.read(Path("t" + suffix), data)
    assert [(s.speaker, s.text) for s in back.segments] == [("Ana", "Bonjour."), ("Bo", "Salut.")]
    back = tr.read(Path("transcript"), data)  # told apart by content
    assert back.speakers == ("Ana", "Bo")


def test_a_corrections_file_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "corrections.txt"
    path.write_text(BOM + "Anthony -> Antony\n", encoding="utf-8")
    (correction,) = load_corrections(path)
    assert correction.wrong == "Anthony"


@pytest.mark.parametrize(
    ("entry", "text", "fixed"),
    [
        # A replacement with a capital is the author's spelling, whatever the match's case.
        ("AWS IOT -> AWS IoT", "plateforme IOT, AWS IOT", "plateforme IOT, AWS IoT"),
        ("IOT -> IoT", "la plateforme IOT. IOT partout", "la plateforme IoT. IoT partout"),
        ("KeeTime -> Keytime", "Vu KEETIME !", "Vu Keytime !"),
        ("Anthony -> Antony", "Bonjour ANTHONY. anthony", "Bonjour Antony. Antony"),
        ("ok -> OK", "Ah oui, ok. Ok, je passe", "Ah oui, OK. OK, je passe"),
        ("iphone -> iPhone", "IPHONE. Un iphone", "iPhone. Un iPhone"),
        # An all-lowercase replacement follows the match: a capital at a sentence start,
        # all caps for an all-caps match, lowercase elsewhere.
        ("mbi -> mba", "Mbi. Un MBI, un Mbi", "Mba. Un MBA, un mba"),
        (
            "startup -> start-up",
            "STARTUP ! Startup. Une Startup",
            "START-UP ! Start-up. Une start-up",
        ),
        ("l'effray -> l'efrei", "« L'Effray » et L'EFFRAY", "« L'efrei » et L'EFREI"),
    ],
)
def test_glossary_case_rules(entry: str, text: str, fixed: str) -> None:
    assert apply_corrections(text, parse_corrections(entry))[0] == fixed


# ------------------------------------------------------------ chapters import

EP = "001-premier"


def _import(source: Path, chapters: Path, *extra: str) -> tuple[int, str]:
    code, _, stderr = run(
        "chapters", "import", str(chapters), "--episode", str(source / EP), *extra
    )
    return code, stderr


def test_chapters_import_applies_the_loaders_rules_before_writing(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show()
    before = tree_digest(source)
    chapters = tmp_path / "chapters.json"
    chapters.write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Intro", "url": "javascript:alert(1)"},
                    {"startTime": 10, "title": "Deux", "url": "ftp://example.org/x"},
                    {"startTime": 20, "title": "Trois", "url": "https://example.org/a b"},
                    {"startTime": 30, "title": "Quatre", "url": "https://example.org/ok"},
                ],
            }
        ),
        encoding="utf-8",
    )
    code, stderr = _import(source, chapters)
    assert code == 1
    assert stderr.splitlines() == [
        f"{chapters}: chapter 1: url 'javascript:alert(1)' is not an absolute http(s) URL: write https://…",
        f"{chapters}: chapter 2: url 'ftp://example.org/x' is not an absolute http(s) URL: write https://…",
        f"{chapters}: chapter 3: url 'https://example.org/a b' contains a space or a control character: "
        "write a space as %20",
    ]
    assert tree_digest(source) == before
    # What the import accepts, the build accepts: the loader says the same of the same URL.
    toml = EPISODE_TOML.replace("https://example.org/sujet", "javascript:alert(1)")
    (source / EP / "episode.toml").write_text(toml, encoding="utf-8")
    assert _problem_lines(source) == [
        f"{source / EP / 'episode.toml'}: chapters[1].url: 'javascript:alert(1)' is not an "
        "absolute http(s) URL: write https://…"
    ]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            b'title = "x"\naudio = \n',
            ':2: invalid TOML: Invalid value: put a text in quotes ("…"); true, false, numbers'
            " and dates go without",
        ),
        (b'title = "\xe9pisode"\n', ": is not UTF-8 text: save it as UTF-8"),
    ],
)
def test_chapters_import_reports_a_broken_episode_toml(
    make_show: ShowMaker, tmp_path: Path, toml: bytes, message: str
) -> None:
    source = make_show(**{f"{EP}/episode.toml": toml})
    before = tree_digest(source)
    labels = tmp_path / "labels.txt"
    labels.write_text("0\t0\tIntro\n", encoding="utf-8")
    code, stderr = _import(source, labels)
    assert code == 1
    assert stderr.strip() == f"{source / EP / 'episode.toml'}{message}"
    assert tree_digest(source) == before


def test_chapters_import_of_folders_is_one_line_each(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    before = tree_digest(source)
    code, _, stderr = run("chapters", "import", str(tmp_path), "--episode", str(source / EP))
    assert (code, stderr.strip()) == (
        1,
        f"{tmp_path}: is a folder: pass the chapter file to import",
    )
    labels = tmp_path / "labels.txt"
    labels.write_text("0\t0\tIntro\n", encoding="utf-8")
    code, _, stderr = run("chapters", "import", str(labels), "--episode", str(labels))
    assert (code, stderr.strip()) == (
        1,
        f"{labels}: is not a folder: --episode is the episode's folder",
    )
    (source / "002-x" / "episode.toml").mkdir(parents=True)
    code, _, stderr = run("chapters", "import", str(labels), "--episode", str(source / "002-x"))
    assert (code, stderr.strip()) == (
        1,
        f"{source / '002-x' / 'episode.toml'}: not found: --episode is the episode's folder",
    )
    assert tree_digest(source) == before


# ------------------------------------------------------------ podkit new


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", 'title: is empty: give the episode\'s title, e.g. podkit new "My first episode"'),
        (" \t ", 'title: is empty: give the episode\'s title, e.g. podkit new "My first episode"'),
        (
            "Un\nDeux",
            "title: 'Un\\nDeux' has a control character (U+000A) at position 3: "
            "write the title on one line",
        ),
        (
            "Bip\x07",
            "title: 'Bip\\x07' has a control character (U+0007) at position 4: "
            "write the title on one line",
        ),
    ],
)
def test_new_refuses_an_empty_or_multiline_title(
    make_show: ShowMaker, title: str, message: str
) -> None:
    source = make_show()
    before = tree_digest(source)
    code, _, stderr = run("new", title, "--source", str(source))
    assert (code, stderr.strip()) == (1, message)
    assert tree_digest(source) == before and not (source / "002-episode").exists()


def test_new_strips_the_title(make_show: ShowMaker) -> None:
    source = make_show()
    code, _, stderr = run("new", "  Deux  ", "--source", str(source))
    assert code == 0, stderr
    data = tomllib.loads((source / "002-deux" / "episode.toml").read_text(encoding="utf-8"))
    assert data["title"] == "Deux"
