"""§6 Tension (sim/core/dynamics/tension.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import control, paired_effect, run, world

from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.step import initial_state
from sim.core.dynamics.tension import resting_tension, tension_dynamics
from sim.core.rng import replicate_keys


def test_tension_stays_in_bounds_and_regional_index_too(status_quo):
    assert (status_quo.tension >= 0).all() and (status_quo.tension <= 1).all()
    rt = status_quo.model["regional_tension"]
    assert (rt >= 0).all() and (rt <= 1).all()


def test_incidents_raise_tension():
    forced = {
        "standoff": {"kind": "incident", "actors": ["THA", "KHM"], "level": "crisis", "step": 1}
    }
    treated, untreated = run(30, events=forced), control()
    d = np.nonzero(
        (untreated.world.dyad_i == untreated.world.index("THA"))
        & (untreated.world.dyad_j == untreated.world.index("KHM"))
    )[0][0]
    effect, t = paired_effect(treated.tension[4, :, d], untreated.tension[4, :, d])
    assert effect > 0.05 and t > 4


def test_ceasefire_lowers_dyad_tension():
    accord = {
        "kind": "ceasefire",
        "actor": "THA",
        "partners": ["KHM"],
        "strength": 0.9,
        "start": 1,
    }
    treated, untreated = run(30, policies={"accord": accord}), control()
    w = untreated.world
    d = np.nonzero((w.dyad_i == w.index("THA")) & (w.dyad_j == w.index("KHM")))[0][0]
    effect, t = paired_effect(treated.tension[-1, :, d], untreated.tension[-1, :, d])
    assert effect < -0.1 and t < -4


def test_arms_racing_raises_tension_between_rivals():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    state.level[:] = 0  # no incidents: tension at its resting point stays there
    state.tension = resting_tension(w, state.alignment)
    levers = active_levers(w, state)
    channels = np.zeros((1, w.n, w.n))
    calm = state.tension.copy()
    tension_dynamics(w, state, levers, channels, np.zeros((1, w.n)))
    np.testing.assert_allclose(state.tension, calm, atol=1e-12)  # at rest
    growth = np.zeros((1, w.n))
    growth[0, [w.index("CHN"), w.index("JPN")]] = 0.2
    tension_dynamics(w, state, levers, channels, growth)
    chn, jpn, sgp = w.index("CHN"), w.index("JPN"), w.index("SGP")
    assert state.tension[0, chn, jpn] > calm[0, chn, jpn] + 0.01
    assert state.tension[0, chn, sgp] == pytest.approx(calm[0, chn, sgp])
