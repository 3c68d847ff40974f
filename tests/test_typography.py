"""The typography step: a table of cases with the traps, and properties over random text."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from toolkit import typography
from toolkit.typography import NBSP, NNBSP, typeset, typeset_html

N, NN = NBSP, NNBSP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salut ! Ça va ? Oui ; bien.", f"Salut{NN}! Ça va{NN}? Oui{NN}; bien."),
        ("Le constat : la culture", f"Le constat{N}: la culture"),
        ("« Bonjour »", f"«{N}Bonjour{N}»"),
        ("«Bonjour»", f"«{N}Bonjour{N}»"),
        ('Il a dit "oui".', f"Il a dit «{N}oui{N}»."),
        ("l'étudiante, aujourd'hui", "l’étudiante, aujourd’hui"),
        ("Et alors...", "Et alors…"),
        (
            "5000 euros, 50000 euros, 1234567 octets",
            f"5000 euros, 50{NN}000 euros, 1{NN}234{NN}567 octets",
        ),
        ("5 000 personnes", f"5{NN}000 personnes"),
        ("40% puis 40 %", f"40{N}% puis 40{N}%"),
        ("en 2007, à 10:30, à 00:12:34.500", "en 2007, à 10:30, à 00:12:34.500"),
        ("Voir https://example.org/a?b=1&c=2 !", f"Voir https://example.org/a?b=1&c=2{NN}!"),
        ("https://x.org/l'a... et www.x.org/5%20 ?", f"https://x.org/l'a… et www.x.org/5%20{NN}?"),
        ("écrire à jean.dupont@efrei.fr : merci", f"écrire à jean.dupont@efrei.fr{N}: merci"),
        ("la version 1.2.30000 et `a ; b`", "la version 1.2.30000 et `a ; b`"),
        ("C++ ? C# !", f"C++{NN}? C#{NN}!"),
        ("Génial 🎉 !", f"Génial 🎉{NN}!"),
        ("Yahoo! et Quoi?", "Yahoo! et Quoi?"),  # spaces are replaced, never invented
        ("75013 Paris, 0612345678, ID42345", "75013 Paris, 0612345678, ID42345"),
        ("3,14159 et 12.50000", "3,14159 et 12.50000"),
        (f"Déjà{NN}! «{N}fait{N}» 5{NN}000", f"Déjà{NN}! «{N}fait{N}» 5{NN}000"),
        (f"Heure{NN}: ok", f"Heure{NN}: ok"),  # a narrow space before ':' is kept
    ],
)
def test_french(text: str, expected: str) -> None:
    assert typeset(text, "fr") == expected
    assert typeset(expected, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\"It's fine,\" she said... 'OK'", "“It’s fine,” she said… ‘OK’"),
        ("Score : 5000 ! at 10:30", "Score : 5000 ! at 10:30"),  # no French spacing
        ('See https://x.org/it\'s "here"', "See https://x.org/it's “here”"),
        ("students' work, rock 'n' roll", "students’ work, rock ‘n’ roll"),
    ],
)
def test_english(text: str, expected: str) -> None:
    assert typeset(text, "en-US") == expected


def test_other_languages_only_get_the_ellipsis() -> None:
    assert typeset("Hallo : 'ja'...", "de") == "Hallo : 'ja'…"


def test_html_text_nodes_only() -> None:
    fragment = (
        '<p>Voir <a href="https://x.org/?a=1&amp;b=2" title="l\'ami : x">l\'ami</a> !</p>\n'
        "<pre><code>x = 'a' ; y ?</code></pre>\n<p>Le <code>a ; b</code> : fini &amp; bon...</p>"
    )
    assert typeset_html(fragment, "fr") == (
        f'<p>Voir <a href="https://x.org/?a=1&amp;b=2" title="l\'ami : x">l’ami</a>{NN}!</p>\n'
        f"<pre><code>x = 'a' ; y ?</code></pre>\n<p>Le <code>a ; b</code>{N}: fini &amp; bon…</p>"
    )


def test_quotes_across_html_nodes_turn_the_right_way() -> None:
    assert typeset_html('<p>"un <em>mot</em>"</p>', "en") == "<p>“un <em>mot</em>”</p>"


_CHANGED = re.compile(f"[\\s{N}{NN}\"'«»“”‘’.…]")  # what typesetting may change


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"aZé09 .:;!?%'\"«»…-/@`,#+\n", N, NN, "🎉", "://", "www.", "12345"]),
        max_size=40,
    ).map("".join),
    st.sampled_from(["fr", "en", "de"]),
)
@example('www."`"`', "en")  # a URL's end once read a typographic quote differently
def test_typesetting_is_idempotent_and_keeps_letters_and_digits(text: str, language: str) -> None:
    once = typeset(text, language)
    assert typeset(once, language) == once
    assert _CHANGED.sub("", once) == _CHANGED.sub("", text)


def test_an_episode_typeset_on_use_reads_as_the_typeset_episode() -> None:
    """Every field, property and method of the lazily typeset episode the home page lists
    gives what the episode typeset whole gives."""
    import dataclasses

    from conftest import KEYTIME

    from toolkit.config import load_show
    from toolkit.typography import TypesetOnUse, typeset_episode

    show, _ = load_show(KEYTIME)
    for episode in show.episodes:
        whole = typeset_episode(episode, show.language)
        on_use = TypesetOnUse(episode, show.language)
        assert whole != episode  # there is reading text to typeset
        for field in dataclasses.fields(episode):
            assert getattr(on_use, field.name) == getattr(whole, field.name), field.name
        assert on_use.visible_chapters == whole.visible_chapters
        assert on_use.audio_type == whole.audio_type
        ends = [on_use.chapter_end(i) for i in range(len(episode.chapters))]
        assert ends == [whole.chapter_end(i) for i in range(len(episode.chapters))]


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="ab 1\u0661:;!?%«»\"'.@`w/\u00a0\u202f…-", max_size=30),
    st.sampled_from(["fr", "fr-CA", "en", "de"]),
    st.sampled_from(["", " ", "a", "'", "1", ":"]),
)
@example("v\u0661.\u0662 l'a \u0661\u0662\u0663\u0664\u0665 %", "fr", "")  # other digits
@example("a ;", "fr", "")
@example("a : b", "fr", "")
@example("12345", "fr", "")
@example("40 %", "fr", "")
@example("« a »", "fr", "")
@example("a@b.fr l'a `l'a` www.l'a.fr", "fr", "")
@example('l\'a "b" c...', "en", "")
@example("a...", "de", "")
def test_the_shortcut_for_text_no_rule_changes_gives_what_the_rules_give(
    text: str, language: str, before: str
) -> None:
    from toolkit.typography import _by_rules

    assert typeset(text, language, before) == _by_rules(text, language.split("-")[0], before)


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("aé1١٣ \u00a0\u202f\"'«»;!?:%@`.w0-9x")) | st.characters()
    )
)
def test_french_signs_are_found_as_their_character_class_finds_them(text: str) -> None:
    # The character class the set replaced: only ASCII digits, not every Unicode digit.
    by_pattern = "..." in text or "www." in text or re.search(r"[\"«»;!?:%0-9@`]", text) is not None
    assert typography._needs_rules(text, "fr") == by_pattern


PIECES = ["://", "www.", "mailto:", "@", "`", "v2.1", "10:30", "1.5", ".", ":", "a", "é", " "]
PIECES += ["1", "٣", ";", "!", "?", NBSP, NNBSP, "\n", "x@y.fr", "https://a.b/c"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.characters(), max_size=12).map("".join))
def test_the_rules_skipped_by_a_substring_test_would_have_found_nothing(text: str) -> None:
    if not typography._may_be_protected(text):
        assert re.search(typography._PROTECTED, text) is None
    if not any(sign in text for sign in ";!?"):
        assert re.search(typography._BEFORE_HIGH, text) is None
