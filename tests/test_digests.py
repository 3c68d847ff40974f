"""podkit's digests without OpenSSL are OpenSSL's: the seals, derived values' keys and
journals' checksums that `toolkit.digests` computes by CPython's own SHA-256 (the first
bytes a process hashes, while it has not loaded `hashlib`) or by `hashlib` are the ones
`hashlib` and `hmac` give, so that caches and journals written by either are read by the
other."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import __version__, derived, digests, journal, seal

# A threshold this small puts inputs of a few hundred bytes on either side of it.
THRESHOLD = 512
# Inputs of every size up to three times the threshold, mostly near it.
sized = st.one_of(
    st.binary(max_size=3 * THRESHOLD),
    st.integers(THRESHOLD - 80, THRESHOLD + 80).flatmap(
        lambda n: st.binary(min_size=n, max_size=n)
    ),
)
# Keys shorter and longer than SHA-256's 64-byte block (a longer one is hashed first).
keys = st.binary(max_size=200)
constructors = st.sampled_from([c for c in (digests._OWN_SHA256, hashlib.sha256) if c is not None])


@contextmanager
def without_openssl(threshold: int = THRESHOLD) -> Iterator[None]:
    """As in a new process that has not loaded `hashlib`, with this threshold."""
    with (
        mock.patch.object(digests, "SMALL_INPUT", threshold),
        mock.patch.object(digests, "_own_hashed", 0),
        mock.patch.object(digests, "_openssl_loaded", lambda: False),
    ):
        yield


def test_cpython_has_its_own_sha256() -> None:
    assert digests._OWN_SHA256 is not None  # else every digest loads OpenSSL
    with without_openssl():
        assert digests._constructor(THRESHOLD - 10) is digests._OWN_SHA256
        assert digests._constructor(10) is digests._OWN_SHA256
        assert digests._constructor(1) is hashlib.sha256  # past the threshold in all
    with without_openssl():
        assert digests._constructor(THRESHOLD + 1) is hashlib.sha256
    assert digests._constructor(1) is hashlib.sha256  # once loaded, OpenSSL's is faster


@given(parts=st.lists(sized, max_size=4), new=constructors)
def test_sha256_is_hashlib_s(parts: list[bytes], new: digests.Constructor) -> None:
    expected = hashlib.sha256(b"".join(parts)).hexdigest()
    assert digests._sha256_hex(tuple(parts), new) == expected


@given(key=keys, parts=st.lists(sized, max_size=4), new=constructors)
def test_hmac_sha256_is_hmac_s(key: bytes, parts: list[bytes], new: digests.Constructor) -> None:
    expected = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest()
    assert digests._hmac_hex(key, tuple(parts), new) == expected
    with without_openssl():
        assert digests.hmac_sha256_hex(key, *parts) == expected


@given(data=sized, purpose=st.text(max_size=20))
def test_a_seal_is_the_seal_hmac_made(data: bytes, purpose: str) -> None:
    key = seal._key(seal.key_path())
    assert key is not None
    made = hmac.new(key, purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()
    with without_openssl():
        assert seal.seal(data, purpose) == made
        assert seal.verified(data, made, purpose)
        assert not seal.verified(data + b"\0", made, purpose)
    assert seal.seal(data, purpose) == made


@given(source=sized, kind=st.sampled_from(["notes", "cover"]))
def test_a_derived_value_s_key_is_the_digest_hashlib_made(source: bytes, kind: str) -> None:
    code = ("toolkit.notes",)
    made = hashlib.sha256(f"{kind}\0{__version__}\0{derived._code_version(code)}\0".encode())
    made.update(source)
    with without_openssl():
        assert derived._key(kind, source, code) == made.hexdigest()
    assert derived._key(kind, source, code) == made.hexdigest()


@given(old=sized)
def test_a_journal_checksum_is_the_digest_hashlib_made(old: bytes) -> None:
    facts = {"size": len(old), "mtime_ns": 1, "ino": 2}
    body = json.dumps({**facts, "regions": [[0, len(old)]]}).encode() + b"\n" + old
    written = b"podkit-journal 1\n" + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
    with without_openssl():
        assert journal._parse_journal(written) == ({**facts, "inserted": 0}, [(0, old)])
        assert journal._parse_journal(written.replace(b"\n", b" \n", 1)) is None
    group = {"files": [{"name": "a.mp3", **facts, "regions": [[0, len(old)]]}]}
    body = json.dumps(group).encode() + b"\n" + old
    made = hashlib.sha256(body).hexdigest().encode()
    with without_openssl():
        assert journal._parse_group(b"podkit-group-journal 1\n" + made + b"\n" + body)


@pytest.mark.parametrize("size", [THRESHOLD - 1, THRESHOLD + 1])
def test_a_journal_written_is_checked_by_hashlib(tmp_path: Path, size: int) -> None:
    target = tmp_path / "file.mp3"
    target.write_bytes(bytes(range(256)) * 8)
    journals: list[bytes] = []
    write = journal._write_durably
    with (
        without_openssl(),
        mock.patch.object(
            journal, "_write_durably", lambda p, d: (journals.append(d), write(p, d))
        ),
    ):
        journal.write_in_place(target, [(10, b"\1" * size)])
    digest, _, body = journals[0].removeprefix(b"podkit-journal 1\n").partition(b"\n")
    assert hashlib.sha256(body).hexdigest().encode() == digest
    assert body.endswith((bytes(range(256)) * 8)[10 : 10 + size])


# In a new process: what digests of inputs of these sizes import (a SHA-256 of the first, an
# HMAC of the second, and so on), and whether they are hashlib's and hmac's.
PROBE = """
import sys
from toolkit import digests
inputs = [bytes(range(256)) * (int(n) // 256) + bytes(int(n) % 256) for n in sys.argv[1:]]
made = [digests.hmac_sha256_hex(b"k" * 70, data) if i % 2 else digests.sha256_hex(data)
        for i, data in enumerate(inputs)]
named = digests.sha1(b"name")
print(" ".join(m for m in ("hashlib", "_hashlib", "hmac") if m in sys.modules) or "-")
import hashlib, hmac
assert made == [hmac.new(b"k" * 70, data, hashlib.sha256).hexdigest() if i % 2
                else hashlib.sha256(data).hexdigest() for i, data in enumerate(inputs)]
assert named == hashlib.sha1(b"name").digest()
"""
HALF = digests.SMALL_INPUT // 2


@pytest.mark.parametrize(
    ("sizes", "loaded"),
    [
        ([0], "-"),
        ([digests.SMALL_INPUT], "-"),
        ([HALF, HALF], "-"),
        ([digests.SMALL_INPUT + 1], "hashlib _hashlib"),
        ([HALF, HALF + 1], "hashlib _hashlib"),
    ],
)
def test_only_a_megabyte_hashed_loads_openssl(sizes: list[int], loaded: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, sizes)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == loaded


@given(data=st.binary(max_size=300))
def test_sha1_is_hashlib_s(data: bytes) -> None:
    assert digests.sha1(data) == hashlib.sha1(data).digest()


@given(a=st.binary(max_size=70), b=st.binary(max_size=70))
def test_compare_digest_is_hmac_s(a: bytes, b: bytes) -> None:
    assert digests.compare_digest(a, b) == hmac.compare_digest(a, b) == (a == b)
    assert digests.compare_digest(a.hex(), b.hex()) == (a == b)
