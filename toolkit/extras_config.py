"""Read the optional Podcasting 2.0 and Apple keys of ``show.toml`` and ``episode.toml``
(license, location, soundbites, podroll…) into the model's `ShowExtras` / `EpisodeExtras`.

Each reader records its problems in the table's `Problems`, like the other keys, so that one
run reports them all.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from toolkit import paths
from toolkit.model import (
    AlternateEnclosure,
    AudioInfo,
    EpisodeExtras,
    License,
    Location,
    Notify,
    RemoteItem,
    ShowExtras,
    SocialInteract,
    Soundbite,
    Txt,
    UpdateFrequency,
    Value,
    ValueRecipient,
)
from toolkit.patterns import compiled
from toolkit.timecode import format_timestamp
from toolkit.tomlcheck import Table, url_problem

# The Podcasting 2.0 lists (serviceslugs.txt, socialprotocols.txt of podcast-namespace).
SERVICE_SLUGS = (
    "acast",
    "amazon",
    "anchor",
    "apple",
    "audioboom",
    "backtracks",
    "bitcoin",
    "blubrry",
    "buzzsprout",
    "captivate",
    "castos",
    "fireside",
    "google",
    "hypercatcher",
    "libsyn",
    "mastodon",
    "megafono",
    "megaphone",
    "omnystudio",
    "overcast",
    "paypal",
    "pinecast",
    "podbean",
    "podcastaddict",
    "podcastindex",
    "podcasts.com",
    "podchaser",
    "podfriend",
    "podiant",
    "podigee",
    "podnews",
    "podomatic",
    "podserve",
    "podverse",
    "redcircle",
    "relayfm",
    "resonate",
    "rss.com",
    "shoutengine",
    "simplecast",
    "slack",
    "soundcloud",
    "spotify",
    "spreaker",
    "transistor",
    "twitter",
    "whooshkaa",
    "zencast",
)
SOCIAL_PROTOCOLS = (
    "disabled",
    "activitypub",
    "twitter",
    "lightning",
    "bluesky",
    "hive",
    "matrix",
    "nostr",
)
MEDIUMS_REMOTE = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog")
LOCATION_RELS = ("subject", "creator")
# An SPDX identifier has no space; any other license needs the URL of its text.
_SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+-]*"
_GEO = r"geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)(?:,-?\d+(?:\.\d+)?)?(?:;u=\d+(?:\.\d+)?)?"
_OSM = r"[NWR]\d+(?:#\d+)?"
_RRULE = r"FREQ=(?:SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(?:;[A-Z]+=[^;\s]+)*"
_SATS = r"\d+(?:\.\d+)?"
# MIME types of the audio formats an app can play, by what the file's first bytes say.
ALTERNATE_TYPES = {"opus": "audio/opus", "ogg": "audio/ogg", "aac": "audio/aac"}
ALTERNATE_TYPES |= {"m4a": "audio/mp4", "flac": "audio/flac", "mp3": "audio/mpeg"}
MAX_NAME = 128  # characters: what aggregators keep of a location's or a purpose's text
MAX_TXT = 4000


def show_extras(t: Table) -> ShowExtras:
    """The show's optional tags, read from ``show.toml``'s table."""
    return ShowExtras(
        license=_license(t),
        location=read_location(t),
        txt=_txts(t),
        podroll=_podroll(t),
        update_frequency=_update_frequency(t),
        block=_block(t),
        value=_value(t),
        new_feed_url=t.url("new_feed_url"),
        complete=t.boolean("complete", False),
        analytics_prefix=_analytics_prefix(t),
        notify=_notify(t),
    )


def episode_extras(t: Table, directory: Path, info: AudioInfo | None) -> EpisodeExtras:
    """The episode's optional tags, read from ``episode.toml``'s table; soundbites are checked
    against the audio's duration when it is known."""
    number = t.data.get("number")
    decimal = None
    if is_decimal_number(number):
        t.known.add("number")
        decimal = f"{number:g}"
    return EpisodeExtras(
        soundbites=_soundbites(t, info),
        license=_license(t),
        location=read_location(t),
        season_name=_short_text(t, "season_name"),
        episode_display=_short_text(t, "episode_display"),
        decimal_number=decimal,
        alternate_enclosures=_alternate_enclosures(t, directory),
        txt=_txts(t),
        social_interact=_social_interact(t),
        value=_value(t),
        block=t.boolean("block", False),
    )


def is_decimal_number(value: object) -> bool:
    """Whether an episode's ``number`` is a decimal one (2.5): for podcast:episode only."""
    return isinstance(value, float) and math.isfinite(value) and value > 0


def _short_text(t: Table, name: str) -> str | None:
    value = t.text(name)
    if value is not None and len(value) > MAX_NAME:
        t.error(name, f"has {len(value)} characters: apps keep {MAX_NAME}, shorten it")
        return None
    return value


def _license(t: Table) -> License | None:
    """``license = "CC-BY-4.0"``, or ``[license]`` with name and url."""
    if isinstance(t.data.get("license"), str):
        name, url = t.text("license"), None
        where, table = "license", t
    else:
        found = t.table("license")
        if found is None:
            return None
        name, url = found.text("name", required=True), found.url("url")
        found.finish()
        where, table = "name", found
    if name is None:
        return None
    if url is None and not compiled(_SPDX_ID).fullmatch(name):
        table.error(
            where,
            f"{name!r} is not an SPDX identifier (like CC-BY-4.0): write [license] with "
            'name and url = "https://…" of its text',
        )
        return None
    return License(name, url)


def read_location(t: Table) -> Location | None:
    """The table's ``[location]`` (show, episode or chapter), checked."""
    found = t.table("location")
    if found is None:
        return None
    name = found.text("name", required=True)
    rel = found.text("rel")
    geo, osm, country = found.text("geo"), found.text("osm"), found.text("country")
    found.finish()
    if name is not None and len(name) > MAX_NAME:
        found.error("name", f"has {len(name)} characters: apps keep {MAX_NAME}, shorten it")
        name = None
    if rel is not None and rel not in LOCATION_RELS:
        found.error("rel", f"{rel!r} is not allowed: use subject or creator")
        rel = None
    if geo is not None and not _valid_geo(geo):
        found.error("geo", f"{geo!r} is not a geo URI: write geo:LATITUDE,LONGITUDE")
        geo = None
    if osm is not None and not compiled(_OSM).fullmatch(osm):
        found.error("osm", f"{osm!r} is not an OpenStreetMap id: write N, W or R and the id")
        osm = None
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        found.error("country", f"{country!r} is not an ISO 3166-1 code: write e.g. FR")
        country = None
    return Location(name, rel, geo, osm, country) if name else None


def _valid_geo(geo: str) -> bool:
    match = compiled(_GEO).fullmatch(geo)
    if match is None:
        return False
    latitude, longitude = float(match[1]), float(match[2])
    return abs(latitude) <= 90 and abs(longitude) <= 180


def _txts(t: Table) -> tuple[Txt, ...]:
    txts = []
    for found in t.tables("txt"):
        text, purpose = found.text("text", required=True), found.text("purpose")
        found.finish()
        if text is not None and len(text) > MAX_TXT:
            found.error("text", f"has {len(text)} characters: at most {MAX_TXT}")
            continue
        if purpose is not None and len(purpose) > MAX_NAME:
            found.error("purpose", f"has {len(purpose)} characters: at most {MAX_NAME}")
            continue
        if text is not None:
            txts.append(Txt(text, purpose))
    return tuple(txts)


def _podroll(t: Table) -> tuple[RemoteItem, ...]:
    items = []
    for found in t.tables("podroll"):
        guid = found.text("feed_guid", required=True)
        url = found.url("feed_url")
        medium = found.choice("medium", MEDIUMS_REMOTE, "podcast")
        found.finish()
        if guid is None:
            continue
        import uuid  # only for a show with a podroll: the module imports `platform`

        try:
            guid = str(uuid.UUID(guid))
        except ValueError:
            found.error(
                "feed_guid", f"{guid!r} is not a podcast:guid (a UUID): copy it from its feed"
            )
            continue
        items.append(RemoteItem(guid, url, None if medium == "podcast" else medium))
    return tuple(items)


def _update_frequency(t: Table) -> UpdateFrequency | None:
    found = t.table("update_frequency")
    if found is None:
        return None
    text = found.text("text", required=True)
    rrule = found.text("rrule")
    complete = found.boolean("complete", False)
    dtstart = found.moment("dtstart")
    found.finish()
    if rrule is not None and not compiled(_RRULE).fullmatch(rrule):
        found.error("rrule", f"{rrule!r} is not an RFC 5545 rule: write e.g. FREQ=MONTHLY")
        return None
    return UpdateFrequency(text, rrule, complete, dtstart) if text else None


def _block(t: Table) -> tuple[str, ...]:
    """``block = true`` (every app) or ``block = ["spotify", …]`` (those services)."""
    value = t.data.get("block")
    if isinstance(value, bool) or value is None:
        return ("all",) if t.boolean("block", False) else ()
    services = t.strings("block")
    unknown = [s for s in services if s not in SERVICE_SLUGS]
    if unknown:
        t.error(
            "block",
            f"{', '.join(map(repr, unknown))} not in the Podcasting 2.0 service list "
            "(e.g. apple, spotify, google, amazon): use true to block every app",
        )
        return ()
    return services


def _value(t: Table) -> Value | None:
    found = t.table("value")
    if found is None:
        return None
    kind = found.choice("type", ("lightning", "bitcoin"), "lightning")
    method = found.choice("method", ("keysend",), "keysend")
    suggested = found.text("suggested")
    recipients = [_recipient(r) for r in found.tables("recipients")]
    if not found.data.get("recipients"):
        found.error("recipients", "missing: add [[value.recipients]] with name, address, split")
    found.finish()
    if suggested is not None and not compiled(_SATS).fullmatch(suggested):
        found.error("suggested", f"{suggested!r} is not an amount: write e.g. 0.00000005000")
        return None
    kept = tuple(r for r in recipients if r is not None)
    if not kept or len(kept) != len(recipients):
        return None
    return Value(kept, kind, method, suggested)


def _recipient(r: Table) -> ValueRecipient | None:
    name = r.text("name", required=True)
    address = r.text("address", required=True)
    split = r.integer("split", required=True, minimum=1)
    kind = r.choice("type", ("node", "lnaddress"), "node")
    custom_key, custom_value = r.text("custom_key"), r.text("custom_value")
    fee = r.boolean("fee", False)
    r.finish()
    if not (name and address and split):
        return None
    return ValueRecipient(name, address, split, kind, custom_key, custom_value, fee)


def _analytics_prefix(t: Table) -> str | None:
    prefix = t.url("analytics_prefix")
    if prefix is not None and not prefix.endswith("/"):
        t.error("analytics_prefix", f"{prefix!r} must end with / (e.g. https://op3.dev/e/)")
        return None
    return prefix


def _notify(t: Table) -> Notify:
    found = t.table("notify")
    if found is None:
        return Notify()
    hub = found.url("hub")
    index = found.url("podcast_index") or Notify().podcast_index
    found.finish()
    return Notify(hub, index)


def _seconds(t: Table, name: str) -> float | None:
    value = t.data.get(name)
    t.known.add(name)
    if value is None:
        t.error(name, f"missing: add {name} = 30 (seconds)")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        t.error(name, f"must be a number of seconds above 0, like {name} = 30")
        return None
    return float(value)


def _soundbites(t: Table, info: AudioInfo | None) -> tuple[Soundbite, ...]:
    bites = []
    for found in t.tables("soundbites"):
        start = found.timestamp("start", required=True)
        duration = _seconds(found, "duration")
        title = _short_text(found, "title")
        found.finish()
        if start is None or duration is None:
            continue
        if info is not None and start + duration > info.duration + 0.5:
            found.error(
                "duration",
                f"ends at {format_timestamp(start + duration)}, past the end of the audio "
                f"({format_timestamp(info.duration)})",
            )
            continue
        if not 15 <= duration <= 120:
            found.problems.warn(
                found.file, found.key("duration"), "apps expect 15 to 120 seconds for a soundbite"
            )
        bites.append(Soundbite(start, duration, title))
    return tuple(bites)


def _alternate_enclosures(t: Table, directory: Path) -> tuple[AlternateEnclosure, ...]:
    """Other versions of the audio the podcaster provides next to the MP3 (Opus, AAC…)."""
    found_all = []
    for found in t.tables("alternate_enclosures"):
        path = found.file_path("file", directory, required=True, root=directory.parent)
        title = _short_text(found, "title")
        default = found.boolean("default", False)
        found.finish()
        if path is None:
            continue
        clash = _name_clash(path.name, t)
        if clash:
            found.error("file", clash)
            continue
        kind = audio_kind(path)
        if kind is None:
            found.error(
                "file",
                f"{path.name} is not an audio file podkit knows (Opus, Ogg, AAC, M4A, FLAC, MP3)",
            )
            continue
        size, digest = path.stat().st_size, _integrity(path)
        found_all.append(
            AlternateEnclosure(path, ALTERNATE_TYPES[kind], size, title, default, digest)
        )
    return tuple(found_all)


def url_after_prefix(prefix: str | None, url: str) -> str:
    """The enclosure URL as analytics services want it: their prefix, then the URL without
    ``https://`` (OP3, Podtrac and Chartable imply it); an ``http://`` URL keeps its scheme."""
    if prefix is None:
        return url
    return prefix + url.removeprefix("https://")


def prefixed_url_problem(prefix: str, url: str) -> str | None:
    return url_problem(url_after_prefix(prefix, url))


def _name_clash(name: str, t: Table) -> str | None:
    """Why the episode's folder in the site cannot have a file of this name, if so."""
    if name == Path(str(t.data.get("audio", ""))).name:
        return f"{name!r} is the name of the episode's MP3 in the site: rename the file"
    return paths.own_name_problem(name)


def _integrity(path: Path) -> str:
    """The file's Subresource Integrity digest (sha384-BASE64), as podcast:integrity wants."""
    import base64  # only for a show that publishes other audio files
    import hashlib

    digest = hashlib.sha384()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return "sha384-" + base64.b64encode(digest.digest()).decode()


def audio_kind(path: Path) -> str | None:
    """The audio format as the file's first bytes say (not its name), or None."""
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
    except OSError:
        return None
    if head.startswith(b"OggS"):
        return "opus" if head[28:36] == b"OpusHead" else "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return "mp3"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"  # ADTS
    return None


def _social_interact(t: Table) -> tuple[SocialInteract, ...]:
    found_all = []
    for found in t.tables("social_interact"):
        protocol = found.choice("protocol", SOCIAL_PROTOCOLS, "activitypub")
        uri = found.url("uri")
        account_id, account_url = found.text("account_id"), found.url("account_url")
        priority = found.integer("priority")
        found.finish()
        if uri is None and protocol != "disabled":
            found.error("uri", 'missing: add uri = "https://…" of the post to comment on')
            continue
        found_all.append(SocialInteract(protocol, uri, account_id, account_url, priority))
    return tuple(found_all)
