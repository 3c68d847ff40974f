"""HTTP(S) for `podkit import`: small documents in memory, audio streamed to disk.

Only http and https; every request has a timeout and a size limit; gzip answers are
decoded; redirects are followed (by urllib). Each failure is a `FetchError` whose text is one
line naming the URL.
"""

from __future__ import annotations

import gzip
import shutil
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from http.client import HTTPException, HTTPResponse
from pathlib import Path

from toolkit import __version__

TIMEOUT = 30.0  # seconds without a byte before giving up
DOCUMENT_LIMIT = 20 << 20  # a feed, a chapters or transcript file, a cover
AUDIO_LIMIT = 2 << 30
CHUNK = 1 << 16
USER_AGENT = f"podkit/{__version__} (podcast import)"


class FetchError(Exception):
    """A URL that could not be fetched, with why, on one line."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def check_url(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(url, "only http:// and https:// addresses can be fetched")


def _open(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> HTTPResponse:
    check_url(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, **(headers or {})}, method=method
    )
    try:
        response: HTTPResponse = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as error:
        raise FetchError(url, f"the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(url, f"cannot connect ({_reason(error.reason)})") from None
    except (TimeoutError, OSError, HTTPException, ValueError) as error:
        raise FetchError(url, f"cannot connect ({_reason(error)})") from None
    return response


def _reason(error: object) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(error) or type(error).__name__


def get(url: str, limit: int = DOCUMENT_LIMIT) -> bytes:
    """The body at ``url`` (gzip decoded), at most ``limit`` bytes."""
    response = _open(url, {"Accept-Encoding": "gzip"})
    with response:
        try:
            data = response.read(limit + 1)
        except (TimeoutError, OSError, HTTPException) as error:
            raise FetchError(url, f"cut off while reading ({_reason(error)})") from None
        if response.headers.get("Content-Encoding", "").lower() == "gzip":
            data = _gunzip(url, data, limit)
    if len(data) > limit:
        raise FetchError(url, f"is larger than {limit >> 20} MB: not fetched")
    return data


def _gunzip(url: str, data: bytes, limit: int) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit + 1)
    except (zlib.error, gzip.BadGzipFile) as error:
        raise FetchError(url, f"damaged gzip answer ({error})") from None


def size(url: str) -> int | None:
    """The length in bytes of the file at ``url`` as its server says, without fetching it: a
    HEAD request, else (some hosts refuse HEAD) a one-byte Range request. None when the
    server does not say; FetchError when it cannot be reached or has no such file."""
    try:
        with _open(url, method="HEAD") as response:
            length = _whole(response.headers.get("Content-Length"))
    except FetchError:
        length = None
    if length:
        return length
    with _open(url, {"Range": "bytes=0-0"}) as response:
        if response.status == 206:  # Content-Range: bytes 0-0/TOTAL
            return _whole(response.headers.get("Content-Range", "").rpartition("/")[2])
        return _whole(response.headers.get("Content-Length"))


def part(url: str, start: int, count: int) -> bytes:
    """``count`` bytes of the file at ``url`` from ``start`` (a Range request; from a host
    that ignores it, read from the beginning), fewer at its end."""
    count = min(count, DOCUMENT_LIMIT)
    with _open(url, {"Range": f"bytes={start}-{start + count - 1}"}) as response:
        skip = 0 if response.status == 206 else start
        try:
            data = response.read(skip + count)
        except (TimeoutError, OSError, HTTPException) as error:
            raise FetchError(url, f"cut off while reading ({_reason(error)})") from None
    return data[skip:]


def _whole(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


Progress = Callable[[int], None]  # bytes received so far


def download(url: str, target: Path, expected: int | None, progress: Progress | None = None) -> int:
    """Stream ``url`` to ``target`` through ``target.part``, continuing a ``.part`` left by a
    cut connection with a Range request; checked against ``expected`` bytes when known.
    Returns the size."""
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    response = _open(url, headers)
    with response:
        resumed = have > 0 and response.status == 206
        mode = "ab" if resumed else "wb"
        have = have if resumed else 0
        try:
            with part.open(mode) as out:
                while chunk := response.read(CHUNK):
                    have += len(chunk)
                    if have > AUDIO_LIMIT:
                        raise FetchError(url, f"is larger than {AUDIO_LIMIT >> 30} GB: not fetched")
                    out.write(chunk)
                    if progress:
                        progress(have)
        except (TimeoutError, OSError, HTTPException) as error:
            raise FetchError(
                url, f"cut off after {have} bytes ({_reason(error)}): run the import again"
            ) from None
    # A longer file is kept: hosts often advertise a stale length (ads inserted, tags changed).
    if expected and have < expected:
        raise FetchError(
            url, f"cut off: {have} of {expected} bytes; run the import again to resume"
        )
    shutil.move(part, target)
    return have
