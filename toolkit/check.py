"""`podkit check`: what an app, a directory or a listener would reject or notice, in the
sources and in the built site. Every finding names its file and says what to do."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit

from lxml import etree, html

from toolkit import audio, journal, paths
from toolkit.artwork import cover_problems
from toolkit.config import EPISODE_FILE, SHOW_FILE, load_show
from toolkit.errors import Problem, Problems, ToolkitError
from toolkit.extras_config import url_after_prefix
from toolkit.model import Episode, Show, published_only
from toolkit.tomlcheck import loopback, read_source, url_problem

log = logging.getLogger(__name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM}
log = logging.getLogger(__name__)
GENERIC_SPEAKER = re.compile(r"(speaker|spk|intervenant|locuteur|orateur)[\s_#-]*\d+", re.I)


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [f for f in self.findings if f.level == "error"]

    def summary(self) -> str:
        if not self.findings:
            return "No problem found."
        errors = len(self.errors)
        return f"{errors} error(s), {len(self.findings) - errors} warning(s)"

    def to_json(self) -> str:
        """One object per finding, for CI."""
        return json.dumps([f.as_json() for f in self.findings], ensure_ascii=False, indent=1)


def check(source: Path, site: Path, now: datetime | None = None) -> CheckReport:
    """What Apple, Podcasting 2.0 apps and listeners would reject or notice in the sources
    and in the site built from them, as of ``now`` (by default the current time)."""
    return CheckReport(tuple(_findings(source, site, now or datetime.now(UTC))))


def _findings(source: Path, site: Path, now: datetime) -> list[Problem]:
    try:
        show, warnings = load_show(source)
    except ToolkitError as error:
        return list(error.problems)
    findings = list(warnings) + _guid_findings(source, show) + _placeholder_findings(show)
    for episode in show.episodes:
        findings += _episode_findings(episode)
    findings += _loudness_findings(show.episodes, site)
    findings += _analytics_findings(show)
    if not (site / "feed.xml").is_file():
        findings.append(
            Problem(site, None, "no built site here: run `podkit build` to check it too", "warning")
        )
        return findings
    findings += _site_findings(published_only(show, now, drafts=False), site)
    return findings


def _guid_findings(source: Path, show: Show) -> list[Problem]:
    """A podcast:guid derived at each build follows base_url: pinned, it survives a move."""
    file = source / SHOW_FILE
    if "guid" in tomllib.loads(read_source(file)):
        return []
    return [
        Problem(
            file,
            "guid",
            "not pinned: the podcast's identity would change with base_url; add the line "
            f'guid = "{show.podcast_guid}"',
            "warning",
        )
    ]


def _placeholder_findings(show: Show) -> list[Problem]:
    """The values `podkit init` wrote for the podcaster to change, still there."""
    from toolkit.scaffold import NOTES_PLACEHOLDER, PLACEHOLDERS

    file = show.directory / SHOW_FILE
    data = tomllib.loads(read_source(file))
    found = []
    for key, placeholder in PLACEHOLDERS.items():
        value: object = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value == placeholder:
            found.append(
                Problem(file, key, "is still podkit init's placeholder: change it", "warning")
            )
    for episode in show.episodes:
        notes = episode.directory / "notes.md"
        if notes.is_file() and read_source(notes) == NOTES_PLACEHOLDER:
            message = "is still podkit init's placeholder: write the notes"
            found.append(Problem(notes, None, message, "warning"))
    return found


def _episode_findings(episode: Episode) -> list[Problem]:
    file = episode.directory / EPISODE_FILE
    found = Problems()
    if not episode.summary:
        found.add(
            episode.directory / "notes.md",
            None,
            "the episode has no description: write the show notes (or a summary in episode.toml)",
        )
    visible = len(episode.visible_chapters)
    if 0 < visible < 3:
        found.warn(
            file,
            "chapters",
            f"only {visible} chapter(s): Apple shows chapters from the description "
            "only when there are at least three",
        )
    if episode.transcript is None:
        found.warn(
            episode.directory, None, "no transcript: add transcript.txt (podkit transcript import)"
        )
    else:
        generic = sorted(
            {s for s in episode.transcript.speakers if GENERIC_SPEAKER.fullmatch(s.strip())}
        )
        for label in generic:
            found.add(
                episode.directory / "transcript.*",
                f"speaker {label!r}",
                "is a generic label: name the speaker (podkit transcript import "
                f'--speaker "{label}=Name")',
            )
    return found.items


def _loudness_findings(episodes: tuple[Episode, ...], site: Path) -> list[Problem]:
    """Warnings for audio off the podcast loudness targets; -v prints every episode's figures."""
    from toolkit import loudness

    found = Problems()
    local = [(e, e.audio) for e in episodes if e.audio]  # linked audio is not measured
    measured = loudness.measure_all([file for _, file in local], site)
    for (episode, audio_file), result in zip(local, measured, strict=True):
        if isinstance(result, loudness.LoudnessError):
            found.warn(audio_file, None, str(result))
            continue
        log.debug("%s: %s", episode.slug, result.describe())
        for message in loudness.problems(result, episode.audio_info.channels):
            found.warn(audio_file, None, message)
    missing = [p for p in found.items if p.message == loudness.MISSING]
    return found.items if len(missing) < 2 else missing[:1]  # said once is enough


def _analytics_findings(show: Show) -> list[Problem]:
    """The enclosure URL after the analytics prefix must still be a URL apps can fetch."""
    prefix = show.extras.analytics_prefix
    if prefix is None:
        return []
    found = Problems()
    for episode in show.episodes:
        url = url_after_prefix(prefix, paths.audio_url(show, episode))
        problem = url_problem(url)
        if problem:
            found.add(
                show.directory / "show.toml", "analytics_prefix", f"{problem}: fix the prefix"
            )
    return found.items


def _local(url: str, base: str, site: Path) -> Path | None:
    """The site's file at this URL (its path percent-decoded), or None for another host's or
    when there is no such file; _Outside when it leads out of the site."""
    if not url.startswith(base):
        return None
    return _site_file(site, site, urlsplit(url[len(base) :]).path)


class _Outside(Exception):
    """A URL of the site whose path (``..``, a link) leads out of the site's folder."""


def _site_file(site: Path, folder: Path, url_path: str) -> Path | None:
    """The regular file of the site a URL path names from ``folder``, links resolved; None
    when there is none (missing, a folder, a name too long); _Outside when it is not in the
    site."""
    try:
        real = os.path.realpath(_file_at(folder, url_path))
        root = os.path.realpath(site)
        if not real.startswith(root + os.sep):
            raise _Outside
        return Path(real) if stat.S_ISREG(os.stat(real).st_mode) else None
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        return None


def _file_at(folder: Path, url_path: str) -> Path:
    """The file a relative URL path names from ``folder``; a folder's is its index.html."""
    path = folder / unquote(url_path)
    return path / "index.html" if not url_path or url_path.endswith("/") else path


def _site_findings(show: Show, site: Path) -> list[Problem]:
    feed_file = site / "feed.xml"
    try:
        feed = etree.parse(str(feed_file))
    except etree.XMLSyntaxError as error:
        return [Problem(feed_file, None, f"is not valid XML ({error.msg}): build again")]
    self_link = feed.xpath("channel/atom:link[@rel='self']/@href", namespaces=NS)
    site_feed = _SiteFeed(
        feed_file,
        feed,
        self_link[0].removesuffix("feed.xml") if self_link else show.base_url,
        show.extras.analytics_prefix,
        {e.guid: e for e in show.episodes if e.linked},
    )
    found = Problems()
    if loopback(site_feed.base):
        found.add(
            feed_file,
            "atom:link",
            f"the site was built for {site_feed.base}, this machine (a preview): "
            "build it with `podkit build` before publishing it",
        )
    _cover_findings(site_feed, found)
    _length_findings(site_feed, found)
    in_feed = _item_findings(site_feed, found)
    for episode in show.episodes:
        if episode.guid not in in_feed:
            found.warn(
                feed_file,
                None,
                f"{episode.slug} is not in the feed: the site is older than the sources; "
                "build again",
            )
    return found.items + _link_findings(site)


@dataclass(frozen=True)
class _SiteFeed:
    """A built site's feed.xml, parsed, and the address the site was built for."""

    file: Path
    tree: etree._ElementTree
    base: str
    analytics_prefix: str | None = None
    linked: dict[str, Episode] = field(default_factory=dict)  # by GUID: audio on another host

    def local(self, url: str, where: str, found: Problems, missing: str) -> Path | None:
        """The site's regular file at this URL; else None, with a finding: ``missing``, or
        that the URL leads out of the site."""
        try:
            path = _local(url, self.base, self.file.parent)
        except _Outside:
            found.add(self.file, where, f"{_shown(url)} points outside the site: build again")
            return None
        if path is None:
            found.add(self.file, where, missing)
        return path

    def enclosure_file(self, url: str, where: str, found: Problems, missing: str) -> Path | None:
        """The site's file behind an enclosure URL, the analytics prefix taken off."""
        prefix = self.analytics_prefix
        if prefix and url.startswith(prefix):
            rest = url[len(prefix) :]
            url = rest if rest.startswith(("http://", "https://")) else "https://" + rest
        return self.local(url, where, found, missing)


def _shown(url: str) -> str:
    """A URL as a finding names it: its start, when it is long."""
    return url if len(url) <= 100 else f"{url[:100]}…"


def _cover_findings(feed: _SiteFeed, found: Problems) -> None:
    image = feed.tree.xpath("channel/itunes:image/@href", namespaces=NS)
    missing = "the show's art is not in the site: build again"
    image_file = feed.local(image[0], "itunes:image", found, missing) if image else None
    if image_file is None:
        if not image:
            found.add(feed.file, "itunes:image", missing)
        return
    for message in cover_problems(image_file):
        found.add(feed.file, "itunes:image", f"{image_file.name} {message}")


# Texts Apple Podcasts cuts or refuses beyond a length: (tag, limit, unit) as the README says.
_DESCRIPTIONS = ("description", "content:encoded", "itunes:summary")
_TITLES = ("title", "itunes:title")


def _length_findings(feed: _SiteFeed, found: Problems) -> None:
    """Every description within Apple's 4,000 bytes, every title within 255 characters."""
    from toolkit.feed import DESCRIPTION_MAX, TITLE_MAX

    namespaces = {**NS, "content": "http://purl.org/rss/1.0/modules/content/"}
    channel = feed.tree.find("channel")
    if channel is None:
        return
    for element in (channel, *channel.findall("item")):
        where = "channel" if element is channel else f"item {element.findtext('title')!r}"
        for tag in _DESCRIPTIONS:
            for text in element.xpath(f"{tag}/text()", namespaces=namespaces):
                size = len(str(text).encode("utf-8"))
                if size > DESCRIPTION_MAX:
                    found.add(
                        feed.file,
                        f"{where}: {tag}",
                        f"is {size} bytes: Apple Podcasts cuts it at {DESCRIPTION_MAX}; "
                        "shorten the notes (or build again)",
                    )
        for tag in _TITLES:
            for text in element.xpath(f"{tag}/text()", namespaces=namespaces):
                if len(text) > TITLE_MAX:
                    found.add(
                        feed.file,
                        f"{where}: {tag}",
                        f"is {len(text)} characters: Apple Podcasts accepts at most "
                        f"{TITLE_MAX}; shorten the title",
                    )


def _item_findings(feed: _SiteFeed, found: Problems) -> set[str]:
    """Check each item (its GUID, enclosure and linked files); gives the GUIDs seen."""
    guids: dict[str, str] = {}
    channel = feed.tree.find("channel")
    for item in channel.findall("item") if channel is not None else []:
        title = item.findtext("title") or "?"
        where = f"item {title!r}"
        guid = item.findtext("guid") or ""
        if guid in guids:
            found.add(feed.file, where, f"has the GUID of {guids[guid]!r}: apps would merge them")
        guids[guid] = title
        _enclosure_findings(feed, item, where, found)
        for link in item.xpath("podcast:chapters/@url | podcast:transcript/@url", namespaces=NS):
            feed.local(link, where, found, f"{_shown(link)} is not a file of the site: build again")
    return set(guids)


def _enclosure_findings(feed: _SiteFeed, item: etree._Element, where: str, found: Problems) -> None:
    """The item's audio is the site's file, of the length and duration the feed says."""
    enclosure = item.find("enclosure")
    missing = "its enclosure is not a file of the site: build again"
    if enclosure is None:
        found.add(feed.file, where, missing)
        return
    linked = feed.linked.get(item.findtext("guid") or "")
    if linked is not None:
        _linked_findings(feed, linked, item, where, found)
        return
    local = feed.enclosure_file(enclosure.get("url", ""), where, found, missing)
    if local is None:
        return
    recovered = journal.roll_back(local)  # an interrupted re-tag: undo it first
    if recovered:
        log.warning("%s", recovered)
    size = local.stat().st_size
    if enclosure.get("length") != str(size):
        found.add(
            feed.file,
            where,
            f"enclosure length {enclosure.get('length')} is not the file's {size} "
            "bytes: build again",
        )
    try:
        seconds = round(audio.probe(local).duration)
    except audio.AudioError as error:
        found.add(feed.file, where, f"{local.name} {error}")
        return
    duration = item.findtext(f"{{{ITUNES}}}duration")
    if duration != str(seconds):
        found.add(
            feed.file,
            where,
            f"itunes:duration {duration} is not the audio's {seconds} s: build again",
        )


def _linked_findings(
    feed: _SiteFeed, episode: Episode, item: etree._Element, where: str, found: Problems
) -> None:
    """Linked audio is on another host and the check never fetches it: the item must say
    what episode.toml says (the URL, the length, the duration)."""
    assert episode.linked is not None
    url = url_after_prefix(feed.analytics_prefix, episode.linked.url)
    wanted = (url, str(episode.audio_info.size), str(round(episode.audio_info.duration)))
    given = (
        item.xpath("string(enclosure/@url)"),
        item.xpath("string(enclosure/@length)"),
        item.findtext(f"{{{ITUNES}}}duration"),
    )
    if given != wanted:
        found.add(
            feed.file,
            where,
            f"its enclosure is not the audio {episode.slug}/{EPISODE_FILE} links to "
            f"({_shown(url)}, {wanted[1]} bytes, {wanted[2]} s): build again",
        )
    if loopback(episode.linked.url):  # a test or a preview; the loader allows it for that
        found.warn(
            feed.file,
            where,
            f"its audio is on this machine ({_shown(episode.linked.url)}), which no app can "
            f"reach: set audio_url in {episode.slug}/{EPISODE_FILE} to the public https address",
        )


def _page(page: Path) -> html.HtmlElement | Problem:
    """The page's tree, or an error finding when it is no HTML page podkit could have
    written (empty, not UTF-8 text, binary)."""
    data = page.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\0"
    if "\0" in text:
        return Problem(page, None, "is not an HTML page (binary data): build again")
    root = html.parse(io.BytesIO(data)).getroot() if text.strip() else None
    if root is None:
        return Problem(page, None, "is an empty page: build again")
    return root


def _link_findings(site: Path) -> list[Problem]:
    findings = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" or not page.is_file():
            continue  # 404.html's links start from the server's root; a folder is no page
        root = _page(page)
        if isinstance(root, Problem):
            findings.append(root)
            continue
        for ref in root.xpath(
            "//a/@href | //link/@href | //script/@src | //img/@src | //audio/@src"
        ):
            problem = _link_problem(site, page, ref)
            if problem:
                findings.append(Problem(page, f"link {_shown(ref)!r}", problem))
    return findings


def _link_problem(site: Path, page: Path, ref: str) -> str | None:
    """What is wrong with a page's link: another site's is not looked at; the site's must
    name a file inside the site."""
    try:
        parsed = urlparse(ref)
    except ValueError as error:  # e.g. an unclosed [IPv6] address
        return f"is not a URL ({error}): fix it"
    if parsed.scheme or parsed.netloc or ref.startswith(("#", "mailto:")):
        return None
    try:
        target = _site_file(site, page.parent, parsed.path)
    except _Outside:
        return "points outside the site"
    return None if target else "points at nothing in the site"
