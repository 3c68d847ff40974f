"""MP3 tagging: chapters every player reads, tags kept, audio never touched."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from unittest.mock import Mock

import pytest
from conftest import EPISODE_TOML, TONE, ShowMaker, need_program
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mutagen import MutagenError
from mutagen.id3 import ID3, TCOM, TXXX, CTOCFlags, ParseID3v1
from mutagen.id3 import error as ID3Error
from mutagen.mp3 import MP3, HeaderNotFoundError
from PIL import Image

from toolkit import audio
from toolkit.config import load_show
from toolkit.id3_fields import episode_tags
from toolkit.model import AudioInfo, Chapter
from toolkit.typography import typeset


def raw_frames(data: bytes) -> list[tuple[str, bytes]]:
    """(frame id, body) of an ID3v2.3 tag in file order, read by hand, not by mutagen."""
    assert data[:3] == b"ID3" and data[3] == 3
    end = 10 + audio._id3v2_size(data[:10]) - 10
    frames, position = [], 10
    while position + 10 <= end and data[position : position + 1] != b"\0":
        frame_id = data[position : position + 4].decode("ascii")
        (size,) = struct.unpack(">I", data[position + 4 : position + 8])
        frames.append((frame_id, data[position + 10 : position + 10 + size]))
        position += 10 + size
    return frames


@pytest.fixture
def tagged(make_show: ShowMaker) -> tuple[bytes, bytes, audio.EpisodeTags]:
    show, _ = load_show(make_show())
    episode = show.episodes[0]
    tags = episode_tags(show, episode, b"\xff\xd8cover\xff\xd9")
    source = episode.audio.read_bytes()
    return source, audio.tag_bytes(source, tags), tags


def test_chap_frames_are_in_chronological_order_in_the_file(
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
) -> None:
    _, data, _ = tagged
    frames = raw_frames(data)
    chap_ids = [body.split(b"\0", 1)[0].decode() for frame_id, body in frames if frame_id == "CHAP"]
    assert chap_ids == ["chp0", "chp1", "chp2"]
    ids = [frame_id for frame_id, _ in frames]
    assert ids.index("CTOC") < ids.index("CHAP")


def test_chapters_times_offsets_titles_and_links(
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
) -> None:
    _, data, _ = tagged
    id3 = ID3(io.BytesIO(data))
    assert id3.version == (2, 3, 0)
    chapters = id3.getall("CHAP")
    assert [(c.element_id, c.start_time, c.end_time) for c in chapters] == [
        ("chp0", 0, 20500),
        ("chp1", 20500, 45000),
        ("chp2", 45000, 60000),  # the last one ends at the audio's duration
    ]
    assert {(c.start_offset, c.end_offset) for c in chapters} == {(0xFFFFFFFF, 0xFFFFFFFF)}
    assert str(chapters[1].sub_frames["TIT2"]) == "Le cœur du sujet"
    assert chapters[1].sub_frames.getall("WXXX")[0].url == "https://example.org/sujet"
    (toc,) = id3.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    assert str(toc.sub_frames["TIT2"]) == "Chapitres"


def test_episode_tags(tagged: tuple[bytes, bytes, audio.EpisodeTags]) -> None:
    _, data, _ = tagged
    id3 = ID3(io.BytesIO(data))
    assert str(id3["TIT2"]) == "Premier épisode"
    assert str(id3["TPE1"]) == "Hôte Un"
    assert str(id3["TALB"]) == "Test Show"
    assert str(id3["TCON"]) == "Podcast"
    assert str(id3["TRCK"]) == "1"
    assert str(id3["TLAN"]) == "fra"
    assert str(id3["TDRC"]) == "2024"  # v2.3: the year only (see test_eyed3_…)
    assert id3.getall("COMM")[0].lang == "fra"
    assert id3["PCST"].value == 1
    assert str(id3["TGID"]) == "11111111-2222-3333-4444-555555555555"
    assert id3["WOAS"].url == "https://example.org/show/001-premier/"
    assert id3.getall("APIC")[0].type == 3  # front cover
    ids = {f for f, _ in raw_frames(data)}
    assert "TYER" in ids and "TDAT" not in ids  # eyeD3 misreads a TDAT of days 1 to 9


def test_audio_frames_are_untouched(tagged: tuple[bytes, bytes, audio.EpisodeTags]) -> None:
    source, data, _ = tagged
    assert data[audio.audio_start(data) :] == source[audio.audio_start(source) :]


def test_tagging_twice_gives_the_same_bytes(tagged: tuple[bytes, bytes, audio.EpisodeTags]) -> None:
    _, data, tags = tagged
    assert audio.tag_bytes(data, tags) == data


def test_retagging_rewrites_only_the_tag(tagged: tuple[bytes, bytes, audio.EpisodeTags]) -> None:
    _, data, tags = tagged
    again = audio.tag_bytes(data, replace(tags, title=tags.title + " (version corrigée)"))
    assert len(again) == len(data)  # the padding took the longer title
    assert audio.audio_start(again) == audio.audio_start(data)
    assert again[audio.audio_start(again) :] == data[audio.audio_start(data) :]


def test_tags_podkit_does_not_manage_are_kept() -> None:
    id3 = ID3()
    id3.add(TCOM(encoding=3, text=["Compositrice"]))
    id3.add(TXXX(encoding=3, desc="studio", text=["Studio B"]))
    buffer = io.BytesIO(TONE.read_bytes())
    id3.save(buffer)
    tags = audio.EpisodeTags(
        "T", "A", "Al", "2024-01-01", None, "c", "fra", "g", "https://x.org/", "https://x.org/f"
    )
    out = ID3(io.BytesIO(audio.tag_bytes(buffer.getvalue(), tags)))
    assert str(out["TCOM"]) == "Compositrice" and str(out["TXXX:studio"]) == "Studio B"
    assert str(out["TIT2"]) == "T"


def id3v1(title: str, track: int) -> bytes:
    """An ID3v1.1 tag written by hand, as encoders write it."""
    fields = [(title, 30), ("Old artist", 30), ("Old album", 30), ("1999", 4), ("old", 28)]
    body = b"".join(text.encode("latin-1").ljust(width, b"\0") for text, width in fields)
    return b"TAG" + body + bytes((0, track, 12))


def test_an_id3v1_tag_is_rewritten_from_podkits_fields(
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
) -> None:
    source, _, tags = tagged
    tags = replace(tags, title="L’épisode où le cœur du sujet — enfin — est abordé en détail")
    data = audio.tag_bytes(source + id3v1("Old title", 7), tags)
    assert data[audio.audio_start(data) : -128] == source[audio.audio_start(source) :]
    v1 = ParseID3v1(data[-128:])
    assert str(v1["TIT2"]) == "L'épisode où le coeur du sujet"  # latin-1, cut at 30 bytes
    assert str(v1["TPE1"]) == "Hôte Un" and str(v1["TALB"]) == "Test Show"
    assert str(v1["TDRC"]) == "2024" and str(v1["TRCK"]) == "1"
    assert v1["TCON"].genres == ["Podcast"]
    assert str(v1["COMM"]) == tags.comment.encode("latin-1", "replace")[:28].decode("latin-1")
    assert audio.tag_bytes(data, tags) == data


def test_no_id3v1_tag_is_added(tagged: tuple[bytes, bytes, audio.EpisodeTags]) -> None:
    source, data, _ = tagged
    assert data[audio.audio_start(data) :] == source  # the audio, then nothing
    assert ParseID3v1(data[-128:]) is None


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_the_builds_tagged_copy_updates_id3v1_the_same_way(
    tmp_path: Path,
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
    monkeypatch: pytest.MonkeyPatch,
    kernel_copy: bool,
) -> None:
    if not kernel_copy:  # a file system without copy_file_range
        monkeypatch.setattr(os, "copy_file_range", Mock(side_effect=OSError(95, "no")))
    source, _, tags = tagged
    mp3 = tmp_path / "in.mp3"
    mp3.write_bytes(source + id3v1("Old title", 7))
    with (tmp_path / "out.mp3").open("wb") as target:
        written = audio.write_tagged(mp3, tags, target)
    out = (tmp_path / "out.mp3").read_bytes()
    assert out == audio.tag_bytes(mp3.read_bytes(), tags) and written == len(out)
    assert str(ParseID3v1(out[-128:])["TIT2"]) == "Premier épisode"


FRAME_IDS = ["TIT2", "COMM", "APIC", "CHAP", "CTOC", "TXXX", "PRIV", "TDRC", "RVA2", "LINK", "XXXX"]


def id3v23(frames: list[tuple[str, bytes]], size_error: int) -> bytes:
    """An ID3v2.3 tag of these frames, its size off by ``size_error`` bytes."""
    body = b"".join(i.encode() + struct.pack(">IH", len(d), 0) + d for i, d in frames)
    size = max(0, len(body) + size_error)
    synchsafe = bytes((size >> 21 & 0x7F, size >> 14 & 0x7F, size >> 7 & 0x7F, size & 0x7F))
    return b"ID3\x03\x00\x00" + synchsafe + body


@settings(max_examples=300, deadline=None)
@given(
    frames=st.lists(st.tuples(st.sampled_from(FRAME_IDS), st.binary(max_size=40)), max_size=5),
    size_error=st.integers(-20, 20),
)
@example(frames=[("LINK", b"\0\0\0\0"), ("TIT2", b"")], size_error=0)  # read, not writable
@example(frames=[("RVA2", b"\0-\0"), ("PRIV", b"\0")], size_error=0)
def test_a_damaged_old_tag_is_an_audio_error(
    frames: list[tuple[str, bytes]], size_error: int
) -> None:
    tags = audio.EpisodeTags("T", "A", "Al", "2024-01-01", 1, "c", "fra", "g", "u", "f")
    try:
        new = audio.render_tag(id3v23(frames, size_error), tags)
    except audio.AudioError as error:
        assert str(error) == audio.DAMAGED_TAG_MESSAGE
    else:
        assert str(ID3(io.BytesIO(new + bytes(128)))["TIT2"]) == "T"


def test_an_mp3_cut_off_inside_its_tag_is_an_audio_error() -> None:
    id3 = ID3()
    id3.add(TXXX(encoding=3, desc="big", text=["x" * 200_000]))
    buffer = io.BytesIO(TONE.read_bytes())
    id3.save(buffer)
    cut = buffer.getvalue()[:100_000]
    tags = audio.EpisodeTags("T", "A", "Al", "2024-01-01", 1, "c", "fra", "g", "u", "f")
    with pytest.raises(audio.AudioError, match="damaged or cut-off ID3 tag"):
        audio.tag_bytes(cut, tags)
    with pytest.raises(audio.AudioError, match="damaged or cut-off ID3 tag"):
        audio.probe_bytes(cut)


def test_hidden_chapters_stay_out_of_the_table_of_contents(
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
) -> None:
    source, _, tags = tagged
    chapters = (tags.chapters[0], replace(tags.chapters[1], hidden=True), tags.chapters[2])
    id3 = ID3(io.BytesIO(audio.tag_bytes(source, replace(tags, chapters=chapters))))
    assert len(id3.getall("CHAP")) == 3
    assert id3.getall("CTOC")[0].child_element_ids == ["chp0", "chp2"]


def test_chapter_image_goes_in_an_apic_inside_the_chap(
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
) -> None:
    source, _, tags = tagged
    image = (Path(__file__).parents[1] / "episodes" / "cover.jpg").read_bytes()
    chapters = (replace(tags.chapters[0], image=image), *tags.chapters[1:])
    id3 = ID3(io.BytesIO(audio.tag_bytes(source, replace(tags, chapters=chapters))))
    assert id3.getall("CHAP")[0].sub_frames.getall("APIC")[0].data == image


def test_id3v24_on_request(tagged: tuple[bytes, bytes, audio.EpisodeTags]) -> None:
    source, _, tags = tagged
    assert ID3(io.BytesIO(audio.tag_bytes(source, tags, v2_version=4))).version == (2, 4, 0)


def test_probe_reads_the_xing_duration() -> None:
    info = audio.probe(TONE)
    assert info.duration == pytest.approx(60.0, abs=0.01)
    assert (info.channels, info.sample_rate) == (1, 16000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"RIFF\0\0\0\0WAVEfmt " + bytes(100), "is a WAV file, not an MP3"),
        (b"\0\0\0\x20ftypM4A " + bytes(100), "is an MP4/M4A file, not an MP3"),
        (b"hello, this is text\n" * 20, "is not MPEG audio"),
        (TONE.read_bytes()[:20000], "is truncated"),
    ],
)
def test_probe_refuses_what_is_not_a_whole_mp3(data: bytes, message: str) -> None:
    with pytest.raises(audio.AudioError, match=message):
        audio.probe_bytes(data)


def test_ffprobe_lists_every_chapter_in_order(
    tmp_path: Path, tagged: tuple[bytes, bytes, audio.EpisodeTags]
) -> None:
    ffprobe = need_program("ffprobe", "ffmpeg")
    _, data, _ = tagged
    mp3 = tmp_path / "tagged.mp3"
    mp3.write_bytes(data)
    result = subprocess.run(
        [ffprobe, "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        capture_output=True,
        text=True,
        check=True,
    )
    chapters = json.loads(result.stdout)["chapters"]
    assert [(c["start_time"], c["end_time"], c["tags"]["title"]) for c in chapters] == [
        ("0.000000", "20.500000", "Introduction"),
        ("20.500000", "45.000000", "Le cœur du sujet"),
        ("45.000000", "60.000000", "Conclusion"),
    ]


def test_mp3val_finds_no_problem(
    tmp_path: Path, tagged: tuple[bytes, bytes, audio.EpisodeTags]
) -> None:
    mp3val = need_program("mp3val", "mp3val")
    _, data, _ = tagged
    mp3 = tmp_path / "tagged.mp3"
    mp3.write_bytes(data)
    output = subprocess.run([mp3val, str(mp3)], capture_output=True, text=True, check=True).stdout
    assert "WARNING" not in output and "PROBLEM" not in output, output


def test_chapter_model_end_is_next_start(make_show: ShowMaker) -> None:
    show, _ = load_show(make_show())
    episode = show.episodes[0]
    assert [episode.chapter_end(i) for i in range(3)] == [20.5, 45.0, episode.audio_info.duration]
    assert episode.chapters[1] == Chapter(20.5, "Le cœur du sujet", "https://example.org/sujet")


def test_built_keytime_mp3_keeps_the_source_audio_and_lists_every_chapter(tmp_path: Path) -> None:
    from toolkit.build import build

    source_dir = Path(__file__).parents[1] / "episodes"
    show, _ = load_show(source_dir)
    episode = show.episodes[0]
    source_bytes = episode.audio.read_bytes()
    out = tmp_path / "site"
    build(source_dir, out)
    built = (out / episode.slug / episode.audio.name).read_bytes()
    assert episode.audio.read_bytes() == source_bytes  # the source is untouched
    assert built[audio.audio_start(built) :] == source_bytes[audio.audio_start(source_bytes) :]
    published = json.loads((out / episode.slug / "chapters.json").read_text(encoding="utf-8"))
    titles = [c["title"] for c in published["chapters"]]  # typeset, as on the page
    assert titles == [typeset(c.title, show.language) for c in episode.chapters]
    expected = [
        (f"chp{i}", round(c.start * 1000), titles[i]) for i, c in enumerate(episode.chapters)
    ]
    assert [(i, s, t) for i, s, _, t in audio.read_chapters(built)] == expected
    ffprobe = need_program("ffprobe", "ffmpeg")
    listed = json.loads(
        subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-show_chapters",
                "-of",
                "json",
                str(out / episode.slug / episode.audio.name),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["chapters"]
    assert [(round(float(c["start_time"]), 3), c["tags"]["title"]) for c in listed] == [
        (round(c.start, 3), typeset(c.title, "fr")) for c in episode.chapters
    ]
    assert float(listed[-1]["end_time"]) == pytest.approx(episode.audio_info.duration, abs=0.001)
    mp3val = need_program("mp3val", "mp3val")
    report = subprocess.run(
        [mp3val, str(out / episode.slug / episode.audio.name)], capture_output=True, text=True
    ).stdout
    assert "WARNING" not in report and "PROBLEM" not in report, report


def test_a_chapter_image_has_the_mime_type_of_its_content(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """The image's bytes decide its MIME type, not the case or the letters of its name."""
    from toolkit.build import build

    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(picture, "PNG")
    toml = EPISODE_TOML.replace(
        'title = "Introduction"\n', 'title = "Introduction"\nimage = "art.PNG"\n'
    )
    source = make_show(
        **{"001-premier__episode.toml": toml, "001-premier__art.PNG": picture.getvalue()}
    )
    out = tmp_path / "site"
    build(source, out)
    id3 = ID3(out / "001-premier" / "episode.mp3")
    image = id3.getall("CHAP")[0].sub_frames.getall("APIC")[0]
    assert (image.mime, image.data) == ("image/png", picture.getvalue())


def _eyed3_read(path: Path, caplog: pytest.LogCaptureFixture) -> tuple[object, list[str]]:
    """eyeD3's reading of an MP3's tag, and the warnings it logged on the way."""
    import logging

    import eyed3

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eyed3"):
        audiofile = eyed3.load(path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert audiofile is not None
    return audiofile.tag, warnings


def test_eyed3_reads_the_whole_feed_url_without_warnings(
    tagged: tuple[bytes, bytes, audio.EpisodeTags],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, data, tags = tagged
    (tmp_path / "source.mp3").write_bytes(source)
    mp3 = tmp_path / "tagged.mp3"
    mp3.write_bytes(data)
    _, before = _eyed3_read(tmp_path / "source.mp3", caplog)  # the stand-in's LAME CRC
    tag, warnings = _eyed3_read(mp3, caplog)
    assert set(warnings) <= set(before), warnings
    assert tag.frame_set[b"WFED"][0].text == tags.feed_url  # type: ignore[attr-defined]
    # As iTunes writes it: a text frame, Latin-1 encoding byte, then the URL.
    body = dict(raw_frames(data))["WFED"]
    assert body == b"\x00" + tags.feed_url.encode("ascii") + b"\x00"
    # mutagen reads it with podkit's frame table, as `podkit inspect` does.
    frame = ID3(io.BytesIO(data), known_frames=audio.KNOWN_FRAMES)["WFED"]
    assert frame.text == [tags.feed_url]
    assert f"  WFED  {tags.feed_url}" in audio.describe_tags(data)


def test_eyed3_warns_on_the_tagged_keytime_mp3_no_more_than_on_its_source(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from conftest import KEYTIME

    show, _ = load_show(KEYTIME)
    episode = show.episodes[0]
    tagged = tmp_path / "keytime.mp3"
    tagged.write_bytes(
        audio.tag_bytes(episode.audio.read_bytes(), episode_tags(show, episode, None))
    )
    _, before = _eyed3_read(episode.audio, caplog)
    tag, after = _eyed3_read(tagged, caplog)
    assert set(after) <= set(before), after
    assert tag.frame_set[b"WFED"][0].text == show.feed_url  # type: ignore[attr-defined]


def _tagged_tone(version: int, padding: int = 0, id3v1: bytes = b"") -> bytes:
    id3 = ID3()
    id3.add(TCOM(encoding=3, text=["Compositrice"]))
    id3.add(TXXX(encoding=3, desc="big", text=["x" * 3000]))
    buffer = io.BytesIO(TONE.read_bytes())
    id3.save(buffer, v2_version=version, padding=lambda info: padding)
    return buffer.getvalue() + id3v1


def _cbr_tone(tmp_path: Path) -> bytes:
    """An MP3 without a Xing/LAME header, as ffmpeg writes one on request."""
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    out = tmp_path / "cbr.mp3"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(TONE),
            "-t",
            "5",
            "-b:a",
            "32k",
            "-write_xing",
            "0",
            "-id3v2_version",
            "0",
            str(out),
        ],
        check=True,
    )
    return out.read_bytes()


@pytest.mark.parametrize(
    "make",
    [
        lambda _: TONE.read_bytes(),
        lambda _: _tagged_tone(3),
        lambda _: _tagged_tone(4),
        lambda _: _tagged_tone(3, padding=70_000),
        lambda _: _tagged_tone(4, id3v1=id3v1("Old", 3)),
        lambda _: TONE.read_bytes() + id3v1("Old", 3),
        _cbr_tone,
    ],
    ids=["xing", "v2.3", "v2.4", "padding", "v2.4+v1", "v1", "cbr"],
)
def test_probe_reads_what_mutagens_mp3_reads(make: Callable[[Path], bytes], tmp_path: Path) -> None:
    data = make(tmp_path)
    info = MP3(io.BytesIO(data)).info
    assert audio.probe_bytes(data) == AudioInfo(
        round(info.length, 3), len(data), info.bitrate, info.sample_rate, info.channels
    )


def probe_answer(data: bytes) -> AudioInfo | str:
    """What `audio.probe_bytes` answers: the MP3's format, or its AudioError's message."""
    try:
        return audio.probe_bytes(data)
    except audio.AudioError as error:
        return str(error)


def _old_probe(data: bytes) -> AudioInfo | str:
    """The probe as it was with mutagen's MP3(), which parses the whole tag: the reference."""
    for magic, offset, name in audio._OTHER_FORMATS:
        if data[offset : offset + len(magic)] == magic:
            return f"is {name}, not an MP3: encode it as MP3 (e.g. lame -V5 in.wav)"
    try:
        info = MP3(io.BytesIO(data)).info
    except HeaderNotFoundError:
        return "is not MPEG audio: no MP3 frame found; export the episode as MP3"
    except (ID3Error, struct.error, ValueError, IndexError, EOFError, OverflowError):
        return audio.DAMAGED_TAG_MESSAGE
    except MutagenError as error:
        return f"cannot be read as MP3 ({error}): export it as MP3 again"
    start = audio._id3v2_size(data[:10])
    if info.sketchy or data[start : start + 1] != b"\xff":
        return "does not start with an MPEG frame: re-export it as MP3"
    try:
        audio._check_complete(io.BytesIO(data), len(data), start)
    except audio.AudioError as error:
        return str(error)
    return AudioInfo(
        round(info.length, 3), len(data), info.bitrate, info.sample_rate, info.channels
    )


@settings(max_examples=200, deadline=None)
@given(
    frames=st.lists(st.tuples(st.sampled_from(FRAME_IDS), st.binary(max_size=40)), max_size=4),
    size_error=st.integers(-20, 20),
    audio_bytes=st.one_of(st.binary(max_size=600), st.integers(0, 9000)),
    with_id3v1=st.booleans(),
)
def test_probe_answers_as_mutagens_mp3_did(
    frames: list[tuple[str, bytes]], size_error: int, audio_bytes: bytes | int, with_id3v1: bool
) -> None:
    # Damaged tags and streams: the same duration and format, or the same message.
    tone = TONE.read_bytes()
    stream = audio_bytes if isinstance(audio_bytes, bytes) else tone[: len(tone) - audio_bytes]
    data = id3v23(frames, size_error) + stream + (id3v1("Old", 3) if with_id3v1 else b"")
    assert probe_answer(data) == _old_probe(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
@example(b"ID3\x05\x00\x00\x00\x00\x00\x10" + bytes(16))
@example(b"ID3\x03\x00\x10\x00\x00\x00\x10" + bytes(16))
def test_probe_answers_as_mutagens_mp3_did_on_any_bytes(data: bytes) -> None:
    assert probe_answer(data) == _old_probe(data)


def test_a_re_tag_parses_the_old_tag_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "e.mp3"
    path.write_bytes(_tagged_tone(3, padding=20_000))  # room for the new tag: in place
    loads = Mock(wraps=ID3.load)
    monkeypatch.setattr(ID3, "load", lambda *args, **kwargs: loads(*args, **kwargs))
    tags = audio.EpisodeTags("T", "A", "Al", "2024-01-01", 1, "c", "fra", "g", "u", "f")
    audio.probe(path)
    assert audio.tag_file(path, tags).in_place
    assert loads.call_count == 1
    monkeypatch.undo()
    assert str(ID3(path)["TCOM"]) == "Compositrice" and str(ID3(path)["TIT2"]) == "T"


def test_a_tag_changed_after_the_probe_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "e.mp3"
    path.write_bytes(_tagged_tone(3))
    audio.probe(path)
    changed = ID3(path)
    changed.add(TXXX(encoding=3, desc="later", text=["Ajouté"]))
    changed.save(path)
    tags = audio.EpisodeTags("T", "A", "Al", "2024-01-01", 1, "c", "fra", "g", "u", "f")
    audio.tag_file(path, tags)
    assert str(ID3(path)["TXXX:later"]) == "Ajouté" and str(ID3(path)["TIT2"]) == "T"


def test_a_tag_with_a_footer_is_skipped_as_mutagen_skips_it() -> None:
    body = b"TIT2\x00\x00\x00\x03\x00\x00\x03ab"
    size = bytes((0, 0, 0, len(body)))
    data = b"ID3\x04\x00\x10" + size + body + b"3DI\x04\x00\x10" + size + TONE.read_bytes()
    tone = audio.probe(TONE)
    expected = AudioInfo(tone.duration, len(data), tone.bitrate, tone.sample_rate, tone.channels)
    assert probe_answer(data) == _old_probe(data) == expected


def test_an_unknown_id3v2_version_is_refused_even_with_an_id3v1_tag() -> None:
    # mutagen's MP3() read such a file as ID3v1 only; its ID3v2 tag cannot be rewritten, so
    # tagging always refused it: the probe now says so first.
    data = b"ID3\x05\x00\x00\x00\x00\x00\x00" + TONE.read_bytes() + id3v1("Old", 3)
    assert probe_answer(data) == audio.DAMAGED_TAG_MESSAGE
    tags = audio.EpisodeTags("T", "A", "Al", "2024-01-01", 1, "c", "fra", "g", "u", "f")
    with pytest.raises(audio.AudioError, match="damaged or cut-off ID3 tag"):
        audio.tag_bytes(data, tags)


@settings(max_examples=500, deadline=None)
@given(
    name=st.sampled_from(["e.mp3", "a.b.mp3", "[x]*.mp3", "été.mp3", "e"]),
    mark=st.text(st.sampled_from("az09_Z-.é\n") | st.characters(), max_size=10),
    suffix=st.sampled_from([".tmp", ".tmp\n", ".TMP", "tmp", ".tmpx", ""]),
    dot=st.sampled_from([".", "", ".."]),
)
@example(name="e.mp3", mark="abc_0129", suffix=".tmp", dot=".")
@example(name="e.mp3", mark="abc_012\u0131", suffix=".tmp", dot=".")
def test_temporaries_are_told_as_the_pattern_of_mkstemps_names_tells_them(
    name: str, mark: str, suffix: str, dot: str
) -> None:
    candidate = f".{name}{dot}{mark}{suffix}"
    pattern = re.escape(f".{name}.") + "[a-z0-9_]{8}" + re.escape(".tmp")
    expected = re.fullmatch(pattern, candidate) is not None
    assert audio._is_temporary(candidate, f".{name}.") == expected


def test_the_probe_keeps_a_few_parsed_tags_at_most() -> None:
    for padding in range(10):
        audio.probe_bytes(_tagged_tone(3, padding=padding))
        assert 1 <= len(audio._PARSED_TAGS) <= audio._PARSED_TAGS_KEPT
    head = _tagged_tone(3, padding=9)[: audio.audio_start(_tagged_tone(3, padding=9))]
    tags = audio.EpisodeTags("T", "A", "Al", "2024-01-01", 1, "c", "fra", "g", "u", "f")
    assert audio.render_tag(head, tags) == audio.render_tag(head, tags)  # taken, then parsed


def _with_footer(tone: bytes) -> bytes:
    """The tone under an ID3v2.4 tag that ends with a footer ("3DI"), as some taggers write it
    (a footer forbids padding)."""
    id3 = ID3()
    id3.add(TCOM(encoding=3, text=["Compositrice"]))
    frames = io.BytesIO()
    id3.save(frames, v2_version=4, padding=lambda info: 0)
    made = frames.getvalue()
    header, body = made[:5] + b"\x10" + made[6:10], made[10:]
    return header + body + b"3DI" + header[3:] + tone


@pytest.mark.parametrize("version", [3, 4])
def test_a_tag_with_a_footer_is_replaced_footer_included(version: int) -> None:
    tone = TONE.read_bytes()
    source = _with_footer(tone)
    assert audio.probe_bytes(source).duration == audio.probe_bytes(tone).duration
    tags = audio.EpisodeTags(
        "T", "A", "Al", "2024-01-01", None, "c", "fra", "g", "https://x.org/", "https://x.org/f"
    )
    data = audio.tag_bytes(source, tags, version)
    assert data[audio.audio_start(data) :] == tone  # no footer left before the audio
    assert str(ID3(io.BytesIO(data))["TCOM"]) == "Compositrice"
    again = audio.tag_bytes(data, replace(tags, title="U"), version)  # re-tagged as any tag
    assert again[audio.audio_start(again) :] == tone
