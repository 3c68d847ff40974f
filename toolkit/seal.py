"""Seal the data podkit keeps between builds, so that only podkit's own can be taken back.

A cache that holds *content* (a parsed episode, a rendered feed item) is only safe to reuse if
nobody but podkit wrote it: the site folder and the show's hidden cache can be edited by a
person, copied from another machine or left torn by a crash. Each sealed record carries an
HMAC-SHA256 over its bytes under a key that lives outside both folders, in the user's cache
folder (`$XDG_CACHE_HOME/podkit/seal.key`, else `~/.cache/podkit/seal.key`), created on first
use, readable by its owner only. A record whose seal does not verify is ignored and its
content made again from the sources; without a usable key nothing is ever reused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

KEY_BYTES = 32


def key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return _key_path_in(base)


@cache
def _key_path_in(base: str) -> Path:
    """One path object per folder: a build seals and opens thousands of records."""
    return Path(base, "podkit", "seal.key")


def seal(data: bytes, purpose: str) -> str | None:
    """The seal of these bytes (hex) for this purpose (one per kind of record, so that a
    record sealed for one use is never taken for another), or None when no key can be kept
    on this machine."""
    key = _key(key_path())
    if key is None:
        return None
    return hmac.new(key, purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()


def verified(data: bytes, tag: object, purpose: str) -> bool:
    """Whether `tag` is this machine's seal of `data` for this purpose: a record anyone else
    wrote, changed after podkit sealed it, or sealed for another use, is not."""
    if not isinstance(tag, str):
        return False
    expected = seal(data, purpose)
    return expected is not None and hmac.compare_digest(expected, tag)


# A sealed file: a line with the seal of the rest, then a header naming the format, then data.
_SEAL_LINE = 65  # 64 hex digits and a newline


def sealed_file(header: bytes, data: bytes, purpose: str) -> bytes | None:
    """The bytes of a file holding ``data`` under this machine's seal; None when no key can
    be kept here (then nothing is worth keeping)."""
    body = header + data
    tag = seal(body, purpose)
    return None if tag is None else tag.encode() + b"\n" + body


def opened_file(contents: bytes, header: bytes, purpose: str) -> bytes | None:
    """The data of a file `sealed_file` made with this header for this purpose; None for any
    other bytes (another format, another machine's, torn, or changed since)."""
    body, tag = contents[_SEAL_LINE:], contents[: _SEAL_LINE - 1].decode("ascii", "replace")
    if contents[_SEAL_LINE - 1 : _SEAL_LINE] != b"\n" or not body.startswith(header):
        return None
    return body[len(header) :] if verified(body, tag, purpose) else None


@cache
def _key(path: Path) -> bytes | None:
    try:
        key = path.read_bytes()
        if len(key) == KEY_BYTES and path.stat().st_mode & 0o077 == 0:
            return key
        log.debug("%s is not a podkit seal key: caches will not be reused", path)
        return None
    except FileNotFoundError:
        return _new_key(path)
    except OSError as error:
        log.debug("cannot read %s (%s): caches will not be reused", path, error.strerror)
        return None


def _new_key(path: Path) -> bytes | None:
    """Create the key with O_EXCL under a temporary name, then link it into place: two
    processes starting at once end up with the same key, and nobody ever reads half a key."""
    import secrets  # once per machine: every other run only reads the key

    key = secrets.token_bytes(KEY_BYTES)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(key)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)  # fails if another process made the key first
        except FileExistsError:
            return _key.__wrapped__(path)
        return key
    except OSError as error:
        log.debug("cannot create %s (%s): caches will not be reused", path, error.strerror)
        return None
    finally:
        temporary.unlink(missing_ok=True)
