"""The static site as {site path: bytes}: `build_site` makes the show's own files and
`episode_files` one episode's. They read the cover art and the templates, and write
nothing: the writer does. Jinja2 renders the pages; a show may put its own
templates (and assets) in ``<source>/_templates/``, which come first and can extend the
built-in ones as ``podkit/<name>``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, cast, overload
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
)
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.runtime import Context
from markupsafe import Markup, escape

from toolkit import listing_cache, paths, seal, template_cache
from toolkit.chapters import chapter_image_name, chapters_json
from toolkit.i18n import file_size, long_date, words
from toolkit.model import Episode, Link, Segment, Show, replace
from toolkit.theme import USER_TEMPLATES, builtin_templates, theme_files
from toolkit.timecode import format_clock
from toolkit.transcript import MARKER, is_editor_note, published_formats, turns, write
from toolkit.typography import TypesetOnUse, typeset_episode, typeset_show


class SealedBytecodeCache(BytecodeCache):
    """Each template's compiled code kept in the site's caches (`toolkit.template_cache`),
    under Jinja2's key for it (a digest of its name and file); Jinja2 itself checks its
    version and the template's source when it takes one back."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def load_bytecode(self, bucket: Bucket) -> None:
        code = template_cache.read(self.out, bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        template_cache.hold(self.out, bucket.key, bucket.bytecode_to_string())


class ResourceLoader(BaseLoader):
    """Jinja2 templates read from package resources, so the theme loads from any install."""

    def __init__(self, root: Traversable) -> None:
        self.root = root

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool]]:
        entry = self.root
        for part in template.split("/"):
            if part in ("", ".", ".."):
                raise TemplateNotFound(template)
            entry = entry.joinpath(part)
        if not entry.is_file():
            raise TemplateNotFound(template)
        # Installed resources do not change while podkit runs: always up to date.
        return entry.read_text(encoding="utf-8"), None, lambda: True

    def list_templates(self) -> list[str]:
        return [name for name, _ in theme_files(self.root)]


def environment(show: Show, out: Path | None = None) -> Environment:
    """The show's templates; with ``out`` (the site's folder) their compiled code is kept
    there between builds, sealed (see `toolkit.template_cache`)."""
    builtin = ResourceLoader(builtin_templates())
    loader = ChoiceLoader(
        [
            FileSystemLoader(show.directory / USER_TEMPLATES),
            builtin,
            PrefixLoader({"podkit": builtin}),
        ]
    )
    # Autoescape everything we render (HTML and XML): transcript text is never markup.
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=None if out is None else SealedBytecodeCache(out),
    )
    # Templates name the site's files through `paths`, as the feed and the writer do:
    # `{{ paths.FEED | href }}` links from the page being rendered, `| url` is absolute.
    env.globals["paths"] = paths
    env.filters["href"] = _href
    env.filters["url"] = _url
    env.filters["transcript_text"] = transcript_text
    env.filters["transcript_sentences"] = transcript_sentences
    env.filters["transcript_paragraph"] = transcript_paragraph
    return env


def transcript_text(text: str) -> Markup:
    """A transcript sentence for the page: an editor's words in brackets (``[inaudible]``,
    a whole note) in italics, the rest escaped as text."""
    if "[" not in text:
        return escape(text)
    return Markup(MARKER.sub(lambda m: f"<em>{m.group()}</em>", str(escape(text))))


def transcript_sentences(sentences: list[PageSentence]) -> Markup:
    """A paragraph's sentences as ``<span class="seg">`` elements, each followed by a space,
    made in one pass: a template loop over them is most of a long transcript's page. A
    show's own template may still loop over the sentences itself."""
    spans = []
    for s in sentences:
        note = " note" if s.note else ""
        # The times are numbers `_seconds` wrote: nothing in them to escape.
        times = "" if s.start is None else f' data-start="{s.start}" data-end="{s.end}"'
        spans.append(f'<span class="seg{note}"{times}>{transcript_text(s.text)}</span> ')
    return Markup("".join(spans))


def transcript_paragraph(p: PageParagraph, t: dict[str, str]) -> Markup:
    """A transcript paragraph as ``<p class="para">``: its time as a link that plays from
    it, its sentences (`transcript_sentences`), and a permalink; made in Python, as a long
    transcript has hundreds."""
    sentences = transcript_sentences(p.segments)
    if p.start is None:
        return Markup(f'<p class="para" id="{p.anchor}">{sentences}</p>')
    # The anchor, the time and the clock are podkit's own: only the words need escaping.
    play, link = escape(f"{t['play_from']} {p.clock}"), escape(f"{t['link_to']} {p.clock}")
    return Markup(
        f'<p class="para" id="{p.anchor}"><a class="seek ts" href="#t={p.start}" '
        f'data-start="{p.start}" aria-label="{play}">{p.clock}</a> {sentences}'
        f'<a class="permalink" href="#{p.anchor}" tabindex="-1" aria-label="{link}">#</a></p>'
    )


@pass_context
def _href(context: Context, path: PurePosixPath | str) -> str:
    """A link to a site file from the page being rendered (the context's ``page``)."""
    page: PurePosixPath = context["page"]
    if page == paths.NOT_FOUND:  # served at any depth: its links start from the root path
        return paths.rooted(context["show"], PurePosixPath(path))
    return paths.href(PurePosixPath(path), page)


@pass_context
def _url(context: Context, path: PurePosixPath | str) -> str:
    return paths.url(context["show"], PurePosixPath(path))


@dataclass(frozen=True)
class EpisodeItem:
    episode: Episode
    label: str
    date: str
    duration: str
    href: str  # the episode's page, from the home page
    cover: str  # the episode's art (or the show's), from the home page
    url: str  # the episode's page's address
    day: str  # the day it was published, as ISO 8601 writes it (in its own time zone)


def human_duration(seconds: float) -> str:
    """An episode's length in the unit symbols h and min, which French and English share.

    >>> human_duration(2702.7), human_duration(4000)
    ('45 min', '1 h 07 min')
    """
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _label(episode: Episode, t: dict[str, str]) -> str:
    if episode.episode_type != "full":
        return t[episode.episode_type]
    if episode.number is None:
        return t["episode"]
    return f"{t['episode']} {episode.number}"


def _local(show: Show, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(show.timezone))


def _item(show: Show, episode: Episode) -> EpisodeItem:
    t = words(show.language)
    return EpisodeItem(
        episode,
        _label(episode, t),
        long_date(_local(show, episode.published).date(), show.language),
        human_duration(episode.audio_info.duration),
        # From the home page, at the top of the site, a site path is its own relative URL.
        paths.quoted(paths.episode_page(episode)),
        paths.quoted(paths.episode_cover(episode) or paths.COVER_SMALL),
        show.episode_url(episode),
        episode.published.date().isoformat(),
    )


Render = Callable[..., bytes]

# Hosts of podcast apps and directories: their links go in the subscribe group, any other
# link (the producer's own site) beside it.
APP_HOSTS = (
    "podcasts.apple.com",
    "itunes.apple.com",
    "open.spotify.com",
    "music.amazon.",
    "deezer.com",
    "podcasts.google.com",
    "music.youtube.com",
    "overcast.fm",
    "pocketcasts.com",
    "castbox.fm",
    "podcastaddict.com",
    "antennapod.org",
    "castro.fm",
    "podbean.com",
    "radiofrance.fr",
)


def _split_links(show: Show) -> tuple[list[Link], list[Link]]:
    """The show's links as (podcast apps, other sites)."""
    apps: list[Link] = []
    others: list[Link] = []
    for link in show.links:
        (apps if _is_app(urlparse(link.url).hostname or "") else others).append(link)
    return apps, others


def _is_app(host: str) -> bool:
    """``music.amazon.`` stands for every country's Amazon Music."""
    return any(
        host == h or host.endswith("." + h) or (h.endswith(".") and h in host) for h in APP_HOSTS
    )


def _renderer(show: Show, env: Environment | None = None) -> Render:
    env = env or environment(show)
    apps, others = _split_links(show)
    common = {"show": show, "t": words(show.language), "app_links": apps, "other_links": others}

    def render(name: str, page: PurePosixPath, **context: Any) -> bytes:
        """The template ``name`` rendered as the site's file ``page``."""
        return env.get_template(name).render(**common, page=page, **context).encode("utf-8")

    return render


def build_site(
    show: Show, out: Path | None = None, keys: Mapping[str, str] | None = None
) -> dict[PurePosixPath, bytes]:
    """The home, 404 and sitemap pages and the theme's assets; the cover art and the favicon
    come from `toolkit.build.cover_files`, each episode's files from `episode_files`. ``out``: see
    `environment`; with ``keys`` (of each episode's inputs, by slug) what these pages show of
    each episode is kept there too (see `toolkit.listing_cache`)."""
    show = typeset_show(show, episodes=False)
    stored = listing_cache.read(out) if out and keys else {}
    env = environment(show, out)
    listing = _Listing(show, env, stored, keys or {})
    show = replace(show, episodes=tuple(_typeset_on_use(e, show.language) for e in show.episodes))
    render = _renderer(show, env)
    hosts = [p.name for p in show.persons if p.role == "host"]
    home = listing.context("index.html", lambda entry: entry.home)
    sitemap = listing.context("sitemap.xml", lambda entry: entry.sitemap)
    files: dict[PurePosixPath, bytes] = {}
    files[paths.HOME] = render(
        "index.html", paths.HOME, **home, hosts=hosts, jsonld=_series_jsonld(show)
    )
    files[paths.NOT_FOUND] = render("404.html", paths.NOT_FOUND)
    # The stylesheet's links resolve from the feed it presents.
    files[paths.FEED_STYLE] = render("feed.xsl", paths.FEED)
    files[paths.SITEMAP] = render("sitemap.xml", paths.SITEMAP, **sitemap, newest=listing.newest())
    for asset in paths.ASSETS:
        source, _, _ = env.loader.get_source(env, str(asset))  # type: ignore[union-attr]
        files[asset] = source.encode("utf-8")
    if out and keys:
        listing.keep(out)
    return files


class _Listing:
    """The episodes as the home page and the sitemap list them, newest first. A page of
    podkit's own puts together each episode's entry (podkit's ``listing.html``), kept for
    the episode's key or else rendered; a show's own page gets the items (`EpisodeItem`)."""

    def __init__(
        self,
        show: Show,
        env: Environment,
        stored: dict[str, listing_cache.Listed],
        keys: Mapping[str, str],
    ) -> None:
        self.show, self.env, self.stored, self.keys = show, env, stored, keys
        self.made: dict[str, listing_cache.Listed] = {}  # by slug
        self._items: list[EpisodeItem] | None = None
        self._entries: list[listing_cache.Listed] | None = None
        # Python's sort is stable, reversed too: episodes published at once keep their order.
        self.episodes = sorted(show.episodes, key=lambda e: e.published, reverse=True)

    def newest(self) -> str | None:
        return self.episodes[0].published.date().isoformat() if self.episodes else None

    def context(
        self, template: str, part: Callable[[listing_cache.Listed], bytes]
    ) -> dict[str, Any]:
        """What the page's template gets: with the show's own one, the items
        (``episodes``); with podkit's, the entries put together (``listed``), and the items
        made only if a template it extends (the show's ``base.html``) reads them."""
        if (self.show.directory / USER_TEMPLATES / template).is_file():
            return {"episodes": self.items(), "listed": None}
        entries = Markup(b"".join([part(entry) for entry in self.entries()]).decode())
        return {"episodes": _Lazy(self.items), "listed": entries}

    def entries(self) -> list[listing_cache.Listed]:
        """Every episode's entries, in the pages' order; made once."""
        if self._entries is None:
            self._entries = [self._entry(e) for e in self.episodes]
        return self._entries

    def _kept(self, episode: Episode) -> listing_cache.Listed | None:
        made = self.made.get(episode.slug)
        return made if made is not None else self.stored.get(self.keys.get(episode.slug, ""))

    def _entry(self, episode: Episode) -> listing_cache.Listed:
        entry = self._kept(episode)
        if entry is None:
            item = _item(self.show, _typeset_on_use(episode, self.show.language))
            macros: Any = self.env.get_template("podkit/listing.html").module
            home = macros.home_item(item, words(self.show.language))
            entry = listing_cache.listed(_listing_values(item), home, macros.sitemap_url(item))
            self.made[episode.slug] = entry
        return entry

    def items(self) -> list[EpisodeItem]:
        """Every episode's item, from its kept values when they are there; made once."""
        if self._items is None:
            self._items = [self._item(e) for e in self.episodes]
        return self._items

    def _item(self, episode: Episode) -> EpisodeItem:
        entry = self._kept(episode)
        kept = None if entry is None else listing_cache.values(entry)
        if kept is None:
            return _item(self.show, _typeset_on_use(episode, self.show.language))
        texts, typeset = kept
        listed = cast(Episode, TypesetOnUse(episode, self.show.language, dict(typeset)))
        return EpisodeItem(listed, *texts)

    def keep(self, out: Path) -> None:
        """Keeps the listed episodes' entries for the next build, when enough were made
        (`toolkit.seal.worth_rewriting`)."""
        entries = {
            self.keys[e.slug]: entry for e, entry in zip(self.episodes, self.entries(), strict=True)
        }
        if seal.worth_rewriting(len(self.made), len(entries)):
            listing_cache.write(out, entries)


def _typeset_on_use(episode: Episode, language: str) -> Episode:
    return cast(Episode, TypesetOnUse(episode, language))


class _Lazy(Sequence[EpisodeItem]):
    """The items, made when first read: podkit's own pages do not read them."""

    def __init__(self, make: Callable[[], list[EpisodeItem]]) -> None:
        self._make = make
        self._items: list[EpisodeItem] | None = None
        self._entries: list[listing_cache.Listed] | None = None

    def _list(self) -> list[EpisodeItem]:
        if self._items is None:
            self._items = self._make()
        return self._items

    def __len__(self) -> int:
        return len(self._list())

    @overload
    def __getitem__(self, index: int) -> EpisodeItem: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[EpisodeItem]: ...
    def __getitem__(self, index: int | slice) -> EpisodeItem | Sequence[EpisodeItem]:
        return self._list()[index]


def _listing_values(item: EpisodeItem) -> listing_cache.Values:
    texts = (item.label, item.date, item.duration, item.href, item.cover, item.url, item.day)
    return texts, cast(TypesetOnUse, item.episode).typeset_texts()


def episode_files(
    show: Show, episode: Episode, out: Path | None = None
) -> dict[PurePosixPath, bytes]:
    """An episode's page, transcripts, chapters and art. Episodes do not depend on each
    other, so the build makes them on all cores. Their reading text is typeset. ``out``:
    see `environment`."""
    episode = typeset_episode(episode, show.language)
    return _episode_files(show, _item(show, episode), _cached_renderer(show, out))


_renderers: dict[tuple[int, Path | None], tuple[Show, Render]] = {}


def _cached_renderer(show: Show, out: Path | None) -> Render:
    """One Jinja2 environment per show, site and process (a worker renders many episodes).
    The show is kept with it: an id names one object only while that object lives, and the
    next show loaded in this process often gets the id of the one before."""
    key = (id(show), out)
    cached = _renderers.get(key)
    if cached is None or cached[0] is not show:
        _renderers.clear()
        typeset = typeset_show(show, episodes=False)
        cached = _renderers[key] = (show, _renderer(typeset, environment(typeset, out)))
    return cached[1]


def _episode_files(show: Show, item: EpisodeItem, render: Render) -> dict[PurePosixPath, bytes]:
    episode = item.episode
    files: dict[PurePosixPath, bytes] = {}
    cover = paths.episode_cover(episode)
    if cover is not None and episode.cover is not None:
        files[cover] = episode.cover.read_bytes()
    if episode.chapters:
        files[paths.chapters(episode)] = chapters_json(episode, show.base_url).encode("utf-8")
    if episode.transcript is not None:
        for fmt in published_formats(episode.transcript):
            text = write(episode.transcript, fmt, episode.audio_info.duration)
            files[paths.transcript(episode, fmt)] = text.encode("utf-8")
    files[paths.episode_page(episode)] = _episode_page(show, item, render)
    return files


def _episode_page(show: Show, item: EpisodeItem, render: Render) -> bytes:
    episode = item.episode
    page = paths.episode_page(episode)
    cover = paths.episode_cover(episode)
    page_url = show.episode_url(episode)
    audio_url = paths.audio_url(show, episode)
    chapters = _page_chapters(episode, page)
    return render(
        "episode.html",
        page,
        episode=episode,
        label=item.label,
        date=item.date,
        duration=item.duration,
        people=_people(show, episode),
        audio_name=episode.audio.name if episode.audio else audio_url.rsplit("/", 1)[-1],
        audio_href=paths.href(paths.audio(episode), page) if episode.audio else audio_url,
        audio_type=episode.audio_type,
        audio_size=file_size(episode.audio_info.size, show.language),
        chapters=chapters,
        soundbites=_page_soundbites(episode),
        notes_html=episode.notes_html,
        turns=_page_turns(episode, chapters),
        downloads=_downloads(show, episode, page),
        page_url=page_url,
        audio_url=audio_url,
        cover_url=paths.url(show, cover or paths.show_cover(show)),
        cover_src=paths.href(cover or paths.COVER_SMALL, page),
        jsonld=_episode_jsonld(show, episode, page_url, audio_url),
        player=_player_data(show, episode, cover_url=paths.url(show, cover or paths.COVER_SMALL)),
    )


def _player_data(show: Show, episode: Episode, cover_url: str) -> dict[str, Any]:
    """What the page's script needs and the markup does not say: the key it saves the
    position under, the lock screen's metadata and its words."""
    t = words(show.language)
    keys = ("play", "pause", "speed", "of", "resume", "copied", "share_link")
    return {
        "guid": episode.guid,
        "title": episode.title,
        "show": show.title,
        "artwork": cover_url,
        "duration": episode.audio_info.duration,
        "words": {key: t[key] for key in keys},
    }


def _downloads(show: Show, episode: Episode, page: PurePosixPath) -> list[dict[str, str]]:
    """The episode's transcript and chapter files, as links from its page."""
    t = words(show.language)
    formats = published_formats(episode.transcript) if episode.transcript is not None else ()
    links = [
        {
            "href": paths.href(paths.transcript(episode, fmt), page),
            "label": f"{t['transcript']} {t['download_' + fmt]}",
        }
        for fmt in formats
    ]
    if episode.chapters:
        links.append(
            {"href": paths.href(paths.chapters(episode), page), "label": t["chapters_json"]}
        )
    return links


def _people(show: Show, episode: Episode) -> list[dict[str, Any]]:
    t = words(show.language)
    people = []
    for role in ("host", "guest"):
        persons = [p for p in (episode.persons or show.persons) if p.role == role]
        if persons:
            people.append({"label": t[role], "persons": persons})
    return people


def _page_chapters(episode: Episode, page: PurePosixPath) -> list[dict[str, Any]]:
    """The visible chapters with their place on the progress bar (a percentage), image and
    link; the anchor keeps the chapter's number among all chapters."""
    duration = episode.audio_info.duration or 1.0
    return [
        {
            "anchor": f"chapter-{index + 1}",
            "start": _seconds(chapter.start),
            "end": _seconds(episode.chapter_end(index)),
            "clock": format_clock(chapter.start),
            "title": chapter.title,
            "percent": f"{min(chapter.start / duration, 1.0) * 100:.3f}",
            "url": chapter.url,
            "image": _chapter_image(episode, index, page),
        }
        for index, chapter in enumerate(episode.chapters)
        if not chapter.hidden
    ]


def _page_soundbites(episode: Episode) -> list[dict[str, str]]:
    """The episode's soundbites: moments a listener can play from the page."""
    return [
        {
            "start": _seconds(bite.start),
            "clock": format_clock(bite.start),
            "title": bite.title or format_clock(bite.start),
        }
        for bite in episode.extras.soundbites
    ]


def _chapter_image(episode: Episode, index: int, page: PurePosixPath) -> str | None:
    image = episode.chapters[index].image
    if image is None:
        return None
    name = chapter_image_name(index, image.suffix)
    return paths.href(PurePosixPath(episode.slug, name), page)


def _page_turns(episode: Episode, chapters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The transcript as speakers' turns of numbered paragraphs, for the page; each
    chapter's title goes before the paragraph where the chapter starts."""
    if episode.transcript is None:
        return []
    starts = [(float(c["start"]), c["title"]) for c in chapters]
    page_turns = []
    number = 0
    for group in turns(episode.transcript):
        paragraphs = []
        for chunk in _paragraphs(group):
            number += 1
            headings = []
            last = max((s.start for s in chunk if s.start is not None), default=None)
            while starts and last is not None and starts[0][0] <= last + 0.001:
                headings.append(starts.pop(0)[1])
            paragraph = _page_paragraph(chunk, number, episode.audio_info.duration)
            paragraphs.append(
                paragraph._replace(headings=tuple(headings)) if headings else paragraph
            )
        page_turns.append({"speaker": group[0].speaker, "paragraphs": paragraphs})
    return page_turns


def _page_paragraph(chunk: list[Segment], number: int, duration: float) -> PageParagraph:
    start = chunk[0].start
    return PageParagraph(
        anchor=f"p-{number}",
        start=None if start is None else _seconds(start),
        clock=None if start is None else format_clock(start),
        segments=_page_sentences(chunk, duration),
    )


def _page_sentences(chunk: list[Segment], duration: float) -> list[PageSentence]:
    """A paragraph's sentences for the page. A sentence mostly starts where the one before
    it ends: that time is written once (a long transcript has thousands)."""
    sentences = []
    ended: float | None = None
    ended_text = ""
    for s in chunk:
        start = None
        if s.start is not None:
            start = ended_text if s.start == ended else _seconds(s.start)
        ended = s.end if s.end is not None else duration
        ended_text = _seconds(ended)
        sentences.append(PageSentence(s.text, is_editor_note(s.text), start, ended_text))
    return sentences


class PageSentence(NamedTuple):
    """A transcript sentence on the page; times are ready for data attributes."""

    text: str
    note: bool  # an editor's note, not speech
    start: str | None
    end: str


class PageParagraph(NamedTuple):
    # Named tuples rather than dicts: Jinja looks `p.start` up as an attribute first, and the
    # failed lookups on dicts slow down the page of a long transcript.
    anchor: str
    start: str | None
    clock: str | None
    segments: list[PageSentence]
    headings: tuple[str, ...] = ()  # titles of the chapters that start in this paragraph


PARAGRAPH_CHARACTERS = 600  # long turns read better as paragraphs, each with its time


def _paragraphs(group: list[Segment]) -> list[list[Segment]]:
    """Split a speaker's turn into paragraphs of whole sentences, about 600 characters each."""
    paragraphs: list[list[Segment]] = [[]]
    length = 0
    for segment in group:
        if paragraphs[-1] and length + len(segment.text) > PARAGRAPH_CHARACTERS:
            paragraphs.append([])
            length = 0
        paragraphs[-1].append(segment)
        length += len(segment.text) + 1
    return paragraphs


def _seconds(value: float) -> str:
    """Seconds for data attributes and #t= links: milliseconds, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _series_jsonld(show: Show) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": show.title,
        "description": show.description,
        "url": show.base_url,
        "image": paths.url(show, paths.show_cover(show)),
        "inLanguage": show.language,
        "webFeed": show.feed_url,
        "author": {"@type": "Organization", "name": show.author},
    }


def _episode_jsonld(show: Show, episode: Episode, page_url: str, audio_url: str) -> dict[str, Any]:
    seconds = round(episode.audio_info.duration)
    media: dict[str, Any] = {
        "@type": "AudioObject",
        "contentUrl": audio_url,
        "encodingFormat": episode.audio_type,
        "duration": f"PT{seconds // 60}M{seconds % 60}S",
    }
    if episode.transcript is not None:
        media["transcript"] = paths.url(show, paths.transcript(episode, "txt"))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": episode.title,
        "url": page_url,
        "datePublished": episode.published.date().isoformat(),
        "description": episode.summary,
        "inLanguage": show.language,
        "associatedMedia": media,
        "partOfSeries": {"@type": "PodcastSeries", "name": show.title, "url": show.base_url},
    }
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    return data
