"""podkit's default theme (its templates and assets, read as the package's resources) and
where a show keeps its own: what a build needs to know of them before it renders anything,
without importing the template engine (a rebuild with nothing changed renders nothing)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable

USER_TEMPLATES = "_templates"


def builtin_templates() -> Traversable:
    """The default theme, read as the package's resources (never as a path built from one):
    a folder in a checkout or an editable install, files in a wheel or a zip alike."""
    return resources.files("toolkit.templates")


def theme_files(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from theme_files(entry, f"{prefix}{entry.name}/")
        elif not entry.name.endswith((".py", ".pyc")):
            yield prefix + entry.name, entry


def builtin_key() -> str:
    """A digest of the default theme's file names and contents: it changes when podkit's
    templates or assets do, however podkit is installed."""
    digest = hashlib.sha256()
    for name, entry in theme_files(builtin_templates()):
        digest.update(name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()
