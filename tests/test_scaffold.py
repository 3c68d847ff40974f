"""`podkit init` and folder names: a new show from nothing, slugs transliterated."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toolkit.config import SLUG
from toolkit.scaffold import slugify


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
