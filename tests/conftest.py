"""Shared fixtures: a small valid show built in a temporary folder, and the Keytime show."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYTIME = ROOT / "episodes"
DATA = Path(__file__).resolve().parent / "data"
TONE = DATA / "tone-60s.mp3"  # 60 s mono MP3 with a LAME/Info header, made by sox + lame
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(autouse=True, scope="session")
def _own_seal_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' builds keep their seal key (see toolkit.seal) in a folder of their own, not
    in the user's cache, and every podkit process they start inherits it."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


SHOW_TOML = """\
title = "Test Show"
description = "A show for tests."
language = "fr"
base_url = "https://example.org/show/"
author = "Test Author"
copyright = "© 2024 Test"
cover = "cover.jpg"
explicit = false
type = "episodic"
timezone = "Europe/Paris"
guid = "0495cb90-b9d0-50ba-b94b-a40da5f73898"

[owner]
name = "Owner"
email = "owner@example.org"

[[categories]]
name = "Technology"

[[persons]]
name = "Hôte Un"
role = "host"
"""

EPISODE_TOML = """\
title = "Premier épisode"
number = 1
season = 1
type = "full"
published = 2024-01-15T08:00:00+01:00
guid = "11111111-2222-3333-4444-555555555555"
explicit = false
audio = "episode.mp3"

[[persons]]
name = "Hôte Un"
role = "host"

[[persons]]
name = "Invitée Deux"
role = "guest"

[[chapters]]
start = "00:00:00"
title = "Introduction"

[[chapters]]
start = "00:00:20.500"
title = "Le cœur du sujet"
url = "https://example.org/sujet"

[[chapters]]
start = "00:00:45"
title = "Conclusion"
"""

NOTES = "Un épisode **de test**.\n\n## Liens\n\n- [Exemple](https://example.org)\n"

TRANSCRIPT = """\
- Hôte Un
[00:00:00.000] Bonjour et bienvenue.
[00:00:03.250] Aujourd'hui, nous parlons de tests.
- Invitée Deux
[00:00:08.000] Merci de m'accueillir, c'est un plaisir d'être là pour parler de ce sujet passionnant.
[00:00:20.500] Alors, le cœur du sujet : <script>alert(1)</script> ne doit jamais s'exécuter.
- Hôte Un
[00:00:45.000] Merci et à bientôt !
"""

ShowMaker = Callable[..., Path]


@pytest.fixture
def make_show(tmp_path: Path) -> ShowMaker:
    """Write a small valid show; keyword arguments replace or add files (None removes)."""

    def make(**files: str | bytes | None) -> Path:
        source = tmp_path / "episodes"
        episode = source / "001-premier"
        episode.mkdir(parents=True)
        shutil.copy(KEYTIME / "cover.jpg", source / "cover.jpg")
        shutil.copy(TONE, episode / "episode.mp3")
        defaults: dict[str, str | bytes | None] = {
            "show.toml": SHOW_TOML,
            "001-premier/episode.toml": EPISODE_TOML,
            "001-premier/notes.md": NOTES,
            "001-premier/transcript.txt": TRANSCRIPT,
        }
        defaults.update({name.replace("__", "/"): value for name, value in files.items()})
        for name, content in defaults.items():
            path = source / name
            if content is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return source

    return make


def need_program(name: str, package: str) -> str:
    """The program's path; skip when it is missing here, fail when it is missing in CI."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} is not installed here (Debian package {package}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def need_module(name: str, install: str) -> None:
    """Skip when a Python module is missing here, fail when it is missing in CI."""
    if importlib.util.find_spec(name) is not None:
        return
    message = f"{name} is not installed here ({install}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def inserts_blocks(folder: Path) -> bool:
    """Whether the file system of ``folder`` inserts blocks into a file (ext4, XFS; not tmpfs
    or btrfs), which lets a growing tag be written in place."""
    from toolkit import journal

    probe = folder / ".inserts-blocks"
    probe.write_bytes(bytes(2 * 4096))
    try:
        with probe.open("r+b") as stream:
            journal._fallocate(stream.fileno(), journal._INSERT_RANGE, 0, 4096)
        return True
    except OSError:
        return False
    finally:
        probe.unlink()
