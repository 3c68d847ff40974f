"""A local static server for previews and browser tests: HTTP Range requests, so the
browser can seek in the audio, and nothing but files from the site folder."""

from __future__ import annotations

import os
import re
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler that answers ``Range: bytes=a-b`` with 206 Partial Content."""

    _remaining: int | None = None  # bytes left to send of a partial response

    def send_head(self):  # type: ignore[no-untyped-def]  # the base class is untyped
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

    def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
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


def make_server(folder: Path, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    handler = partial(RangeRequestHandler, directory=str(folder))
    return ThreadingHTTPServer((host, port), handler)


def serve_in_background(folder: Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start a server on a thread; returns it and its base URL (``http://127.0.0.1:N/``)."""
    server = make_server(folder, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
