"""The escalation ladder: one list of rungs, numbered from calm."""

from __future__ import annotations

from sim.scenario import ladder


def test_levels_are_numbered_from_calm_to_war() -> None:
    assert ladder.LEVEL_NAMES == ("calm", "gray_zone", "standoff", "clash", "crisis", "war")
    assert [ladder.LEVEL_VALUES[n] for n in ladder.LEVEL_NAMES] == list(range(6))
    assert ladder.WAR == 5 and ladder.level_name(3) == "clash"
    assert ladder.ESCALATION_LEVELS[1:] == ladder.OUTCOME_LEVELS
    assert ladder.rung_words(1) == ladder.rung_words("gray_zone") == "gray-zone"
