"""Jinja2's compiled templates, kept between builds in the site's `.podkit-cache/templates`
(a dot name: never deployed): a rebuild that renders a page or two compiled every template
they use again, each time.

Compiled templates are code, run as the pages render: one is taken back only under this
machine's seal (`toolkit.seal`), and only for the very podkit that wrote it (its code key in
the sealed body); Jinja2 itself then checks its version and the template's source. A missing,
torn, edited or unsealed file means compiling the template again, never a failure. What a
build compiles is written only when it succeeds (`keep`): a failed build leaves nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache

from toolkit import seal
from toolkit.cache import CACHE_FOLDER, code_key
from toolkit.errors import ToolkitError
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

FOLDER = Path(CACHE_FOLDER, "templates")
PURPOSE = "compiled template"  # what its seal is for (see toolkit.seal)
_compiled: dict[Path, bytes] = {}  # this process's, sealed, by file: written by `keep`


class SealedBytecodeCache(BytecodeCache):
    """Each template's compiled code in a file of its own, named by Jinja2's key for it (a
    digest of its name and file): a seal line, then podkit's code key and the code."""

    def __init__(self, out: Path) -> None:
        self.folder = out / FOLDER

    def _header(self) -> bytes:
        return f"podkit compiled template 1\0{code_key()}\n".encode()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = (self.folder / bucket.key).read_bytes()
        except OSError:
            return
        code = seal.opened_file(data, self._header(), PURPOSE)
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja2 checks its version, source

    def dump_bytecode(self, bucket: Bucket) -> None:
        sealed = seal.sealed_file(self._header(), bucket.bytecode_to_string(), PURPOSE)
        if sealed is not None:  # else no seal key on this machine: nothing is kept
            _compiled[self.folder / bucket.key] = sealed


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
