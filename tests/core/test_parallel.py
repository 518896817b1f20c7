"""Blocks of replicates in threads (sim/core/parallel.py): the count, the blocks, the pool."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from conftest import world

from sim.core.engine import simulate
from sim.core.parallel import (
    MIN_BLOCK,
    THREADS_VARIABLE,
    ThreadsError,
    available_threads,
    block_size,
    in_threads,
    serialized,
)


def test_the_variable_sets_the_thread_count(monkeypatch):
    monkeypatch.setenv(THREADS_VARIABLE, " 3 ")
    assert available_threads() == 3


def test_without_the_variable_every_core_the_process_may_use(monkeypatch):
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)
    assert available_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5"])
def test_a_bad_thread_count_is_named_with_a_hint(monkeypatch, text):
    monkeypatch.setenv(THREADS_VARIABLE, text)
    with pytest.raises(ThreadsError, match=f"{THREADS_VARIABLE}='{text}'.*at least 1") as caught:
        available_threads()
    assert "hint: unset" in str(caught.value)


@pytest.mark.parametrize(
    ("replicates", "threads", "expected"),
    [
        (1000, 1, 250),  # one thread: the largest block
        (1000, 2, 250),  # more than the threads can share: the largest block
        (300, 2, 150),  # shared evenly
        (150, 2, MIN_BLOCK),  # never below the smallest block worth a thread
        (30, 4, MIN_BLOCK),  # a small run stays one block
    ],
)
def test_blocks_share_the_replicates_between_the_threads(replicates, threads, expected):
    assert block_size(replicates, threads, 250) == expected


def test_in_threads_runs_items_at_once_and_keeps_their_order():
    meeting = threading.Barrier(3, timeout=10)  # passes only if three items run together

    def work(item: int) -> int:
        meeting.wait()
        return item * item

    assert in_threads(work, [1, 2, 3], 3) == [1, 4, 9]
    assert in_threads(lambda item: -item, [5, 6], 1) == [-5, -6]


def test_serialized_callbacks_never_overlap():
    inside, most = [0], [0]

    def count(_: int) -> None:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.002)
        inside[0] -= 1

    guarded = serialized(count)
    in_threads(lambda _: [guarded(1) for _ in range(20)], range(4), 4)
    assert most[0] == 1
    assert serialized(None) is None


def test_threads_give_the_numbers_and_records_of_one_thread():
    w = world(
        policies={"tf": {"kind": "task_force", "actor": "USA", "partners": ["PHL"], "start": 2}},
        decisions={"strategy": "expected_utility"},
        horizon=12,
    )
    counted: list[int] = []
    one = simulate(w, 2 * MIN_BLOCK + 7, threads=1)
    many = simulate(w, 2 * MIN_BLOCK + 7, threads=3, progress=counted.append)
    for name in ("tension", "level", "credibility", "commitment", "max_level"):
        np.testing.assert_array_equal(getattr(one, name), getattr(many, name))
    for name in one.model:
        np.testing.assert_array_equal(one.model[name], many.model[name])
    for name in one.countries:
        np.testing.assert_array_equal(one.countries[name], many.countries[name])
    assert one.events == many.events and one.events
    assert sum(counted) == (2 * MIN_BLOCK + 7) * 12


def test_a_failing_item_stops_the_items_not_yet_started():
    started: list[int] = []

    def work(item: int) -> int:
        started.append(item)
        if item == 0:
            raise RuntimeError("the first block failed")
        time.sleep(0.05)
        return item

    with pytest.raises(RuntimeError, match="first block failed"):
        in_threads(work, list(range(40)), 2)
    assert len(started) < 40
