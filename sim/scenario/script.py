"""A scenario's script: which of its timed entries are whose decisions.

A scenario's timeline (its policies that start after month 0, and its events) is a script of
decisions the states make. Two things leave a state's part of the script out: a team holding
the state in a game (:mod:`sim.game.play`), and the state's ``fixed`` strategy (``docs/model.md``
§9), which holds its month-0 posture. Both read the same rule here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sim.scenario.moves import lead
from sim.scenario.schema import Scenario


def acting_states(event: Any, definition: Scenario) -> set[str]:
    """The states whose decision a scenario event is.

    A policy's actor, an incident's initiator, a state joining or leaving, and the lead of an
    alliance whose commitment or clarity the event sets.
    """
    kind = event.kind
    if kind == "policy":
        return {event.policy.actor}
    if kind == "incident":
        return {event.actors[0]}
    if kind in ("join_alliance", "leave_alliance"):
        return {event.country}
    if kind in ("set_commitment", "set_clarity") and event.alliance in definition.alliances:
        return {lead(definition.alliances[event.alliance])}
    return set()


def unscripted(definition: Scenario, held: Iterable[str]) -> tuple[Scenario, list[str]]:
    """The scenario without the scripted decisions of the given states.

    Left out: its timed events whose acting state (:func:`acting_states`) is one of them, and
    their policies that start after month 0 (a dated decision; the standing policies of month 0
    are the world as it is found).

    Returns:
        The scenario, and the names of the entries left out.
    """
    held = set(held)
    events = [
        name for name, event in definition.events.items() if acting_states(event, definition) & held
    ]
    policies = [
        name
        for name, policy in definition.policies.items()
        if policy.actor in held and policy.start > 0
    ]
    if not events and not policies:
        return definition, []
    data = definition.model_dump(mode="json", exclude_none=True)
    for name in events:
        del data["events"][name]
    for name in policies:
        del data["policies"][name]
    return Scenario.model_validate(data), events + policies
