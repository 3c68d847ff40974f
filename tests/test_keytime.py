"""The Keytime example: the edited transcript, its timing on the stand-in audio, the chapters."""

from __future__ import annotations

import array
import re
import subprocess
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import srt
import webvtt
from conftest import KEYTIME, need_program

from toolkit.build import build
from toolkit.config import load_show
from toolkit.corrections import correct_transcript, load_corrections
from toolkit.model import Episode, Segment
from toolkit.transcript import NO_SPEAKER

SPEAKERS = {"Laura Guibora", "Antony Passemard", "Niama"}
HOST = "Laura Guibora"
NIAMA_NOTE = "[La question de Niama n'a pas été captée par l'enregistrement.]"


@pytest.fixture(scope="module")
def episode() -> Episode:
    show, _ = load_show(KEYTIME)
    return show.episodes[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(KEYTIME, out)
    return out / "001-antony-passemard"


def segments(episode: Episode) -> tuple[Segment, ...]:
    assert episode.transcript is not None
    return episode.transcript.segments


def is_note(segment: Segment) -> bool:
    """An editor's note: a whole line in brackets, not spoken."""
    return segment.text.startswith("[") and segment.text.endswith("]")


def test_every_segment_has_a_real_speaker_and_a_time(episode: Episode) -> None:
    assert {s.speaker for s in segments(episode) if not is_note(s)} == SPEAKERS
    assert all(s.speaker == NO_SPEAKER for s in segments(episode) if is_note(s))
    assert all(s.start is not None for s in segments(episode))


def test_the_student_speaks_once_and_answers_the_host(episode: Episode) -> None:
    student = [i for i, s in enumerate(segments(episode)) if s.speaker == "Niama"]
    spoken = [i for i in student if not is_note(segments(episode)[i])]
    assert [segments(episode)[i].text for i in spoken] == ["Tout à fait.", "Merci."]
    before = segments(episode)[spoken[0] - 1]
    assert (before.speaker, before.text) == (HOST, "Niama, est-ce que ça répond à ta question ?")


def test_a_note_says_where_the_question_was_not_recorded(episode: Episode) -> None:
    """Between the host's invitation and the guest's answer, in the student's turn."""
    notes = [i for i, s in enumerate(segments(episode)) if is_note(s)]
    assert [segments(episode)[i].text for i in notes] == [NIAMA_NOTE]
    before, note, after = segments(episode)[notes[0] - 1 : notes[0] + 2]
    assert before.speaker == HOST and before.text.endswith("ta question à Tony, je t'en prie.")
    assert note.speaker == NO_SPEAKER  # an editor's note is nobody's speech
    assert after.speaker == "Antony Passemard" and after.text == "Merci Niama."


def test_the_glossary_has_nothing_left_to_fix(episode: Episode) -> None:
    assert episode.transcript is not None
    glossary = load_corrections(KEYTIME / "corrections.txt")
    _, fixes = correct_transcript(episode.transcript, glossary)
    assert fixes == []


def test_no_raw_label_or_known_mishearing_is_left(episode: Episode) -> None:
    text = " ".join(s.text for s in segments(episode))
    for wrong in ("Speaker #", "Effray", "Passepartout", "Passemar ", "KeeTime", "NBA", "Celsan"):
        assert wrong not in text
    for wrong in (
        "Anthony",
        "Poitcrop",
        "Ravi et",
        "content de faire",
        "j'aime le service",
        "d'objectif",
        "leur morale",
        "couper les coups",
        "mon majeur",
        "to texte",
        "IOT",
        " ok",
        "startup",
    ):
        assert wrong not in text, wrong


def _host_line_start(episode: Episode, words: str, whole_turn: bool) -> float:
    """Start of the host's sentence that holds ``words``, or of the turn it opens."""
    all_segments = segments(episode)
    index = next(i for i, s in enumerate(all_segments) if words in s.text)
    assert all_segments[index].speaker == HOST
    while whole_turn and index > 0 and all_segments[index - 1].speaker == HOST:
        index -= 1
    start = all_segments[index].start
    assert start is not None
    return start


@pytest.mark.parametrize(
    ("chapter", "words", "whole_turn"),
    [
        # Each date's chapter opens with the host's turn that introduces the date…
        ("3 août 2001", "Nous sommes le 3 août 2001.", True),
        ("15 mars 2007", "Nous sommes le 15 mars 2007.", True),
        ("1er mai 2021", "Nous sommes le 1er mai 2021.", True),
        # …the student's question with the sentence that hands over to her…
        ("La question de l'étudiante", "de faire la question de l'étudiant", False),
        # …and a topic's chapter with the host's question that opens it.
        ("Le MBA à Berkeley", "Et durant ce MBA, tu fais des rencontres", False),
        ("Salesforce", "Et tu resteras longtemps à Yahoo ?", False),
        ("Manager 170 personnes", "Déjà d'une petite équipe à une grosse équipe", False),
        ("Conclusion", "Merci à toi, Niama.", False),
    ],
)
def test_chapter_starts_where_the_host_introduces_it(
    episode: Episode, chapter: str, words: str, whole_turn: bool
) -> None:
    (found,) = [c for c in episode.chapters if c.title.startswith(chapter)]
    assert found.start == pytest.approx(_host_line_start(episode, words, whole_turn), abs=0.1)


def test_every_chapter_starts_on_a_spoken_sentence(episode: Episode) -> None:
    starts = {s.start for s in segments(episode) if not is_note(s)}
    assert all(c.start in starts for c in episode.chapters[1:])
    assert episode.chapters[0].start == 0.0


def test_chapters_cover_what_the_issue_asks(episode: Episode) -> None:
    titles = [c.title for c in episode.chapters]
    assert titles[0] == "Introduction" and titles[-1] == "Conclusion"
    for date in ("3 août 2001", "15 mars 2007", "1er mai 2021"):
        assert any(t.startswith(date + " : ") for t in titles)
    assert any("étudiante" in t for t in titles)


def test_built_transcripts_parse_with_independent_readers(site: Path) -> None:
    captions = webvtt.read(str(site / "transcript.vtt"))
    assert {c.voice for c in captions if not c.text.startswith("[")} == SPEAKERS
    assert [c.voice for c in captions if c.text.startswith("[La question")] == [None]
    subtitles = list(srt.parse((site / "transcript.srt").read_text(encoding="utf-8")))
    assert len(subtitles) > len(captions) > 700
    assert subtitles[0].content.startswith("Laura Guibora: ")


def test_the_audio_holds_the_whole_transcript(episode: Episode) -> None:
    last = segments(episode)[-1]
    assert last.start is not None
    assert last.start < episode.audio_info.duration - 0.5
    assert episode.audio_info.size <= 12 * 1024 * 1024
    assert episode.audio_info.channels == 1


def test_sentences_start_in_the_audio_where_the_transcript_says(episode: Episode) -> None:
    """Decode the MP3 with ffmpeg: just before each sentence there is the pause the script
    put between sentences, and within 0.1 s after its start there is speech."""
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    rate = 8000
    pcm = subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(episode.audio),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    samples = array.array("h", pcm)

    def loudness(start: float, end: float) -> float:
        window = samples[int(start * rate) : int(end * rate)]
        return max((abs(v) for v in window), default=0)

    checked = 0
    spoken = [s for s in segments(episode) if not is_note(s)]
    for segment in spoken[1::7]:  # about a hundred sentences across the episode
        assert segment.start is not None
        assert loudness(segment.start - 0.2, segment.start - 0.05) < 600, segment.text
        assert loudness(segment.start, segment.start + 0.1) > 600, segment.text
        checked += 1
    assert checked > 100
    notes = [s for s in segments(episode) if is_note(s)]
    for note in notes:  # an editor's note is never spoken: silence from its start to its end
        assert note.start is not None and note.end is not None and note.end > note.start
        assert loudness(note.start, note.end) < 600, note.text
    assert notes


def test_the_built_page_and_files_are_typeset_in_french(site: Path) -> None:
    """No ordinary space before : ; ! ? in the page's French text (code and scripts aside),
    nor in the transcripts and the feed; apostrophes are typographic."""
    page = lxml.html.parse(str(site / "index.html")).getroot()
    # Verbatim text, and the buttons' glyphs (the "?" of the shortcuts button), aside.
    for verbatim in page.xpath("//script | //style | //code | //pre | //button"):
        verbatim.drop_tree()
    texts = [page.text_content(), *page.xpath("//@content | //@aria-label | //@title")]
    for name in ("transcript.txt", "transcript.vtt", "transcript.srt", "transcript.json"):
        texts.append((site / name).read_text(encoding="utf-8"))
    feed = lxml.etree.parse(str(site.parent / "feed.xml"))
    texts += list(feed.xpath("//item/title/text() | //item/description/text()"))
    for text in texts:
        assert re.findall(r".{0,20} [:;!?]", text) == []
    assert "'" not in texts[0] and "’" in texts[0] and "\u202f?" in texts[0]
    assert "<em>[inaudible]</em>" in (site / "index.html").read_text(encoding="utf-8")
