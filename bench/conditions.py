"""Shared by the benchmarks: the conditions a run measures under."""

from __future__ import annotations

import compileall
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # this checkout


def compile_podkit() -> None:
    """Compile podkit's bytecode, as pip does on install. A checkout run under
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module on each run (~70 ms)."""
    compileall.compile_dir(Path(__file__).parent.parent / "toolkit", quiet=1)


def compiled_checkouts(other: Path) -> dict[str, Path]:
    """This checkout and ``other`` (a folder holding another version's `toolkit/`), by name,
    both compiled: the benches that run two versions in turns compare their processes."""
    if not (other / "toolkit" / "__init__.py").is_file():
        sys.exit(f"{other}: no toolkit/ package in it")
    found = {"this": HERE, "other": other.resolve()}
    for root in found.values():
        compileall.compile_dir(root / "toolkit", quiet=1)
    return found


def machine_speed() -> str:
    """A fixed pure-Python loop, timed: on a shared virtual machine the same code can run
    1.5x slower from one hour to the next, so compare figures only between runs whose
    reference is about the same."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return f"machine reference: a 1,000,000-step Python loop takes {best * 1000:.0f} ms"
