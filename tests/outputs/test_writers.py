"""Outputs shaped by the contract of results/README.md."""

import numpy as np
from conftest import run, scenario

from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.outputs.writers import config_hash, dyad_table, escalation_outcomes, tension_by_dyad
from sim.scenario import load_scenario


def test_config_hash_changes_with_any_setting():
    assert config_hash(scenario()) == config_hash(scenario())
    assert config_hash(scenario()) != config_hash(scenario(seed=12))
    assert config_hash(scenario()) != config_hash(scenario(parameters={"arms": {"fatigue": 0.3}}))


def test_escalation_outcomes_are_cumulative_shares():
    outcomes = escalation_outcomes(run(10, horizon=24))
    values = list(outcomes.values())
    assert list(outcomes) == ["gray_zone", "standoff", "clash", "crisis", "war"]
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 1 for v in values)


def test_the_dyads_contributions_sum_to_the_regional_tension_and_the_summary_names_the_top():
    trajectory = simulate(compile_world(load_scenario("hub_and_spoke")), 3, seed=5)
    frame = dyad_table(trajectory)
    summed = frame.groupby(["replicate", "step"])["contribution"].sum().to_numpy()
    np.testing.assert_allclose(summed, trajectory.model["regional_tension"].T.reshape(-1))
    top = tension_by_dyad(trajectory)
    assert top[0]["share"] >= top[-1]["share"] and top[0]["pair"] == ["USA", "CHN"]
    assert sum(t["share"] for t in top) <= 1.0 + 1e-9
