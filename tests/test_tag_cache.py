"""`podkit tag` imports only what it needs: the values it derives from the notes (markdown-it)
and the cover and chapter images (Pillow) are kept in the show's .podkit-cache/ under the
digest of their source's bytes, and an entry that does not match is never used."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EPISODE_TOML, SHOW_TOML, TONE, ShowMaker
from mutagen.id3 import ID3
from PIL import Image

from toolkit import derived
from toolkit.artwork import cover_problems, image_facts
from toolkit.config import load_show

# Runs `python -m toolkit ARGS...` and prints, at exit, the heavy packages it imported.
PROBE = """
import atexit, runpy, sys
HEAVY = {"PIL", "markdown_it", "jinja2", "lxml", "feedgen", "click"}
atexit.register(lambda: print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & HEAVY))))
sys.argv = ["podkit", *sys.argv[1:]]
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""


def podkit_tag(mp3: Path, episode: Path) -> set[str]:
    """Tag ``mp3`` in a new process; the heavy packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "tag", "-q", str(mp3), "--episode", str(episode)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


WITH_IMAGE = EPISODE_TOML.replace('title = "Conclusion"', 'title = "Conclusion"\nimage = "fin.png"')


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    path = tmp_path / "final.mp3"
    path.write_bytes(TONE.read_bytes())
    return path


def test_a_cached_show_is_tagged_without_markdown_it_or_pillow(
    make_show: ShowMaker, mp3: Path
) -> None:
    # A chapter image larger than the tag's: Pillow would resize it.
    source = make_show(
        **{"001-premier/episode.toml": WITH_IMAGE, "001-premier/fin.png": png(900, 700)}
    )
    episode = source / "001-premier"
    first = podkit_tag(mp3, episode)
    assert {"PIL", "markdown_it"} <= first  # nothing kept yet: both do the work
    tagged = ID3(mp3)
    assert podkit_tag(mp3, episode) == set()  # not jinja2, lxml, feedgen or click either
    again = ID3(mp3)
    assert again["COMM::fra"].text == tagged["COMM::fra"].text == ["Un épisode de test."]
    assert again.getall("APIC")[0].data == tagged.getall("APIC")[0].data
    chapter_images = [f.sub_frames.getall("APIC")[0].data for f in again.getall("CHAP")[-1:]]
    assert Image.open(io.BytesIO(chapter_images[0])).size == (600, 467)


# Runs `python -m toolkit ARGS...` and prints, at exit, every module it imported.
MODULES = """
import atexit, runpy, sys
atexit.register(lambda: print(" ".join(sorted(sys.modules))))
sys.argv = ["podkit", *sys.argv[1:]]
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""


def test_a_re_tag_imports_no_module_only_other_inputs_need(make_show: ShowMaker, mp3: Path) -> None:
    # Suggestions for misspelt keys (difflib), HTML (html), chapters placed by their words
    # (sentences) and the digests of other audio files (base64): none in this show; nor a
    # time zone to check (zoneinfo) or a guid to read (uuid, which imports platform); a
    # re-tag that goes well logs nothing (logging); its few small digests need no OpenSSL
    # (hashlib, and hmac, which loads it too); nor the modules `dataclasses` imports.
    own = ('timezone = "Europe/Paris"\n', 'guid = "0495cb90-b9d0-50ba-b94b-a40da5f73898"\n')
    episode = make_show(**{"show.toml": SHOW_TOML.replace(own[0], "").replace(own[1], "")})
    episode = episode / "001-premier"
    args = ["tag", "-q", str(mp3), "--episode", str(episode)]
    for _ in range(2):  # the second: the show's derived values are kept
        done = subprocess.run(
            [sys.executable, "-c", MODULES, *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert {"toolkit.one_episode", "toolkit.config", "mutagen.id3"} <= modules
    unused = {"difflib", "html", "base64", "toolkit.sentences", "toolkit.chapter_commands"}
    unused |= {"zoneinfo", "uuid", "platform", "logging", "hashlib", "_hashlib", "hmac"}
    unused |= {"dataclasses", "inspect"}  # value classes are made without them
    assert not unused & modules
    assert "threading" not in modules  # a re-tag runs no thread: it takes no lock


# Runs `python -m toolkit ARGS...` and prints, at exit, the patterns compiled on first use
# (`toolkit.patterns`: textcheck's, typography's and the Podcasting 2.0 values').
COMPILED = """
import atexit, runpy, sys
atexit.register(lambda: print(sorted(sys.modules["toolkit.patterns"].COMPILED)))
sys.argv = ["podkit", *sys.argv[1:]]
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""


def test_a_re_tag_of_plain_titles_compiles_no_pattern(make_show: ShowMaker, mp3: Path) -> None:
    # Titles, names and a description of words: no typography rule applies and every
    # character is printable, so textcheck's patterns and typography's rules stay uncompiled;
    # the show has no Podcasting 2.0 value to check.
    episode = make_show() / "001-premier"
    args = ["tag", "-q", str(mp3), "--episode", str(episode)]
    for _ in range(2):  # the second: the show's derived values are kept
        done = subprocess.run(
            [sys.executable, "-c", COMPILED, *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]"]


# Runs `python -m toolkit ARGS...` and prints, at exit, the cyclic collector's state: on or
# off, how many objects it no longer scans, how many collections ran.
COLLECTOR = """
import atexit, gc, runpy, sys
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else 0)
atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count(), len(runs)))
sys.argv = ["podkit", *sys.argv[1:]]
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""


def test_a_re_tag_does_not_collect_garbage_among_what_it_imported(
    make_show: ShowMaker, mp3: Path
) -> None:
    episode = make_show() / "001-premier"
    args = ["tag", "-q", str(mp3), "--episode", str(episode)]
    for _ in range(2):  # the second: the show's derived values are kept
        done = subprocess.run(
            [sys.executable, "-c", COLLECTOR, *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    enabled, frozen, collections = done.stdout.split()
    assert enabled == "True"  # on again for the tagging itself
    assert int(frozen) > 10_000  # the modules, classes and functions the tag imported
    assert int(collections) < 14  # not one every 700 objects made while importing


def test_an_edited_notes_file_is_read_again(make_show: ShowMaker, mp3: Path) -> None:
    source = make_show()
    episode = source / "001-premier"
    podkit_tag(mp3, episode)
    (episode / "notes.md").write_text("Un autre **résumé**.\n", encoding="utf-8")
    assert "markdown_it" in podkit_tag(mp3, episode)
    assert ID3(mp3)["COMM::fra"].text == ["Un autre résumé."]


def _entries(source: Path, kind: str) -> list[Path]:
    return sorted((source / derived.CACHE_FOLDER / "derived").glob(f"{kind}-*"))


def test_an_edited_or_misnamed_cache_entry_is_not_used(make_show: ShowMaker, mp3: Path) -> None:
    source = make_show()
    episode = source / "001-premier"
    podkit_tag(mp3, episode)
    (notes,) = _entries(source, "notes")
    header, _, value = notes.read_bytes().partition(b"\n")
    notes.write_bytes(header + b"\n" + value.replace(b"de test", b"falsifi"))
    assert "markdown_it" in podkit_tag(mp3, episode)
    assert ID3(mp3)["COMM::fra"].text == ["Un épisode de test."]
    # An entry kept for other notes, under the name of these ones: its key does not match.
    (episode / "notes.md").write_text("Autre chose.\n", encoding="utf-8")
    podkit_tag(mp3, episode)
    other = next(p for p in _entries(source, "notes") if p != notes)
    notes.write_bytes(other.read_bytes())
    (episode / "notes.md").write_text("Un épisode **de test**.\n", encoding="utf-8")
    podkit_tag(mp3, episode)
    assert ID3(mp3)["COMM::fra"].text == ["Un épisode de test."]


def test_an_entry_rewritten_with_a_fresh_digest_is_not_used(
    make_show: ShowMaker, mp3: Path
) -> None:
    """Whoever edits an entry can recompute any digest, but not this machine's seal."""
    source = make_show()
    episode = source / "001-premier"
    podkit_tag(mp3, episode)
    (notes,) = _entries(source, "notes")
    header, _, value = notes.read_bytes().partition(b"\n")
    key = header.split()[0]
    forged = value.replace(b"de test", b"falsifi")
    notes.write_bytes(key + b" " + hashlib.sha256(forged).hexdigest().encode() + b"\n" + forged)
    podkit_tag(mp3, episode)
    assert ID3(mp3)["COMM::fra"].text == ["Un épisode de test."]


def test_a_show_whose_cache_cannot_be_written_is_still_tagged(
    make_show: ShowMaker, mp3: Path
) -> None:
    source = make_show()
    (source / derived.CACHE_FOLDER).write_text("a file where the cache folder goes")
    assert "PIL" in podkit_tag(mp3, source / "001-premier")
    assert ID3(mp3)["TIT2"].text == ["Premier épisode"]
    assert (source / derived.CACHE_FOLDER).read_text() == "a file where the cache folder goes"


def test_the_cache_gives_the_show_that_reading_gives(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    computed, _ = load_show(source)
    with derived.kept_in(tmp_path / "cache"):
        load_show(source)  # fills the cache
        kept, _ = load_show(source)
    assert kept == computed


def test_cover_checks_name_the_file_even_for_bytes_kept_under_another_name(
    tmp_path: Path,
) -> None:
    square = png(1400, 1400)
    good, misnamed = tmp_path / "good.png", tmp_path / "misnamed.jpg"
    good.write_bytes(square)
    misnamed.write_bytes(square)
    with derived.kept_in(tmp_path / "cache"):
        assert cover_problems(good) == []
        kept = image_facts(misnamed)
        assert cover_problems(misnamed) == [
            "is a PNG image but its name ends in '.jpg': rename it .png"
        ]
    assert kept == image_facts(misnamed)  # the same facts, read without the cache


def test_a_value_is_derived_again_when_the_code_that_derives_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    (library / "fakerender.py").write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(library))
    computed: list[bytes] = []

    def derive(value: bytes) -> bytes:
        def compute() -> bytes:
            computed.append(value)
            return value

        with derived.kept_in(tmp_path / "cache"):
            kept = derived.cached("x", b"source", compute, ("fakerender",))
        derived._code_version.cache_clear()  # as in a new process
        return kept

    assert derive(b"first") == b"first"
    assert derive(b"second") == b"first"  # kept
    (library / "fakerender.py").write_text("VERSION = 22\n")  # the library upgraded
    assert derive(b"third") == b"third"
    assert computed == [b"first", b"third"]
