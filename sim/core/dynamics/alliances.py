"""Alliance architecture (``docs/model.md`` §4): ties, Snyder's alliance fears, credibility.

Typed ties bind the members of each alliance in force; several ties between the same pair
combine as independent pledges. Abandonment and entrapment fears follow Snyder's alliance
security dilemma; credibility and interoperability move with presence, practice and the
alliance's response to challenges against its members.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    EPS,
    Membership,
    State,
    max_along,
    month_draws,
    zero_diagonal,
)
from sim.core.records import AllianceFailed, AllianceResponded
from sim.core.rng import Stream
from sim.core.world import World


def membership(world: World, state: State, members: np.ndarray) -> Membership:
    """The :class:`Membership` of ``members`` (from :func:`alliance_members`), cached."""
    cached = state.membership_cache
    if cached is not None and np.array_equal(cached[0], members):
        return cached[1]
    d = world.incident_dyads
    inside_i, inside_j = members[:, :, world.dyad_i[d]], members[:, :, world.dyad_j[d]]
    both = members[:, :, world.dyad_i] * members[:, :, world.dyad_j]  # (R, K, D)
    pairs = np.flatnonzero(both.any(axis=(0, 1)))
    derived = Membership(
        allied=members.any(axis=1),
        active=members.any(axis=2),
        across=inside_i * (1.0 - inside_j) + inside_j * (1.0 - inside_i),
        pair_i=world.dyad_i[pairs],
        pair_j=world.dyad_j[pairs],
        shared=np.ascontiguousarray(both[:, :, pairs].transpose(0, 2, 1)),
    )
    state.membership_cache = (members.copy(), derived)
    return derived


def alliance_members(state: State) -> np.ndarray:
    """Membership of the alliances in force this month, ``(R, K, N)`` as floats."""
    t = state.step
    in_force = (state.alliance_start <= t) & (t < state.alliance_end)
    return (state.members & in_force[:, :, None]).astype(float)


def pledge_strength(world: World, state: State) -> tuple[np.ndarray, np.ndarray]:
    """Credible and promised strength of each alliance's pledge, each ``(R, K)`` in [0, 1)."""
    base = world.type_weight * state.commitment * (0.5 + 0.5 * state.interoperability)
    return np.clip(base * state.credibility, 0.0, 0.999), np.clip(base, 0.0, 0.999)


def alliance_ties(world: World, state: State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tie strengths between countries from the alliances in force.

    A tie of alliance k binds every pair of its members with strength
    ``s_k = w_type · commitment · credibility · (½ + ½ interoperability)``. Several ties between
    the same pair combine as independent pledges: ``W_ij = 1 − Π_k (1 − s_k)``.

    Returns:
        ``(W, promise, in_force)``: credible tie strength ``(R, N, N)``; promised strength
        without credibility (what emboldens an ally) ``(R, N, N)``; membership of alliances in
        force ``(R, K, N)`` as floats.
    """
    members = alliance_members(state)
    joined = membership(world, state, members)
    logs = np.log1p(-np.stack(pledge_strength(world, state)))  # (2, R, K): both strengths
    # Ties exist only between countries sharing an alliance: the sum of log-survival terms
    # runs over those pairs, alliance by alliance in index order.
    log_free = np.zeros((2, *joined.shared.shape[:2]))  # (2, R, S)
    for k in range(joined.shared.shape[2]):
        log_free += joined.shared[:, :, k] * logs[:, :, k, None]
    ties = np.zeros((2, state.replicates, world.n, world.n))
    strength = -np.expm1(log_free)
    ties[:, :, joined.pair_i, joined.pair_j] = strength
    ties[:, :, joined.pair_j, joined.pair_i] = strength
    return ties[0], ties[1], members


def alliance_fears(
    world: World, state: State, members: np.ndarray, threat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Snyder's alliance security dilemma: abandonment and entrapment fears per country.

    Abandonment: ``threat_i · (1 − b_i)`` where ``b_i`` is the best credible pledge i holds
    (zero for states with no ally: they cannot be abandoned). Entrapment: the commitment of i's
    alliances times the worst dispute tension of i's partners.

    Returns:
        ``(abandonment, entrapment)``, each ``(R, N)`` in [0, 1].
    """
    if members.shape[1] == 0:
        return np.zeros_like(threat), np.zeros_like(threat)
    pledge = state.commitment * state.credibility * world.type_weight  # (R, K)
    best = max_along(members * pledge[:, :, None], axis=1)
    bonds = _alliance_bonds(world, state, members)
    abandonment = np.where(membership(world, state, members).allied, threat * (1.0 - best), 0.0)

    # Each country's worst dispute tension, read from its disputed partners only (R, N).
    rows = np.arange(world.n)
    partners = world.dispute_partners
    exposure = state.tension[:, rows, partners[:, 0]]
    for column in partners.T[1:]:
        np.maximum(exposure, state.tension[:, rows, column], out=exposure)
    # Entrapment of i: the worst exposure of any partner m, weighted by the strongest
    # commitment binding i to m (bonds are symmetric, so bonds[:, m, i] = B_im).
    entrapment = max_along(bonds * exposure[:, :, None], axis=1)
    return abandonment, entrapment


def _alliance_bonds(world: World, state: State, members: np.ndarray) -> np.ndarray:
    """Commitment binding each pair of countries, ``(R, N, N)`` with a zero diagonal.

    ``B_im = max_k [i and m both in alliance k] · commitment_k · w_type(k)``. Recomputed only
    when the membership or the commitments change (events), so most months reuse it.
    """
    cached = state.bond_cache
    if (
        cached is not None
        and np.array_equal(cached[0], members)
        and np.array_equal(cached[1], state.commitment)
    ):
        return cached[2]
    weight = state.commitment * world.type_weight  # (R, K)
    bonds = np.zeros((state.replicates, world.n, world.n))
    for k in range(members.shape[1]):
        inside = members[:, k]
        pair = inside[:, :, None] * inside[:, None, :] * weight[:, k, None, None]
        np.maximum(bonds, pair, out=bonds)
    zero_diagonal(bonds)
    state.bond_cache = (members.copy(), state.commitment.copy(), bonds)
    return bonds


def alliance_dynamics(
    world: World,
    state: State,
    levers: np.ndarray,
    members: np.ndarray,
    stepped_up: np.ndarray,
) -> None:
    """Update interoperability and credibility of every alliance (in place).

    Interoperability grows with joint exercises and active task forces and relaxes to its
    declared level without them. Credibility grows with the hub's forward presence,
    relaxes to its declared level (scaled by changes of commitment), and jumps with the
    alliance's response to incidents against members: it responds with
    probability ``commitment · (1 − ½ entrapment of the hub)``; a response adds
    ``response_gain · (1 − κ)``, a failure removes ``abandonment_loss · κ`` (abandonment).
    """
    p = world.params.alliances
    if members.shape[1] == 0:
        return
    interop, cred = state.interoperability, state.credibility
    per_alliance, per_alliance_presence = _alliance_activity(world, state, levers, members)
    joined = membership(world, state, members)
    active_tf = world.task_force[None, :] * joined.active
    interop += (
        p.exercise_gain * per_alliance / 12.0 * (1.0 - interop)
        + p.task_force_gain * active_tf * (1.0 - interop)
        - p.interoperability_decay * (interop - world.interoperability0)
    )

    # Without signals, credibility relaxes to its declared level scaled by any change of
    # commitment since (a retrenching patron is believed less).
    resting = world.credibility0 * state.commitment / np.maximum(world.commitment0, EPS)
    cred += p.presence_gain * per_alliance_presence * (1.0 - cred) - p.credibility_decay * (
        cred - resting
    )

    # Incidents that stepped up to standoff or beyond between a member and an outsider.
    if stepped_up.any():
        # Per alliance, the stepped-up dyads with exactly one member (counts, so exact in any
        # order). Only incident dyads can step up.
        stepped = stepped_up[:, world.incident_dyads].astype(float)
        challenges = np.einsum("rs,rks->rk", stepped, joined.across)
    else:
        challenges = np.zeros_like(cred)
    if challenges.any():
        hub_entrapment = state.entrapment[:, world.hub]
        u = month_draws(world, state, Stream.RESPONSE)
        respond = u < state.commitment * (1.0 - 0.5 * hub_entrapment)
        delta = np.where(respond, p.response_gain * (1.0 - cred), -p.abandonment_loss * cred)
        before = cred.copy() if state.log is not None else None
        cred += np.where(challenges > 0, delta, 0.0)
        if before is not None:
            for r, k in zip(*np.nonzero(challenges > 0), strict=True):
                record = AllianceResponded if respond[r, k] else AllianceFailed
                state.log.append(
                    record(
                        replicate=int(r),
                        step=state.step + 1,
                        alliance=world.alliance_names[k],
                        label=world.alliance_labels[k],
                        members=tuple(world.codes[i] for i in np.nonzero(members[r, k])[0]),
                        credibility_before=float(before[r, k]),
                        credibility_after=float(cred[r, k]),
                    )
                )
    np.clip(interop, 0.0, 1.0, out=interop)
    np.clip(cred, 0.0, 1.0, out=cred)


def _alliance_activity(
    world: World, state: State, levers: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exercises among each alliance's members and its hub's presence with them, ``(R, K)``.

    Recomputed only when the policies in force or the membership change.
    """
    cached = state.alliance_cache
    if cached is not None and cached[0] is levers and np.array_equal(cached[1], members):
        return cached[2], cached[3]
    terms = lever_terms(world, state, levers)
    per_alliance = ((members @ terms.exercises) * members).sum(axis=2) / 2.0
    hub_presence = terms.presence[:, world.hub, :]  # (R, K, N): hub's presence in each country
    per_alliance_presence = np.clip((hub_presence * members).sum(axis=2), 0.0, 1.0)
    state.alliance_cache = (levers, members.copy(), per_alliance, per_alliance_presence)
    return per_alliance, per_alliance_presence
