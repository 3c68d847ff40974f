"""Typed reading of one TOML table that records every problem instead of stopping at the first.

Each getter returns a usable value or None, and notes the key as known; `finish()` warns about
the keys nobody asked for (usually a typo, so it suggests the closest known key).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from toolkit.errors import Problems
from toolkit.textcheck import character_problem
from toolkit.timecode import parse_timestamp

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def load_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a TOML file; a syntax error becomes ``file:line: message``."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
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
        problems.add(path, line, f"invalid TOML: {message}")
    return None


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
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            self.error(name, f"{value!r} is not an absolute http(s) URL: write https://…")
            return None
        return value

    def email(self, name: str, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is not None and not _EMAIL.match(value):
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

    def file_path(self, name: str, base: Path, required: bool = False) -> Path | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            path = (base / value).resolve()
            found = path.is_file()
        except (OSError, RuntimeError, ValueError) as error:  # a long name, a loop of links
            reason = error.strerror if isinstance(error, OSError) else str(error)
            self.error(name, f"file {value!r} cannot be read ({reason}): fix the name")
            return None
        if not found:
            self.error(name, f"file {value!r} not found next to {self.file.name}")
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
            close = difflib.get_close_matches(name, sorted(self.known), n=1)
            hint = f": did you mean {close[0]!r}?" if close else ": it is ignored"
            self.problems.warn(self.file, self.key(name), f"unknown key{hint}")
