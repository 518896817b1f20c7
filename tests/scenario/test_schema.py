"""The scenario schema: what a valid experiment is, checked field by field and across fields."""

from __future__ import annotations

import json
from typing import get_args

import pytest
from pydantic import ValidationError

from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.problems import LocatedError
from sim.scenario.schema import Level, Scenario


def valid(**fields) -> Scenario:
    return Scenario.model_validate({"name": "x", **fields}, strict=True)


def errors_of(**fields) -> list[dict]:
    with pytest.raises(ValidationError) as info:
        valid(**fields)
    return info.value.errors()


def test_defaults_make_a_ten_year_run_of_the_2023_world() -> None:
    scenario = valid()
    assert (scenario.horizon, scenario.seed, scenario.baseline_year) == (120, 0, 2023)
    assert scenario.alliances == scenario.policies == scenario.events == {}


def test_the_rungs_are_the_ladders() -> None:
    assert get_args(Level) == ESCALATION_LEVELS


@pytest.mark.parametrize(
    "fields",
    [
        {"horizon": 0},
        {"horizon": 1201},
        {"seed": -1},
        {"unknown": 1},
        {"horizon": float("nan")},
        {"countries": {"XXX": {}}},
        {"alliances": {"a": {"type": "bilateral_treaty", "members": ["USA"]}}},
        {"alliances": {"a": {"type": "minilateral", "members": ["USA", "USA"]}}},
        {"alliances": {"a": {"type": "minilateral", "members": ["USA", "JPN"], "hub": "PHL"}}},
        {"alliances": {"a": {"type": "minilateral", "members": ["USA", "JPN"], "start": 5,
                             "end": 5}}},
        {"policies": {"p": {"kind": "exercises", "actor": "USA", "partners": ["USA"],
                            "per_year": 2}}},
        {"policies": {"p": {"kind": "exercises", "actor": "USA", "partners": ["PHL"],
                            "per_year": -2}}},
        {"events": {"e": {"kind": "incident", "actors": ["CHN", "PHL"]}}},
        {"events": {"e": {"kind": "incident", "step": 1, "when": "step > 1",
                          "actors": ["CHN", "PHL"]}}},
        {"events": {"e": {"kind": "incident", "when": "tension(CHN) > 1",
                          "actors": ["CHN", "PHL"]}}},
    ],
)  # fmt: skip
def test_invalid_fields_are_refused(fields: dict) -> None:
    assert errors_of(**fields)


def test_cross_field_errors_know_their_field_path() -> None:
    errors = errors_of(horizon=12, events={"e": {"kind": "incident", "step": 13,
                                                  "actors": ["CHN", "PHL"]}})  # fmt: skip
    cause = errors[0]["ctx"]["error"]
    assert isinstance(cause, LocatedError) and cause.loc == ("events", "e", "step")
    errors = errors_of(
        events={"e": {"kind": "set_commitment", "step": 1, "alliance": "quadd", "value": 0.5}},
        alliances={"quad": {"type": "minilateral", "members": ["USA", "JPN"]}},
    )
    assert "did you mean 'quad'" in str(errors[0]["ctx"]["error"])


def test_the_json_schema_describes_every_top_level_key() -> None:
    schema = Scenario.model_json_schema()
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert schema["required"] == ["name"]
    json.dumps(schema)
