"""§2 Threat perception (sim/core/dynamics/threat.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

from conftest import world

from sim.core.dynamics.alliances import alliance_ties
from sim.core.dynamics.levers import active_levers, capability
from sim.core.dynamics.step import initial_state
from sim.core.dynamics.threat import threat_perception
from sim.core.rng import replicate_keys


def _threat(w, state):
    levers = active_levers(w, state)
    ties = alliance_ties(w, state).credible
    return threat_perception(w, state, ties, levers, capability(w, state, levers))[1][0]


def test_threat_rises_with_rival_capability_hostile_acts_and_claims():
    w = world()
    phl, chn, vnm, sgp = (w.index(c) for c in ("PHL", "CHN", "VNM", "SGP"))
    base = initial_state(w, replicate_keys(0, [0]))
    before = _threat(w, base)

    stronger = initial_state(w, replicate_keys(0, [0]))
    stronger.milex[0, chn] *= 2
    assert _threat(w, stronger)[phl] > before[phl] + 0.02

    provoked = initial_state(w, replicate_keys(0, [0]))
    provoked.memory[0, phl, chn] = provoked.memory[0, chn, phl] = 3.0
    assert _threat(w, provoked)[phl] > before[phl] + 0.02
    # A claimant facing China feels more threatened than a non-claimant next door.
    assert before[vnm] > before[sgp]


def test_allies_are_not_threats():
    lone = world(alliances={})
    allied = world()
    phl, usa = lone.index("PHL"), lone.index("USA")
    t_lone = threat_matrix(lone)[phl, usa]
    t_allied = threat_matrix(allied)[phl, usa]
    assert t_allied < 0.8 * t_lone


def threat_matrix(w):
    state = initial_state(w, replicate_keys(0, [0]))
    levers = active_levers(w, state)
    ties = alliance_ties(w, state).credible
    return threat_perception(w, state, ties, levers, capability(w, state, levers))[0][0]
