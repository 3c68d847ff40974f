"""The `podkit` command through click's CliRunner, and the whole build end to end."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, TONE, TRANSCRIPT, ShowMaker, tree_digest
from lxml import etree, html
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, PCNT, PRIV, TIT2, TXXX, USLT, PictureType

from toolkit import writer
from toolkit.cli import cli

NOW = ["--now", "2026-01-01T00:00:00+00:00"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_the_site_and_ends_with_a_summary(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    code, stdout, stderr = run("build", "--source", str(source), "--out", str(out), *NOW)
    assert code == 0, stderr
    assert stdout.strip().splitlines()[-1].startswith(f"Built 1 episode into {out}: ")
    assert "files written, 0 unchanged, 0 removed in" in stdout
    for name in (
        "index.html",
        "feed.xml",
        "sitemap.xml",
        "404.html",
        "favicon.png",
        "cover.jpg",
        "001-premier/index.html",
        "001-premier/episode.mp3",
        "001-premier/chapters.json",
        "001-premier/transcript.vtt",
        "001-premier/transcript.srt",
        "001-premier/transcript.json",
        "001-premier/transcript.txt",
    ):
        assert (out / name).is_file(), name


def test_sources_are_never_modified(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    before = tree_digest(source)
    run("build", "--source", str(source), "--out", str(tmp_path / "site"), *NOW)
    assert tree_digest(source) == before


def test_second_build_writes_nothing_and_an_edit_rewrites_only_what_changed(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    run("build", "--source", str(source), "--out", str(out), *NOW)
    mp3_mtime = (out / "001-premier" / "episode.mp3").stat().st_mtime_ns
    _, stdout, _ = run("build", "--source", str(source), "--out", str(out), *NOW)
    assert "0 files written" in stdout
    assert (out / "001-premier" / "episode.mp3").stat().st_mtime_ns == mp3_mtime  # not tagged again
    (source / "001-premier" / "notes.md").write_text("Des notes revues.\n", encoding="utf-8")
    _, stdout, _ = run("build", "--source", str(source), "--out", str(out), "-v", *NOW)
    written = {
        line.removeprefix(f"wrote {out}/")
        for line in stdout.splitlines()
        if line.startswith("wrote")
    }
    assert "001-premier/index.html" in written and "feed.xml" in written
    assert "001-premier/transcript.vtt" not in written
    # The MP3's tags carry the summary, taken from the notes: it is tagged again, once.
    assert "001-premier/episode.mp3" in written
    assert ID3(out / "001-premier" / "episode.mp3").getall("COMM")[0].text == ["Des notes revues."]
    assert (out / "001-premier" / "episode.mp3").stat().st_mtime_ns != mp3_mtime


def test_a_failed_build_leaves_the_previous_site_intact(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    run("build", "--source", str(source), "--out", str(out), *NOW)
    before = tree_digest(out)
    (source / "show.toml").write_text(SHOW_TOML.replace('language = "fr"', 'language = "French"'))
    code, stdout, stderr = run("build", "--source", str(source), "--out", str(out), *NOW)
    assert code == 1
    assert "show.toml: language: 'French' is not a language code" in stderr
    assert "Traceback" not in stderr + stdout
    assert tree_digest(out) == before


def test_removed_episode_files_are_cleaned_but_foreign_files_kept(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out = make_show(), tmp_path / "site"
    (source / "002-second").mkdir()
    (source / "002-second" / "episode.toml").write_text(
        (source / "001-premier" / "episode.toml")
        .read_text()
        .replace("11111111", "99999999")
        .replace("number = 1", "number = 2")
    )
    (source / "002-second" / "episode.mp3").write_bytes(TONE.read_bytes())
    run("build", "--source", str(source), "--out", str(out), *NOW)
    (out / "CNAME").write_text("example.org\n")
    for child in (source / "002-second").iterdir():
        child.unlink()
    (source / "002-second").rmdir()
    code, stdout, _ = run("build", "--source", str(source), "--out", str(out), *NOW)
    assert code == 0 and "removed" in stdout
    assert not (out / "002-second" / "index.html").exists()
    assert (out / "CNAME").read_text() == "example.org\n"


def test_base_url_override(make_show: ShowMaker, tmp_path: Path) -> None:
    out = tmp_path / "site"
    run(
        "build",
        "--source",
        str(make_show()),
        "--out",
        str(out),
        "--base-url",
        "http://localhost:8000",
        *NOW,
    )
    feed = etree.parse(str(out / "feed.xml"))
    assert feed.findtext("channel/link") == "http://localhost:8000/"


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "file.txt"
    writer.atomic_write(target, b"one")
    writer.atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_errors_are_one_line_each_without_traceback(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(
        **{
            "show.toml": SHOW_TOML.replace('language = "fr"', 'language = "French"').replace(
                "owner@example.org", "nope"
            )
        }
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "build",
            "--source",
            str(source),
            "--out",
            str(tmp_path / "s"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in result.stderr
    assert lines[0].endswith(
        "show.toml: language: 'French' is not a language code: use e.g. fr or en-US"
    )
    assert lines[1].endswith(
        "show.toml: owner.email: 'nope' is not an email address: write name@example.org"
    )


def test_transcript_import_renames_corrects_and_reports(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "- Speaker #0\nBienvenue sur KeeTime, par l'Effray.\n- Speaker #1\nBonjour Laura.\n"
    )
    glossary = tmp_path / "corrections.txt"
    glossary.write_text("KeeTime -> Keytime\nl'Effray -> l'Efrei\n")
    out = tmp_path / "edited.txt"
    code, stdout, _ = run(
        "transcript",
        "import",
        str(raw),
        str(out),
        "--speaker",
        "Speaker #0=Laura Guibora",
        "--speaker",
        "Speaker #1=Antony Passemard",
        "--corrections",
        str(glossary),
    )
    assert code == 0
    assert out.read_text() == (
        "- Laura Guibora\nBienvenue sur Keytime, par l'Efrei.\n- Antony Passemard\nBonjour Laura.\n"
    )
    assert "segment 1: KeeTime -> Keytime" in stdout and "segment 1: l'Effray -> l'Efrei" in stdout
    assert "2 corrections" in stdout


def test_transcript_import_refuses_an_unknown_label(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text("- Speaker #0\nBonjour.\n")
    out = tmp_path / "out.txt"
    code, _, stderr = run(
        "transcript", "import", str(raw), str(out), "--speaker", "Speaker #3=Niama"
    )
    assert code == 1
    assert stderr.strip() == f"{raw}: no speaker 'Speaker #3' here: the labels are Speaker #0"
    assert not out.exists()


def test_transcript_convert_by_extension(tmp_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text(TRANSCRIPT)
    for ext in ("vtt", "srt", "json"):
        code, stdout, _ = run("transcript", "convert", str(source), str(tmp_path / f"t.{ext}"))
        assert code == 0, stdout
    code, _, _ = run("transcript", "convert", str(tmp_path / "t.vtt"), str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == TRANSCRIPT
    code, _, stderr = run("transcript", "convert", str(source), str(tmp_path / "t.docx"))
    assert code == 1 and "unknown extension" in stderr


def test_tag_in_place_and_inspect(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    target = tmp_path / "final.mp3"
    target.write_bytes(TONE.read_bytes())
    code, stdout, stderr = run("tag", str(target), "--episode", str(source / "001-premier"))
    assert code == 0, stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    code, stdout, _ = run("inspect", str(target))
    assert "ID3v2.3" in stdout
    assert "table of contents 'toc' (top-level, ordered): Chapitres, 3 entries" in stdout
    assert "chp1     20.500 -    45.000  Le cœur du sujet" in stdout


def test_tag_reads_only_its_own_episode(make_show: ShowMaker, tmp_path: Path) -> None:
    # Another episode with a broken transcript and a missing audio file does not matter here.
    source = make_show(
        **{
            "002-autre/episode.toml": EPISODE_TOML.replace("episode.mp3", "absent.mp3"),
            "002-autre/transcript.txt": "[00:00:01] no speaker line\n",
        }
    )
    target = tmp_path / "final.mp3"
    target.write_bytes(TONE.read_bytes())
    code, _, stderr = run("tag", str(target), "--episode", str(source / "001-premier"))
    assert code == 0, stderr
    code, _, stderr = run("tag", str(target), "--episode", str(source / "002-autre"))
    assert code == 1
    assert "absent.mp3" in stderr and "before the first speaker" in stderr  # its own problems
    (source / "003-vide").mkdir()
    code, _, stderr = run("tag", str(target), "--episode", str(source / "003-vide"))
    assert code == 1
    assert stderr.strip() == f"{source / '003-vide'}: not an episode folder: it has no episode.toml"


def test_tag_given_a_shows_folder_says_to_give_an_episodes(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    # Not that show.toml is missing in the folder above: that would send one looking there.
    source = make_show()
    target = tmp_path / "final.mp3"
    target.write_bytes(TONE.read_bytes())
    expected = f"{source}: is a show's folder: give one of its episode folders, e.g. {source / '001-premier'}"
    for args in (
        ["tag", str(target), "--episode", str(source)],
        ["chapters", "export", str(source), "--format", "json"],
    ):
        code, _, stderr = run(*args)
        assert (code, stderr.strip()) == (1, expected)


def test_tag_refuses_a_file_that_is_not_mp3(make_show: ShowMaker, tmp_path: Path) -> None:
    target = tmp_path / "notes.mp3"
    target.write_text("not audio\n" * 40)
    code, _, stderr = run("tag", str(target), "--episode", str(make_show() / "001-premier"))
    assert code == 1
    assert (
        stderr.strip()
        == f"{target}: is not MPEG audio: no MP3 frame found; export the episode as MP3"
    )
    assert target.read_text() == "not audio\n" * 40


def foreign_frames() -> list[object]:
    """Frames other tools write, none of them podkit's."""
    return [
        COMM(encoding=1, lang="eng", desc="iTunNORM", text=[" 00000252 0000022F 00001A8C"]),
        COMM(encoding=1, lang="deu", desc="", text=["Ein Kommentar"]),
        COMM(encoding=1, lang="fra", desc="note", text=["Une note décrite"]),
        APIC(encoding=1, mime="image/png", type=PictureType.COVER_BACK, desc="Cover", data=b"back"),
        APIC(encoding=0, mime="image/jpeg", type=PictureType.ARTIST, desc="", data=b"artist"),
        TXXX(encoding=1, desc="studio", text=["Studio B"]),
        PRIV(owner="com.apple.streaming", data=b"\x00\x01binary"),
        USLT(encoding=1, lang="fra", desc="", text="Paroles"),
    ]


def test_tag_replaces_only_the_frames_podkit_writes(make_show: ShowMaker, tmp_path: Path) -> None:
    id3 = ID3()
    for frame in foreign_frames():
        id3.add(frame)
    # Podkit's own slots, as an older tag filled them: they are replaced.
    id3.add(TIT2(encoding=1, text=["Old title"]))
    id3.add(COMM(encoding=1, lang="fra", desc="", text=["Old summary"]))
    id3.add(APIC(encoding=0, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="x", data=b"f"))
    id3.add(CTOC(element_id="old", flags=0, child_element_ids=["c9"], sub_frames=[]))
    id3.add(CHAP(element_id="c9", start_time=0, end_time=9, sub_frames=[]))
    buffer = io.BytesIO(TONE.read_bytes())
    id3.save(buffer, v2_version=3)
    target = tmp_path / "final.mp3"
    target.write_bytes(buffer.getvalue())

    episode = str(make_show() / "001-premier")
    code, _, stderr = run("tag", str(target), "--episode", episode)
    assert code == 0, stderr
    tagged = ID3(target)
    kept = {frame.HashKey: repr(frame) for frame in foreign_frames()}
    assert {key: repr(tagged[key]) for key in kept} == kept
    assert str(tagged["TIT2"]) == "Premier épisode"
    assert str(tagged["COMM::fra"]).startswith("Un épisode de test")
    pictures = tagged.getall("APIC")
    assert [p.type for p in pictures] == [PictureType.COVER_FRONT, 4, 8]  # the front one first
    assert pictures[0].data[:2] == b"\xff\xd8" and pictures[0].desc == "Cover 2"
    assert [c.element_id for c in tagged.getall("CHAP")] == ["chp0", "chp1", "chp2"]
    assert [t.element_id for t in tagged.getall("CTOC")] == ["toc"]
    once = target.read_bytes()
    code, _, stderr = run("tag", str(target), "--episode", episode)
    assert code == 0, stderr
    assert target.read_bytes() == once


def test_tag_through_a_symlink_tags_its_target(make_show: ShowMaker, tmp_path: Path) -> None:
    (tmp_path / "audio").mkdir()
    real = tmp_path / "audio" / "master.mp3"
    real.write_bytes(TONE.read_bytes())
    link = tmp_path / "final.mp3"
    link.symlink_to(Path("audio") / "master.mp3")
    code, _, stderr = run("tag", str(link), "--episode", str(make_show() / "001-premier"))
    assert code == 0, stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("audio") / "master.mp3")
    assert str(ID3(real)["TIT2"]) == "Premier épisode"
    left = [p.name for p in tmp_path.rglob(".*") if ".podkit-cache" not in p.parts]
    assert left == []  # no temporary file or journal (the show's cache is kept)


def test_tag_removes_only_its_own_stale_temporary_files(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    folder = tmp_path / "audio"
    folder.mkdir()
    target = folder / "final.mp3"
    target.write_bytes(TONE.read_bytes())
    # What a killed `podkit tag` leaves: the name its own mkstemp call gives, and one as
    # written by earlier versions.
    handle, left = tempfile.mkstemp(prefix=".final.mp3.", suffix=".tmp", dir=folder)
    os.write(handle, TONE.read_bytes()[:5000])
    os.close(handle)
    stale = [Path(left), folder / ".final.mp3.k3x_9a0b.tmp"]
    stale[1].write_bytes(b"partial copy")
    elsewhere = tmp_path / "keep.txt"
    elsewhere.write_text("not podkit's")
    look_alikes = [
        ".final.mp3.notes.tmp",
        ".final.mp3.ABCDEFGH.tmp",
        ".final.mp3.abcdefgh.tmp.keep",
        ".final.mp3.abcdefghi.tmp",
        ".other.mp3.abcdefgh.tmp",
        "final.mp3.abcdefgh.tmp",
        ".final.mp3x.abcdefgh.tmp",
    ]
    for name in look_alikes:
        (folder / name).write_text("keep me")
    (folder / ".final.mp3.dir_abcd.tmp").mkdir()
    (folder / ".final.mp3.link_abc.tmp").symlink_to(elsewhere)
    code, stdout, stderr = run("tag", str(target), "--episode", str(make_show() / "001-premier"))
    assert code == 0, stderr
    assert not any(path.exists() for path in stale)
    assert all(f"{path}: removed" in stdout for path in stale)
    assert all((folder / name).read_text() == "keep me" for name in look_alikes)
    assert (folder / ".final.mp3.dir_abcd.tmp").is_dir()
    assert (folder / ".final.mp3.link_abc.tmp").is_symlink()
    assert elsewhere.read_text() == "not podkit's"
    assert str(ID3(target)["TIT2"]) == "Premier épisode"


def cut_inside_its_tag(path: Path) -> Path:
    id3 = ID3()
    id3.add(APIC(encoding=0, mime="image/jpeg", type=3, desc="", data=bytes(300_000)))
    buffer = io.BytesIO(TONE.read_bytes())
    id3.save(buffer)
    path.write_bytes(buffer.getvalue()[:150_000])
    return path


def loop(path: Path) -> Path:
    path.symlink_to(path.name)
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def not_mpeg(path: Path) -> Path:
    path.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"not audio" * 50)
    return path


@pytest.mark.parametrize(
    ("make_mp3", "message"),
    [
        (cut_inside_its_tag, "has a damaged or cut-off ID3 tag: copy or export the file again"),
        (folder, "is a folder: give the MP3 file to tag"),
        (lambda path: path, "file not found: check the path of the MP3 to tag"),
        (loop, "cannot be read (Too many levels of symbolic links): check the path"),
        (not_mpeg, "is not MPEG audio: no MP3 frame found; export the episode as MP3"),
    ],
)
def test_tag_refuses_what_it_cannot_tag_in_one_line(
    make_show: ShowMaker, tmp_path: Path, make_mp3: Callable[[Path], Path], message: str
) -> None:
    source = make_show()
    mp3 = make_mp3(tmp_path / "final.mp3")
    before = tree_digest(tmp_path)
    code, _, stderr = run("tag", str(mp3), "--episode", str(source / "001-premier"))
    assert code == 1
    assert stderr == f"{mp3}: {message}\n"
    assert tree_digest(tmp_path) == before


def test_tag_reports_the_mp3_and_the_episode_at_once(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(
        **{"001-premier/episode.toml": EPISODE_TOML.replace('title = "Premier épisode"\n', "")}
    )
    code, _, stderr = run(
        "tag", str(tmp_path / "absent.mp3"), "--episode", str(source / "001-premier")
    )
    assert code == 1
    lines = stderr.splitlines()
    assert (
        lines[0] == f"{tmp_path / 'absent.mp3'}: file not found: check the path of the MP3 to tag"
    )
    assert len(lines) >= 2 and "title" in lines[1]


def test_keytime_builds_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, _, stderr = run("build", "--source", str(KEYTIME), "--out", str(out))
    assert code == 0, stderr
    page = html.parse(str(out / "001-antony-passemard" / "index.html"))
    assert page.getroot().get("lang") == "fr"
    assert "Antony Passemard" in page.findtext(".//h1")
    assert (
        len(ID3(out / "001-antony-passemard" / "keytime-001-antony-passemard.mp3").getall("CHAP"))
        == 16
    )


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_top_level_flags(flag: str) -> None:
    code, stdout, _ = run(flag)
    assert code == 0 and stdout


def test_inspect_of_an_untagged_file() -> None:
    code, stdout, _ = run("inspect", str(TONE))
    assert code == 0 and "no ID3v2 tag" in stdout


def test_inspect_of_a_play_counter_too_large_to_print(tmp_path: Path) -> None:
    mp3 = tmp_path / "counted.mp3"
    mp3.write_bytes(TONE.read_bytes())
    tag = ID3()
    tag.add(TIT2(encoding=3, text="Compté"))
    tag.add(PCNT(count=int.from_bytes(b"\xff" * 2000, "big")))
    tag.save(mp3)
    code, stdout, stderr = run("inspect", str(mp3))
    assert (code, stderr) == (0, "")
    assert "  PCNT  (too large to print)" in stdout.splitlines()
    assert "  TIT2  Compté" in stdout.splitlines()


def _tagged_mp3s(tmp_path: Path, names: tuple[str, ...]) -> list[Path]:
    files = [tmp_path / name for name in names]
    for file in files:
        file.write_bytes(TONE.read_bytes())
    return files


def test_tag_refuses_a_read_only_mp3_before_writing_any(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root may write any file: a read-only one is simulated for root, and real for others.
    episode = make_show() / "001-premier"
    writable, read_only = _tagged_mp3s(tmp_path, ("a.mp3", "b.mp3"))
    read_only.chmod(0o444)
    if os.geteuid() == 0:
        real_access = os.access
        denied = os.W_OK  # what the mode bits deny a user who is not root

        def access(path: object, mode: int, **options: object) -> bool:
            if Path(str(path)) == read_only and mode & denied:
                return False
            return real_access(path, mode, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
    before = [f.read_bytes() for f in (writable, read_only)]
    code, stdout, stderr = run("tag", str(writable), str(read_only), "--episode", str(episode))
    assert (code, stdout) == (1, ""), stderr
    assert stderr.strip() == f"{read_only}: is read-only: make it writable to tag it (chmod u+w)"
    assert [f.read_bytes() for f in (writable, read_only)] == before  # neither written


def test_tag_that_cannot_write_one_file_tags_the_others_and_says_which(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file refused only as it is written (e.g. made immutable): the others are still tagged,
    # and the command says which were, before the line about the one that was not.
    episode = make_show() / "001-premier"
    first, refused, last = _tagged_mp3s(tmp_path, ("a.mp3", "b.mp3", "c.mp3"))
    from toolkit import audio

    real_tag_file = audio.tag_file

    def tag_file(path: Path, *args: object) -> object:
        if path == refused:
            raise PermissionError(1, "Operation not permitted")
        return real_tag_file(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(audio, "tag_file", tag_file)
    unchanged = refused.read_bytes()
    code, stdout, stderr = run(
        "tag", str(first), str(refused), str(last), "--episode", str(episode)
    )
    assert code == 1
    assert stdout.splitlines() == [
        f"{first}: tagged with 3 chapters (in place)",
        f"{last}: tagged with 3 chapters (in place)",
    ]
    assert stderr.strip() == (
        f"{refused}: cannot be written (Operation not permitted): make it writable to tag it;"
        " it is unchanged"
    )
    assert refused.read_bytes() == unchanged
    assert ID3(first)["TIT2"].text == ID3(last)["TIT2"].text != []


def test_tag_refuses_an_mp3_in_a_folder_it_cannot_write_to(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The journal of an in-place write goes beside the file: without it, no safe write.
    episode = make_show() / "001-premier"
    (tmp_path / "locked").mkdir()
    (mp3,) = _tagged_mp3s(tmp_path / "locked", ("a.mp3",))
    real_access = os.access
    folder = mp3.parent.resolve()

    def access(path: object, mode: int, **options: object) -> bool:
        if Path(str(path)) == folder and mode & os.W_OK:
            return False
        return real_access(path, mode, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    before = mp3.read_bytes()
    code, _, stderr = run("tag", str(mp3), "--episode", str(episode))
    assert code == 1
    assert stderr.strip() == (
        f"{mp3}: is in a folder podkit cannot write to ({folder}): tagging writes a journal"
        " beside the file; make the folder writable"
    )
    assert mp3.read_bytes() == before


def test_tag_warns_of_what_the_build_warns_of(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A misspelt key is ignored by every command: `podkit tag` says so as `podkit build` does,
    # naming the file as the build names it (from the working folder).
    source = make_show(
        **{"001-premier/episode.toml": EPISODE_TOML.replace("title =", "titel = 'x'\ntitle =", 1)}
    )
    (mp3,) = _tagged_mp3s(tmp_path, ("a.mp3",))
    monkeypatch.chdir(source.parent)
    show = Path(source.name)
    code, stdout, stderr = run("tag", str(mp3), "--episode", str(show / "001-premier"))
    assert code == 0 and stdout.startswith(f"{mp3}: tagged with")
    toml = show / "001-premier" / "episode.toml"
    assert stderr.strip() == f"warning: {toml}: titel: unknown key: did you mean 'title'?"
    code, _, build_err = run("build", "--source", str(show), "--out", str(tmp_path / "s"), *NOW)
    assert code == 0 and stderr.strip() in build_err


def test_tag_given_a_folder_that_is_no_episode_says_only_that(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    # Not also that show.toml is missing in the folder above: it need not be a show.
    (mp3,) = _tagged_mp3s(tmp_path, ("a.mp3",))
    (tmp_path / "exports").mkdir()
    for folder, message in (
        (tmp_path / "exports", "not an episode folder: it has no episode.toml"),
        (make_show() / "003-absent", "folder not found: give the episode's folder"),
    ):
        code, _, stderr = run("tag", str(mp3), "--episode", str(folder))
        assert (code, stderr.strip()) == (1, f"{folder}: {message}")
