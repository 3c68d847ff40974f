"""The rest of the Podcasting 2.0 namespace and Apple's tags: each key of show.toml and
episode.toml, validated, written into the feed and read back with lxml and the apps' parsers."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, ShowMaker, need_program
from lxml import etree

from toolkit.build import build
from toolkit.config import load_show
from toolkit.errors import ToolkitError
from toolkit.extras_config import url_after_prefix

P = "https://podcastindex.org/namespace/1.0"
NS = {"podcast": P, "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
NS["atom"] = "http://www.w3.org/2005/Atom"
NOW = datetime.fromisoformat("2026-01-01T00:00:00+00:00")

# Top-level keys go before the tables of SHOW_TOML (TOML would put them in its last table).
SHOW_KEYS = """\
new_feed_url = "https://new.example.org/feed.xml"
complete = true
block = ["spotify", "apple"]
analytics_prefix = "https://op3.dev/e/"
license = "CC-BY-4.0"
"""
SHOW_EXTRAS = (
    SHOW_KEYS
    + SHOW_TOML
    + """
[location]
name = "Efrei, Villejuif"
rel = "creator"
geo = "geo:48.788,2.363"
osm = "R105939"
country = "FR"

[[txt]]
text = "S6lpp-7ZCn8-dZfGc-OoyaG"
purpose = "verify"

[[podroll]]
feed_guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
feed_url = "https://mp3s.nashownotes.com/pc20rss.xml"

[update_frequency]
text = "Monthly"
rrule = "FREQ=MONTHLY"

[notify]
hub = "https://pubsubhubbub.appspot.com/"

[value]
suggested = "0.00000005000"

[[value.recipients]]
name = "Host"
address = "02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52"
split = 100
"""
)

EPISODE_EXTRAS = (
    """\
season_name = "Les pionniers"
episode_display = "Épisode pilote"
block = true
"""
    + EPISODE_TOML
    + """
[license]
name = "Tous droits réservés"
url = "https://example.org/licence"

[location]
name = "Paris"
country = "FR"

[[soundbites]]
start = "00:00:20.500"
duration = 24.5
title = "Le cœur du sujet"

[[txt]]
text = "episode note"

[[social_interact]]
protocol = "activitypub"
uri = "https://mastodon.example/@show/1"
account_id = "@show"
priority = 1
"""
)


def _feed(make_show: ShowMaker, tmp_path: Path, **files: str | bytes | None) -> etree._Element:
    out = tmp_path / "site"
    build(make_show(**files), out, now=NOW)
    return etree.parse(str(out / "feed.xml")).getroot()


def _all(node: etree._Element, path: str) -> list[etree._Element]:
    found: list[etree._Element] = node.xpath(path, namespaces=NS)
    return found


def test_every_show_tag_is_written(make_show: ShowMaker, tmp_path: Path) -> None:
    feed = _feed(
        make_show,
        tmp_path,
        **{"show.toml": SHOW_EXTRAS, "001-premier__episode.toml": EPISODE_TOML},
    )
    channel = feed.find("channel")
    assert channel is not None
    assert channel.findtext("itunes:new-feed-url", namespaces=NS) == (
        "https://new.example.org/feed.xml"
    )
    assert channel.findtext("itunes:complete", namespaces=NS) == "Yes"
    assert channel.findtext("itunes:block", namespaces=NS) == "Yes"  # "apple" is Apple's
    blocks = {b.get("id"): b.text for b in _all(channel, "podcast:block")}
    assert blocks == {"spotify": "yes", "apple": "yes"}
    assert channel.findtext("podcast:license", namespaces=NS) == "CC-BY-4.0"
    location = _all(channel, "podcast:location")[0]
    assert (location.text, location.get("geo"), location.get("osm")) == (
        "Efrei, Villejuif",
        "geo:48.788,2.363",
        "R105939",
    )
    assert (location.get("rel"), location.get("country")) == ("creator", "FR")
    txt = _all(channel, "podcast:txt")[0]
    assert (txt.text, txt.get("purpose")) == ("S6lpp-7ZCn8-dZfGc-OoyaG", "verify")
    remote = _all(channel, "podcast:podroll/podcast:remoteItem")
    assert [r.get("feedGuid") for r in remote] == ["917393e3-1b1e-5cef-ace4-edaa54e1f810"]
    frequency = _all(channel, "podcast:updateFrequency")[0]
    assert (frequency.text, frequency.get("rrule")) == ("Monthly", "FREQ=MONTHLY")
    hub = _all(channel, "atom:link[@rel='hub']")
    assert [h.get("href") for h in hub] == ["https://pubsubhubbub.appspot.com/"]
    value = _all(channel, "podcast:value")[0]
    assert (value.get("type"), value.get("method"), value.get("suggested")) == (
        "lightning",
        "keysend",
        "0.00000005000",
    )
    recipient = _all(value, "podcast:valueRecipient")[0]
    assert (recipient.get("type"), recipient.get("split")) == ("node", "100")
    image = _all(channel, "podcast:image")[0]
    assert image.get("href") == "https://example.org/show/cover.jpg"
    assert image.get("width") == image.get("height") and image.get("aspect-ratio") == "1/1"


def test_enclosures_carry_the_analytics_prefix_as_op3_documents(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    feed = _feed(make_show, tmp_path, **{"show.toml": SHOW_EXTRAS})
    url = feed.xpath("channel/item/enclosure/@url")[0]
    assert url == "https://op3.dev/e/example.org/show/001-premier/episode.mp3"
    # The site's own links are not prefixed: only the feed's enclosures are.
    page = (tmp_path / "site" / "001-premier" / "index.html").read_text(encoding="utf-8")
    assert "op3.dev" not in page
    # An http:// address keeps its scheme after the prefix (https:// is implied when absent).
    assert url_after_prefix("https://op3.dev/e/", "http://a.example/x.mp3") == (
        "https://op3.dev/e/http://a.example/x.mp3"
    )
    parsed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert parsed.entries[0].enclosures[0].href == url


def test_every_episode_tag_is_written(make_show: ShowMaker, tmp_path: Path) -> None:
    feed = _feed(make_show, tmp_path, **{"001-premier__episode.toml": EPISODE_EXTRAS})
    item = feed.find("channel/item")
    assert item is not None
    season = _all(item, "podcast:season")[0]
    assert (season.text, season.get("name")) == ("1", "Les pionniers")
    episode = _all(item, "podcast:episode")[0]
    assert (episode.text, episode.get("display")) == ("1", "Épisode pilote")
    assert item.findtext("itunes:block", namespaces=NS) == "Yes"
    license_ = _all(item, "podcast:license")[0]
    assert (license_.text, license_.get("url")) == (
        "Tous droits réservés",
        "https://example.org/licence",
    )
    assert item.findtext("podcast:location", namespaces=NS) == "Paris"
    bite = _all(item, "podcast:soundbite")[0]
    assert (bite.get("startTime"), bite.get("duration"), bite.text) == (
        "20.5",
        "24.5",
        "Le cœur du sujet",
    )
    assert item.findtext("podcast:txt", namespaces=NS) == "episode note"
    social = _all(item, "podcast:socialInteract")[0]
    assert (social.get("protocol"), social.get("uri"), social.get("priority")) == (
        "activitypub",
        "https://mastodon.example/@show/1",
        "1",
    )


def test_soundbites_are_playable_moments_on_the_page(make_show: ShowMaker, tmp_path: Path) -> None:
    _feed(make_show, tmp_path, **{"001-premier__episode.toml": EPISODE_EXTRAS})
    page = etree.HTML((tmp_path / "site" / "001-premier" / "index.html").read_bytes())
    links = page.xpath("//section[@class='soundbites']//a")
    assert [(a.get("href"), a.xpath("string(.)")) for a in links] == [
        ("episode.mp3#t=20.5", "00:20 Le cœur du sujet")
    ]


def test_decimal_episode_number_goes_to_podcast_episode_only(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    toml = EPISODE_TOML.replace("number = 1\n", "number = 1.5\n")
    item = _feed(make_show, tmp_path, **{"001-premier__episode.toml": toml}).find("channel/item")
    assert item is not None
    assert item.findtext("podcast:episode", namespaces=NS) == "1.5"
    assert item.find("itunes:episode", namespaces=NS) is None  # Apple takes whole numbers only


def test_trailer_episodes_become_podcast_trailer(make_show: ShowMaker, tmp_path: Path) -> None:
    toml = EPISODE_TOML.replace('type = "full"', 'type = "trailer"')
    channel = _feed(make_show, tmp_path, **{"001-premier__episode.toml": toml}).find("channel")
    assert channel is not None
    trailer = _all(channel, "podcast:trailer")[0]
    enclosure = channel.find("item/enclosure")
    assert enclosure is not None
    assert trailer.text == "Premier épisode"
    assert trailer.get("url") == enclosure.get("url")
    assert trailer.get("length") == enclosure.get("length")
    assert trailer.get("pubdate") == channel.findtext("item/pubDate")
    assert trailer.get("season") == "1"


def test_alternate_enclosure_is_measured_and_published(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    source = make_show()
    opus = source / "001-premier" / "episode.opus"
    mp3 = source / "001-premier" / "episode.mp3"
    encode = ["-c:a", "libopus", "-b:a", "32k"]
    subprocess.run([ffmpeg, "-v", "error", "-i", str(mp3), *encode, str(opus)], check=True)
    toml = source / "001-premier" / "episode.toml"
    toml.write_text(
        EPISODE_TOML + '\n[[alternate_enclosures]]\nfile = "episode.opus"\ntitle = "Opus"\n',
        encoding="utf-8",
    )
    build(source, tmp_path / "site", now=NOW)
    feed = etree.parse(str(tmp_path / "site" / "feed.xml")).getroot()
    alternate = _all(feed, "channel/item/podcast:alternateEnclosure")[0]
    data = opus.read_bytes()
    assert (alternate.get("type"), alternate.get("length")) == ("audio/opus", str(len(data)))
    assert alternate.get("title") == "Opus"
    source_url = _all(alternate, "podcast:source")[0].get("uri")
    assert source_url == "https://example.org/show/001-premier/episode.opus"
    integrity = _all(alternate, "podcast:integrity")[0]
    expected = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert (integrity.get("type"), integrity.get("value")) == ("sri", expected)
    assert (tmp_path / "site" / "001-premier" / "episode.opus").read_bytes() == data


def test_every_bad_key_is_reported_at_once(make_show: ShowMaker) -> None:
    show_toml = (
        'license = "All rights reserved"\nblock = ["nowhere"]\n'
        'analytics_prefix = "op3.dev/e/"\nnew_feed_url = "feed.xml"\n'
        + SHOW_TOML
        + '[location]\nname = "X"\ngeo = "geo:95,2"\nosm = "Q12"\nrel = "here"\ncountry = "fr"\n'
        '[[podroll]]\nfeed_guid = "not-a-guid"\n'
        '[update_frequency]\ntext = "Often"\nrrule = "sometimes"\n'
        '[value]\nsuggested = "lots"\n'
    )
    episode_toml = EPISODE_TOML + (
        '[[soundbites]]\nstart = "00:00:50"\nduration = 30\n'
        '[[soundbites]]\nstart = "00:00:10"\nduration = -1\n'
        '[[social_interact]]\nprotocol = "carrier-pigeon"\nuri = "https://x.example/1"\n'
        '[[alternate_enclosures]]\nfile = "episode.mp3"\n'
    )
    source = make_show(**{"show.toml": show_toml, "001-premier__episode.toml": episode_toml})
    with pytest.raises(ToolkitError) as raised:
        load_show(source)
    found = {(Path(p.file).name, p.where) for p in raised.value.problems if not p.warning}
    assert found >= {
        ("show.toml", "license"),
        ("show.toml", "block"),
        ("show.toml", "analytics_prefix"),
        ("show.toml", "new_feed_url"),
        ("show.toml", "location.geo"),
        ("show.toml", "location.osm"),
        ("show.toml", "location.rel"),
        ("show.toml", "location.country"),
        ("show.toml", "podroll[0].feed_guid"),
        ("show.toml", "update_frequency.rrule"),
        ("show.toml", "value.suggested"),
        ("show.toml", "value.recipients"),
        ("episode.toml", "soundbites[0].duration"),  # past the end of the 60 s audio
        ("episode.toml", "soundbites[1].duration"),
        ("episode.toml", "social_interact[0].protocol"),
        ("episode.toml", "alternate_enclosures[0].file"),  # the MP3's own name in the site
    }
    messages = [str(p) for p in raised.value.problems]
    assert all("\n" not in m for m in messages)
    assert any("past the end of the audio" in m for m in messages)


def test_extras_survive_a_rebuild_from_the_cache(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"001-premier__episode.toml": EPISODE_EXTRAS})
    out = tmp_path / "site"
    build(source, out, now=NOW)
    first = (out / "feed.xml").read_bytes()
    (out / "feed.xml").unlink()  # the feed is made again from the episodes the cache kept
    build(source, out, now=NOW)
    assert (out / "feed.xml").read_bytes() == first


def test_keytime_has_soundbites_and_its_location(tmp_path: Path) -> None:
    build(KEYTIME, tmp_path / "site", now=NOW)
    feed = etree.parse(str(tmp_path / "site" / "feed.xml")).getroot()
    bites = _all(feed, "channel/item/podcast:soundbite")
    assert len(bites) == 3
    assert [b.text.split("\u00a0:")[0] for b in bites] == [
        "3 août 2001",
        "15 mars 2007",
        "1er mai 2021",
    ]
    assert all(15 <= float(b.get("duration")) <= 120 for b in bites)
    assert _all(feed, "channel/podcast:location")[0].text == "Efrei, Villejuif"


def test_check_follows_the_analytics_prefix_to_the_sites_file(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    from toolkit.check import check

    source = make_show(**{"show.toml": SHOW_EXTRAS})
    build(source, tmp_path / "site", now=NOW)
    findings = check(source, tmp_path / "site", NOW).findings
    assert not [f for f in findings if "enclosure" in f.message or "analytics" in str(f.where)]
    # The same feed with the enclosure pointing nowhere behind the prefix is caught.
    feed = tmp_path / "site" / "feed.xml"
    feed.write_text(
        feed.read_text(encoding="utf-8").replace("episode.mp3", "missing.mp3"), encoding="utf-8"
    )
    assert any(
        "enclosure is not a file" in f.message for f in check(source, feed.parent, NOW).findings
    )
