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

import os
from collections.abc import Mapping, Sequence
from functools import cache
from itertools import accumulate
from pathlib import Path

from toolkit import digests, logs

log = logs.Logger(__name__)

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
    return digests.hmac_sha256_hex(key, purpose.encode(), b"\0", data)


def verified(data: bytes, tag: object, purpose: str) -> bool:
    """Whether `tag` is this machine's seal of `data` for this purpose: a record anyone else
    wrote, changed after podkit sealed it, or sealed for another use, is not."""
    if not isinstance(tag, str):
        return False
    expected = seal(data, purpose)
    return expected is not None and digests.compare_digest(expected, tag)


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


def read_packed(
    path: Path, header: bytes, purpose: str, parts: int
) -> dict[str, tuple[bytes, ...]]:
    """The entries of a file `sealed_file` made of `packed` data with this header for this
    purpose; none when it is missing or unreadable, or holds anything else (another format,
    another machine's, torn, or changed since): a kept file is only ever worth its seal."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    body = opened_file(data, header, purpose)
    return {} if body is None else unpacked(body, parts) or {}


def packed(entries: Mapping[str, Sequence[bytes]], parts: int) -> bytes:
    """Entries by key (no space nor newline in it), each of ``parts`` byte strings, as data
    `unpacked` reads: their number, a line per entry with its key and its parts' lengths,
    then every entry's first part, then every entry's second, and so on."""
    keys = sorted(entries)
    index = "".join(f"{key} {' '.join(str(len(p)) for p in entries[key])}\n" for key in keys)
    data = [entries[key][part] for part in range(parts) for key in keys]
    return b"".join([f"{len(keys)}\n{index}".encode(), *data])


def unpacked(data: bytes, parts: int) -> dict[str, tuple[bytes, ...]] | None:
    """The entries `packed` made; None if they do not add up. Read in a few passes over all
    entries, not one by one: a kept file may hold ten thousand."""
    count, _, rest = data.partition(b"\n")
    if not count.isdigit():
        return None
    *index, blob = rest.split(b"\n", int(count))
    fields = b" ".join(index).split(b" ") if index else []
    if len(index) != int(count) or len(fields) != (parts + 1) * len(index):
        return None
    lengths = [length for part in range(parts) for length in fields[part + 1 :: parts + 1]]
    if lengths and not (all(lengths) and b"".join(lengths).isdigit()):  # each a number
        return None
    ends = list(accumulate(map(int, lengths)))
    if (ends[-1] if ends else 0) != len(blob):
        return None
    found = [blob[start:end] for start, end in zip([0, *ends], ends, strict=False)]
    n = len(index)
    keys = [key.decode("ascii", "replace") for key in fields[:: parts + 1]]
    by_part = [found[i * n : (i + 1) * n] for i in range(parts)]
    return dict(zip(keys, zip(*by_part, strict=True), strict=True))


# A kept file of entries by key (feed items, listed episodes) is written again only when at
# least one entry in this many had to be made: an entry it lacks only costs making that one
# again at the next build, while writing the file costs every episode's.
REWRITE_SHARE = 64


def worth_rewriting(made: int, entries: int) -> bool:
    """Whether a kept file of ``entries`` entries, of which this build made ``made`` anew, is
    worth writing again. Entries it still holds for inputs now gone cost only space, bounded
    by the last write."""
    return made * REWRITE_SHARE > entries


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
