"""Site paths as URLs."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from hypothesis import given
from hypothesis import strategies as st

from toolkit.paths import quoted

segments = st.text(st.characters(exclude_characters="/\0", exclude_categories=("Cs",)), min_size=1)


@given(st.lists(segments.filter(lambda s: s not in (".", "..")), min_size=1, max_size=4))
def test_a_quoted_path_is_each_segment_percent_encoded(parts: list[str]) -> None:
    path = PurePosixPath(*parts)
    text = quoted(path)
    assert text.split("/") == [quote(part, safe="") for part in path.parts]
    assert [unquote(part) for part in text.split("/")] == list(path.parts)
