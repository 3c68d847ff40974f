"""Rebuilds: what changed is made again, what did not is neither read again nor rewritten."""

from __future__ import annotations

import gc
import importlib
import json
import os
import pickle
import shutil
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, TRANSCRIPT, ShowMaker, tree_digest
from lxml import etree

from toolkit import audio, config, feed_fragments, listing_cache, template_cache, transcript
from toolkit import cache as cache_module
from toolkit import journal as journal_module
from toolkit import seal as seal_module
from toolkit import site as site_module
from toolkit import writer as writer_module
from toolkit.build import build
from toolkit.cache import LOADED, MANIFEST, Cache, Manifest, site_key
from toolkit.config import load_show, load_show_for_build
from toolkit.errors import Problem, ToolkitError
from toolkit.model import Episode
from toolkit.seal import seal

EP = "001-premier"
build_module = importlib.import_module("toolkit.build")  # `toolkit.build` is the function
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


def written(source: Path, out: Path) -> set[str]:
    return set(build(source, out).written.written)


@pytest.fixture(autouse=True)
def _no_racy_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' files are all just written: count none as changed too recently, so that
    episodes are taken back as loaded (their changes here are seconds apart in the file's
    clock, or made with explicit times)."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


def loads_from_files(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The episode.toml files read from now on."""
    calls: list[Path] = []
    real = config.load_toml

    def spy(file: Path, *args: object) -> object:
        calls.append(file)
        return real(file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(config, "load_toml", spy)
    return calls


# Kept entries by key, never published: written again only when enough were made, they may
# still hold entries for inputs now gone (see `toolkit.seal.worth_rewriting`).
KEPT_ENTRIES = {feed_fragments.FILE.as_posix(), listing_cache.FILE.as_posix()}


def site_files(out: Path) -> dict[str, str]:
    """The site as published: every file but the manifest (which holds times and keys), the
    compiled templates (code kept by whichever process compiled it, never published) and the
    kept feed items and listed episodes."""
    return {
        name: digest
        for name, digest in tree_digest(out).items()
        if name != MANIFEST
        and not name.startswith(f"{template_cache.FOLDER}/")
        and name not in KEPT_ENTRIES
    }


def show_pages_rendered(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The shows the build renders the home page, 404 and sitemap for, from now on."""
    calls: list[object] = []
    real = build_module.build_site
    monkeypatch.setattr(
        build_module, "build_site", lambda show, *more: calls.append(show) or real(show, *more)
    )
    return calls


def clean_build(source: Path, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(source, out)
    return site_files(out)


def test_an_unchanged_episode_is_not_read_again(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    calls: list[Path] = []
    real_read = transcript.read
    monkeypatch.setattr(
        transcript, "read", lambda path, *a, **k: calls.append(path) or real_read(path, *a, **k)
    )
    report = build(source, out)
    assert calls == []
    assert report.written.written == ()
    cache = Cache(Manifest.load(out), out, site_key(source, None))
    load_show_for_build(source, None, cache)
    assert cache.is_reused(EP)
    assert cache.transcript_formats(EP) == ("vtt", "srt", "json", "txt")


def test_a_reused_episode_keeps_its_transcripts_in_a_feed_made_again(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    shutil.copytree(source / EP, source / "002-second")
    toml = source / "002-second" / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("-5555", "-6666"), "utf-8")
    assert "feed.xml" in written(source, out)  # the first episode reused, the feed made again
    items = etree.fromstring((out / "feed.xml").read_bytes()).findall("channel/item")
    transcripts = [item.findall("podcast:transcript", NS) for item in items]
    assert [len(found) for found in transcripts] == [4, 4]


def test_an_unchanged_episode_is_loaded_from_its_sources_as_a_fresh_load_would(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    episode_toml = (
        EPISODE_TOML.replace(
            'audio = "episode.mp3"\n', 'audio = "episode.mp3"\ncover = "../cover.jpg"\n'
        )
        + 'image = "../cover.jpg"\nhidden = true\n'
    )
    source, out = make_show(**{f"{EP}/episode.toml": episode_toml}), tmp_path / "site"
    build(source, out)
    again = build(source, out)
    assert again.written.written == ()
    reused = again.show.episodes[0]
    fresh, _ = load_show(source, read_transcripts=False)
    assert reused == fresh.episodes[0]
    assert reused.cover == reused.chapters[-1].image == (source / "cover.jpg").resolve()


def test_an_episode_whose_audio_lives_elsewhere_is_loaded_again_when_it_changes(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_show(
        **{f"{EP}/episode.toml": EPISODE_TOML.replace('"episode.mp3"', '"../_audio/shared.mp3"')}
    )
    (source / "_audio").mkdir()
    (source / EP / "episode.mp3").rename(source / "_audio" / "shared.mp3")
    out = tmp_path / "site"
    build(source, out)
    assert written(source, out) == set()  # unchanged: its files kept
    os.utime(source / "_audio" / "shared.mp3", ns=(1, 1))  # the audio elsewhere changes
    assert f"{EP}/shared.mp3" in written(source, out)


def test_a_transcript_kept_outside_its_episode_folder_is_published_again_when_edited(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    toml = EPISODE_TOML.replace(
        "explicit =", 'transcript = "../_shared/transcript.txt"\nexplicit ='
    )
    source = make_show(**{f"{EP}/episode.toml": toml})
    (source / "_shared").mkdir()
    (source / EP / "transcript.txt").rename(source / "_shared" / "transcript.txt")
    out = tmp_path / "site"
    build(source, out)
    edited = TRANSCRIPT.replace("Bonjour et bienvenue.", "Bonjour à toutes et à tous.")
    (source / "_shared" / "transcript.txt").write_text(edited, encoding="utf-8")
    assert f"{EP}/transcript.txt" in written(source, out)
    assert "à toutes" in (out / EP / "transcript.txt").read_text(encoding="utf-8")


def test_the_feed_is_made_again_only_when_an_episode_in_it_changes(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    before = datetime(2024, 1, 1, tzinfo=UTC)  # the episode is dated 15 January 2024
    build(source, out, now=before)
    assert "<item>" not in (out / "feed.xml").read_text(encoding="utf-8")
    assert "feed.xml" not in build(source, out, now=before).written.written
    assert "feed.xml" in build(source, out).written.written  # now published
    assert "Premier épisode" in (out / "feed.xml").read_text(encoding="utf-8")
    toml = source / EP / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Premier", "Tout premier"), "utf-8")
    assert "feed.xml" in build(source, out).written.written
    assert "Tout premier épisode" in (out / "feed.xml").read_text(encoding="utf-8")


def test_an_unchanged_episode_repeats_its_warnings(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(
        **{f"{EP}/episode.toml": EPISODE_TOML + 'titel = "x"\n', f"{EP}/notes.md": None}
    )
    out = tmp_path / "site"
    first = [str(w) for w in build(source, out).warnings]
    again = build(source, out)
    assert again.written.written == ()
    assert [str(w) for w in again.warnings] == first
    assert any("titel" in w for w in first) and any("no show notes" in w for w in first)


def test_the_transcripts_warnings_are_found_once_each_for_the_manifest(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each warning is matched to its transcript once, not once per episode: a show of
    thousands of episodes with a warning each records them in time linear in the show."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    cache = Cache(Manifest.load(out), out, site_key(source, None))
    show, transcripts, _ = load_show_for_build(source, None, cache)
    transcript = transcripts[EP]
    others = [Problem(source / f"{n}/notes.md", None, "elsewhere", "warning") for n in range(200)]
    said = Problem(transcript, 3, "a transcript's warning", "warning")
    asked: list[object] = []
    real = os.path.normpath

    def spy(path: str) -> str:
        asked.append(path)
        return real(path)

    monkeypatch.setattr(cache_module.os.path, "normpath", spy)
    entries = cache.entries(show, transcripts, {EP: ()}, [], [*others, said])
    monkeypatch.undo()
    assert [w["message"] for w in entries[EP].warnings] == ["a transcript's warning"]
    assert len(asked) <= len(others) + 10  # once per warning, and a few for the one kept


def test_a_damaged_manifest_record_loads_the_episode_from_its_files(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    manifest = out / ".podkit-manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["episodes"][EP]["episode"]["transcript_formats"] = ["vtt", "doc"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    calls: list[Path] = []
    real_read = transcript.read
    monkeypatch.setattr(
        transcript, "read", lambda path, *a, **k: calls.append(path) or real_read(path, *a, **k)
    )
    report = build(source, out)
    assert calls == [source / EP / "transcript.txt"]  # loaded anew, not taken from the record
    assert report.written.written == ()  # the same files, and the record mended:
    repaired = json.loads(manifest.read_text(encoding="utf-8"))["episodes"][EP]["episode"]
    assert repaired["transcript_formats"] == ["vtt", "srt", "json", "txt"]


def test_an_edited_transcript_is_published_again(make_show: ShowMaker, tmp_path: Path) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    (source / EP / "transcript.txt").write_text(
        TRANSCRIPT.replace("Bonjour et bienvenue.", "Bonjour à toutes et à tous."), encoding="utf-8"
    )
    changed = written(source, out)
    assert {
        f"{EP}/transcript.vtt",
        f"{EP}/transcript.srt",
        f"{EP}/transcript.json",
        f"{EP}/transcript.txt",
        f"{EP}/index.html",
    } <= changed
    assert "Bonjour à toutes et à tous." in (out / EP / "transcript.vtt").read_text(
        encoding="utf-8"
    )


def test_a_template_change_renders_the_pages_again(make_show: ShowMaker, tmp_path: Path) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    templates = source / "_templates"
    templates.mkdir()
    (templates / "episode.html").write_text(
        '{% extends "podkit/episode.html" %}{% block title %}Nouveau{% endblock %}',
        encoding="utf-8",
    )
    changed = written(source, out)
    assert f"{EP}/index.html" in changed
    assert f"{EP}/episode.mp3" not in changed  # the tags are not made from the templates
    assert "<title>Nouveau</title>" in (out / EP / "index.html").read_text(encoding="utf-8")
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_deleted_output_is_made_again(make_show: ShowMaker, tmp_path: Path) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    (out / EP / "transcript.srt").unlink()
    assert f"{EP}/transcript.srt" in written(source, out)
    assert (out / EP / "transcript.srt").is_file()


def test_a_failure_after_staging_leaves_the_site_as_it_was(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    before = tree_digest(out)
    (source / EP / "notes.md").write_text(
        "Changées.\n", encoding="utf-8"
    )  # the MP3 is tagged again

    def broken(*args: object) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "build_feed", broken)
    with pytest.raises(RuntimeError):
        build(source, out)
    assert tree_digest(out) == before
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{% extends "podkit/episode.html" %}{% block title %}{{ episode.title }{% endblock %}',
            "_templates/episode.html:1: template error: unexpected '}'",
        ),
        (
            '{% extends "podkit/episode.html" %}{% block title %}{{ episode.nope }}{% endblock %}',
            "_templates: template error: 'toolkit.model.Episode object' has no attribute 'nope': fix the template",
        ),
    ],
)
def test_a_broken_show_template_is_a_clear_error(
    make_show: ShowMaker, tmp_path: Path, template: str, expected: str
) -> None:
    source = make_show(**{"_templates/episode.html": template})
    with pytest.raises(ToolkitError) as caught:
        build(source, tmp_path / "site")
    assert str(caught.value.problems[0]).replace(f"{source}/", "") == expected
    assert [p for p in (tmp_path / "site").rglob("*") if not p.is_dir()] == []


def test_a_broken_transcript_stops_the_build_and_writes_nothing(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    before = tree_digest(out)
    (source / EP / "transcript.txt").write_text(
        TRANSCRIPT.replace("[00:00:08.000]", "[00:00:01.000]"), encoding="utf-8"
    )
    with pytest.raises(ToolkitError) as caught:
        build(source, out)
    assert [str(p).replace(f"{source}/", "") for p in caught.value.problems] == [
        f"{EP}/transcript.txt:5: starts at 00:00:01.000, before the previous segment (00:00:03.250): put the times in order"
    ]
    assert tree_digest(out) == before
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []


def test_transcript_problems_come_with_the_other_problems(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    broken = TRANSCRIPT.replace("[00:00:45.000]", "[00:05:00.000]")
    source = make_show(
        **{
            f"{EP}/transcript.txt": broken,
            "show.toml": SHOW_TOML.replace('language = "fr"', 'language = "French"'),
        }
    )
    with pytest.raises(ToolkitError) as caught:
        build(source, tmp_path / "site")
    messages = [str(p).replace(f"{source}/", "") for p in caught.value.problems]
    assert any("language" in m for m in messages)
    assert any(
        m.startswith(f"{EP}/transcript.txt: segment 5: at 00:05:00.000 is past the end")
        for m in messages
    )


def test_a_worker_failure_leaves_no_staged_file(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    for number in range(2, 11):  # enough episodes for the work to go to worker processes
        folder = source / f"{number:03d}-ep"
        shutil.copytree(source / EP, folder)
        toml = (folder / "episode.toml").read_text(encoding="utf-8")
        (folder / "episode.toml").write_text(
            toml.replace("11111111", f"{number:08d}").replace("number = 1", f"number = {number}"),
            encoding="utf-8",
        )
    real = build_module.episode_files

    def fails_once(show: object, episode: Episode, out: Path) -> dict[PurePosixPath, bytes]:
        if episode.slug == "007-ep":
            raise RuntimeError("disk on fire")
        return real(show, episode, out)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "episode_files", fails_once)
    with pytest.raises(RuntimeError):
        build(source, out)
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    assert not (out / EP / "index.html").exists()


def test_an_unchanged_episode_is_taken_back_as_loaded_without_reading_its_files(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    first = build(source, out)
    reads = loads_from_files(monkeypatch)
    again = build(source, out)
    assert reads == [source / "show.toml"]  # the episode's episode.toml is not read again
    assert again.show == first.show
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert again.written.written == ()


def test_a_touched_source_is_loaded_again(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    reads = loads_from_files(monkeypatch)
    os.utime(source / EP / "notes.md")  # the same bytes, a new time
    build(source, out)
    assert source / EP / "episode.toml" in reads


def test_a_file_replaced_by_one_of_the_same_size_and_time_is_loaded_again(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    notes = source / EP / "notes.md"
    before = notes.stat()
    other = notes.with_name("notes.new")
    other.write_text(notes.read_text(encoding="utf-8").replace("test", "TEST"), "utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    other.replace(notes)  # as `cp -p` or an archive would: same size, same time, another file
    assert (notes.stat().st_size, notes.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    reads = loads_from_files(monkeypatch)
    build(source, out)
    assert source / EP / "episode.toml" in reads
    assert "TEST" in (out / EP / "index.html").read_text(encoding="utf-8")
    assert site_files(out) == clean_build(source, tmp_path)


def edit_sealed_title(out: Path) -> None:
    """Change the title inside the episode's sealed record, keeping its seal (the same
    length, so the record still unpickles)."""
    path = out / LOADED
    data = path.read_bytes()
    title, pirate = "Premier épisode".encode(), "Piraté épisode".encode()
    assert title in data and len(title) == len(pirate)
    path.write_bytes(data.replace(title, pirate))


def seal_loads(out: Path, value: object) -> None:
    """Write a store of episodes as loaded holding this value, under this machine's seal."""
    body = cache_module._LOADED_HEADER + pickle.dumps(value)
    tag = seal(body, "loaded episodes")
    assert tag is not None
    (out / LOADED).write_bytes(tag.encode() + b"\n" + body)


def test_an_edited_record_publishes_nothing_from_it(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    edit_sealed_title(out)
    reads = loads_from_files(monkeypatch)
    report = build(source, out)
    assert source / EP / "episode.toml" in reads  # loaded from its files
    assert report.show.episodes[0].title == "Premier épisode"
    assert "Piraté" not in json.dumps(site_files(out))
    assert not any("Piraté" in p.read_text("utf-8", "replace") for p in out.rglob("*.*ml"))
    assert site_files(out) == clean_build(source, tmp_path)


@pytest.mark.parametrize("damage", ["torn", "unsealed", "forged", "not a dict", "a list"])
def test_a_damaged_sealed_record_loads_the_episode_from_its_files(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    data = (out / LOADED).read_bytes()
    tag, body = data[:65], data[65:]
    if damage == "not a dict":
        seal_loads(out, [EP])
    elif damage == "a list":  # an episode's entry of another shape
        key, named, record = cache_module.read_loads(out)[EP]
        seal_loads(out, {EP: [key, list(named), record]})
    else:
        damaged = {
            "torn": tag + body[: len(body) // 2],
            "unsealed": b" " * 64 + b"\n" + body,
            "forged": b"0" * 64 + b"\n" + body,
        }[damage]
        (out / LOADED).write_bytes(damaged)
    manifest = out / MANIFEST
    pages = json.loads(manifest.read_text(encoding="utf-8"))
    text, pages_seal = pages["pages"]
    pages["pages"] = {  # the show's pages' record too
        "torn": [text[: len(text) // 2], pages_seal],
        "unsealed": [text, ""],
        "forged": [text, "0" * 64],
        "not a dict": text,
        "a list": [text],
    }[damage]
    manifest.write_text(json.dumps(pages), encoding="utf-8")
    reads = loads_from_files(monkeypatch)
    build(source, out)
    assert source / EP / "episode.toml" in reads
    assert site_files(out) == clean_build(source, tmp_path)


class Called(Exception):
    """Raised by code a record must never run."""


def called(*args: object) -> None:
    raise Called(args)


def test_a_sealed_record_that_names_other_code_runs_nothing(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even under this machine's seal, a loaded episode is made of the model's objects only:
    a record naming any other function is refused, unrun, and the episode loaded anew."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    key, named, _ = cache_module.read_loads(out)[EP]

    class Runs:
        def __reduce__(self) -> tuple[object, tuple[object, ...]]:
            return called, ("ran",)

    seal_loads(out, {EP: (key, named, pickle.dumps((Runs(), None, ())))})
    reads = loads_from_files(monkeypatch)
    build(source, out)  # Called would propagate out of the build
    assert source / EP / "episode.toml" in reads
    assert site_files(out) == clean_build(source, tmp_path)


def test_an_edited_pages_record_deletes_nothing(make_show: ShowMaker, tmp_path: Path) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    manifest = out / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    text, seal = data["pages"]
    data["pages"] = [text.replace('"404.html",', ""), seal]  # a name left out, seal kept
    manifest.write_text(json.dumps(data), encoding="utf-8")
    build(source, out)
    assert (out / "404.html").is_file()
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_build_without_a_seal_key_is_right_and_keeps_nothing_as_loaded(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert not (out / LOADED).exists() and "pages" not in data
    (source / EP / "notes.md").write_text("Changées.\n", encoding="utf-8")
    reads = loads_from_files(monkeypatch)
    build(source, out)
    assert source / EP / "episode.toml" in reads
    assert site_files(out) == clean_build(source, tmp_path)


def test_an_episode_with_a_file_changed_just_now_is_not_kept_as_loaded(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 3_600 * 10**9)  # "just now": this hour
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    assert EP not in cache_module.read_loads(out)  # it may change again within its clock's tick


def test_a_build_leaves_the_garbage_collector_as_it_found_it(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """A build pauses the cyclic collector while it loads, and keeps what it loaded out of the
    collector's passes until it ends: after it, as after a failed one, all is as before."""
    source, out = make_show(), tmp_path / "site"
    assert gc.isenabled() and gc.get_freeze_count() == 0
    build(source, out)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (source / EP / "episode.toml").write_text("title = 3\n", encoding="utf-8")
    with pytest.raises(ToolkitError):
        build(source, out)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def add_episode(source: Path, number: int = 2) -> None:
    slug = f"00{number}-ep"
    shutil.copytree(source / EP, source / slug)
    toml = source / slug / "episode.toml"
    text = toml.read_text(encoding="utf-8").replace("-5555", f"-{number}666")
    toml.write_text(text.replace("number = 1", f"number = {number}"), encoding="utf-8")


CHANGES = {
    "nothing": lambda source: None,
    "edit notes": lambda source: (source / EP / "notes.md").write_text("Autres notes.\n", "utf-8"),
    "edit title": lambda source: (source / EP / "episode.toml").write_text(
        EPISODE_TOML.replace("Premier", "Tout premier"), "utf-8"
    ),
    "add": lambda source: add_episode(source, 3),
    "remove": lambda source: shutil.rmtree(source / "002-ep"),
    "touch": lambda source: os.utime(source / EP / "episode.toml", ns=(5, 5)),
    "show": lambda source: (source / "show.toml").write_text(
        SHOW_TOML.replace('language = "fr"', 'language = "en"'), "utf-8"
    ),
    "audio": lambda source: os.utime(source / EP / "episode.mp3", ns=(7, 7)),
    "cover": lambda source: new_cover(source / "cover.jpg"),
}


def new_cover(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1600, 1600), (200, 30, 30)).save(path, quality=90)


def test_a_new_cover_renders_no_page_again(make_show: ShowMaker, tmp_path: Path) -> None:
    """Pages name the cover and never read it: a new one makes the cover's copies, the MP3's
    tags and the feed again (which says the image's size), and nothing else."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    new_cover(source / "cover.jpg")
    made = written(source, out)
    assert not [name for name in made if name.endswith(".html")], made
    assert {"cover.jpg", f"{EP}/episode.mp3"} <= made
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_new_cover_makes_only_the_cover_files_of_the_show_again(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    calls = show_pages_rendered(monkeypatch)
    new_cover(source / "cover.jpg")
    made = written(source, out)
    assert calls == []  # the home page, the sitemap and the assets are kept
    assert {"cover.jpg", "cover-600.jpg", "favicon.png"} <= made
    assert site_files(out) == clean_build(source, tmp_path)


def test_the_cover_files_are_kept_when_only_the_show_settings_change(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    CHANGES["show"](source)
    made = written(source, out)
    assert "index.html" in made
    assert not {"cover.jpg", "cover-600.jpg", "favicon.png"} & made


def test_a_cover_kept_in_a_folder_of_the_show_is_published_again_when_it_changes(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    show_toml = SHOW_TOML.replace('cover = "cover.jpg"', 'cover = "art/cover.jpg"')
    assert show_toml != SHOW_TOML
    source, out = make_show(**{"show.toml": show_toml}), tmp_path / "site"
    (source / "art").mkdir()
    shutil.move(source / "cover.jpg", source / "art" / "cover.jpg")
    build(source, out)
    new_cover(source / "art" / "cover.jpg")
    made = written(source, out)
    assert {"cover.jpg", f"{EP}/episode.mp3"} <= made
    assert site_files(out) == clean_build(source, tmp_path)


@pytest.mark.parametrize("id3_version", [3, 4])
def test_a_new_cover_is_swapped_into_each_mp3_without_making_its_tags_again(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, id3_version: int
) -> None:
    """Only the show's cover changed: each site copy gets the new picture in place, its other
    frames as they are, and the site is the one a clean build makes."""
    source, out = make_show(), tmp_path / "site"
    add_episode(source)
    build(source, out, id3_version=id3_version)
    inodes = {p: p.stat().st_ino for p in out.glob("*/episode.mp3")}
    new_cover(source / "cover.jpg")
    rendered: list[object] = []
    real = audio.render_tag
    monkeypatch.setattr(audio, "render_tag", lambda *a, **k: rendered.append(a) or real(*a, **k))
    made = set(build(source, out, id3_version=id3_version).written.written)
    assert rendered == []
    assert {f"{EP}/episode.mp3", "002-ep/episode.mp3"} <= made
    assert {p: p.stat().st_ino for p in out.glob("*/episode.mp3")} == inodes  # in place
    monkeypatch.setattr(audio, "render_tag", real)
    out_clean = tmp_path / "clean"
    build(source, out_clean, id3_version=id3_version)
    assert site_files(out) == site_files(out_clean)


def _stop_in(function: str, count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the group journal's ``function`` stop the run (as a kill would) at its call
    number ``count``."""
    real = getattr(journal_module, function)
    calls: list[object] = []

    def stopping(*args: object) -> object:
        if len(calls) == count:
            raise KeyboardInterrupt
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(journal_module, function, stopping)


@pytest.mark.parametrize(
    "stop",
    [
        ("_write_durably", 0),
        ("_overwrite", 0),
        ("_overwrite", 2),
        ("_flush", 0),
        ("_fsync_folder", 1),  # the journal deleted, its deletion not yet flushed
    ],
)
@pytest.mark.parametrize("first", ["build", "inspect"])
def test_a_new_cover_stopped_while_patching_is_rolled_back_then_rebuilt(
    make_show: ShowMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stop: tuple[str, int],
    first: str,
) -> None:
    """The show's new cover goes into every MP3 under one group journal: a build stopped at
    any point of that write leaves, once rolled back (by the next build, or by a command on
    one of the MP3s), every MP3 old or every one new, no journal, and the next build's site
    is a clean build's."""
    source, out = make_show(), tmp_path / "site"
    add_episode(source)
    add_episode(source, 3)
    build(source, out)
    mp3s = sorted(name for name in site_files(out) if name.endswith(".mp3"))
    old = site_files(out)
    new_cover(source / "cover.jpg")
    new = clean_build(source, tmp_path)
    with monkeypatch.context() as patch:
        _stop_in(*stop, patch)
        with pytest.raises(KeyboardInterrupt):
            build(source, out)
    if first == "inspect":
        audio.inspect_mp3(out / mp3s[-1])
        found = site_files(out)
        assert [found[n] for n in mp3s] in ([old[n] for n in mp3s], [new[n] for n in mp3s])
        assert not (out / journal_module.GROUP_JOURNAL).exists()
    build(source, out)
    assert site_files(out) == new
    assert not (out / journal_module.GROUP_JOURNAL).exists()


def test_a_new_cover_over_more_bytes_than_a_group_holds_goes_in_several_groups(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group journal holds its files' old and new bytes in memory: past the limit the
    patches go in several groups, one after the other, and the site is a clean build's."""
    source, out = make_show(), tmp_path / "site"
    add_episode(source)
    add_episode(source, 3)
    build(source, out)
    new_cover(source / "cover.jpg")
    groups: list[list[str]] = []
    real = journal_module.write_group_in_place

    def counted(root: Path, files: dict[str, list[tuple[int, bytes]]]) -> None:
        groups.append(sorted(files))
        real(root, files)

    monkeypatch.setattr(writer_module, "write_group_in_place", counted)
    monkeypatch.setattr(writer_module, "GROUP_BYTES", 1)  # every patch is larger
    build(source, out)
    assert groups == [[f"{EP}/episode.mp3"], ["002-ep/episode.mp3"], ["003-ep/episode.mp3"]]
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_new_show_cover_leaves_the_mp3_of_an_episode_with_its_own_cover(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    add_episode(source)
    shutil.copy(KEYTIME / "cover.jpg", source / EP / "own.jpg")
    own = EPISODE_TOML.replace(
        'audio = "episode.mp3"\n', 'audio = "episode.mp3"\ncover = "own.jpg"\n'
    )
    (source / EP / "episode.toml").write_text(own, encoding="utf-8")
    build(source, out)
    new_cover(source / "cover.jpg")
    made = written(source, out)
    assert f"{EP}/episode.mp3" not in made
    assert "002-ep/episode.mp3" in made


def test_episodes_and_their_mp3s_are_made_in_one_pool(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An episode's files and its tagged MP3 are made by the same worker, in one pool over
    the episodes: no core waits for the other between the copies and the pages. A new cover
    sends nothing to the workers (it is swapped into each copy in place), new tags only the
    MP3s."""
    jobs: list[list[tuple[str, bool, bool]]] = []
    real = build_module.fork_map

    def spy(function: object, items: list) -> object:  # type: ignore[type-arg]
        jobs.append([(j.episode.slug, j.make_files, j.copy is not None) for j in items])
        return real(function, items)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "fork_map", spy)
    source, out = make_show(), tmp_path / "site"
    add_episode(source)
    build(source, out)
    assert jobs == [[(EP, True, True), ("002-ep", True, True)]]
    jobs.clear()
    new_cover(source / "cover.jpg")
    build(source, out)
    assert jobs == [[]]
    assert site_files(out) == clean_build(source, tmp_path)
    jobs.clear()
    build(source, out, id3_version=4)  # new tags, the same pages: only the MP3s are made
    assert jobs == [[(EP, False, True), ("002-ep", False, True)]]
    build(source, tmp_path / "clean4", id3_version=4)
    assert site_files(out) == site_files(tmp_path / "clean4")


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_makes_the_site_a_clean_build_makes(
    make_show: ShowMaker, tmp_path: Path, change: str
) -> None:
    source, out = make_show(), tmp_path / "site"
    add_episode(source)
    build(source, out)
    build(source, out)  # every episode taken back as loaded, the pages kept
    CHANGES[change](source)
    build(source, out)
    assert site_files(out) == clean_build(source, tmp_path)
    build(source, out)  # and once more, from what that build recorded
    assert site_files(out) == clean_build(source, tmp_path)


def test_the_show_pages_are_rendered_again_only_when_an_episode_or_the_site_changes(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    calls = show_pages_rendered(monkeypatch)
    build(source, out)
    assert calls == []  # nothing changed: the home page and the sitemap are kept
    (out / "sitemap.xml").write_text("", encoding="utf-8")  # one of them damaged
    build(source, out)
    assert len(calls) == 1
    add_episode(source)
    build(source, out)
    assert len(calls) == 2
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_rebuild_with_nothing_changed_leaves_the_manifest_as_it_was(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    build(source, out)  # records the episode as loaded
    manifest = out / MANIFEST
    before = manifest.stat()
    assert build(source, out).written.written == ()
    after = manifest.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert build(source, out).written.written == ()  # the manifest kept still serves
    notes = source / EP / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", "utf-8")
    build(source, out)
    assert manifest.stat().st_ino != before.st_ino
    assert site_files(out) == clean_build(source, tmp_path)


def test_the_home_page_makes_again_only_what_it_shows_of_the_changed_episode(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = make_show(), tmp_path / "site"
    add_episode(source, 2)
    add_episode(source, 3)
    build(source, out)
    made: list[str] = []
    real = site_module._item
    monkeypatch.setattr(site_module, "_item", lambda show, e: made.append(e.slug) or real(show, e))
    (source / EP / "notes.md").write_text("Autres notes.\n", "utf-8")
    assert "index.html" in written(source, out)  # the summary the home page shows changed
    assert set(made) == {EP}  # its listing and its own page
    assert site_files(out) == clean_build(source, tmp_path)


@pytest.mark.parametrize("seal_it", [False, True])
def test_what_the_home_page_shows_is_taken_back_only_under_this_machines_seal(
    make_show: ShowMaker, tmp_path: Path, seal_it: bool
) -> None:
    """Someone edits the kept listing: unsealed it is not used; sealed (this machine's
    podkit wrote it) it is, which is what the seal is for."""
    source, out = make_show(), tmp_path / "site"
    add_episode(source, 2)
    build(source, out)
    path = out / listing_cache.FILE
    # Of the same length: the records give their parts' lengths.
    title = "Premier épisode".encode()
    body = path.read_bytes()[65:].replace(title, b"FORGED".ljust(len(title), b"_"))
    path.write_bytes(
        (seal(body, listing_cache.PURPOSE) if seal_it else "0" * 64).encode() + b"\n" + body
    )
    (source / "002-ep" / "notes.md").write_text("Autres notes.\n", "utf-8")  # the home again
    build(source, out)
    assert (b"FORGED" in (out / "index.html").read_bytes()) is seal_it


# The home page's and the sitemap's loops as podkit's templates wrote them inline, before
# each episode's entries were kept: a show's own template may still write them.
FORMER_HOME_LOOP = """\
  {% for item in episodes %}
    <li>
      <article class="episode-item">
        <img class="episode-art" src="{{ item.cover }}" alt="" width="96" height="96" loading="lazy">
        <div>
          <h3><a href="{{ item.href }}">{{ item.episode.title }}</a></h3>
          <p class="meta">{{ item.label }} · <time datetime="{{ item.episode.published.isoformat() }}">{{ item.date }}</time> · {{ item.duration }}</p>
          <p>{{ item.episode.summary }}</p>
          <p><a class="play-link" href="{{ item.href }}#t=0"><span aria-hidden="true">▶</span> {{ t.listen }}<span class="visually-hidden">{{ t.colon }} {{ item.episode.title }}</span></a></p>
        </div>
      </article>
    </li>
  {% endfor %}
"""
FORMER_SITEMAP_LOOP = """\
{% for item in episodes %}  <url><loc>{{ item.url }}</loc><lastmod>{{ item.day }}</lastmod></url>
{% endfor %}</urlset>
"""


def _former_templates() -> dict[str, str]:
    """podkit's index.html and sitemap.xml with their loops written inline, as a show's own."""
    home = (site_module.builtin_templates() / "index.html").read_text(encoding="utf-8")
    sitemap = (site_module.builtin_templates() / "sitemap.xml").read_text(encoding="utf-8")
    home_line = next(line for line in home.splitlines(True) if "{{ listed }}" in line)
    sitemap_line = next(line for line in sitemap.splitlines(True) if "{{ listed }}" in line)
    return {
        "index.html": home.replace(home_line, FORMER_HOME_LOOP),
        "sitemap.xml": sitemap.split("\n", 1)[1].replace(sitemap_line, FORMER_SITEMAP_LOOP),
    }


def _listed_pages(out: Path) -> tuple[bytes, bytes]:
    return (out / "index.html").read_bytes(), (out / "sitemap.xml").read_bytes()


def test_pages_put_together_from_kept_entries_are_those_the_former_loops_write(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """podkit's home page and sitemap, made from each episode's entries (rendered, then
    kept), are byte for byte those its templates wrote with the loops inline, which a show's
    own templates now write: first build, after an edit, after a removal."""
    odd = EPISODE_TOML.replace("Premier épisode", 'Les <b> & les \\"guillemets\\" l\'été')
    source = make_show(**{"001-premier/episode.toml": odd})
    add_episode(source, 2)
    add_episode(source, 3)
    former = _former_templates()
    out, reference = tmp_path / "site", tmp_path / "reference"

    def both() -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
        build(source, out)
        for name, text in former.items():
            (source / "_templates").mkdir(exist_ok=True)
            (source / "_templates" / name).write_text(text, encoding="utf-8")
        build(source, reference)
        shutil.rmtree(source / "_templates")
        return _listed_pages(out), _listed_pages(reference)

    ours, theirs = both()
    assert ours == theirs
    assert b"Les &lt;b&gt; &amp; les" in ours[0] and ours[0].count(b"<li>") == 3 + 1
    (source / "002-ep" / "notes.md").write_text("Autres notes.\n", "utf-8")
    ours, theirs = both()
    assert ours == theirs and b"Autres notes." in ours[0]
    shutil.rmtree(source / "003-ep")
    ours, theirs = both()
    assert ours == theirs and ours[1].count(b"<url>") == 2 + 1


@pytest.mark.parametrize(
    "templates",
    [
        {},
        # A show's own base.html, which reads the items podkit's home page no longer loops over.
        {
            "_templates/base.html": '{% extends "podkit/base.html" %}{% block scripts %}'
            "{{ super() }}{% if episodes is defined %}"
            "<p>{{ episodes | length }} : {{ episodes[0].episode.title }}</p>{% endif %}"
            "{% endblock %}"
        },
        # A show's own home page, which gets the items as before.
        {
            "_templates/index.html": '{% extends "podkit/index.html" %}'
            '{% block meta %}<meta name=x content="{{ episodes | length }}">{% endblock %}'
        },
        {
            "_templates/sitemap.xml": "{% for item in episodes %}{{ item.url }} {{ item.date }}\n"
            "{% endfor %}"
        },
    ],
    ids=["podkit's", "own base", "own home", "own sitemap"],
)
def test_home_page_and_sitemap_after_edits_and_removals_are_a_clean_builds(
    make_show: ShowMaker, tmp_path: Path, templates: dict[str, str]
) -> None:
    source, out = make_show(**templates), tmp_path / "site"
    add_episode(source, 2)
    add_episode(source, 3)
    build(source, out)
    assert site_files(out) == clean_build(source, tmp_path)
    (source / "002-ep" / "notes.md").write_text("Autres notes.\n", "utf-8")
    build(source, out)
    assert site_files(out) == clean_build(source, tmp_path)
    shutil.rmtree(source / "003-ep")
    build(source, out)
    assert site_files(out) == clean_build(source, tmp_path)
    built = _listed_pages(out)
    if "_templates/base.html" in templates:
        assert "<p>2 : Premier épisode</p>".encode() in built[0]
    if "_templates/sitemap.xml" in templates:
        assert built[1].count(b"https://") == 2


def test_a_few_listed_episodes_made_leave_the_kept_listing_as_it_was(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in a large show: one episode in three made is too few to write the listing again;
    the next home page makes that one again, and two in three are enough."""
    monkeypatch.setattr(seal_module, "REWRITE_SHARE", 2)
    source, out = make_show(), tmp_path / "site"
    add_episode(source, 2)
    add_episode(source, 3)
    build(source, out)
    path = out / listing_cache.FILE
    before = path.stat()
    made: list[str] = []
    real = site_module._item
    monkeypatch.setattr(site_module, "_item", lambda show, e: made.append(e.slug) or real(show, e))
    (source / "002-ep" / "notes.md").write_text("Autres notes.\n", "utf-8")
    build(source, out)
    assert made == ["002-ep", "002-ep"]  # its entries, its page
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert site_files(out) == clean_build(source, tmp_path)
    made.clear()
    (source / "003-ep" / "notes.md").write_text("Autres notes.\n", "utf-8")
    build(source, out)
    assert sorted(made) == ["002-ep", "003-ep", "003-ep"]
    assert path.stat().st_ino != before.st_ino
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_listing_that_does_not_add_up_is_made_again(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sealed listing whose records do not add up (cut short: this machine's seal, so
    only another podkit's format could do it) is not used at all."""
    source, out = make_show(), tmp_path / "site"
    add_episode(source, 2)
    build(source, out)
    path = out / listing_cache.FILE
    body = path.read_bytes()[65:]
    path.write_bytes(f"{seal(body[:-40], listing_cache.PURPOSE)}\n".encode() + body[:-40])
    assert listing_cache.read(out) == {}
    made: list[str] = []
    real = site_module._item
    monkeypatch.setattr(site_module, "_item", lambda show, e: made.append(e.slug) or real(show, e))
    (source / "002-ep" / "notes.md").write_text("Autres notes.\n", "utf-8")
    build(source, out)
    assert sorted(made) == ["001-premier", "002-ep", "002-ep"]  # 002's page too
    assert site_files(out) == clean_build(source, tmp_path)


def test_a_rebuild_that_keeps_every_mp3_makes_no_tag_cover(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cover at the tags' size is made only for an MP3 tagged or given a new cover."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    before = site_files(out)
    made: list[object] = []
    monkeypatch.setattr(build_module, "resized_jpeg", lambda *args: made.append(args))
    build(source, out)
    assert made == []
    assert site_files(out) == before


def test_episode_folders_are_found_by_name_links_included_files_and_dot_names_not(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """The folder listing tells folders from files by the listing's types: a link to an
    episode folder is an episode, a file or a dot folder is not, and the order is the names'."""
    source = make_show()
    elsewhere = tmp_path / "kept" / "002-second"
    shutil.copytree(source / EP, elsewhere)
    (source / "002-second").symlink_to(elsewhere, target_is_directory=True)
    (source / "003-a-file").write_text("not a folder")
    (source / ".hidden").mkdir()
    shutil.copytree(source / EP, source / "_scripts")
    found = config._episode_dirs(source, config.Problems())
    assert [p.name for p in found] == [EP, "002-second"]
    assert found[1] == source / "002-second"


def test_a_reused_episodes_mp3_is_checked_once_by_a_rebuild(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of a reused episode's files on disk, made while loading, serves the MP3's
    plan too; the site stays as a clean build makes it."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    reference = tree_digest(out)
    mp3 = str(out / EP / "episode.mp3")
    asked: list[str] = []
    real = os.lstat

    def spy(path: object, *args: object, **kwargs: object) -> os.stat_result:
        asked.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module.os, "lstat", spy)
    report = build(source, out)
    monkeypatch.undo()
    assert asked.count(mp3) == 1
    assert not report.written.written
    assert tree_digest(out) == reference


def test_a_named_file_in_the_episode_folder_is_asked_for_once_when_loading(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder's state and the named files' state share one stat of each file, and the
    episode is still taken back as loaded."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    mp3 = str(source / EP / "episode.mp3")
    asked: list[str] = []
    real = os.stat

    def spy(path: object, *args: object, **kwargs: object) -> os.stat_result:
        asked.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module.os, "stat", spy)
    reads = loads_from_files(monkeypatch)
    cache = Cache(Manifest.load(out), out, site_key(source, None))
    load_show_for_build(source, None, cache)
    monkeypatch.undo()
    assert asked.count(mp3) == 1
    assert not [f for f in reads if f.name == "episode.toml"]
