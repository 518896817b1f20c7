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


# --------------------------------------------------------------------------------------------
# moves: moves played into the run


def test_a_move_in_array_form_takes_the_fields_of_its_kind() -> None:
    scenario = valid(
        alliances={"quad": {"type": "minilateral", "members": ["USA", "JPN", "AUS", "IND"]}},
        moves=[
            {"month": 3, "kind": "exercises", "actor": "USA", "partners": ["PHL"], "value": 6.0,
             "months": 12},
            {"month": 4, "kind": "incident", "actor": "CHN", "partners": ["PHL"],
             "level": "clash"},
            {"month": 5, "kind": "join_alliance", "actor": "VNM", "alliance": "quad"},
            {"month": 6, "kind": "overrule", "decision": "arms", "actor": "JPN", "value": 1.1},
        ],
    )  # fmt: skip
    assert [m.kind for m in scenario.moves] == ["exercises", "incident", "join_alliance",
                                                 "overrule"]  # fmt: skip
    assert scenario.moves[0].months == 12 and scenario.moves[2].value is None


@pytest.mark.parametrize(
    ("move", "words"),
    [
        ({"kind": "exercises", "actor": "USA", "value": 4}, "needs 'partners'"),
        ({"kind": "exercises", "actor": "USA", "partners": ["PHL"]}, "needs 'value'"),
        ({"kind": "gray_zone_coercion", "actor": "CHN", "partners": ["PHL"], "value": 1.5},
         "from 0 to 1, not 1.5"),
        ({"kind": "incident", "actor": "CHN", "partners": ["PHL", "VNM"]}, "exactly one partner"),
        ({"kind": "tension_shock", "actor": "CHN", "partners": ["PHL"], "value": 0.1,
          "months": 3}, "takes no 'months'"),
        ({"kind": "set_commitment", "value": 0.3}, "needs 'alliance'"),
        ({"kind": "overrule", "actor": "CHN", "partners": ["PHL"], "value": 0},
         "needs 'decision'"),
        ({"kind": "exercises", "actor": "USA", "partners": ["USA"], "value": 2},
         "cannot also be one of its partners"),
    ],
)  # fmt: skip
def test_a_move_missing_or_misusing_a_field_is_refused(move: dict, words: str) -> None:
    errors = errors_of(moves=[{"month": 1, **move}])
    assert words in str(errors[0]["msg"]), errors[0]["msg"]


def test_a_moves_cross_field_errors_know_their_field_path() -> None:
    errors = errors_of(horizon=12, moves=[{"month": 13, "kind": "dialogue", "actor": "CHN",
                                            "partners": ["PHL"], "value": 0.5}])  # fmt: skip
    assert errors[0]["ctx"]["error"].loc == ("moves", 0, "month")
    errors = errors_of(moves=[{"month": 1, "kind": "incident", "actor": "JPN",
                               "partners": ["AUS"]}])  # fmt: skip
    cause = errors[0]["ctx"]["error"]
    assert cause.loc == ("moves", 0, "partners") and "no incident can happen" in str(cause)
    errors = errors_of(moves=[{"month": 1, "kind": "set_clarity", "alliance": "tra",
                               "value": 1.0}])  # fmt: skip
    assert "no alliance named 'tra'" in str(errors[0]["ctx"]["error"])
