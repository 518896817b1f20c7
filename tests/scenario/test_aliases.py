"""Another name of a state gets that state's code as its hint, wherever a code is taken.

Spelling distance alone points ``ROK`` and ``PRC`` at North Korea (PRK); the hint must name the
state the user meant, and never accept the alias in the code's place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_files import BASE, error_of, only, write

from sim.game.rooms import SeatError, parse_seats
from sim.scenario.aliases import ALIASES, alias_hint, alias_of
from sim.scenario.baseline import country_codes
from sim.scenario.citations import check_citation
from sim.scenario.conditions import ConditionError, parse_condition
from sim.scenario.moves import Board, move_problems
from sim.scenario.schema import Scenario

#: What a user writes, and the code the hint must name (or what it must say).
MEANT = [
    ("ROK", "South Korea is KOR"),
    ("DPRK", "North Korea is PRK"),
    ("PRC", "China is CHN"),
    ("ROC", "Taiwan is TWN"),
    ("TPE", "Taiwan is TWN"),
    ("US", "the United States is USA"),
    ("U.S.", "the United States is USA"),
    ("South Korea", "South Korea is KOR"),
    ("North Korea", "North Korea is PRK"),
    ("Taiwan", "Taiwan is TWN"),
    ("China", "China is CHN"),
    ("Japan", "Japan is JPN"),
    ("Vietnam", "Vietnam is VNM"),
    ("Viet Nam", "Vietnam is VNM"),
    ("VIE", "Vietnam is VNM"),
    ("the Philippines", "the Philippines is PHL"),
    ("Burma", "Myanmar is MMR"),
    ("Myanmar", "Myanmar is MMR"),
    ("Laos", "Laos is LAO"),
    ("Lao PDR", "Laos is LAO"),
    ("Korea, Republic of", "South Korea is KOR"),
    ("Korea", "South Korea is KOR, North Korea is PRK"),
    ("UK", "the United Kingdom is not a state of this model"),
    ("GBR", "the United Kingdom is not a state of this model"),
    ("kor", "codes are written in capitals: KOR"),
]


@pytest.mark.parametrize(("text", "hint"), MEANT)
def test_another_name_of_a_state_is_answered_with_its_code(text: str, hint: str) -> None:
    assert hint in (alias_hint(text) or "")


def test_every_alias_names_a_state_of_the_model_and_no_alias_is_a_code() -> None:
    codes = set(country_codes())
    assert set(ALIASES) == codes
    for code, names in ALIASES.items():
        assert all(alias_of(name) == code for name in names), code
        assert not codes & set(names), code
    assert alias_hint("XYZ") is None and alias_of("Korea") is None and alias_of("UK") is None


def test_a_scenario_names_the_state_meant_and_does_not_accept_the_alias(tmp_path: Path) -> None:
    path = write(tmp_path, "rok.yaml", BASE.replace("partners: [VNM]", "partners: [ROK]"))
    problem = only(error_of(path))
    assert problem.path == "policies.us_vnm.partners[0]"
    assert problem.message == "unknown country code 'ROK'"
    assert (problem.hint or "").startswith("ROK is not a code here; South Korea is KOR")
    assert "PRK?" not in (problem.hint or "")


@pytest.mark.parametrize(("text", "code"), [("PRC", "CHN"), ("ROC", "TWN"), ("DPRK", "PRK")])
def test_an_override_and_a_condition_name_the_state_meant(text: str, code: str) -> None:
    problem = only(error_of("hub_and_spoke", (f"countries.{text}.alignment=0.5",)))
    assert f"is {code}" in (problem.hint or "")
    with pytest.raises(ConditionError) as caught:
        parse_condition(f"tension(USA, {text}) > 0.5")
    assert f"is {code}" in str(caught.value) and "did you mean" not in str(caught.value)


def test_a_move_of_a_game_or_a_deck_names_the_state_meant() -> None:
    definition = Scenario.model_validate({"name": "moves", "horizon": 12})
    board = Board.for_deck(definition, 0)
    _, problems = move_problems({"kind": "exercises", "actor": "USA", "partners": ["ROK"]}, board)
    assert problems[0].message == "unknown country 'ROK'"
    assert (problems[0].hint or "").startswith("ROK is not a code here; South Korea is KOR")


def test_seats_and_citation_scopes_name_the_state_meant() -> None:
    with pytest.raises(SeatError) as caught:
        parse_seats("Blue=USA,ROK")
    assert "South Korea is KOR" in str(caught.value)
    assert any("China is CHN" in p for p in check_citation("PRC: SIPRI Milex 2025"))
