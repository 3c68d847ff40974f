"""Read a podcast's RSS feed as the hosts write it, for `podkit import`.

lxml directly, rather than a generic feed parser: the import needs the item GUIDs exactly as
written and the exact attributes of podcast:* and psc:* elements, and lxml is already a
dependency. Its recovering parser copes with the usual damage (stray ``&``, bad bytes).
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree

from toolkit.errors import LocatedError

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PSC = "http://podlove.org/simple-chapters"
ATOM = "http://www.w3.org/2005/Atom"
_NAMESPACES = {"itunes": ITUNES, "podcast": PODCAST, "content": CONTENT, "psc": PSC, "atom": ATOM}
# Hosts that forget the namespace declarations: the prefix alone then names the element.
_NO_XMLNS = re.compile(r"^(itunes|podcast|content|psc|atom):")


class FeedError(LocatedError):
    """The document is not a podcast feed podkit can import."""


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Remote:
    """A file the feed points to, with its advertised type."""

    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True)
class Item:
    title: str
    guid: str
    guid_derived: bool  # the feed gave none: made from the enclosure URL, as apps do
    published: datetime | None
    enclosure: Remote
    notes_html: str
    summary: str | None
    number: int | None
    season: int | None
    episode_type: str
    explicit: bool | None
    image: str | None
    keywords: tuple[str, ...]
    persons: tuple[Person, ...]
    chapters_json: str | None
    psc_chapters: bytes | None
    transcripts: tuple[Remote, ...]
    line: int
    duration: float | None = None  # seconds, from itunes:duration


@dataclass(frozen=True)
class Channel:
    title: str
    description_html: str
    link: str | None
    language: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    copyright: str | None
    image: str | None
    categories: tuple[tuple[str, str | None], ...]
    explicit: bool
    show_type: str
    podcast_guid: str | None
    keywords: tuple[str, ...]
    persons: tuple[Person, ...]
    funding: tuple[tuple[str, str], ...]
    items: tuple[Item, ...] = field(default=())
    skipped: tuple[tuple[int, str], ...] = field(default=())  # (line, why) of unusable items


def parse(data: bytes, base_url: str) -> Channel:
    """The channel and its usable items; FeedError when this is not a podcast's RSS feed."""
    root = _root(data)
    channel = root.find("channel")
    if channel is None:
        raise FeedError(None, "is not an RSS feed: it has no <channel>")
    items: list[Item] = []
    skipped: list[tuple[int, str]] = []
    for element in root.iter("item"):  # some hosts close <channel> before the items
        item_or_why = _item(element, base_url)
        if isinstance(item_or_why, str):
            skipped.append((element.sourceline or 0, item_or_why))
        else:
            items.append(item_or_why)
    if not items and not skipped:
        raise FeedError(None, "is not a podcast feed: it has no <item>")
    if not items:
        raise FeedError(None, "is not a podcast feed: no item has an audio <enclosure>")
    return _channel(channel, base_url, tuple(items), tuple(skipped))


def _root(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(data.lstrip(), parser)  # blank lines before <?xml are common
    except etree.XMLSyntaxError as error:
        raise FeedError(error.lineno, f"is not XML: {error.msg}") from None
    if root is None:
        raise FeedError(None, "is not XML (an HTML page or an empty answer?)")
    for element in root.iter():
        if isinstance(element.tag, str) and _NO_XMLNS.match(element.tag):
            prefix, local = element.tag.split(":", 1)
            element.tag = f"{{{_NAMESPACES[prefix]}}}{local}"
    if etree.QName(root).localname != "rss":
        name = etree.QName(root).localname
        raise FeedError(None, f"is not an RSS feed (its root element is <{name}>)")
    return root


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _find(parent: etree._Element, path: str) -> etree._Element | None:
    return parent.find(path, _NAMESPACES)


def _find_text(parent: etree._Element, path: str) -> str | None:
    return _text(_find(parent, path))


def plain(text: str | None) -> str | None:
    """A title without the HTML some hosts put in it.

    >>> plain("Tom &amp; Jerry <b>live</b>")
    'Tom & Jerry live'
    """
    if text is None:
        return None
    stripped = re.sub(r"<[^>]*>", "", text)
    return re.sub(r"\s+", " ", html.unescape(stripped)).strip() or None


def _url(value: str | None, base: str) -> str | None:
    value = (value or "").strip()
    return urljoin(base, value) if value else None


def _boolean(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("yes", "true", "explicit", "1")


def _integer(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else None


def parse_date(value: str | None) -> datetime | None:
    """An RFC 822 date as hosts write it (or ISO 8601), with its UTC offset.

    >>> parse_date("Wed, 09 Nov 2022 20:59:06 +0100").isoformat()
    '2022-11-09T20:59:06+01:00'
    >>> parse_date("9 Nov 2022 20:59 GMT").isoformat()
    '2022-11-09T20:59:00+00:00'
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_duration(value: str | None) -> float | None:
    """itunes:duration in the forms hosts write it: seconds, MM:SS or HH:MM:SS (each with
    decimals, minutes past 59 as some write them); None when absent, zero or unreadable.

    >>> [parse_duration(v) for v in ("1009", "59:15", "01:55:16", "1:02:03.5", "", "1h")]
    [1009.0, 3555.0, 6916.0, 3723.5, None, None]
    """
    match = re.fullmatch(r"\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)\s*", value or "")
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
    return total if 0 < total < 1e7 else None


def derived_guid(enclosure_url: str) -> str:
    """A stable GUID for an item without one: apps key such items on the enclosure URL."""
    return (
        enclosure_url
        if len(enclosure_url) < 500
        else hashlib.sha256(enclosure_url.encode()).hexdigest()
    )


def _persons(parent: etree._Element, base: str) -> tuple[Person, ...]:
    persons = []
    for element in parent.findall("podcast:person", _NAMESPACES):
        name = _text(element)
        if name:
            persons.append(
                Person(
                    name,
                    element.get("role"),
                    element.get("group"),
                    _url(element.get("href"), base),
                    _url(element.get("img"), base),
                )
            )
    return tuple(persons)


def _enclosure(element: etree._Element, base: str) -> Remote | None:
    for enclosure in element.findall("enclosure"):
        url = _url(enclosure.get("url"), base)
        kind = (enclosure.get("type") or "").strip().lower()
        if url and (kind.startswith("audio/") or not kind):
            length = (enclosure.get("length") or "").strip()
            return Remote(url, kind, int(length) if length.isdigit() and int(length) else None)
    return None


def _item(element: etree._Element, base: str) -> Item | str:
    enclosure = _enclosure(element, base)
    if enclosure is None:
        return "has no audio enclosure: skipped"
    title = plain(_find_text(element, "title")) or plain(_find_text(element, "itunes:title"))
    if title is None:
        return "has no title: skipped"
    guid = _find_text(element, "guid")
    chapters = _find(element, "podcast:chapters")
    psc = _find(element, "psc:chapters")
    transcripts = tuple(
        Remote(url, (t.get("type") or "").strip().lower())
        for t in element.findall("podcast:transcript", _NAMESPACES)
        if (url := _url(t.get("url"), base))
    )
    image = _find(element, "itunes:image")
    keywords = _find_text(element, "itunes:keywords") or ""
    return Item(
        title=title,
        guid=guid or derived_guid(enclosure.url),
        guid_derived=guid is None,
        published=parse_date(_find_text(element, "pubDate")),
        enclosure=enclosure,
        notes_html=_find_text(element, "content:encoded")
        or _find_text(element, "description")
        or _find_text(element, "itunes:summary")
        or "",
        summary=plain(_find_text(element, "itunes:subtitle")),
        number=_integer(_find_text(element, "itunes:episode")),
        season=_integer(_find_text(element, "itunes:season")),
        episode_type=(_find_text(element, "itunes:episodeType") or "full").lower(),
        explicit=_boolean(_find_text(element, "itunes:explicit")),
        image=_url(image.get("href"), base) if image is not None else None,
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
        persons=_persons(element, base),
        chapters_json=_url(chapters.get("url"), base) if chapters is not None else None,
        psc_chapters=etree.tostring(psc) if psc is not None else None,
        transcripts=transcripts,
        line=element.sourceline or 0,
        duration=parse_duration(_find_text(element, "itunes:duration")),
    )


def _categories(channel: etree._Element) -> tuple[tuple[str, str | None], ...]:
    found = []
    for element in channel.findall("itunes:category", _NAMESPACES):
        name = html.unescape(element.get("text") or "").strip()
        sub = element.find("itunes:category", _NAMESPACES)
        sub_name = html.unescape(sub.get("text") or "").strip() if sub is not None else ""
        if name:
            found.append((name, sub_name or None))
    return tuple(found)


def _owner_email(channel: etree._Element, owner: etree._Element | None) -> str | None:
    """itunes:owner's email, else podcast:locked's owner, else managingEditor's address."""
    email = _find_text(owner, "itunes:email") if owner is not None else None
    locked = _find(channel, "podcast:locked")
    email = email or (locked.get("owner") if locked is not None else None)
    editor = re.match(r"\s*([^@\s()]+@[^@\s()]+)", _find_text(channel, "managingEditor") or "")
    return (email or (editor.group(1) if editor else "")).strip() or None


def _channel(
    channel: etree._Element,
    base: str,
    items: tuple[Item, ...],
    skipped: tuple[tuple[int, str], ...],
) -> Channel:
    owner = _find(channel, "itunes:owner")
    image = _find(channel, "itunes:image")
    image_url = image.get("href") if image is not None else _find_text(channel, "image/url")
    keywords = _find_text(channel, "itunes:keywords") or ""
    return Channel(
        title=plain(_find_text(channel, "title")) or "Untitled",
        description_html=_find_text(channel, "description")
        or _find_text(channel, "itunes:summary")
        or "",
        link=_url(_find_text(channel, "link"), base),
        language=_find_text(channel, "language"),
        author=plain(_find_text(channel, "itunes:author")),
        owner_name=plain(_find_text(owner, "itunes:name")) if owner is not None else None,
        owner_email=_owner_email(channel, owner),
        copyright=plain(_find_text(channel, "copyright")),
        image=_url(image_url, base),
        categories=_categories(channel),
        explicit=bool(_boolean(_find_text(channel, "itunes:explicit"))),
        show_type=(_find_text(channel, "itunes:type") or "episodic").lower(),
        podcast_guid=_find_text(channel, "podcast:guid"),
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
        persons=_persons(channel, base),
        funding=tuple(
            (url, _text(f) or "Support the show")
            for f in channel.findall("podcast:funding", _NAMESPACES)
            if (url := _url(f.get("url"), base))
        ),
        items=items,
        skipped=skipped,
    )
