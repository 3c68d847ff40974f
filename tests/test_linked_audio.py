"""An episode whose audio stays on another host (`audio_url`, as `podkit import --audio link`
writes it): built without a copy or a tag, checked without fetching, its keys checked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EPISODE_TOML, ShowMaker, need_program
from lxml import etree, html

from toolkit import audio
from toolkit.check import check
from toolkit.cli import cli
from toolkit.config import load_show
from toolkit.errors import ToolkitError

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
URL = "https://old-host.example.org/shows/premier%20episode.m4a"
LINKED = f"""\
audio_url = "{URL}"
audio_length = 34567890
audio_duration = "00:42:10.400"
audio_type = "audio/mp4"
"""


def _linked(make_show: ShowMaker, keys: str = LINKED) -> Path:
    toml = EPISODE_TOML.replace('audio = "episode.mp3"\n', keys)
    return make_show(**{"001-premier__episode.toml": toml, "001-premier__episode.mp3": None})


def _build(source: Path, site: Path) -> str:
    result = CliRunner().invoke(cli, ["build", "--source", str(source), "--out", str(site)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_linked_episode_is_built_without_copy_or_tag(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, site = _linked(make_show), tmp_path / "site"
    _build(source, site)
    assert list(site.rglob("*.mp3")) == list(site.rglob("*.m4a")) == []
    item = etree.parse(str(site / "feed.xml")).find("channel/item")
    enclosure = item.find("enclosure")
    assert (enclosure.get("url"), enclosure.get("length"), enclosure.get("type")) == (
        URL,
        "34567890",
        "audio/mp4",
    )
    assert item.findtext(f"{ITUNES}duration") == "2530"
    page = html.parse(str(site / "001-premier" / "index.html"))
    assert page.xpath("//audio/@src") == [URL]
    assert page.xpath("//meta[@property='og:audio:type']/@content") == ["audio/mp4"]
    assert [str(p) for p in check(source, site).errors] == []


def test_a_linked_episode_rebuilds_from_its_episode_toml(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, site = _linked(make_show), tmp_path / "site"
    _build(source, site)
    assert "0 files written" in _build(source, site)
    toml = source / "001-premier" / "episode.toml"
    toml.write_text(toml.read_text().replace("34567890", "34567999"))
    _build(source, site)
    enclosure = etree.parse(str(site / "feed.xml")).find("channel/item/enclosure")
    assert enclosure.get("length") == "34567999"


def test_check_says_when_the_feed_is_not_what_episode_toml_links(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, site = _linked(make_show), tmp_path / "site"
    _build(source, site)
    feed = site / "feed.xml"
    feed.write_text(feed.read_text().replace('length="34567890"', 'length="12"'))
    errors = [str(p) for p in check(source, site).errors]
    assert errors == [
        f"{feed}: item 'Premier épisode': its enclosure is not the audio "
        f"001-premier/episode.toml links to ({URL}, 34567890 bytes, 2530 s): build again"
    ]


def test_check_says_when_linked_audio_is_on_this_machine(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    local = "http://127.0.0.1:8000/premier.m4a"  # what an import from a local test server links
    source, site = _linked(make_show, LINKED.replace(URL, local)), tmp_path / "site"
    _build(source, site)
    found = check(source, site)
    assert [str(p) for p in found.errors] == []
    assert [str(p) for p in found.findings if p.warning] == [
        f"warning: {site / 'feed.xml'}: item 'Premier épisode': its audio is on this machine ({local}), "
        "which no app can reach: set audio_url in 001-premier/episode.toml to the public "
        "https address"
    ]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            'audio = "episode.mp3"\n' + LINKED,
            [
                "audio_url: the episode also has its own file (audio): remove audio_url to "
                "publish that file, or remove audio to link to the address"
            ],
        ),
        (
            LINKED.replace("https://", "http://"),
            [
                f"audio_url: '{URL.replace('https', 'http')}' must be an https:// address: "
                "apps refuse plain http"
            ],
        ),
        (
            'audio_url = "https://old.example.org/a.mp3"\n',
            [
                "audio_length: missing: the audio is linked (audio_url): add audio_length = "
                "34567890",
                'audio_duration: missing: the audio is linked (audio_url): add audio_duration = "00:42:10"',
            ],
        ),
        (
            LINKED.replace("34567890", '"34 MB"').replace('"00:42:10.400"', '"00:00:00"'),
            [
                "audio_length: must be a whole number of at least 1, like audio_length = 1",
                'audio_duration: is zero: write the audio\'s duration, e.g. "00:42:10"',
            ],
        ),
        (
            LINKED.replace('"audio/mp4"', '"video/mp4"'),
            ["audio_type: 'video/mp4' is not an audio MIME type: write e.g. audio/mp4"],
        ),
        (
            LINKED.replace('"00:42:10.400"', '"00:00:30"'),
            [
                "chapters[2].start: 00:00:45.000 is past the end of the audio (00:00:30.000): move it before the end, or remove the chapter"
            ],
        ),
    ],
)
def test_linked_audio_keys_are_checked_all_at_once(
    make_show: ShowMaker, keys: str, expected: list[str]
) -> None:
    source = _linked(make_show, keys)
    with pytest.raises(ToolkitError) as error:
        load_show(source)
    found = [f"{p.where}: {p.message}" for p in error.value.problems if not p.warning]
    assert [f for f in found if not f.startswith("segment")] == expected


def test_linked_keys_without_audio_url_are_a_warning(make_show: ShowMaker) -> None:
    toml = EPISODE_TOML.replace(
        'audio = "episode.mp3"\n', 'audio = "episode.mp3"\naudio_length = 3\n'
    )
    _, warnings = load_show(make_show(**{"001-premier__episode.toml": toml}))
    assert [f"{w.where}: {w.message}" for w in warnings] == [
        "audio_length: is read only with audio_url: remove it"
    ]


@pytest.mark.parametrize("mode", [["-b:a", "64k", "-write_xing", "0"], ["-q:a", "5"]])
def test_the_duration_of_an_mp3_on_another_host_from_its_first_frames(
    tmp_path: Path, mode: list[str]
) -> None:
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    mp3 = tmp_path / "a.mp3"
    sine = ["-f", "lavfi", "-i", "sine=frequency=440:duration=95"]
    subprocess.run(
        [ffmpeg, "-loglevel", "error", *sine, "-c:a", "libmp3lame", *mode, str(mp3)], check=True
    )
    data = mp3.read_bytes()
    start = audio.audio_start(data[:10])
    estimate = audio.duration_from_head(data[start : start + 16384], len(data) - start)
    assert estimate == audio.probe(mp3).duration  # CBR without a Xing header, VBR with one
    assert audio.duration_from_head(b"<html>" * 100, 10_000) is None


def test_a_linked_episode_is_taken_back_as_loaded_as_it_was(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit import cache
    from toolkit.cache_record import loaded_from_record, loaded_record

    source = _linked(make_show)
    show, _ = load_show(source, read_transcripts=False)
    (episode,) = show.episodes
    assert episode.linked is not None and episode.audio is None
    assert loaded_from_record(loaded_record(episode, None, ()))[0] == episode
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written just now
    site, clean = tmp_path / "site", tmp_path / "clean"
    _build(source, site)
    _build(source, site)  # taken back from the sealed record
    _build(source, clean)
    feed = (site / "feed.xml").read_bytes()
    assert feed == (clean / "feed.xml").read_bytes()
    assert (site / "001-premier" / "index.html").read_bytes() == (
        clean / "001-premier" / "index.html"
    ).read_bytes()
