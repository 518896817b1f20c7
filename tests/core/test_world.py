"""The compiled world: its index helpers and cached index sets."""

from __future__ import annotations

import numpy as np
from conftest import world

from sim.core.world import LEVERS, MONTH_STREAMS


def test_dyads_are_the_upper_triangle_and_found_by_either_order():
    w = world()
    n = w.n
    assert len(w.dyad_i) == n * (n - 1) // 2
    assert (w.dyad_i < w.dyad_j).all()
    i, j = w.index("CHN"), w.index("PHL")
    d = w.dyad_index(i, j)
    assert d == w.dyad_index(j, i)
    assert {w.dyad_i[d], w.dyad_j[d]} == {i, j}


def test_dispute_partners_read_each_countrys_worst_dispute():
    w = world()
    tension = np.random.default_rng(0).random((w.n, w.n))
    tension = np.triu(tension, 1) + np.triu(tension, 1).T
    worst = tension[np.arange(w.n)[:, None], w.dispute_partners].max(axis=1)
    expected = np.where(w.dispute > 0, tension, 0.0).max(axis=1)
    np.testing.assert_array_equal(worst, expected)


def test_each_month_draws_every_stream_it_needs():
    w = world()
    sizes = np.diff((0, *w.month_draws.bounds))
    expected = (w.n, w.n, len(w.incident_dyads), len(w.incident_dyads), len(w.alliance_names))
    assert tuple(sizes) == expected and len(MONTH_STREAMS) == 5
    assert w.levers.shape[1] == len(LEVERS)
