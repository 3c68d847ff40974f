"""`podkit init` and folder names: a new show from nothing, slugs transliterated."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from click.testing import CliRunner
from conftest import TONE
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from toolkit.artwork import cover_problems
from toolkit.cli import cli
from toolkit.config import SLUG, podcast_guid
from toolkit.scaffold import slugify

BASE = "https://podcast.example.net/mine/"


def test_slugs_transliterate_ligatures_eszett_and_cyrillic() -> None:
    assert slugify("Le cœur du sujet") == "le-coeur-du-sujet"
    assert slugify("Straße") == "strasse"
    assert slugify("Ærø et Œdipe") == "aero-et-oedipe"
    assert slugify("Привет, мир") == "privet-mir"
    assert slugify("Ελληνικά") == "ellenika"


@given(st.text(max_size=200))
def test_a_slug_is_always_a_valid_folder_name_within_the_limit(title: str) -> None:
    slug = slugify(title)
    assert SLUG.fullmatch(slug) and len(slug) <= 50


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_init_starts_a_show_that_builds_and_checks_without_error(tmp_path: Path) -> None:
    show = tmp_path / "my-show"
    code, out = _run("init", str(show), "--title", "Mon émission", "--base-url", BASE)
    assert code == 0, out
    data = tomllib.loads((show / "show.toml").read_text("utf-8"))
    assert data["guid"] == podcast_guid(BASE + "feed.xml") and data["title"] == "Mon émission"
    with Image.open(show / "cover.jpg") as cover:
        assert cover.format == "JPEG" and cover.size == (3000, 3000) and cover.mode == "RGB"
        assert len(cover.getcolors(1 << 20) or []) > 2  # the title is drawn on it
    assert cover_problems(show / "cover.jpg") == []
    episode = show / "001-first-episode"
    shutil.copy(TONE, episode / "001-first-episode.mp3")
    site = tmp_path / "site"
    assert _run("build", "--source", str(show), "--out", str(site))[0] == 0
    feed = etree.parse(str(site / "feed.xml"))
    guid = feed.findtext(".//{https://podcastindex.org/namespace/1.0}guid")
    assert guid == data["guid"]
    code, out = _run("check", "--source", str(show), "--site", str(site))
    assert code == 0 and "error:" not in out, out
    flagged = {tuple(line.split(": ")[1:3]) for line in out.splitlines() if "placeholder" in line}
    keys = ("description", "author", "copyright", "owner.name", "owner.email")
    assert flagged == {(str(show / "show.toml"), key) for key in keys} | {
        (str(episode / "notes.md"), "is still podkit init's placeholder")
    }


def test_init_without_base_url_pins_no_guid_and_check_names_the_placeholder(
    tmp_path: Path,
) -> None:
    show = tmp_path / "show"
    assert _run("init", str(show))[0] == 0
    data = tomllib.loads((show / "show.toml").read_text("utf-8"))
    assert "guid" not in data and data["title"] == "show" and data["language"] == "en"
    shutil.copy(TONE, show / "001-first-episode" / "001-first-episode.mp3")
    out = _run("check", "--source", str(show), "--site", str(tmp_path / "none"))[1]
    assert "show.toml: base_url: is still podkit init's placeholder" in out
    assert "show.toml: guid: not pinned" in out


def test_init_never_overwrites_a_show(tmp_path: Path) -> None:
    (tmp_path / "show.toml").write_text("title = 'mine'\n", "utf-8")
    code, out = _run("init", str(tmp_path))
    assert code == 1 and "already exists: podkit init never overwrites a show" in out
    assert "Traceback" not in out
    assert (tmp_path / "show.toml").read_text("utf-8") == "title = 'mine'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["show.toml"]
