"""The cache's manifest: what a build records is what the next one reads back."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import KEYTIME
from hypothesis import given
from hypothesis import strategies as st

from toolkit.cache import MANIFEST, UNKNOWN, EpisodeEntry, FileEntry, Manifest, Sealed
from toolkit.cache_record import RecordError, loaded_from_record, loaded_record
from toolkit.config import load_show

slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8})?", fullmatch=True)
leaves = st.from_regex(r"[a-z0-9._-]{0,6}[a-z0-9]", fullmatch=True).filter(
    lambda name: name not in (".", "..") and not name.startswith(".")
)
keys = st.text(max_size=20)
sizes = st.integers(min_value=0, max_value=2**53)
file_entries = st.one_of(st.just(UNKNOWN), st.builds(FileEntry, keys, sizes, sizes))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    episodes: dict[str, EpisodeEntry] = {}
    files: dict[str, FileEntry] = {}
    for slug in draw(st.lists(slugs, max_size=3, unique=True)):
        names = sorted({f"{slug}/{leaf}" for leaf in draw(st.lists(leaves, max_size=3))})
        files.update({name: draw(file_entries) for name in names})
        record = draw(st.dictionaries(st.text(max_size=5), json_values, max_size=3))
        warnings = draw(st.lists(json_values, max_size=2))
        episodes[slug] = EpisodeEntry(draw(keys), tuple(names), record, warnings)
    files.update(draw(st.dictionaries(leaves.filter(lambda n: n != MANIFEST), file_entries)))
    pages = draw(st.none() | st.builds(Sealed, st.text(max_size=9), st.text(max_size=9)))
    return Manifest(files, episodes, pages=pages)


@given(manifests())
def test_a_manifest_reads_back_as_it_was_written(manifest: Manifest) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        (out / MANIFEST).write_bytes(manifest.serialised())
        assert Manifest.load(out) == manifest


def test_a_loaded_episode_reads_back_as_it_was_recorded() -> None:
    show, warnings = load_show(KEYTIME, read_transcripts=False)
    for episode in show.episodes:
        transcript = episode.directory / "transcript.txt"
        record = loaded_record(episode, transcript, warnings)
        assert loaded_from_record(record) == (episode, transcript, tuple(warnings))


path_texts = st.lists(st.sampled_from(["", ".", "..", "a", "b c", "é", "/", "//"]), max_size=7)


@given(path_texts.map("".join))
def test_a_recorded_path_reads_back_as_the_very_path(text: str) -> None:
    show, _ = load_show(KEYTIME, read_transcripts=False)
    episode, path = show.episodes[0], Path(text)
    recorded, read, _ = loaded_from_record(loaded_record(episode, path, ()))
    assert (read, str(read), read.parts, read.parent, hash(read)) == (
        path,
        str(path),
        path.parts,
        path.parent,
        hash(path),
    )
    assert recorded.directory.parts == episode.directory.parts


@given(st.binary(max_size=64))
def test_bytes_that_are_no_record_are_refused_with_a_record_error(data: bytes) -> None:
    with pytest.raises(RecordError):
        loaded_from_record(data)


@pytest.mark.parametrize(
    "value",
    [
        [1, None, ()],
        (1, None, ()),
        ("episode", "transcript.txt", ()),
        (Path("x"), None, ()),
        (print, None, ()),
        (os.system, None, ()),
    ],
)
def test_a_record_of_another_shape_or_class_is_refused(value: object) -> None:
    with pytest.raises(RecordError):
        loaded_from_record(pickle.dumps(value))


def test_a_record_with_another_transcript_or_warnings_is_refused() -> None:
    show, _ = load_show(KEYTIME, read_transcripts=False)
    episode = replace(show.episodes[0], transcript=None)
    for value in [(episode, "transcript.txt", ()), (episode, None, ("a warning",))]:
        with pytest.raises(RecordError):
            loaded_from_record(pickle.dumps(value))


def test_the_code_key_follows_the_notes_parser_without_importing_it() -> None:
    """A rebuild that reads no notes keys them by the parser's files, not by importing it."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from toolkit import cache\n"
        "cache.code_key()\n"
        "before = 'markdown_it' in sys.modules\n"
        "import markdown_it\n"
        "print(before, Path(markdown_it.__file__) in cache._package_file('markdown_it'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr
