"""The move menu in array form (sim/core/dynamics/menu.py): who may move which lever."""

from __future__ import annotations

import numpy as np
from conftest import world

from sim.core.compile import compile_world
from sim.core.dynamics.menu import KINDS, MOVE_NAMES, MOVES, STEPS, incident_positions
from sim.core.world import LEVER_INDEX
from sim.scenario.loader import load_scenario

DECIDING = {"decisions": {"strategy": "expected_utility"}}


def _keys(w) -> set[str]:
    return {w.menu.key(v, w.codes, w.alliance_labels) for v in range(w.menu.size)}


def test_every_kind_has_two_named_moves_and_a_step_inside_its_bounds():
    assert set(MOVES) == set(KINDS) == set(STEPS)
    assert len(MOVE_NAMES) == 1 + 2 * len(KINDS) == len(set(MOVE_NAMES))
    for kind, (step, low, high) in STEPS.items():
        assert 0 < step <= high - low, kind


def test_only_deciding_states_have_levers_and_never_a_forbidden_kind():
    w = world(
        decisions={
            "strategy": "expected_utility",
            "countries": {
                "CHN": {"forbid": ["coercion", "stance"]},
                "USA": {"strategy": "scripted"},
            },
        }
    )
    menu = w.menu
    assert menu.size and not (menu.actor == w.us).any()
    chinese = {KINDS[k] for k in menu.kind[menu.actor == w.china]}
    assert chinese and not chinese & {"coercion", "stance"}
    assert world().menu.size == 0  # everyone scripted: nobody decides


def test_a_scripted_departure_is_a_commitment_the_rule_does_not_revise():
    # A US presence in the Philippines that the world held at rest lacks (it starts after
    # month 0) is the scenario's premise: the US may not move that lever, and may the others.
    presence = {
        "kind": "forward_presence", "actor": "USA", "partners": ["PHL"], "level": 0.5, "start": 2
    }  # fmt: skip
    drills = {"kind": "exercises", "actor": "USA", "partners": ["JPN"], "per_year": 12, "start": 1}
    w = world(**DECIDING, policies={"presence": presence, "drills": drills})
    keys = _keys(w)
    assert "USA presence PHL" not in keys and "USA exercises JPN" not in keys
    assert "USA arms" in keys
    targeted = world(**DECIDING, countries={"JPN": {"burden_target_pct": 2.5}})
    assert "JPN arms" not in _keys(targeted) and "KOR arms" in _keys(targeted)


def test_the_menu_reads_structure_never_numbers():
    # Samples of a sweep that differ in numbers share one menu (they can be stacked).
    a = compile_world(load_scenario("hub_and_spoke"))
    data = load_scenario("hub_and_spoke").model_dump(mode="json", exclude_none=True)
    data["countries"] = {"IDN": {"alignment": 0.6}, "PHL": {"gdp_usd_bn": 900.0}}
    data["parameters"] = {"decisions": {"attention": 0.3, "dormancy": 0.7}}
    from sim.scenario.schema import Scenario

    b = compile_world(Scenario.model_validate(data))
    for field in ("actor", "kind", "target", "lever", "dyad", "step", "low", "high"):
        assert np.array_equal(getattr(a.menu, field), getattr(b.menu, field)), field


def test_levers_move_their_lever_and_dyad_moves_sit_on_an_incident_dyad():
    w = compile_world(load_scenario("hub_and_spoke"))
    menu = w.menu
    for v in range(menu.size):
        kind = KINDS[menu.kind[v]]
        if kind in ("coercion", "channel", "stance"):
            _, found = incident_positions(w.incident_dyads, menu.dyad[v : v + 1])
            assert found.all(), menu.key(v, w.codes, w.alliance_labels)
        if kind == "coercion":
            assert menu.lever[v] == LEVER_INDEX["coercion"]
        if kind in ("arms", "lean", "clarity", "stance"):
            assert menu.lever[v] == -1


def test_incident_positions_find_what_is_there_and_nothing_else():
    incident = np.array([2, 5, 9])
    at, found = incident_positions(incident, np.array([5, 9, 3, -1]))
    assert found.tolist() == [True, True, False, False] and at[:2].tolist() == [1, 2]
    assert not incident_positions(np.zeros(0, dtype=np.int64), np.array([1]))[1].any()


def test_the_scenario_language_names_the_same_kinds_of_move_as_the_menu():
    from typing import get_args

    from sim.scenario.schema import MoveKindName

    assert get_args(MoveKindName) == KINDS
