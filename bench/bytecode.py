"""Shared by the benchmarks: time podkit as it runs when installed."""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_podkit() -> None:
    """Compile podkit's bytecode, as pip does on install. A checkout run under
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module on each run (~70 ms)."""
    compileall.compile_dir(Path(__file__).parent.parent / "toolkit", quiet=1)
