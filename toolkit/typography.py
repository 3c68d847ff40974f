"""Typography for what podkit publishes as reading text, by the show's language.

`typeset` is applied to published copies only (pages, feed, transcript files, ID3 text),
never to the sources. French: a narrow no-break space (U+202F) before ``; ! ?``, a
no-break space (U+00A0) before ``:`` and inside « », ’ for ', guillemets for straight
double quotes, … for ``...``, numbers of five digits or more grouped by thousands with
U+202F (5 000; four-digit numbers such as years stay whole), U+00A0 before ``%``.
English: curly quotes and apostrophes, … for ``...``. Other languages: ``...`` only.

Spaces are only ever replaced, never invented, before ``: ; ! ?`` ("Yahoo!" stays a
brand). URLs, e-mail addresses, `code`, times (10:30, 00:12:34.5) and version numbers
(1.2.3) are left as they are. Typesetting twice gives the same text as once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any

from toolkit.model import Chapter, Episode, EpisodeExtras, Segment, Show, Transcript, replace
from toolkit.patterns import compiled

NBSP, NNBSP = "\u00a0", "\u202f"


_PROTECTED = (
    # A URL; quotes, straight or typographic, end it (so that typesetting twice is once).
    r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.|mailto:)[^\s<>\"“”‘’«»]*[^\s<>\".,;:!?)\]«»'‘’“”]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|`[^`\n]+`"  # code
    r"|\d+(?::\d\d)+(?:[.,]\d+)?"  # a time
    r"|\bv?\d+(?:\.\d+)+"  # a version or a decimal number
)
_SPACES = f"[ \t{NBSP}{NNBSP}]"
_ELLIPSIS = r"\.\.\."
_OPENS_AFTER = frozenset(" \t\n\r\f\v([{<«“‘—–-/" + NBSP + NNBSP)

# French.
_BEFORE_HIGH = rf"(?<=\S){_SPACES}+(?=[;!?])"
_BEFORE_COLON = rf"(?<=\S){_SPACES}+(?=:)"
_AFTER_OPEN_GUILLEMET = rf"«{_SPACES}*"
_BEFORE_CLOSE_GUILLEMET = rf"(?<=\S){_SPACES}*»"
# Five digits or more, not part of a word, a code, a decimal or a phone number, and not
# a postcode (followed by a capitalised town).
_NUMBER_START = rf"(?<![\w.,+#/\-])(?<!\d )(?<!\d{NNBSP})"
_LONG_NUMBER = _NUMBER_START + r"[1-9]\d{4,}(?![\w.,]\d|\d|\s+[A-ZÀ-Ý])"
_GROUPED = _NUMBER_START + rf"[1-9]\d{{0,2}}(?:[ {NNBSP}]\d{{3}})+(?![\w.,]\d|\d)"
_PERCENT = rf"(?<=\d){_SPACES}*%"


def typeset(text: str, language: str, before: str = "") -> str:
    """``text`` typeset for ``language``; ``before`` is the character that precedes it
    (an HTML text node continues the one before it), which tells quotes which way to turn.

    >>> typeset("Il dit : « oui ! » à 40% de 12345 gens... l'été 2007, à 10:30.", "fr")
    'Il dit\\xa0: «\\xa0oui\\u202f!\\xa0» à 40\\xa0% de 12\\u202f345 gens… l’été 2007, à 10:30.'
    >>> typeset("\\"It's\\" 'fine'...", "en")
    '“It’s” ‘fine’…'
    """
    if not text:
        return text
    language = language.split("-")[0].lower()
    if not _needs_rules(before[-1:] + text, language):
        # Most sentences: no rule applies, but French's apostrophe is always turned.
        return text.replace("'", "’") if language == "fr" else text
    return _by_rules(text, language, before)


def _by_rules(text: str, language: str, before: str) -> str:
    rules = _RULES.get(language, _other)
    marker = next(c for c in "\ue000\ue001\ue002" if c not in text and c != before)
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group())
        return marker

    hidden = before[-1:] + text
    if _may_be_protected(hidden):
        hidden = compiled(_PROTECTED).sub(hide, hidden)
    done = rules(hidden)
    if spans:
        pieces = done.split(marker)
        done = pieces[0] + "".join(s + p for s, p in zip(spans, pieces[1:], strict=True))
    return done[len(before[-1:]) :]


def _may_be_protected(text: str) -> bool:
    """Whether ``text`` may hold a span `_PROTECTED` finds: each kind needs one of these."""
    if any(mark in text for mark in ("://", "www.", "mailto:", "@", "`")):
        return True
    return ("." in text or ":" in text) and compiled(_DIGIT).search(text) is not None


def _quotes(text: str, double: tuple[str, str], single: tuple[str, str]) -> str:
    """Straight quotes turned by what precedes them: opening after a space, a bracket or
    the start; otherwise closing (an apostrophe is a closing single quote)."""
    if single[0] == single[1]:  # one form for both: no need to look around
        text = text.replace("'", single[0])
    if '"' not in text and "'" not in text:
        return text

    def turn(match: re.Match[str]) -> str:
        char, at = match.group(), match.start()
        opening = at == 0 or text[at - 1] in _OPENS_AFTER
        if char == "'" and opening:
            following = text[at + 1 : at + 2]
            opening = bool(following) and not following.isspace()
        pair = double if char == '"' else single
        return pair[0] if opening else pair[1]

    return compiled(_STRAIGHT_QUOTE).sub(turn, text)


_STRAIGHT_QUOTE = "[\"']"


def _french(text: str) -> str:
    # Each rule runs only when its characters are there: most sentences need two or three.
    if "..." in text:
        text = compiled(_ELLIPSIS).sub("…", text)
    text = _quotes(text, ("«", "»"), ("’", "’"))
    if "«" in text or "»" in text:
        text = compiled(_AFTER_OPEN_GUILLEMET).sub("«" + NBSP, text)
        text = compiled(_BEFORE_CLOSE_GUILLEMET).sub(NBSP + "»", text)
    if ";" in text or "!" in text or "?" in text:
        text = compiled(_BEFORE_HIGH).sub(NNBSP, text)
    if ":" in text:
        text = compiled(_BEFORE_COLON).sub(
            lambda m: m.group() if m.group() == NNBSP else NBSP, text
        )
    if compiled(_DIGIT).search(text):
        text = compiled(_LONG_NUMBER).sub(_group_thousands, text)
        text = compiled(_GROUPED).sub(lambda m: m.group().replace(" ", NNBSP), text)
        if "%" in text:
            text = compiled(_PERCENT).sub(NBSP + "%", text)
    return text


_DIGIT = r"\d"


def _group_thousands(match: re.Match[str]) -> str:
    digits = match.group()
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NNBSP.join(groups)


def _english(text: str) -> str:
    return _quotes(compiled(_ELLIPSIS).sub("…", text), ("“", "”"), ("‘", "’"))


def _other(text: str) -> str:
    return compiled(_ELLIPSIS).sub("…", text)


_RULES: dict[str, Callable[[str], str]] = {"fr": _french, "en": _english}


def _needs_rules(text: str, language: str) -> bool:
    """Whether ``language``'s rules could change ``text`` beyond the French apostrophe, or a
    span of it must be protected (a URL, an e-mail, code, a time, a version). Substring
    tests and one set of characters: most sentences need no rule, and are told so fast."""
    if "..." in text:
        return True
    if language == "fr":
        return "www." in text or not _FRENCH_SIGNS.isdisjoint(text)
    if language == "en":
        return '"' in text or "'" in text
    return False


# ASCII digits: every number rule starts with one, and a time's span has a colon.
_FRENCH_SIGNS = frozenset('"«»;!?:%0123456789@`')

# ---------------------------------------------------------------- HTML and the model

_TAG = r"(<[^>]*>)"
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style"})


def typeset_html(fragment: str, language: str) -> str:
    """Typeset the text nodes of podkit's own HTML (the rendered notes): never a tag, an
    attribute or what is inside <code> or <pre>."""
    import html  # not on the path of `podkit tag`, which writes no HTML

    parts = compiled(_TAG).split(fragment)
    verbatim = 0
    previous = ""
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part.strip("</>").split(None, 1)[0].lower() if part.strip("</>") else ""
            if name in _VERBATIM:
                verbatim += -1 if part.startswith("</") else 1
            continue
        if not part:
            continue
        if verbatim > 0:
            previous = html.unescape(part)[-1:] or previous
            continue
        text = typeset(html.unescape(part), language, previous)
        parts[index] = html.escape(text, quote=False)
        previous = text[-1:] or previous
    return "".join(parts)


def typeset_transcript(transcript: Transcript, language: str) -> Transcript:
    return Transcript(tuple(_typeset_segment(s, language) for s in transcript.segments))


def _typeset_segment(segment: Segment, language: str) -> Segment:
    # A sentence typesetting leaves as it is stays the same object: a long transcript has
    # thousands, and copying a frozen dataclass is most of the cost.
    text = typeset(segment.text, language)
    return segment if text == segment.text else replace(segment, text=text)


def typeset_chapter(chapter: Chapter, language: str) -> Chapter:
    return replace(chapter, title=typeset(chapter.title, language))


def _typeset_extras(extras: EpisodeExtras, language: str) -> EpisodeExtras:
    soundbites = tuple(
        replace(b, title=typeset(b.title, language)) if b.title else b for b in extras.soundbites
    )
    return replace(extras, soundbites=soundbites)


def _typeset_optional(transcript: Transcript | None, language: str) -> Transcript | None:
    return typeset_transcript(transcript, language) if transcript is not None else None


def _typeset_chapters(chapters: tuple[Chapter, ...], language: str) -> tuple[Chapter, ...]:
    return tuple(typeset_chapter(c, language) for c in chapters)


# An episode's reading text, field by field; names, GUIDs, URLs and times are not reading text.
_READING_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "title": typeset,
    "summary": typeset,
    "notes_html": typeset_html,
    "notes_text": typeset,
    "chapters": _typeset_chapters,
    "extras": _typeset_extras,
    "transcript": _typeset_optional,
}


def typeset_episode(episode: Episode, language: str) -> Episode:
    """The episode's reading text typeset: title, summary, notes, chapter and soundbite
    titles and the transcript (when loaded)."""
    fields = {
        name: field(getattr(episode, name), language) for name, field in _READING_FIELDS.items()
    }
    return replace(episode, **fields)


class TypesetOnUse:
    """An episode that reads as `typeset_episode` would return it, each reading field typeset
    when first read: a page that lists every episode shows only a few fields of each."""

    __slots__ = ("_episode", "_language", "_read")

    def __init__(self, episode: Episode, language: str, read: dict[str, Any] | None = None) -> None:
        """``read``: fields already typeset (see `typeset_texts`), by name."""
        self._episode, self._language = episode, language
        self._read: dict[str, Any] = read or {}

    def typeset_texts(self) -> dict[str, str]:
        """The reading fields read so far that are plain texts, typeset, by name."""
        return {k: v for k, v in self._read.items() if k in _READING_FIELDS and type(v) is str}

    def __getattr__(self, name: str) -> Any:
        if name in self._read:
            return self._read[name]
        member = getattr(type(self._episode), name, None)
        if isinstance(member, FunctionType):  # a method reads the typeset fields, through self
            return MethodType(member, self)
        if isinstance(member, property):
            value = member.__get__(self)
        elif name in _READING_FIELDS:
            value = _READING_FIELDS[name](getattr(self._episode, name), self._language)
        else:
            value = getattr(self._episode, name)
        self._read[name] = value
        return value


def typeset_show(show: Show, episodes: bool = True) -> Show:
    """The show's reading text and (unless ``episodes`` is false) every episode's, typeset
    in the show's language."""
    language = show.language
    return replace(
        show,
        title=typeset(show.title, language),
        description=typeset(show.description, language),
        episodes=(
            tuple(typeset_episode(e, language) for e in show.episodes)
            if episodes
            else show.episodes
        ),
    )
