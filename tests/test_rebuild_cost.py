"""What a rebuild with nothing changed asks of the disk and makes again: each source file is
asked for once, the manifest's names are checked at once, paths come back as they were."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path, PosixPath, PurePosixPath

import pytest
from conftest import ShowMaker, tree_digest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import cache as cache_module
from toolkit import cache_record, paths
from toolkit.build import build
from toolkit.cache import MANIFEST, Manifest, is_site_name

EP = "001-premier"


def stats_of(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names `os.stat` is asked for from now on (`Path.stat` and `os.path.isfile` too)."""
    asked: list[str] = []
    real = os.stat

    def spy(path: object, *args: object, **kwargs: object) -> os.stat_result:
        asked.append(os.fspath(path))  # type: ignore[arg-type]
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", spy)
    return asked


def test_a_rebuild_asks_for_each_source_file_once(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder's listing tells an episode folder (its episode.toml), and the MP3's tag key
    takes the stat loading took: neither file is asked for again; the site stays the same."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the files were written just now
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    build(source, out)
    reference = tree_digest(out)
    asked = stats_of(monkeypatch)
    report = build(source, out)
    asked = asked[:]  # the build's, not the checks' below
    assert asked.count(str(source / EP / "episode.toml")) == 1
    assert asked.count(str(source / EP / "episode.mp3")) == 1
    assert not report.written.written
    assert tree_digest(out) == reference


def test_an_mp3_replaced_after_a_build_is_tagged_again(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """The tag key made from loading's stat still sees a new source MP3."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    mp3 = source / EP / "episode.mp3"
    data = mp3.read_bytes()
    mp3.unlink()
    mp3.write_bytes(data + b"\0" * 417)  # another file, another size
    report = build(source, out)
    assert f"{EP}/episode.mp3" in map(str, report.written.written)
    fresh = tmp_path / "fresh"
    build(source, fresh)
    assert (out / EP / "episode.mp3").read_bytes() == (fresh / EP / "episode.mp3").read_bytes()


def test_a_folder_without_episode_toml_is_skipped_by_a_build_too(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """The listing taken for the folder's state tells it has no episode.toml (a folder
    named episode.toml is no file either)."""
    source, out = make_show(), tmp_path / "site"
    (source / "002-notes").mkdir()
    (source / "002-notes" / "notes.md").write_text("draft", encoding="utf-8")
    (source / "003-odd" / "episode.toml").mkdir(parents=True)
    report = build(source, out)
    skipped = {Path(w.file).name for w in report.warnings if "not an episode folder" in w.message}
    assert skipped == {"002-notes", "003-odd"}
    assert [e.slug for e in report.show.episodes] == [EP]


def test_a_normal_manifest_is_checked_without_a_call_per_name(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    calls: list[object] = []
    monkeypatch.setattr(cache_module, "is_site_name", lambda n: calls.append(n) or True)
    manifest = Manifest.load(out)
    monkeypatch.undo()
    assert f"{EP}/index.html" in manifest.files
    assert not calls


def test_a_manifest_with_one_bad_name_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    entry = ["k", 1, 2]
    names = ["feed.xml", "a/../../x", "001-ep/index.html", MANIFEST, "a//b"]
    (out / MANIFEST).write_text(json.dumps({"files": dict.fromkeys(names, entry)}))
    manifest = Manifest.load(out)
    assert sorted(manifest.files) == ["001-ep/index.html", "feed.xml"]
    assert sorted(manifest.ignored) == sorted([MANIFEST, "a/../../x", "a//b"])


names = st.lists(st.text(alphabet="a./\\\0\n" + MANIFEST[:3], max_size=8), max_size=6)


@given(names)
def test_names_checked_at_once_are_site_names(found: list[str]) -> None:
    if cache_module._all_site_names(found):
        assert all(is_site_name(name) for name in found)


@given(
    st.lists(st.from_regex(r"[a-z0-9][a-z0-9 .-]{0,12}", fullmatch=True), min_size=1, max_size=5)
)
def test_plain_names_are_checked_at_once(found: list[str]) -> None:
    assert cache_module._all_site_names(found) == all(is_site_name(n) for n in found)


parts = st.text(alphabet="ab.-/ ", max_size=6)


@given(st.lists(parts, min_size=1, max_size=3))
def test_a_site_path_is_the_path_of_its_names(names: list[str]) -> None:
    made, expected = paths._site_path(*names), PurePosixPath(*names)
    assert made == expected
    assert str(made) == str(expected)
    assert made.parts == expected.parts
    assert hash(made) == hash(expected)
    assert made.name == expected.name and made.parent == expected.parent


@given(st.lists(parts, min_size=1, max_size=3), st.booleans())
def test_a_recorded_path_comes_back_with_its_text(names: list[str], absolute: bool) -> None:
    path = PosixPath(*(["/"] if absolute else []), *names)
    stream = io.BytesIO()
    cache_record._Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(path)
    back = cache_record.unpickled(stream.getvalue(), cache_record._MODEL)
    assert back == path
    assert str(back) == str(path)
    assert isinstance(back, PosixPath) and back.parts == path.parts


UNCHANGED_REBUILD = """
import sys
from pathlib import Path
from toolkit import cache
cache.RACY_NS = 0  # the sources were written just now
from toolkit.build import build
source, out = Path(sys.argv[1]), Path(sys.argv[2])
report = build(source, out)
assert report.written.written == (), report.written.written
print(sorted(m for m in sys.modules if m.split(".")[0] in {"jinja2", "feedgen", "lxml"}))
"""


def test_a_rebuild_with_nothing_changed_loads_neither_the_template_engine_nor_the_feeds(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """Jinja2, feedgen and lxml are for a build that renders a page or makes the feed: a
    rebuild that keeps every file loads none of them."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)  # in this process: the subprocess only rebuilds
    found = subprocess.run(
        [sys.executable, "-c", UNCHANGED_REBUILD, str(source), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"
