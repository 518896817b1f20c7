"""Incidents and escalation (``docs/model.md`` §5): hazards, the ladder, deterrence, channels."""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import EPS, State, month_draws
from sim.core.records import Deescalated, Escalated, IncidentStarted
from sim.core.rng import Stream
from sim.core.world import World
from sim.scenario.ladder import WAR


def deterrence(
    world: World, ties: np.ndarray, capability_now: np.ndarray, dyads: np.ndarray
) -> np.ndarray:
    """Credible allied backing of the given upper-triangle dyads, in [0, 1) (``(R, len(dyads))``).

    Backing of i against j: allied capability relative to j's, ``Σ_m W_im c_m / c_j``; a dyad
    is deterred by the stronger of the two backings, squashed as ``1 − exp(−x)``.
    """
    backing = np.einsum("rim,rm->ri", ties, capability_now)
    safe = np.maximum(capability_now, EPS)
    i, j = world.dyad_i[dyads], world.dyad_j[dyads]
    dyad = np.maximum(backing[:, i] / safe[:, j], backing[:, j] / safe[:, i])
    return -np.expm1(-dyad)


def effective_channels(
    world: World, state: State, levers: np.ndarray, ties: np.ndarray
) -> np.ndarray | None:
    """Deconfliction per dyad, with spillover from patrons' channels (``(R, N, N)``).

    ``C = clip(C0 + ρ ((I + W) C0 (I + W)ᵀ − C0), 0, 1)``: a channel between a and b also
    restrains, in proportion to the ties, incidents between a's allies and b, between a and
    b's allies, and between their allies (a US–China channel restrains China–Philippines
    incidents).

    Returns None when no channel is open (no deconfliction anywhere).
    """
    channel = lever_terms(world, state, levers).channel
    if channel is None:
        return None
    reach = ties + np.eye(world.n)  # each party and, in proportion to the ties, its allies
    spill = reach @ channel @ reach.transpose(0, 2, 1) - channel
    return np.clip(channel + world.params.incidents.channel_spillover * spill, 0.0, 1.0)


def incidents_and_escalation(
    world: World,
    state: State,
    levers: np.ndarray,
    ties: np.ndarray,
    promise: np.ndarray,
    capability_now: np.ndarray,
    channels: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw new incidents and move active ones along the escalation ladder (in place).

    A calm dyad starts a gray-zone incident with probability ``1 − exp(−λ)``,
    ``λ = λ0 (dispute + w_g·coercion) (1 + w_τ τ) (1 + w_p presence)``. An active incident
    steps up with probability ``σ(β0 + β_τ τ − β_D deterrence + β_E emboldening − β_C channel)``
    and steps down with ``δ0 + δ_C (ceasefire + channel)``.

    Returns:
        ``(new, up, down)`` boolean masks over upper-triangle dyads ``(R, D)``.
    """
    p = world.params.incidents
    terms = lever_terms(world, state, levers)
    # Only dyads where an incident is possible (world.incident_dyads): the others have zero
    # hazard and no level, and stay calm. Every quantity below is per dyad, so computing on
    # the subset gives the same numbers as on all dyads.
    s = world.incident_dyads
    i, j = world.dyad_i[s], world.dyad_j[s]
    level = np.ascontiguousarray(state.level[:, i, j])
    tau = np.ascontiguousarray(state.tension[:, i, j])
    coercion, presence = terms.coercion_dyad[:, s], terms.presence_dyad[:, s]
    dispute = world.dispute[i, j]
    hazard = (
        p.base_hazard
        * (dispute + p.coercion_hazard * coercion)
        * (1.0 + p.tension_hazard * tau)
        * (1.0 + p.presence_hazard * presence)
    )
    u = month_draws(world, state, Stream.INCIDENT)
    new = (level == 0) & (u < -np.expm1(-hazard))

    deter = deterrence(world, ties, capability_now, s)
    embolden = deterrence(world, promise, capability_now, s)
    channel = 0.0 if channels is None else np.ascontiguousarray(channels[:, i, j])
    ceasefire = terms.ceasefire_dyad[:, s]
    logit = (
        p.escalation_base
        - p.escalation_rung_cost * np.maximum(level - 1, 0)
        + p.escalation_tension * tau
        - p.escalation_deterrence * deter
        + p.escalation_emboldening * embolden
        - p.escalation_channel * channel
    )
    p_up = 1.0 / (1.0 + np.exp(-logit))
    p_down = np.minimum(p.deescalation + p.ceasefire_deescalation * (ceasefire + channel), 1 - p_up)
    v = month_draws(world, state, Stream.ESCALATION)
    active = level > 0
    up = active & (v < p_up) & (level < WAR)
    down = active & ~up & (v < p_up + p_down)
    level = level + up.astype(level.dtype) - down.astype(level.dtype) + new.astype(level.dtype)
    full = state.level.copy()
    full[:, i, j] = full[:, j, i] = level
    state.level = full
    max_level = state.max_level.copy()
    max_level[:, s] = np.maximum(max_level[:, s], level)
    state.max_level = max_level
    masks = []
    for mask in (new, up, down):
        spread = np.zeros((state.replicates, len(world.dyad_i)), dtype=bool)
        spread[:, s] = mask
        masks.append(spread)
    state.new_incidents = masks[0]
    return masks[0], masks[1], masks[2]


def incident_records(
    world: World, state: State, new: np.ndarray, up: np.ndarray, down: np.ndarray, level
) -> None:
    """Log this month's new incidents, escalations and de-escalations (``level``: after them)."""
    for mask, record in ((new, IncidentStarted), (up, Escalated), (down, Deescalated)):
        for r, d in zip(*np.nonzero(mask), strict=True):
            i, j = int(world.dyad_i[d]), int(world.dyad_j[d])
            state.log.append(
                record(
                    replicate=int(r),
                    step=state.step + 1,
                    pair=(world.codes[i], world.codes[j]),
                    rung=int(level[r, d]),
                    dispute=world.dispute_kind.get((i, j)),
                )
            )
