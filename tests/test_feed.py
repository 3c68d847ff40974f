"""The RSS feed, parsed with lxml (never string matching), feedparser and podcastparser."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from conftest import EPISODE_TOML, SHOW_TOML, ShowMaker, golden
from lxml import etree

from toolkit.apple_categories import APPLE_CATEGORIES
from toolkit.build import build
from toolkit.config import load_show, podcast_guid

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}
NOW = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def built_feed(source: Path, out: Path, **options: object) -> bytes:
    build(source, out, now=NOW, **options)  # type: ignore[arg-type]
    return (out / "feed.xml").read_bytes()


@pytest.fixture
def feed(make_show: ShowMaker, tmp_path: Path) -> etree._Element:
    return etree.fromstring(built_feed(make_show(), tmp_path / "site"))


def one(node: etree._Element, path: str) -> etree._Element:
    found = node.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0]


def test_feed_matches_its_golden_file(make_show: ShowMaker, tmp_path: Path) -> None:
    # The enclosure length depends on how Pillow compresses the cover in the tag: other tests
    # check it against the file; the golden file checks everything else.
    text = built_feed(make_show(), tmp_path / "site").decode()
    golden("feed.xml", re.sub(r'length="\d+"', 'length="…"', text))


def test_namespaces_are_declared_exactly(feed: etree._Element) -> None:
    assert feed.tag == "rss" and feed.get("version") == "2.0"
    assert {k: v for k, v in feed.nsmap.items() if k in NS} == NS


def test_channel(feed: etree._Element) -> None:
    channel = one(feed, "channel")
    assert one(channel, "title").text == "Test Show"
    assert one(channel, "link").text == "https://example.org/show/"
    assert one(channel, "language").text == "fr"
    assert one(channel, "copyright").text == "© 2024 Test"
    assert one(channel, "atom:link[@rel='self']").get("href") == "https://example.org/show/feed.xml"
    assert one(channel, "itunes:author").text == "Test Author"
    assert one(channel, "itunes:image").get("href") == "https://example.org/show/cover.jpg"
    assert one(channel, "itunes:explicit").text == "false"
    assert one(channel, "itunes:type").text == "episodic"
    assert one(channel, "itunes:owner/itunes:email").text == "owner@example.org"
    assert one(channel, "itunes:category").get("text") == "Technology"
    assert one(channel, "podcast:guid").text == podcast_guid("https://example.org/show/feed.xml")
    assert one(channel, "podcast:locked").text == "yes"
    assert one(channel, "podcast:locked").get("owner") == "owner@example.org"
    assert one(channel, "podcast:medium").text == "podcast"
    person = one(channel, "podcast:person")
    assert (person.text, person.get("role")) == ("Hôte Un", "host")
    # lastBuildDate is the newest episode's date: the same sources give the same feed.
    assert one(channel, "lastBuildDate").text == "Mon, 15 Jan 2024 08:00:00 +0100"


def test_item(feed: etree._Element) -> None:
    item = one(feed, "channel/item")
    assert one(item, "title").text == one(item, "itunes:title").text == "Premier épisode"
    assert one(item, "link").text == "https://example.org/show/001-premier/"
    guid = one(item, "guid")
    assert (guid.text, guid.get("isPermaLink")) == ("11111111-2222-3333-4444-555555555555", "false")
    assert (
        parsedate_to_datetime(one(item, "pubDate").text).isoformat() == "2024-01-15T08:00:00+01:00"
    )
    description = one(item, "description").text
    assert description.endswith(
        "Chapitres\u00a0:\n00:00:00 Introduction\n00:00:20 Le cœur du sujet\n00:00:45 Conclusion"
    )
    html = one(item, "content:encoded").text
    assert "<strong>de test</strong>" in html and "<h2>Chapitres</h2>" in html
    enclosure = one(item, "enclosure")
    assert enclosure.get("url") == "https://example.org/show/001-premier/episode.mp3"
    assert enclosure.get("type") == "audio/mpeg"
    assert one(item, "itunes:duration").text == "60"
    assert one(item, "itunes:episode").text == one(item, "podcast:episode").text == "1"
    assert one(item, "itunes:season").text == one(item, "podcast:season").text == "1"
    assert one(item, "itunes:episodeType").text == "full"
    assert one(item, "itunes:explicit").text == "false"
    roles = [(p.text, p.get("role")) for p in item.xpath("podcast:person", namespaces=NS)]
    assert roles == [("Hôte Un", "host"), ("Invitée Deux", "guest")]
    chapters = one(item, "podcast:chapters")
    assert chapters.get("url") == "https://example.org/show/001-premier/chapters.json"
    assert chapters.get("type") == "application/json+chapters"
    transcripts = {t.get("type"): t for t in item.xpath("podcast:transcript", namespaces=NS)}
    assert set(transcripts) == {
        "text/vtt",
        "application/x-subrip",
        "application/json",
        "text/plain",
    }
    assert transcripts["text/vtt"].get("rel") == "captions"
    assert {t.get("language") for t in transcripts.values()} == {"fr"}
    assert (
        transcripts["text/vtt"].get("url") == "https://example.org/show/001-premier/transcript.vtt"
    )
    psc = one(item, "psc:chapters")
    assert [(c.get("start"), c.get("title")) for c in psc] == [
        ("00:00:00.000", "Introduction"),
        ("00:00:20.500", "Le cœur du sujet"),
        ("00:00:45.000", "Conclusion"),
    ]


def test_enclosure_length_is_the_tagged_file_and_links_resolve(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    feed = etree.fromstring(built_feed(make_show(), out))
    enclosure = one(feed, "channel/item/enclosure")
    assert int(enclosure.get("length")) == (out / "001-premier" / "episode.mp3").stat().st_size
    for url in feed.xpath("//@url | //@href", namespaces=NS):
        if url.startswith("https://example.org/show/") and not url.endswith("/"):
            assert (out / url.removeprefix("https://example.org/show/")).is_file(), url
    chapters = json.loads((out / "001-premier" / "chapters.json").read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    assert [c["startTime"] for c in chapters["chapters"]] == [0, 20.5, 45]


def test_apple_and_rss_rules(feed: etree._Element) -> None:
    """The checks the W3C feed validator and Apple make that apply to what we emit."""
    channel = one(feed, "channel")
    for required in ("title", "link", "description"):
        assert (one(channel, required).text or "").strip()
    image = one(channel, "itunes:image").get("href")
    assert re.search(r"\.(jpg|png)$", image)
    for category in channel.xpath("itunes:category", namespaces=NS):
        assert category.get("text") in APPLE_CATEGORIES
        for sub in category:
            assert sub.get("text") in APPLE_CATEGORIES[category.get("text")]
    for item in channel.xpath("item"):
        assert one(item, "guid").text
        assert parsedate_to_datetime(one(item, "pubDate").text).tzinfo is not None
        assert int(one(item, "enclosure").get("length")) > 0
        assert one(item, "itunes:duration").text.isdigit()
        assert one(item, "itunes:explicit").text in ("true", "false")
        assert one(item, "itunes:episodeType").text in ("full", "trailer", "bonus")
        assert int(one(item, "itunes:episode").text) > 0
    assert one(channel, "itunes:explicit").text in ("true", "false")


def test_feedparser_reads_enclosure_duration_and_numbers(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    parsed = feedparser.parse(built_feed(make_show(), tmp_path / "site"))
    assert not parsed.bozo, parsed.bozo_exception
    entry = parsed.entries[0]
    assert entry.enclosures[0].href == "https://example.org/show/001-premier/episode.mp3"
    assert entry.enclosures[0].type == "audio/mpeg"
    assert entry.itunes_duration == "60"
    assert entry.itunes_episode == "1" and entry.itunes_season == "1"
    assert entry.id == "11111111-2222-3333-4444-555555555555"


def test_podcastparser_reads_chapters_like_an_app(make_show: ShowMaker, tmp_path: Path) -> None:
    data = built_feed(make_show(), tmp_path / "site")
    parsed = podcastparser.parse("https://example.org/show/feed.xml", io.BytesIO(data))
    episode = parsed["episodes"][0]
    assert [c["title"] for c in episode["chapters"]] == [
        "Introduction",
        "Le cœur du sujet",
        "Conclusion",
    ]
    assert (episode["number"], episode["season"], episode["total_time"]) == (1, 1, 60)
    assert parsed["itunes_categories"] == [["Technology"]]


def test_same_sources_give_the_same_feed(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    assert built_feed(source, tmp_path / "a") == built_feed(source, tmp_path / "b")


def test_future_episodes_wait_unless_drafts(make_show: ShowMaker, tmp_path: Path) -> None:
    future = EPISODE_TOML.replace("2024-01-15T08:00:00+01:00", "2030-01-15T08:00:00+01:00")
    source = make_show(**{"001-premier/episode.toml": future})
    feed = etree.fromstring(built_feed(source, tmp_path / "a"))
    assert feed.xpath("channel/item") == []
    assert not (tmp_path / "a" / "001-premier").exists()
    feed = etree.fromstring(built_feed(source, tmp_path / "b", drafts=True))
    assert len(feed.xpath("channel/item")) == 1


def test_keytime_feed(tmp_path: Path) -> None:
    root = Path(__file__).parents[1] / "episodes"
    feed = etree.fromstring(built_feed(root, tmp_path / "site"))
    item = one(feed, "channel/item")
    show, _ = load_show(root)
    assert one(item, "itunes:duration").text == str(round(show.episodes[0].audio_info.duration))
    assert len(one(item, "psc:chapters")) == 16
    assert {p.text for p in item.xpath("podcast:person", namespaces=NS)} == {
        "Laura Guibora",
        "Antony Passemard",
    }


def test_episode_art_funding_and_persons_links(make_show: ShowMaker, tmp_path: Path) -> None:
    show_toml = (
        SHOW_TOML + '\n[[funding]]\nurl = "https://example.org/soutenir"\ntext = "Soutenez-nous"\n'
    )
    show_toml = show_toml.replace(
        'name = "Hôte Un"\nrole = "host"',
        'name = "Hôte Un"\nrole = "host"\nhref = "https://example.org/hote"',
    )
    cover = (Path(__file__).parents[1] / "episodes" / "cover.jpg").read_bytes()
    source = make_show(
        **{
            "show.toml": show_toml,
            "001-premier/art.jpg": cover,
            "001-premier/episode.toml": EPISODE_TOML.replace(
                'audio = "episode.mp3"', 'audio = "episode.mp3"\ncover = "art.jpg"'
            ),
        }
    )
    out = tmp_path / "site"
    feed = etree.fromstring(built_feed(source, out))
    channel = one(feed, "channel")
    funding = one(channel, "podcast:funding")
    assert (funding.get("url"), funding.text) == ("https://example.org/soutenir", "Soutenez-nous")
    assert one(channel, "podcast:person").get("href") == "https://example.org/hote"
    art = one(channel, "item/itunes:image").get("href")
    assert art == "https://example.org/show/001-premier/cover.jpg"
    assert (out / "001-premier" / "cover.jpg").read_bytes() == cover


def test_a_feed_without_episodes_does_not_depend_on_the_clock(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """feedgen dates a channel with the clock: a show whose only episode is still a draft
    must give the same feed bytes at any time."""
    import feedgen.feed

    later = EPISODE_TOML.replace("2024-01-15", "2099-01-15")
    source = make_show(**{"001-premier/episode.toml": later})
    first = built_feed(source, tmp_path / "a")
    real_datetime = feedgen.feed.datetime

    class Tomorrow(real_datetime):  # type: ignore[misc, valid-type]
        @classmethod
        def now(cls, tz: object = None) -> datetime:
            return real_datetime(2031, 1, 2, 3, 4, 5, tzinfo=tz)  # type: ignore[arg-type]

    monkeypatch.setattr(feedgen.feed, "datetime", Tomorrow)
    assert built_feed(source, tmp_path / "b") == first
    assert b"lastBuildDate" not in first


def _long_notes() -> str:
    """About 10 KB of Markdown: headings, paragraphs of sentences, a list."""
    sentence = "Une phrase des notes, avec des accents à l’écoute, qui dit une chose précise. "
    blocks = []
    for part in range(1, 15):
        blocks.append(f"## Partie {part}")
        blocks.append(sentence * 8)
        blocks.append("\n".join(f"- Élément {part}.{i} de la liste" for i in range(1, 6)))
    return "\n\n".join(blocks) + "\n"


def _many_chapters(count: int) -> str:
    return "".join(
        f'\n[[chapters]]\nstart = "00:00:{i * 1.4:06.3f}"\n'
        f'title = "Chapitre {i + 1} : un titre d’une longueur ordinaire"\n'
        for i in range(count)
    )


def test_descriptions_fit_apple_limit_and_keep_every_chapter_timestamp(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    episode_toml = EPISODE_TOML.split("[[chapters]]")[0] + _many_chapters(40)
    notes = _long_notes()
    assert len(notes.encode("utf-8")) > 10_000
    source = make_show(**{"001-premier/episode.toml": episode_toml, "001-premier/notes.md": notes})
    root = etree.fromstring(built_feed(source, tmp_path / "site"))
    item = one(root, "channel/item")
    texts = {
        tag: one(item, tag).text or ""
        for tag in ("description", "content:encoded", "itunes:summary")
    }
    for tag, text in texts.items():
        assert len(text.encode("utf-8")) <= 4000, tag
    page = "https://example.org/show/001-premier/"
    for tag in ("description", "content:encoded"):
        text = texts[tag]
        stamps = re.findall(r"\d\d:\d\d:\d\d Chapitre (\d+)", text)
        assert stamps == [str(i) for i in range(1, 41)], tag
        assert page in text and "Partie 1" in text, tag
        assert text.index("Partie 1") < text.index("00:00:00 Chapitre 1"), "notes come first"
    assert "Élément 14.5" not in texts["description"]  # shortened, not the whole notes
    assert f"Notes complètes\u00a0: {page}" in texts["description"]
    content = etree.fromstring(f"<div>{texts['content:encoded']}</div>", etree.HTMLParser())
    assert content.xpath("//a/@href")[-1] == page
    last = content.xpath("//body/div/*")[-4:]  # the kept notes end with a whole block
    assert [e.tag for e in last][-3:] == ["p", "h2", "ul"]
    parsed = feedparser.parse(etree.tostring(root))
    assert not parsed.bozo and "Chapitre 40" in parsed.entries[0].content[0].value


def test_chapter_timestamps_longer_than_the_limit_still_give_a_description_within_it(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    episode_toml = EPISODE_TOML.split("[[chapters]]")[0] + _many_chapters(42).replace(
        "ordinaire", "ordinaire " + "très " * 30
    )
    source = make_show(**{"001-premier/episode.toml": episode_toml})
    item = one(etree.fromstring(built_feed(source, tmp_path / "site")), "channel/item")
    for tag in ("description", "content:encoded"):
        assert len((one(item, tag).text or "").encode("utf-8")) <= 4000, tag


def test_a_long_show_description_is_cut_at_a_sentence(make_show: ShowMaker, tmp_path: Path) -> None:
    long = "Une émission qui parle de tout, longuement. " * 120
    show_toml = re.sub(r'description = ".*"', f'description = "{long.strip()}"', SHOW_TOML)
    assert long.strip() in show_toml
    root = etree.fromstring(built_feed(make_show(**{"show.toml": show_toml}), tmp_path / "s"))
    for tag in ("channel/description", "channel/itunes:summary"):
        text = one(root, tag).text or ""
        assert 3000 < len(text.encode("utf-8")) <= 4000 and text.endswith("longuement.…"), tag


def test_the_plain_description_keeps_a_numbered_lists_numbers(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    # Apple shows <description> as plain text: "1." must not turn into a bullet there.
    notes = "Au programme :\n\n3. La question\n4. La réponse\n   - un détail\n\nFin.\n"
    source = make_show(**{"001-premier/notes.md": notes})
    item = one(etree.fromstring(built_feed(source, tmp_path / "site")), "channel/item")
    description = one(item, "description").text or ""
    assert "3. La question\n4. La réponse\n   - un détail\n\nFin." in description
    assert '<ol start="3">' in (one(item, "content:encoded").text or "")
