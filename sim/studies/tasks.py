"""Running a study's independent tasks, in this process or in a pool of processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sim.core.parallel import one_thread


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    progress: Callable[[int], None] | None = None,
    chunksize: int = 1,
) -> list[Any]:
    """``function`` of each task, in order, here (``workers`` ≤ 1) or in ``workers`` processes.

    Args:
        function: A picklable function of one task.
        tasks: The tasks.
        workers: Processes; one or fewer runs the tasks in this process.
        progress: Called with 1 after each task.
        chunksize: Tasks sent to a process at a time.
    """
    results = []
    if workers <= 1:
        for task in tasks:
            results.append(function(task))
            if progress is not None:
                progress(1)
        return results
    with ProcessPoolExecutor(max_workers=workers, initializer=one_thread) as pool:
        for result in pool.map(function, tasks, chunksize=chunksize):
            results.append(result)
            if progress is not None:
                progress(1)
    return results
