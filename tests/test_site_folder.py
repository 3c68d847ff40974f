"""The site folder given with --out never reaches the show's sources, nor anything outside it
through a link; whatever stands in the site's way is named, not overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ShowMaker, tree_digest

from toolkit.cli import cli

EP = "001-premier"


def podkit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("where", [".", "site", "001-premier", ".."])
def test_an_out_folder_that_is_inside_or_holds_the_show_is_refused(
    make_show: ShowMaker, where: str
) -> None:
    source = make_show()
    before = tree_digest(source.parent)
    code, output = podkit("build", "--source", str(source), "--out", str(source / where))
    assert code == 1
    assert len(output.strip().splitlines()) == 1
    assert "choose a --out outside it" in output
    assert tree_digest(source.parent) == before


def test_a_hidden_folder_of_the_show_is_a_site_folder(make_show: ShowMaker) -> None:
    source = make_show()
    code, output = podkit("build", "--source", str(source), "--out", str(source / ".preview"))
    assert code == 0, output
    assert (source / ".preview" / EP / "index.html").is_file()


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_an_out_that_is_not_a_folder_is_refused(
    make_show: ShowMaker, tmp_path: Path, target: str
) -> None:
    source = make_show()
    out = tmp_path / "f2" if target == "file" else Path(target)
    if target == "file":
        out.write_text("x\n", encoding="utf-8")
    code, output = podkit("build", "--source", str(source), "--out", str(out))
    assert (code, output) == (
        1,
        f"{out}: is not a folder: give --out a folder (podkit makes it if it is missing)\n",
    )
    if target == "file":
        assert out.read_text(encoding="utf-8") == "x\n"


def test_a_linked_episode_folder_in_the_site_is_not_written_through(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source, out, victim = make_show(), tmp_path / "site", tmp_path / "victim"
    assert podkit("build", "--source", str(source), "--out", str(out))[0] == 0
    for path in sorted((out / EP).iterdir()):
        path.unlink()
    (out / EP).rmdir()
    victim.mkdir()
    (out / EP).symlink_to(victim)
    (source / EP / "notes.md").write_text("Autres notes.\n", encoding="utf-8")
    code, output = podkit("build", "--source", str(source), "--out", str(out))
    assert (code, output) == (
        1,
        f"{out / EP}: is a link where the site has a folder: remove the link\n",
    )
    assert list(victim.iterdir()) == []


@pytest.mark.parametrize("in_the_way", [EP, f"{EP}/index.html"])
def test_something_in_the_way_of_the_site_is_named_and_left(
    make_show: ShowMaker, tmp_path: Path, in_the_way: str
) -> None:
    source, out = make_show(), tmp_path / "site"
    assert podkit("build", "--source", str(source), "--out", str(out))[0] == 0
    path = out / in_the_way
    if in_the_way == EP:
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
        path.write_text("mine\n", encoding="utf-8")
    else:
        path.unlink()
        path.mkdir()
    before = tree_digest(out)
    code, output = podkit("build", "--source", str(source), "--out", str(out))
    assert code == 1
    assert output.startswith(f"{path}: is in the way of ") and output.endswith(": move it out\n")
    assert tree_digest(out) == before


def test_chapters_export_to_a_folder_is_one_line(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show()
    folder = tmp_path / "somedir"
    folder.mkdir()
    code, output = podkit(
        "chapters", "export", str(source / EP), "--format", "json", "-o", str(folder)
    )
    assert (code, output) == (1, f"{folder}: is a folder: name a file to write\n")
