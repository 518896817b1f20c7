"""Events (``docs/model.md`` §7, second half): the scenario's timeline and conditional events."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.core import records
from sim.core.dynamics.state import State
from sim.core.world import NEVER, CompiledEvent, World


def fire_events(world: World, state: State, lookup: Any) -> None:
    """Apply the events due this month (scheduled, or whose condition now holds)."""
    t, r = state.step, state.replicates
    scheduled, conditional = world.event_calendar
    for e in sorted((*scheduled.get(t, ()), *conditional)):  # in the scenario's order
        event = world.events[e]
        if event.condition is None:
            mask = np.ones(r, dtype=bool)
        else:
            mask = np.broadcast_to(event.condition.evaluate(lookup), (r,)).copy()
            if event.once:
                mask &= ~state.fired[:, e]
        if not mask.any():
            continue
        state.fired[:, e] |= mask
        _apply_event(world, state, event, mask)
        if state.log is not None:
            for rep in state.replicate_id(np.flatnonzero(mask)):
                state.log.append(event_record(world, event, rep, state.step + 1))


def event_record(world: World, event: CompiledEvent, replicate: int, step: int) -> records.Record:
    """The record of ``event`` firing in one replicate."""
    common = {
        "replicate": replicate,
        "step": step,
        "event": event.name,
        "condition": event.when,
        "source": event.source,
        "note": event.note,
    }
    codes = world.codes
    kind = event.kind
    if kind == "incident":
        pair = (codes[event.dyad[0]], codes[event.dyad[1]])
        return records.IncidentInjected(**common, pair=pair, rung=event.level)
    if kind == "tension_shock":
        pair = (codes[event.dyad[0]], codes[event.dyad[1]])
        return records.TensionShocked(**common, pair=pair, delta=event.value)
    if kind == "policy":
        return records.PolicyStarted(
            **common,
            policy_kind=world.policy_kinds[event.policy],
            actor=codes[world.policy_actor[event.policy]],
            partners=event.partners,
            duration=event.duration,
        )
    alliance = world.alliance_names[event.alliance]
    if kind in ("join_alliance", "leave_alliance"):
        record = records.JoinedAlliance if kind == "join_alliance" else records.LeftAlliance
        return record(**common, alliance=alliance, country=codes[event.country])
    if kind == "set_commitment":
        return records.CommitmentSet(**common, alliance=alliance, value=event.value)
    if kind == "set_clarity":
        return records.ClaritySet(**common, alliance=alliance, value=event.value)
    return records.CredibilityShocked(**common, alliance=alliance, delta=event.value)


def _apply_event(world: World, state: State, event: CompiledEvent, mask: np.ndarray) -> None:
    t = state.step
    i, j = event.dyad
    if event.kind == "incident":
        level = np.maximum(state.level[mask, i, j], event.level)
        state.level[mask, i, j] = state.level[mask, j, i] = level
        d = world.dyad_index(i, j)
        state.max_level[mask, d] = np.maximum(state.max_level[mask, d], level)
        if state.held is not None:  # an injected rung holds through the month it is set
            state.held[mask, d] = True
    elif event.kind == "tension_shock":
        value = np.clip(state.tension[mask, i, j] + event.value, 0.0, 1.0)
        state.tension[mask, i, j] = state.tension[mask, j, i] = value
    elif event.kind in ("join_alliance", "leave_alliance"):
        state.members[mask, event.alliance, event.country] = event.kind == "join_alliance"
        state.membership_version += 1
    elif event.kind == "set_commitment":
        state.commitment[mask, event.alliance] = event.value
    elif event.kind == "set_clarity":
        state.clarity[mask, event.alliance] = event.value
    elif event.kind == "credibility_shock":
        value = state.credibility[mask, event.alliance] + event.value
        state.credibility[mask, event.alliance] = np.clip(value, 0.0, 1.0)
    elif event.kind == "policy":
        end = NEVER if event.duration is None else t + event.duration
        state.policy_start[mask, event.policy] = t
        state.policy_end[mask, event.policy] = end
        alliance = world.policy_alliance[event.policy]
        if alliance >= 0:
            state.alliance_start[mask, alliance] = t
            state.alliance_end[mask, alliance] = end
            state.membership_version += 1
