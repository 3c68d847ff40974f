"""The podcast RSS feed: show -> bytes (pure). feedgen writes RSS 2.0 and the itunes tags it
gets right; a registered extension adds Podcasting 2.0, Podlove Simple Chapters and the tags
feedgen 1.0 gets wrong (``itunes:explicit`` must be true/false, ``itunes:type``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from lxml import html as lxml_html

from toolkit import notes, paths
from toolkit.artwork import image_mime
from toolkit.chapters import chapter_image_url, description_timestamps
from toolkit.extras_config import url_after_prefix
from toolkit.i18n import words
from toolkit.model import Enclosure, Episode, License, Location, Show, Txt, Value, replace
from toolkit.timecode import format_timestamp
from toolkit.transcript import MIME_TYPES
from toolkit.typography import typeset_episode, typeset_show

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"
_NAMESPACES = {"podcast": PODCAST_NS, "psc": PSC_NS, "itunes": ITUNES_NS, "atom": ATOM_NS}
# Apple Podcasts cuts a description (description, content:encoded, itunes:summary) beyond
# 4,000 characters; counted in UTF-8 bytes, the stricter reading, it holds for any reader.
DESCRIPTION_MAX = 4000
TITLE_MAX = 255  # characters: Apple's limit on other tag values, titles included


@dataclass(frozen=True)
class _Element:
    tag: str  # "prefix:name"
    text: str | None
    attributes: tuple[tuple[str, str], ...]
    children: tuple[_Element, ...] = ()


def _element(tag: str, text: str | None = None, /, **attributes: str | None) -> _Element:
    kept = tuple((k, v) for k, v in attributes.items() if v is not None)
    return _Element(tag, text, kept)


def _append(parent: Any, element: _Element) -> None:
    prefix, name = element.tag.split(":")
    node = etree.SubElement(parent, f"{{{_NAMESPACES[prefix]}}}{name}")
    if element.text is not None:
        node.text = element.text
    for key, value in element.attributes:
        node.set(key, value)
    for child in element.children:
        _append(node, child)


class _Additions(BaseExtension):  # type: ignore[misc]
    """Elements to append to the channel (feed extension) or to an item (entry extension)."""

    def __init__(self) -> None:
        self.elements: list[_Element] = []
        # feedgen dates a channel with the clock unless told otherwise; a feed with no
        # episode has no date of its own, so it gets none (same sources, same bytes).
        self.undated = False

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, root: Any) -> Any:
        parent = root[0] if root.tag == "rss" else root  # the channel, or the item itself
        if self.undated:
            for clock_date in parent.findall("lastBuildDate"):
                parent.remove(clock_date)
        for element in self.elements:
            _append(parent, element)
        return root


def _person(person: Any) -> _Element:
    return _element(
        "podcast:person",
        person.name,
        role=person.role,
        group=person.group,
        href=person.href,
        img=person.img,
    )


def _description(episode: Episode, language: str, page: str) -> str:
    """The notes, then the chapter timestamps, within DESCRIPTION_MAX bytes: the notes come
    first because apps preview the first lines; the timestamps, which Apple turns into
    chapters, are kept whole and the notes shortened instead, with a link to the full ones."""
    text = episode.notes_text or episode.summary
    stamps = description_timestamps(episode)
    t = words(language)
    tail = f"\n\n{t['chapters']}{t['colon']}\n" + "\n".join(stamps) if stamps else ""
    if _size(text + tail) <= DESCRIPTION_MAX:
        return text + tail
    more = f"\n\n{t['full_notes']}{t['colon']} {page}"
    notes_start = _cut(text, DESCRIPTION_MAX - _size("…" + more + tail))
    if not notes_start.endswith((".", "!", "?", "…")):
        notes_start += "…"  # cut inside a sentence or after a list
    return _within(notes_start + more + tail)


def _content_html(episode: Episode, language: str, page: str) -> str:
    """The notes as HTML, then the chapter list, within DESCRIPTION_MAX bytes: whole blocks
    (paragraphs, lists) of the notes are kept while they fit, then a link to the page."""
    t = words(language)
    tail = ""
    if episode.visible_chapters:
        items = "".join(
            f"<li>{notes.escape(line)}</li>" for line in description_timestamps(episode)
        )
        tail = f"<h2>{t['chapters']}</h2><ul>{items}</ul>"
    body = episode.notes_html or f"<p>{notes.escape(episode.summary)}</p>"
    if _size(body + tail) <= DESCRIPTION_MAX:
        return episode.notes_html + tail if episode.notes_html or tail else body
    link = f'<p>…<a href="{notes.escape(page)}">{notes.escape(t["full_notes"])}</a></p>'
    budget = DESCRIPTION_MAX - _size(link + tail)
    blocks: list[str] = []
    for block in _html_blocks(body):
        if _size("".join([*blocks, block])) > budget:
            break
        blocks.append(block)
    while blocks and re.match(r"\s*<h[1-6]", blocks[-1]):
        blocks.pop()  # a heading without what it introduces
    kept = "".join(blocks)
    if not kept:  # a first block too long alone: its text, shortened
        text = lxml_html.fragment_fromstring(body, create_parent="div").text_content()
        kept = f"<p>{notes.escape(_cut(text, budget - 7))}</p>"
        kept = kept if _size(kept) <= budget else ""
    return kept + link + tail if _size(kept + link + tail) <= DESCRIPTION_MAX else kept + link


def _html_blocks(html_text: str) -> list[str]:
    """The top-level elements of an HTML fragment, each serialised with what follows it."""
    parts = lxml_html.fragments_fromstring(html_text)
    return [
        p if isinstance(p, str) else etree.tostring(p, encoding="unicode", method="html")
        for p in parts
    ]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _paragraph_ends(text: str) -> list[int]:
    """Where paragraphs end after a sentence or a list item, not after a heading's words."""
    return [
        m.start()
        for m in re.finditer(r"\n\s*\n", text)
        if re.search(r"[.!?…:;»)\]]$|(^|\n)- [^\n]*$", text[: m.start()])
    ]


def _cut(text: str, budget: int) -> str:
    """The longest start of ``text`` within ``budget`` bytes that ends a paragraph, else a
    sentence, else a word: a paragraph only when it keeps at least half of the budget."""
    best = ""
    sentence_ends = [m.start() for m in re.finditer(r"(?<=[.!?…])\s+", text)]
    word_ends = [m.start() for m in re.finditer(r"\s+", text)]
    for ends in (_paragraph_ends(text), sentence_ends, word_ends):
        fitting = [text[:end].rstrip() for end in ends if _size(text[:end]) <= budget]
        if fitting and _size(fitting[-1]) >= budget // 2:
            return fitting[-1]
        best = max([best, *fitting], key=_size)
    return best or text.encode("utf-8")[: max(budget, 0)].decode("utf-8", "ignore")


def _within(text: str, limit: int = DESCRIPTION_MAX, more: str = "…") -> str:
    """``text`` if it fits in ``limit`` bytes, else its start cut at a boundary, then ``more``."""
    if _size(text) <= limit:
        return text
    return _cut(text, limit - _size(more)) + more


def build_feed(
    show: Show, enclosures: dict[str, Enclosure], transcripts: dict[str, tuple[str, ...]]
) -> bytes:
    """The feed; ``transcripts`` gives each episode's published transcript formats by slug.
    Its titles, descriptions and chapter titles are typeset in the show's language."""
    return render_feed(show, enclosures, transcripts, {}).xml


@dataclass(frozen=True)
class RenderedFeed:
    xml: bytes
    items: dict[str, bytes]  # each item's XML as the feed holds it, by slug


def render_feed(
    show: Show,
    enclosures: dict[str, Enclosure],
    transcripts: dict[str, tuple[str, ...]],
    kept: Mapping[str, bytes],
) -> RenderedFeed:
    """The feed, made of the channel and each item's XML: the items in ``kept`` (by slug, as
    an earlier render gave them for the same inputs) are taken as they are, the others
    rendered now. The bytes are those of a full render: every item sits at the same depth
    under the same root, whose namespace declarations never depend on the items."""
    given = show
    show = _typeset(show, kept)
    fg = _channel(show, enclosures)
    newest_first = sorted(show.episodes, key=lambda e: (e.published, e.slug), reverse=True)
    fresh = [e for e in newest_first if e.slug not in kept]
    for episode in fresh:
        formats = transcripts.get(episode.slug, ())
        _add_item(fg, show, episode, enclosures[episode.slug], formats)
    xml: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    parts = _split_items(xml, len(fresh))
    if parts is None:  # an item's own text holds what separates items: render them all
        return render_feed(given, enclosures, transcripts, {}) if kept else _whole(xml)
    head, made, tail = parts
    items = {**kept, **{e.slug: item for e, item in zip(fresh, made, strict=True)}}
    ordered = [items[e.slug] for e in newest_first]
    # One join: the feed of a large show is tens of megabytes, each copy of it costs.
    xml = b"".join([_with_stylesheet(head), *ordered, tail])
    return RenderedFeed(xml, {e.slug: item for e, item in zip(newest_first, ordered, strict=True)})


def _channel(show: Show, enclosures: dict[str, Enclosure]) -> FeedGenerator:
    """A feed generator holding the channel's elements, no item yet."""
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("extra", _Additions, _Additions)  # channel and items alike
    fg.title(show.title)
    fg.description(_within(show.description))
    fg.language(show.language)
    fg.copyright(show.copyright)
    fg.generator("podkit")
    fg.link(href=show.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=show.base_url, rel="alternate")  # the RSS <link> is the last one set
    fg.image(url=paths.url(show, paths.show_cover(show)), title=show.title, link=show.base_url)
    if show.episodes:
        fg.lastBuildDate(max(e.published for e in show.episodes))
        fg.pubDate(max(e.published for e in show.episodes))
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_summary(_within(show.description))
    fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    fg.podcast.itunes_image(paths.url(show, paths.show_cover(show)))
    fg.podcast.itunes_category(
        [
            {"cat": c.name, "sub": c.subcategory} if c.subcategory else {"cat": c.name}
            for c in show.categories
        ]
    )
    extra: _Additions = fg.extra
    extra.undated = not show.episodes
    extra.elements += [
        _element("itunes:explicit", "true" if show.explicit else "false"),
        _element("itunes:type", show.show_type),
        _element("podcast:guid", show.podcast_guid),
        _element("podcast:locked", "yes" if show.locked else "no", owner=show.owner_email),
        _element("podcast:medium", show.medium),
    ]
    extra.elements += [_person(p) for p in show.persons]
    extra.elements += [_element("podcast:funding", f.text, url=f.url) for f in show.funding]
    extra.elements += _show_extras(show, enclosures)
    return fg


def _typeset(show: Show, kept: Mapping[str, bytes]) -> Show:
    """The show typeset, with the episodes whose text is used now: the items to render, and
    the trailers the channel names (typesetting is most of an item's cost)."""
    episodes = tuple(
        e if e.slug in kept and e.episode_type != "trailer" else typeset_episode(e, show.language)
        for e in show.episodes
    )
    return replace(typeset_show(show, episodes=False), episodes=episodes)


# lxml indents a pretty feed by two spaces a level: items are children of the channel.
_ITEM_START, _ITEM_END = b"\n    <item>\n", b"    </item>\n"
_TAIL = b"  </channel>\n</rss>\n"


def _split_items(xml: bytes, count: int) -> tuple[bytes, list[bytes], bytes] | None:
    """The feed's head, its ``count`` items and its tail; None when anything but the items
    holds their start or end (CDATA is written as it is), so a wrong split cannot happen."""
    if not xml.endswith(_TAIL):
        return None
    end = len(xml) - len(_TAIL)
    if count == 0:
        return xml[:end], [], xml[end:]
    if xml.count(_ITEM_START) != count or xml.count(_ITEM_END) != count:
        return None
    start = xml.index(_ITEM_START) + 1
    items = [item + _ITEM_END for item in xml[start:end].split(_ITEM_END)[:-1]]
    return xml[:start], items, xml[end:]


def _whole(xml: bytes) -> RenderedFeed:
    return RenderedFeed(_with_stylesheet(xml), {})


def _with_stylesheet(xml: bytes) -> bytes:
    """The feed with a processing instruction that lets a browser show it as a page."""
    declaration, _, rest = xml.partition(b"\n")
    style = paths.href(paths.FEED_STYLE, paths.FEED).encode()
    return declaration + b'\n<?xml-stylesheet type="text/xsl" href="' + style + b'"?>\n' + rest


def _add_item(
    fg: FeedGenerator,
    show: Show,
    episode: Episode,
    enclosure: Enclosure,
    transcript_formats: tuple[str, ...],
) -> None:
    entry = fg.add_entry(order="append")
    entry.title(episode.title)
    entry.link(href=show.episode_url(episode))
    entry.guid(episode.guid, permalink=False)
    entry.pubDate(episode.published)
    page = show.episode_url(episode)
    entry.description(_description(episode, show.language, page))
    entry.content(_content_html(episode, show.language, page), type="CDATA")
    prefix = show.extras.analytics_prefix
    entry.enclosure(
        url_after_prefix(prefix, enclosure.url), str(enclosure.length), episode.audio_type
    )
    entry.podcast.itunes_title(episode.title)
    entry.podcast.itunes_duration(round(episode.audio_info.duration))
    entry.podcast.itunes_episode_type(episode.episode_type)
    entry.podcast.itunes_summary(_within(episode.summary))
    if episode.number is not None:
        entry.podcast.itunes_episode(episode.number)
    if episode.season is not None:
        entry.podcast.itunes_season(episode.season)
    cover = paths.episode_cover(episode)
    if cover is not None:
        entry.podcast.itunes_image(paths.url(show, cover))
    extra: _Additions = entry.extra
    extra.elements.append(_element("itunes:explicit", "true" if episode.explicit else "false"))
    extra.elements += _numbering(episode)
    extra.elements += _episode_extras(show, episode)
    extra.elements += [_person(p) for p in episode.persons or show.persons]
    extra.elements += _linked_files(show, episode, transcript_formats)
    if episode.visible_chapters:
        extra.elements.append(_podlove_chapters(show, episode))


def _numbering(episode: Episode) -> list[_Element]:
    """podcast:season and podcast:episode, with their names (a decimal number included)."""
    found = []
    if episode.season is not None:
        name = episode.extras.season_name
        found.append(_element("podcast:season", str(episode.season), name=name))
    number = str(episode.number) if episode.number is not None else episode.extras.decimal_number
    if number is not None:
        display = episode.extras.episode_display
        found.append(_element("podcast:episode", number, display=display))
    return found


def _linked_files(
    show: Show, episode: Episode, transcript_formats: tuple[str, ...]
) -> list[_Element]:
    """podcast:chapters and one podcast:transcript per published format."""
    found = []
    if episode.chapters:
        found.append(
            _element(
                "podcast:chapters",
                url=paths.url(show, paths.chapters(episode)),
                type="application/json+chapters",
            )
        )
    for fmt in transcript_formats:
        found.append(
            _element(
                "podcast:transcript",
                url=paths.url(show, paths.transcript(episode, fmt)),
                type=MIME_TYPES[fmt],
                language=show.language,
                rel="captions" if fmt == "vtt" else None,
            )
        )
    return found


def _podlove_chapters(show: Show, episode: Episode) -> _Element:
    """psc:chapters: the visible chapters, with their links and art."""
    psc = [
        _element(
            "psc:chapter",
            start=format_timestamp(c.start),
            title=c.title,
            href=c.url,
            image=chapter_image_url(episode, index, show.base_url),
        )
        for index, c in enumerate(episode.chapters)
        if not c.hidden
    ]
    return _Element("psc:chapters", None, (("version", "1.2"),), tuple(psc))


def _show_extras(show: Show, enclosures: dict[str, Enclosure]) -> list[_Element]:
    """The show's optional Podcasting 2.0 and Apple tags, in the spec's order of mention."""
    x = show.extras
    found: list[_Element] = []
    if x.notify.hub:
        found.append(_element("atom:link", href=x.notify.hub, rel="hub"))
    if x.new_feed_url:
        found.append(_element("itunes:new-feed-url", x.new_feed_url))
    if "all" in x.block or "apple" in x.block:
        found.append(_element("itunes:block", "Yes"))
    if x.complete:
        found.append(_element("itunes:complete", "Yes"))
    found.append(_image(paths.url(show, paths.show_cover(show)), show.cover))
    found += _license(x.license) + _location(x.location) + _txts(x.txt)
    found += [
        _element("podcast:block", "yes", id=None if service == "all" else service)
        for service in x.block
    ]
    if x.update_frequency:
        u = x.update_frequency
        found.append(
            _element(
                "podcast:updateFrequency",
                u.text,
                complete="true" if u.complete else None,
                dtstart=u.dtstart.isoformat() if u.dtstart else None,
                rrule=u.rrule,
            )
        )
    if x.podroll:
        items = tuple(
            _element(
                "podcast:remoteItem", feedGuid=r.feed_guid, feedUrl=r.feed_url, medium=r.medium
            )
            for r in x.podroll
        )
        found.append(_Element("podcast:podroll", None, (), items))
    found += _trailers(show, enclosures) + _value(x.value)
    return found


def _episode_extras(show: Show, episode: Episode) -> list[_Element]:
    x = episode.extras
    found: list[_Element] = []
    if x.block:
        found.append(_element("itunes:block", "Yes"))
    if episode.cover is not None:
        cover = paths.episode_cover(episode)
        assert cover is not None
        found.append(_image(paths.url(show, cover), episode.cover))
    found += [
        _element(
            "podcast:soundbite",
            b.title,
            startTime=_seconds(b.start),
            duration=_seconds(b.duration),
        )
        for b in x.soundbites
    ]
    found += _license(x.license) + _location(x.location) + _txts(x.txt)
    for a in x.alternate_enclosures:
        url = url_after_prefix(
            show.extras.analytics_prefix, paths.url(show, paths.alternate(episode, a))
        )
        source = _element("podcast:source", uri=url, contentType=a.type)
        integrity = _element("podcast:integrity", type="sri", value=a.integrity)
        found.append(
            _Element(
                "podcast:alternateEnclosure",
                None,
                _element(
                    "podcast:alternateEnclosure",
                    type=a.type,
                    length=str(a.length),
                    title=a.title,
                    default="true" if a.default else None,
                ).attributes,
                (source, integrity) if a.integrity else (source,),
            )
        )
    found += [
        _element(
            "podcast:socialInteract",
            uri=s.uri,
            protocol=s.protocol,
            accountId=s.account_id,
            accountUrl=s.account_url,
            priority=None if s.priority is None else str(s.priority),
        )
        for s in x.social_interact
    ]
    return found + _value(x.value)


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.1f}"


def _image(url: str, path: Path) -> _Element:
    """podcast:image for a cover podkit has checked (square, JPEG or PNG)."""
    from PIL import Image  # already loaded by the cover check

    with Image.open(path) as image:
        width = image.width
    return _element(
        "podcast:image",
        href=url,
        type=image_mime(path),
        width=str(width),
        height=str(width),
        **{"aspect-ratio": "1/1"},
        purpose="artwork",
    )


def _license(license_: License | None) -> list[_Element]:
    return (
        [] if license_ is None else [_element("podcast:license", license_.name, url=license_.url)]
    )


def _location(location: Location | None) -> list[_Element]:
    if location is None:
        return []
    return [
        _element(
            "podcast:location",
            location.name,
            rel=location.rel,
            geo=location.geo,
            osm=location.osm,
            country=location.country,
        )
    ]


def _txts(txts: tuple[Txt, ...]) -> list[_Element]:
    return [_element("podcast:txt", t.text, purpose=t.purpose) for t in txts]


def _trailers(show: Show, enclosures: dict[str, Enclosure]) -> list[_Element]:
    """podcast:trailer for each published episode of type trailer, newest first."""
    trailers = sorted(
        (e for e in show.episodes if e.episode_type == "trailer"), key=lambda e: e.published
    )
    return [
        _element(
            "podcast:trailer",
            e.title,
            pubdate=format_datetime(e.published),
            url=url_after_prefix(show.extras.analytics_prefix, enclosures[e.slug].url),
            length=str(enclosures[e.slug].length),
            type=e.audio_type,
            season=None if e.season is None else str(e.season),
        )
        for e in reversed(trailers)
    ]


def _value(value: Value | None) -> list[_Element]:
    if value is None:
        return []
    recipients = tuple(
        _element(
            "podcast:valueRecipient",
            name=r.name,
            customKey=r.custom_key,
            customValue=r.custom_value,
            type=r.type,
            address=r.address,
            split=str(r.split),
            fee="true" if r.fee else None,
        )
        for r in value.recipients
    )
    attributes = _element(
        "podcast:value", type=value.type, method=value.method, suggested=value.suggested
    ).attributes
    return [_Element("podcast:value", None, attributes, recipients)]
