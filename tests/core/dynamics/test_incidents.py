"""§5 Incidents and escalation (sim/core/dynamics/incidents.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import control, paired_effect, run, world

from sim.core.dynamics.alliances import alliance_ties
from sim.core.dynamics.incidents import effective_channels, incidents_and_escalation
from sim.core.dynamics.levers import active_levers, capability
from sim.core.dynamics.step import initial_state
from sim.core.engine import simulate
from sim.core.rng import replicate_keys


def _one_step_rates(w, tension: float, replicates: int = 4000):
    state = initial_state(w, replicate_keys(3, range(replicates)))
    state.tension[:] = np.where(w.dispute > 0, tension, state.tension)
    levers = active_levers(w, state)
    ties, promise, _ = alliance_ties(w, state)
    cap = capability(w, state, levers)
    channels = effective_channels(w, state, levers, ties)
    new, _, _ = incidents_and_escalation(w, state, levers, ties, promise, cap, channels)
    return new.mean(axis=0)


def test_incident_hazard_rises_with_tension_and_needs_a_dispute():
    w = world()
    calm, tense = _one_step_rates(w, 0.1), _one_step_rates(w, 0.9)
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    # Expected monthly probability 1 − exp(−λ); 4,000 draws give a standard error below 0.01.
    p = w.params.incidents
    for tau, rate in ((0.1, calm[d]), (0.9, tense[d])):
        expected = 1 - np.exp(-p.base_hazard * (1 + p.tension_hazard * tau))
        assert abs(rate - expected) < 0.03
    no_dispute = w.dispute[w.dyad_i, w.dyad_j] == 0
    assert (calm[no_dispute] == 0).all()


def _dyad(w, a: str, b: str) -> int:
    return w.dyad_index(w.index(a), w.index(b))


def test_incidents_are_computed_only_where_one_can_happen_and_stay_calm_elsewhere():
    # Australia and Japan have no dispute; a coercion campaign or an injected incident makes
    # the dyad one where incidents can start or climb, and nothing else does.
    coercion = {"kind": "gray_zone_coercion", "actor": "CHN", "partners": ["AUS"], "intensity": 1}
    shot = {"kind": "incident", "actors": ["AUS", "JPN"], "level": "standoff", "step": 0}
    plain, coerced, shot_at = world(), world(policies={"c": coercion}), world(events={"s": shot})
    disputed = set(np.flatnonzero(plain.dispute[plain.dyad_i, plain.dyad_j] > 0))
    assert set(plain.incident_dyads) == disputed
    assert set(coerced.incident_dyads) == disputed | {_dyad(coerced, "CHN", "AUS")}
    assert set(shot_at.incident_dyads) == disputed | {_dyad(shot_at, "AUS", "JPN")}

    # Coercion alone starts incidents between undisputed states.
    traj = simulate(coerced, 20, log=False)
    assert traj.max_level[:, _dyad(coerced, "CHN", "AUS")].max() >= 1
    # An injected incident then moves on the ladder like any other: it does not freeze.
    traj = simulate(shot_at, 20, log=False)
    levels = traj.level[:, :, _dyad(shot_at, "AUS", "JPN")]
    assert np.isin(levels[1], [1, 2, 3]).all()  # injected at standoff, then one step
    assert (levels[1:] != 2).any(axis=0).all()
    # Everywhere else nothing ever happens.
    others = np.setdiff1d(np.arange(len(plain.dyad_i)), shot_at.incident_dyads)
    assert (traj.level[:, :, others] == 0).all()


def _escalation_steps(traj, codes=None):
    """Count step-ups per replicate (from event logs)."""
    counts = np.zeros(len(traj.replicates))
    position = {int(r): i for i, r in enumerate(traj.replicates)}
    for event in traj.events:
        if event.type == "escalation" and (codes is None or codes & set(event.actors)):
            counts[position[event.replicate]] += 1
    return counts


def test_deconfliction_channels_lower_escalation():
    channel = {
        "kind": "deconfliction_channel",
        "actor": "USA",
        "partners": ["CHN"],
        "strength": 1.0,
    }
    treated = run(60, log=True, policies={"channel": channel})
    untreated = control(60, log=True)
    effect, t = paired_effect(
        _escalation_steps(treated, {"CHN"}), _escalation_steps(untreated, {"CHN"})
    )
    assert effect < -2 and t < -4


def test_collective_defence_deters_escalation_against_members():
    pact = {
        "type": "collective_defence",
        "members": ["USA", "JPN", "KOR", "AUS", "PHL"],
        "commitment": 0.9,
        "credibility": 0.9,
    }
    treated = run(60, log=True, alliances={"pact": pact})
    untreated = control(60, log=True)
    members = {"JPN", "PHL"}
    effect, t = paired_effect(
        _escalation_steps(treated, members), _escalation_steps(untreated, members)
    )
    assert effect < -1 and t < -4


def test_escalation_levels_stay_on_the_ladder(status_quo):
    assert status_quo.level.min() >= 0 and status_quo.level.max() <= 5
    np.testing.assert_array_equal(status_quo.max_level, status_quo.level.max(axis=0))
