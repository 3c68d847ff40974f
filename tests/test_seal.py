"""The seal that lets podkit take back only the cache records it wrote itself."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import seal


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_a_key_is_made_once_readable_by_its_owner_only(cache_home: Path) -> None:
    tag = seal.seal(b"record", "test")
    key = cache_home / "podkit" / "seal.key"
    assert tag is not None and len(tag) == 64
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert seal.seal(b"record", "test") == tag
    assert [p.name for p in key.parent.iterdir()] == ["seal.key"]  # no temporary left


@given(data=st.binary(max_size=200), flip=st.integers(min_value=0, max_value=199))
def test_only_the_same_bytes_verify(data: bytes, flip: int) -> None:
    tag = seal.seal(data, "test")
    assert tag is not None
    assert seal.verified(data, tag, "test")
    assert not seal.verified(data + b"x", tag, "test")
    if data:
        i = flip % len(data)
        changed = data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]
        assert not seal.verified(changed, tag, "test")


def test_a_seal_made_for_one_use_is_not_taken_for_another() -> None:
    tag = seal.seal(b"record", "feed items")
    assert seal.verified(b"record", tag, "feed items")
    assert not seal.verified(b"record", tag, "manifest record")


def test_a_forged_or_missing_seal_does_not_verify(cache_home: Path) -> None:
    assert not seal.verified(b"record", None, "test")
    assert not seal.verified(b"record", "0" * 64, "test")
    assert not seal.verified(b"record", 42, "test")


def test_another_users_key_is_not_used(cache_home: Path) -> None:
    key = cache_home / "podkit" / "seal.key"
    key.parent.mkdir()
    key.write_bytes(b"k" * seal.KEY_BYTES)
    key.chmod(0o644)  # others could read it, so anyone could seal: not a key
    assert seal.seal(b"record", "test") is None
    assert not seal.verified(b"record", "0" * 64, "test")


def test_a_folder_that_cannot_hold_the_key_means_no_seal(cache_home: Path) -> None:
    (cache_home / "podkit").write_text("a file where the folder should be")
    assert seal.seal(b"record", "test") is None


def test_processes_starting_together_share_one_key(cache_home: Path) -> None:
    code = "from toolkit import seal; print(seal.seal(b'record', 'test'))"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    runs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    tags = {run.communicate()[0].strip() for run in runs}
    assert len(tags) == 1 and "None" not in tags


@given(data=st.binary(max_size=200), cut=st.integers(min_value=0, max_value=300))
def test_a_sealed_file_opens_whole_and_only_whole(data: bytes, cut: int) -> None:
    sealed = seal.sealed_file(b"format 1\n", data, "test")
    assert sealed is not None
    assert seal.opened_file(sealed, b"format 1\n", "test") == data
    assert seal.opened_file(sealed, b"format 2\n", "test") is None  # another format
    assert seal.opened_file(sealed, b"format 1\n", "other") is None  # sealed for another use
    if cut < len(sealed):  # torn anywhere
        assert seal.opened_file(sealed[:cut], b"format 1\n", "test") is None
    moved = sealed.replace(b"\n", b" ", 1)  # the seal line no longer a line
    assert seal.opened_file(moved, b"format 1\n", "test") is None


KEYS = st.text("0123456789abcdef", min_size=1, max_size=8)


@given(
    entries=st.dictionaries(KEYS, st.tuples(st.binary(max_size=30), st.binary(max_size=30))),
    cut=st.integers(min_value=0, max_value=400),
    extra=st.binary(min_size=1, max_size=5),
)
def test_packed_entries_read_back_whole_and_only_whole(
    entries: dict[str, tuple[bytes, bytes]], cut: int, extra: bytes
) -> None:
    """Parts may hold any bytes, newlines and spaces too; torn or lengthened data is refused."""
    data = seal.packed(entries, 2)
    assert seal.unpacked(data, 2) == entries
    if cut < len(data) and entries:
        assert seal.unpacked(data[:cut], 2) is None
    assert seal.unpacked(data + extra, 2) is None
    assert seal.packed(dict(reversed(entries.items())), 2) == data  # one layout per entries


@given(data=st.binary(max_size=200))
def test_any_bytes_unpack_to_entries_or_none(data: bytes) -> None:
    found = seal.unpacked(data, 2)
    assert found is None or all(len(parts) == 2 for parts in found.values())


@pytest.mark.parametrize(
    "data",
    [b"1\nk  3\nabc", b"1\nk 1 x\nab", b"1\nk -1 2\nab", b"2\nk 1 1\nab", b"x\n", b"1\nk 1 1"],
)
def test_entries_that_do_not_add_up_unpack_to_none(data: bytes) -> None:
    assert seal.unpacked(data, 2) is None
