"""Blocks of replicates in threads (sim/core/parallel.py): the count, the blocks, the pool."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from conftest import world

from sim.core.engine import CHUNK, simulate
from sim.core.parallel import (
    MAX_THREADS,
    THREADS_VARIABLE,
    StoppedError,
    ThreadsError,
    available_threads,
    even_blocks,
    in_threads,
    one_thread,
    serialized,
)


def test_the_variable_sets_the_thread_count(monkeypatch):
    monkeypatch.setenv(THREADS_VARIABLE, " 6 ")
    assert available_threads() == 6  # told: more than the default's cap


def test_without_the_variable_the_cores_the_process_may_use_up_to_a_cap(monkeypatch):
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)
    assert available_threads() == min(len(os.sched_getaffinity(0)), MAX_THREADS)


def test_a_worker_process_is_told_to_use_one_thread(monkeypatch):
    monkeypatch.setenv(THREADS_VARIABLE, "3")
    one_thread()
    assert available_threads() == 1


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5", "²"])
def test_a_bad_thread_count_is_named_with_a_hint(monkeypatch, text):
    monkeypatch.setenv(THREADS_VARIABLE, text)
    with pytest.raises(ThreadsError, match=f"{THREADS_VARIABLE}='{text}'.*at least 1") as caught:
        available_threads()
    assert "hint: unset" in str(caught.value)


@pytest.mark.parametrize(
    ("replicates", "expected"),
    [(30, 30), (250, 250), (251, 126), (507, 169), (1000, 250), (1001, 201)],
)
def test_blocks_are_at_most_the_largest_and_as_even_as_can_be(replicates, expected):
    size = even_blocks(replicates, 250)
    assert size == expected
    blocks = [min(size, replicates - start) for start in range(0, replicates, size)]
    assert max(blocks) - min(blocks) <= len(blocks)  # no lone straggler


def test_in_threads_runs_items_at_once_and_keeps_their_order():
    meeting = threading.Barrier(3, timeout=10)  # passes only if three items run together

    def work(item: int, stop: threading.Event) -> int:
        meeting.wait()
        return item * item

    assert in_threads(work, [1, 2, 3], 3) == [1, 4, 9]
    assert in_threads(lambda item, stop: -item, [5, 6], 1) == [-5, -6]


def test_a_failing_item_stops_the_running_ones_and_drops_the_rest():
    started: list[int] = []
    saw_stop = threading.Event()

    def work(item: int, stop: threading.Event) -> int:
        started.append(item)
        if item == 0 and stop.wait(timeout=10):  # a long block, running when the next one fails
            saw_stop.set()
            raise StoppedError
        if item == 1:
            time.sleep(0.05)
            raise RuntimeError("the second block failed")
        time.sleep(0.05)
        return item

    began = time.monotonic()
    with pytest.raises(RuntimeError, match="second block failed"):
        in_threads(work, list(range(40)), 2)
    assert time.monotonic() - began < 5  # not the long block's 10 s
    assert saw_stop.is_set() and len(started) < 40


def test_serialized_callbacks_never_overlap():
    inside, most = [0], [0]

    def count(_: int) -> None:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.002)
        inside[0] -= 1

    guarded = serialized(count)
    in_threads(lambda item, stop: [guarded(1) for _ in range(20)], range(4), 4)
    assert most[0] == 1
    assert serialized(None) is None


def _deciding_world():
    return world(
        policies={"tf": {"kind": "task_force", "actor": "USA", "partners": ["PHL"], "start": 2}},
        decisions={"strategy": "expected_utility"},
        horizon=12,
    )


def test_threads_give_the_numbers_and_records_of_one_thread():
    replicates = 2 * CHUNK + 7  # three chunks
    counted: list[int] = []
    # Threads first, on a world no run has read yet: its memos are filled by racing threads.
    many = simulate(_deciding_world(), replicates, threads=3, progress=counted.append)
    one = simulate(_deciding_world(), replicates, threads=1)
    for name in ("replicates", "tension", "level", "credibility", "interoperability"):
        np.testing.assert_array_equal(getattr(one, name), getattr(many, name), err_msg=name)
    for name in ("commitment", "max_level"):
        np.testing.assert_array_equal(getattr(one, name), getattr(many, name), err_msg=name)
    for name in one.model:
        np.testing.assert_array_equal(one.model[name], many.model[name])
    for name in one.countries:
        np.testing.assert_array_equal(one.countries[name], many.countries[name])
    assert one.events == many.events and one.events
    assert sum(counted) == replicates * 12


def test_a_chunk_that_fails_stops_the_others_within_a_month():
    calls: list[int] = []

    def progress(count: int) -> None:
        calls.append(count)
        if len(calls) == 2:
            raise RuntimeError("the progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar broke"):
        simulate(_deciding_world(), 2 * CHUNK + 7, threads=3, progress=progress, log=False)
    assert len(calls) < 3 * 3  # three chunks of 12 months would call it 36 times
