"""SHA-256 and HMAC-SHA256 for podkit's seals, journals and derived values (and SHA-1 for a
show's derived guid), without loading OpenSSL where it does not pay.

`hashlib` (and `hmac`, which imports `_hashlib` itself) loads OpenSSL's libcrypto and reads
its configuration: that costs a process milliseconds before the first byte is hashed, more
than `podkit tag` spends hashing what it hashes (a journal of a few tens of KB, a few small
seals). CPython's own SHA-256 (`_sha256` up to 3.11, `_sha2` from 3.12) loads nothing, but
hashes each byte several times slower than OpenSSL. So an input is hashed by:

- OpenSSL (through `hashlib`) once `hashlib` is loaded anyway (a build imports it), when
  this Python has no SHA-256 of its own, and once the inputs hashed so far in this process
  and this one come to more than `SMALL_INPUT` bytes (a large cover, a sealed file of a large
  show): hashing that much by the slower hash costs about what loading OpenSSL does, so a
  process never spends more than about twice what it would have with the better choice for
  all the inputs it turns out to hash;
- CPython's own SHA-256 otherwise.

Both compute the same digest, so seals, keys and journals made by either are read by the
other. HMAC is RFC 2104 over whichever SHA-256 hashes the input (as `hmac` itself does when it
has no OpenSSL), with the key's padded states kept per key: a build seals thousands of records
under one key. `compare_digest` is the constant-time comparison `hmac` uses without OpenSSL.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

try:
    from _operator import _compare_digest
except ImportError:  # another implementation of Python
    from hmac import compare_digest as _compare_digest  # type: ignore[no-redef]

compare_digest = _compare_digest

# Past this many bytes hashed in a process, OpenSSL's speed pays back the import of `hashlib`.
SMALL_INPUT = 1 << 20
_own_hashed = 0  # bytes hashed by CPython's own SHA-256 in this process
_BLOCK = 64  # SHA-256's block size, the HMAC key's padded length
_INNER = bytes(x ^ 0x36 for x in range(256))
_OUTER = bytes(x ^ 0x5C for x in range(256))


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def copy(self) -> Hash: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


Constructor = Callable[..., Any]


def _own_sha256() -> Constructor | None:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore,no-redef]
        except ImportError:  # built without it: OpenSSL's alone
            return None
    return sha256  # type: ignore[no-any-return,unused-ignore]


_OWN_SHA256 = _own_sha256()


def sha1(data: bytes) -> bytes:
    """The SHA-1 digest of a short input (a name-based UUID's: not for security), by
    CPython's own SHA-1 when it has one."""
    try:
        from _sha1 import sha1 as new  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from hashlib import sha1 as new
    return new(data, usedforsecurity=False).digest()  # type: ignore[no-any-return,unused-ignore]


def sha256_hex(*parts: bytes) -> str:
    """The SHA-256 digest (hex) of these bytes one after the other."""
    return _sha256_hex(parts, _constructor(sum(map(len, parts))))


def hmac_sha256_hex(key: bytes, *parts: bytes) -> str:
    """The HMAC-SHA256 (hex) under this key of these bytes one after the other, as
    ``hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest()``."""
    return _hmac_hex(key, parts, _constructor(sum(map(len, parts))))


def _constructor(size: int) -> Constructor:
    """The SHA-256 to hash an input of this size with (see the module's docstring)."""
    global _own_hashed
    if _OWN_SHA256 is not None and _own_hashed + size <= SMALL_INPUT and not _openssl_loaded():
        _own_hashed += size
        return _OWN_SHA256
    import hashlib

    return hashlib.sha256


def _openssl_loaded() -> bool:
    return "hashlib" in sys.modules


def _sha256_hex(parts: tuple[bytes, ...], new: Constructor) -> str:
    digest: Hash = new()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def _hmac_hex(key: bytes, parts: tuple[bytes, ...], new: Constructor) -> str:
    inner, outer = _padded(key, new)
    inner = inner.copy()
    for part in parts:
        inner.update(part)
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.hexdigest()


@lru_cache(maxsize=8)
def _padded(key: bytes, new: Constructor) -> tuple[Hash, Hash]:
    """The inner and outer hashes with the key's padded blocks already in them (RFC 2104);
    callers copy them."""
    if len(key) > _BLOCK:
        key = new(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return new(key.translate(_INNER)), new(key.translate(_OUTER))
