"""One month of the model: every mechanism, in the order of ``docs/model.md``.

:func:`advance` is the single implementation of the dynamics: the batched engine
(:mod:`sim.core.engine`) runs it over many replicates at once and the Mesa model
(:mod:`sim.core.model`) over one (``R = 1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.core.dynamics.alignment import alignment_dynamics, alignment_forces
from sim.core.dynamics.alliances import alliance_dynamics
from sim.core.dynamics.arms import arms_dynamics
from sim.core.dynamics.decisions import count_coercion, decide, is_decision_month
from sim.core.dynamics.events import fire_events
from sim.core.dynamics.incidents import (
    effective_channels,
    incident_records,
    incidents_and_escalation,
)
from sim.core.dynamics.levers import active_levers, deliveries
from sim.core.dynamics.perception import observe, perceive
from sim.core.dynamics.played import play_moves
from sim.core.dynamics.state import State, upper_triangle
from sim.core.dynamics.tension import resting_tension, tension_dynamics
from sim.core.dynamics.threat import memory_dynamics
from sim.core.rng import Stream, uniforms
from sim.core.world import NEVER, CompiledMove, World


def initial_levels(world: World, keys: np.ndarray) -> np.ndarray:
    """Month-0 escalation levels, drawn from the stationary distribution of the status quo.

    Each incident dyad's level is drawn from ``World.level_cdf`` (the incident process of the
    world held at rest, :mod:`sim.core.dynamics.anchoring`), so a run starts inside the
    process it will follow rather than at an all-calm month that never occurs.
    """
    r, n = len(keys), world.n
    level = np.zeros((r, n, n), dtype=np.int8)
    if world.level_cdf is None:
        return level
    s = world.incident_dyads
    u = uniforms(keys, 0, Stream.INITIAL, s)  # (R, S)
    cdf = world.level_cdf[..., s, :]  # (S, 6), or (R, S, 6) stacked
    drawn = (u[:, :, None] >= cdf[..., :-1]).sum(axis=2).astype(np.int8)
    i, j = world.dyad_i[s], world.dyad_j[s]
    level[:, i, j] = level[:, j, i] = drawn
    return level


def initial_state(
    world: World, keys: np.ndarray, *, log: bool = False, ids: np.ndarray | None = None
) -> State:
    """The state at month 0 for the replicates with the given keys.

    ``ids`` are the replicates' indices, as their records name them (default: their positions).
    """
    r, n, k = len(keys), world.n, len(world.alliance_names)
    alignment = np.broadcast_to(world.alignment0, (r, n)).copy()
    tension = (
        resting_tension(world, alignment)
        if world.tension0 is None
        else np.broadcast_to(world.tension0, (r, n, n)).copy()
    )
    memory = np.zeros((r, n, n)) if world.memory0 is None else world.memory0
    level = initial_levels(world, keys)
    state = State(
        step=0,
        keys=keys,
        milex=np.broadcast_to(world.milex0, (r, n)).copy(),
        burden=np.broadcast_to(world.milex0 / world.gdp, (r, n)).copy(),
        alignment=alignment,
        tension=tension,
        level=level,
        memory=np.broadcast_to(memory, (r, n, n)).copy(),
        transfers=np.zeros((r, n, n)),
        members=np.broadcast_to(world.members0, (r, k, n)).copy(),
        commitment=np.broadcast_to(world.commitment0, (r, k)).copy(),
        interoperability=np.broadcast_to(world.interoperability0, (r, k)).copy(),
        credibility=np.broadcast_to(world.credibility0, (r, k)).copy(),
        clarity=np.broadcast_to(world.clarity0, (r, k)).copy(),
        alliance_start=np.broadcast_to(world.alliance_start0, (r, k)).copy(),
        alliance_end=np.broadcast_to(world.alliance_end0, (r, k)).copy(),
        policy_start=np.broadcast_to(world.policy_start0, (r, len(world.policy_names))).copy(),
        policy_end=np.broadcast_to(world.policy_end0, (r, len(world.policy_names))).copy(),
        fired=np.zeros((r, len(world.events)), dtype=bool),
        threat=np.zeros((r, n)),
        abandonment=np.zeros((r, n)),
        entrapment=np.zeros((r, n)),
        new_incidents=np.zeros((r, len(world.dyad_i)), dtype=bool),
        max_level=upper_triangle(world, level),
        held=np.zeros((r, len(world.dyad_i)), dtype=bool),
        overlay=np.zeros((r, *world.levers.shape[1:])),
        posture=np.ones((r, n)),
        lean=np.zeros((r, n)),
        stance=np.zeros((r, n, n), dtype=np.int8),
        moves=np.zeros((r, n), dtype=np.int64),
        coercing=np.zeros((r, n)),
        first_retreat=np.full((r, n), NEVER, dtype=np.int64),
        retreats=np.zeros((r, n), dtype=np.int64),
        log=[] if log else None,
        replicate_ids=None if ids is None else np.asarray(ids, dtype=np.int64),
    )
    observe(world, state)
    return state


def advance(world: World, state: State, lookup: Any = None) -> None:
    """Advance all replicates by one month, in place.

    Order within a month: the moves played and the events due take effect; at a decision
    month the deciding states choose their moves (§9); levers and ties are read; threat and
    fears are perceived; spending, alignment and alliances respond; incidents start and
    escalate; tension moves; memories and inventories update.

    Args:
        world: The compiled scenario.
        state: The state to advance (its ``step`` becomes ``step + 1``).
        lookup: Quantity lookup for conditional events (see :mod:`sim.core.metrics`); required
            when the world has conditional events.
    """
    open_month(world, state, lookup)
    if is_decision_month(world, state.step):
        decide(world, state)
    close_month(world, state)


def open_month(
    world: World, state: State, lookup: Any = None, moves: Sequence[CompiledMove] = ()
) -> None:
    """The first phase of a month: the moves played start or end, then the events due fire.

    ``moves`` are played after the world's own (``World.moves``): a game's live moves, which
    its export writes after them under ``moves:``.
    """
    if world.moves or moves:
        play_moves(world, state, (*world.moves, *moves))
    if world.events:
        fire_events(world, state, lookup)


def close_month(world: World, state: State) -> None:
    """The month after the decisions: every mechanism responds, in the order of :func:`advance`."""
    levers = active_levers(world, state)
    count_coercion(world, state, levers)
    deliveries(world, state)
    ties, cap, threat_matrix, abandonment, entrapment, ratio = perceive(world, state, levers)
    forces = alignment_forces(
        world, state, threat_matrix, ties, levers, abandonment, entrapment, cap
    )
    growth = arms_dynamics(world, state, levers, ratio, abandonment)
    alignment_dynamics(world, state, forces)
    channels = effective_channels(world, state, levers, ties.credible)
    new, up, down = incidents_and_escalation(world, state, levers, ties, cap, channels)
    level = upper_triangle(world, state.level)
    alliance_dynamics(world, state, levers, ties, up & (level >= 2))
    tension_dynamics(world, state, levers, channels, growth)
    memory_dynamics(world, state)
    if state.log is not None:
        incident_records(world, state, new, up, down, level)
    state.step += 1
