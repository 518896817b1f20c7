"""Moves played into a run (sim/core/dynamics/played.py): the ``moves:`` block in array form.

A move acts from the start of its month on every replicate, a lever for its months and then
not at all, and the Mesa model's live moves (a game's) give, month for month and bit for bit,
what the same moves written under ``moves:`` give in the engine.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import scenario, world

from sim.core import records
from sim.core.compile import NeedsCompilingError, compile_move, compile_world
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.played import play_moves
from sim.core.dynamics.step import advance, initial_state
from sim.core.engine import simulate
from sim.core.model import IndoPacificModel
from sim.core.rng import replicate_keys
from sim.core.world import LEVER_INDEX
from sim.scenario.loader import load_scenario
from sim.scenario.schema import PlayedMove


def _state(w, replicates: int = 3):
    return initial_state(w, replicate_keys(w.seed, range(replicates)), log=True)


def _to_month(w, state, month: int) -> None:
    while state.step < month:
        advance(w, state)


def test_a_lever_acts_from_its_month_for_its_months_and_then_not_at_all():
    move = {"month": 4, "kind": "gray_zone_coercion", "actor": "CHN", "partners": ["PHL"],
            "value": 0.4, "months": 3}  # fmt: skip
    w = world(horizon=12, moves=[move])
    state = _state(w)
    china, philippines = w.index("CHN"), w.index("PHL")
    seen = []
    for _ in range(10):
        advance(w, state)
        levers = active_levers(w, state)
        seen.append(float(levers[0, LEVER_INDEX["coercion"], china, philippines]))
    # in force during months 4, 5 and 6 (read after each month is advanced: steps 5–7)
    assert seen == [0.0] * 4 + [0.4] * 3 + [0.0] * 3
    assert not state.played.any()  # taken back off exactly, no rounding left behind
    started = [r for r in state.log if r.type == "inject:policy"]
    assert [(r.step, r.event, r.duration) for r in started] == [(5, "moves[0]", 3)] * 3


def test_money_is_in_the_unit_of_the_policy_of_the_same_kind():
    aid = {"month": 0, "kind": "security_assistance", "actor": "JPN", "partners": ["PHL", "VNM"],
           "value": 250}  # fmt: skip
    w = world(horizon=6, moves=[aid])
    state = _state(w, 1)
    advance(w, state)
    cell = active_levers(w, state)[0, LEVER_INDEX["assistance"], w.index("JPN")]
    assert cell[w.index("PHL")] == cell[w.index("VNM")] == 0.25  # US$ bn a year
    assert w.moves[0].end > w.horizon  # no months: to the end of the run


@pytest.mark.parametrize(
    ("move", "check"),
    [
        (
            {"kind": "incident", "actor": "CHN", "partners": ["PHL"], "level": "clash"},
            lambda w, s: s.level[:, w.index("CHN"), w.index("PHL")].min() >= 3,
        ),
        (
            {"kind": "tension_shock", "actor": "LAO", "partners": ["BRN"], "value": 0.3},
            lambda w, s: (s.tension[:, w.index("LAO"), w.index("BRN")] >= 0.3).all(),
        ),
        (
            {"kind": "set_commitment", "alliance": "us_phl", "value": 0.2},
            lambda w, s: (s.commitment[:, w.alliance_names.index("us_phl")] == 0.2).all(),
        ),
        (
            {"kind": "join_alliance", "actor": "VNM", "alliance": "us_phl"},
            lambda w, s: s.members[:, w.alliance_names.index("us_phl"), w.index("VNM")].all(),
        ),
        (
            {"kind": "arms_transfer", "actor": "USA", "partners": ["VNM"], "value": 600},
            lambda w, s: (s.transfers[:, w.index("USA"), w.index("VNM")] == 0.6).all(),
        ),
    ],
    ids=["incident", "tension", "commitment", "join", "arms"],
)
def test_a_state_move_is_set_at_the_start_of_its_month_in_every_replicate(move, check):
    w = world(horizon=8, moves=[{"month": 3, **move}])
    state = _state(w)
    _to_month(w, state, 3)
    assert not check(w, state)
    play_moves(w, state, w.moves)
    assert check(w, state)


def test_an_overrule_sets_the_rules_own_posture_back():
    overrule = {"month": 2, "kind": "overrule", "decision": "coercion", "actor": "CHN",
                "partners": ["PHL"], "value": 0.0}  # fmt: skip
    w = world(horizon=6, moves=[overrule])
    state = _state(w, 2)
    _to_month(w, state, 2)
    cell = (LEVER_INDEX["coercion"], w.index("CHN"), w.index("PHL"))
    state.overlay[(slice(None), *cell)] = 0.1  # as if the rule had stepped up its pressure
    state.overlay_version += 1
    play_moves(w, state, w.moves)
    assert (state.overlay[(slice(None), *cell)] == 0.0).all()
    assert [type(r) for r in state.log[-2:]] == [records.Overruled] * 2


def test_a_move_where_no_incident_can_happen_is_refused_in_array_form():
    w = world(horizon=6)  # no dispute between Japan and Australia
    move = PlayedMove(month=1, kind="incident", actor="JPN", partners=["AUS"])
    with pytest.raises(NeedsCompilingError):
        compile_move(w, move, "moves[0]")
    with pytest.raises(ValueError, match="no incident can happen between JPN and AUS"):
        scenario(horizon=6, moves=[move.model_dump(exclude_none=True)])


def test_the_scenarios_incident_pairs_are_the_compiled_worlds():
    definition = load_scenario("taiwan_strait_crisis")
    w = compile_world(definition)
    compiled = {frozenset((w.codes[w.dyad_i[d]], w.codes[w.dyad_j[d]])) for d in w.incident_dyads}
    assert compiled == set(definition.incident_pairs())


def test_every_state_is_a_donor_and_a_trader_and_that_changes_no_number():
    w = compile_world(load_scenario("scs_crisis"))
    few = replace(w, donors=np.array([w.us]), traders=np.zeros(0, dtype=np.int64))
    a, b = simulate(w, 4, log=False), simulate(few, 4, log=False)
    for name in a.model:
        assert a.model[name].tobytes() == b.model[name].tobytes(), name
    assert a.tension.tobytes() == b.tension.tobytes()


LIVE = [
    PlayedMove(month=5, kind="gray_zone_coercion", actor="CHN", partners=["PHL"], value=0.3,
               months=4),
    PlayedMove(month=5, kind="security_assistance", actor="JPN", partners=["PHL", "VNM"],
               value=300),
    PlayedMove(month=6, kind="arms_transfer", actor="CHN", partners=["KHM"], value=800),
    PlayedMove(month=6, kind="tension_shock", actor="USA", partners=["CHN"], value=0.1),
    PlayedMove(month=7, kind="incident", actor="CHN", partners=["PHL"], level="clash"),
    PlayedMove(month=7, kind="set_clarity", alliance="us_taiwan_tra", value=1.0),
]  # fmt: skip


def test_live_moves_in_the_mesa_model_are_the_engines_moves_bit_for_bit():
    definition = load_scenario("taiwan_strait_crisis").model_copy(update={"horizon": 14})
    model = IndoPacificModel(definition)
    for _ in range(5):
        model.step()
    for move in LIVE:
        model.play(move)
    while not model.finished:
        model.step()
    exported = model.played
    assert [m.kind for m in exported.moves] == [m.kind for m in LIVE]
    run = simulate(compile_world(exported), [0], seed=definition.seed)
    rows = model.datacollector.get_model_vars_dataframe()
    for name in rows.columns:
        assert np.asarray(rows[name]).tobytes() == run.model[name][:, 0].tobytes(), name
    w = model.world
    last = model.state.tension[0, w.dyad_i, w.dyad_j]
    assert last.tobytes() == run.tension[-1, 0].tobytes()


def test_a_move_cannot_act_in_a_month_already_played():
    model = IndoPacificModel(load_scenario("scs_crisis").model_copy(update={"horizon": 6}))
    model.step()
    with pytest.raises(ValueError, match="acts from month 1"):
        model.play(PlayedMove(month=0, kind="dialogue", actor="CHN", partners=["PHL"], value=0.5))
    label = model.play(PlayedMove(month=1, kind="dialogue", actor="CHN", partners=["PHL"],
                                  value=0.5))  # fmt: skip
    assert model.unplay(label).kind == "dialogue" and model.moves == []
