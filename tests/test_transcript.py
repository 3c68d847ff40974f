"""Transcript formats: parsers, writers, round trips (hypothesis) and bad input."""

from __future__ import annotations

import html
import io
import itertools
import json
from collections.abc import Iterable
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


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abé,.;", min_size=1, max_size=40), max_size=60).map(" ".join),
    st.integers(5, 70),
    st.sampled_from(["", "Laura Guibora: ", "Ève: ", "Une oratrice au nom bien long: "]),
)
def test_a_cue_has_the_lines_wrapping_it_gives(text: str, width: int, prefix: str) -> None:
    cues = tr.cues_with_lines(text, width, prefix)
    assert [cue for cue, _ in cues] == tr.split_cues(text, width, prefix)
    for index, (cue, lines) in enumerate(cues):
        assert lines == tr.wrap((prefix if index == 0 else "") + cue, width)


def reference_cues(text: str, width: int, prefix: str) -> list[str]:
    """The cue rule in words, slowly: each cue takes the words that two greedily wrapped
    lines hold (the prefix's words first, in the first cue); when words follow, it ends at
    its last word that ends a clause, if that keeps at least half of its words; a prefix
    that fills both lines still lets one word on."""
    words, named = text.split(), prefix.split()
    cues: list[str] = []
    while words:
        lead = named if not cues else []
        lines = tr.wrap(" ".join([*lead, *words]), width)[:2]
        taken = len(" ".join(lines).split()) - len(lead)
        if taken < 1:
            taken = 1
        elif taken < len(words):
            ends = [
                n for n in range(max(1, taken // 2), taken + 1) if words[n - 1][-1] in ",;:.!?…»)"
            ]
            taken = ends[-1] if ends else taken
        cues.append(" ".join(words[:taken]))
        words = words[taken:]
    return cues


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "bb", "ccccccc", "é,", "d.", "e…", "«", "»", ")", ";", "x" * 12]),
        max_size=50,
    ).map(" ".join),
    st.integers(1, 40),
    st.sampled_from(["", "Ève: ", "Laura Guibora: ", "Une oratrice au nom bien long: "]),
)
def test_cues_follow_the_rule_in_words(text: str, width: int, prefix: str) -> None:
    assert tr.split_cues(text, width, prefix) == reference_cues(text, width, prefix)


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


# ------------------------------------------------------------ notes, speakers, cue lines

NOTE = "[La question de Niama n’a pas été captée par l’enregistrement.]"
WITH_NOTE = (
    "- Laura\n[00:00:01] Niama, ta question ?\n- Niama\n[00:00:03] " + NOTE + "\n"
    "- Antony\n[00:00:04] Merci Niama, il y a un [inaudible] ici.\n"
)


def test_an_editors_note_is_nobodys_speech_in_every_format() -> None:
    spoken = tr.parse_turns(WITH_NOTE)
    assert [s.speaker for s in spoken.segments] == ["Laura", tr.NO_SPEAKER, "Antony"]
    vtt = tr.write_vtt(spoken, 8.0)
    captions = webvtt.from_buffer(io.StringIO(vtt))
    assert [(c.voice, c.text) for c in captions][1] == (None, NOTE)  # shown, without a voice
    subtitles = list(srt.parse(tr.write_srt(spoken, 8.0)))
    note_lines = [line for s in subtitles[1:-1] for line in s.content.split("\n")]
    assert all(line.startswith("<i>") and line.endswith("</i>") for line in note_lines)
    assert " ".join(line[3:-4] for line in note_lines) == NOTE  # no "Niama: " prefix
    assert subtitles[-1].content.startswith("Antony: ")
    document = json.loads(tr.write_json(spoken, 8.0))
    assert "speaker" not in document["segments"][1] and document["segments"][1]["body"] == NOTE
    assert f"\n\n{NOTE}\n\nAntony" in tr.write_text(spoken)
    for fmt, name in (("vtt", "t.vtt"), ("srt", "t.srt"), ("json", "t.json"), ("turns", "t.txt")):
        back = tr.read(Path(name), tr.write(spoken, fmt, 8.0).encode()).segments
        assert (back[0].speaker, back[-1].speaker) == ("Laura", "Antony"), fmt
        notes = [s for s in back if s.speaker == tr.NO_SPEAKER]  # SRT: the note over two cues
        assert " ".join(s.text for s in notes) == NOTE, fmt


WHISPER_SRT = (
    "1\n00:00:00,000 --> 00:00:02,000\nBonjour à tous.\n\n"
    "2\n00:00:02,000 --> 00:00:04,000\nNote: ceci est du texte.\n\n"
    "3\n00:00:04,000 --> 00:00:06,000\nAlors: on commence.\n"
)
WHISPER_VTT = (
    "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nBonjour.\n\n00:00:02.000 --> 00:00:03.000\nSuite.\n"
)


def test_transcripts_without_speakers_are_read_and_written_without_one() -> None:
    for name, data in (("w.srt", WHISPER_SRT), ("w.vtt", WHISPER_VTT)):
        spoken = tr.read(Path(name), data.encode())
        assert spoken.speakers == () and all(s.speaker == tr.NO_SPEAKER for s in spoken.segments)
        for fmt in ("vtt", "srt", "json", "turns", "txt"):
            written = tr.write(spoken, fmt, 6.0)
            assert "<v " not in written and "speaker" not in written
            if fmt != "txt":
                suffix = {"turns": ".txt"}.get(fmt, f".{fmt}")
                back = tr.read(Path("x" + suffix), written.encode())
                assert [s.text for s in back.segments] == [s.text for s in spoken.segments]
    texts = [s.text for s in tr.read(Path("w.srt"), WHISPER_SRT.encode()).segments]
    assert texts[1:] == ["Note: ceci est du texte.", "Alors: on commence."]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Antony Passemard: Oui.", "Antony Passemard"),
        ("Speaker 1: yes", "Speaker 1"),
        ("SPEAKER_00: yes", "SPEAKER_00"),
        ("Note: hors micro.", None),
        ("PS: encore", None),
        ("Alors : la culture", None),  # French spacing: punctuation, not a name
        ("Oui, donc: non", None),
        ("bon: oui", None),
        ("Heure:10", None),
    ],
)
def test_the_srt_speaker_rule(text: str, speaker: str | None) -> None:
    assert tr.srt_speaker(text) == speaker


def test_a_note_line_in_a_named_srt_is_not_a_speaker() -> None:
    data = WHISPER_SRT.replace("Bonjour à tous.", "Ana: Bonjour à tous.")
    spoken = tr.read(Path("t.srt"), data.encode())
    assert [(s.speaker, s.text) for s in spoken.segments][1] == ("Ana", "Note: ceci est du texte.")


_words_st = st.lists(
    st.one_of(
        st.sampled_from([":", ";", "!", "?", "Note:", "Alors", "Oui:", "c’est", "[inaudible]"]),
        st.text(alphabet="abcdéABZ", min_size=1, max_size=12),
    ),
    min_size=1,
    max_size=40,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Laura Guibora", "Antony Passemard", "Niama", ""]), _words_st),
        min_size=1,
        max_size=6,
    )
)
def test_every_published_cue_keeps_the_readmes_promise(
    turns_: list[tuple[str, str]],
) -> None:
    """SRT: at most two lines of 32 characters; WebVTT: two of 65 (a word longer than the
    line excepted); and the speakers read back as written."""
    spoken = Transcript(
        tuple(
            Segment(name, text, float(i * 5), float(i * 5 + 4))
            for i, (name, text) in enumerate(turns_)
        )
    )
    for subtitle in srt.parse(tr.write_srt(spoken)):
        lines = subtitle.content.split("\n")
        assert len(lines) <= 2, lines
        assert all(len(line) <= tr.SRT_LINE or " " not in line for line in lines), lines
    for caption in webvtt.from_buffer(io.StringIO(tr.write_vtt(spoken))):
        lines = caption.text.split("\n")
        assert len(lines) <= 2, lines
        assert all(len(line) <= tr.VTT_LINE or " " not in line for line in lines), lines
    if all(name for name, _ in turns_):  # a file that names speakers names them all
        back = tr.parse_srt(tr.write_srt(spoken))  # a long segment comes back as its cues
        expected = [
            tr.NO_SPEAKER if tr.is_editor_note(s.text) else s.speaker for s in spoken.segments
        ]
        assert _runs(s.speaker for s in back.segments) == _runs(expected)


def _runs(speakers: Iterable[str]) -> list[str]:
    """Named speakers in turn (a marker alone on a cue reads back as a note)."""
    return [speaker for speaker, _ in itertools.groupby(s for s in speakers if s)]


def test_a_vtt_cue_left_empty_is_written_as_no_cue(tmp_path: Path) -> None:
    # WebVTT allows a cue without text (here its one line was deleted): reading it gives a
    # segment with no words, which every format writes as nothing rather than failing.
    vtt = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.250\n\n"
        "00:00:03.250 --> 00:00:08.000\n<v Hôte Un>Aujourd'hui, nous parlons de tests.\n"
    )
    read = tr.read(tmp_path / "transcript.vtt", vtt.encode(), "vtt")
    assert [s.text for s in read.segments] == ["", "Aujourd'hui, nous parlons de tests."]
    written_vtt = tr.write(read, "vtt", 8.0)
    assert [c.text for c in webvtt.from_buffer(io.StringIO(written_vtt))] == [
        "Aujourd'hui, nous parlons de tests."
    ]
    written_srt = tr.write(read, "srt", 8.0)
    assert [c.content.replace("\n", " ") for c in srt.parse(written_srt)] == [
        "Hôte Un: Aujourd'hui, nous parlons de tests."
    ]
    for fmt in ("turns", "json"):
        assert "nous parlons de tests" in tr.write(read, fmt, 8.0)
