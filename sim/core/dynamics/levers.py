"""Policies in force and what they deliver (``docs/model.md`` §7, first half).

Every policy is a lever template (kind × actor × partner); :func:`active_levers` sums the
templates in force this month. :class:`LeverTerms` holds what the mechanisms read from the sum,
:func:`capability` adds assistance and arms in service to own spending, and
:func:`deliveries` moves scheduled arms transfers into the recipients' inventories.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.state import LeverTerms, State, upper_triangle
from sim.core.world import LEVER_INDEX, NEVER, World


def active_levers(world: World, state: State) -> np.ndarray:
    """The levers in force this month: the scripted policies', the states' own and those played.

    The states' decisions (``State.overlay``, §9) and the moves played into the run
    (``State.played``: a game's, ``moves:``) add to the scripted templates; a lever never falls
    below zero.

    Returns:
        Array ``(R, L, N, N)``: lever kind × actor × partner.
    """
    scripted = scripted_levers(world, state)
    versions = (state.overlay_version, state.played_version)
    if state.overlay is None or versions == (0, 0):
        return scripted
    cached = state.overlay_cache
    if cached is not None and cached[0] is scripted and cached[1] == versions:
        return cached[2]
    summed = scripted + state.overlay
    if state.played is not None:
        summed += state.played
    levers = np.maximum(summed, 0.0)
    levers.flags.writeable = False  # shared between months: nobody may change it in place
    state.overlay_cache = (scripted, versions, levers)
    return levers


def scripted_levers(world: World, state: State) -> np.ndarray:
    """Sum the lever templates of the policies in force this month (the scenario's script).

    Returns:
        Array ``(R, L, N, N)``: lever kind × actor × partner.
    """
    t = state.step
    active = (state.policy_start <= t) & (t < state.policy_end)
    cached = state.lever_cache
    if cached is None:
        levers = lever_sums(world, active, np.arange(state.replicates))
    else:
        # Policies change rarely, and in few replicates at a time (conditional events): only
        # the replicates whose policies changed are summed again.
        changed = np.flatnonzero((cached[0] != active).any(axis=1))
        if changed.size == 0:
            return cached[1]
        levers = cached[1].copy()
        levers[changed] = lever_sums(world, active, changed)
    levers.flags.writeable = False  # shared between months: nobody may change it in place
    state.lever_cache = (active, levers)
    return levers


def lever_sums(world: World, active: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The lever tensor ``(len(rows), L, N, N)`` of the given replicates.

    The sum runs policy by policy, so each replicate's levers are the same whatever else is
    summed with them; policies in force nowhere among ``rows`` add exactly zero and are
    skipped. Stacked sweep samples may have their own templates for some policies
    (``World.lever_overrides``).
    """
    shape = world.levers.shape
    size = shape[1] * shape[2] * shape[3]
    templates = world.levers.reshape(shape[0], size)
    own = own_templates(world)
    on = active[rows]
    sums = np.zeros((len(rows), size))
    for p in np.flatnonzero(on.any(axis=0)):
        template = own[p].reshape(-1, size)[rows] if p in own else templates[p]
        sums += on[:, p, None] * template
    return sums.reshape(len(rows), *shape[1:])


def own_templates(world: World) -> dict[int, np.ndarray]:
    """Per-replicate lever templates ``(R, L, N, N)`` by policy, from ``World.lever_overrides``."""
    if world.lever_overrides is None:
        return {}
    policies, templates = world.lever_overrides
    return {int(p): templates[:, j] for j, p in enumerate(policies)}


def lever_terms(world: World, state: State, levers: np.ndarray) -> LeverTerms:
    """The :class:`LeverTerms` of a lever tensor (cached while the tensor is unchanged)."""
    cached = state.terms_cache
    if cached is not None and cached[0] is levers:
        return cached[1]
    kind = LEVER_INDEX
    coercion = levers[:, kind["coercion"]]
    ceasefire = levers[:, kind["ceasefire"]]
    channel = levers[:, kind["channel"]]
    channel = np.maximum(channel, channel.transpose(0, 2, 1))
    dialogue = levers[:, kind["dialogue"]] + levers[:, kind["ceasefire"]]
    dialogue = np.maximum(dialogue, dialogue.transpose(0, 2, 1))
    exercises = levers[:, kind["exercises"]]
    economic = levers[:, kind["economic"]]
    aid = levers[:, kind["assistance"]] + levers[:, kind["inducement"]]
    donors, traders = world.donors, world.traders
    terms = LeverTerms(
        assistance_in=levers[:, kind["assistance"]].sum(axis=1),
        coercion_on=np.ascontiguousarray(coercion.transpose(0, 2, 1)) if coercion.any() else None,
        coercion_dyad=upper_triangle(world, coercion + coercion.transpose(0, 2, 1)),
        presence_dyad=presence_friction(world, levers[:, kind["presence"]]),
        ceasefire_dyad=upper_triangle(world, np.maximum(ceasefire, ceasefire.transpose(0, 2, 1))),
        channel=channel if channel.any() else None,
        dialogue=upper_triangle(world, dialogue),
        relief=np.clip(upper_triangle(world, dialogue), 0.0, 1.0),
        donors=donors,
        aid=np.ascontiguousarray(aid[:, donors]),
        nuclear=np.ascontiguousarray(levers[:, kind["nuclear"]][:, donors]),
        traders=traders,
        trade=np.ascontiguousarray(levers[:, kind["trade"]][:, traders]),
        exercises=exercises + exercises.transpose(0, 2, 1),
        presence=levers[:, kind["presence"]],
        economic_on=np.ascontiguousarray(economic.transpose(0, 2, 1)) if economic.any() else None,
        economic_dyad=upper_triangle(world, np.maximum(economic, economic.transpose(0, 2, 1))),
        theatre=theatre_reach(world, levers[:, kind["presence"]]),
    )
    state.terms_cache = (levers, terms)
    return terms


def presence_friction(world: World, presence: np.ndarray) -> np.ndarray:
    """Foreign forces in a dyad that face their own adversary across it, capped at 1, ``(R, D)``.

    ``F_ij = min(1, Σ_m P_mi [m disputes j] + P_mj [m disputes i])``: US forces in the
    Philippines add friction to China–Philippines (the US disputes with China), not to a
    Philippine dispute with a neighbour the US has no quarrel with (Jervis 1978: a deployment
    threatens those it is aimed at).
    """
    opposed = (world.dispute > 0).astype(float)  # (N, N), or (R, N, N) for stacked samples
    facing = np.zeros(presence.shape)  # [i, j] = Σ_m P[m, i] · opposed[m, j]
    # A fixed summation order: the same bits at any batch size. A state with no forces abroad
    # would add exact zeros, so it is skipped.
    deployed = presence.any(axis=(0, 2))
    for m in np.flatnonzero(deployed).tolist():
        across = opposed[..., m, :]
        across = across[:, None, :] if across.ndim == 2 else across[None, None, :]
        facing += presence[:, m, :, None] * across
    friction = facing[:, world.dyad_i, world.dyad_j] + facing[:, world.dyad_j, world.dyad_i]
    return np.clip(friction, 0.0, 1.0)


def theatre_reach(world: World, presence: np.ndarray) -> np.ndarray:
    """Share of each state's forces that can reach each theatre, ``θ[m, i]``, ``(R, N, N)``.

    ``θ_mi = max_h B_mh · exp(−d_hi / D)`` over the places ``h`` m projects power from: home
    (``B_mm = 1``) and the hosts of its forward presence (``B_mh`` = presence level), with
    Boulding's loss-of-strength gradient (``World.decay``). US forces in Japan reach Taiwan;
    forces in Honolulu barely reach the Gulf of Thailand.
    """
    bases = np.minimum(presence, 1.0) + np.eye(world.n)  # (R, m, h)
    reach = np.zeros(presence.shape)
    hosts = presence.any(axis=(0, 1))  # places some state has forces in
    for h in range(world.n):  # a loop of elementwise maxima: exact, and no (R, N, N, N) array
        row = world.decay[..., h, :]  # (N,), or (R, N) for stacked samples
        row = row[:, None, :] if row.ndim == 2 else row[None, None, :]
        if hosts[h]:
            np.maximum(reach, bases[:, :, h, None] * row, out=reach)
        else:  # only h's own forces are there: the other rows would take the max with 0
            np.maximum(reach[:, h], bases[:, h, h, None] * row[:, 0], out=reach[:, h])
    return reach


def capability(world: World, state: State, levers: np.ndarray) -> np.ndarray:
    """Military capability (US$ bn/yr): own spending, assistance received, arms in service.

    Delivered arms count as an annuity over a ten-year service life.
    """
    assistance = lever_terms(world, state, levers).assistance_in
    if not stocked(world, state):
        return state.milex + assistance  # no deliveries: the inventories stay empty
    return state.milex + assistance + state.transfers.sum(axis=1) / 10.0


def stocked(world: World, state: State) -> bool:
    """Whether arms may be in service: deliveries scheduled, or some played (a game's move)."""
    return world.delivery_policy.size > 0 or bool(state.transfers.any())


def deliveries(world: World, state: State) -> None:
    """Add scheduled arms deliveries to recipients' inventories; retire old ones (in place)."""
    if not stocked(world, state):
        return  # the inventories stay empty
    state.transfers *= 1.0 - 1.0 / 120.0  # ten-year service life
    if world.delivery_policy.size == 0:
        return  # only played deliveries: none scheduled
    start = state.policy_start[:, world.delivery_policy]  # (R, D)
    due = (start + world.delivery_after == state.step) & (start < NEVER)
    if not due.any():
        return
    transfer = LEVER_INDEX["transfer"]
    own = own_templates(world)  # stacked sweep samples may differ in their templates
    amount = due * world.delivery_value
    delivered = np.zeros_like(state.transfers)
    for d, p in enumerate(world.delivery_policy.tolist()):  # one by one: any batch, same sums
        template = own[p][:, transfer] if p in own else world.levers[p, transfer]
        delivered += amount[:, d, None, None] * template
    state.transfers += delivered
