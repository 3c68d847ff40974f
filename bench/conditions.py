"""Shared by the benchmarks: the conditions a run measures under."""

from __future__ import annotations

import compileall
import time
from pathlib import Path


def compile_podkit() -> None:
    """Compile podkit's bytecode, as pip does on install. A checkout run under
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module on each run (~70 ms)."""
    compileall.compile_dir(Path(__file__).parent.parent / "toolkit", quiet=1)


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
