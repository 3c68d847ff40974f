"""Characters podkit cannot publish: the one check every text a user writes goes through.

XML 1.0 (the feed, Podlove chapters) has no room for the C0 control characters other than
tab, line feed and carriage return, nor for U+FFFE, U+FFFF and lone surrogates; lxml refuses
them with an error that names neither the file nor the place. A title or a name is one line,
so it takes no control character at all; a description, notes or a transcript file keep
their line breaks and tabs.
"""

from __future__ import annotations

from toolkit.patterns import compiled

_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_FORBIDDEN_IN_TEXT = f"[{_NOT_XML}]"
# One line of text: no line break of any kind (U+2028, U+2029 included) and no C1 control.
_FORBIDDEN_IN_LINE = f"[{_NOT_XML}\t\n\r\x7f-\x9f\u2028\u2029]"

# Every forbidden character is one Python does not call printable. Some allowed ones are not
# either: the spaces other than " " (a no-break space...) and, in a text, its line breaks and
# tabs. Read as a plain space, they leave a text `isprintable` tells clean without the
# patterns, slow to compile for their surrogate range. Long texts: the pattern is faster.
_OTHER_SPACES = "\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACES_IN_LINE = dict.fromkeys(map(ord, _OTHER_SPACES), " ")
_SPACES_IN_TEXT = dict.fromkeys(map(ord, _OTHER_SPACES + "\t\n\r"), " ")
_TRANSLATED_AT_MOST = 1000  # characters


def _first_forbidden(text: str, line_breaks: bool) -> int | None:
    if text.isprintable():
        return None
    if len(text) <= _TRANSLATED_AT_MOST:
        spaces = _SPACES_IN_TEXT if line_breaks else _SPACES_IN_LINE
        if text.translate(spaces).isprintable():
            return None
    match = compiled(_FORBIDDEN_IN_TEXT if line_breaks else _FORBIDDEN_IN_LINE).search(text)
    return match.start() if match else None


def _named(character: str) -> str:
    code = ord(character)
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return f"the {kind} U+{ord(character):04X}"


def character_problem(text: str, line_breaks: bool = False) -> str | None:
    """What to do about the first character of ``text`` podkit cannot publish, or None.

    >>> character_problem("Prem\\x01ier")
    'contains the control character U+0001 at position 5: remove it'
    >>> character_problem("deux\\nlignes", line_breaks=True) is None
    True
    """
    index = _first_forbidden(text, line_breaks)
    if index is None:
        return None
    return f"contains {_named(text[index])} at position {index + 1}: remove it"


def file_character_problem(text: str) -> tuple[int, str] | None:
    """(line, what to do) for the first character of a text file podkit cannot publish.

    >>> file_character_problem("un\\ndeux \\x0b trois\\n")
    (2, 'contains the control character U+000B at column 6: remove it')
    """
    index = _first_forbidden(text, line_breaks=True)
    if index is None:
        return None
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return line, f"contains {_named(text[index])} at column {column}: remove it"


def excerpt(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, shortened to its start when long.

    >>> excerpt("1" * 5000, 8)
    "'11111111…' (5000 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit] + '…'!r} ({len(text)} characters)"
