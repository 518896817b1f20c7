"""Blocks of replicates advanced in threads of one process.

The month's kernels release the GIL (``nogil=True``), so two blocks of replicates advanced in
two threads overlap their compiled parts; their Python parts take turns. That pays only when a
block's kernels run long enough to outweigh the turns: measured on 2 cores
(docs/performance.md, hub_and_spoke, deciding), two blocks of 250 replicates advance 1.80×
as fast in two threads as one after the other, two blocks of 100 1.31×, two of 50 no faster.
Blocks are therefore never smaller than :data:`MIN_BLOCK`. Sweeps run in processes (Dask),
one thread each.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

#: The environment variable that sets how many threads a run uses (default: every core the
#: process may use).
THREADS_VARIABLE = "GEOSIM_THREADS"
#: Fewest replicates a thread advances at once: smaller blocks spend their time taking turns.
MIN_BLOCK = 100


class ThreadsError(ValueError):
    """The thread count in :data:`THREADS_VARIABLE` is not a whole number ≥ 1."""


def available_threads() -> int:
    """Threads a run may use: :data:`THREADS_VARIABLE` if set, else the cores it may run on.

    Raises:
        ThreadsError: The variable is set to something other than a whole number ≥ 1.
    """
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if text:
        count = int(text) if text.isdigit() else 0
        if count < 1:
            raise ThreadsError(
                f"{THREADS_VARIABLE}={text!r}: expected a whole number of threads, at least 1\n"
                f"hint: unset {THREADS_VARIABLE} to use every core, or set it to 1 for one thread"
            )
        return count
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def block_size(replicates: int, threads: int, largest: int) -> int:
    """Replicates per block: at most ``largest``, over the threads, at least :data:`MIN_BLOCK`.

    Args:
        replicates: Replicates to advance.
        threads: Threads that may advance blocks at once.
        largest: Most replicates one block may hold (memory).
    """
    if threads <= 1:
        return largest
    return max(1, min(largest, max(MIN_BLOCK, math.ceil(replicates / threads))))


def in_threads[Item, Result](
    work: Callable[[Item], Result], items: Sequence[Item], threads: int
) -> list[Result]:
    """``[work(item) for item in items]``, up to ``threads`` items at a time, in order.

    If an item fails (or the user interrupts), the items not yet started are dropped and the
    error is raised once the running ones end.
    """
    if threads <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(threads, len(items)))
    try:
        return list(pool.map(work, items))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def serialized[*Args](callback: Callable[[*Args], None] | None) -> Callable[[*Args], None] | None:
    """``callback`` called by one thread at a time (a progress bar counts from many)."""
    if callback is None:
        return None
    lock = threading.Lock()

    def called(*args: *Args) -> None:
        with lock:
            callback(*args)

    return called
