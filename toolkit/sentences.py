"""Chapter starts taken from the timed transcript's sentences: a chapter's ``at`` (the first
words of the sentence it starts with) and `podkit chapters snap` (each start moved to the
start of the nearest sentence).

A sentence is a segment of the transcript: a line of the editable form, a cue of WebVTT or
SRT, a segment of JSON.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence

from toolkit.model import Transcript
from toolkit.timecode import format_timestamp

# Seconds a chapter start may be from a sentence's start and still be moved to it: an edit
# marker placed by ear lands within a word or two of the sentence it means, and a sentence
# lasts longer than that, so the nearest start is the one meant.
SNAP_TOLERANCE = 2.0

_WORD = re.compile(r"[^\W_]+")  # letters and digits: punctuation and apostrophes separate


def words(text: str) -> tuple[str, ...]:
    """The words matching compares: without case, punctuation or apostrophes (straight
    or typographic), accents composed the same way (NFC) whatever the editor typed.

    >>> words("L’appel de « Berkeley » !")
    ('l', 'appel', 'de', 'berkeley')
    """
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return tuple(_WORD.findall(folded))


def begins_with(sentence: str, first_words: str) -> bool:
    """Whether ``sentence`` begins with ``first_words``, word for word (a word cut short
    does not match: "Bon" does not begin "Bonjour")."""
    wanted = words(first_words)
    return bool(wanted) and words(sentence)[: len(wanted)] == wanted


def sentence_start(transcript: Transcript, first_words: str, name: str) -> float | str:
    """The start of the one sentence of ``transcript`` (its file's ``name``) that begins
    with ``first_words``; else what is wrong, as a message for the ``at`` key."""
    if not transcript.timed:
        return f"{name} has no times: {UNTIMED_HINT}, or give the chapter's start"
    if not words(first_words):
        return "has no words: give the first words of the sentence the chapter starts with"
    found = [s for s in transcript.segments if begins_with(s.text, first_words)]
    if not found:
        return (
            f"no sentence of {name} begins with {first_words!r}: copy the first words of "
            "the chapter's first sentence from the transcript"
        )
    if len(found) > 1:
        times = ", ".join(format_timestamp(s.start or 0.0) for s in found)
        return (
            f"{first_words!r} begins {len(found)} sentences of {name} (at {times}): "
            "add words until only one matches"
        )
    return found[0].start or 0.0


# What to do when a transcript has no times.
UNTIMED_HINT = "time it with `podkit transcript align TRANSCRIPT AUDIO OUT`"


def sentence_starts(transcript: Transcript) -> list[float]:
    """The timed sentences' starts, in order, each once."""
    return sorted({s.start for s in transcript.segments if s.start is not None})


def snapped(start: float, starts: Sequence[float], tolerance: float = SNAP_TOLERANCE) -> float:
    """The sentence start nearest ``start`` (``starts`` in order), if it is within
    ``tolerance`` seconds; else ``start`` unchanged. On a tie the later sentence wins: a
    marker placed in the pause between two sentences means the one it comes before."""
    after = bisect_right(starts, start)
    around = starts[max(after - 1, 0) : after + 1]
    if not around:
        return start
    nearest = min(around, key=lambda s: (abs(s - start), -s))
    return nearest if abs(nearest - start) <= tolerance else start
