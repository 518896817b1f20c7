"""Moves played into a run (``docs/scenarios.md``, ``moves``): applied to the running state.

A game's accepted moves (a team's, the facilitator's, a deck card's, an overrule of a
computer player's move) act on the running state in array form, as the states' own decisions
do (``docs/model.md`` §9), without recompiling the scenario or replaying the months played:
:func:`play_moves` applies the moves that start or end at the start of a month. A lever is
added for its months on top of the scripted levers (``State.played``, summed afresh from the
moves in force whenever one starts or ends, so that taking one back off leaves no rounding
behind); an incident, a shock, a commitment, a clarity or a membership is set as a scenario
event sets it (:mod:`sim.core.dynamics.events`); arms are delivered into the recipients'
inventories; an overrule sets a decision variable of the rule back.

Both drivers call it at the same point of the month (:func:`sim.core.dynamics.step.open_month`):
the engine for the moves of the compiled scenario (``World.moves``), the Mesa model for those
and a game's live moves, so that a game exported with its moves under ``moves:`` runs the same
numbers in ``geosim run``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.core import records
from sim.core.dynamics.state import State
from sim.core.world import CompiledMove, World


def play_moves(world: World, state: State, moves: Sequence[CompiledMove]) -> None:
    """Apply, in place and in the given order, the moves that start or end this month.

    Args:
        world: The compiled scenario.
        state: The running state (every replicate takes the moves).
        moves: Every move of the run, in the order they were played (those of other months
            are skipped; a lever's sum reads all those in force).
    """
    t = state.step
    levers_changed = False
    for move in moves:
        if move.lever >= 0 and move.kind != "overrule" and t in (move.month, move.end):
            levers_changed = True
        if move.month != t:
            continue
        _start(world, state, move)
        if state.log is not None:
            for rep in state.replicate_id(np.arange(state.replicates)):
                state.log.append(move_record(world, move, rep, t + 1))
    if levers_changed:
        state.played = played_levers(world, state, moves)
        state.played_version += 1


def played_levers(world: World, state: State, moves: Sequence[CompiledMove]) -> np.ndarray:
    """The levers of the moves in force this month, summed in the order played, ``(R, L, N, N)``."""
    t = state.step
    total = np.zeros((state.replicates, *world.levers.shape[1:]))
    for move in moves:
        if move.lever >= 0 and move.kind != "overrule" and move.month <= t < move.end:
            total[:, move.lever, move.actor, list(move.partners)] += move.value
    return total


def _start(world: World, state: State, move: CompiledMove) -> None:
    """What a move does at its first month (a lever's part is summed by :func:`played_levers`)."""
    kind, a = move.kind, move.actor
    if kind == "incident":
        (b,) = move.partners
        level = np.maximum(state.level[:, a, b], move.level)
        state.level[:, a, b] = state.level[:, b, a] = level
        d = world.dyad_index(a, b)
        state.max_level[:, d] = np.maximum(state.max_level[:, d], level)
        if state.held is not None:  # an injected rung holds through the month it is set
            state.held[:, d] = True
    elif kind == "tension_shock":
        (b,) = move.partners
        value = np.clip(state.tension[:, a, b] + move.value, 0.0, 1.0)
        state.tension[:, a, b] = state.tension[:, b, a] = value
    elif kind in ("join_alliance", "leave_alliance"):
        state.members[:, move.alliance, a] = kind == "join_alliance"
        state.membership_version += 1
    elif kind == "set_commitment":
        state.commitment[:, move.alliance] = move.value
    elif kind == "set_clarity":
        state.clarity[:, move.alliance] = move.value
    elif kind == "credibility_shock":
        value = state.credibility[:, move.alliance] + move.value
        state.credibility[:, move.alliance] = np.clip(value, 0.0, 1.0)
    elif kind == "arms_transfer":
        state.transfers[:, a, list(move.partners)] += move.value
    elif kind == "overrule":
        _overrule(state, move)


def _overrule(state: State, move: CompiledMove) -> None:
    """Set a decision variable of the rule back (the facilitator overrules a computer's move)."""
    a, variable = move.actor, move.variable
    if move.lever >= 0:
        (b,) = move.partners
        state.overlay[:, move.lever, a, b] = move.value
        state.overlay_version += 1
        state.overlay_anywhere = True  # a YAML's overrule may name a lever off the menu
    elif variable == "arms":
        state.posture[:, a] = move.value
    elif variable == "lean":
        state.lean[:, a] = move.value
    elif variable == "clarity":
        state.clarity[:, move.alliance] = move.value
    elif variable == "stance":
        (b,) = move.partners
        state.stance[:, a, b] = round(move.value)


def move_record(world: World, move: CompiledMove, replicate: int, step: int) -> records.Record:
    """The record of a move played in one replicate (recorded at ``step``, as events are)."""
    codes = world.codes
    common = {
        "replicate": replicate,
        "step": step,
        "event": move.label,
        "source": move.source,
        "note": move.note,
    }
    partners = tuple(codes[p] for p in move.partners)
    actor = codes[move.actor] if move.actor >= 0 else ""
    alliance = world.alliance_names[move.alliance] if move.alliance >= 0 else ""
    kind = move.kind
    if kind == "incident":
        return records.IncidentInjected(**common, pair=(actor, *partners), rung=move.level)
    if kind == "tension_shock":
        return records.TensionShocked(**common, pair=(actor, *partners), delta=move.value)
    if kind in ("join_alliance", "leave_alliance"):
        record = records.JoinedAlliance if kind == "join_alliance" else records.LeftAlliance
        return record(**common, alliance=alliance, country=actor)
    if kind == "set_commitment":
        return records.CommitmentSet(**common, alliance=alliance, value=move.value)
    if kind == "set_clarity":
        return records.ClaritySet(**common, alliance=alliance, value=move.value)
    if kind == "credibility_shock":
        return records.CredibilityShocked(**common, alliance=alliance, delta=move.value)
    if kind == "overrule":
        target = alliance if move.variable == "clarity" else (partners[0] if partners else "")
        return records.Overruled(
            **common, decider=actor, target=target, kind=move.variable, value=move.value
        )
    return records.PolicyStarted(
        **common, policy_kind=kind, actor=actor, partners=partners, duration=move.duration
    )
