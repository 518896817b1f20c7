"""Perception (sim/core/dynamics/perception.py): what every state sees at a month's start."""

from __future__ import annotations

import numpy as np
from conftest import world

from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.perception import observe, perceive
from sim.core.dynamics.step import initial_state
from sim.core.rng import replicate_keys


def test_perceiving_stores_threat_and_fears_in_the_state_and_returns_them():
    w = world()
    state = initial_state(w, replicate_keys(3, range(4)))
    state.threat[:] = state.abandonment[:] = state.entrapment[:] = -1.0
    _, cap, threat_matrix, abandonment, entrapment, ratio = perceive(
        w, state, active_levers(w, state)
    )
    assert (state.threat >= 0).all() and (state.threat < 1).all()
    np.testing.assert_array_equal(state.abandonment, abandonment)
    np.testing.assert_array_equal(state.entrapment, entrapment)
    assert threat_matrix.shape == (4, w.n, w.n) and np.isfinite(ratio).all()
    assert (cap >= state.milex).all()  # capability adds assistance and arms to spending
    before = state.threat.copy()
    observe(w, state)
    np.testing.assert_array_equal(state.threat, before)
