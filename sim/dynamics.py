"""The model's dynamics, written once as array operations over replicates.

Every array carries a leading replicate axis ``R``; country arrays are ``(R, N)``, dyad matrices
``(R, N, N)``, alliance arrays ``(R, K)``. The batched engine (:mod:`sim.engine`) advances many
replicates at once and the Mesa model (:mod:`sim.model`) advances one (``R = 1``) through the
same :func:`advance`. Each mechanism is one function named for it; ``docs/model.md`` gives the
equations under the same names.

One step is one month; yearly rates are multiplied by ``DT = 1/12``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.rng import Stream, box_muller, draw
from sim.world import LEVER_INDEX, MONTH_STREAMS, NEVER, World

DT = 1.0 / 12.0
WAR = 5
_EPS = 1e-9


@dataclass
class State:
    """Everything that changes during a run, for R replicates.

    Attributes:
        step: Current month (the same for all replicates).
        keys: Per-replicate random keys.
        milex: Military spending, US$ bn/yr, ``(R, N)``.
        alignment: Position on the China (−1) – US (+1) axis, ``(R, N)``.
        tension: Dyadic tension in [0, 1], ``(R, N, N)``, symmetric.
        level: Escalation level of each dyad's active incident (0 calm … 5 war), ``(R, N, N)``.
        memory: Remembered hostile acts (level-weighted), ``(R, N, N)``.
        transfers: Delivered arms still in service, US$ bn, donor × recipient, ``(R, N, N)``.
        members: Alliance membership, ``(R, K, N)``.
        commitment: Alliance commitment, ``(R, K)``.
        interoperability: Alliance interoperability, ``(R, K)``.
        credibility: Alliance credibility, ``(R, K)``.
        alliance_start: Month each alliance comes into force, ``(R, K)``.
        alliance_end: Month each alliance ends (exclusive), ``(R, K)``.
        policy_start: Month each policy starts, ``(R, P)``.
        policy_end: Month each policy ends (exclusive), ``(R, P)``.
        fired: Whether each conditional event has fired, ``(R, E)``.
        threat: Perceived threat in [0, 1), ``(R, N)`` (last computed).
        abandonment: Abandonment fear, ``(R, N)``.
        entrapment: Entrapment fear, ``(R, N)``.
        new_incidents: Dyads with a new incident this step, ``(R, D)`` over upper-triangle dyads.
        max_level: Highest escalation level reached so far per dyad, ``(R, D)``.
        log: Event records of this step (filled only when logging is on).
        lever_cache: Last month's policies in force and the levers they gave.
        terms_cache: The lever tensor last read and the terms derived from it.
        alliance_cache: Levers and membership last seen by the alliance dynamics, and the
            exercise and presence totals derived from them.
        bond_cache: Membership and commitment last seen by the alliance fears, and the
            entrapment bonds derived from them.
        membership_cache: Membership last seen and the :class:`Membership` derived from it.
        draws: This month's random draws by stream (see :func:`month_draws`), with the month.
        gaps_cache: Alignment last seen and its :func:`alignment_gaps` (the gaps tension
            reads at the end of a month are the ones threat reads at the start of the next).
    """

    step: int
    keys: np.ndarray
    milex: np.ndarray
    alignment: np.ndarray
    tension: np.ndarray
    level: np.ndarray
    memory: np.ndarray
    transfers: np.ndarray
    members: np.ndarray
    commitment: np.ndarray
    interoperability: np.ndarray
    credibility: np.ndarray
    alliance_start: np.ndarray
    alliance_end: np.ndarray
    policy_start: np.ndarray
    policy_end: np.ndarray
    fired: np.ndarray
    threat: np.ndarray
    abandonment: np.ndarray
    entrapment: np.ndarray
    new_incidents: np.ndarray
    max_level: np.ndarray
    log: list[dict[str, Any]] = field(default_factory=list)
    lever_cache: tuple[np.ndarray, np.ndarray] | None = None
    terms_cache: tuple[np.ndarray, LeverTerms] | None = None
    alliance_cache: tuple[np.ndarray, ...] | None = None
    bond_cache: tuple[np.ndarray, ...] | None = None
    membership_cache: tuple[np.ndarray, Membership] | None = None
    gaps_cache: tuple[np.ndarray, ...] | None = None
    draws: tuple[int, dict[Stream, np.ndarray]] | None = None

    @property
    def replicates(self) -> int:
        """Number of replicates R."""
        return self.keys.shape[0]


# --------------------------------------------------------------------------------------------
# Helpers


def _upper(world: World, matrix: np.ndarray) -> np.ndarray:
    # Contiguous, so that reductions over it never depend on the batch's memory layout.
    return np.ascontiguousarray(matrix[:, world.dyad_i, world.dyad_j])


def _zero_diagonal(matrices: np.ndarray) -> None:
    """Set the diagonal of every ``(N, N)`` matrix of an ``(R, N, N)`` array to zero."""
    n = matrices.shape[-1]
    matrices.reshape(matrices.shape[0], n * n)[:, :: n + 1] = 0.0


def _max_along(values: np.ndarray, axis: int) -> np.ndarray:
    """``values.max(axis)``; on big arrays as a loop of pairwise maxima (exact either way).

    NumPy reduces a short axis in many tiny inner loops; the loop over it runs a few long
    elementwise passes instead, about twice as fast from some 10,000 elements up.
    """
    if values.size < 12_000:
        return values.max(axis=axis)
    slices = np.moveaxis(values, axis, 0)
    out = slices[0].copy()
    for part in slices[1:]:
        np.maximum(out, part, out=out)
    return out


def alignment_distance(alignment: np.ndarray) -> np.ndarray:
    """Squared half-distance on the alignment axis, ``((A_i − A_j) / 2)²``, in [0, 1]."""
    return alignment_gaps(alignment)[1]


def alignment_gaps(alignment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-distances ``|A_i − A_j| / 2`` and their squares, each ``(R, N, N)``.

    Computed together because tension needs both (``√distance`` is the half-gap exactly).
    """
    half = np.abs(alignment[:, :, None] - alignment[:, None, :])
    half *= 0.5
    return half, half * half


def month_draws(world: World, state: State, stream: Stream) -> np.ndarray:
    """This month's uniforms of one stream, ``(R, ·)`` (see :attr:`World.month_draws`).

    All streams are drawn in one pass at the first request of a month; each draw is the number
    :func:`sim.rng.uniforms` gives for it.
    """
    if state.draws is None or state.draws[0] != state.step:
        blocks = draw(state.keys, state.step, world.month_draws)
        state.draws = (state.step, dict(zip(MONTH_STREAMS, blocks, strict=True)))
    return state.draws[1][stream]


def _current_gaps(state: State) -> tuple[np.ndarray, np.ndarray]:
    """:func:`alignment_gaps` of the current alignment, reused while it is unchanged."""
    cached = state.gaps_cache
    if cached is not None and np.array_equal(cached[0], state.alignment):
        return cached[1], cached[2]
    half, distance = alignment_gaps(state.alignment)
    half.flags.writeable = distance.flags.writeable = False  # shared: nobody may change them
    state.gaps_cache = (state.alignment.copy(), half, distance)
    return half, distance


def active_levers(world: World, state: State) -> np.ndarray:
    """Sum the lever templates of the policies in force this month.

    Returns:
        Array ``(R, L, N, N)``: lever kind × actor × partner.
    """
    t = state.step
    active = (state.policy_start <= t) & (t < state.policy_end)
    cached = state.lever_cache
    if cached is None:
        levers = _lever_sums(world, active, np.arange(state.replicates))
    else:
        # Policies change rarely, and in few replicates at a time (conditional events): only
        # the replicates whose policies changed are summed again.
        changed = np.flatnonzero((cached[0] != active).any(axis=1))
        if changed.size == 0:
            return cached[1]
        levers = cached[1].copy()
        levers[changed] = _lever_sums(world, active, changed)
    levers.flags.writeable = False  # shared between months: nobody may change it in place
    state.lever_cache = (active, levers)
    return levers


def _lever_sums(world: World, active: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The lever tensor ``(len(rows), L, N, N)`` of the given replicates.

    The sum runs policy by policy, so each replicate's levers are the same whatever else is
    summed with them; policies in force nowhere among ``rows`` add exactly zero and are
    skipped. Stacked sweep samples may have their own templates for some policies
    (``World.lever_overrides``).
    """
    shape = world.levers.shape
    size = shape[1] * shape[2] * shape[3]
    templates = world.levers.reshape(shape[0], size)
    own = _own_templates(world)
    on = active[rows]
    sums = np.zeros((len(rows), size))
    for p in np.flatnonzero(on.any(axis=0)):
        template = own[p].reshape(-1, size)[rows] if p in own else templates[p]
        sums += on[:, p, None] * template
    return sums.reshape(len(rows), *shape[1:])


def _own_templates(world: World) -> dict[int, np.ndarray]:
    """Per-replicate lever templates ``(R, L, N, N)`` by policy, from ``World.lever_overrides``."""
    if world.lever_overrides is None:
        return {}
    policies, templates = world.lever_overrides
    return {int(p): templates[:, j] for j, p in enumerate(policies)}


@dataclass(frozen=True)
class LeverTerms:
    """Quantities that depend only on the policies in force, derived once per change of them.

    Policies start and stop rarely, so most months reuse these instead of re-deriving them
    from the ``(R, L, N, N)`` lever tensor. Dyad quantities are over upper-triangle dyads.

    Attributes:
        assistance_in: Assistance each country receives, US$ bn/yr, ``(R, N)``.
        coercion_on: Coercion suffered, ``[i, j]`` = j's coercion of i, ``(R, N, N)``; None
            when nobody coerces.
        coercion_dyad: Coercion within each dyad, either way, ``(R, D)``.
        presence_dyad: Foreign presence in either member of each dyad, capped at 1, ``(R, D)``.
        ceasefire_dyad: Ceasefire strength of each dyad, ``(R, D)``.
        channel: Deconfliction channels, symmetric, ``(R, N, N)``; None when there are none.
        dialogue: Dialogue and ceasefires over upper-triangle dyads, ``(R, D)``.
        relief: Relief from dialogue alone, ``min(1, dialogue)`` (used when no channel is
            open), ``(R, D)``.
        donors: Countries that can give aid, nuclear cooperation or arms (static).
        aid: Aid and inducements from each donor, ``(R, len(donors), N)``.
        nuclear: Civil nuclear cooperation from each donor, ``(R, len(donors), N)``.
        traders: Countries with trade deals (static).
        trade: Trade deals of each trader, ``(R, len(traders), N)``.
        exercises: Joint exercises per year, symmetric, ``(R, N, N)``.
        presence: Forward presence, actor × host, ``(R, N, N)``.
    """

    assistance_in: np.ndarray
    coercion_on: np.ndarray | None
    coercion_dyad: np.ndarray
    presence_dyad: np.ndarray
    ceasefire_dyad: np.ndarray
    channel: np.ndarray | None
    dialogue: np.ndarray
    relief: np.ndarray
    donors: np.ndarray
    aid: np.ndarray
    nuclear: np.ndarray
    traders: np.ndarray
    trade: np.ndarray
    exercises: np.ndarray
    presence: np.ndarray


def lever_terms(world: World, state: State, levers: np.ndarray) -> LeverTerms:
    """The :class:`LeverTerms` of a lever tensor (cached while the tensor is unchanged)."""
    cached = state.terms_cache
    if cached is not None and cached[0] is levers:
        return cached[1]
    kind = LEVER_INDEX
    coercion = levers[:, kind["coercion"]]
    presence_in = levers[:, kind["presence"]].sum(axis=1)
    ceasefire = levers[:, kind["ceasefire"]]
    channel = levers[:, kind["channel"]]
    channel = np.maximum(channel, channel.transpose(0, 2, 1))
    dialogue = levers[:, kind["dialogue"]] + levers[:, kind["ceasefire"]]
    dialogue = np.maximum(dialogue, dialogue.transpose(0, 2, 1))
    exercises = levers[:, kind["exercises"]]
    aid = levers[:, kind["assistance"]] + levers[:, kind["inducement"]]
    donors, traders = world.donors, world.traders
    terms = LeverTerms(
        assistance_in=levers[:, kind["assistance"]].sum(axis=1),
        coercion_on=np.ascontiguousarray(coercion.transpose(0, 2, 1)) if coercion.any() else None,
        coercion_dyad=_upper(world, coercion + coercion.transpose(0, 2, 1)),
        presence_dyad=np.clip(
            presence_in[:, world.dyad_i] + presence_in[:, world.dyad_j], 0.0, 1.0
        ),
        ceasefire_dyad=_upper(world, np.maximum(ceasefire, ceasefire.transpose(0, 2, 1))),
        channel=channel if channel.any() else None,
        dialogue=_upper(world, dialogue),
        relief=np.clip(_upper(world, dialogue), 0.0, 1.0),
        donors=donors,
        aid=np.ascontiguousarray(aid[:, donors]),
        nuclear=np.ascontiguousarray(levers[:, kind["nuclear"]][:, donors]),
        traders=traders,
        trade=np.ascontiguousarray(levers[:, kind["trade"]][:, traders]),
        exercises=exercises + exercises.transpose(0, 2, 1),
        presence=levers[:, kind["presence"]],
    )
    state.terms_cache = (levers, terms)
    return terms


def capability(world: World, state: State, levers: np.ndarray) -> np.ndarray:
    """Military capability (US$ bn/yr): own spending, assistance received, arms in service.

    Delivered arms count as an annuity over a ten-year service life.
    """
    assistance = lever_terms(world, state, levers).assistance_in
    if world.delivery_policy.size == 0:
        return state.milex + assistance  # no deliveries: the inventories stay empty
    return state.milex + assistance + state.transfers.sum(axis=1) / 10.0


# --------------------------------------------------------------------------------------------
# 4. Alliance architecture


@dataclass(frozen=True)
class Membership:
    """Quantities that depend only on who belongs to which alliance in force.

    Membership changes only with events and alliance start or end dates, so most months reuse
    these (see :func:`membership`).

    Attributes:
        allied: Whether each country has an ally, ``(R, N)``.
        active: Whether each alliance has members (is in force), ``(R, K)``.
        across: For each alliance and incident dyad, 1 when exactly one side is a member,
            ``(R, K, len(World.incident_dyads))``.
        pair_i: First country of each pair that shares an alliance in some replicate, ``(S,)``.
        pair_j: Second country of each such pair (``pair_i < pair_j``), ``(S,)``.
        shared: 1 where both countries of pair s are in alliance k, ``(R, S, K)``.
    """

    allied: np.ndarray
    active: np.ndarray
    across: np.ndarray
    pair_i: np.ndarray
    pair_j: np.ndarray
    shared: np.ndarray


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
    best = _max_along(members * pledge[:, :, None], axis=1)
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
    entrapment = _max_along(bonds * exposure[:, :, None], axis=1)
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
    _zero_diagonal(bonds)
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
    resting = world.credibility0 * state.commitment / np.maximum(world.commitment0, _EPS)
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
        cred += np.where(challenges > 0, delta, 0.0)
        if state.log is not None:
            for r, k in zip(*np.nonzero(challenges > 0), strict=True):
                state.log.append(
                    {
                        "replicate": int(r),
                        "type": "alliance_response" if respond[r, k] else "abandonment",
                        "actors": [world.codes[i] for i in np.nonzero(members[r, k])[0].tolist()],
                        "level": None,
                        "cause": f"{world.alliance_names[k]}: credibility now {cred[r, k]:.2f}",
                    }
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


# --------------------------------------------------------------------------------------------
# 2. Threat perception


def threat_perception(
    world: World,
    state: State,
    ties: np.ndarray,
    levers: np.ndarray,
    capability_now: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Walt's balance of threat.

    Hostility of j towards i combines ideological distance, territorial claims, remembered
    hostile acts and gray-zone coercion: ``h_ij = d_ij² + w_c·dispute_ij + w_a·memory_ij +
    coercion_ji``. Exposure ``H_ij = proximity_ij · h_ij · (1 − δ·W_ij)`` discounts allies.
    The threat j poses to i is j's aggregate power (own capability plus a share λ of its
    allies', ``c_j + λ Σ_m W_jm c_m``) as a share of the region's, times exposure, and
    perceived threat saturates: ``threat_i = 1 − exp(−θ Σ_j T_ij)``.

    Returns:
        ``(T, H, threat)``: threat matrix, exposure matrix (without capability), and per-country
        perceived threat.
    """
    p = world.params.threat
    coercion = lever_terms(world, state, levers).coercion_on
    hostility = _current_gaps(state)[1] + p.claims_weight * world.dispute
    hostility += p.hostile_acts_weight * state.memory
    if coercion is not None:
        hostility += coercion
    exposure = world.proximity * hostility * (1.0 - p.ally_discount * ties)
    # Aggregate power (Walt): a state's allies add to the power it can bring to bear.
    power = capability_now + p.coalition_weight * np.einsum("rjm,rm->rj", ties, capability_now)
    share = power / capability_now.sum(axis=1, keepdims=True)
    threat_matrix = share[:, None, :] * exposure
    threat = -np.expm1(-p.sensitivity * threat_matrix.sum(axis=2))
    return threat_matrix, exposure, threat


# --------------------------------------------------------------------------------------------
# 1. Capabilities and arms dynamics


def richardson_step(
    milex: np.ndarray,
    reaction: np.ndarray,
    fatigue: float,
    grievance: np.ndarray,
    dt: float = DT,
) -> np.ndarray:
    """One Euler step of Richardson's arms race ``dm/dt = K·m − a·m + g``.

    Args:
        milex: Spending ``(R, N)``.
        reaction: Reaction matrix ``K`` ``(R, N, N)``: i's response to j's spending.
        fatigue: Fatigue coefficient ``a`` (1/yr).
        grievance: Grievance ``g`` ``(R, N)`` or ``(N,)``.
        dt: Time step in years.

    Returns:
        Spending after the step (unclipped).
    """
    rate = np.einsum("rij,rj->ri", reaction, milex) - fatigue * milex + grievance
    return milex + dt * rate


def arms_reaction(world: World, exposure: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Richardson reaction matrix: rivals push spending up, allies substitute for it.

    ``K = k · D (H (I + λW) − π W) D⁻¹`` with ``D = diag(GDP)``: i responds to the spending of
    states it is exposed to and of their allies (aggregate power, λ = coalition weight), in
    proportion to what its economy can bear relative to theirs, and counts a share π of its
    own allies' spending as its own (buck-passing). The GDP ratios cancel in the stability
    condition ``K_ij K_ji < a²`` of every dyad.
    """
    p = world.params.arms
    coalition = world.params.threat.coalition_weight
    scale = world.gdp[..., :, None] / world.gdp[..., None, :]
    # i also answers the spending of its rivals' allies: H (I + λW).
    rivals = exposure + coalition * (exposure @ ties)
    return p.reaction * (rivals - p.ally_pooling * ties) * scale


def arms_drift(
    world: World, state: State, exposure: np.ndarray, ties: np.ndarray, abandonment: np.ndarray
) -> np.ndarray:
    """Yearly spending change without the grievance term (used for anchoring and stepping)."""
    p = world.params.arms
    zero = np.zeros_like(state.milex)
    moved = richardson_step(state.milex, arms_reaction(world, exposure, ties), p.fatigue, zero, 1.0)
    # Internal balancing against abandonment scales with the baseline budget, not the current
    # one: proportional feedback would erode the fatigue term and destabilise the race.
    return moved - state.milex + p.abandonment_arming * abandonment * world.milex0


def arms_dynamics(
    world: World, state: State, exposure: np.ndarray, ties: np.ndarray, abandonment: np.ndarray
) -> np.ndarray:
    """Advance spending one month within ``[0, ceiling]``; return annualised growth rates."""
    drift = arms_drift(world, state, exposure, ties, abandonment)
    new = np.clip(state.milex + DT * (drift + world.grievance), 0.0, world.ceiling)
    growth = (new - state.milex) / np.maximum(state.milex, _EPS) * 12.0
    state.milex = new
    return growth


# --------------------------------------------------------------------------------------------
# 3. Alignment and hedging


def alignment_forces(
    world: World,
    state: State,
    threat_matrix: np.ndarray,
    members: np.ndarray,
    levers: np.ndarray,
    abandonment: np.ndarray,
    entrapment: np.ndarray,
) -> np.ndarray:
    """Pulls on each country's alignment, without the anchor (``(R, N)``).

    security: away from the pole of those one fears, ``−Σ_j T_ij A_j``;
    alliances: towards each alliance's hub, ``Σ_k s_k (A_hub(k) − A_i)``;
    economy: trade tilt, ``(trade_US − trade_CN) + Σ_a deal_ai A_a``;
    inducements: ``Σ_a tanh(aid_ai / capability_i + 0.1·nuclear_ai + arms_ai) A_a``;
    ASEAN: consensus ``(Ā_ASEAN − A_i)`` and hedging ``−A_i``;
    alliance fears: ``−(entrapment + abandonment) A_i`` (distancing, hedging).
    """
    p = world.params.alignment
    A = state.alignment
    security = -np.einsum("rij,rj->ri", threat_matrix, A)
    # Alliances pull members towards their patron (the hub), not towards each other.
    credible, _ = pledge_strength(world, state)
    hub_alignment = A[:, world.hub]  # (R, K)
    alliance = np.einsum("rk,rki,rk->ri", credible, members, hub_alignment) - (
        np.einsum("rk,rki->ri", credible, members) * A
    )
    # Only donors and traders have nonzero levers: the sums skip the zero rows.
    terms = lever_terms(world, state, levers)
    deals = np.einsum("rai,ra->ri", terms.trade, A[:, terms.traders])
    economy = world.trade_us - world.trade_china + deals
    own = np.maximum(state.milex, 0.05)[:, None, :]
    received = state.transfers[:, terms.donors] / 10.0 / own
    intensity = np.tanh(terms.aid / own + 0.1 * terms.nuclear + received)
    inducement = np.einsum("rai,ra->ri", intensity, A[:, terms.donors])
    asean = world.asean.astype(float)
    mean_asean = (A * asean).sum(axis=1, keepdims=True) / max(asean.sum(), 1.0)
    forces = (
        p.security_weight * security
        + p.alliance_weight * alliance
        + p.economic_weight * economy
        + p.inducement_weight * inducement
        + p.neighbour_weight * asean * (mean_asean - A)
        - p.hedging_weight * asean * A
        - p.entrapment_weight * (entrapment + abandonment) * A
    )
    return np.where(world.pole, 0.0, forces)


def alignment_dynamics(world: World, state: State, forces: np.ndarray) -> None:
    """Move alignment by ``rate · (forces + anchor) + noise`` within [−1, 1]; poles stay."""
    p = world.params.alignment
    noise = p.noise_sd * box_muller(
        month_draws(world, state, Stream.ALIGNMENT_A), month_draws(world, state, Stream.ALIGNMENT_B)
    )
    moved = state.alignment + p.rate * (forces + world.alignment_anchor) + noise
    state.alignment = np.where(world.pole, state.alignment, np.clip(moved, -1.0, 1.0))


# --------------------------------------------------------------------------------------------
# 5. Incidents and escalation


def deterrence(
    world: World, ties: np.ndarray, capability_now: np.ndarray, dyads: np.ndarray
) -> np.ndarray:
    """Credible allied backing of the given upper-triangle dyads, in [0, 1) (``(R, len(dyads))``).

    Backing of i against j: allied capability relative to j's, ``Σ_m W_im c_m / c_j``; a dyad
    is deterred by the stronger of the two backings, squashed as ``1 − exp(−x)``.
    """
    backing = np.einsum("rim,rm->ri", ties, capability_now)
    safe = np.maximum(capability_now, _EPS)
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


# --------------------------------------------------------------------------------------------
# 6. Tension


def base_tension(
    world: World, alignment: np.ndarray, distance: np.ndarray | None = None
) -> np.ndarray:
    """Structural tension of each dyad: disputes plus distance between blocs (``(R, N, N)``).

    The diagonal is zero: a country has no dispute with, and no distance from, itself.
    """
    p = world.params.tension
    if distance is None:
        distance = alignment_distance(alignment)
    return p.dispute_base * world.dispute + p.bloc_base * distance


def resting_tension(world: World, alignment: np.ndarray) -> np.ndarray:
    """Tension at rest without incidents, arms racing or talks (the initial tension).

    The fixed point of :func:`tension_dynamics` with only structure and polarisation:
    ``τ* = base + g_P·P·|A_i − A_j|/2 / ρ``.
    """
    p = world.params.tension
    bloc = polarization(alignment)[:, None, None] * np.sqrt(alignment_distance(alignment))
    rest = base_tension(world, alignment) + p.polarization_gain * bloc / np.maximum(
        p.relaxation, _EPS
    )
    rest[:, np.eye(world.n, dtype=bool)] = 0.0
    return np.clip(rest, 0.0, 1.0)


def polarization(alignment: np.ndarray) -> np.ndarray:
    """Mean half-distance between all pairs of countries on the alignment axis, in [0, 1]."""
    n = alignment.shape[1]
    gaps = np.abs(alignment[:, :, None] - alignment[:, None, :]).sum(axis=(1, 2))
    return gaps / (n * (n - 1)) / 2.0


def tension_dynamics(
    world: World,
    state: State,
    levers: np.ndarray,
    channels: np.ndarray,
    growth: np.ndarray,
) -> None:
    """Raise tension with incidents, arms racing and polarisation; relax it by talks (in place).

    ``τ += g_I·level + g_R·max(ġ_i,0)·max(ġ_j,0)·hostile_ij + g_P·P·|A_i − A_j|/2
    − (ρ + ρ_D·relief)(τ − base·(1 − ½ relief))``, clipped to [0, 1], with
    ``relief = min(1, dialogue + channel + ceasefire)``.
    """
    p = world.params.tension
    n = world.n
    i, j = world.dyad_i, world.dyad_j
    terms = lever_terms(world, state, levers)
    if channels is None:
        relief = terms.relief
    else:
        relief = np.clip(terms.dialogue + _upper(world, channels), 0.0, 1.0)
    # Every term is symmetric, so it is computed once per dyad (upper triangle) and mirrored.
    # Polarization is the mean half-gap over all ordered pairs of the full matrix.
    gaps = _current_gaps(state)[0]
    polar = gaps.sum(axis=(1, 2)) / (n * (n - 1))
    half_gap = gaps[:, i, j]
    distance = half_gap * half_gap
    dispute = world.dispute[i, j]
    hostile = np.clip(dispute + distance, 0.0, 1.0)
    rising = np.maximum(growth, 0.0)
    race = rising[:, i] * rising[:, j] * hostile
    bloc = polar[:, None] * half_gap
    target = (p.dispute_base * dispute + p.bloc_base * distance) * (1.0 - 0.5 * relief)
    tau = state.tension[:, i, j]
    moved = tau + (
        p.incident_gain * state.level[:, i, j]
        + p.arms_race_gain * race
        + p.polarization_gain * bloc
        - (p.relaxation + p.dialogue_relief * relief) * (tau - target)
    )
    np.clip(moved, 0.0, 1.0, out=moved)
    tension = np.zeros_like(state.tension)  # the diagonal stays zero
    tension[:, i, j] = moved
    tension[:, j, i] = moved
    state.tension = tension


def memory_dynamics(world: World, state: State) -> None:
    """Exponentially weighted memory of hostile acts (level-weighted incidents)."""
    keep = np.exp(-1.0 / world.params.threat.memory_months)
    state.memory = keep * state.memory + (1.0 - keep) * state.level


def deliveries(world: World, state: State) -> None:
    """Add scheduled arms deliveries to recipients' inventories; retire old ones (in place)."""
    if world.delivery_policy.size == 0:
        return  # the inventories stay empty
    state.transfers *= 1.0 - 1.0 / 120.0  # ten-year service life
    start = state.policy_start[:, world.delivery_policy]  # (R, D)
    due = (start + world.delivery_after == state.step) & (start < NEVER)
    if not due.any():
        return
    transfer = LEVER_INDEX["transfer"]
    own = _own_templates(world)  # stacked sweep samples may differ in their templates
    amount = due * world.delivery_value
    delivered = np.zeros_like(state.transfers)
    for d, p in enumerate(world.delivery_policy.tolist()):  # one by one: any batch, same sums
        template = own[p][:, transfer] if p in own else world.levers[p, transfer]
        delivered += amount[:, d, None, None] * template
    state.transfers += delivered


# --------------------------------------------------------------------------------------------
# 7. Events (timeline and conditional)


def fire_events(world: World, state: State, lookup: Any) -> None:
    """Apply the events due this month (scheduled, or whose condition now holds)."""
    t, r = state.step, state.replicates
    for e, event in enumerate(world.events):
        if event.condition is None:
            if event.step != t:
                continue
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
            actors = _event_actors(world, event)
            for rep in np.nonzero(mask)[0].tolist():
                state.log.append(
                    {
                        "replicate": rep,
                        "type": f"inject:{event.kind}",
                        "actors": actors,
                        "level": _level_name(event.level) if event.kind == "incident" else None,
                        "cause": f"event {event.name}"
                        + (" (condition met)" if event.condition is not None else ""),
                    }
                )


def _event_actors(world: World, event: Any) -> list[str]:
    if event.dyad[0] >= 0:
        return [world.codes[i] for i in event.dyad]
    if event.country >= 0:
        return [world.codes[event.country]]
    if event.policy >= 0:
        return [world.codes[world.policy_actor[event.policy]]]
    return []


def _level_name(level: int) -> str | None:
    from sim.scenario import ESCALATION_LEVELS

    return ESCALATION_LEVELS[level - 1] if level > 0 else None


def _apply_event(world: World, state: State, event: Any, mask: np.ndarray) -> None:
    t = state.step
    i, j = event.dyad
    if event.kind == "incident":
        level = np.maximum(state.level[mask, i, j], event.level)
        state.level[mask, i, j] = state.level[mask, j, i] = level
        d = world.dyad_index(i, j)
        state.max_level[mask, d] = np.maximum(state.max_level[mask, d], level)
    elif event.kind == "tension_shock":
        value = np.clip(state.tension[mask, i, j] + event.value, 0.0, 1.0)
        state.tension[mask, i, j] = state.tension[mask, j, i] = value
    elif event.kind in ("join_alliance", "leave_alliance"):
        state.members[mask, event.alliance, event.country] = event.kind == "join_alliance"
    elif event.kind == "set_commitment":
        state.commitment[mask, event.alliance] = event.value
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


# --------------------------------------------------------------------------------------------
# The step


def initial_state(world: World, keys: np.ndarray, *, log: bool = False) -> State:
    """The state at month 0 for the replicates with the given keys."""
    r, n, k = len(keys), world.n, len(world.alliance_names)
    alignment = np.broadcast_to(world.alignment0, (r, n)).copy()
    state = State(
        step=0,
        keys=keys,
        milex=np.broadcast_to(world.milex0, (r, n)).copy(),
        alignment=alignment,
        tension=resting_tension(world, alignment),
        level=np.zeros((r, n, n), dtype=np.int8),
        memory=np.zeros((r, n, n)),
        transfers=np.zeros((r, n, n)),
        members=np.broadcast_to(world.members0, (r, k, n)).copy(),
        commitment=np.broadcast_to(world.commitment0, (r, k)).copy(),
        interoperability=np.broadcast_to(world.interoperability0, (r, k)).copy(),
        credibility=np.broadcast_to(world.credibility0, (r, k)).copy(),
        alliance_start=np.broadcast_to(world.alliance_start0, (r, k)).copy(),
        alliance_end=np.broadcast_to(world.alliance_end0, (r, k)).copy(),
        policy_start=np.broadcast_to(world.policy_start0, (r, len(world.policy_names))).copy(),
        policy_end=np.broadcast_to(world.policy_end0, (r, len(world.policy_names))).copy(),
        fired=np.zeros((r, len(world.events)), dtype=bool),
        threat=np.zeros((r, n)),
        abandonment=np.zeros((r, n)),
        entrapment=np.zeros((r, n)),
        new_incidents=np.zeros((r, len(world.dyad_i)), dtype=bool),
        max_level=np.zeros((r, len(world.dyad_i)), dtype=np.int8),
        log=[] if log else None,  # type: ignore[arg-type]
    )
    observe(world, state)
    return state


def observe(world: World, state: State) -> None:
    """Compute the derived quantities (threat, fears) for the current state, in place."""
    levers = active_levers(world, state)
    ties, _, members = alliance_ties(world, state)
    _, _, threat = threat_perception(world, state, ties, levers, capability(world, state, levers))
    state.threat = threat
    state.abandonment, state.entrapment = alliance_fears(world, state, members, threat)


def advance(world: World, state: State, lookup: Any = None) -> None:
    """Advance all replicates by one month, in place.

    Order within a month: events fire; levers and ties are read; threat and fears are
    perceived; spending, alignment and alliances respond; incidents start and escalate;
    tension moves; memories and inventories update.

    Args:
        world: The compiled scenario.
        state: The state to advance (its ``step`` becomes ``step + 1``).
        lookup: Quantity lookup for conditional events (see :mod:`sim.metrics`); required
            when the world has conditional events.
    """
    logged = len(state.log) if state.log is not None else 0
    if world.events:
        fire_events(world, state, lookup)
    levers = active_levers(world, state)
    deliveries(world, state)
    ties, promise, members = alliance_ties(world, state)
    cap = capability(world, state, levers)
    threat_matrix, exposure, threat = threat_perception(world, state, ties, levers, cap)
    abandonment, entrapment = alliance_fears(world, state, members, threat)
    state.threat, state.abandonment, state.entrapment = threat, abandonment, entrapment

    forces = alignment_forces(world, state, threat_matrix, members, levers, abandonment, entrapment)
    growth = arms_dynamics(world, state, exposure, ties, abandonment)
    alignment_dynamics(world, state, forces)
    channels = effective_channels(world, state, levers, ties)
    new, up, down = incidents_and_escalation(world, state, levers, ties, promise, cap, channels)
    level = _upper(world, state.level)
    alliance_dynamics(world, state, levers, members, up & (level >= 2))
    tension_dynamics(world, state, levers, channels, growth)
    memory_dynamics(world, state)
    if state.log is not None:
        _log_incidents(world, state, new, up, down, level)
        for record in state.log[logged:]:
            record["step"] = state.step + 1
    state.step += 1


def _log_incidents(
    world: World, state: State, new: np.ndarray, up: np.ndarray, down: np.ndarray, level
) -> None:
    for mask, kind in ((new, "incident"), (up, "escalation"), (down, "deescalation")):
        for r, d in zip(*np.nonzero(mask), strict=True):
            i, j = int(world.dyad_i[d]), int(world.dyad_j[d])
            cause = world.dispute_kind.get((i, j), "gray-zone coercion")
            state.log.append(
                {
                    "replicate": int(r),
                    "type": kind,
                    "actors": [world.codes[i], world.codes[j]],
                    "level": _level_name(int(level[r, d])) or "calm",
                    "cause": cause,
                }
            )


def anchors(reference: World) -> tuple[np.ndarray, np.ndarray]:
    """Richardson grievances and alignment dispositions that hold the reference world at rest.

    The observed baseline is taken as the steady state of the reference world (the ATOP 2018
    treaty network, no policies): ``g_i = −drift_i`` and ``b_i = −F_i`` at month 0, the way
    computable general-equilibrium models are calibrated to a base year.
    """
    keys = np.zeros(1, dtype=np.uint64)
    state = initial_state(reference, keys)
    levers = active_levers(reference, state)
    ties, _, members = alliance_ties(reference, state)
    cap = capability(reference, state, levers)
    threat_matrix, exposure, threat = threat_perception(reference, state, ties, levers, cap)
    abandonment, entrapment = alliance_fears(reference, state, members, threat)
    grievance = -arms_drift(reference, state, exposure, ties, abandonment)[0]
    forces = alignment_forces(
        reference, state, threat_matrix, members, levers, abandonment, entrapment
    )[0]
    return grievance, np.where(reference.pole, 0.0, -forces)
