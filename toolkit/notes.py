"""Show notes: Markdown to HTML (markdown-it-py, raw HTML off) and plain-text summaries."""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from toolkit import derived

if TYPE_CHECKING:  # markdown-it is imported when notes are parsed, not by `podkit tag`
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


class Derived(NamedTuple):
    """What an episode takes from its notes."""

    summary: str  # the first paragraph, when episode.toml gives no summary
    html: str
    text: str


def derived_from(markdown: str) -> Derived:
    """The summary, HTML and plain text of the notes (from the derived-values cache when one
    is in use and has them)."""
    if not derived.in_use():
        return _derive(markdown)
    kept = derived.cached("notes", markdown.encode("utf-8"), lambda: _dumped(markdown), _CODE)
    try:
        return Derived(*json.loads(kept))
    except (ValueError, TypeError):  # kept by a podkit that stored something else
        return _derive(markdown)


def _derive(markdown: str) -> Derived:
    return Derived(
        summary_from_notes(markdown), render(markdown) if markdown else "", plain_text(markdown)
    )


def _dumped(markdown: str) -> bytes:
    return json.dumps(_derive(markdown), ensure_ascii=False).encode("utf-8")


_CODE = (__name__, "markdown_it")  # what the values derive from, besides the notes


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # "commonmark" with html=False: a <script> typed in the notes is shown, never run.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@lru_cache(maxsize=8)
def _tokens(markdown: str) -> tuple[Token, ...]:
    """Parsed once per text: the loader renders, flattens and summarises the same notes."""
    return tuple(_markdown().parse(markdown))


def render(markdown: str) -> str:
    """HTML for the notes.

    >>> render("Bonjour <script>x</script> **toi**")
    '<p>Bonjour &lt;script&gt;x&lt;/script&gt; <strong>toi</strong></p>\\n'
    """
    md = _markdown()
    return str(md.renderer.render(list(_tokens(markdown)), md.options, {}))


def plain_text(markdown: str) -> str:
    """The notes as text without Markdown marks (for descriptions and ID3 comments): a list
    keeps its items' marks, bullets as ``-``, numbers as written, nested lists indented.

    >>> plain_text("## Titre\\n\\nUn [lien](https://x.org) et **gras**.\\n\\n- un\\n- deux")
    'Titre\\n\\nUn lien et gras.\\n\\n- un\\n- deux'
    >>> plain_text("3. trois\\n4. quatre\\n   - détail")
    '3. trois\\n4. quatre\\n   - détail'
    """
    blocks: list[str] = []
    lists: list[_List] = []  # the lists open here, the innermost last
    for token in _tokens(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            lists.append(_List(int(token.attrGet("start") or 1) if ordered else None))
        elif token.type in ("bullet_list_close", "ordered_list_close") and lists:
            done = lists.pop()
            if lists:  # a nested list: its lines go under the item that holds it
                lists[-1].lines += [lists[-1].indent + line for line in done.lines]
            else:
                blocks.append("\n".join(done.lines))
        elif token.type == "list_item_open" and lists:
            lists[-1].open_item()
        elif token.type == "inline":
            text = _joined(token.children or [])
            if lists:
                lists[-1].add(text)
            else:
                blocks.append(text)
    return "\n\n".join(blocks)


class _List:
    """A list's lines as plain text: each item's first line starts with its mark, the rest
    of the item is indented to its text."""

    def __init__(self, number: int | None) -> None:
        self.number = number  # the next item's, or None for bullets
        self.lines: list[str] = []
        self.mark = ""  # the open item's, until its first line is written
        self.indent = "  "

    def open_item(self) -> None:
        self.mark = "- " if self.number is None else f"{self.number}. "
        self.indent = " " * len(self.mark)
        if self.number is not None:
            self.number += 1

    def add(self, text: str) -> None:
        self.lines.append((self.mark or self.indent) + text)
        self.mark = ""


def _joined(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts)


def summary_from_notes(markdown: str, limit: int = 400) -> str:
    """The first paragraph of the notes as plain text, cut at a word under ``limit``."""
    tokens = _tokens(markdown)
    for previous, token in itertools.pairwise(tokens):
        if previous.type == "paragraph_open" and token.content.strip():
            text = _joined(token.children or [])
            if len(text) <= limit:
                return text
            return text[:limit].rsplit(" ", 1)[0] + "…"
    return ""


def escape(text: str) -> str:
    """HTML-escape text for the few fragments built outside templates."""
    import html  # not on the path of `podkit tag`, which writes no HTML

    return html.escape(text, quote=True)
