"""Transcript formats: read and write, pure functions over `Transcript`.

Formats:
- ``turns``: the editable form. ``- Speaker name`` starts a turn; each following line is one
  segment (usually a sentence), optionally prefixed by its start time ``[HH:MM:SS.mmm]``.
  The seed's raw automatic transcripts are this form without times.
- ``vtt``: WebVTT with a ``<v Name>`` voice tag on every cue.
- ``srt``: SubRip with ``Name:`` at each change of speaker (see `srt_speaker` for the rule).
- ``json``: Podcasting 2.0 JSON (``version`` 1.0.0).

A transcript may have no speakers (Whisper's): its segments' speaker is `NO_SPEAKER`. A
segment whose whole text is in square brackets is an editor's note (`is_editor_note`): it
is nobody's speech, and every format renders it as a note.
- ``txt``: plain text for reading (write only): a paragraph per turn under the speaker's name.

Each is declared once, in `REGISTRY`: detection, reading, writing, the command line's
choices and the formats the build publishes all come from there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from toolkit.errors import LocatedError
from toolkit.model import Segment, Transcript, replace
from toolkit.textcheck import character_problem, file_character_problem
from toolkit.timecode import checked_seconds, format_clock, format_timestamp, parse_timestamp

VTT_LINE, SRT_LINE = 65, 32
_EPSILON = 0.0005  # half a millisecond: every format stores milliseconds


class TranscriptError(LocatedError):
    """A problem at a line (int) or a key path (str) of a transcript file."""


NO_SPEAKER = ""  # a segment nobody is named for: a speakerless transcript, an editor's note
_EDITOR_NOTE = re.compile(r"\[[^\[\]]+\]")
MARKER = re.compile(r"\[[^\[\]\n]+\]")  # ``[inaudible]``: an editor's words inside a sentence


def is_editor_note(text: str) -> bool:
    """The one rule for editor's notes: the whole text is in square brackets.

    >>> is_editor_note("[La question n'a pas été captée.]"), is_editor_note("Oui [inaudible].")
    (True, False)
    """
    # Most sentences hold no bracket: a search in C spares them the strip and the regex.
    return "[" in text and _EDITOR_NOTE.fullmatch(text.strip()) is not None


def _segment(speaker: str, text: str, start: float | None, end: float | None = None) -> Segment:
    """A segment as read: an editor's note is attributed to nobody."""
    return Segment(NO_SPEAKER if is_editor_note(text) else speaker, text, start, end)


def _voice(segment: Segment) -> str:
    """Who a writer names for the segment: nobody for an editor's note."""
    return NO_SPEAKER if is_editor_note(segment.text) else segment.speaker


def _notes_across_cues(segments: list[Segment]) -> list[Segment]:
    """A note too long for one cue is written over several: from the cue that opens a
    bracket to the one that closes it, they are the note's pieces, nobody's speech."""
    out: list[Segment] = []
    inside = False
    for segment in segments:
        text = segment.text.strip()
        opens = text.startswith("[") and "]" not in text
        if inside or opens:
            segment = replace(segment, speaker=NO_SPEAKER)
            inside = (inside or opens) and not text.endswith("]")
        out.append(segment)
    return out


def _words(text: str) -> list[str]:
    """Words split at ordinary spaces only: a no-break space binds what it joins."""
    if "\u00a0" in text or "\u202f" in text:
        return _WORD.findall(text)
    return text.split()  # the same split, faster, when no such space is there


_WORD = re.compile(r"[^ \t\n\r\f\v]+")


# ---------------------------------------------------------------- reading


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); TranscriptError naming the line of a bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TranscriptError(
            line, f"is not UTF-8 (byte 0x{data[error.start]:02x}): save the file as UTF-8"
        ) from None


def detect_format(path: Path, text: str) -> str:
    """The format from the extension, or from the content when the extension says nothing."""
    by_extension = format_for_path(path)
    if by_extension:
        return by_extension
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    for fmt in REGISTRY:
        if fmt.sniff is not None and fmt.sniff(first, text):
            return fmt.name
    raise TranscriptError(
        1,
        "cannot tell the transcript format: use .vtt, .srt or .json, or start a text "
        "transcript with a '- Speaker name' line",
    )


def format_for_path(path: Path) -> str | None:
    """The format a file of this name is in (or is to be written in), if its extension says."""
    suffix = path.suffix.lower()
    return next((fmt.name for fmt in REGISTRY if suffix in fmt.suffixes), None)


def read(path: Path, data: bytes, fmt: str | None = None) -> Transcript:
    text = decode(data)
    found = file_character_problem(text)
    if found:
        raise TranscriptError(*found)
    fmt = fmt or detect_format(path, text)
    reader = _BY_NAME[fmt].read if fmt in _BY_NAME else None
    if reader is None:
        raise TranscriptError(None, f"podkit cannot read the {fmt!r} format")
    return reader(text)


_TURN_TIME = re.compile(r"^\[([0-9:.,]+)\]\s*")


def parse_turns(text: str) -> Transcript:
    """The editable form.

    >>> t = parse_turns("- Ana\\n[00:00:01.5] Bonjour.\\n- Bo\\n[00:00:03] Salut !\\n")
    >>> [(s.speaker, s.text, s.start, s.end) for s in t.segments]
    [('Ana', 'Bonjour.', 1.5, 3.0), ('Bo', 'Salut !', 3.0, None)]
    """
    read: list[tuple[str, str, float | None]] = []  # speaker, text, start
    lines: list[int] = []
    speaker: str | None = None
    speakers: set[str] = set()  # checked already: a turn's name comes back again and again
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("- ") or line == "-":
            speaker = line[1:].strip()
            if speaker != NO_SPEAKER and speaker not in speakers:  # "-": nobody is named
                _check_speaker(number, speaker)
                speakers.add(speaker)
            continue
        if speaker is None:
            raise TranscriptError(number, "text before the first speaker: add a '- Name' line")
        start = None
        match = _TURN_TIME.match(line)
        if match:
            try:
                start = parse_timestamp(match.group(1))
            except ValueError as error:
                raise TranscriptError(number, str(error)) from None
            line = line[match.end() :]
        read.append((NO_SPEAKER if is_editor_note(line) else speaker, line, start))
        lines.append(number)
    _check_times([(start, None) for _, _, start in read], lines)
    # Timed, each segment ends where the next starts: segments are made once, with their
    # ends (a transcript has thousands).
    starts = [start for _, _, start in read]
    timed = bool(read) and None not in starts
    ends = [*starts[1:], None] if timed else [None] * len(read)
    return Transcript(tuple(Segment(*row, end) for row, end in zip(read, ends, strict=True)))


SPEAKER_LIMIT = 60  # characters: an SRT reader takes a longer "Name:" for text


def speaker_problem(name: str) -> str | None:
    """Why ``name`` cannot be a speaker's name, or None. One rule for every format: a name
    must come back unchanged from each (SRT writes ``Name: text``, WebVTT ``<v Name>``) and
    must never be able to start a line, a cue or a tag of its own."""
    if not name:
        return "empty speaker name: write the speaker's name"
    problem = character_problem(name)
    if problem is not None:
        return f"speaker {name!r} {problem}"
    if any(c in name for c in ":<>"):
        return (
            f"speaker {name!r} contains ':', '<' or '>': drop them "
            "(SRT and WebVTT mark names with them)"
        )
    if name != " ".join(name.split()):
        return f"speaker {name!r}: separate its words with single spaces, without spaces around it"
    if len(name) > SPEAKER_LIMIT:
        return (
            f"speaker {name[:20]!r}… is {len(name)} characters long: shorten it to {SPEAKER_LIMIT}"
        )
    if srt_speaker(f"{name}: ") != name:
        return (
            f"speaker {name!r}: start it with a capital letter or a digit, without sentence "
            "punctuation, and not as a remark's label such as Note (SRT would read it as text)"
        )
    return None


def _check_speaker(where: int | str, speaker: str) -> None:
    problem = speaker_problem(speaker)
    if problem is not None:
        raise TranscriptError(where, problem)


def _checked(segments: list[Segment], where: list[int]) -> Transcript:
    """The segments as a transcript, once their times are checked (`_check_times`)."""
    _check_times([(s.start, s.end) for s in segments], where)
    return Transcript(tuple(segments))


def _check_times(times: list[tuple[float | None, float | None]], where: list[int]) -> None:
    """Check the segments' (start, end) times ascend and do not overlap."""
    timed = [start is not None for start, _ in times]
    if any(timed) and not all(timed):
        missing = where[timed.index(False)]
        raise TranscriptError(missing, "this segment has no time while others do: add [HH:MM:SS]")
    previous: tuple[float | None, float | None] | None = None
    for index, (start, end) in enumerate(times):
        if start is None:
            continue
        if end is not None and end + _EPSILON < start:
            raise TranscriptError(where[index], "ends before it starts")
        if previous is not None and previous[0] is not None:
            if start + _EPSILON < previous[0]:
                raise TranscriptError(
                    where[index],
                    f"starts at {format_timestamp(start)}, before the previous "
                    f"segment ({format_timestamp(previous[0])}): put the times in order",
                )
            if previous[1] is not None and start + _EPSILON < previous[1]:
                raise TranscriptError(
                    where[index],
                    f"starts at {format_timestamp(start)}, before the previous cue "
                    f"ends ({format_timestamp(previous[1])}): cues must not overlap",
                )
        previous = (start, end)


_CUE_TIMING = re.compile(r"^(\S+)\s+-->\s+(\S+)")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAGS = re.compile(r"</?[a-z][^>]*>|<\d[^>]*>")


def _unescape_vtt(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks with the line number of their first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _timing(number: int, line: str) -> tuple[float, float]:
    match = _CUE_TIMING.match(line.strip())
    if not match:
        raise TranscriptError(number, "expected a cue timing 'HH:MM:SS.mmm --> HH:MM:SS.mmm'")
    try:
        return parse_timestamp(match.group(1)), parse_timestamp(match.group(2))
    except ValueError as error:
        raise TranscriptError(number, str(error)) from None


def parse_vtt(text: str) -> Transcript:
    """WebVTT; the speaker comes from a ``<v Name>`` tag, or carries over from the last cue
    (a cue before any voice tag has none)."""
    blocks = list(_blocks(text))
    if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
        raise TranscriptError(1, "a WebVTT file must start with 'WEBVTT'")
    segments: list[Segment] = []
    lines: list[int] = []
    speaker = NO_SPEAKER
    for first, block in blocks[1:]:
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        offset = 0 if "-->" in block[0] else 1  # an optional cue identifier comes first
        if offset >= len(block):
            raise TranscriptError(first, "cue without timing: add 'start --> end'")
        start, end = _timing(first + offset, block[offset])
        payload = " ".join(line.strip() for line in block[offset + 1 :])
        voice = _VOICE.match(payload)
        if voice:
            speaker = _unescape_vtt(voice.group(1)).strip()
            _check_speaker(first, speaker)
        body = _unescape_vtt(_TAGS.sub("", payload)).strip()
        segments.append(_segment(speaker, body, start, end))
        lines.append(first)
    return _checked(_notes_across_cues(segments), lines)


_SRT_SPEAKER = re.compile(r"^([^\W_][^:\n<>,;!?«»\"()\[\]…]{0,59}):[ \t]+")
_SRT_STYLE = re.compile(r"</?(?:i|b|u|font)(?:\s[^>]*)?>", re.IGNORECASE)  # SubRip's styles
# Words that open a remark ("Note: …"), never a speaker's name.
_REMARK_LABELS = frozenset(
    {"note", "nb", "n.b", "ps", "p.s", "remarque", "attention", "important", "info", "source"}
    | {"edit", "update", "warning"}
)


def srt_speaker(text: str) -> str | None:
    """The speaker a SubRip cue's text starts with, or None. A name is at most 60
    characters before a colon that has no space before it (French " : " is punctuation)
    and a space after it; it starts with a capital letter or a digit ("Speaker 1"), holds
    no sentence punctuation, and is not a remark's label such as "Note" or "PS".

    >>> srt_speaker("Antony Passemard: Oui."), srt_speaker("Note: hors micro.")
    ('Antony Passemard', None)
    >>> srt_speaker("Alors : la culture."), srt_speaker("bon: oui"), srt_speaker("Oui, donc: non")
    (None, None, None)
    """
    match = _SRT_SPEAKER.match(text)
    if match is None:
        return None
    name = match.group(1)
    if name != name.rstrip() or not (name[0].isupper() or name[0].isdigit()):
        return None
    if name.lower().rstrip(".") in _REMARK_LABELS:
        return None
    return name


def parse_srt(text: str) -> Transcript:
    """SubRip; ``Name:`` (`srt_speaker`) at the start of a cue sets the speaker for it and
    those that follow. A file whose first cue (other than an editor's note) names nobody
    has no speakers: any ``Word:`` in it is text, as Whisper's files are."""
    segments: list[Segment] = []
    lines: list[int] = []
    speaker = NO_SPEAKER
    named: bool | None = None  # whether the file names speakers, from its first cue
    for first, block in _blocks(text):
        if len(block) < 2 or not block[0].strip().isdigit():
            raise TranscriptError(
                first, "expected a cue: a number, then 'start --> end', then text"
            )
        start, end = _timing(first + 1, block[1])
        body = _SRT_STYLE.sub("", " ".join(line.strip() for line in block[2:])).strip()
        name = srt_speaker(body)
        if named is None and not is_editor_note(body):
            named = name is not None
        if named and name is not None:
            speaker = name
            _check_speaker(first, speaker)
            body = body[len(name) + 1 :].strip()
        segments.append(_segment(speaker, body, start, end))
        lines.append(first)
    return _checked(_notes_across_cues(segments), lines)


def parse_json(text: str) -> Transcript:
    """Podcasting 2.0 JSON: ``{"version": "1.0.0", "segments": [...]}``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptError(error.lineno, f"is not valid JSON: {error.msg}") from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        raise TranscriptError(
            None, "is not JSON podkit can read: a number too long or lists nested too deeply"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("segments"), list):
        raise TranscriptError("segments", "expected an object with a 'segments' list")
    segments: list[Segment] = []
    where: list[int] = []
    for index, item in enumerate(document["segments"]):
        key = f"segments[{index}]"
        if not isinstance(item, dict):
            raise TranscriptError(key, "expected an object")
        speaker, body = item.get("speaker"), item.get("body")
        start, end = item.get("startTime"), item.get("endTime")
        if not isinstance(body, str):
            raise TranscriptError(f"{key}.body", "expected text")
        if speaker is None:  # the spec makes the speaker optional
            speaker = NO_SPEAKER
        if not isinstance(speaker, str):
            raise TranscriptError(f"{key}.speaker", "expected the speaker's name")
        speaker = speaker.strip()
        if speaker != NO_SPEAKER:
            _check_speaker(f"{key}.speaker", speaker)
        problem = character_problem(body, line_breaks=True)
        if problem:
            raise TranscriptError(f"{key}.body", problem)
        segments.append(
            _segment(
                speaker,
                body,
                _json_seconds(start, key, "startTime"),
                _json_seconds(end, key, "endTime"),
            )
        )
        where.append(index + 1)
    try:
        return _checked(segments, where)
    except TranscriptError as error:  # name the segment, not a line
        assert isinstance(error.where, int)
        raise TranscriptError(f"segments[{error.where - 1}]", error.message) from None


def _json_seconds(value: object, key: str, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TranscriptError(f"{key}.{name}", "expected a number of seconds")
    try:
        return checked_seconds(value)
    except ValueError as error:
        raise TranscriptError(f"{key}.{name}", str(error)) from None


# ---------------------------------------------------------------- writing


def write(transcript: Transcript, fmt: str, duration: float | None = None) -> str:
    """The transcript in ``fmt``; ``duration`` (the audio's) ends the last timed segment."""
    return _BY_NAME[fmt].write(transcript, duration)


def turns(transcript: Transcript) -> list[list[Segment]]:
    """Consecutive segments of one speaker, grouped."""
    groups: list[list[Segment]] = []
    for segment in transcript.segments:
        if groups and groups[-1][0].speaker == segment.speaker:
            groups[-1].append(segment)
        else:
            groups.append([segment])
    return groups


def write_turns(transcript: Transcript) -> str:
    out: list[str] = []
    for group in turns(transcript):
        out.append(f"- {group[0].speaker}".rstrip())
        for s in group:
            prefix = f"[{format_timestamp(s.start)}] " if s.start is not None else ""
            out.append(prefix + s.text)
    return "\n".join(out) + "\n"


def write_text(transcript: Transcript) -> str:
    paragraphs = []
    for group in turns(transcript):
        start = group[0].start
        text = " ".join(s.text for s in group)
        if group[0].speaker == NO_SPEAKER:  # a note, or speech nobody is named for
            paragraphs.append(text)
            continue
        heading = group[0].speaker + (f" ({format_clock(start)})" if start is not None else "")
        paragraphs.append(heading + "\n" + text)
    return "\n\n".join(paragraphs) + "\n"


def with_ends(transcript: Transcript, duration: float | None) -> Transcript:
    """Give every timed segment an end: the next start, and the audio's end for the last."""
    segments = list(transcript.segments)
    for i, s in enumerate(segments):
        if s.start is None or s.end is not None:
            continue
        if i + 1 < len(segments) and segments[i + 1].start is not None:
            end = segments[i + 1].start
        else:
            end = duration if duration is not None else s.start + max(1.0, len(s.text) / 15)
        segments[i] = replace(s, end=max(end or s.start, s.start))
    return Transcript(tuple(segments))


def _require_times(transcript: Transcript, fmt: str) -> None:
    if not transcript.timed:
        raise TranscriptError(None, f"{fmt} needs times: add [HH:MM:SS] to every segment first")


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap (a word longer than the width gets a line of its own).

    >>> wrap("un deux trois quatre", 9)
    ['un deux', 'trois', 'quatre']
    """
    lines: list[str] = []
    for word in _words(text):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def split_cues(text: str, width: int, first_prefix: str = "") -> list[str]:
    """Split text into cue texts of at most two lines of ``width`` characters.

    A cue that is full breaks at its last clause or sentence end when that keeps at least
    half of it, so cues read as phrases. ``first_prefix`` (``"Name: "``) counts in the first.

    >>> split_cues("Oui, bien sûr. C'est une longue histoire, vraiment.", 16)
    ['Oui, bien sûr.', "C'est une longue histoire,", 'vraiment.']
    """
    return [cue for cue, _ in cues_with_lines(text, width, first_prefix)]


def cues_with_lines(text: str, width: int, first_prefix: str = "") -> list[tuple[str, list[str]]]:
    """`split_cues`, with each cue's lines as `wrap` would make them (the first cue's first
    line starting with ``first_prefix``), in one pass over the text."""
    whole = " ".join(_words(text))
    if not first_prefix and len(whole) <= width:  # most sentences of a VTT: one line
        return [(whole, [whole])] if whole else []
    cues: list[tuple[str, list[str]]] = []
    position = 0
    while position < len(whole):
        end, lines = _next_cue(whole, position, width, first_prefix if not cues else "")
        cues.append((whole[position:end], lines))
        position = end + 1
    return cues


def _next_cue(whole: str, position: int, width: int, prefix: str) -> tuple[int, list[str]]:
    """Where the next cue of ``whole`` (words joined by single spaces) that starts at
    ``position`` ends, and its lines; ``prefix`` (``"Name: "``) goes before it, in its lines."""
    words = _words(prefix) if prefix else []
    if not words:
        return _cue(whole, position, position, width)
    named = " ".join(words) + " "
    text = named + whole[position:]
    end, lines = _cue(text, 0, len(named), width)
    if end < len(named):  # the prefix alone filled both lines: one word goes on anyway
        end = whole.find(" ", position)
        end = len(whole) if end < 0 else end
        return end, wrap(named + whole[position:end], width)
    return position + end - len(named), lines


def _cue(text: str, start: int, body: int, width: int) -> tuple[int, list[str]]:
    """The cue that starts at ``start``: at most two greedily wrapped lines, cut back to its
    last clause or sentence end when words follow and that keeps at least half of the words
    from ``body`` on (what comes before ``body`` is a speaker's prefix). Returns where the
    cue ends in ``text`` and its lines."""
    lines = _two_lines(width).match(text, start)
    assert lines is not None  # a line always starts at a word
    end, second = lines.end(), lines.start(1)  # -1: no second line
    if end < len(text) and end > body:
        clause = _LAST_CLAUSE_END.match(text, body, end)
        if clause is not None:
            cut = clause.end()
            kept = text.count(" ", body, cut) + 1
            if kept >= max(1, (text.count(" ", body, end) + 1) // 2):
                end = cut
    if 0 < second < end:
        return end, [text[start : second - 1], text[second:end]]
    return end, [text[start:end]]


@cache
def _two_lines(width: int) -> re.Pattern[str]:
    """Two lines of ``width`` characters wrapped greedily from a word's start, in words
    joined by single spaces: each the longest run of whole words that fits, or one word
    longer than the width. Group 1 is the second line."""
    line = rf"[^ ].{{0,{width - 1}}}(?= |\Z)|[^ ]+"
    return re.compile(rf"(?:{line})(?: ({line}))?", re.DOTALL)


# The last word that ends with a clause or sentence end, where a full cue prefers to break
# (words are joined by single spaces).
_LAST_CLAUSE_END = re.compile(r".*[,;:.!?…»)](?= |\Z)", re.DOTALL)


def _cue_times(segment: Segment, cues: list[tuple[str, list[str]]]) -> list[tuple[float, float]]:
    """Share the segment's time among its cues by the length of their text (milliseconds)."""
    assert segment.start is not None and segment.end is not None
    if not cues:  # a segment with no words (a cue left empty in a VTT): nothing to show
        return []
    if len(cues) == 1:  # most sentences of a VTT
        return [(round(segment.start * 1000) / 1000, round(segment.end * 1000) / 1000)]
    total = sum(len(cue) for cue, _ in cues) or 1
    span = segment.end - segment.start
    bounds = [segment.start]  # each cue ends where the next starts
    for cue, _ in cues[:-1]:
        bounds.append(bounds[-1] + span * len(cue) / total)
    bounds.append(segment.end)
    times = [round(bound * 1000) / 1000 for bound in bounds]
    return list(pairwise(times))


def _timings(separator: str) -> Callable[[float, float], str]:
    """``start --> end`` lines for consecutive cues. A cue mostly starts where the previous
    one ended, and formatting that time once saves a tenth of writing VTT and SRT."""
    previous: tuple[float | None, str] = (None, "")

    def timing(start: float, end: float) -> str:
        nonlocal previous
        first = previous[1] if start == previous[0] else format_timestamp(start, separator)
        previous = (end, format_timestamp(end, separator))
        return f"{first} --> {previous[1]}"

    return timing


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(transcript: Transcript, duration: float | None = None) -> str:
    _require_times(transcript, "WebVTT")
    transcript = with_ends(transcript, duration)
    out = ["WEBVTT", ""]  # then a block of lines per cue, each ending with a blank line
    timing = _timings(".")
    for segment in transcript.segments:
        # Speech nobody is named for and editor's notes are cues without a voice: players
        # show them, where a NOTE block would be a comment no one sees.
        name = _voice(segment)
        voice = f"<v {_escape_vtt(name)}>" if name else ""
        cues = cues_with_lines(segment.text, VTT_LINE)
        for (start, end), (_, lines) in zip(_cue_times(segment, cues), cues, strict=True):
            text = _escape_vtt("\n".join(lines))
            out.append(f"{timing(start, end)}\n{voice}{text}\n")
    return "\n".join(out)


def write_srt(transcript: Transcript, duration: float | None = None) -> str:
    _require_times(transcript, "SubRip")
    transcript = with_ends(transcript, duration)
    out: list[str] = []
    number = 0
    speaker = NO_SPEAKER
    timing = _timings(",")
    for segment in transcript.segments:
        voice = _voice(segment)
        cues = _srt_cues(segment, named=voice not in (speaker, NO_SPEAKER))
        for (start, end), (_, lines) in zip(_cue_times(segment, cues), cues, strict=True):
            number += 1
            out.append(f"{number}\n{timing(start, end)}\n" + "\n".join(lines) + "\n")
        if voice != NO_SPEAKER:  # a note leaves the speaker named before it
            speaker = segment.speaker
    return "\n".join(out)


def _srt_cues(segment: Segment, named: bool) -> list[tuple[str, list[str]]]:
    """The segment's cues and their lines. ``Name: `` starts the first when ``named`` (a
    change of speaker), and any cue whose text would read as a speaker's name otherwise;
    the prefix counts in the cue's two lines. An editor's note is in italics, unnamed."""
    if is_editor_note(segment.text):
        notes = cues_with_lines(segment.text, SRT_LINE - len("<i></i>"))
        return [(cue, [f"<i>{line}</i>" for line in lines]) for cue, lines in notes]
    if segment.speaker == NO_SPEAKER:
        return cues_with_lines(segment.text, SRT_LINE)
    whole = " ".join(_words(segment.text))
    prefix = f"{segment.speaker}: "
    cues: list[tuple[str, list[str]]] = []
    position = 0
    while position < len(whole):
        end, lines = _next_cue(whole, position, SRT_LINE, prefix if named else "")
        cue = whole[position:end]
        # A name needs a colon: most cues are spared the speaker rule's regex.
        if not named and ":" in cue and srt_speaker(cue) is not None:
            end, lines = _next_cue(whole, position, SRT_LINE, prefix)
            cue = whole[position:end]
        cues.append((cue, lines))
        position = end + 1
        named = False
    return cues


def write_json(transcript: Transcript, duration: float | None = None) -> str:
    _require_times(transcript, "Podcasting 2.0 JSON")
    transcript = with_ends(transcript, duration)
    segments = [_json_segment(s) for s in transcript.segments]
    # Compact: this file is for apps, and json's C encoder is much faster without indent.
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False)


def _json_segment(segment: Segment) -> dict[str, object]:
    voice = _voice(segment)
    row = {
        "speaker": voice,
        "startTime": round(segment.start or 0.0, 3),
        "endTime": round(segment.end or 0.0, 3),
        "body": segment.text,
    }
    if not voice:  # optional in the spec
        del row["speaker"]
    return row


def published_formats(transcript: Transcript) -> tuple[str, ...]:
    """The files the build publishes: every format when timed, plain text otherwise."""
    timed = transcript.timed  # a walk over every segment: once, not once per format
    return tuple(f.name for f in REGISTRY if f.mime_type and (timed or not f.needs_times))


# ---------------------------------------------------------------- the formats


@dataclass(frozen=True)
class TranscriptFormat:
    """One transcript format: how to read it (None: write only), write it and tell it."""

    name: str
    read: Callable[[str], Transcript] | None
    write: Callable[[Transcript, float | None], str]
    suffixes: tuple[str, ...] = ()  # a file with one of these is in this format
    sniff: Callable[[str, str], bool] | None = None  # from the first line and the whole text
    mime_type: str | None = None  # the build publishes it, with this type
    needs_times: bool = False  # every segment must have a time


def _untimed(writer: Callable[[Transcript], str]) -> Callable[[Transcript, float | None], str]:
    """A writer that has no use for the audio's duration."""
    return lambda transcript, duration: writer(transcript)


REGISTRY = (
    TranscriptFormat(
        "turns",
        parse_turns,
        _untimed(write_turns),
        (".txt",),
        lambda first, text: first.startswith("- "),
    ),
    TranscriptFormat(
        "vtt",
        parse_vtt,
        write_vtt,
        (".vtt",),
        lambda first, text: first.startswith("WEBVTT"),
        "text/vtt",
        needs_times=True,
    ),
    TranscriptFormat(
        "srt",
        parse_srt,
        write_srt,
        (".srt",),
        lambda first, text: first.isdigit() and "-->" in text,
        "application/x-subrip",
        needs_times=True,
    ),
    TranscriptFormat(
        "json",
        parse_json,
        write_json,
        (".json",),
        lambda first, text: first.startswith("{"),
        "application/json",
        needs_times=True,
    ),
    TranscriptFormat("txt", None, _untimed(write_text), mime_type="text/plain"),
)
FORMATS = tuple(f.name for f in REGISTRY)
_BY_NAME = {f.name: f for f in REGISTRY}
MIME_TYPES = {f.name: f.mime_type for f in REGISTRY if f.mime_type}
