"""§7 Events (sim/core/dynamics/events.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import run, world

from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.step import advance, initial_state
from sim.core.rng import replicate_keys


def _events(traj, kind):
    return [e for e in traj.events if e.type == kind]


def test_scheduled_incident_fires_at_its_month_in_every_replicate():
    shot = {"kind": "incident", "actors": ["CHN", "PHL"], "level": "clash", "step": 5}
    traj = run(6, log=True, horizon=12, events={"shot": shot})
    fired = _events(traj, "inject:incident")
    assert sorted(e.replicate for e in fired) == list(range(6))
    assert {e.step for e in fired} == {6}  # fires during month 5, recorded as month 6
    assert {e.level for e in fired} == {"clash"}
    w = traj.world
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    assert (traj.max_level[:, d] >= 3).all()


def test_conditional_event_fires_once_per_replicate_when_its_condition_holds():
    cond = {
        "kind": "tension_shock",
        "actors": ["CHN", "JPN"],
        "delta": 0.3,
        "when": "escalation(CHN, PHL) >= standoff",
    }
    traj = run(20, log=True, horizon=60, events={"cond": cond})
    fired = _events(traj, "inject:tension_shock")
    replicates = [e.replicate for e in fired]
    assert len(replicates) == len(set(replicates)) > 0  # once, in some replicates
    position = {int(r): i for i, r in enumerate(traj.replicates)}
    w = traj.world
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    for event in fired:  # the condition held in the month before the event was recorded
        assert traj.level[event.step - 1, position[event.replicate], d] >= 2
    never = set(range(20)) - set(replicates)
    for r in never:
        assert traj.level[:-1, position[r], d].max() < 2


def test_policy_event_puts_a_policy_in_force_for_its_duration():
    channel = {"kind": "deconfliction_channel", "actor": "USA", "partners": ["CHN"], "strength": 1}
    ev = {"kind": "policy", "step": 10, "duration": 5, "policy": channel}
    w = world(horizon=30, events={"ev": ev})
    state = initial_state(w, replicate_keys(0, [0, 1]))
    from sim.core.metrics import lookup

    reader = lookup(w, state)
    for _ in range(30):
        advance(w, state, reader)
    channel_lever = 6
    in_force = []
    for month in range(30):
        state.step = month
        in_force.append(bool(active_levers(w, state)[0, channel_lever].max() > 0))
    assert [m for m, on in enumerate(in_force) if on] == [10, 11, 12, 13, 14]


def test_membership_and_commitment_events_change_the_alliance():
    events = {
        "join": {"kind": "join_alliance", "alliance": "us_phl", "country": "VNM", "step": 2},
        "cut": {"kind": "set_commitment", "alliance": "us_jpn", "value": 0.2, "step": 2},
    }
    w = world(horizon=5, events=events)
    state = initial_state(w, replicate_keys(0, [0]))
    from sim.core.metrics import lookup

    reader = lookup(w, state)
    for _ in range(3):
        advance(w, state, reader)
    k_phl, k_jpn = w.alliance_names.index("us_phl"), w.alliance_names.index("us_jpn")
    assert state.members[0, k_phl, w.index("VNM")]
    assert state.commitment[0, k_jpn] == 0.2


def test_an_injected_rung_holds_through_the_month_it_is_set():
    # The incident an event sets is not stepped down (nor up) in the month it fires: a
    # facilitator who injects a clash sees a clash when the month ends.
    shot = {"kind": "incident", "actors": ["CHN", "IND"], "level": "clash", "step": 5}
    traj = run(200, horizon=7, events={"shot": shot})
    w = traj.world
    d = w.dyad_index(w.index("CHN"), w.index("IND"))
    level = traj.level[:, :, d]  # the end of month t is row t + 1
    assert (level[6] == np.maximum(level[5], 3)).all()  # set at month 5, held through it
    assert (level[7] != level[6]).any()  # the month after, it moves again
