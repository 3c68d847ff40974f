"""podkit: publish podcast episodes as a static site, an RSS feed and chaptered MP3s.

The functions below are what the `podkit` commands call, as a Python API: each returns a
report whose ``summary()`` is a finished sentence, raises `ToolkitError` (its ``problems``,
one line each) for bad input, and logs what it does to the ``toolkit`` logger.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from toolkit.align import align_transcript
    from toolkit.audio import inspect_mp3
    from toolkit.build import build
    from toolkit.chapter_commands import export_chapters
    from toolkit.check import check
    from toolkit.deploy import deploy
    from toolkit.episode_toml import import_chapters
    from toolkit.errors import Problem, ToolkitError
    from toolkit.notify import notify
    from toolkit.one_episode import tag_episode_file
    from toolkit.scaffold import new_episode
    from toolkit.serve import preview
    from toolkit.transcript_files import convert_transcript, import_transcript

# Imported on first use: `podkit tag` must not load what `build` needs (Jinja2, lxml...).
_API = {
    "align_transcript": "toolkit.align",
    "build": "toolkit.build",
    "check": "toolkit.check",
    "convert_transcript": "toolkit.transcript_files",
    "deploy": "toolkit.deploy",
    "export_chapters": "toolkit.chapter_commands",
    "import_chapters": "toolkit.episode_toml",
    "import_transcript": "toolkit.transcript_files",
    "inspect_mp3": "toolkit.audio",
    "new_episode": "toolkit.scaffold",
    "notify": "toolkit.notify",
    "preview": "toolkit.serve",
    "Problem": "toolkit.errors",
    "tag_episode_file": "toolkit.one_episode",
    "ToolkitError": "toolkit.errors",
}
__all__ = [
    "Problem",
    "ToolkitError",
    "__version__",
    "align_transcript",
    "build",
    "check",
    "convert_transcript",
    "deploy",
    "export_chapters",
    "import_chapters",
    "import_transcript",
    "inspect_mp3",
    "new_episode",
    "notify",
    "preview",
    "tag_episode_file",
]


def __getattr__(name: str) -> object:
    if name not in _API:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(import_module(_API[name]), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """Keeps ``toolkit.build`` and ``toolkit.check`` the functions: importing a submodule
    of the same name would otherwise set the package's attribute to the module."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _API and isinstance(value, ModuleType):
            return  # the module stays reachable as sys.modules["toolkit.build"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
