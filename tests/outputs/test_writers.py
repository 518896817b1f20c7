"""Outputs shaped by the contract of results/README.md."""

from conftest import run, scenario

from sim.outputs.writers import config_hash, escalation_outcomes


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
