"""The escalation ladder: the rungs a dyad's incident climbs, lowest first.

A dyad's level is a whole number: 0 is calm, and level ``n ≥ 1`` is rung ``n`` of
:data:`ESCALATION_LEVELS`. Scenario files, conditions, outputs and the dashboard all name the
rungs from here.
"""

from __future__ import annotations

#: The rungs, lowest first. Level numbers are positions + 1 (0 = calm).
ESCALATION_LEVELS = ("gray_zone", "standoff", "clash", "crisis", "war")

#: Every level's name, 0 (calm) to 5 (war).
LEVEL_NAMES = ("calm", *ESCALATION_LEVELS)

#: Level number of each name, usable as a number in conditions (``escalation(A, B) >= clash``).
LEVEL_VALUES = {name: number for number, name in enumerate(LEVEL_NAMES)}

#: The top rung.
WAR = LEVEL_VALUES["war"]

#: Rungs reported in outcome tables (a gray-zone incident happens in almost every run).
OUTCOME_LEVELS = ESCALATION_LEVELS[1:]


def level_name(level: int) -> str:
    """The name of a level, ``calm`` for 0."""
    return LEVEL_NAMES[level]


def rung_words(level: int | str) -> str:
    """A level in plain words, such as ``gray-zone`` or ``standoff``."""
    name = level if isinstance(level, str) else level_name(level)
    return name.replace("_", "-")
