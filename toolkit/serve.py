"""A local static server for previews and browser tests. It answers as a static host does:
HTTP Range requests (so the browser can seek in the audio), a folder's URL redirected to its
slash form, the site's own 404 page, and nothing but the files inside the site folder. For
previews it also tells the open pages when to reload, and why the last rebuild failed."""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from email.utils import formatdate
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

from toolkit.cache import files_key
from toolkit.errors import Problem, ToolkitError

log = logging.getLogger(__name__)

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_PAST_ANY_FILE = 10**18  # numbers longer than this are not parsed: they only mean "huge"
NOT_FOUND_PAGE = "404.html"


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte a ``Range`` header asks for, clamped to the file; None when
    it asks for no byte of the file (416). Raises ValueError for a header this server
    ignores, as RFC 9110 lets it: another unit, several ranges, an end before the start.

    >>> byte_range("bytes=100-199", 1000), byte_range("bytes=-100", 1000)
    ((100, 199), (900, 999))
    >>> byte_range("bytes=900-5000", 1000), byte_range("bytes=" + "9" * 5000 + "-", 1000)
    ((900, 999), None)
    >>> byte_range("bytes=5-2", 1000)
    Traceback (most recent call last):
    ValueError: not one satisfiable range of bytes
    """
    match = _RANGE.fullmatch(header.strip())
    if not match or not any(match.groups()):
        raise ValueError("not one satisfiable range of bytes")
    first, last = (_number(digits) if digits else None for digits in match.groups())
    if first is None:  # "bytes=-N": the last N bytes
        assert last is not None
        return (max(0, size - last), size - 1) if last and size else None
    if last is not None and last < first:
        raise ValueError("not one satisfiable range of bytes")
    if first >= size:
        return None
    return first, size - 1 if last is None else min(last, size - 1)


def _number(digits: str) -> int:
    return int(digits) if len(digits) < 18 else _PAST_ANY_FILE


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the files of one folder, never one whose real path is outside it."""

    server_version = "podkit"
    # A request line without a version gets an HTTP/1.0 answer (a status line a client can
    # read) instead of HTTP/0.9's bare body, also for the 400 of a garbage request line.
    default_request_version = "HTTP/1.0"
    timeout = 60  # a client that sends nothing does not hold its thread forever
    _remaining: int | None = None  # bytes left to send of a partial response

    _answered = False  # whether this request's status line went out

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            raise
        except Exception:  # a podkit bug: still an answer, and the server reports it
            if not self._answered:
                self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)
            raise

    def send_response_only(self, code: int, message: str | None = None) -> None:
        self._answered = True
        super().send_response_only(code, message)

    def send_head(self) -> BinaryIO | None:
        try:
            return self._send_head()
        except (OSError, ValueError):  # a name too long, a NUL byte, a file gone meanwhile
            return self._not_found()

    def _send_head(self) -> BinaryIO | None:
        path = self._inside(self.translate_path(self.path))
        if path is None:
            return self._not_found()
        if path.is_dir():
            url = urlsplit(self.path)
            if not url.path.endswith("/"):  # the page's relative links need the slash form
                self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
                return None
            path = self._inside(str(path / "index.html"))
        if path is None or not path.is_file():
            return self._not_found()
        return self._send_file(path, HTTPStatus.OK)

    def _inside(self, name: str) -> Path | None:
        """The real path of ``name`` (symlinks followed) when it is inside the site."""
        root = os.path.realpath(self.directory)
        real = os.path.realpath(name)
        inside = real == root or real.startswith(root.rstrip(os.sep) + os.sep)
        return Path(real) if inside and os.path.exists(real) else None

    def _send_file(self, path: Path, status: HTTPStatus) -> BinaryIO | None:
        page = self.page(path)
        if page is not None:
            return self._bytes(page, "text/html; charset=utf-8", status)
        stream = path.open("rb")
        try:
            return self._send_stream(stream, path, status)
        except BaseException:
            stream.close()
            raise

    def _send_stream(self, stream: BinaryIO, path: Path, status: HTTPStatus) -> BinaryIO | None:
        stat = os.fstat(stream.fileno())
        size = stat.st_size
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        modified = formatdate(stat.st_mtime, usegmt=True)
        first, last = 0, size - 1
        header = self.headers.get("Range")
        # If-Range: the range holds only for the same file; otherwise all of it, as 200.
        if header is not None and status == HTTPStatus.OK and self._if_range(etag, modified):
            try:
                wanted = byte_range(header, size)
            except ValueError:
                wanted = (first, last)  # ignored: the whole file
            else:
                if wanted is None:
                    stream.close()
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                status = HTTPStatus.PARTIAL_CONTENT
            first, last = wanted
        stream.seek(first)
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        self._remaining = last - first + 1
        return stream

    def _if_range(self, etag: str, modified: str) -> bool:
        condition = self.headers.get("If-Range")
        return condition is None or condition.strip() in (etag, modified)

    def page(self, path: Path) -> bytes | None:
        """A page's bytes when they are not the file's as they are (none here)."""
        return None

    def _not_found(self) -> BinaryIO | None:
        page = self._inside(os.path.join(self.directory, NOT_FOUND_PAGE))
        if page is not None and page.is_file():
            return self._send_file(page, HTTPStatus.NOT_FOUND)
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", same_site(location))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _bytes(self, data: bytes, content_type: str, status: HTTPStatus) -> io.BytesIO:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(data)

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

    def log_message(self, format: str, *args: object) -> None:
        log.debug(
            "%s - - [%s] %s", self.address_string(), self.log_date_time_string(), format % args
        )


RELOAD_PATH = "/__podkit__/"
_RELOAD_SCRIPT = b"""<script>
(function () { /* podkit serve: reload the page when the site is rebuilt, say why it was not */
  var seen = null, banner = null;
  function show(problems) {
    if (!problems) { if (banner) { banner.remove(); banner = null; } return; }
    if (!banner) {
      banner = document.createElement("pre");
      banner.id = "podkit-problems";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;inset:0 0 auto 0;z-index:2147483647;margin:0;" +
        "padding:1em;max-height:50vh;overflow:auto;white-space:pre-wrap;font:14px/1.4 monospace;" +
        "background:#fff0f0;color:#600;border-bottom:3px solid #c00";
      document.body.appendChild(banner);
    }
    banner.textContent = "podkit serve: the last build failed; this is the last good site.\\n\\n" +
      problems;
  }
  function poll() {
    fetch("/__podkit__/version", { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (text) {
        var cut = text.indexOf("\\n"), version = cut < 0 ? text : text.slice(0, cut);
        if (seen !== null && version !== seen) { location.reload(); return; }
        seen = version;
        show(cut < 0 ? "" : text.slice(cut + 1));
      }).catch(function () {});
  }
  poll();
  setInterval(poll, 1000);
})();
</script>
"""
_NO_SITE_YET = b"<!doctype html><title>podkit serve</title><body><p>No site yet.</p></body>"


@dataclass
class PreviewState:
    """What the open pages learn: the number of the last good build and, when the last
    build failed, its problems (one a line)."""

    version: int = 0
    problems: str = ""

    def text(self) -> str:
        return f"{self.version}\n{self.problems}" if self.problems else str(self.version)


class PreviewHandler(SiteHandler):
    """Serves the site and, for previews, the build's state and a reload script in pages."""

    state: PreviewState = PreviewState()  # replaced by make_preview_server

    def _send_head(self) -> BinaryIO | None:
        if urlsplit(self.path).path == RELOAD_PATH + "version":
            data = self.state.text().encode("utf-8")
            return self._bytes(data, "text/plain; charset=utf-8", HTTPStatus.OK)
        return super()._send_head()

    def page(self, path: Path) -> bytes | None:
        if path.suffix != ".html":
            return None
        return path.read_bytes().replace(b"</body>", _RELOAD_SCRIPT + b"</body>", 1)

    def _not_found(self) -> BinaryIO | None:
        if self._inside(os.path.join(self.directory, NOT_FOUND_PAGE)) is None:
            page = _NO_SITE_YET.replace(b"</body>", _RELOAD_SCRIPT + b"</body>", 1)
            return self._bytes(page, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)
        return super()._not_found()


class PreviewServer(ThreadingHTTPServer):
    """Reports a request it failed to answer in one line, not a traceback: a client that
    hangs up is nothing; anything else is a podkit bug, named with its exception."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        log.error("podkit serve: podkit bug answering a request: %r", error)


def make_preview_server(folder: Path, port: int, state: PreviewState) -> PreviewServer:
    """A server on 127.0.0.1, bound now (``port`` 0: any free port), not yet serving."""
    handler = type("BoundPreviewHandler", (PreviewHandler,), {"state": state})
    return PreviewServer(("127.0.0.1", port), partial(handler, directory=str(folder)))


def fingerprint(source: Path) -> str:
    """What changes when any source file is edited, added or removed (hidden ones aside)."""
    visible = (
        path
        for path in source.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(source).parts)
    )
    return files_key(visible)


@dataclass(frozen=True)
class Outcome:
    """A preview build's result, as lines to print: problems when it failed."""

    problems: str = ""
    warnings: tuple[str, ...] = ()
    summary: str = ""


def build_preview(source: Path, out: Path, base_url: str, drafts: bool) -> Outcome:
    """Build in a process of its own, started without fork(): the build forks workers, which
    is unsafe in a process whose server thread runs; and no build's state lingers here."""
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(1, context, initializer=_ignore_interrupts) as pool:
            return pool.submit(_build, source, out, base_url, drafts).result()
    except BrokenProcessPool:
        return Outcome(problems="podkit bug: the build's process stopped without an answer")


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which waits


def _build(source: Path, out: Path, base_url: str, drafts: bool) -> Outcome:
    from toolkit.build import build

    try:
        report = build(source, out, base_url, drafts)
    except ToolkitError as error:
        return Outcome(problems=error.message)
    except Exception as error:  # not the user's doing: say so in one line, keep serving
        return Outcome(problems=f"podkit bug: the build failed with {error!r}")
    warnings = tuple(str(w) for w in report.warnings)
    return Outcome(warnings=warnings, summary=report.summary())


PREVIEW_FOLDER = ".podkit-preview"  # inside the show: hidden, so builds and the watcher skip it


def same_site(location: str) -> str:
    """A redirect's target as a path of this server: a browser reads ``/\\host`` or ``//host``
    as another site, so a backslash, a control character or anything else a URL does not
    hold as it is gets percent-encoded, and leading slashes are one.

    >>> same_site("/\\\\evil.com/../")
    '/%5Cevil.com/../'
    """
    return "/" + quote(location.lstrip("/"), safe=_KEPT_IN_LOCATION)


_KEPT_IN_LOCATION = "/?&=%:@!$'()*+,;~-._"


def preview(source: Path, out: Path | None = None, port: int = 8000, drafts: bool = True) -> None:
    """Build the show for 127.0.0.1:``port`` into ``out`` (by default a hidden folder of the
    show), serve it and build again when a source changes, until Ctrl-C or SIGTERM."""
    out = out or source / PREVIEW_FOLDER
    state = PreviewState()
    try:  # listen before building: a port taken is said at once
        server = make_preview_server(out, port, state)
    except OSError as error:
        raise ToolkitError(
            f"cannot listen on port {port} ({error.strerror}): try --port 8001"
        ) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        server.server_close()
        raise ToolkitError(
            [Problem(out, None, f"{error.strerror}: choose another --out")]
        ) from None
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    rebuild = partial(_rebuild, source, out, base_url, drafts, state)
    signal.signal(signal.SIGTERM, _stop)  # `kill` stops it as cleanly as Ctrl-C
    with server:
        _serve_until_stopped(server, source, rebuild, f"Serving {out} at {base_url} (Ctrl-C stops)")


def _serve_until_stopped(
    server: PreviewServer, source: Path, rebuild: Callable[[], None], serving_line: str
) -> None:
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        seen = fingerprint(source)  # before building: an edit meanwhile is seen
        rebuild()
        log.info("%s", serving_line)  # first: a request may be answered at once
        serving.start()
        while True:
            time.sleep(0.5)
            current = fingerprint(source)
            if current != seen:
                seen = current
                rebuild()
    except KeyboardInterrupt:
        if serving.is_alive():
            server.shutdown()
        log.info("Stopped.")


def _rebuild(source: Path, out: Path, base_url: str, drafts: bool, state: PreviewState) -> None:
    outcome = build_preview(source, out, base_url, drafts)
    if outcome.problems:  # the last good site stays served; the pages show why
        log.error("%s", outcome.problems)
        state.problems = outcome.problems
        return
    state.problems = ""
    state.version += 1
    for line in outcome.warnings:
        log.warning("%s", line)
    log.info("%s", outcome.summary)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
