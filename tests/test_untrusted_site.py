"""The build trusts nothing it finds in the site: a manifest edited by someone else, files
changed since the last build, the leftovers of a build that was killed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EPISODE_TOML, ShowMaker, tree_digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from toolkit import writer
from toolkit.build import build
from toolkit.cache import MANIFEST, PENDING, Manifest, files_key, is_site_name, site_key
from toolkit.cli import cli
from toolkit.writer import write_site

EP = "001-premier"


def site_files(folder: Path) -> dict[str, str]:
    """Every file of a site by content, the manifest aside (it records modification times),
    and podkit's caches (they hold what earlier builds made, for the next ones)."""
    return {
        name: digest
        for name, digest in tree_digest(folder).items()
        if name != MANIFEST and not name.startswith(".podkit-cache/")
    }


def folders(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_dir()}


def assert_same_site(site: Path, fresh: Path) -> None:
    assert site_files(site) == site_files(fresh)
    assert folders(site) == folders(fresh)


def fresh_build(source: Path, tmp_path: Path) -> Path:
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    build(source, fresh)
    return fresh


def edit_manifest(out: Path, edit: Callable[[dict[str, object]], object]) -> None:
    path = out / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


# --- A manifest is never trusted with names ------------------------------------------------


def test_an_edited_manifest_deletes_nothing_it_should_not(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    victim, beside, target = tmp_path / "victim", tmp_path / "x", tmp_path / "target"
    for path in (victim, beside, target):
        path.write_text("not podkit's", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "kept.txt").write_text("mine", encoding="utf-8")
    (out / "link").symlink_to(target)
    (out / "linked-folder").symlink_to(tmp_path / "elsewhere")
    (out / "folder").mkdir()
    (out / "folder" / "inside.txt").write_text("mine", encoding="utf-8")
    names = [
        str(victim),
        "../x",
        f"{EP}/../../x",
        "..\\x",
        "./feed.xml",
        "",
        "link",
        "folder",
        "linked-folder/kept.txt",
        MANIFEST,
    ]
    edit_manifest(out, lambda data: data["files"].update({n: ["k", 1, 1] for n in names}))  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["build", "--source", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for path in (victim, beside, target, tmp_path / "elsewhere" / "kept.txt"):
        assert path.read_text(encoding="utf-8") in ("not podkit's", "mine")
    assert (out / "link").is_symlink() and (out / "linked-folder").is_symlink()
    assert (out / "folder" / "inside.txt").is_file() and (out / MANIFEST).is_file()
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    for name in names[:6]:
        said = f"warning: {out / MANIFEST}: files: {name!r} is not the name of a file inside"
        assert any(w.startswith(said) and "nothing deleted" in w for w in warnings), name
    assert f"warning: {out / 'link'}: is a link where podkit had written a file" in result.stderr
    assert f"warning: {out / 'folder'}: is not a file where podkit had written one" in result.stderr
    assert f"warning: {out / 'linked-folder' / 'kept.txt'}: is in a linked folder" in result.stderr
    assert "0 removed" in result.stdout
    again = CliRunner().invoke(cli, ["build", "--source", str(source), "--out", str(out)])
    assert "warning" not in again.stderr  # said once: the new manifest no longer lists them


def test_an_episode_record_naming_files_outside_its_folder_is_not_reused(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    outside = tmp_path / "outside.html"
    outside.write_text("mine", encoding="utf-8")

    def edit(data: dict[str, object]) -> None:
        data["episodes"][EP]["files"].append("../outside.html")  # type: ignore[index]
        data["files"]["index.html"] = ["k", 1, 1]  # type: ignore[index]

    edit_manifest(out, edit)
    build(source, out)
    assert outside.read_text(encoding="utf-8") == "mine"
    assert_same_site(out, fresh_build(source, tmp_path))


@pytest.mark.parametrize(
    "manifest",
    [
        b"[]",
        b"\xff\xfe garbage",
        b"[" * 100_000,
        b'{"files": {"feed.xml": 5, "index.html": "old-format key"}, "episodes": {"x": 1}}',
        b'{"files": {"001-premier/index.html": [1, 2, 3]}, "episodes": {"001-premier": []}}',
        b'{"episodes": {"001-premier": {"files": "001-premier/index.html", "key": 3}}}',
        b'{"episodes": {"001-premier": {"files": [["a"]], "episode": 3, "warnings": 4}}}',
    ],
)
def test_a_manifest_of_any_shape_gives_a_whole_site(
    make_show: ShowMaker, tmp_path: Path, manifest: bytes
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    (out / MANIFEST).write_bytes(manifest)
    build(source, out)
    assert_same_site(out, fresh_build(source, tmp_path))


def forged_key(source: Path, audio: Path) -> str:
    """The episode key anyone can compute from public inputs, for a record naming ``audio``."""
    folder = files_key((source / EP).iterdir())
    named = files_key([audio, source / EP / "transcript.txt"])
    return hashlib.sha256(f"{site_key(source, None)}\0{folder}\0{named}".encode()).hexdigest()


@pytest.mark.parametrize(
    "forged",
    [
        {"title": "Forged title"},
        {"notes_html": "<script>forged()</script>", "summary": "Forged"},
        {"chapters": [{"start": 0, "title": "Intro", "url": "javascript:forged()", "image": None}]},
        {"audio": "../../private/diary.mp3"},
        {"transcript_formats": ["vtt", "srt", "json", "txt", "html"]},
        {"audio_info": {"duration": 1, "size": 1, "bitrate": 1, "sample_rate": 1, "channels": 1}},
    ],
)
def test_an_edited_episode_record_publishes_nothing_of_it(
    make_show: ShowMaker, tmp_path: Path, forged: dict[str, object]
) -> None:
    source, out = make_show(), tmp_path / "site"
    private = tmp_path / "private" / "diary.mp3"
    private.parent.mkdir()
    private.write_bytes((source / EP / "episode.mp3").read_bytes() + b"secret diary")
    build(source, out)
    audio = private if "audio" in forged else source / EP / "episode.mp3"

    def forge(data: dict[str, Any]) -> None:
        data["episodes"][EP]["episode"].update(forged)
        data["episodes"][EP]["key"] = forged_key(source, audio)

    edit_manifest(out, forge)  # type: ignore[arg-type]
    (out / "feed.xml").unlink()  # the feed is made again, from the episodes as loaded
    build(source, out)
    assert_same_site(out, fresh_build(source, tmp_path))
    published = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for text in (b"Forged", b"forged()", b"secret diary", b"diary.mp3"):
        assert text not in published


def test_a_manifest_that_is_a_link_is_not_read(make_show: ShowMaker, tmp_path: Path) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    elsewhere = tmp_path / "elsewhere.json"
    (out / MANIFEST).rename(elsewhere)
    (out / MANIFEST).symlink_to(elsewhere)
    report = build(source, out)
    assert len(report.written.written) == len(site_files(out))  # nothing taken from it
    assert not (out / MANIFEST).is_symlink()
    assert json.loads(elsewhere.read_text(encoding="utf-8"))["generator"] == "podkit"


names = st.one_of(
    st.sampled_from(["feed.xml", "a/b", "../x", "/etc/passwd", "a//b", "a/./b", "..", "."]),
    st.text(alphabet="ab./\\\0", max_size=8),
)
records = st.one_of(st.none(), st.text(max_size=3), st.lists(st.integers(-2, 2), max_size=4))
manifests = st.one_of(
    st.dictionaries(
        st.sampled_from(["files", "episodes", "generator"]),
        st.one_of(
            st.dictionaries(names, records, max_size=6),
            st.dictionaries(
                names,
                st.one_of(
                    st.integers(),
                    st.fixed_dictionaries({"files": st.lists(names, max_size=4)}),
                ),
                max_size=3,
            ),
            st.lists(names, max_size=3),
        ),
    ),
    st.lists(st.integers(), max_size=2),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(manifests)
def test_any_manifest_loads_to_names_inside_the_site(tmp_path: Path, data: object) -> None:
    out = tmp_path / "site"
    out.mkdir(exist_ok=True)
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    sentinel = tmp_path / "x"
    sentinel.write_text("keep", encoding="utf-8")
    manifest = Manifest.load(out)
    assert all(is_site_name(name) for name in manifest.files)
    for slug, entry in manifest.episodes.items():
        assert all(name in manifest.files for name in entry.outputs)
        assert all(name.startswith(f"{slug}/") for name in entry.outputs)
    write_site(out, {}, manifest)
    assert sentinel.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("feed.xml", True),
        ("001-ep/episode 12.mp3", True),
        ("/etc/passwd", False),
        ("../x", False),
        ("a/../../x", False),
        ("a//b", False),
        ("./a", False),
        ("a/", False),
        ("a\\..\\..\\x", False),
        ("a\0b", False),
        ("", False),
        (MANIFEST, False),
        (3, False),
    ],
)
def test_a_site_name_is_relative_and_normalised(name: object, safe: bool) -> None:
    assert is_site_name(name) is safe


@given(st.lists(st.sampled_from(["a", "é", ".", "..", "/", "\\", "\0", MANIFEST]), max_size=6))
def test_a_site_name_is_one_whose_parts_are_all_names(pieces: list[str]) -> None:
    name = "".join(pieces)
    parts = name.split("/")
    expected = name != MANIFEST and not ({"", ".", ".."} & set(parts) or {"\\", "\0"} & set(name))
    assert is_site_name(name) is expected


# --- What is on disk is checked, not assumed ----------------------------------------------


def truncate(path: Path) -> None:
    path.write_bytes(b"")


def replace_bytes_same_size(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(bytes(len(data) // 2) + data[len(data) // 2 :])


def touch(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        (f"{EP}/index.html", truncate),
        (f"{EP}/episode.mp3", truncate),
        (f"{EP}/episode.mp3", replace_bytes_same_size),
        (f"{EP}/transcript.vtt", replace_bytes_same_size),
        (f"{EP}/chapters.json", touch),
        ("index.html", truncate),
        ("feed.xml", truncate),
        ("assets/style.css", touch),
    ],
)
def test_a_changed_output_is_made_again(
    make_show: ShowMaker, tmp_path: Path, name: str, damage: Callable[[Path], None]
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    damage(out / name)
    assert name in build(source, out).written.written
    assert_same_site(out, fresh_build(source, tmp_path))
    feed = etree.parse(str(out / "feed.xml"))
    length = feed.findall(".//enclosure")[0].get("length")
    assert length == str((out / EP / "episode.mp3").stat().st_size)
    assert build(source, out).written.written == ()  # and recorded as it now is


def test_an_unchanged_rebuild_reads_no_output(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    opened: list[str] = []
    real_open = os.open

    def spy(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_ACCMODE != os.O_WRONLY:  # the build's marker is written, not read
            opened.append(str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    report = build(source, out)
    assert report.written.written == ()
    reads = [p for p in opened if p.startswith(str(out)) and MANIFEST not in p]
    assert reads == []


def test_a_draft_built_before_is_removed_without_drafts(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    later = EPISODE_TOML.replace("2024-01-15", "2099-01-15")
    source, out = make_show(**{f"{EP}/episode.toml": later}), tmp_path / "site"
    build(source, out, drafts=True)
    assert (out / EP / "index.html").is_file()
    build(source, out)
    assert_same_site(out, fresh_build(source, tmp_path))


# --- Killed builds --------------------------------------------------------------------------


def test_stale_temporary_files_are_removed_and_nothing_else(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    stale = [
        f"{EP}/.episode.mp3.0123456789ab.k_3x9q0z.tmp",  # staged
        ".index.html.a1b2c3d4.tmp",  # atomic_write
        f".{MANIFEST}.zz__00aa.tmp",
        "new-episode/.index.html.0123456789ab.abcdefgh.tmp",  # a killed build's new folder
    ]
    others = [
        ".index.html.tmp",
        ".index.html.ABCDEFGH.tmp",
        "index.html.abcdefgh.tmp",
        ".index.html.abcdefgh.tmp.bak",
        ".index.html.abcdefg.tmp",
        ".hidden/.x.abcdefgh.tmp",
        "CNAME",
    ]
    for name in stale + others:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"left")
    (tmp_path / "target").write_bytes(b"keep")
    (out / ".link.abcdefgh.tmp").symlink_to(tmp_path / "target")
    (out / writer.BUILDING).touch()  # as the killed builds left it
    build(source, out)
    assert not (out / writer.BUILDING).exists()
    for name in stale:
        assert not (out / name).exists(), name
    assert not (out / "new-episode").exists()
    for name in others:
        assert (out / name).read_bytes() == b"left", name
    assert (out / ".link.abcdefgh.tmp").is_symlink()


def add_episode(source: Path, number: int) -> None:
    folder = source / f"{number:03d}-ep"
    shutil.copytree(source / EP, folder)
    toml = (folder / "episode.toml").read_text(encoding="utf-8")
    (folder / "episode.toml").write_text(
        toml.replace("11111111", f"{number:08d}").replace("number = 1", f"number = {number}"),
        encoding="utf-8",
    )


def killed_build(source: Path, out: Path, renames: int) -> None:
    """A build killed (SIGKILL: no clean-up runs) just before its rename number ``renames``."""
    child = os.fork()
    if child == 0:  # pragma: no cover - the child never returns
        real, count = os.replace, [0]

        def replace(*args: object, **kwargs: object) -> None:
            if count[0] == renames:
                os.kill(os.getpid(), signal.SIGKILL)
            count[0] += 1
            real(*args, **kwargs)  # type: ignore[arg-type]

        writer.os.replace = replace  # type: ignore[assignment]
        try:
            build(source, out)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


# Of 15: the feed's items, the listing, the pending names, 11 files, the manifest.
@pytest.mark.parametrize("renames", [0, 2, 3, 7, 13, 14])
@pytest.mark.parametrize("revert", [True, False])
def test_the_build_after_a_killed_one_gives_the_whole_site(
    make_show: ShowMaker, tmp_path: Path, renames: int, revert: bool
) -> None:
    source, out = make_show(), tmp_path / "site"
    add_episode(source, 2)
    build(source, out)
    before = tmp_path / "before"
    shutil.copytree(source, before, symlinks=True)
    notes = source / EP / "notes.md"  # one episode changes, one goes, one comes
    notes.write_text(notes.read_text(encoding="utf-8") + "\nPlus.\n", encoding="utf-8")
    shutil.rmtree(source / "002-ep")
    add_episode(source, 3)
    killed_build(source, out, renames)
    if revert:
        shutil.rmtree(source)
        shutil.copytree(before, source, symlinks=True)
    assert (out / writer.BUILDING).exists()  # the killed build's mark
    build(source, out)
    assert [p for p in out.rglob("*.tmp")] == []
    assert not (out / writer.BUILDING).exists()
    assert_same_site(out, fresh_build(source, tmp_path))


def test_only_a_build_after_a_killed_one_sweeps_the_whole_site(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    walked: list[str] = []
    real_walk = os.walk

    def spy(top: str, *args: object, **kwargs: object) -> object:
        walked.append(str(top))
        return real_walk(top, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(writer.os, "walk", spy)
    (source / EP / "notes.md").write_text("Autres notes.\n", encoding="utf-8")
    build(source, out)
    assert walked == [str(out / writer.CACHE_FOLDER)]  # where other commands write too
    (source / EP / "notes.md").write_text("Encore d'autres notes.\n", encoding="utf-8")
    killed_build(source, out, 0)
    walked.clear()
    build(source, out)
    assert walked == [str(out)]


def test_the_names_a_killed_build_was_changing_are_made_again_then_forgotten(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """A file the killed build renamed into place may have the very size and time the
    manifest gives the old one: listed as pending, it is made again all the same."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    page = out / EP / "index.html"
    found = page.stat()
    page.write_bytes(b"X" * found.st_size)  # what a torn build could leave: same size, time
    os.utime(page, ns=(found.st_atime_ns, found.st_mtime_ns))
    (out / PENDING).write_text(json.dumps([f"{EP}/index.html"]), encoding="utf-8")
    assert f"{EP}/index.html" in build(source, out).written.written
    assert not (out / PENDING).exists()
    assert_same_site(out, fresh_build(source, tmp_path))
