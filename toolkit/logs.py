"""The library's loggers, with `logging` imported only when one is first used: importing it
(with traceback, threading and string) is a share of what a `podkit tag` costs, and a re-tag
that goes well logs nothing."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

_BEFORE_FIRST_USE: list[Callable[[], None]] = []


class Logger:
    """``logging.getLogger(name)``, looked up whenever it is used."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_logging().getLogger(self.name), attribute)


def before_first_use(configure: Callable[[], None]) -> None:
    """Have ``configure()`` run before any of these loggers is first used."""
    _BEFORE_FIRST_USE.append(configure)


def _logging() -> ModuleType:
    import logging

    while _BEFORE_FIRST_USE:
        _BEFORE_FIRST_USE.pop(0)()
    return logging
