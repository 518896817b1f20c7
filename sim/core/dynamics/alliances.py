"""Alliance architecture (``docs/model.md`` §4): ties, Snyder's alliance fears, credibility.

Typed ties bind the members of each alliance in force; several ties between the same pair
count as the strongest. A pledge runs from the alliance's members to its *protected*
members (every member but the hub) and is aimed at named adversaries. Abandonment fear is the
protected members' (a patron does not fear being abandoned by its clients); entrapment follows
Snyder's alliance security dilemma; credibility and interoperability move with presence,
practice and the alliance's response to challenges against its protected members.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    EPS,
    Coverage,
    Membership,
    State,
    Ties,
    constant_rows,
    leading,
    maximum,
    minimum,
    month_draws,
    per_owner,
)
from sim.core.records import AllianceFailed, AllianceResponded
from sim.core.rng import Stream
from sim.core.world import World


def membership(world: World, state: State, members: np.ndarray) -> Membership:
    """The :class:`Membership` of ``members`` (from :func:`alliance_members`), cached."""
    cached = state.membership_cache
    if cached is not None and (cached[0] is members or np.array_equal(cached[0], members)):
        return cached[1]
    hub = np.zeros(members.shape[1:], dtype=bool)  # (K, N): the hub of each alliance
    hub[np.arange(len(world.hub)), world.hub] = True
    # Protection runs to members other than the hub, of alliances that carry a pledge (aimed
    # at someone): partnerships and minilaterals protect nobody.
    guarded = ~hub & world.against.any(axis=1)[:, None]
    protected = members * guarded
    # An alliance is aimed at its adversaries unless they have joined it.
    cover = world.against * (1.0 - members)
    d = world.incident_dyads
    di, dj = world.dyad_i[d], world.dyad_j[d]
    challenged = protected[:, :, di] * cover[:, :, dj] + protected[:, :, dj] * cover[:, :, di]
    # The pairs that share an alliance in some replicate: the memberships are 0 or 1, so the
    # co-membership counts (a product of the indicator matrix with itself) are exact.
    flat = members.reshape(-1, members.shape[2])
    together = (flat.T @ flat)[world.dyad_i, world.dyad_j]
    pairs = np.flatnonzero(together > 0)
    pair_i, pair_j = world.dyad_i[pairs], world.dyad_j[pairs]
    both = members[:, :, pair_i] * members[:, :, pair_j]  # (R, K, S)
    shared = np.ascontiguousarray(both.transpose(1, 0, 2))  # (K, R, S)
    pair, alliance = np.nonzero(shared.any(axis=1).T)  # pair by pair, alliances in order
    derived = Membership(
        protected=protected,
        any_protector=protected.any(axis=1),
        active=members.any(axis=2),
        challenged=challenged,
        pair_i=pair_i,
        pair_j=pair_j,
        shared=shared,
        i_protected=shared * guarded[:, None, pair_i],
        j_protected=shared * guarded[:, None, pair_j],
        pair_start=np.searchsorted(pair, np.arange(pairs.size + 1)),
        pair_alliance=alliance,
        coverage=_coverage(world, members, protected, cover),
    )
    state.membership_cache = (members, derived)  # members is never changed in place
    return derived


def _coverage(
    world: World, members: np.ndarray, protected: np.ndarray, cover: np.ndarray
) -> Coverage:
    """The :class:`Coverage` of the incident dyads under this membership."""
    d = world.incident_dyads
    sides = [(world.dyad_i[d], world.dyad_j[d]), (world.dyad_j[d], world.dyad_i[d])]
    directions, links = [], []
    for i_side, j_side in sides:
        for s in range(len(d)):
            i, j = int(i_side[s]), int(j_side[s])
            mask = protected[:, :, i] * cover[:, :, j]  # (R, K)
            found = [
                (k, m)
                for k in np.flatnonzero(mask.any(axis=0))
                for m in np.flatnonzero((members[:, k] * mask[:, k, None]).any(axis=0))
                if m != i
            ]
            if found:
                directions.append((i, j, s))
                links += [(len(directions) - 1, m, k) for k, m in found]
    links.sort()
    r = members.shape[0]
    direction = np.array([t[0] for t in links], dtype=np.int64)
    helper = np.array([t[1] for t in links], dtype=np.int64)
    alliance = np.array([t[2] for t in links], dtype=np.int64)
    protected_of = np.array([x[0] for x in directions], dtype=np.int64)
    adversary_of = np.array([x[1] for x in directions], dtype=np.int64)
    if links:
        mask = (
            protected[:, alliance, protected_of[direction]]
            * cover[:, alliance, adversary_of[direction]]
            * members[:, alliance, helper]
        )
    else:
        mask = np.zeros((r, 0))
    target = direction * world.n + helper
    target_start = np.flatnonzero(np.r_[True, target[1:] != target[:-1]]) if links else target
    targets = direction[target_start]
    direction_start = np.flatnonzero(np.r_[True, targets[1:] != targets[:-1]]) if links else targets
    return Coverage(
        protected=protected_of,
        adversary=adversary_of,
        dyad=np.array([x[2] for x in directions], dtype=np.int64),
        link_alliance=alliance,
        link_helper=helper,
        link_mask=np.ascontiguousarray(mask),
        target_start=target_start,
        target_direction=targets,
        target_helper=helper[target_start],
        direction_start=direction_start,
    )


def alliance_members(state: State) -> np.ndarray:
    """Membership of the alliances in force this month, ``(R, K, N)`` as floats."""
    t = state.step
    start, end = state.alliance_start, state.alliance_end
    cached = state.members_cache
    # Membership changes by events and moves (which count them in ``membership_version``)
    # or by a new array, and alliances come into and go out of force.
    key = (state.members, state.membership_version)
    if (
        cached is not None
        and cached[0][0] is key[0]
        and cached[0][1] == key[1]
        and cached[1].shape == start.shape
        and _in_force_as(start, end, t, cached[1])
    ):
        return cached[2]
    in_force = (start <= t) & (t < end)
    members = (state.members & in_force[:, :, None]).astype(float)
    members.flags.writeable = False  # shared between months: nobody may change it in place
    state.members_cache = (key, in_force, members)
    return members


@numba.njit(cache=True, nogil=True)
def _in_force_as(start, end, t, in_force):
    """Whether ``start ≤ t < end`` is ``in_force`` for every replicate and alliance, ``(R, K)``.

    :func:`alliance_members`' test of its cache, without the arrays of the comparison.
    """
    for r in range(start.shape[0]):
        for k in range(start.shape[1]):
            if (start[r, k] <= t and t < end[r, k]) != in_force[r, k]:
                return False
    return True


def pledge_strength(world: World, state: State) -> tuple[np.ndarray, np.ndarray]:
    """Credible and promised strength of each alliance's pledge, each ``(R, K)`` in [0, 1).

    ``s_k = w_type · commitment · clarity · (½ + ½ interoperability) · credibility``; the
    promised strength leaves out credibility.
    """
    shape = state.commitment.shape
    strength, promise = np.empty(shape), np.empty(shape)
    _pledges(
        leading(world.type_weight, 1),
        state.commitment,
        state.clarity,
        state.interoperability,
        state.credibility,
        strength,
        promise,
    )
    return strength, promise


@numba.njit(cache=True, nogil=True)
def _pledges(type_weight, commitment, clarity, interoperability, credibility, strength, promise):
    """:func:`pledge_strength` into ``strength`` and ``promise``, ``(R, K)``, in one pass.

    The array form's products in its order and ``np.clip``'s bounds (:func:`maximum`,
    :func:`minimum`); ``type_weight`` is one row, or one per replicate.
    """
    for r in range(commitment.shape[0]):
        weight = type_weight[r if type_weight.shape[0] > 1 else 0]
        for k in range(commitment.shape[1]):
            base = weight[k] * commitment[r, k] * clarity[r, k]
            base = base * (0.5 + 0.5 * interoperability[r, k])
            strength[r, k] = minimum(maximum(base * credibility[r, k], 0.0), 0.999)
            promise[r, k] = minimum(maximum(base, 0.0), 0.999)


def alliance_ties(world: World, state: State) -> Ties:
    """Tie strengths between countries from the alliances in force.

    A tie of alliance k binds every pair of its members with strength ``s_k``
    (:func:`pledge_strength`). Several ties between the same pair count as their strongest,
    ``W_ij = max_{k ∋ i,j} s_k``: a second treaty between the same two states does not double
    the pledge (a pact over the US–Japan treaty adds its new pairs, not a second US–Japan
    guarantee). The protective tie ``W^p_im`` reads only the alliances in which i is protected
    (i is not their hub).
    """
    members = alliance_members(state)
    joined = membership(world, state, members)
    flags = _indicators(joined)[0]
    strength, promise, credible, protection, toward_i, toward_j = _tie_tensors(
        leading(world.type_weight, 1),
        state.commitment,
        state.clarity,
        state.interoperability,
        state.credibility,
        flags,
        joined.pair_i,
        joined.pair_j,
        joined.pair_start,
        joined.pair_alliance,
        world.n,
    )
    return Ties(
        credible=credible,
        protection=protection,
        members=members,
        strength=strength,
        promise=promise,
        joined=joined,
        toward_i=toward_i,
        toward_j=toward_j,
    )


@per_owner
def _indicators(joined: Membership) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The membership indicators the tie and fear kernels read, compact, once per membership.

    ``flags`` ``(R, E, 3)``: for each alliance some pair shares in some replicate (the entries
    of ``pair_alliance``, pair by pair), whether the pair shares it in each replicate and
    whether its first and its second country is protected by it (``shared``, ``i_protected``,
    ``j_protected`` at the entries); ``protected`` ``(R, K, N)``. As bytes: the indicators are
    0 or 1, so their products with a number are those of the float forms, and the kernels read
    an eighth of the memory (``shared`` is mostly zeros and strided by the replicate). Also the
    alliances that protect someone in some replicate, ``(K',)``.
    """
    alliance = joined.pair_alliance
    pair = np.repeat(np.arange(joined.pair_i.size), np.diff(joined.pair_start))
    flags = np.stack(
        [
            joined.shared[alliance, :, pair],
            joined.i_protected[alliance, :, pair],
            joined.j_protected[alliance, :, pair],
        ],
        axis=-1,
    )  # (E, R, 3)
    flags = np.ascontiguousarray(flags.transpose(1, 0, 2)).astype(np.uint8)
    protecting = np.flatnonzero(joined.protected.any(axis=(0, 2)))
    return flags, joined.protected.astype(np.uint8), protecting


@numba.njit(cache=True, nogil=True)
def _tie_tensors(
    type_weight, commitment, clarity, interoperability, credibility, flags, pair_i, pair_j,
    start, alliances, n,
):  # fmt: skip
    """The pledges (:func:`_pledges`) and the tie tensors of :func:`alliance_ties`.

    ``W_ij = max_k shared_k s_k`` (credible) and the protective ties
    ``W^p`` towards each side of a pair, scattered into ``(R, N, N)`` tensors. Compiled: the
    maxima run over the alliances each pair shares (``alliances[start[q]:start[q + 1]]``),
    from zero, the floor of every product; maxima are exact in any order, so the numbers are
    those of the array form over every alliance that it replaced.

    Args:
        type_weight: ``w_type`` of each alliance, ``(1, K)`` or ``(R, K)``.
        commitment: Commitment of each alliance, ``(R, K)``.
        clarity: Clarity, ``(R, K)``.
        interoperability: Interoperability, ``(R, K)``.
        credibility: Credibility, ``(R, K)``.
        flags: Whether each pair shares each of its alliances (``alliances``), and whether
            ``pair_i`` and ``pair_j`` are protected by it, ``(R, E, 3)`` (0 or 1).
        pair_i: First country of each pair, ``(S,)``.
        pair_j: Second country of each pair, ``(S,)``.
        start: Where each pair's alliances start in ``alliances``, ``(S + 1,)``.
        alliances: The alliances each pair shares in some replicate, pair by pair, ``(E,)``.
        n: Countries.

    Returns:
        ``(strength, promise, credible, protection, toward_i, toward_j)``: the credible and
        promised pledge strengths, ``(R, K)`` each; ``(R, N, N)`` credible ties, ``(R, N, N)``
        protective ties, and the latter on the pairs, ``(R, S)`` each.
    """
    reps, pairs = commitment.shape[0], pair_i.size
    strength = np.empty(commitment.shape)
    promise = np.empty(commitment.shape)
    _pledges(type_weight, commitment, clarity, interoperability, credibility, strength, promise)
    ties = np.zeros((reps, n, n))
    protection = np.zeros((reps, n, n))
    toward_i = np.empty((reps, pairs))
    toward_j = np.empty((reps, pairs))
    for r in range(reps):
        for q in range(pairs):
            credible, to_i, to_j = 0.0, 0.0, 0.0
            for at in range(start[q], start[q + 1]):
                s = strength[r, alliances[at]]
                credible = maximum(credible, flags[r, at, 0] * s)
                to_i = maximum(to_i, flags[r, at, 1] * s)
                to_j = maximum(to_j, flags[r, at, 2] * s)
            i, j = pair_i[q], pair_j[q]
            ties[r, i, j] = ties[r, j, i] = credible
            protection[r, i, j] = toward_i[r, q] = to_i
            protection[r, j, i] = toward_j[r, q] = to_j
    return strength, promise, ties, protection, toward_i, toward_j


def alliance_fears(
    world: World, state: State, ties: Ties, threat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Snyder's alliance security dilemma: abandonment and entrapment fears per country.

    Abandonment, of protected members only: ``threat_i · (1 − b_i)`` where ``b_i`` is the best
    pledge protecting i (``w_type · commitment · credibility · clarity``). A hub is not
    protected by its alliance and does not fear its abandonment. Entrapment:
    ``En_i = max_m B_im X_m``, the exposure ``X_m`` of each partner m weighted by the strongest
    commitment ``B_im`` binding i to m; a partner's exposure is its worst dispute tension or,
    if worse, a protégé's weighted by m's pledge to it: ``X_m = max(x_m, max_j W^p_jm x_j)``.

    Returns:
        ``(abandonment, entrapment)``, each ``(R, N)`` in [0, 1].
    """
    members = ties.members
    if members.shape[1] == 0:
        return np.zeros_like(threat), np.zeros_like(threat)
    joined = ties.joined
    _, protected, protecting = _indicators(joined)
    return _fears(
        protected,
        protecting,
        state.commitment,
        state.credibility,
        state.clarity,
        leading(world.type_weight, 1),
        joined.any_protector,
        threat,
        state.tension,
        world.dispute_partners,
        joined.pair_i,
        joined.pair_j,
        ties.toward_i,
        ties.toward_j,
        _pair_bonds(world, state, joined),
    )


@numba.njit(cache=True, nogil=True)
def _fears(
    protected, protecting, commitment, credibility, clarity, type_weight, any_protector, threat,
    tension, partners, pair_i, pair_j, to_i, to_j, bonds,
):  # fmt: skip
    """Abandonment and entrapment of :func:`alliance_fears`, ``(R, N)`` each.

    Compiled: a few numbers per country and pair, which array passes would spend in
    overhead. Only maxima and the products of the array form it replaced (the pledge
    ``commitment · credibility · clarity · w_type`` in this order), so the same bits. The
    best pledge of a replicate whose pledges are all finite and ``≥ +0`` is the largest over
    the alliances that protect the country (``protecting``): the maxima's other terms are
    ``+0``, and of such numbers the fold of maxima is the largest, in any order; else every
    alliance is folded in turn, as the array form did.

    Args:
        protected: Who each alliance protects, ``(R, K, N)`` (0 or 1).
        protecting: The alliances that protect someone in some replicate, ``(K',)``.
        commitment: Commitment of each alliance, ``(R, K)``.
        credibility: Credibility, ``(R, K)``.
        clarity: Clarity, ``(R, K)``.
        type_weight: ``w_type`` of each alliance, ``(1, K)`` or ``(R, K)``.
        any_protector: Whether some alliance protects each country, ``(R, N)``.
        threat: Perceived threat, ``(R, N)``.
        tension: Tension, ``(R, N, N)``.
        partners: Each country's disputed partners, padded with itself, ``(N, M)``.
        pair_i: First country of each pair sharing an alliance, ``(S,)``.
        pair_j: Second country, ``(S,)``.
        to_i: The pledge of ``pair_j`` to ``pair_i``, ``(R, S)``.
        to_j: The pledge of ``pair_i`` to ``pair_j``, ``(R, S)``.
        bonds: The commitment binding each pair, ``(R, S)``.
    """
    reps, kinds, n = protected.shape
    pairs = pair_i.size
    abandonment = np.zeros((reps, n))
    entrapment = np.zeros((reps, n))
    own = np.empty(n)
    exposure = np.empty(n)
    pledge = np.empty(kinds)
    for r in range(reps):
        weight = type_weight[r if type_weight.shape[0] > 1 else 0]
        plain = True  # every pledge finite and >= +0 (not -0, not NaN)
        for k in range(kinds):
            pledge[k] = commitment[r, k] * credibility[r, k] * clarity[r, k] * weight[k]
            value = pledge[k]
            if not (0.0 < value < np.inf or (value == 0.0 and math.copysign(1.0, value) > 0.0)):
                plain = False
        for i in range(n):
            if any_protector[r, i]:
                if plain:
                    best = 0.0
                    for k in protecting:
                        if protected[r, k, i] and pledge[k] > best:
                            best = pledge[k]
                else:
                    best = protected[r, 0, i] * pledge[0]
                    for k in range(1, kinds):
                        best = maximum(best, protected[r, k, i] * pledge[k])
                abandonment[r, i] = threat[r, i] * (1.0 - best)
            worst = tension[r, i, partners[i, 0]]
            for c in range(1, partners.shape[1]):
                worst = maximum(worst, tension[r, i, partners[i, c]])
            own[i] = exposure[i] = worst
        for q in range(pairs):
            i, j = pair_i[q], pair_j[q]
            exposure[j] = maximum(exposure[j], to_i[r, q] * own[i])
            exposure[i] = maximum(exposure[i], to_j[r, q] * own[j])
        for q in range(pairs):
            i, j = pair_i[q], pair_j[q]
            entrapment[r, i] = maximum(entrapment[r, i], bonds[r, q] * exposure[j])
            entrapment[r, j] = maximum(entrapment[r, j], bonds[r, q] * exposure[i])
    return abandonment, entrapment


def _pair_bonds(world: World, state: State, joined) -> np.ndarray:
    """Commitment binding each pair that shares an alliance, ``(R, S)``.

    ``B_im = max_k [i and m both in alliance k] · commitment_k · w_type(k)``. Recomputed only
    when the membership or the commitments change (events), so most months reuse it.
    """
    cached = state.bond_cache
    if cached is not None and cached[0] is joined and np.array_equal(cached[1], state.commitment):
        return cached[2]
    weight = state.commitment * world.type_weight  # (R, K)
    if joined.shared.shape[0]:
        bonds = (joined.shared * weight.T[:, :, None]).max(axis=0)
    else:
        bonds = np.zeros((state.replicates, joined.pair_i.size))
    state.bond_cache = (joined, state.commitment.copy(), bonds)
    return bonds


def alliance_dynamics(
    world: World,
    state: State,
    levers: np.ndarray,
    ties: Ties,
    stepped_up: np.ndarray,
) -> None:
    """Update interoperability and credibility of every alliance (in place).

    Practice and presence act through their departures from the status quo's (``Δx``, ``ΔP``:
    the exercises and forward presence the world held at rest gives the same members), so the
    declared levels are the status quo's. Interoperability grows with extra joint exercises and
    active task forces, falls with fewer exercises, and relaxes to its declared level.
    Credibility grows with extra forward presence of the hub, falls with less, and relaxes to
    its declared level (scaled by changes of commitment: a retrenching patron is believed
    less). Challenges test it: an incident that steps up to standoff or beyond between a
    protected member and an adversary the pledge is aimed at. The alliance responds with
    probability ``ρ = commitment · (1 − ½ entrapment of the hub)``; credibility learns from the
    record, ``κ ← κ + g (1 − κ)`` after a response and ``κ ← κ − l κ`` after a failure, so that
    with ``l = g`` it tracks the response probability (it rests where ``κ = ρ``).
    """
    p = world.params.alliances
    members = ties.members
    if members.shape[1] == 0:
        return
    interop, cred = state.interoperability, state.credibility
    practice, presence = _alliance_activity(world, state, levers, members)
    joined = ties.joined
    # Challenges: stepped-up incidents between a protected member and a covered adversary
    # (counts, so exact in any order). Only incident dyads can step up.
    challenges = np.zeros_like(cred)
    challenged = _challenges(stepped_up, world.incident_dyads, joined.challenged, challenges)
    coefficient = constant_rows(
        cred.shape[0],
        p.exercise_gain,
        p.task_force_gain,
        p.interoperability_decay,
        p.presence_gain,
        p.credibility_decay,
    )
    _practise(
        coefficient,
        practice,
        presence,
        world.task_force,
        joined.active,
        leading(world.interoperability0, 1),
        leading(world.credibility0, 1),
        leading(world.commitment0, 1),
        state.commitment,
        interop,
        cred,
        not challenged,
    )
    if challenged:
        hub_entrapment = state.entrapment[:, world.hub]
        u = month_draws(world, state, Stream.RESPONSE)
        respond = u < state.commitment * (1.0 - 0.5 * hub_entrapment)
        delta = np.where(respond, p.response_gain * (1.0 - cred), -p.abandonment_loss * cred)
        before = cred.copy() if state.log is not None else None
        cred += np.where(challenges > 0, delta, 0.0)
        if before is not None:
            rows, alliances = np.nonzero(challenges > 0)
            for r, k, number in zip(rows, alliances, state.replicate_id(rows), strict=True):
                record = AllianceResponded if respond[r, k] else AllianceFailed
                state.log.append(
                    record(
                        replicate=number,
                        step=state.step + 1,
                        alliance=world.alliance_names[k],
                        label=world.alliance_labels[k],
                        members=tuple(world.codes[i] for i in np.nonzero(members[r, k])[0]),
                        credibility_before=float(before[r, k]),
                        credibility_after=float(cred[r, k]),
                    )
                )
        np.clip(cred, 0.0, 1.0, out=cred)


@numba.njit(cache=True, nogil=True)
def _challenges(stepped_up, dyads, challenged, out):
    """Challenges to each alliance, ``Σ_s [dyad s stepped up] challenged_ks``, into ``out``.

    ``out`` ``(R, K)`` is zero on entry; ``stepped_up`` is over upper-triangle dyads, ``dyads``
    the incident dyads (``challenged``'s last axis). Counts, so exact in any order. Returns
    whether any alliance is challenged.
    """
    found = False
    for r in range(out.shape[0]):
        for s in range(dyads.size):
            if not stepped_up[r, dyads[s]]:
                continue
            for k in range(out.shape[1]):
                out[r, k] += challenged[r, k, s]
                found = found or out[r, k] != 0.0
    return found


@numba.njit(cache=True, nogil=True)
def _practise(
    coefficient, practice, presence, task_force, active, interoperability0, credibility0,
    commitment0, commitment, interop, cred, clip,
):  # fmt: skip
    """Interoperability and credibility of :func:`alliance_dynamics` before the challenges.

    In place, per replicate and alliance, the array form's arithmetic in its order:
    ``I += g_x Δx / 12 · room + g_T T (1 − I) − d_I (I − I0)`` (``room`` = ``1 − I`` where
    practice grows, else ``I``) clipped to [0, 1], and ``κ += g_P ΔP · room − d_κ (κ − κ̄)``
    with ``κ̄ = κ0 c / max(c0, ε)``, clipped too when ``clip`` (no challenge this month; else
    the caller clips it after the challenges). ``coefficient`` holds ``g_x, g_T, d_I, g_P,
    d_κ``, one row or one per replicate; the world's arrays one row or one per replicate.
    """
    for r in range(interop.shape[0]):
        (g_x, g_t, d_i, g_p, d_k) = coefficient[r if coefficient.shape[0] > 1 else 0]
        i0 = interoperability0[r if interoperability0.shape[0] > 1 else 0]
        k0 = credibility0[r if credibility0.shape[0] > 1 else 0]
        c0 = commitment0[r if commitment0.shape[0] > 1 else 0]
        for k in range(interop.shape[1]):
            now = interop[r, k]
            room = 1.0 - now if practice[r, k] >= 0.0 else now
            forces = task_force[k] * active[r, k]
            value = now + (
                g_x * practice[r, k] / 12.0 * room
                + g_t * forces * (1.0 - now)
                - d_i * (now - i0[k])
            )
            interop[r, k] = minimum(maximum(value, 0.0), 1.0)
            held = cred[r, k]
            resting = k0[k] * commitment[r, k] / maximum(c0[k], EPS)
            room = 1.0 - held if presence[r, k] >= 0.0 else held
            value = held + (g_p * presence[r, k] * room - d_k * (held - resting))
            cred[r, k] = minimum(maximum(value, 0.0), 1.0) if clip else value


def _alliance_activity(
    world: World, state: State, levers: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Departures of each alliance's practice and presence from the status quo's, ``(R, K)``.

    Practice: exercises per year among the members; presence: the hub's forward presence
    with them (capped at 1). Each less what the status quo's policies give the same members.
    Recomputed only when the policies in force or the membership change, and then each part
    only if what it reads changed: the status quo's parts read the membership alone, and a
    change of policies often leaves the exercises or the hubs' presence as they were.
    """
    cached = state.alliance_cache
    # ``members`` is :func:`alliance_members`' read-only array, the same object while the
    # membership in force is unchanged (and compared if a new one).
    same = cached is not None and (cached[1] is members or np.array_equal(cached[1], members))
    if same and cached[0] is levers:
        return cached[2], cached[3]
    terms = lever_terms(world, state, levers)
    if same:
        reference_practice, reference_presence = cached[4], cached[5]
    else:
        reference_practice = _among(members, world.reference_exercises)
        before = world.reference_presence[..., world.hub, :]
        if before.ndim == 2:
            before = before[None]
        reference_presence = np.clip((before * members).sum(axis=2), 0.0, 1.0)
    exercises = terms.exercises
    if same and (cached[6] is exercises or np.array_equal(cached[6], exercises)):
        drilled = cached[7]
    else:
        drilled = _among(members, exercises)
    now = terms.presence[:, world.hub, :]  # (R, K, N): the hub's presence in each country
    if same and np.array_equal(cached[8], now):
        stationed = cached[9]
    else:
        stationed = np.clip((now * members).sum(axis=2), 0.0, 1.0)
    practice = drilled - reference_practice
    presence = stationed - reference_presence
    state.alliance_cache = (
        levers,
        members if not members.flags.writeable else members.copy(),
        practice,
        presence,
        reference_practice,
        reference_presence,
        exercises,
        drilled,
        now,
        stationed,
    )
    return practice, presence


def _among(members: np.ndarray, exercises: np.ndarray) -> np.ndarray:
    """Exercises per year among each alliance's members, ``(R, K)``."""
    return ((members @ exercises) * members).sum(axis=2) / 2.0
