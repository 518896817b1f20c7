"""Every lever of every shipped scenario, switched on and off: direction and size in range."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.scenario import load_scenario, shipped_scenarios
from sim.scenario.schema import Policy
from sim.studies.effects import KIND_EFFECTS, PolicyEffect, policies_of, policy_effects, without

SCENARIOS = [s for s in shipped_scenarios() if any(True for _ in policies_of(load_scenario(s)))]


def test_every_lever_kind_has_a_documented_effect() -> None:
    union = typing.get_args(Policy)[0]
    kinds = {typing.get_args(m.model_fields["kind"].annotation)[0] for m in typing.get_args(union)}
    assert set(KIND_EFFECTS) == kinds
    doc = (Path(__file__).resolve().parents[2] / "docs" / "model.md").read_text(encoding="utf-8")
    for kind, effect in KIND_EFFECTS.items():
        assert 0 < effect.low < effect.high
        assert f"`{kind}`" in doc, f"{kind}: no row in docs/model.md's lever effects table"


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_policy_moves_its_outcome_the_documented_way_within_range(name: str) -> None:
    scenario = load_scenario(name)
    effects = policy_effects(scenario, replicates=12, seed=7)
    assert len(effects) == sum(1 for _ in policies_of(scenario))
    outside = [
        f"{e.policy} ({e.kind}): {e.effect:+.4f} not in "
        f"[{e.documented.low:g}, {e.documented.high:g}]"
        for e in effects
        if not e.within
    ]
    assert not outside, f"{name}: " + "; ".join(outside)


def test_without_a_policy_leaves_the_rest_of_the_scenario() -> None:
    scenario = load_scenario("hub_and_spoke")
    name = next(iter(scenario.policies))
    lean = without(scenario, name)
    assert name not in lean.policies
    assert set(scenario.policies) - set(lean.policies) == {name}
    assert lean.events == scenario.events and lean.countries == scenario.countries


def test_a_lever_that_does_nothing_is_flagged() -> None:
    idle = PolicyEffect("s", "p", "civil_nuclear", "USA", ("MYS",), effect=0.00005, spread=0.0)
    loud = PolicyEffect("s", "p", "trade_agreement", "USA", ("VNM",), effect=0.9, spread=0.0)
    assert not idle.within and not loud.within


def test_geosim_effects_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "effects"
    result = CliRunner().invoke(
        main, ["effects", "us_retrenchment", "-n", "4", "--horizon", "24", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = (out / "effects.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + sum(1 for _ in policies_of(load_scenario("us_retrenchment")))
    assert "| policy | kind |" in (out / "effects.md").read_text(encoding="utf-8")
