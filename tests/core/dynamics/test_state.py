"""The state and the helpers every mechanism shares (sim/core/dynamics/state.py)."""

from __future__ import annotations

import numpy as np
from conftest import world

from sim.core.dynamics.state import (
    alignment_gaps,
    current_gaps,
    half_gap,
    maximum,
    minimum,
    month_draws,
    row_sum,
    segment_sum,
    upper_triangle,
    zero_diagonal,
)
from sim.core.dynamics.step import advance, initial_state
from sim.core.metrics import lookup
from sim.core.rng import replicate_keys, uniforms
from sim.core.world import MONTH_STREAMS


def test_alignment_gaps_are_half_distances_and_their_squares():
    alignment = np.array([[1.0, -1.0, 0.2]])
    half, squared = alignment_gaps(alignment)
    np.testing.assert_array_equal(half[0], [[0, 1, 0.4], [1, 0, 0.6], [0.4, 0.6, 0]])
    np.testing.assert_array_equal(squared, half * half)


def test_cached_gaps_follow_the_alignment_and_cannot_be_changed():
    w = world()
    state = initial_state(w, replicate_keys(1, range(2)))
    first = current_gaps(state)
    assert current_gaps(state)[0] is first[0]
    assert not first[0].flags.writeable
    state.alignment = state.alignment * 0.5
    np.testing.assert_array_equal(current_gaps(state)[0], alignment_gaps(state.alignment)[0])


def test_upper_triangle_and_zero_diagonal():
    w = world()
    matrix = np.arange(2 * w.n * w.n, dtype=float).reshape(2, w.n, w.n)
    dyads = upper_triangle(w, matrix)
    assert dyads.shape == (2, len(w.dyad_i)) and dyads.flags.c_contiguous
    assert dyads[1, 0] == matrix[1, w.dyad_i[0], w.dyad_j[0]]
    zero_diagonal(matrix)
    assert (np.diagonal(matrix, axis1=1, axis2=2) == 0).all() and matrix[0, 0, 1] == 1


def test_a_months_draws_taken_together_are_each_streams_own_uniforms():
    w = world()
    state = initial_state(w, replicate_keys(4, range(3)))
    wanted = (w.n, w.n, w.incident_dyads, w.incident_dyads, len(w.alliance_names))
    for step in (0, 7):
        state.step = step
        for stream, n in zip(MONTH_STREAMS, wanted, strict=True):
            expected = uniforms(state.keys, step, stream, n)
            np.testing.assert_array_equal(month_draws(w, state, stream), expected)


def test_a_fork_shares_the_past_and_the_original_key_goes_on_as_the_original():
    w = world()
    keys = replicate_keys(3, [0, 1])
    original = initial_state(w, keys)
    reader = lookup(w, original)
    for _ in range(5):
        advance(w, original, reader)
    fork = original.fork(replicate_keys(3, [1, 7, 8]), replicate=1)
    assert fork.step == 5 and fork.replicates == 3 and fork.log is None
    for name in ("tension", "alignment", "milex", "members", "max_level"):
        np.testing.assert_array_equal(
            getattr(fork, name), np.repeat(getattr(original, name)[1:], 3, 0)
        )
    fork_reader = lookup(w, fork)
    for _ in range(5):
        advance(w, original, reader)
        advance(w, fork, fork_reader)
    np.testing.assert_array_equal(fork.tension[0], original.tension[1])  # the same key
    assert not np.array_equal(fork.tension[1], original.tension[1])  # a new future


def test_kernel_row_sums_add_in_numpys_order_at_every_length():
    rng = np.random.default_rng(5)
    for n in (*range(1, 140), 257, 1000):
        x = rng.standard_normal(n) * 10 ** rng.uniform(-6, 6, n)
        assert row_sum(x) == x.sum(), n  # bit for bit, pairwise halves beyond 128
        start, end = n // 3, n - n // 5
        assert segment_sum(x, start, end) == x[start:end].sum(), n  # no view, same bits


def test_kernel_maxima_and_minima_keep_a_nan_as_numpy_does():
    nan = float("nan")
    for a, b in ((1.0, nan), (nan, 1.0), (nan, nan)):
        assert np.isnan(maximum(a, b)) and np.isnan(minimum(a, b))
    assert maximum(0.2, 0.7) == 0.7 and minimum(0.2, 0.7) == 0.2


def test_per_owner_computes_once_per_owner_by_identity_and_starts_afresh_when_full():
    from sim.core.dynamics.state import KEPT_OWNERS, per_owner

    calls = []

    @per_owner
    def size(owner: list) -> int:
        calls.append(owner)
        return len(owner)

    one, same = [1, 2], [1, 2]  # equal, not the same owner
    assert size(one) == size(one) == 2 and len(calls) == 1
    assert size(same) == 2 and len(calls) == 2
    owners = [[0] * k for k in range(KEPT_OWNERS)]
    for owner in owners:
        size(owner)
    size(one)  # the memo was full: started afresh, so one is computed again
    assert len(calls) == 2 + KEPT_OWNERS + 1


def test_the_half_gap_is_half_the_distance_and_the_gaps_are_made_of_it():
    assert half_gap(0.3, -0.5) == 0.4 and half_gap(-0.5, 0.3) == 0.4 and half_gap(0.2, 0.2) == 0.0
    alignment = np.array([[0.3, -0.5, 0.9], [-1.0, 0.0, 1.0]])
    half, squared = alignment_gaps(alignment)
    for r in range(2):
        for i in range(3):
            for j in range(3):
                assert half[r, i, j] == half_gap(alignment[r, i], alignment[r, j])
                assert squared[r, i, j] == half[r, i, j] ** 2
