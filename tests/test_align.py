"""`podkit transcript align`: the Keytime stand-in's opening minutes, made harder than the
espeak-ng voice it was synthesised with (tempo, noise, 44.1 kHz stereo, a music bed),
aligned from its untimed text and compared with the true times."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from aligncase import TEMPO, perturb, start_errors
from click.testing import CliRunner, Result
from conftest import KEYTIME, need_module, need_program
from hypothesis import given
from hypothesis import strategies as st

from toolkit import align, transcript
from toolkit.cli import cli
from toolkit.model import Segment, Transcript

EPISODE = KEYTIME / "001-antony-passemard"
CUT = 170.0  # seconds of the episode the tests align: the intro under music, then the talk


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def truth() -> Transcript:
    """The stand-in's sentences that start in the first CUT seconds, with their true times."""
    source = EPISODE / "transcript.txt"
    segments = transcript.read(source, source.read_bytes()).segments
    return Transcript(tuple(s for s in segments if s.start is not None and s.start < CUT))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The perturbed audio, cut where the first sentence left out starts, and the text
    without times."""
    need_program("ffmpeg", "ffmpeg")
    need_module("aeneas", "pip install 'podkit[align]'")
    folder = tmp_path_factory.mktemp("align")
    source = EPISODE / "transcript.txt"
    everything = transcript.read(source, source.read_bytes()).segments
    end = everything[len(truth().segments)].start
    audio = folder / "cut.wav"
    perturb(EPISODE / "keytime-001-antony-passemard.mp3", audio, 0.0, end)
    untimed = Transcript(tuple(replace(s, start=None, end=None) for s in truth().segments))
    text = folder / "untimed.txt"
    text.write_text(transcript.write(untimed, "turns"), encoding="utf-8")
    return text, audio


def words(spoken: Transcript) -> list[tuple[str, str]]:
    return [(s.speaker, s.text) for s in spoken.segments]


def test_align_finds_each_sentence_start_in_perturbed_audio(
    case: tuple[Path, Path], tmp_path: Path
) -> None:
    text, audio = case
    out = tmp_path / "timed.txt"
    result = invoke("transcript", "align", text, audio, out, "--language", "fr")
    assert result.exit_code == 0, result.output
    aligned = transcript.read(out, out.read_bytes())
    untimed = transcript.read(text, text.read_bytes())
    assert words(aligned) == words(untimed)  # only the times differ
    assert aligned.timed
    errors = start_errors(aligned, truth())
    assert errors.median <= 0.25, errors.summary()
    assert errors.p95 <= 0.6, errors.summary()
    assert errors.worst <= 1.0, errors.summary()


def test_align_in_short_windows_keeps_the_precision(
    case: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows of 40 s: the few minutes take several, as a long episode takes many."""
    text, audio = case
    monkeypatch.setattr(align, "WINDOW", 40.0)
    windows: list[float] = []
    cut = align.speech_audio.cut
    monkeypatch.setattr(
        align.speech_audio, "cut", lambda wav, a, b, out: (windows.append(a), cut(wav, a, b, out))
    )
    report = align.align_transcript(text, audio, tmp_path / "timed.vtt", "fr")
    assert len(windows) >= 4
    errors = start_errors(report.transcript, truth())
    assert errors.median <= 0.25, errors.summary()
    assert errors.p95 <= 0.6, errors.summary()
    assert report.summary().endswith(
        f"{len(truth().segments)} segments aligned on 2:49 of audio, as vtt"
    )
    vtt = (tmp_path / "timed.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")


def test_align_refuses_audio_ffmpeg_cannot_decode(tmp_path: Path) -> None:
    need_program("ffmpeg", "ffmpeg")
    need_module("aeneas", "pip install 'podkit[align]'")
    text = tmp_path / "t.txt"
    text.write_text("- Ann\nBonjour à tous.\n", encoding="utf-8")
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(b"not audio at all" * 100)
    result = invoke("transcript", "align", text, audio, tmp_path / "out.txt", "--language", "fr")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{audio}: ffmpeg cannot decode it ("), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()


def test_align_without_the_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "aeneas.ttswrappers.espeakngttswrapper", None)
    text = tmp_path / "t.txt"
    text.write_text("- Ann\nHello everyone.\n", encoding="utf-8")
    result = invoke(
        "transcript", "align", text, tmp_path / "a.mp3", tmp_path / "out.txt", "--language", "en"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "podkit transcript align: needs the align extra: pip install 'podkit[align]' "
        "(building it needs Debian's espeak-ng libespeak-ng-dev festival-dev libestools-dev)\n"
    )
    assert not (tmp_path / "out.txt").exists()


def test_align_speaks_the_shows_language_or_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    episode = tmp_path / "show" / "001-premier"
    episode.mkdir(parents=True)
    text = episode / "transcript.txt"
    text.write_text("- Ann\nBonjour à tous.\n", encoding="utf-8")
    assert align.shows_language(text) is None
    (tmp_path / "show" / "show.toml").write_text('title = "T"\nlanguage = "fr-CA"\n')
    assert align.shows_language(text) == "fr-CA"
    (tmp_path / "show" / "show.toml").write_text("language = [broken")
    assert align.shows_language(text) is None
    (tmp_path / "show" / "show.toml").write_text("x = " + "[" * 100_000)  # nested too deep
    assert align.shows_language(text) is None
    # Elsewhere the option is asked for, beside any other problem (here: no engine).
    monkeypatch.setitem(sys.modules, "aeneas.ttswrappers.espeakngttswrapper", None)
    loose = tmp_path / "t.txt"
    loose.write_text("- Ann\nHello everyone.\n", encoding="utf-8")
    result = invoke("transcript", "align", loose, tmp_path / "a.mp3", tmp_path / "out.txt")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{loose}: is in no show's episode folder: give --language (e.g. fr)",
        "podkit transcript align: needs the align extra: pip install 'podkit[align]' "
        "(building it needs Debian's espeak-ng libespeak-ng-dev festival-dev libestools-dev)",
    ]


def test_align_refuses_a_transcript_with_nothing_to_say(tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("- Ann\n[Musique.]\n", encoding="utf-8")
    result = invoke("transcript", "align", text, tmp_path / "a.mp3", tmp_path / "out.txt")
    assert result.exit_code == 1
    assert f"{text}: has no speech to align: write its sentences" in result.stderr


def test_notes_start_with_the_speech_after_them() -> None:
    """Nobody says an editor's note or an "[inaudible]." alone: they take the next spoken
    start, or the end of the audio after the last one; text and speakers are unchanged."""
    spoken = Transcript(
        (
            Segment("Ann", "Bonjour.", 99.0),
            Segment("", "[La question n'a pas été captée.]"),
            Segment("Bob", "[inaudible]."),
            Segment("Bob", "Oui [inaudible], bien sûr."),
            Segment("", "[Fin.]"),
        )
    )
    timed = align.with_starts(spoken, [1.25, 7.5], 60.0)
    assert [s.start for s in timed.segments] == [1.25, 7.5, 7.5, 7.5, 60.0]
    assert words(timed) == words(spoken)
    assert align._speech("Oui [inaudible], bien sûr.") == "Oui , bien sûr."


def test_windows_stitch_a_long_episode_from_their_well_placed_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three hours of sentences at an uneven pace: each window's audio stays a few minutes
    long, and the starts kept are the ones a window placed well, never its garbled tail."""
    texts = [f"sentence {n} " + "word " * (3 + n * 7 % 20) for n in range(3000)]
    true: dict[str, float] = {}
    clock = 0.0
    for n, text in enumerate(texts):
        true[text] = clock
        clock += len(text) * (0.05 if (n // 200) % 2 else 0.09) + 0.4  # fast, then slow
    windows: list[tuple[float, float]] = []
    monkeypatch.setattr(
        align.speech_audio, "cut", lambda wav, start, end, out: windows.append((start, end))
    )

    def engine(window: Path, said: list[str], opening: bool) -> list[float]:
        start, end = windows[-1]
        found = [true[t] - start for t in said]
        if end == clock:  # the last window: its text and its audio end together
            return found
        tail = start + 0.8 * (end - start)  # past this, the window's starts are wrong
        return [f if start + f <= tail else f + 30.0 for f in found]

    starts = align.align_texts(engine, Path("episode.wav"), clock, texts, None)
    assert starts == pytest.approx([true[t] for t in texts])
    assert max(end - start for start, end in windows) <= 1.5 * align.WINDOW
    assert windows[-1][1] == clock


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Ann", "Bob", ""]),
            st.sampled_from(["Oui.", "[Note.]", "[inaudible].", "Non [rires], merci.", "Ah"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.floats(0.0, 10.0),
)
def test_timing_changes_nothing_but_times(pairs: list[tuple[str, str]], step: float) -> None:
    spoken = Transcript(tuple(Segment(speaker, text, 5.0, 6.0) for speaker, text in pairs))
    said = sum(align._speakable(s) for s in spoken.segments)
    timed = align.with_starts(spoken, [n * step for n in range(said)], 100.0)
    assert words(timed) == words(spoken)
    starts = [s.start for s in timed.segments]
    assert all(s is not None for s in starts)
    assert starts == sorted(starts)  # type: ignore[type-var]


def test_the_first_sentence_starts_after_a_jingle(case: tuple[Path, Path], tmp_path: Path) -> None:
    """Eight seconds of music alone open the episode: the first sentence starts after them."""
    text, audio = case
    jingle = tmp_path / "jingle.wav"
    music = "aevalsrc='0.1*(sin(2*PI*196*t)+sin(2*PI*294*t))*(0.6+0.4*sin(2*PI*3*t))':s=44100:d=8"
    graph = "[0:a]aformat=channel_layouts=stereo[j];[j][1:a]concat=n=2:v=0:a=1[o]"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", music, "-i", str(audio),
         "-filter_complex", graph, "-map", "[o]", str(jingle)],
        check=True,
    )  # fmt: skip
    report = align.align_transcript(text, jingle, tmp_path / "timed.txt", "fr")
    errors = start_errors(report.transcript, truth(), offset=-8 * TEMPO)
    assert errors.errors[0] <= 0.25, errors.errors[0]
    assert errors.median <= 0.25, errors.summary()
    assert errors.p95 <= 0.6, errors.summary()
