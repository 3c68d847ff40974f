"""Chapters placed by the transcript's text: `at = "first words"` resolved when the show
loads, and `podkit chapters snap` moving starts to the sentences' starts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import EPISODE_TOML, ShowMaker
from hypothesis import given
from hypothesis import strategies as st
from lxml import html
from mutagen.id3 import ID3

from toolkit.build import build
from toolkit.cli import cli
from toolkit.model import Segment, Transcript
from toolkit.sentences import begins_with, sentence_start, snapped, words

NOW = datetime(2025, 1, 1, tzinfo=UTC)
EP = "001-premier"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def chapters_toml(*bodies: str) -> str:
    """EPISODE_TOML with these [[chapters]] tables instead of its own."""
    head = EPISODE_TOML[: EPISODE_TOML.index("[[chapters]]")]
    return head + "".join(f"[[chapters]]\n{body}\n" for body in bodies)


# ------------------------------------------------------------------ matching words

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçœêûîôëï0123456789", min_size=1)
GAP = st.text(alphabet=" ,.;:!?«»\"'’()-–…\u00a0\u202f", min_size=1).filter(
    lambda gap: any(c in gap for c in " '’-\u00a0\u202f,.;:!?«»\"()–…")
)


@given(st.lists(WORD, min_size=1, max_size=8), st.data())
def test_a_sentence_begins_with_its_first_words_whatever_their_case_and_punctuation(
    sentence_words: list[str], data: st.DataObject
) -> None:
    gaps = [data.draw(GAP) for _ in sentence_words]
    sentence = "".join(word + gap for word, gap in zip(sentence_words, gaps, strict=True))
    count = data.draw(st.integers(1, len(sentence_words)))
    first = " ".join(sentence_words[:count])
    typed = data.draw(st.sampled_from([first, first.upper(), first.title()]))
    typed = typed.replace(" ", data.draw(st.sampled_from([" ", "’", "'", " , ", "\u202f"])))
    assert begins_with(sentence.capitalize(), typed)
    # One word more than the sentence has, or a different last word, does not match.
    assert not begins_with(sentence, " ".join([*sentence_words, "zzz"]))
    assert not begins_with(sentence, " ".join([*sentence_words[: count - 1], "x" + first]))


@given(st.text())
def test_words_are_the_same_once_normalised(text: str) -> None:
    assert words(" ".join(words(text))) == words(text)
    assert words(text.replace("'", "’")) == words(text.replace("’", "'"))


def test_matching_is_word_for_word_and_keeps_accents() -> None:
    assert words("L’appel de « Berkeley » !") == ("l", "appel", "de", "berkeley")
    assert begins_with("Bonjour Laura.", "bonjour")
    assert not begins_with("Bonjour Laura.", "Bon")
    assert not begins_with("Le cœur du sujet", "le coeur")  # accents count
    assert begins_with("Cafe\u0301 noir.", "café")  # composed or not, the same word
    assert not begins_with("Bonjour.", "...")


def _transcript(*lines: tuple[float | None, str]) -> Transcript:
    return Transcript(tuple(Segment("Ana", text, start) for start, text in lines))


def test_sentence_start_names_what_is_wrong() -> None:
    spoken = _transcript((0.0, "Bonjour."), (2.5, "Alors, on commence."), (9.0, "Alors on finit."))
    assert sentence_start(spoken, "alors on commence", "t.txt") == 2.5
    assert sentence_start(spoken, "Alors", "t.txt") == (
        "'Alors' begins 2 sentences of t.txt (at 00:00:02.500, 00:00:09.000): "
        "add words until only one matches"
    )
    assert "no sentence of t.txt begins with 'Au revoir'" in str(
        sentence_start(spoken, "Au revoir", "t.txt")
    )
    untimed = _transcript((None, "Bonjour."), (None, "Alors."))
    assert str(sentence_start(untimed, "Alors", "t.txt")).startswith("t.txt has no times")


# ------------------------------------------------------------------ snapping


@given(
    st.lists(st.floats(0, 3600, allow_nan=False), min_size=0, max_size=30),
    st.floats(0, 3600, allow_nan=False),
    st.floats(0, 10, allow_nan=False),
)
def test_snapping_goes_to_the_nearest_sentence_within_the_tolerance(
    starts: list[float], start: float, tolerance: float
) -> None:
    starts = sorted(set(starts))
    new = snapped(start, starts, tolerance)
    near = [s for s in starts if abs(s - start) <= tolerance]
    if not near:
        assert new == start
    else:
        assert new in near and abs(new - start) == min(abs(s - start) for s in near)


def test_snapping_cases() -> None:
    starts = [0.0, 3.25, 8.0, 20.5, 45.0]
    assert snapped(7.1, starts) == 8.0  # placed in the pause before the sentence
    assert snapped(21.9, starts) == 20.5  # placed in its first words
    assert snapped(30.0, starts) == 30.0  # nothing near: stays
    assert snapped(5.625, starts, 3.0) == 8.0  # a tie: the sentence it comes before
    assert snapped(1.0, [], 2.0) == 1.0


# ------------------------------------------------------------------ at = "…" in a build

AT_EPISODE = chapters_toml(
    'start = "00:00:00"\ntitle = "Introduction"',
    'at = "merci de m’accueillir"\ntitle = "Le cœur du sujet"',
    'at = "MERCI ET"  # the last sentence\ntitle = "Conclusion"',
)


def test_a_chapter_placed_by_its_words_is_at_that_sentence_everywhere(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(make_show(**{f"{EP}__episode.toml": AT_EPISODE}), out, now=NOW)
    published = json.loads((out / EP / "chapters.json").read_text(encoding="utf-8"))
    assert [c["startTime"] for c in published["chapters"]] == [0, 8, 45]
    chaps = sorted(ID3(out / EP / "episode.mp3").getall("CHAP"), key=lambda c: c.start_time)
    assert [c.start_time for c in chaps] == [0, 8000, 45000]
    page = html.parse(str(out / EP / "index.html")).getroot()
    seeks = page.xpath("//section[contains(@class,'chapters')]//a[contains(@class,'seek')]")
    assert [a.get("data-start") for a in seeks] == ["0", "8", "45"]
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    psc = feed.entries[0].psc_chapters["chapters"]
    assert [c["start"] for c in psc] == ["00:00:00.000", "00:00:08.000", "00:00:45.000"]
    _, output = run("check", "--source", str(tmp_path / "episodes"), "--site", str(out))
    assert "chapters" not in output and "Traceback" not in output, output


def test_chapters_placed_by_words_are_checked_in_order(make_show: ShowMaker) -> None:
    swapped = chapters_toml(
        'start = "00:00:00"\ntitle = "Introduction"',
        'at = "Alors, le cœur"\ntitle = "Le cœur du sujet"',
        'at = "Merci de m’accueillir"\ntitle = "Avant"',
    )
    show = make_show(**{f"{EP}__episode.toml": swapped})
    code, output = run("build", "--source", str(show), "--out", str(show.parent / "site"))
    assert code == 1
    assert "chapters[2].start: 00:00:08.000 is not after the previous chapter" in output


def test_every_problem_of_at_is_one_line(make_show: ShowMaker) -> None:
    wrong = chapters_toml(
        'start = "00:00:00"\ntitle = "Introduction"',
        'at = "Merci"\ntitle = "Deux fois"',
        'at = "Au revoir"\ntitle = "Absent"',
        'at = "Alors"\nstart = "00:00:30"\ntitle = "Les deux"',
        'at = " ?! "\ntitle = "Sans mots"',
    )
    show = make_show(**{f"{EP}__episode.toml": wrong})
    code, output = run("build", "--source", str(show), "--out", str(show.parent / "site"))
    toml = f"{show}/{EP}/episode.toml"
    assert code == 1 and "Traceback" not in output
    assert output.splitlines() == [
        f"{toml}: chapters[1].at: 'Merci' begins 2 sentences of transcript.txt "
        "(at 00:00:08.000, 00:00:45.000): add words until only one matches",
        f"{toml}: chapters[2].at: no sentence of transcript.txt begins with 'Au revoir': "
        "copy the first words of the chapter's first sentence from the transcript",
        f"{toml}: chapters[3].at: and start are both set: keep start (a time) or at (words), "
        "not both",
        f"{toml}: chapters[4].at: has no words: give the first words of the sentence the "
        "chapter starts with",
    ]


@pytest.mark.parametrize(
    ("transcript", "expected"),
    [
        ("- Hôte Un\nBonjour.\nMerci de m'accueillir.\n", "transcript.txt has no times: time"),
        (None, "needs the episode's timed transcript (transcript.txt next to episode.toml)"),
        ("- Hôte Un\n[00:00:03] B.\n[00:00:01] A.\n", "cannot be placed until transcript.txt"),
    ],
    ids=["untimed", "missing", "broken"],
)
def test_at_needs_a_timed_transcript(
    make_show: ShowMaker, transcript: str | None, expected: str
) -> None:
    episode = chapters_toml('start = "00:00:00"\ntitle = "A"', 'at = "Merci de"\ntitle = "B"')
    show = make_show(**{f"{EP}__episode.toml": episode, f"{EP}__transcript.txt": transcript})
    code, output = run("build", "--source", str(show), "--out", str(show.parent / "site"))
    assert code == 1 and f"chapters[1].at: {expected}" in output, output
    assert "Traceback" not in output


# ------------------------------------------------------------------ podkit chapters snap

BY_EAR = chapters_toml(
    'start = "00:00:00"\ntitle = "Introduction"',
    '# placed by ear\nstart = "00:00:06.900"  # in the pause\ntitle = "Accueil"',
    'at = "Alors, le cœur"\ntitle = "Le cœur du sujet"',
    'start = "00:00:30"\ntitle = "Loin de tout"',
    'start = "00:00:46.2"\ntitle = "Conclusion"',
)


def test_snap_moves_starts_to_sentences_and_keeps_the_file(make_show: ShowMaker) -> None:
    show = make_show(**{f"{EP}__episode.toml": BY_EAR})
    toml = show / EP / "episode.toml"
    code, output = run("chapters", "snap", str(show / EP), "--dry-run")
    assert code == 0 and toml.read_text(encoding="utf-8") == BY_EAR
    assert "2 chapters would move" in output
    code, output = run("chapters", "snap", str(show / EP))
    assert code == 0
    lines = output.splitlines()
    assert lines[1:] == [
        "  00:00:06.900 -> 00:00:08.000  Accueil",
        "  00:00:30.000  stays: no sentence starts within 2 s  Loin de tout",
        "  00:00:46.200 -> 00:00:45.000  Conclusion",
    ]
    expected = BY_EAR.replace('"00:00:06.900"  # in', '"00:00:08.000"  # in').replace(
        '"00:00:46.2"', '"00:00:45.000"'
    )
    assert toml.read_text(encoding="utf-8") == expected  # comments, `at` and layout kept
    code, output = run("chapters", "snap", str(show / EP))
    assert "0 chapters moved" in output.splitlines()[0]
    code, output = run("chapters", "snap", str(show / EP), "--tolerance", "20")
    assert "00:00:30.000 -> 00:00:20.500" not in output  # would land on `at`'s sentence
    assert code == 1 and "chapters[3].start: once snapped, 00:00:20.500 is not after" in output


def test_snap_refuses_without_a_timed_transcript(make_show: ShowMaker) -> None:
    show = make_show(**{f"{EP}__transcript.txt": "- Hôte Un\nBonjour.\n"})
    before = (show / EP / "episode.toml").read_bytes()
    code, output = run("chapters", "snap", str(show / EP))
    assert code == 1 and output.count("\n") == 1
    assert "has a transcript without times: time it with `podkit transcript align" in output
    (show / EP / "transcript.txt").unlink()
    code, output = run("chapters", "snap", str(show / EP))
    assert code == 1 and f"{EP}: has no transcript: add a timed transcript.txt" in output
    code, output = run("chapters", "snap", str(show / "absent"))
    assert code == 1 and "Traceback" not in output and output.count("\n") == 1
    assert (show / EP / "episode.toml").read_bytes() == before
