"""One style: every alliance type has a line, every country a place on the map."""

from __future__ import annotations

from typing import get_args

from sim.outputs.style import ARMS_ACTORS, MAP_POSITIONS, PALETTE, TIE_STYLES, drawn_pairs
from sim.scenario.baseline import country_codes
from sim.scenario.schema import AllianceType


def test_every_alliance_type_and_country_is_drawn() -> None:
    assert set(TIE_STYLES) == set(get_args(AllianceType))
    assert set(MAP_POSITIONS) == set(country_codes())
    assert set(ARMS_ACTORS) <= set(country_codes())
    assert len(set(PALETTE)) == len(PALETTE) == 8


def test_pacts_tie_every_pair_and_other_alliances_run_through_the_hub() -> None:
    members = ["USA", "JPN", "PHL"]
    assert drawn_pairs("collective_defence", members, "USA") == [
        ("USA", "JPN"),
        ("USA", "PHL"),
        ("JPN", "PHL"),
    ]
    assert drawn_pairs("bilateral_treaty", members, "USA") == [("USA", "JPN"), ("USA", "PHL")]
    assert drawn_pairs("task_force", ["JPN", "PHL"], "USA") == []  # a hub that has left
