"""One error family for everything a user can get wrong.

A `Problem` names the file, the place in it (a key such as ``chapters[2].start`` or a line
number) and what to do. `ToolkitError` carries every problem found, so the user fixes them
all in one go instead of one per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: Path | str
    where: str | int | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        location = str(self.file)
        if isinstance(self.where, int):
            location += f":{self.where}"
        elif self.where:
            location += f": {self.where}"
        prefix = "warning: " if self.warning else ""
        return f"{prefix}{location}: {self.message}"


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
        self.items.append(Problem(file, where, message, warning=True))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ToolkitError(self.items)
