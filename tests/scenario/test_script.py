"""A scenario's script (sim/scenario/script.py): whose decisions its timed entries are."""

from __future__ import annotations

from sim.scenario import load_scenario
from sim.scenario.script import acting_states, unscripted


def test_each_kind_of_event_acts_for_its_deciding_state():
    definition = load_scenario("taiwan_strait_crisis")
    acting = {name: acting_states(e, definition) for name, e in definition.events.items()}
    assert acting, "the scenario has events"
    assert all(len(states) <= 1 for states in acting.values())
    incidents = [n for n, e in definition.events.items() if e.kind == "incident"]
    assert all(acting[n] == {definition.events[n].actors[0]} for n in incidents)


def test_leaving_a_states_script_out_keeps_everyone_elses():
    definition = load_scenario("taiwan_strait_crisis")
    kept, dropped = unscripted(definition, {"CHN"})
    assert dropped and set(dropped) <= set(definition.events) | set(definition.policies)
    for name, event in kept.events.items():
        assert "CHN" not in acting_states(event, kept), name
    assert all(p.actor != "CHN" or p.start == 0 for p in kept.policies.values())
    same, none = unscripted(definition, set())
    assert same is definition and none == []
