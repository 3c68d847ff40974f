"""Time a transcript against its recording (forced alignment): every sentence gets the time
it starts in the audio; speakers, text and editor's notes stay as written.

The engine is aeneas (the aeneas-ng fork, the ``align`` extra): espeak-ng reads the text,
and dynamic time warping on MFCCs maps that reading onto the recording. Its boundary
adjustment moves each start to the end of the pause before it, onto the onset of speech.
The recording is aligned in windows of a few minutes, each starting at a sentence the
previous window placed well, so memory stays bounded however long the episode is.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit import speech_audio
from toolkit.errors import Problem, Problems, ToolkitError
from toolkit.model import Segment, Transcript, replace
from toolkit.tomlcheck import load_toml
from toolkit.transcript import is_editor_note
from toolkit.transcript_files import output_format, read_transcript, write_transcript

log = logging.getLogger(__name__)

MISSING_EXTRA = (
    "needs the align extra: pip install 'podkit[align]' (building it needs Debian's "
    "espeak-ng libespeak-ng-dev festival-dev libestools-dev)"
)
WINDOW = 180.0  # seconds of audio aligned at once, with the text expected to fill them
KEEP = 0.6  # of a window, only starts in this first part are kept: the rest is redone
GUARD = 0.25  # a window opens this long before the sentence it starts with
# Pauses of at least this long are found around each boundary; the start moves to their end.
ENGINE_SETTINGS = (
    "is_text_type=plain|os_task_file_format=json|task_adjust_boundary_algorithm=percent|"
    "task_adjust_boundary_percent_value=100|task_adjust_boundary_nonspeech_min=0.1"
)
DTW_MARGIN = 60  # seconds the warping may stray from the window's diagonal
HEAD_MAX = 60.0  # the longest opening without speech (a jingle) the first window looks for

Progress = Callable[[Iterable[Any], int], Iterable[Any]]
Engine = Callable[[Path, list[str], bool], list[float]]  # the bool: look for an opening


@dataclass(frozen=True)
class TranscriptAlignment:
    out: Path
    transcript: Transcript
    format: str
    duration: float

    def summary(self) -> str:
        minutes, seconds = divmod(round(self.duration), 60)
        return (
            f"{self.out}: {len(self.transcript.segments)} segments aligned on "
            f"{minutes}:{seconds:02d} of audio, as {self.format}"
        )


def align_transcript(
    source: Path,
    audio: Path,
    out: Path,
    language: str | None = None,
    to: str | None = None,
    progress: Progress | None = None,
) -> TranscriptAlignment:
    """Write ``source`` to ``out`` (in ``to``, or the format of its extension) with every
    segment timed against ``audio``; the times ``source`` has are ignored. The language is
    the show's when ``source`` lies in an episode's folder and none is given."""
    spoken = read_transcript(source)
    fmt = output_format(out, to)
    problems = []
    if not any(_speakable(s) for s in spoken.segments):
        problems.append(Problem(source, None, "has no speech to align: write its sentences"))
    language = language or shows_language(source)
    if language is None:
        problems.append(
            Problem(source, None, "is in no show's episode folder: give --language (e.g. fr)")
        )
    engine = load_engine(language, problems)
    if problems or engine is None:
        raise ToolkitError(problems)
    with tempfile.TemporaryDirectory(prefix="podkit-align-") as scratch:
        wav = Path(scratch) / "audio.wav"
        duration = speech_audio.decode(audio, wav)
        texts = [_speech(s.text) for s in spoken.segments if _speakable(s)]
        starts = align_texts(engine, wav, duration, texts, progress)
    aligned = with_starts(spoken, starts, duration)
    write_transcript(aligned, out, fmt, duration)
    return TranscriptAlignment(out, aligned, fmt, duration)


def _speech(text: str) -> str:
    """What is said: the text without its bracketed remarks ("[inaudible]"), on one line."""
    return " ".join(re.sub(r"\[[^\]]*\]", " ", text).split())


def _speakable(segment: Segment) -> bool:
    return not is_editor_note(segment.text) and bool(_speech(segment.text).strip(" .,;:!?…"))


def with_starts(spoken: Transcript, starts: list[float], duration: float) -> Transcript:
    """``spoken`` with the speakable segments starting at ``starts``; a note, which nobody
    says, starts with the speech after it (at the end of the audio when none follows)."""
    timed = iter(starts)
    segments = [
        replace(s, start=round(next(timed), 3) if _speakable(s) else None, end=None)
        for s in spoken.segments
    ]
    following = duration
    for index in reversed(range(len(segments))):
        start = segments[index].start
        if start is None:
            segments[index] = replace(segments[index], start=following)
        else:
            following = start
    return Transcript(tuple(segments))


def shows_language(transcript: Path) -> str | None:
    """The `language` of the show.toml above the transcript's episode folder, if any (only
    that key is read: the show need not be complete to be aligned)."""
    show_toml = transcript.resolve().parent.parent / "show.toml"
    data = load_toml(show_toml, Problems()) or {}  # a show that cannot be read names none
    language = data.get("language")
    return language if isinstance(language, str) and language.strip() else None


def load_engine(language: str | None, problems: list[Problem]) -> Engine | None:
    """The aligner for ``language``, or None with the reason in ``problems`` (with no
    language, only whether the engine is installed is checked)."""
    try:
        from aeneas.language import Language
        from aeneas.ttswrappers.espeakngttswrapper import ESPEAKNGTTSWrapper
    except ImportError:
        problems.append(Problem("podkit transcript align", None, MISSING_EXTRA))
        return None
    if language is None:
        return None
    voices = ESPEAKNGTTSWrapper.LANGUAGE_TO_VOICE_CODE
    code = _engine_language(language, voices, Language.ALLOWED_VALUES)
    if code is None:
        problems.append(
            Problem("--language", None, f"{language!r}: espeak-ng cannot read it: use e.g. fr")
        )
        return None
    return lambda wav, texts, opening: _aeneas(wav, texts, code, opening)


def _engine_language(language: str, voices: dict[str, str], known: Iterable[str]) -> str | None:
    """aeneas's code, among ``known``, for a language code such as fr, fr-FR or fra.

    >>> voices = {"fr": "fr", "fra": "fr", "fra-FRA": "fr-fr", "fr-fr": "fr-fr", "eng": "en"}
    >>> known = {"fra", "fra-FRA", "eng"}
    >>> _engine_language("fr", voices, known), _engine_language("fr-FR", voices, known)
    ('fra', 'fra-FRA')
    >>> _engine_language("fr-CA", voices, known), _engine_language("xx", voices, known)
    ('fra', None)
    """
    wanted = language.strip().lower()
    for asked in (wanted, wanted.split("-")[0]):
        if asked in voices and asked in known:
            return asked
        for code, voice in voices.items():
            if voice == asked and code in known:
                return code
    return None


def _aeneas(wav: Path, texts: list[str], language: str, opening: bool) -> list[float]:
    """Where each of ``texts`` starts in ``wav``, in seconds; with ``opening``, the first
    starts after the music or silence ``wav`` may open with, not at 0."""
    from aeneas.executetask import ExecuteTask
    from aeneas.runtimeconfiguration import RuntimeConfiguration
    from aeneas.syncmap.fragment import SyncMapFragment
    from aeneas.task import Task
    from aeneas.textfile import TextFile, TextFragment

    head = f"|is_audio_file_detect_head_min=0|is_audio_file_detect_head_max={HEAD_MAX}"
    task = Task(config_string=f"task_language={language}|{ENGINE_SETTINGS}{head * opening}")
    task.audio_file_path_absolute = str(wav)
    task.text_file = TextFile()
    for number, text in enumerate(texts):
        task.text_file.add_fragment(TextFragment(f"f{number}", language, [text], [text]))
    # espeak-ng's C library hangs when a process synthesises a second time: each window's
    # synthesis runs in a Python of its own.
    settings = (
        f"cew_subprocess_enabled=True|cew_subprocess_path={sys.executable}|"
        f"dtw_margin={DTW_MARGIN}|tmp_path={wav.parent}"
    )
    ExecuteTask(task, rconf=RuntimeConfiguration(settings)).execute()
    leaves = task.sync_map_leaves(SyncMapFragment.REGULAR)
    return [float(leaf.begin) for leaf in leaves]


def align_texts(
    engine: Engine, wav: Path, duration: float, texts: list[str], progress: Progress | None
) -> list[float]:
    """The start of each of ``texts`` in ``wav``, aligned window by window."""
    starts: list[float] = [0.0] * len(texts)
    steps = _windows(engine, wav, duration, texts, starts)
    ticks = (tick for advanced in steps for tick in range(advanced))
    for _ in progress(ticks, int(duration)) if progress else ticks:
        pass
    for index in range(1, len(starts)):  # a window never starts a sentence before its own
        starts[index] = max(starts[index], starts[index - 1])
    return starts


def _windows(
    engine: Engine, wav: Path, duration: float, texts: list[str], starts: list[float]
) -> Iterator[int]:
    """Align ``texts`` in windows, filling ``starts``; yield the whole seconds each advances.

    A window holds the sentences expected to fill its audio at the recording's average pace.
    Where speech is faster or slower than that, the text and the audio do not end together,
    and the last sentences absorb the difference: only the starts in the first part of a
    window are kept, and the next window begins with the first sentence not kept."""
    seconds_per_character = duration / max(1, sum(len(t) for t in texts))
    first, opening, done = 0, 0.0, 0
    while True:
        last, expected = first, 0.0
        while last < len(texts) and (expected < WINDOW or last - first < 2):
            expected += len(texts[last]) * seconds_per_character
            last += 1
        end = opening + expected
        final = last == len(texts) or end >= duration
        if final:
            last, end = len(texts), duration
        window = _in_window(engine, wav, opening, end, texts[first:last], first == 0)
        found = [opening + s for s in window]
        if first == 0:
            starts[0] = found[0]
        if final:
            starts[first + 1 : last] = found[1:]
            yield int(duration) - done
            return
        kept = first + 1
        while kept < last - 1 and found[kept - first] <= opening + KEEP * (end - opening):
            kept += 1
        starts[first + 1 : kept + 1] = found[1 : kept - first + 1]
        first, opening = kept, max(opening, starts[kept] - GUARD)
        yield int(opening) - done
        done = int(opening)


def _in_window(
    engine: Engine, wav: Path, start: float, end: float, texts: list[str], first: bool
) -> list[float]:
    window = wav.with_name("window.wav")
    speech_audio.cut(wav, start, end, window)
    log.debug("aligning %d sentences on %.1f s to %.1f s", len(texts), start, end)
    return engine(window, texts, first)
