"""A local static server for previews and browser tests: HTTP Range requests, so the
browser can seek in the audio, and nothing but files from the site folder."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from toolkit.config import files_fingerprint

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler that answers ``Range: bytes=a-b`` with 206 Partial Content."""

    _remaining: int | None = None  # bytes left to send of a partial response

    def send_head(self) -> Any:
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if header is None or not path.is_file():
            return super().send_head()
        match = _RANGE.match(header.strip())
        size = path.stat().st_size
        if not match or (not match.group(1) and not match.group(2)):
            return super().send_head()
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        else:  # "bytes=-N": the last N bytes
            start, end = max(0, size - int(match.group(2))), size - 1
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        stream = path.open("rb")
        stream.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self._remaining = end - start + 1
        return stream

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining, self._remaining = self._remaining, None
        try:
            if remaining is None:
                return super().copyfile(source, outputfile)
            while remaining > 0:
                chunk = source.read(min(64 * 1024, remaining))
                if not chunk:
                    break
                outputfile.write(chunk)
                remaining -= len(chunk)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the browser seeks elsewhere and drops the response: normal for audio
        return None

    def end_headers(self) -> None:
        if "Range" not in self.headers:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("PODKIT_SERVE_LOG"):
            super().log_message(format, *args)


RELOAD_PATH = "/__podkit__/"
_RELOAD_SCRIPT = b"""<script>
(function () { /* podkit serve: reload the page when the site is rebuilt */
  var seen = null;
  setInterval(function () {
    fetch("/__podkit__/version", { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (v) { if (seen !== null && v !== seen) location.reload(); seen = v; })
      .catch(function () {});
  }, 1000);
})();
</script>
"""


class PreviewHandler(RangeRequestHandler):
    """Serves the site and, for previews, the build's version and a reload script in pages."""

    version: Callable[[], int] = staticmethod(lambda: 0)  # replaced by make_preview_server

    def send_head(self) -> Any:
        if self.path.startswith(RELOAD_PATH + "version"):
            return self._bytes(str(self.version()).encode(), "text/plain")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file() and "Range" not in self.headers:
            page = path.read_bytes().replace(b"</body>", _RELOAD_SCRIPT + b"</body>", 1)
            return self._bytes(page, "text/html; charset=utf-8")
        return super().send_head()

    def _bytes(self, data: bytes, content_type: str) -> io.BytesIO:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(data)


def make_preview_server(folder: Path, port: int, version: Callable[[], int]) -> ThreadingHTTPServer:
    handler_class = type(
        "BoundPreviewHandler", (PreviewHandler,), {"version": staticmethod(version)}
    )
    return ThreadingHTTPServer(("127.0.0.1", port), partial(handler_class, directory=str(folder)))


def fingerprint(source: Path) -> str:
    """What changes when any source file is edited, added or removed (hidden ones aside)."""
    visible = (
        path
        for path in source.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(source).parts)
    )
    return files_fingerprint(visible)
