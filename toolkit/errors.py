"""One error family for everything a user can get wrong.

A `Problem` names the file, the place in it (a key such as ``chapters[2].start`` or a line
number) and what to do. `ToolkitError` carries every problem found, so the user fixes them
all in one go instead of one per run.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from toolkit.model import FrozenValue, value

Level = Literal["error", "warning"]


@value
class Problem(FrozenValue):
    """Something wrong (``error``) or worth a look (``warning``) in a file, at a key or a
    line (``where``), with what to do about it."""

    file: Path | str
    where: str | int | None
    message: str
    level: Level = "error"

    def __post_init__(self) -> None:
        if self.level not in ("error", "warning"):
            raise ValueError(f"a problem's level is 'error' or 'warning', not {self.level!r}")

    @property
    def warning(self) -> bool:
        return self.level == "warning"

    @property
    def location(self) -> str:
        """``file:line``, ``file: key`` or ``file``."""
        file = _shown(self.file)
        if isinstance(self.where, int):
            return f"{file}:{self.where}"
        return f"{file}: {self.where}" if self.where else file

    def __str__(self) -> str:
        """The build's form: warnings say so, errors need no prefix."""
        prefix = "warning: " if self.warning else ""
        return f"{prefix}{self.location}: {self.message}"

    def labelled(self) -> str:
        """`podkit check`'s form: every line starts with its level."""
        return f"{self.level}: {self.location}: {self.message}"

    def as_json(self) -> dict[str, str | None]:
        """`podkit check --format json`'s object: a line number goes with the file."""
        if isinstance(self.where, int):
            file, where = self.location, None
        else:
            file, where = str(self.file), None if self.where is None else self.where
        return {"level": self.level, "file": file, "where": where, "message": self.message}


def _shown(file: Path | str) -> str:
    """The file's name as a problem prints it: quoted and escaped when it holds a control
    character, so that a name with a line break still takes one line.

    >>> _shown("ep/notes.md"), _shown("001-ep\\n")
    ('ep/notes.md', "'001-ep\\\\n'")
    """
    text = str(file)
    if any(unicodedata.category(c) == "Cc" for c in text):
        return repr(text)
    return text


class LocatedError(Exception):
    """A problem found while reading a file, at a line (int) or a key path (str) of it, or
    in the file as a whole (None); `problem` names the file once the caller knows it."""

    def __init__(self, where: int | str | None, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message

    def problem(self, file: Path | str) -> Problem:
        return Problem(file, self.where, self.message)


class ToolkitError(Exception):
    """A user mistake, raised by the library. A front end shows it as one line per problem
    (``str(error)``); the command line then exits with status 1, never with a traceback."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            self.message = problems
        else:
            self.problems = tuple(problems)
            self.message = "\n".join(str(p) for p in self.problems)
        super().__init__(self.message)


class Problems:
    """Collects problems while a stage walks its input, then raises them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: Path | str, where: str | int | None, message: str) -> None:
        self.items.append(Problem(file, where, message))

    def warn(self, file: Path | str, where: str | int | None, message: str) -> None:
        self.items.append(Problem(file, where, message, "warning"))

    def append(self, problem: Problem) -> None:
        self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ToolkitError(self.items)
