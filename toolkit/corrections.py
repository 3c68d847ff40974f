"""The show's corrections glossary: misheard words and their fixes, applied whole-word.

File format, one correction a line (``#`` starts a comment)::

    l'Effray -> l'Efrei
    Passemar -> Passemard

Matching ignores case. A replacement with any capital (a name, "AWS IoT") is the author's
spelling and is used as written; an all-lowercase replacement takes a capital at the start of
a sentence, and all caps where the match is all caps.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import LocatedError
from toolkit.model import Transcript, replace
from toolkit.textcheck import file_character_problem
from toolkit.tomlcheck import read_source


class CorrectionsError(LocatedError):
    """A problem at a line of the corrections glossary."""


@dataclass(frozen=True)
class Correction:
    wrong: str
    right: str
    line: int


def parse_corrections(text: str) -> tuple[Correction, ...]:
    """
    >>> parse_corrections("# noms\\nKeeTime -> Keytime\\n")
    (Correction(wrong='KeeTime', right='Keytime', line=2),)
    """
    found = file_character_problem(text)
    if found:
        raise CorrectionsError(*found)
    corrections: list[Correction] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        wrong, arrow, right = line.partition("->")
        wrong, right = wrong.strip(), right.strip()
        if not arrow or not wrong or not right:
            raise CorrectionsError(number, "expected 'misheard -> correct'")
        if wrong.casefold() in seen:
            raise CorrectionsError(
                number, f"{wrong!r} is already corrected on line {seen[wrong.casefold()]}"
            )
        seen[wrong.casefold()] = number
        corrections.append(Correction(wrong, right, number))
    return tuple(corrections)


def load_corrections(path: Path) -> tuple[Correction, ...]:
    return parse_corrections(read_source(path))


def _cased(match: str, right: str, sentence_start: bool) -> str:
    if not right.islower():
        return right
    if len(match) > 1 and match.isupper():
        return right.upper()
    if sentence_start and match[:1].isupper():
        return right[:1].upper() + right[1:]
    return right


def _at_sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(' «"')
    return not before or before[-1] in ".!?…"


def apply_corrections(
    text: str, corrections: tuple[Correction, ...]
) -> tuple[str, Counter[tuple[str, str]]]:
    """Replace every whole-word match in one pass (longest first, no cascading).

    >>> fixes = parse_corrections("effray -> efrei\\nKeeTime -> Keytime")
    >>> apply_corrections("Effray et l'effray, KEETIME ! EFFRAY, Effrayé. Vu Effray.", fixes)[0]
    "Efrei et l'efrei, Keytime ! EFREI, Effrayé. Vu efrei."
    """
    if not corrections:
        return text, Counter()
    by_key = {c.wrong.casefold(): c for c in corrections}
    ordered = sorted(corrections, key=lambda c: -len(c.wrong))
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(c.wrong) for c in ordered) + r")(?!\w)", re.IGNORECASE
    )
    made: Counter[tuple[str, str]] = Counter()

    def fix(match: re.Match[str]) -> str:
        found = match.group(0)
        correction = by_key[found.casefold()]
        fixed = _cased(found, correction.right, _at_sentence_start(text, match.start()))
        if fixed != found:
            made[(found, fixed)] += 1
        return fixed

    return pattern.sub(fix, text), made


def correct_transcript(
    spoken: Transcript, corrections: tuple[Correction, ...]
) -> tuple[Transcript, list[tuple[int, str, str]]]:
    """The transcript with corrections applied, and (segment number, wrong, right) per fix."""
    report: list[tuple[int, str, str]] = []
    segments = []
    for index, segment in enumerate(spoken.segments, start=1):
        text, made = apply_corrections(segment.text, corrections)
        for (wrong, right), count in sorted(made.items()):
            report.extend([(index, wrong, right)] * count)
        segments.append(replace(segment, text=text))
    return Transcript(tuple(segments)), report
