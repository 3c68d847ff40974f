"""`podkit notify`: tell the show's WebSub hub and the Podcast Index that the feed changed, so
apps fetch it now instead of at their next poll. Only the URLs of show.toml's ``[notify]``
table (or the Podcast Index's default) are contacted."""

from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from toolkit.config import SHOW_FILE, load_show
from toolkit.errors import Problem, ToolkitError

log = logging.getLogger(__name__)
TIMEOUT = 15.0  # seconds: a hub that has not answered by then will not


@dataclass(frozen=True)
class Ping:
    service: str  # "WebSub hub" or "Podcast Index"
    url: str  # the request's address
    status: int  # the HTTP status it answered


@dataclass(frozen=True)
class NotifyReport:
    feed_url: str
    pings: tuple[Ping, ...]

    def summary(self) -> str:
        told = ", ".join(f"{p.service} (HTTP {p.status})" for p in self.pings)
        return f"Notified {told} of {self.feed_url}"


def notify(source: Path, hub_only: bool = False, timeout: float = TIMEOUT) -> NotifyReport:
    """Ping the WebSub hub (a publish POST) and, unless ``hub_only``, the Podcast Index's
    pubnotify endpoint for the show's feed; raises ToolkitError naming each one that failed."""
    show, _ = load_show(source, read_transcripts=False)
    settings, feed = show.extras.notify, show.feed_url
    file = source / SHOW_FILE
    requests: list[tuple[str, str, urllib.request.Request]] = []
    if settings.hub:
        body = urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
        requests.append(("notify.hub", "WebSub hub", _post(settings.hub, body)))
    elif hub_only:
        raise ToolkitError(
            [Problem(file, "notify.hub", 'no hub: add [notify] hub = "https://…" to show.toml')]
        )
    if settings.podcast_index and not hub_only:
        url = f"{settings.podcast_index}?{urlencode({'url': feed})}"
        requests.append(("notify.podcast_index", "Podcast Index", _get(url)))
    pings, problems = [], []
    for key, service, request in requests:
        result = _send(request, timeout)
        if isinstance(result, int):
            log.debug("%s answered HTTP %d", request.full_url, result)
            pings.append(Ping(service, request.full_url, result))
        else:
            problems.append(Problem(file, key, f"{service} at {request.full_url} {result}"))
    if problems:
        raise ToolkitError(problems)
    return NotifyReport(feed, tuple(pings))


def _post(url: str, body: bytes) -> urllib.request.Request:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "podkit"}
    return urllib.request.Request(url, data=body, headers=headers, method="POST")


def _get(url: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"User-Agent": "podkit"}, method="GET")


def _send(request: urllib.request.Request, timeout: float) -> int | str:
    """The HTTP status of a 2xx answer, or what went wrong, said in a few words."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return f"answered HTTP {error.code} {error.reason}: check the address in show.toml"
    except urllib.error.URLError as error:
        return _reason(error.reason, timeout)
    except OSError as error:  # a time-out or a reset while reading the answer
        return _reason(error, timeout)


def _reason(reason: object, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "refused the connection: check the address, or try again later"
    if isinstance(reason, TimeoutError):
        return f"did not answer within {timeout:g} s: try again later"
    if isinstance(reason, socket.gaierror):
        return "is not a known host name: check the address (and the network)"
    return f"could not be reached ({reason}): check the address, or try again later"
