"""Compiled templates kept between builds: a rebuild compiles no template it compiled before,
and runs no compiled code that this machine's podkit did not seal."""

from __future__ import annotations

import shutil
from hashlib import sha1
from pathlib import Path

import pytest
from conftest import ShowMaker
from jinja2 import Environment
from jinja2.bccache import Bucket

from toolkit import template_cache
from toolkit.build import build
from toolkit.cache import MANIFEST
from toolkit.errors import ToolkitError
from toolkit.seal import seal
from toolkit.site import SealedBytecodeCache
from toolkit.template_cache import PURPOSE

EP = "001-premier"


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates compiled from now on."""
    names: list[str] = []
    real = Environment.compile

    def spy(self: Environment, source: object, name: str | None = None, *args: object) -> object:
        names.append(str(name))
        return real(self, source, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", spy)
    return names


def edit_notes(source: Path, line: str) -> None:
    notes = source / EP / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def published(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST and ".podkit-cache" not in p.parts
    }


def test_a_rebuild_compiles_no_template_again(
    make_show: ShowMaker, tmp_path: Path, compiled: list[str]
) -> None:
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    assert "episode.html" in compiled and "index.html" in compiled
    compiled.clear()
    edit_notes(source, "Une ligne de plus.")  # its page and the home page are rendered again
    report = build(source, out)
    assert f"{EP}/index.html" in report.written.written
    assert compiled == []


def test_a_failed_build_keeps_no_compiled_template(make_show: ShowMaker, tmp_path: Path) -> None:
    source = make_show(**{"_templates/index.html": "{{ nope }}"})  # fails as the home renders
    with pytest.raises(ToolkitError):
        build(source, tmp_path / "site")
    assert not (tmp_path / "site" / template_cache.FOLDER).exists()


def forged(out: Path, name: str, header: bytes) -> bytes:
    """Compiled code as Jinja2 takes it for the template ``name`` (its source's checksum),
    which renders another page."""
    env = Environment()
    source = (Path(__file__).parents[1] / "templates" / name).read_text(encoding="utf-8")
    bucket = Bucket(
        env, SealedBytecodeCache(out).get_cache_key(name), sha1(source.encode()).hexdigest()
    )
    bucket.code = env.compile("FORGED", name)
    return header + bucket.bytecode_to_string()


@pytest.mark.parametrize("seal_it", [False, True])
def test_compiled_code_is_run_only_under_this_machines_seal(
    make_show: ShowMaker, tmp_path: Path, compiled: list[str], seal_it: bool
) -> None:
    """Someone puts code of their own in the episode page's compiled template: unsealed, it
    is not run; sealed by this machine but for another podkit, neither."""
    source, out = make_show(), tmp_path / "site"
    build(source, out)
    page = out / template_cache.FOLDER / SealedBytecodeCache(out).get_cache_key("episode.html")
    header = page.read_bytes()[65:].split(b"\n", 1)[0] + b"\n"
    if seal_it:  # another podkit's code key (its last digit changed), sealed here
        header = header[:-2] + (b"1" if header[-2:-1] == b"0" else b"0") + b"\n"
    body = forged(out, "episode.html", header)
    page.write_bytes((seal(body, PURPOSE) if seal_it else "0" * 64).encode() + b"\n" + body)
    compiled.clear()
    edit_notes(source, "Une ligne de plus.")
    build(source, out)
    assert "episode.html" in compiled
    assert b"FORGED" not in (out / EP / "index.html").read_bytes()
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(source, clean)
    assert published(out) == published(clean)
