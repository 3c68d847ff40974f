"""Transcript formats: parsers, writers, round trips (hypothesis) and bad input."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import pytest
import srt
import webvtt
from conftest import TRANSCRIPT, golden
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import transcript as tr
from toolkit.model import Segment, Transcript


def small() -> Transcript:
    return tr.parse_turns(TRANSCRIPT)


def test_reads_the_seed_form_without_times() -> None:
    seed = "- Speaker #0\nBienvenue sur Keytime.\n- Speaker #1\nBonjour Laura.\n"
    spoken = tr.read(Path("raw.txt"), seed.encode())
    assert spoken.speakers == ("Speaker #0", "Speaker #1")
    assert not spoken.timed
    assert spoken.segments[1] == Segment("Speaker #1", "Bonjour Laura.")


def test_timed_turns_get_ends_from_the_next_start() -> None:
    spoken = small()
    assert spoken.timed
    assert [(s.start, s.end) for s in spoken.segments[:3]] == [
        (0.0, 3.25),
        (3.25, 8.0),
        (8.0, 20.5),
    ]


@pytest.mark.parametrize("fmt", ["vtt", "srt", "json", "txt"])
def test_writers_match_golden_files(fmt: str) -> None:
    golden(f"transcript.{fmt}", tr.write(small(), fmt, duration=60.0))


def test_vtt_cues_have_a_voice_and_at_most_two_lines_of_65() -> None:
    text = tr.write_vtt(small(), 60.0)
    captions = webvtt.from_buffer(io.StringIO(text))
    assert len(captions) >= 5
    for caption in captions:
        assert caption.raw_text.startswith("<v ")
        lines = html.unescape(caption.text).splitlines()
        assert len(lines) <= 2 and all(len(line) <= 65 for line in lines)
    assert captions[0].voice == "Hôte Un"


def test_srt_lines_are_at_most_32_and_name_each_change_of_speaker() -> None:
    text = tr.write_srt(small(), 60.0)
    subtitles = list(srt.parse(text))
    for subtitle in subtitles:
        lines = subtitle.content.splitlines()
        assert len(lines) <= 2
        assert all(len(line) <= 32 for line in lines if " " in line)
    speakers = [s.content.split(":")[0] for s in subtitles if ":" in s.content.splitlines()[0]]
    assert speakers[:2] == ["Hôte Un", "Invitée Deux"]


def test_json_is_podcasting_2_0() -> None:
    document = json.loads(tr.write_json(small(), 60.0))
    assert document["version"] == "1.0.0"
    assert document["segments"][0] == {
        "speaker": "Hôte Un",
        "startTime": 0.0,
        "endTime": 3.25,
        "body": "Bonjour et bienvenue.",
    }
    assert document["segments"][-1]["endTime"] == 60.0


def test_vtt_escapes_markup_and_reads_it_back_as_text() -> None:
    text = tr.write_vtt(small(), 60.0)
    assert "<script>" not in text and "&lt;script&gt;" in text
    back = tr.parse_vtt(text)
    assert any("<script>alert(1)</script>" in s.text for s in back.segments)


def test_vtt_to_model_to_vtt_keeps_everything() -> None:
    first = tr.write_vtt(small(), 60.0)
    assert tr.write_vtt(tr.parse_vtt(first), 60.0) == first


def test_srt_and_json_round_trip() -> None:
    srt_text = tr.write_srt(small(), 60.0)
    assert tr.write_srt(tr.parse_srt(srt_text), 60.0) == srt_text
    json_text = tr.write_json(small(), 60.0)
    assert tr.write_json(tr.parse_json(json_text), 60.0) == json_text


def test_untimed_transcript_cannot_become_captions() -> None:
    with pytest.raises(tr.TranscriptError, match="needs times"):
        tr.write_vtt(Transcript((Segment("A", "Bonjour."),)))


# ------------------------------------------------------------ property tests

words = st.text(alphabet=st.sampled_from("abcdeéèàçôœ"), min_size=1, max_size=12)
sentences = st.lists(words, min_size=1, max_size=40).map(" ".join).map(lambda s: s + ".")
names = st.sampled_from(["Laura Guibora", "Antony Passemard", "Niama", "Ève"])


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    count = draw(st.integers(1, 12))
    segments = []
    time = draw(st.integers(0, 5000)) / 1000
    for _ in range(count):
        length = draw(st.integers(200, 20000)) / 1000
        gap = draw(st.integers(0, 3000)) / 1000
        segments.append(
            Segment(draw(names), draw(sentences), round(time, 3), round(time + length, 3))
        )
        time = round(time + length + gap, 3)
    return Transcript(tuple(segments))


def runs(spoken: Transcript) -> list[tuple[str, str, float | None, float | None]]:
    """What any timed format must keep: each speaker run's text, first start and last end."""
    return [
        (
            group[0].speaker,
            " ".join(" ".join(s.text for s in group).split()),
            group[0].start,
            group[-1].end,
        )
        for group in tr.turns(spoken)
    ]


@settings(max_examples=150, deadline=None)
@given(transcripts(), st.sampled_from(["vtt", "srt", "json"]))
def test_any_transcript_survives_write_then_read(spoken: Transcript, fmt: str) -> None:
    text = tr.write(spoken, fmt)
    back = {"vtt": tr.parse_vtt, "srt": tr.parse_srt, "json": tr.parse_json}[fmt](text)
    assert runs(back) == runs(spoken)


@settings(max_examples=100, deadline=None)
@given(transcripts())
def test_turns_form_keeps_speakers_text_and_starts(spoken: Transcript) -> None:
    back = tr.parse_turns(tr.write_turns(spoken))
    assert [(s.speaker, s.text, s.start) for s in back.segments] == [
        (s.speaker, s.text, s.start) for s in spoken.segments
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_crash_on_arbitrary_text(text: str) -> None:
    for parse in (tr.parse_turns, tr.parse_vtt, tr.parse_srt, tr.parse_json):
        try:
            parse(text)
        except tr.TranscriptError as error:
            assert error.message


# ------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("name", "data", "where", "message"),
    [
        (
            "t.txt",
            b"Bonjour\n- A\nSalut\n",
            1,
            "text before the first speaker: add a '- Name' line",
        ),
        (
            "t.txt",
            b"- A\n[00:00:05] Un.\n[00:00:02] Deux.\n",
            3,
            "starts at 00:00:02.000, before the previous segment (00:00:05.000): put the times in order",
        ),
        (
            "t.txt",
            b"- A\n[00:00:05] Un.\nDeux.\n",
            3,
            "this segment has no time while others do: add [HH:MM:SS]",
        ),
        (
            "t.vtt",
            b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v A>Un.\n\n00:00:04.000 --> 00:00:06.000\nDeux.\n",
            6,
            "starts at 00:00:04.000, before the previous cue ends (00:00:05.000): cues must not overlap",
        ),
        (
            "t.vtt",
            b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nUn.\n",
            3,
            "cue without a speaker: start it with <v Name>",
        ),
        ("t.vtt", b"Hello\n", 1, "a WebVTT file must start with 'WEBVTT'"),
        (
            "t.srt",
            b"1\n00:00:01,000 -> 00:00:02,000\nA: Un.\n",
            2,
            "expected a cue timing 'HH:MM:SS.mmm --> HH:MM:SS.mmm'",
        ),
        (
            "t.json",
            b'{"version": "1.0.0", "segments": [{"speaker": "A", "startTime": "x", "body": "Un."}]}',
            "segments[0].startTime",
            "expected a number of seconds",
        ),
        ("t.json", b'{"segments": [', 1, "is not valid JSON: Expecting value"),
        (
            "t.txt",
            "- Ana\n[00:00:01] Caf\xe9\n".encode("latin-1"),
            2,
            "is not UTF-8 (byte 0xe9): save the file as UTF-8",
        ),
        (
            "notes.md",
            b"Just some words\n",
            1,
            "cannot tell the transcript format: use .vtt, .srt or .json, or start a text "
            "transcript with a '- Speaker name' line",
        ),
    ],
)
def test_bad_transcripts_name_the_line(
    name: str, data: bytes, where: int | str, message: str
) -> None:
    with pytest.raises(tr.TranscriptError) as caught:
        tr.read(Path(name), data)
    assert (caught.value.where, caught.value.message) == (where, message)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abcdeé,.;", min_size=1, max_size=15), min_size=1, max_size=60).map(
        " ".join
    ),
    st.integers(10, 70),
    st.sampled_from(["", "Laura Guibora: ", "Ève: "]),
)
def test_every_cue_fits_in_two_lines(text: str, width: int, prefix: str) -> None:
    cues = tr.split_cues(text, width, prefix)
    assert " ".join(cues).split() == text.split()  # nothing lost, nothing added
    for index, cue in enumerate(cues):
        lines = tr.wrap((prefix if index == 0 else "") + cue, width)
        assert len(lines) <= 2 or len(cue.split()) == 1


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.TXT", "turns"), ("a.vtt", "vtt"), ("a.srt", "srt"), ("a.json", "json"), ("a.md", None)],
)
def test_one_extension_table_for_reading_and_writing(name: str, fmt: str | None) -> None:
    assert tr.format_for_path(Path(name)) == fmt
    if fmt is not None:
        written = tr.write(small(), fmt, duration=60.0)
        assert tr.detect_format(Path(name), "") == fmt
        assert tr.read(Path(name), written.encode()) == tr.read(Path("x"), written.encode())


def test_the_registry_lists_the_published_formats_and_their_types() -> None:
    assert tr.FORMATS == ("turns", "vtt", "srt", "json", "txt")
    assert tr.published_formats(small()) == ("vtt", "srt", "json", "txt")
    assert tr.published_formats(tr.read(Path("r.txt"), b"- Ana\nBonjour.\n")) == ("txt",)
    assert tr.MIME_TYPES == {
        "vtt": "text/vtt",
        "srt": "application/x-subrip",
        "json": "application/json",
        "txt": "text/plain",
    }
    with pytest.raises(tr.TranscriptError, match="cannot read the 'txt' format"):
        tr.read(Path("t.txt"), b"- Ana\nBonjour.\n", "txt")
