"""A month of the model, in its order (sim/core/dynamics/step.py)."""

from __future__ import annotations

import numpy as np
from conftest import world

from sim.core import metrics
from sim.core.dynamics.step import advance, initial_state, observe
from sim.core.rng import replicate_keys


def test_the_initial_state_is_the_worlds_data_with_threat_perceived():
    w = world()
    state = initial_state(w, replicate_keys(2, range(3)))
    assert state.step == 0 and state.replicates == 3
    np.testing.assert_array_equal(state.milex, np.broadcast_to(w.milex0, (3, w.n)))
    assert state.log is None
    # Levels are drawn from the stationary incident process, on incident dyads only.
    level = state.level[:, w.dyad_i, w.dyad_j]
    others = np.setdiff1d(np.arange(len(w.dyad_i)), w.incident_dyads)
    assert (level[:, others] == 0).all() and level.max() <= 5 and level.any()
    np.testing.assert_array_equal(state.max_level, level)
    assert ((state.threat > 0) & (state.threat < 1)).all()
    threat = state.threat.copy()
    observe(w, state)
    np.testing.assert_array_equal(state.threat, threat)  # observing changes nothing


def test_an_event_due_at_month_t_acts_within_that_month_and_is_recorded_at_t_plus_1():
    shock = {"kind": "tension_shock", "step": 2, "actors": ["AUS", "JPN"], "delta": 0.5}
    w = world(events={"shock": shock})
    state = initial_state(w, replicate_keys(2, range(2)), log=True)
    reader = metrics.lookup(w, state)
    aus, jpn = w.index("AUS"), w.index("JPN")
    for _ in range(2):
        advance(w, state, reader)
    before = state.tension[:, aus, jpn].copy()
    advance(w, state, reader)
    assert state.step == 3
    assert (state.tension[:, aus, jpn] > before + 0.4).all()
    assert [(e.type, e.step) for e in state.log if e.type.startswith("inject")] == [
        ("inject:tension_shock", 3),
        ("inject:tension_shock", 3),
    ]


def test_advancing_replicates_together_or_one_by_one_gives_the_same_state():
    w = world()
    together = initial_state(w, replicate_keys(8, range(4)))
    alone = initial_state(w, replicate_keys(8, [2]))
    for _ in range(24):
        advance(w, together, metrics.lookup(w, together))
        advance(w, alone, metrics.lookup(w, alone))
    for name in ("milex", "alignment", "tension", "level", "credibility"):
        np.testing.assert_array_equal(getattr(together, name)[2], getattr(alone, name)[0])
