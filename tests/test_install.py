"""podkit as users get it: built into a wheel, installed (or run from the wheel as a zip), with
no checkout in sight. It builds a copy of the example outside the repository, byte for byte
as the checkout does, and `podkit check` finds nothing wrong there."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import KEYTIME, ROOT

from toolkit import __version__
from toolkit.build import build
from toolkit.cache import MANIFEST

pytestmark = pytest.mark.install

NOW = "2030-01-01T00:00:00+00:00"


def pip(command: str, *args: str) -> None:
    """pip, offline: podkit alone, its dependencies are this environment's."""
    options = ("-q", "--no-deps", "--no-index")
    subprocess.run([sys.executable, "-m", "pip", command, *options, *args], check=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """podkit's wheel, built offline from a copy of what the repository would ship."""
    tree = tmp_path_factory.mktemp("tree")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tree / name)
    for folder in ("toolkit", "templates"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    pip("wheel", "--no-build-isolation", "-w", str(out), str(tree))
    (found,) = out.glob("podkit-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed by pip into a folder of its own."""
    target = tmp_path_factory.mktemp("installed")
    pip("install", "--target", str(target), str(wheel))
    return target


def podkit(location: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run podkit from ``location`` only: ``-S`` skips the site folder's .pth files (the
    editable install's finder among them), so neither the checkout nor an editable install
    can stand in for what the wheel lacks; the dependencies come from this environment."""
    paths = sysconfig.get_paths()
    search = [str(location), paths["purelib"], paths["platlib"]]
    script = (
        f"import sys; sys.path[:0] = {search!r}; import toolkit; "
        f"assert toolkit.__file__.startswith({str(location)!r}), toolkit.__file__; "
        "from toolkit.cli import main; sys.argv[0] = 'podkit'; main()"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-S", "-c", script, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def checkout_site(tmp_path: Path) -> Path:
    """The same copy of the example built by the checkout's podkit."""
    show, out = tmp_path / "checkout-show", tmp_path / "checkout-site"
    shutil.copytree(KEYTIME, show)
    from toolkit.cli import _parse_now

    build(show, out, now=_parse_now(NOW))
    return out


def same_files(left: Path, right: Path) -> list[str]:
    """The files that differ or exist on one side only (the manifest and podkit's caches aside:
    they record where podkit's code and the show were)."""
    names = {
        str(p.relative_to(side))
        for side in (left, right)
        for p in side.rglob("*")
        if p.is_file() and ".podkit-cache" not in p.relative_to(side).parts
    }
    names.discard(MANIFEST)
    return sorted(
        n
        for n in names
        if not (left / n).is_file()
        or not (right / n).is_file()
        or not filecmp.cmp(left / n, right / n, shallow=False)
    )


@pytest.mark.parametrize("how", ["pip install", "zip"])
def test_installed_podkit_builds_and_checks_the_example_outside_the_repository(
    how: str, wheel: Path, installed: Path, tmp_path: Path
) -> None:
    location = installed if how == "pip install" else wheel
    show, site = tmp_path / "show", tmp_path / "site"
    shutil.copytree(KEYTIME, show)

    built = podkit(
        location, "build", "--source", str(show), "--out", str(site), "--now", NOW, cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built 1 episode"), built.stdout
    assert same_files(site, checkout_site(tmp_path)) == []

    helped = podkit(location, "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "podkit: publish podcast episodes" in helped.stdout

    checked = podkit(
        location, "check", "--source", str(show), "--site", str(site), "--now", NOW, cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1] == "No problem found."


def test_the_wheel_ships_the_theme_the_licence_and_its_metadata(wheel: Path) -> None:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"podkit-{__version__}.dist-info/METADATA").decode()
    theme = {
        f"toolkit/templates/{n}"
        for n in ("base.html", "episode.html", "index.html", "404.html", "sitemap.xml")
    }
    assert (
        theme | {"toolkit/templates/assets/style.css", "toolkit/templates/assets/player.js"}
        <= names
    )
    assert f"podkit-{__version__}.dist-info/licenses/LICENSE" in names
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "Requires-Dist: mutagen<1.49,>=1.47" in metadata.splitlines()
