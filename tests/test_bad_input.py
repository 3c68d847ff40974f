"""Bad input of every kind ends in one clear line per problem and exit status 1, never a
traceback; the site and the sources stay as they were."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import EPISODE_TOML, KEYTIME, SHOW_TOML, TONE, TRANSCRIPT, ShowMaker, tree_digest
from mutagen.id3 import APIC, ID3, TIT2

from toolkit.cli import cli

NOW = ["--now", "2026-01-01T00:00:00+00:00"]


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def refused_build(source: Path, out: Path) -> str:
    """Build a good site, then the bad sources: exit 1, site and sources untouched."""
    before_sources = tree_digest(source)
    out.mkdir(exist_ok=True)
    (out / "keep.txt").write_text("a previous build")
    before_site = tree_digest(out)
    result = invoke("build", "--source", source, "--out", out, *NOW)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert tree_digest(out) == before_site
    assert tree_digest(source) == before_sources
    return result.stderr


# ---------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"001-premier__episode.toml": EPISODE_TOML.replace("Premier", "Prem\\u0001ier")},
            "episode.toml: title: contains the control character U+0001 at position 5: remove it",
        ),
        (
            {"001-premier__episode.toml": EPISODE_TOML.replace("Premier", "Prem\\tier")},
            "episode.toml: title: contains the control character U+0009 at position 5: remove it",
        ),
        (
            {
                "001-premier__episode.toml": EPISODE_TOML.replace(
                    '"Conclusion"', '"Con\\u001fclusion"'
                )
            },
            "episode.toml: chapters[2].title: contains the control character U+001F at position 4",
        ),
        (
            {"show.toml": SHOW_TOML.replace("A show for tests.", "A show\\u0007 for tests.")},
            "show.toml: description: contains the control character U+0007 at position 7",
        ),
        (
            {"show.toml": 'keywords = ["ok", "b\\u0000d"]\n' + SHOW_TOML},
            "show.toml: keywords[1]: contains the control character U+0000 at position 2",
        ),
        (
            {"001-premier__notes.md": "Un épisode.\n\nDeux \x0b lignes.\n"},
            "notes.md:3: contains the control character U+000B at column 6: remove it",
        ),
        (
            {"001-premier__transcript.txt": TRANSCRIPT.replace("Bonjour", "Bon\x02jour")},
            "transcript.txt:2: contains the control character U+0002 at column 19: remove it",
        ),
        (
            {
                "001-premier__transcript.txt": None,
                "001-premier__transcript.json": '{"version": "1.0.0", "segments": ['
                '{"speaker": "A\\u0003", "body": "x", "startTime": 0, "endTime": 1}]}',
            },
            "transcript.json: segments[0].speaker: speaker 'A\\x03' contains the control character U+0003 at position 2",
        ),
    ],
)
def test_a_control_character_is_refused_at_load_with_its_position(
    make_show: ShowMaker, tmp_path: Path, files: dict[str, str | None], expected: str
) -> None:
    assert expected in refused_build(make_show(**files), tmp_path / "site")


def test_line_breaks_and_tabs_stay_allowed_in_descriptions(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    show = SHOW_TOML.replace("A show for tests.", "A show\\n\\tfor tests.")
    source = make_show(**{"show.toml": show, "001-premier__notes.md": "Un\tépisode.\r\n"})
    result = invoke("build", "--source", source, "--out", tmp_path / "site", *NOW)
    assert result.exit_code == 0, result.output


def test_chapters_export_podlove_of_a_control_character_is_one_line(
    make_show: ShowMaker,
) -> None:
    source = make_show(
        **{"001-premier__episode.toml": EPISODE_TOML.replace("Introduction", "Intro\\u0001")}
    )
    result = invoke("chapters", "export", source / "001-premier", "--format", "podlove")
    assert result.exit_code == 1
    assert "chapters[0].title: contains the control character U+0001 at position 6" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "c.json",
            '{"chapters": [{"startTime": 0, "title": "a\\u0001"}]}',
            "c.json: chapter 1: title",
        ),
        ("c.txt", "00:00:00.000 In\x01tro\n", "c.txt:1: contains the control character U+0001"),
        ("c.csv", '#,Name,Start\nM1,"a\x1fb",0\n', "c.csv:2: contains the control character"),
    ],
)
def test_chapters_import_refuses_control_characters(
    make_show: ShowMaker, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    source = make_show()
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    before = tree_digest(source)
    result = invoke("chapters", "import", file, "--episode", source / "001-premier")
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert tree_digest(source) == before


# ---------------------------------------------------------------- images


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims this size and holds one row of data: only decoding finds out."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + bytes(3 * min(width, 1000)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


TRUNCATED_JPEG = (KEYTIME / "cover.jpg").read_bytes()[:30_000]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "cover.png": png_header(20_000, 20_000),
                "show.toml": SHOW_TOML.replace("cover.jpg", "cover.png"),
            },
            "show.toml: cover: is too large to decode safely",
        ),
        ({"cover.jpg": TRUNCATED_JPEG}, "show.toml: cover: is damaged"),
        (
            {
                "001-premier__big.png": png_header(20_000, 20_000),
                "001-premier__episode.toml": EPISODE_TOML + 'image = "big.png"\n',
            },
            "episode.toml: chapters[2].image: is too large to decode safely",
        ),
        (
            {
                "001-premier__cut.jpg": TRUNCATED_JPEG,
                "001-premier__episode.toml": EPISODE_TOML + 'image = "cut.jpg"\n',
            },
            "episode.toml: chapters[2].image: is damaged",
        ),
    ],
)
def test_an_image_bomb_or_a_damaged_image_is_refused(
    make_show: ShowMaker, tmp_path: Path, files: dict[str, bytes | str], expected: str
) -> None:
    assert expected in refused_build(make_show(**files), tmp_path / "site")


# ---------------------------------------------------------------- MP3 cut inside its tag


def mp3_cut_in_its_tag() -> bytes:
    buffer = io.BytesIO(TONE.read_bytes())
    tag = ID3()
    tag.add(TIT2(encoding=3, text=["t"]))
    tag.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=os.urandom(200_000)))
    tag.save(buffer)
    return buffer.getvalue()[:100_000]


def test_an_mp3_cut_inside_its_tag_is_one_line_everywhere(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = make_show(**{"001-premier__episode.mp3": mp3_cut_in_its_tag()})
    stderr = refused_build(source, tmp_path / "site")
    assert "episode.toml: audio: episode.mp3 " in stderr
    mp3 = source / "001-premier" / "episode.mp3"
    for args in (
        ["inspect", mp3],
        ["chapters", "import", mp3, "--format", "mp3", "--episode", source / "001-premier"],
        ["check", "--source", source, "--site", tmp_path / "site"],
    ):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert "ID3" in result.output, result.output


# ---------------------------------------------------------------- times


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e308", "1e400"])
def test_json_transcript_times_must_be_finite_and_in_range(tmp_path: Path, value: str) -> None:
    raw = tmp_path / "t.json"
    raw.write_text(
        '{"version": "1.0.0", "segments": [{"speaker": "A", "body": "x", '
        f'"startTime": 0, "endTime": {value}}}]}}'
    )
    result = invoke("transcript", "convert", raw, tmp_path / "t.vtt")
    assert result.exit_code == 1
    assert result.stderr.startswith("t.json: segments[0].endTime: ") or (
        f"{raw}: segments[0].endTime: " in result.stderr
    ), result.stderr
    assert not (tmp_path / "t.vtt").exists()


@pytest.mark.parametrize(
    ("name", "content", "fmt", "expected"),
    [
        ("c.json", '{"chapters": [{"startTime": NaN, "title": "a"}]}', "json", ": chapter 1: "),
        ("c.json", '{"chapters": [{"startTime": 1e308, "title": "a"}]}', "json", ": chapter 1: "),
        ("c.txt", "0\t0\tA\n1e400\t1e400\tB\n", "audacity", ":2: "),
        ("c.txt", "0\t0\tA\nnan\t1\tB\n", "audacity", ":2: "),
        ("c.csv", "#,Name,Start\nM1,A,0\nM2,B,1e400\n", "reaper", ":3: "),
        ("c.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/0\nSTART=0\n", "ffmetadata", ":2: "),
        ("c.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=0/1\nSTART=0\n", "ffmetadata", ":2: "),
        ("c.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=-1/1000\nSTART=0\n", "ffmetadata", ":2: "),
        ("c.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=x\nSTART=0\n", "ffmetadata", ":2: "),
        ("c.txt", ";FFMETADATA1\n[CHAPTER]\nSTART=" + "9" * 400 + "\n", "ffmetadata", ":2: "),
        ("c.txt", ";FFMETADATA1\n[CHAPTER]\nSTART=" + "9" * 5000 + "\n", "ffmetadata", ":2: "),
        ("c.json", '{"chapters": [{"startTime": ' + "9" * 5000 + ', "title": "a"}]}', "json", ": "),
        ("c.json", "[" * 100_000, "json", ": "),
        ("c.csv", "#,Name,Start\nM1,A,0\nM2,B\r,1\n", "reaper", ":3: "),
        ("c.csv", '#,Name,Start\nM1,A,0\nM2,"' + "b" * 200_000 + '",1\n', "reaper", ":3: "),
    ],
)
def test_chapter_files_with_bad_times_or_csv_are_one_line(
    make_show: ShowMaker, tmp_path: Path, name: str, content: str, fmt: str, expected: str
) -> None:
    source = make_show()
    file = tmp_path / name
    file.write_text(content)
    before = tree_digest(source)
    result = invoke(
        "chapters", "import", file, "--format", fmt, "--episode", source / "001-premier"
    )
    assert result.exit_code == 1, result.output
    assert f"{file}{expected}" in result.stderr, result.stderr
    assert tree_digest(source) == before


def test_a_timestamp_of_more_than_1000_hours_is_refused(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    toml = EPISODE_TOML.replace('"00:00:45"', '"1000:00:01"')
    stderr = refused_build(make_show(**{"001-premier__episode.toml": toml}), tmp_path / "site")
    assert "episode.toml: chapters[2].start: '1000:00:01' is over 1,000 hours" in stderr


# ---------------------------------------------------------------- 256 chapters


def many_chapters(count: int) -> str:
    lines = [EPISODE_TOML.split("[[chapters]]")[0]]
    for i in range(count):
        lines.append(f'[[chapters]]\nstart = "{i // 5:02d}.{i % 5 * 100:03d}"\ntitle = "C{i}"\n')
    return "\n".join(lines)


def test_256_chapters_are_refused_at_load(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"001-premier__episode.toml": many_chapters(256)})
    stderr = refused_build(source, tmp_path / "site")
    assert (
        "episode.toml: chapters: has 256 chapters: an MP3's table of contents holds at most 255"
        in stderr
    )


def test_255_chapters_build(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"001-premier__episode.toml": many_chapters(255)})
    result = invoke("build", "--source", source, "--out", tmp_path / "site", *NOW)
    assert result.exit_code == 0, result.output
    tag = ID3(tmp_path / "site" / "001-premier" / "episode.mp3")
    assert len(tag.getall("CTOC")[0].child_element_ids) == 255


def test_chapters_import_refuses_256_chapters(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    file = tmp_path / "labels.txt"
    file.write_text("".join(f"{i / 10:.1f}\t{i / 10:.1f}\tC{i}\n" for i in range(256)))
    result = invoke("chapters", "import", file, "--episode", source / "001-premier")
    assert result.exit_code == 1
    assert (
        f"{file}: has 256 chapters: an MP3's table of contents holds at most 255" in result.stderr
    )


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"\\u0000"', "audio: contains the control character U+0000 at position 1"),
        ('"' + "a" * 5000 + '.mp3"', "audio: file 'aaaa"),
        ('"' + "a/" * 2500 + 'x.mp3"', "audio: file 'a/a/"),
        ('"loop.mp3"', "audio: file 'loop.mp3' cannot be read"),
    ],
)
def test_an_unusable_audio_path_is_one_line(
    make_show: ShowMaker, tmp_path: Path, value: str, expected: str
) -> None:
    toml = EPISODE_TOML.replace('"episode.mp3"', value)
    source = make_show(**{"001-premier__episode.toml": toml})
    os.symlink("loop.mp3", source / "001-premier" / "loop.mp3")
    assert expected in refused_build(source, tmp_path / "site")


def test_a_folder_named_show_toml(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"show.toml": None})
    (source / "show.toml").mkdir()
    stderr = refused_build(source, tmp_path / "site")
    assert "show.toml: is a folder, not a file" in stderr


def test_a_folder_named_notes_md_or_transcript(make_show: ShowMaker, tmp_path: Path) -> None:
    toml = EPISODE_TOML.replace(
        'audio = "episode.mp3"', 'audio = "episode.mp3"\ntranscript = "t.txt"'
    )
    source = make_show(**{"001-premier__notes.md": None, "001-premier__episode.toml": toml})
    (source / "001-premier" / "notes.md").mkdir()
    (source / "001-premier" / "t.txt").mkdir()
    stderr = refused_build(source, tmp_path / "site")
    assert "notes.md: is a folder, not a file" in stderr
    assert "episode.toml: transcript: 't.txt' is a folder, not a file" in stderr


def test_transcript_commands_refuse_folders(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(TRANSCRIPT)
    folder = tmp_path / "folder"
    folder.mkdir()
    cases = [
        (
            ["transcript", "convert", folder, tmp_path / "x.vtt"],
            f"{folder}: is a folder, not a file",
        ),
        (["transcript", "convert", raw, folder], f"{folder}: is a folder, not a file"),
        (
            ["transcript", "import", folder, tmp_path / "x.txt"],
            f"{folder}: is a folder, not a file",
        ),
        (["transcript", "import", raw, folder], f"{folder}: is a folder, not a file"),
        (
            ["transcript", "import", raw, tmp_path / "x.txt", "--corrections", folder],
            f"{folder}: is a folder, not a file",
        ),
        (["transcript", "convert", raw, raw / "x.vtt"], f"{raw / 'x.vtt'}: cannot be written"),
        (["inspect", folder], "is a directory"),
    ]
    for args, expected in cases:
        result = invoke(*args)
        assert result.exit_code in (1, 2), result.output
        assert expected in result.output, result.output


# ---------------------------------------------------------------- links


def test_a_url_urlparse_cannot_split_is_one_line(make_show: ShowMaker, tmp_path: Path) -> None:
    show_toml = SHOW_TOML.replace(
        'base_url = "https://example.org/show/"', 'base_url = "https://[example.org/"'
    )
    assert show_toml != SHOW_TOML
    message = refused_build(make_show(**{"show.toml": show_toml}), tmp_path / "site")
    assert "show.toml: base_url: 'https://[example.org/' is not a valid URL" in message


def test_a_link_outside_ascii_is_published_percent_encoded(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    """ID3 URL frames hold Latin-1 only, feeds want URIs: an IRI is published encoded."""
    episode_toml = EPISODE_TOML.replace(
        'title = "Conclusion"', 'title = "Conclusion"\nurl = "https://fr.example.org/Bicêtre_€"'
    )
    assert episode_toml != EPISODE_TOML
    source = make_show(**{"001-premier__episode.toml": episode_toml})
    out = tmp_path / "site"
    result = invoke("build", "--source", source, "--out", out, *NOW)
    assert result.exit_code == 0, result.output
    encoded = "https://fr.example.org/Bic%C3%AAtre_%E2%82%AC"
    assert encoded in (out / "001-premier" / "chapters.json").read_text(encoding="utf-8")
    tag = ID3(out / "001-premier" / "episode.mp3")
    urls = [sub.url for chap in tag.getall("CHAP") for sub in chap.sub_frames.getall("WXXX")]
    assert urls[-1] == encoded
