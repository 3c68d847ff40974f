"""Typed reading of one TOML table that records every problem instead of stopping at the first.

Each getter returns a usable value or None, and notes the key as known; `finish()` warns about
the keys nobody asked for (usually a typo, so it suggests the closest known key).
"""

from __future__ import annotations

import ipaddress
import re
import stat
import string
import tomllib
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from toolkit.errors import Problems
from toolkit.textcheck import character_problem
from toolkit.timecode import parse_timestamp

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# ASCII characters RFC 3986 allows nowhere in a URL (they must be percent-encoded).
_NOT_IN_URLS = frozenset('<>"\\^`{|}')


BOM = "\ufeff"


def read_source(path: Path) -> str:
    """A source file's UTF-8 text without the byte order mark some editors write first
    (TOML forbids it, and in notes it would reach the feed); the file is left as it is."""
    return path.read_text(encoding="utf-8-sig")


def load_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a TOML file; a syntax error becomes ``file:line: message``."""
    try:
        return tomllib.loads(read_source(path))
    except FileNotFoundError:
        problems.add(path, None, "file not found")
    except IsADirectoryError:
        problems.add(path, None, "is a folder, not a file: it must be a TOML file")
    except UnicodeDecodeError:
        problems.add(path, None, "is not UTF-8 text: save it as UTF-8")
    except OSError as error:
        problems.add(path, None, f"cannot be read ({error.strerror})")
    except RecursionError:
        problems.add(path, None, "invalid TOML: arrays or tables nested too deeply")
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        message = re.sub(r"\s*\(at end of document\)", " at the end of the file", message)
        fix = next((fix for start, fix in _SYNTAX_FIXES if message.startswith(start)), None)
        problems.add(path, line, f"invalid TOML: {message}" + (f": {fix}" if fix else ""))
    return None


# What to do about the syntax errors people make most, by the start of tomllib's message.
_SYNTAX_FIXES = (
    ("Illegal character '\\n'", 'a text is not closed on its line: end it with its quote ("…")'),
    ("Unterminated string", 'a text is not closed: end it with its quote ("…")'),
    ("Invalid value", 'put a text in quotes ("…"); true, false, numbers and dates go without'),
    ("Cannot overwrite a value", "a key is set twice: keep one"),
    ("Cannot declare", "a table is declared twice: keep one [table] line"),
    ("Expected ']' at the end of a table", "close the table's name with ]"),
    ("Expected ']]' at the end of an array", "close the name with ]]"),
    ("Expected '=' after a key", 'write key = value (a text in quotes: key = "…")'),
    ("Unclosed array", "close the list with ]"),
    ("Unclosed inline table", "close the table with }"),
    ("Expected newline or end of document", "one key = value per line (a text in quotes)"),
    ("Invalid statement", "each line is key = value, [table] or [[table]]"),
    ("Unescaped '\\'", "write a backslash as \\\\, or use single quotes ('…')"),
)


def url_problem(value: str) -> str | None:
    """Why ``value`` cannot be a link podkit publishes (None when it can): only absolute
    http(s) URLs, written without spaces (a player would cut the link there)."""
    try:
        parsed = urlparse(value)
    except ValueError as error:  # e.g. an unclosed "[" of an IPv6 address
        return f"{value!r} is not a valid URL ({error}): write https://…"
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return f"{value!r} is not an absolute http(s) URL: write https://…"
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        return f"{value!r} contains a space or a control character: write a space as %20"
    wrong = next((c for c in value if c in _NOT_IN_URLS), None)
    if wrong is not None:
        return f"{value!r} contains {wrong!r}, which URLs cannot hold: write it as {quote(wrong)}"
    try:
        _ = parsed.port  # reading it checks it
    except ValueError:
        return f"{value!r} has an invalid port: write a number up to 65535 after the host's ':'"
    return None


def loopback(url: str) -> bool:
    """Whether the URL names this machine (localhost, 127.0.0.0/8, ::1): no listener's.

    >>> [loopback(u) for u in ("http://127.0.0.2:8000/", "http://[::1]/", "https://example.org/")]
    [True, True, False]
    """
    try:
        host = urlparse(url).hostname or ""
    except ValueError:  # a malformed address in the feed: other findings name it
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def as_uri(value: str) -> str:
    """A link as feeds and ID3 tags need it: characters outside ASCII percent-encoded as UTF-8
    (``é`` becomes ``%C3%A9``); what is already ASCII, escapes included, stays as written."""
    return quote(value, safe=string.punctuation)


def not_a_file(path: Path) -> str | None:
    """Why ``path``, which is there (perhaps as a broken link), cannot be read as a file."""
    try:
        mode = path.stat().st_mode  # follows links: a loop or a broken link raises
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is in the folder ``root`` once every link of both is resolved."""
    return path.resolve().is_relative_to(root.resolve())


def outside_message(value: str, root: Path) -> str:
    return (
        f"{value!r} is outside the show's folder {str(root)!r}: podkit publishes only files "
        "of the show; move or copy the file into it"
    )


class Table:
    def __init__(self, data: dict[str, Any], file: Path, prefix: str, problems: Problems) -> None:
        self.data = data
        self.file = file
        self.prefix = prefix
        self.problems = problems
        self.known: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def error(self, name: str, message: str) -> None:
        self.problems.add(self.file, self.key(name), message)

    def _get(self, name: str, required: bool, kind: str) -> Any:
        self.known.add(name)
        if name not in self.data:
            if required:
                self.error(name, f"missing: add {kind}")
            return None
        return self.data[name]

    def text(
        self,
        name: str,
        required: bool = False,
        default: str | None = None,
        line_breaks: bool = False,
    ) -> str | None:
        """A text; with ``line_breaks`` (descriptions) it may hold line breaks and tabs."""
        value = self._get(name, required, f'{name} = "…"')
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(name, f'must be text in quotes, like {name} = "…"')
            return default
        problem = character_problem(value, line_breaks)
        if problem:
            self.error(name, problem)
            return default
        if not value.strip():
            if required:
                self.error(name, "is empty: write a value")
            return default
        return value.strip()

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, False, f"{name} = true or false")
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(name, "must be true or false (without quotes)")
            return default
        return value

    def integer(self, name: str, required: bool = False, minimum: int = 1) -> int | None:
        value = self._get(name, required, f"{name} = 1")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error(name, f"must be a whole number of at least {minimum}, like {name} = 1")
            return None
        return value

    def choice(self, name: str, allowed: Iterable[str], default: str) -> str:
        options = tuple(allowed)
        value = self.text(name, default=default)
        if value not in options:
            self.error(name, f"{value!r} is not allowed: use one of {', '.join(options)}")
            return default
        return value

    def url(self, name: str, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        problem = url_problem(value)
        if problem is not None:
            self.error(name, problem)
            return None
        return as_uri(value)

    def email(self, name: str, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is not None and not _EMAIL.fullmatch(value):
            self.error(name, f"{value!r} is not an email address: write name@example.org")
            return None
        return value

    def timestamp(self, name: str, required: bool = False) -> float | None:
        value = self._get(name, required, f'{name} = "00:00:00"')
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(name, f'must be a time in quotes, like {name} = "00:12:34.500"')
            return None
        try:
            return parse_timestamp(value)
        except ValueError as error:
            self.error(name, str(error))
            return None

    def moment(self, name: str, required: bool = False) -> datetime | None:
        """A date-time with its UTC offset (TOML's offset date-time)."""
        value = self._get(name, required, f"{name} = 2024-06-13T07:00:00+02:00")
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.error(name, "is not a date-time: write 2024-06-13T07:00:00+02:00")
                return None
        if isinstance(value, date) and not isinstance(value, datetime):
            self.error(name, "has no time: write 2024-06-13T07:00:00+02:00")
            return None
        if not isinstance(value, datetime):
            self.error(name, "must be a date-time like 2024-06-13T07:00:00+02:00")
            return None
        if value.tzinfo is None:
            self.error(name, "has no time zone: add the UTC offset, e.g. …T07:00:00+02:00")
            return None
        return value

    def file_path(
        self, name: str, base: Path, required: bool = False, *, root: Path
    ) -> Path | None:
        """A file named relative to ``base``; it must be inside ``root``, links resolved."""
        value = self.text(name, required)
        if value is None:
            return None
        try:
            path = (base / value).resolve()
            contained = inside(path, root)
            found = contained and path.is_file()
        except (OSError, RuntimeError, ValueError) as error:  # a long name, a loop of links
            reason = error.strerror if isinstance(error, OSError) else str(error)
            self.error(name, f"file {value!r} cannot be read ({reason}): fix the name")
            return None
        if not contained:
            self.error(name, outside_message(value, root))
            return None
        if not found:
            where = (
                f"from {self.file.name}'s folder" if "/" in value else f"next to {self.file.name}"
            )
            self.error(name, f"file {value!r} not found {where}: check its name")
            return None
        return path

    def strings(self, name: str) -> tuple[str, ...]:
        value = self._get(name, False, f'{name} = ["…"]')
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f'must be a list of texts, like {name} = ["a", "b"]')
            return ()
        for index, item in enumerate(value):
            problem = character_problem(item)
            if problem:
                self.error(f"{name}[{index}]", problem)
                return ()
        return tuple(v.strip() for v in value if v.strip())

    def tables(self, name: str) -> list[Table]:
        """An array of tables (``[[name]]``), each as its own Table."""
        value = self._get(name, False, f"[[{name}]]")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(name, f"must be a list of tables: write each as [[{name}]]")
            return []
        return [
            Table(item, self.file, f"{self.prefix}{name}[{i}].", self.problems)
            for i, item in enumerate(value)
        ]

    def table(self, name: str, required: bool = False) -> Table | None:
        value = self._get(name, required, f"a [{name}] table")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(name, f"must be a table: write [{name}] on its own line")
            return None
        return Table(value, self.file, f"{self.prefix}{name}.", self.problems)

    def finish(self) -> None:
        for name in self.data:
            if name in self.known:
                continue
            import difflib  # only for a file with an unknown key

            close = difflib.get_close_matches(name, sorted(self.known), n=1)
            hint = f": did you mean {close[0]!r}?" if close else ": it is ignored"
            self.problems.warn(self.file, self.key(name), f"unknown key{hint}")
