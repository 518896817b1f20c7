"""Running a study's tasks here or in a pool: the same results, in order, with progress."""

from __future__ import annotations

import pytest

from sim.studies.tasks import run_tasks


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_back_in_task_order_with_one_tick_a_task(workers: int) -> None:
    ticks = []
    tasks = [(k, k + 1) for k in range(7)]
    got = run_tasks(sum, tasks, workers, ticks.append, chunksize=3)
    assert got == [a + b for a, b in tasks]
    assert ticks == [1] * len(tasks)
