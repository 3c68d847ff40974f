"""Regular expressions compiled on their first use, once per process.

Many of podkit's patterns serve texts that most runs never meet (a typography rule, a
forbidden character, a Podcasting 2.0 value): compiling them all at import was a visible part
of what `podkit tag` costs. A module keeps its patterns as strings and asks for them here.
"""

from __future__ import annotations

import re

COMPILED: dict[str, re.Pattern[str]] = {}  # by source: what this process has compiled


def compiled(pattern: str) -> re.Pattern[str]:
    """``pattern``, compiled the first time it is asked for."""
    found = COMPILED.get(pattern)
    if found is None:
        found = COMPILED[pattern] = re.compile(pattern)
    return found
