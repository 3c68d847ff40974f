"""A feed's HTML show notes as the Markdown of notes.md (markdownify, the `import` extra).

Scripts, styles, embeds and forms are dropped with their content; links, lists, emphasis
and headings are kept.
"""

from __future__ import annotations

import re

from toolkit.errors import ToolkitError

_DROPPED = ("script", "style", "iframe", "object", "embed", "form", "noscript", "template")
MISSING = "the import needs markdownify: pip install 'podkit[import]'"


def require() -> None:
    """ToolkitError naming the extra to install when markdownify is missing."""
    try:
        import markdownify  # noqa: F401
    except ImportError:
        raise ToolkitError(MISSING) from None


def to_markdown(html: str) -> str:
    """Markdown for an HTML fragment (plain text passes through, paragraphs kept).

    >>> to_markdown('<p>Hi <a href="https://x.org/">there</a></p><script>bad()</script>'
    ...             '<ul><li>one</li><li>two</li></ul>')
    'Hi [there](https://x.org/)\\n\\n- one\\n- two\\n'
    """
    try:
        from bs4 import BeautifulSoup
        from markdownify import MarkdownConverter
    except ImportError:
        raise ToolkitError(MISSING) from None
    if "<" not in html:  # plain text: keep its paragraphs
        return re.sub(r"\n{3,}", "\n\n", html.strip()) + "\n" if html.strip() else ""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(_DROPPED):
        element.decompose()
    converter = MarkdownConverter(heading_style="ATX", bullets="-", escape_misc=False)
    markdown = converter.convert_soup(soup)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    return markdown + "\n" if markdown else ""
