"""What apps and directories require of the sources: a pinned podcast:guid, the person
taxonomy, the medium list, funding, serial numbering, keywords no app reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, ShowMaker
from lxml import etree

from toolkit.build import build
from toolkit.check import check
from toolkit.config import MEDIUMS, load_show, podcast_guid
from toolkit.errors import ToolkitError
from toolkit.person_taxonomy import ROLES, TAXONOMY

PODCAST = "{https://podcastindex.org/namespace/1.0}"
UNPINNED = SHOW_TOML.replace('guid = "0495cb90-b9d0-50ba-b94b-a40da5f73898"\n', "")


def problems(source: Path) -> list[str]:
    with pytest.raises(ToolkitError) as caught:
        load_show(source)
    return [str(p).replace(f"{source.parent}/", "") for p in caught.value.problems]


def warnings_of(source: Path) -> list[str]:
    _, warnings = load_show(source)
    return [str(p).replace(f"{source.parent}/", "") for p in warnings]


# ---------------------------------------------------------------- podcast:guid


def test_guid_comes_from_show_toml_base_url_never_from_the_preview(make_show: ShowMaker) -> None:
    source = make_show(**{"show.toml": UNPINNED})
    assert "guid" not in UNPINNED
    own, _ = load_show(source)
    preview, _ = load_show(source, base_url="http://127.0.0.1:8000/")
    assert preview.base_url == "http://127.0.0.1:8000/"
    assert (
        preview.podcast_guid
        == own.podcast_guid
        == podcast_guid("https://example.org/show/feed.xml")
    )


def test_check_warns_until_the_guid_is_pinned_with_the_line_to_add(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(**{"show.toml": UNPINNED})
    guid = podcast_guid("https://example.org/show/feed.xml")
    found = [str(f) for f in check(source, tmp_path / "no-site").findings]
    assert (
        f"warning: {source / 'show.toml'}: guid: not pinned: the podcast's identity would change with "
        f'base_url; add the line guid = "{guid}"'
    ) in found
    (source / "show.toml").write_text(f'guid = "{guid}"\n' + UNPINNED, encoding="utf-8")
    assert not any(": guid:" in f for f in map(str, check(source, tmp_path / "x").findings))


def test_keytime_pins_the_guid_its_base_url_gave() -> None:
    show, _ = load_show(KEYTIME)
    assert show.podcast_guid == podcast_guid("https://keytime.efrei.fr/feed.xml")
    assert 'guid = "00712180-602e-5ebb-bd01-69a4b4ad2106"' in (KEYTIME / "show.toml").read_text()


# ---------------------------------------------------------------- podcast:person


def person(role: str, group: str | None = None) -> str:
    lines = ["", "[[persons]]", 'name = "Quelqu\'un"', f'role = "{role}"']
    if group is not None:
        lines.append(f'group = "{group}"')
    return "\n".join(lines) + "\n"


def test_french_roles_and_groups_map_to_the_taxonomy(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"001-premier__episode.toml": EPISODE_TOML + person("Productrice")})
    show, _ = load_show(source)
    producer = show.episodes[0].persons[-1]
    assert (producer.role, producer.group) == ("producer", "creative direction")
    build(source, tmp_path / "site")
    feed = etree.parse(str(tmp_path / "site" / "feed.xml"))
    written = {(p.get("role"), p.get("group")) for p in feed.iter(f"{PODCAST}person")}
    assert written <= {(r, g) for g, roles in TAXONOMY.items() for r in roles}
    assert ("producer", "creative direction") in written


def test_roles_and_groups_outside_the_taxonomy_are_refused_with_the_closest(
    make_show: ShowMaker,
) -> None:
    source = make_show(
        **{
            "001-premier__episode.toml": EPISODE_TOML
            + person("hots")
            + person("productrice", "équipe")
            + person("host", "writing")
        }
    )
    assert problems(source) == [
        "episodes/001-premier/episode.toml: persons[2].role: 'hots' is not a Podcasting 2.0 "
        "role: did you mean 'host'?",
        "episodes/001-premier/episode.toml: persons[3].group: 'équipe' is not a Podcasting "
        "2.0 group: use one of creative direction, cast, writing, audio production, audio "
        "post-production, administration, visuals, community, misc., video production, "
        "video post-production",
        "episodes/001-premier/episode.toml: persons[4].role: 'host' is not a role of the "
        "group 'writing': use 'cast'",
    ]


def test_keytime_persons_are_valid() -> None:
    show, _ = load_show(KEYTIME)
    persons = [*show.persons, *(p for e in show.episodes for p in e.persons)]
    assert persons and all(p.role in ROLES and p.role in TAXONOMY[p.group] for p in persons)


# ---------------------------------------------------------------- medium, funding


@pytest.mark.parametrize("medium", ["course", "publisher", "mixed", "podcastL", "musicL"])
def test_every_medium_of_the_namespace_is_accepted(make_show: ShowMaker, medium: str) -> None:
    show, _ = load_show(make_show(**{"show.toml": f'medium = "{medium}"\n' + SHOW_TOML}))
    assert show.medium == medium and medium in MEDIUMS


def test_funding_needs_https_and_at_most_128_characters(make_show: ShowMaker) -> None:
    funding = (
        '\n[[funding]]\nurl = "http://example.org/don"\ntext = "Soutenez-nous"\n'
        f'\n[[funding]]\nurl = "https://example.org/don"\ntext = "{"x" * 129}"\n'
    )
    source = make_show(**{"show.toml": SHOW_TOML + funding})
    assert problems(source) == [
        "episodes/show.toml: funding[0].url: 'http://example.org/don' must be an https:// "
        "address (Podcasting 2.0 funding)",
        "episodes/show.toml: funding[1].text: has 129 characters: podcast:funding allows "
        "128; shorten it",
    ]


# ---------------------------------------------------------------- serial, keywords


def test_a_serial_show_must_number_every_episode(make_show: ShowMaker, tmp_path: Path) -> None:
    show_toml = SHOW_TOML.replace('type = "episodic"', 'type = "serial"')
    episode = EPISODE_TOML.replace("number = 1\n", "")
    source = make_show(**{"show.toml": show_toml, "001-premier__episode.toml": episode})
    expected = (
        'episodes/001-premier/episode.toml: number: missing: the show is type = "serial", '
        "so every episode needs its number"
    )
    assert problems(source) == [expected]
    found = [str(f).replace(f"{source.parent}/", "") for f in check(source, tmp_path).errors]
    assert found == [expected]


def test_keywords_are_refused_with_a_warning(make_show: ShowMaker) -> None:
    source = make_show(**{"show.toml": 'keywords = ["tech"]\n' + SHOW_TOML})
    assert warnings_of(source) == [
        "warning: episodes/show.toml: keywords: no app reads keywords (Apple ignores itunes:keywords): "
        "put the words in the title, description or notes, and remove the key"
    ]
