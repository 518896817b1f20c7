"""Determinism of the batched engine: replicate r of seed s is the same wherever it runs."""

import numpy as np
import pytest
from conftest import scenario, world

from sim.core.compile import compile_world
from sim.core.dynamics.step import initial_state
from sim.core.engine import final_outcomes, outcomes_from, simulate, trajectory_outcomes
from sim.core.model import IndoPacificModel
from sim.core.rng import replicate_keys
from sim.scenario.loader import load_scenario

EVENTFUL = {
    "policies": {"tf": {"kind": "task_force", "actor": "USA", "partners": ["PHL"], "start": 2}},
    "events": {
        "clash": {"kind": "incident", "actors": ["CHN", "PHL"], "level": "clash", "step": 3},
        "spill": {
            "kind": "incident",
            "actors": ["CHN", "VNM"],
            "level": "standoff",
            "when": "tension(CHN, PHL) > 0.55",
        },
    },
    "horizon": 36,
}
#: The same, with every state deciding (docs/model.md §9).
DECIDING = {**EVENTFUL, "decisions": {"strategy": "expected_utility"}}


def _same(a, b, ra: int, rb: int) -> None:
    np.testing.assert_array_equal(a.tension[:, ra], b.tension[:, rb])
    np.testing.assert_array_equal(a.level[:, ra], b.level[:, rb])
    for name in a.countries:
        np.testing.assert_array_equal(a.countries[name][:, ra], b.countries[name][:, rb])
    for name in a.model:
        np.testing.assert_array_equal(a.model[name][:, ra], b.model[name][:, rb])


@pytest.mark.parametrize("fields", [EVENTFUL, DECIDING], ids=["scripted", "deciding"])
def test_same_seed_same_numbers_different_seed_different_numbers(fields):
    w = world(**fields)
    a, b = simulate(w, 5), simulate(w, 5)
    for r in range(5):
        _same(a, b, r, r)
    assert a.events == b.events
    c = simulate(w, 5, seed=w.seed + 1)
    assert not np.array_equal(a.tension, c.tension)


@pytest.mark.parametrize("fields", [EVENTFUL, DECIDING], ids=["scripted", "deciding"])
def test_replicate_is_identical_alone_among_many_and_in_any_chunking(fields):
    w = world(**fields)
    many = simulate(w, 40)
    alone = simulate(w, [17])
    chunked = simulate(w, 40, chunk_size=7)
    _same(many, alone, 17, 0)
    for r in range(40):
        _same(many, chunked, r, r)
    assert [e for e in many.events if e.replicate == 17] == alone.events
    assert chunked.events == many.events  # each chunk's records name their replicates


@pytest.mark.parametrize("fields", [EVENTFUL, DECIDING], ids=["scripted", "deciding"])
def test_mesa_model_reproduces_the_batched_replicate(fields):
    definition = scenario(**fields)
    batched = simulate(world(**fields), 6)
    model = IndoPacificModel(definition, replicate=4)
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    for name in batched.model:
        np.testing.assert_array_equal(frame[name].to_numpy(), batched.model[name][:, 4])
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    final = agents[agents["Step"] == agents["Step"].max()].set_index("iso3")
    codes = batched.world.codes
    np.testing.assert_array_equal(
        final.loc[list(codes), "alignment"].to_numpy(), batched.countries["alignment"][-1, 4]
    )
    assert model.events == [e for e in batched.events if e.replicate == 4]
    if fields is DECIDING:  # the countries decided in their own steps, as in the engine
        assert any(e.type == "decision" for e in model.events)


def test_run_length_and_month_zero_is_the_initial_state():
    w = world(horizon=12)
    traj = simulate(w, 3)
    assert traj.horizon == 12 and traj.tension.shape[0] == 13
    np.testing.assert_array_equal(traj.countries["milex_usd_bn"][0, 0], w.milex0)
    assert (traj.model["incidents"][0] == 0).all()


def test_final_outcomes_match_the_recorded_run():
    from sim.core.engine import final_outcomes

    w = world(**EVENTFUL)
    full = simulate(w, 5, log=False)
    fast = final_outcomes(w, 5)
    np.testing.assert_array_equal(fast["regional_tension"], full.model["regional_tension"][-1])
    np.testing.assert_array_equal(
        fast["alignment.PHL"], full.countries["alignment"][-1, :, w.index("PHL")]
    )
    np.testing.assert_array_equal(fast["incidents_total"], full.model["incidents"][1:].sum(axis=0))
    np.testing.assert_array_equal(fast["p_clash"], (full.max_level.max(axis=1) >= 3).astype(float))


@pytest.mark.parametrize("name", ["hub_and_spoke", "scs_crisis", "peace_through_strength_2025"])
def test_outcomes_read_from_a_recorded_run_are_the_fast_paths_numbers(name: str) -> None:
    w = compile_world(load_scenario(name))
    fast = final_outcomes(w, 9)
    recorded = trajectory_outcomes(simulate(w, 9, log=False))
    assert fast.keys() == recorded.keys()
    assert fast["incidents_total"].sum() > 0
    for key, values in fast.items():
        np.testing.assert_array_equal(recorded[key], values, err_msg=key)


def test_outcomes_from_month_0_are_final_outcomes():
    w = world(horizon=24)
    state = initial_state(w, replicate_keys(w.seed, range(6)))
    ours, theirs = outcomes_from(w, state), final_outcomes(w, 6)
    assert set(ours) == set(theirs)
    for name in theirs:
        np.testing.assert_array_equal(ours[name], theirs[name])
