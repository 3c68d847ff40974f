"""The one check of characters podkit cannot publish: its fast path answers as its patterns."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from toolkit import patterns, textcheck

# The characters each check refuses, written out again: the reference the fast path must match.
NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
IN_TEXT = re.compile(f"[{NOT_XML}]")
IN_LINE = re.compile(f"[{NOT_XML}\t\n\r\x7f-\x9f\u2028\u2029]")

# Characters near the edges of both sets: spaces Python does not call printable, line and
# paragraph separators, C1 controls, surrogates, noncharacters, invisible format characters.
EDGES = list("\u00a0\u202f\u2028\u2029\u2000\u200a\u200b\u3000\u1680\u205f\u00ad\u0085\x9f")
EDGES += list("\x7f\x80\t\n\r\x0b\x0c\x1f \ud800\udbff\udc00\udfff\ufffe\uffff\ufffd\ue000a")
CHARACTER = st.one_of(st.sampled_from(EDGES), st.characters(blacklist_categories=()))
TEXT = st.builds(
    lambda pieces, repeat: "".join(pieces) * repeat,
    st.lists(CHARACTER, max_size=30),
    st.sampled_from([1, 2, 40, 200]),  # past the length the fast path translates
)


def reference(text: str, line_breaks: bool) -> int | None:
    match = (IN_TEXT if line_breaks else IN_LINE).search(text)
    return match.start() if match else None


@settings(max_examples=1000, deadline=None)
@given(TEXT, st.booleans())
@example("Premier\u00a0épisode\u202f!", False)
@example("deux\u2028lignes", False)
@example("deux\u2028lignes", True)
@example("\ud800", True)
@example("fin\x85", False)
@example("fin\x85", True)
@example("\ufffe", True)
@example("tab\tet\nligne\r\n", True)
@example("\u00a0" * 1001 + "\x01", True)
def test_the_fast_path_finds_what_the_patterns_find(text: str, line_breaks: bool) -> None:
    assert textcheck._first_forbidden(text, line_breaks) == reference(text, line_breaks)


def test_a_clean_title_or_paragraph_needs_no_pattern() -> None:
    patterns.COMPILED.clear()
    assert textcheck.character_problem("Premier\u00a0épisode\u202f: le cœur\u2009!") is None
    paragraph = "Un épisode.\n\nDeux\tlignes\u00a0; une\u202fautre.\r\n"
    assert textcheck.character_problem(paragraph, line_breaks=True) is None
    assert patterns.COMPILED == {}
    assert textcheck.character_problem("deux\u2028lignes") is not None
