"""Map a function over many items on this machine's cores (forked worker processes).

Fork is used so the workers inherit the function and its items instead of unpickling them;
where fork does not exist, or for a few items, the map runs in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MINIMUM_ITEMS = 8  # below this, starting processes costs more than it saves
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _call(index: int) -> Any:
    assert _work is not None
    function, items = _work
    return function(items[index])


def fork_map(function: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """``map(function, items)`` in order, on up to four processes when it pays."""
    global _work
    workers = min(os.cpu_count() or 1, 4)
    if len(items) < MINIMUM_ITEMS or workers < 2 or not hasattr(os, "fork"):
        yield from map(function, items)
        return
    # Imported only when a pool starts: `podkit tag` and small shows never pay for them.
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    _work = (function, items)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            yield from pool.map(_call, range(len(items)), chunksize=4)
    finally:
        _work = None
