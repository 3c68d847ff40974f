"""Jinja2's compiled templates, kept between builds in the site's `.podkit-cache/templates`
(a dot name: never deployed): a rebuild that renders a page or two compiled every template
they use again, each time.

Compiled templates are code, run as the pages render: one is taken back only under this
machine's seal (`toolkit.seal`), and only for the very podkit that wrote it (its code key in
the sealed body); Jinja2 itself then checks its version and the template's source. A missing,
torn, edited or unsealed file means compiling the template again, never a failure. What a
build compiles is written only when it succeeds (`keep`): a failed build leaves nothing.
Jinja2 reaches this store through `toolkit.site.SealedBytecodeCache`: this module does not
import it, so a rebuild that renders nothing does not load the template engine.
"""

from __future__ import annotations

import logging
from pathlib import Path

from toolkit import seal
from toolkit.cache import CACHE_FOLDER, code_key
from toolkit.errors import ToolkitError
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

FOLDER = Path(CACHE_FOLDER, "templates")
PURPOSE = "compiled template"  # what its seal is for (see toolkit.seal)
_compiled: dict[Path, bytes] = {}  # this process's, sealed, by file: written by `keep`


def read(out: Path, key: str) -> bytes | None:
    """The compiled code kept in the site ``out`` under Jinja2's ``key`` for a template, when
    this very podkit sealed it on this machine; else None."""
    try:
        data = (out / FOLDER / key).read_bytes()
    except OSError:
        return None
    return seal.opened_file(data, _header(), PURPOSE)


def hold(out: Path, key: str, code: bytes) -> None:
    """Seal the code Jinja2 compiled for a template, to be written by `keep` (without a seal
    key on this machine nothing is kept)."""
    sealed = seal.sealed_file(_header(), code, PURPOSE)
    if sealed is not None:
        _compiled[out / FOLDER / key] = sealed


def _header() -> bytes:
    return f"podkit compiled template 1\0{code_key()}\n".encode()


def keep() -> None:
    """Writes the templates this process compiled, for the next build."""
    for path, data in _compiled.items():
        try:
            atomic_write(path, data)
        except (OSError, ToolkitError) as error:  # a read-only site: only slower next time
            log.debug("compiled template not kept: %s", error)
    _compiled.clear()


def forget() -> None:
    """Drops what this process compiled (a failed build keeps nothing)."""
    _compiled.clear()
