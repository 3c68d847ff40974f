"""The feed assembled from kept item fragments: the bytes of a full render on every build
path, only the changed items rendered, and a damaged or foreign fragments file never used."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, TONE
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from toolkit import feed, feed_fragments, seal
from toolkit.build import build
from toolkit.config import load_show
from toolkit.deploy_plan import private
from toolkit.feed import Enclosure, build_feed, render_feed
from toolkit.model import Show

NOW = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
SLUGS = ["001-ep1", "002-ep2", "003-ep3"]


def write_episode(source: Path, n: int) -> str:
    slug = f"{n:03d}-ep{n}"
    folder = source / slug
    folder.mkdir(parents=True)
    toml = (
        EPISODE_TOML.replace("Premier épisode", f"Épisode {n}")
        .replace("number = 1", f"number = {n}")
        .replace("11111111-", f"{n:08d}-")
        .replace("2024-01-15", f"2024-01-{14 + n:02d}")
    )
    (folder / "episode.toml").write_text(toml, encoding="utf-8")
    (folder / "notes.md").write_text(f"Les notes **{n}**.\n", encoding="utf-8")
    shutil.copy(TONE, folder / "episode.mp3")
    return slug


def write_show(source: Path, episodes: int = 3) -> Path:
    source.mkdir(parents=True)
    shutil.copy(KEYTIME / "cover.jpg", source / "cover.jpg")
    (source / "show.toml").write_text(SHOW_TOML, encoding="utf-8")
    for n in range(1, episodes + 1):
        write_episode(source, n)
    return source


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_show(tmp_path / "episodes")


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the items rendered (not taken back), in order."""
    slugs: list[str] = []
    real = feed._add_item

    def counted(fg: object, show: Show, episode: feed.Episode, *rest: object) -> None:
        slugs.append(episode.slug)
        real(fg, show, episode, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(feed, "_add_item", counted)
    return slugs


def rebuilt(source: Path, out: Path, rendered: list[str], **options: object) -> list[str]:
    """Build into ``out`` and check its feed against a clean build's; the items rendered."""
    rendered.clear()
    build(source, out, now=NOW, **options)  # type: ignore[arg-type]
    made = list(rendered)
    assembled = (out / "feed.xml").read_bytes()
    clean = out.with_name(f"clean-{len(list(out.parent.iterdir()))}")
    build(source, clean, now=NOW, **options)  # type: ignore[arg-type]
    assert assembled == (clean / "feed.xml").read_bytes()
    channel = etree.fromstring(assembled).find("channel")
    assert channel is not None and len(channel.findall("item")) == len(
        [p for p in source.iterdir() if p.is_dir()]
    )
    return made


def kept(out: Path) -> dict[str, bytes]:
    return feed_fragments.read(out / feed_fragments.FILE)


def test_a_cold_build_renders_every_item_and_keeps_them_sealed_and_private(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    assert sorted(rebuilt(source, out, rendered)) == SLUGS
    assert len(kept(out)) == 3
    assert private(feed_fragments.FILE.as_posix())  # never deployed
    assert not [p for p in (out / ".podkit-cache").rglob("*.tmp")]  # no temporary


def test_a_feed_made_again_with_nothing_changed_renders_no_item(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    (out / "feed.xml").unlink()  # the feed is made again, its items are all kept
    assert rebuilt(source, out, rendered) == []


def test_an_edited_episode_alone_is_rendered(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    (source / "002-ep2" / "notes.md").write_text("D'autres notes.\n", encoding="utf-8")
    assert rebuilt(source, out, rendered) == ["002-ep2"]
    assert b"D\xe2\x80\x99autres notes" in (out / "feed.xml").read_bytes()
    assert len(kept(out)) == 3  # the edited item's old fragment is dropped


def test_an_added_episode_alone_is_rendered(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    added = write_episode(source, 4)
    assert rebuilt(source, out, rendered) == [added]
    assert len(kept(out)) == 4


def test_a_removed_episode_renders_nothing_and_its_item_goes_at_the_next_write(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    shutil.rmtree(source / "002-ep2")
    assert rebuilt(source, out, rendered) == []
    assert len(kept(out)) == 3  # nothing rendered: the file is not written again
    (source / "001-ep1" / "notes.md").write_text("D'autres notes.\n", encoding="utf-8")
    assert rebuilt(source, out, rendered) == ["001-ep1"]
    assert len(kept(out)) == 2


def test_a_few_items_rendered_leave_the_kept_file_as_it_was(
    source: Path, tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in a large show: one item in three rendered is too few to write the kept items
    again; the next feed renders it again, and two in three are enough."""
    monkeypatch.setattr(seal, "REWRITE_SHARE", 2)
    out = tmp_path / "site"
    build(source, out, now=NOW)
    before = (out / feed_fragments.FILE).stat()
    (source / "002-ep2" / "notes.md").write_text("D'autres notes.\n", encoding="utf-8")
    assert rebuilt(source, out, rendered) == ["002-ep2"]
    after = (out / feed_fragments.FILE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    (out / "feed.xml").unlink()
    assert rebuilt(source, out, rendered) == ["002-ep2"]
    (source / "001-ep1" / "notes.md").write_text("D'autres notes.\n", encoding="utf-8")
    assert sorted(rebuilt(source, out, rendered)) == ["001-ep1", "002-ep2"]
    assert (out / feed_fragments.FILE).stat().st_ino != before.st_ino
    (out / "feed.xml").unlink()
    assert rebuilt(source, out, rendered) == []


def test_a_show_setting_renders_every_item(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    show_toml = source / "show.toml"
    show_toml.write_text(
        show_toml.read_text(encoding="utf-8").replace('language = "fr"', 'language = "en"'),
        encoding="utf-8",
    )
    assert sorted(rebuilt(source, out, rendered)) == SLUGS
    assert b"<language>en</language>" in (out / "feed.xml").read_bytes()


def test_another_base_url_renders_every_item(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    other = "https://other.example/podcast/"
    assert sorted(rebuilt(source, out, rendered, base_url=other)) == SLUGS
    assert b"https://example.org/show/" not in (out / "feed.xml").read_bytes()


def _cover(path: Path, size: int, quality: int = 90) -> None:
    with Image.open(KEYTIME / "cover.jpg") as image:
        image.convert("RGB").resize((size, size)).save(path, "JPEG", quality=quality)


def test_an_episode_cover_of_another_size_renders_its_item(
    source: Path, tmp_path: Path, rendered: list[str]
) -> None:
    episode = source / "002-ep2"
    toml = episode / "episode.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'audio = "episode.mp3"', 'audio = "episode.mp3"\ncover = "art.jpg"'
        ),
        encoding="utf-8",
    )
    _cover(episode / "art.jpg", 1400)
    out = tmp_path / "site"
    build(source, out, now=NOW)
    _cover(episode / "art.jpg", 1500)  # the same name: only the file knows its width
    assert "002-ep2" in rebuilt(source, out, rendered)
    assert b'width="1500"' in (out / "feed.xml").read_bytes()


def _torn(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edited(path: Path) -> None:  # a person changes titles, keeping lengths and seal line
    data = path.read_bytes()
    assert len("Épisode".encode()) == len(b"Forgery!") and "Épisode".encode() in data
    path.write_bytes(data.replace("Épisode".encode(), b"Forgery!"))


def _unsealed(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(b"0" * 64 + data[64:])


def _no_seal_line(path: Path) -> None:
    path.write_bytes(path.read_bytes()[65:])


def _a_folder(path: Path) -> None:
    path.unlink()
    (path / "x").mkdir(parents=True)


def _garbage(path: Path) -> None:
    path.write_bytes(b"\xff\x00 not fragments")


@pytest.mark.parametrize(
    "damage",
    [_torn, _edited, _unsealed, _no_seal_line, _a_folder, _garbage],
    ids=lambda f: f.__name__,
)
def test_a_damaged_fragments_file_means_a_full_render(
    source: Path, tmp_path: Path, rendered: list[str], damage: object
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    damage(out / feed_fragments.FILE)  # type: ignore[operator]
    (out / "feed.xml").unlink()
    assert sorted(rebuilt(source, out, rendered)) == SLUGS
    assert b"Forgery" not in (out / "feed.xml").read_bytes()


def test_fragments_sealed_on_another_machine_are_not_taken_back(
    source: Path, tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    (out / "feed.xml").unlink()
    assert sorted(rebuilt(source, out, rendered)) == SLUGS


def test_fragments_of_another_podkit_are_not_taken_back(
    source: Path, tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    monkeypatch.setattr(feed_fragments, "_code_key", lambda: "another version of podkit")
    (out / "feed.xml").unlink()
    assert sorted(rebuilt(source, out, rendered)) == SLUGS


def test_without_a_seal_key_nothing_is_kept_and_the_build_stands(
    source: Path, tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))  # no key can be made
    out = tmp_path / "site"
    assert sorted(rebuilt(source, out, rendered)) == SLUGS
    assert not (out / feed_fragments.FILE).exists()


def test_a_killed_builds_temporary_fragments_file_goes_at_the_next_build(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(source, out, now=NOW)
    cache = (out / feed_fragments.FILE).parent
    (cache / ".feed-items.k_3x9q0z.tmp").write_bytes(b"half")  # as atomic_write names it
    (cache / "notes.txt").write_text("someone's", encoding="utf-8")
    build(source, out, now=NOW)
    names = {p.name for p in cache.iterdir()}
    assert ".feed-items.k_3x9q0z.tmp" not in names and {"feed-items", "notes.txt"} <= names


def test_a_feed_without_items_keeps_no_fragments_file(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(source, out, now=datetime.fromisoformat("2024-01-01T00:00:00+00:00"), drafts=True)
    assert (out / feed_fragments.FILE).is_file()
    build(source, out, now=datetime.fromisoformat("2024-01-01T00:00:00+00:00"))  # all drafts
    assert not (out / feed_fragments.FILE).exists()  # as a first build leaves it


# In memory: the assembly against a full render, over the episodes' fields.


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Show:
    show, _ = load_show(write_show(tmp_path_factory.mktemp("show") / "episodes"))
    return replace(show, episodes=tuple(replace(e, transcript=None) for e in show.episodes))


def _inputs(show: Show) -> tuple[dict[str, Enclosure], dict[str, tuple[str, ...]]]:
    enclosures = {e.slug: Enclosure(f"https://example.org/{e.slug}.mp3", 7) for e in show.episodes}
    return enclosures, {e.slug: ("vtt",) for e in show.episodes}


def test_an_item_holding_what_separates_items_still_gives_a_full_render(loaded: Show) -> None:
    enclosures, formats = _inputs(loaded)
    before = render_feed(loaded, enclosures, formats, {})
    odd = "<p>a</p>\n    </item>\n    <item>\n<p>b</p>"  # as CDATA, written as it is
    episodes = [replace(e, notes_html=odd) if e.slug == "002-ep2" else e for e in loaded.episodes]
    show = replace(loaded, episodes=tuple(episodes))
    others = {slug: xml for slug, xml in before.items.items() if slug != "002-ep2"}
    after = render_feed(show, enclosures, formats, others)
    assert after.xml == build_feed(show, enclosures, formats)
    assert after.items == {}  # nothing kept that could not be cut out exactly
    assert odd.encode() in after.xml


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), max_size=80)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.integers(0, 2),
    title=_TEXT.filter(str.strip),
    summary=_TEXT,
    notes_html=_TEXT,
    explicit=st.booleans(),
    episode_type=st.sampled_from(["full", "trailer", "bonus"]),
    number=st.none() | st.integers(0, 10**6),
)
def test_an_assembled_feed_is_a_full_render(
    loaded: Show,
    which: int,
    title: str,
    summary: str,
    notes_html: str,
    explicit: bool,
    episode_type: str,
    number: int | None,
) -> None:
    assume("]]>" not in notes_html)  # no CDATA can hold it, in a full render either
    enclosures, formats = _inputs(loaded)
    shared = feed_fragments.shared_inputs(loaded)
    keys = {
        e.slug: feed_fragments.item_key(shared, e, enclosures[e.slug], formats[e.slug])
        for e in loaded.episodes
    }
    before = render_feed(loaded, enclosures, formats, {})
    changed = replace(
        loaded.episodes[which],
        title=title,
        summary=summary,
        notes_html=notes_html,
        notes_text=notes_html,
        explicit=explicit,
        episode_type=episode_type,  # type: ignore[arg-type]
        number=number,
    )
    episodes = tuple(changed if i == which else e for i, e in enumerate(loaded.episodes))
    show = replace(loaded, episodes=episodes)
    still = {
        e.slug
        for e in show.episodes
        if feed_fragments.item_key(shared, e, enclosures[e.slug], formats[e.slug]) == keys[e.slug]
    }
    assert changed.slug not in still or changed == loaded.episodes[which]
    assembled = render_feed(show, enclosures, formats, {s: before.items[s] for s in still})
    assert assembled.xml == build_feed(show, enclosures, formats)
    etree.fromstring(assembled.xml)


def test_an_item_whose_enclosure_or_transcripts_changed_is_rendered_again(
    loaded: Show, tmp_path: Path, rendered: list[str]
) -> None:
    """What the build learns after loading (the tagged MP3's length, the transcript formats
    published) is part of an item's inputs too."""
    enclosures, formats = _inputs(loaded)
    feed_fragments.build_feed(tmp_path, loaded, enclosures, formats)
    enclosures["001-ep1"] = Enclosure(enclosures["001-ep1"].url, 8)
    formats["003-ep3"] = ("vtt", "srt")
    rendered.clear()
    assembled = feed_fragments.build_feed(tmp_path, loaded, enclosures, formats)
    assert sorted(rendered) == ["001-ep1", "003-ep3"]
    assert assembled == build_feed(loaded, enclosures, formats)
