"""Blocks of replicates advanced in threads of one process.

The month's kernels release the GIL (``nogil=True``), so two blocks of replicates advanced in
two threads overlap their compiled parts; their Python and NumPy parts (41–44% of a month at
250–1,000 replicates) take turns. That pays only for long blocks: on 2 cores (docs/performance.md,
"Threads, records written once, …", hub_and_spoke, deciding) two blocks of 250 replicates
advance 1.80× as fast in two threads as one after the other, two of 100 1.31×, two of 50 no
faster, and on a loaded machine short blocks in threads were slower than one thread. So threads
only ever advance the chunks a run is cut into anyway to bound its memory (at most 250
replicates each, :data:`sim.core.engine.CHUNK`): a run of 250 replicates or fewer is one chunk in
one thread. A run uses at most :data:`MAX_THREADS` threads unless told otherwise (the part that
holds the GIL bounds the gain). Sweeps run in processes (Dask), one thread each.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

#: The environment variable that sets how many threads a run uses (default: the cores the
#: process may use, at most :data:`MAX_THREADS`).
THREADS_VARIABLE = "GEOSIM_THREADS"
#: Most threads a run takes by default. With 41–44% of a month holding the GIL, threads cannot
#: make a run more than about 2.3–2.4× as fast (Amdahl), so more would only contend.
MAX_THREADS = 4


class ThreadsError(ValueError):
    """The thread count in :data:`THREADS_VARIABLE` is not a whole number ≥ 1."""


class StoppedError(Exception):
    """A block stopped early: another block failed or the run was interrupted."""


def available_threads() -> int:
    """Threads a run may use: :data:`THREADS_VARIABLE`, else its cores, :data:`MAX_THREADS` at most.

    Raises:
        ThreadsError: The variable is set to something other than a whole number ≥ 1.
    """
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if text:
        count = int(text) if text.isascii() and text.isdecimal() else 0
        if count < 1:
            raise ThreadsError(
                f"{THREADS_VARIABLE}={text!r}: expected a whole number of threads, at least 1\n"
                f"hint: unset {THREADS_VARIABLE} to use every core, or set it to 1 for one thread"
            )
        return count
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_THREADS))


def one_thread() -> None:
    """Make this process's runs use one thread (a worker pool's initializer: they share cores)."""
    os.environ[THREADS_VARIABLE] = "1"


def even_blocks(replicates: int, largest: int) -> int:
    """Replicates per block: at most ``largest``, the blocks as even as their number allows.

    So that 251 replicates run as 126 and 125, not 250 and a lone one.
    """
    return max(1, math.ceil(replicates / max(1, math.ceil(replicates / largest))))


def in_threads[Item, Result](
    work: Callable[[Item, threading.Event], Result], items: Sequence[Item], threads: int
) -> list[Result]:
    """``[work(item, stop) for item in items]``, up to ``threads`` items at a time, in order.

    ``stop`` is set as soon as an item fails or the caller is interrupted (Ctrl-C): the items
    not yet started are dropped, and a running item should check it between steps and raise
    :class:`StoppedError`. The first item's own error is raised once the running items end.
    """
    stop = threading.Event()
    if threads <= 1 or len(items) <= 1:
        return [work(item, stop) for item in items]

    def guarded(item: Item) -> Result:
        if stop.is_set():
            raise StoppedError
        try:
            return work(item, stop)
        except BaseException:
            stop.set()
            raise

    pool = ThreadPoolExecutor(max_workers=min(threads, len(items)))
    try:
        futures = [pool.submit(guarded, item) for item in items]
        wait(futures, return_when=FIRST_EXCEPTION)
        for future in futures:  # the first real error, not an item stopped because of it
            if future.done() and not future.cancelled():
                error = future.exception()
                if error is not None and not isinstance(error, StoppedError):
                    raise error
        return [future.result() for future in futures]
    except BaseException:
        stop.set()
        raise
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
