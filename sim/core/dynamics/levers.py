"""Policies in force and what they deliver (``docs/model.md`` §7, first half).

Every policy is a lever template (kind × actor × partner); :func:`active_levers` sums the
templates in force this month. :class:`LeverTerms` holds what the mechanisms read from the sum,
:func:`capability` adds assistance and arms in service to own spending, and
:func:`deliveries` moves scheduled arms transfers into the recipients' inventories.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.state import LeverTerms, State, maximum, minimum
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
    if state.played is None and not state.overlay_anywhere:
        levers = decided_levers(world, state, scripted)
    else:
        summed = scripted + state.overlay
        if state.played is not None:
            summed += state.played
        levers = np.maximum(summed, 0.0)
    levers.flags.writeable = False  # shared between months: nobody may change it in place
    state.overlay_cache = (scripted, versions, levers)
    return levers


def decided_levers(world: World, state: State, scripted: np.ndarray) -> np.ndarray:
    """``max(scripted + overlay, 0)`` where the states' decisions can have moved a lever.

    The rule moves only the levers of its menu (:func:`~sim.core.dynamics.decisions.apply_choices`),
    so only those entries are summed; the others are the scripted levers' (never below zero),
    the same numbers as the whole sum for a fraction of the memory traffic. When the rule's
    moves since the last call are known (:func:`note_moved`) and the scripted levers are the
    same, the last tensor is copied and only the entries moved are summed again.
    """
    last = state.decided_cache
    since = None
    if last is not None and last[0] is scripted and last[2] == state.overlay_version:
        levers = last[1].copy()
        for moved in last[3]:
            _redecided(levers, scripted, state.overlay, moved)
        moved = np.concatenate(last[3]) if last[3] else np.zeros((0, 4), np.int64)
        since = (last[1], np.unique(moved[:, 0]), set(moved[:, 1].tolist()))
    else:
        menu = world.menu
        on = menu.lever >= 0
        floor = _has_negative(state, scripted)
        contiguous = np.ascontiguousarray(scripted)
        args = (menu.lever[on], menu.actor[on], menu.target[on], floor)
        levers = _decided(contiguous, state.overlay, *args)
    state.decided_cache = (scripted, levers, state.overlay_version, [], since)
    return levers


def lever_change(
    state: State, levers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, set[int]] | None:
    """How ``levers`` differs from the tensor before it, if :func:`decided_levers` made it so.

    Returns:
        The tensor before, the replicates that differ (ascending) and the lever kinds that
        do; None when not known (then anything may differ).
    """
    last = state.decided_cache
    if last is None or last[1] is not levers:
        return None
    return last[4]


def note_moved(state: State, entries: np.ndarray) -> None:
    """The decision rule moved the overlay's ``entries`` and counted a new overlay version.

    ``entries`` are ``(E, 4)``: replicate, lever kind, actor, partner. :func:`decided_levers`
    then sums only those again; a version it did not see noted drops what it knew.
    """
    last = state.decided_cache
    if last is None:
        return
    if last[2] == state.overlay_version - 1:
        last[3].append(entries)
        state.decided_cache = (*last[:2], state.overlay_version, last[3], last[4])
    else:
        state.decided_cache = None


@numba.njit(cache=True, nogil=True)
def _redecided(levers, scripted, overlay, entries):
    """``max(scripted + overlay, 0)`` again at ``entries`` ``(E, 4)`` of ``levers``, in place."""
    for e in range(entries.shape[0]):
        r, k, a, t = entries[e, 0], entries[e, 1], entries[e, 2], entries[e, 3]
        levers[r, k, a, t] = maximum(scripted[r, k, a, t] + overlay[r, k, a, t], 0.0)


@numba.njit(cache=True, nogil=True)
def _decided(scripted, overlay, lever, actor, target, floor):
    """:func:`decided_levers` of every replicate, ``(R, L, N, N)``: :func:`_decided_one`."""
    out = np.empty(scripted.shape)
    for r in range(scripted.shape[0]):
        _decided_one(scripted[r], overlay[r], lever, actor, target, floor, out[r])
    return out


@numba.njit(cache=True, nogil=True)
def _decided_one(scripted, overlay, lever, actor, target, floor, out):
    """:func:`decided_levers` of one replicate, into ``out`` ``(L, N, N)``.

    The scripted levers (``max(·, 0)`` where ``floor``, as ``np.maximum`` gives it), then
    ``max(scripted + overlay, 0)`` on the menu's levers: the arithmetic of the array form.
    """
    flat, into = scripted.reshape(-1), out.reshape(-1)
    if floor:
        for x in range(flat.size):
            into[x] = maximum(flat[x], 0.0)
    else:
        for x in range(flat.size):
            into[x] = flat[x]
    for v in range(lever.size):
        k, a, t = lever[v], actor[v], target[v]
        out[k, a, t] = maximum(scripted[k, a, t] + overlay[k, a, t], 0.0)


def _has_negative(state: State, scripted: np.ndarray) -> bool:
    """Whether the scripted levers have a negative entry (checked once per lever tensor)."""
    cached = state.negative_cache
    if cached is None or cached[0] is not scripted:
        state.negative_cache = cached = (scripted, bool((scripted < 0).any()))
    return cached[1]


def scripted_levers(world: World, state: State) -> np.ndarray:
    """Sum the lever templates of the policies in force this month (the scenario's script).

    Returns:
        Array ``(R, L, N, N)``: lever kind × actor × partner.
    """
    t = state.step
    cached = state.lever_cache
    if cached is None:
        active = (state.policy_start <= t) & (t < state.policy_end)
        levers = lever_sums(world, active, np.arange(state.replicates))
    else:
        # Policies change rarely, and in few replicates at a time (conditional events): only
        # the replicates whose policies changed are summed again.
        changed = _changed(state.policy_start, state.policy_end, t, cached[0])
        if changed.size == 0:
            return cached[1]
        active = (state.policy_start <= t) & (t < state.policy_end)
        levers = cached[1].copy()
        levers[changed] = lever_sums(world, active, changed)
    levers.flags.writeable = False  # shared between months: nobody may change it in place
    state.lever_cache = (active, levers)
    return levers


@numba.njit(cache=True, nogil=True)
def _changed(start, end, step, before):
    """The replicates whose policies in force (``start <= step < end``) differ from ``before``.

    Returns:
        Their positions, ascending (what ``np.flatnonzero`` gives).
    """
    reps, count = start.shape
    rows = np.empty(reps, dtype=np.int64)
    found = 0
    for r in range(reps):
        for p in range(count):
            if (start[r, p] <= step and step < end[r, p]) != before[r, p]:
                rows[found] = r
                found += 1
                break
    return rows[:found]


def lever_sums(world: World, active: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The lever tensor ``(len(rows), L, N, N)`` of the given replicates.

    The sum runs policy by policy, so each replicate's levers are the same whatever else is
    summed with them; policies in force nowhere among ``rows`` add exactly zero and are
    skipped. Stacked sweep samples may have their own templates for some policies
    (``World.lever_overrides``); otherwise replicates with the same policies in force are
    summed once.
    """
    shape = world.levers.shape
    size = shape[1] * shape[2] * shape[3]
    templates = world.levers.reshape(shape[0], size)
    own = own_templates(world)
    on = active[rows]
    if not own and len(rows) > 1:  # replicates with the same policies in force share a sum
        patterns, which = np.unique(on, axis=0, return_inverse=True)
        if len(patterns) < len(rows):
            sums = lever_sums(world, patterns, np.arange(len(patterns)))
            return sums[which.reshape(-1)]
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
    """The :class:`LeverTerms` of a lever tensor (cached while the tensor is unchanged).

    When :func:`decided_levers` made the tensor from the one last read here, only the
    replicates whose levers the decisions moved are derived again (:func:`_renewed_terms`).
    """
    cached = state.terms_cache
    if cached is not None and cached[0] is levers:
        return cached[1]
    change = lever_change(state, levers)
    if (
        cached is not None
        and change is not None
        and change[0] is cached[0]
        and world.dispute.ndim == 2
        and world.decay.ndim == 2
    ):
        terms = _renewed_terms(world, levers, cached[1], *change[1:])
    else:
        terms = _terms(world, levers)
    state.terms_cache = (levers, terms)
    return terms


#: The :class:`LeverTerms` that are None when their lever kind is nowhere in force, in the
#: order of :func:`_pair_terms`'s flags, with the kind.
_OPTIONAL = {"coercion_on": "coercion", "channel": "channel", "economic_on": "economic"}


#: The lever kinds each of the :class:`LeverTerms` is derived from.
_READS = {
    "assistance_in": ("assistance",),
    "coercion_on": ("coercion",),
    "coercion_dyad": ("coercion",),
    "presence_dyad": ("presence",),
    "ceasefire_dyad": ("ceasefire",),
    "channel": ("channel",),
    "dialogue": ("dialogue", "ceasefire"),
    "relief": ("dialogue", "ceasefire"),
    "aid": ("assistance", "inducement"),
    "nuclear": ("nuclear",),
    "trade": ("trade",),
    "exercises": ("exercises",),
    "economic_on": ("economic",),
    "economic_dyad": ("economic",),
    "theatre": ("presence",),
}


def _renewed_terms(
    world: World, levers: np.ndarray, old: LeverTerms, rows: np.ndarray, kinds: set[int]
) -> LeverTerms:
    """The :class:`LeverTerms` of ``levers``, which differ from ``old``'s tensor in ``rows`` only.

    Only in lever kinds ``kinds``: a term derived from none of them is ``old``'s. Every term
    of a replicate is derived from that replicate's levers alone, so the others' terms of
    ``rows`` are derived again (:func:`_derived` of those replicates) and the other
    replicates' copied: the same numbers as deriving them all. A term that is None where its
    kind is nowhere in force stays None while it is nowhere; one that appears is derived in
    full.
    """
    some = levers[rows]
    some.flags.writeable = False  # as the tensor is (the kernels' types are the same)
    fresh, found = _derived(world, some)
    fields = {}
    for name, now in fresh.items():
        before = getattr(old, name)
        if name in ("donors", "traders", "presence"):
            fields[name] = levers[:, LEVER_INDEX["presence"]] if name == "presence" else now
            continue
        if not any(LEVER_INDEX[kind] in kinds for kind in _READS[name]):
            fields[name] = before  # its levers are the same
            continue
        if name in _OPTIONAL:
            on = found[list(_OPTIONAL).index(name)]  # in force among rows
            if before is None and on:
                return _terms(world, levers)  # in force somewhere for the first time
            if before is None or not (on or (levers[:, LEVER_INDEX[_OPTIONAL[name]]] != 0).any()):
                fields[name] = None  # nowhere in force
                continue
        merged = before.copy()
        merged[rows] = now
        fields[name] = merged
    return LeverTerms(**fields)


def _terms(world: World, levers: np.ndarray) -> LeverTerms:
    """The :class:`LeverTerms` of a lever tensor, derived in full."""
    terms, found = _derived(world, levers)
    for name, on in zip(_OPTIONAL, found, strict=True):
        if not on:
            terms[name] = None
    return LeverTerms(**terms)


def _derived(world: World, levers: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every field of the :class:`LeverTerms` of a lever tensor, by name (none left None).

    Returns:
        The fields, and whether any coercion, channel or economic coercion is in force,
        ``(3,)`` (:data:`_OPTIONAL`'s order).
    """
    kind = LEVER_INDEX
    donors, traders = world.donors, world.traders
    pairs = _pair_terms(levers, *_KERNEL_KINDS, world.dyad_i, world.dyad_j, donors, traders)
    (assistance_in, coercion_on, coercion_dyad, ceasefire_dyad, channel) = pairs[:5]
    (dialogue, relief, exercises, economic_on, economic_dyad, aid, any_of) = pairs[5:12]
    nuclear, trade = pairs[12:]
    presence = levers[:, kind["presence"]]
    terms = {
        "assistance_in": assistance_in,
        "coercion_on": coercion_on,
        "coercion_dyad": coercion_dyad,
        "presence_dyad": presence_friction(world, presence),
        "ceasefire_dyad": ceasefire_dyad,
        "channel": channel,
        "dialogue": dialogue,
        "relief": relief,
        "donors": donors,
        "aid": aid,
        "nuclear": nuclear,
        "traders": traders,
        "trade": trade,
        "exercises": exercises,
        "presence": presence,
        "economic_on": economic_on,
        "economic_dyad": economic_dyad,
        "theatre": theatre_reach(world, presence),
    }
    return terms, any_of


#: The lever kinds :func:`_pair_terms` reads, in its arguments' order.
_KERNEL_KINDS = tuple(
    LEVER_INDEX[name]
    for name in (
        "assistance", "inducement", "coercion", "ceasefire", "channel", "dialogue",
        "exercises", "economic", "nuclear", "trade",
    )
)  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _pair_terms(
    levers, assistance, inducement, coercion, ceasefire, channel, dialogue, exercises, economic,
    nuclear, trade, dyad_i, dyad_j, donors, traders,
):  # fmt: skip
    """The pairwise :class:`LeverTerms` of a lever tensor, in one pass.

    Sums of the two directions of a dyad, their maxima, transposes and the assistance each
    country receives (summed over donors in their order, as NumPy's reduction does), so the
    bits are those of the array form it replaced.

    Returns:
        ``assistance_in`` ``(R, N)``; ``coercion_on``, the coercion each suffers, ``(R, N, N)``;
        ``coercion_dyad``, ``ceasefire_dyad`` ``(R, D)``; ``channel`` ``(R, N, N)``;
        ``dialogue``, ``relief`` ``(R, D)``; ``exercises`` ``(R, N, N)``; ``economic_on``
        ``(R, N, N)``; ``economic_dyad`` ``(R, D)``; ``aid``, aid and inducements from each of
        ``donors``, ``(R, len(donors), N)``; whether any coercion, channel or economic
        coercion is in force, ``(3,)``; and the nuclear cooperation of ``donors``,
        ``(R, len(donors), N)``, and the trade deals of ``traders``, ``(R, len(traders), N)``.
    """
    reps, n = levers.shape[0], levers.shape[2]
    d = dyad_i.size
    assistance_in = np.zeros((reps, n))
    coercion_on = np.empty((reps, n, n))
    channel_out = np.empty((reps, n, n))
    exercises_out = np.empty((reps, n, n))
    economic_on = np.empty((reps, n, n))
    aid = np.empty((reps, donors.size, n))
    coercion_dyad = np.empty((reps, d))
    ceasefire_dyad = np.empty((reps, d))
    dialogue_out = np.empty((reps, d))
    relief = np.empty((reps, d))
    economic_dyad = np.empty((reps, d))
    any_of = np.zeros(3, dtype=np.bool_)
    nuclear_out = np.empty((reps, donors.size, n))
    trade_out = np.empty((reps, traders.size, n))
    for r in range(reps):
        for i in range(n):
            total = levers[r, assistance, 0, i]
            for a in range(1, n):
                total += levers[r, assistance, a, i]
            assistance_in[r, i] = total
            for j in range(n):
                c, e = levers[r, coercion, i, j], levers[r, economic, i, j]
                coercion_on[r, j, i] = c
                economic_on[r, j, i] = e
                if c != 0.0:
                    any_of[0] = True
                if e != 0.0:
                    any_of[2] = True
                ch = levers[r, channel, i, j]
                if ch != 0.0:
                    any_of[1] = True
                channel_out[r, i, j] = maximum(ch, levers[r, channel, j, i])
                exercises_out[r, i, j] = levers[r, exercises, i, j] + levers[r, exercises, j, i]
        for g in range(donors.size):
            for j in range(n):
                a = donors[g]
                aid[r, g, j] = levers[r, assistance, a, j] + levers[r, inducement, a, j]
                nuclear_out[r, g, j] = levers[r, nuclear, a, j]
        for g in range(traders.size):
            for j in range(n):
                trade_out[r, g, j] = levers[r, trade, traders[g], j]
        for q in range(d):
            i, j = dyad_i[q], dyad_j[q]
            coercion_dyad[r, q] = levers[r, coercion, i, j] + levers[r, coercion, j, i]
            ceasefire_dyad[r, q] = maximum(levers[r, ceasefire, i, j], levers[r, ceasefire, j, i])
            talk = maximum(
                levers[r, dialogue, i, j] + levers[r, ceasefire, i, j],
                levers[r, dialogue, j, i] + levers[r, ceasefire, j, i],
            )
            dialogue_out[r, q] = talk
            relief[r, q] = minimum(maximum(talk, 0.0), 1.0)
            economic_dyad[r, q] = maximum(levers[r, economic, i, j], levers[r, economic, j, i])
    return (
        assistance_in, coercion_on, coercion_dyad, ceasefire_dyad, channel_out, dialogue_out,
        relief, exercises_out, economic_on, economic_dyad, aid, any_of, nuclear_out, trade_out,
    )  # fmt: skip


def presence_friction(world: World, presence: np.ndarray) -> np.ndarray:
    """Foreign forces in a dyad that face their own adversary across it, capped at 1, ``(R, D)``.

    ``F_ij = min(1, Σ_m P_mi [m disputes j] + P_mj [m disputes i])``: US forces in the
    Philippines add friction to China–Philippines (the US disputes with China), not to a
    Philippine dispute with a neighbour the US has no quarrel with (Jervis 1978: a deployment
    threatens those it is aimed at).
    """
    opposed = (world.dispute > 0).astype(float)  # (N, N), or (R, N, N) for stacked samples
    if opposed.ndim == 2:
        opposed = opposed[None]
    return _friction(presence, opposed, world.dyad_i, world.dyad_j)


@numba.njit(cache=True, nogil=True)
def _friction(presence, opposed, dyad_i, dyad_j):
    """:func:`presence_friction`: ``min(1, Σ_m P_mi o_mj + P_mj o_mi)`` over dyads, ``(R, D)``.

    :func:`_friction_one` on each replicate.

    Args:
        presence: Forward presence, actor × host, ``(R, N, N)``.
        opposed: Whether m disputes j, ``(N, N)`` as ``(1, N, N)``, or ``(R, N, N)`` stacked.
        dyad_i: First country of each dyad, ``(D,)``.
        dyad_j: Second country, ``(D,)``.
    """
    reps, n = presence.shape[0], presence.shape[1]
    out = np.empty((reps, dyad_i.size))
    deployed = np.empty(n, dtype=np.int64)
    for r in range(reps):
        o = opposed[r if opposed.shape[0] > 1 else 0]
        _friction_one(presence[r], o, dyad_i, dyad_j, deployed, out[r])
    return out


@numba.njit(cache=True, nogil=True)
def _friction_one(presence, opposed, dyad_i, dyad_j, deployed, out):
    """:func:`presence_friction` of one replicate, into ``out`` ``(D,)``.

    The sum over ``m`` runs in a fixed order (the same bits at any batch size), skipping the
    states with no forces in either country (they would add exact zeros); the states with no
    forces abroad at all are found once (``deployed`` is scratch, ``(N,)``), so that each
    dyad looks only at the few that have.
    """
    n = presence.shape[0]
    count = 0
    for m in range(n):
        for h in range(n):
            if presence[m, h] != 0.0:
                deployed[count] = m
                count += 1
                break
    for q in range(dyad_i.size):
        i, j = dyad_i[q], dyad_j[q]
        there, back = 0.0, 0.0
        for c in range(count):
            m = deployed[c]
            if presence[m, i] != 0.0 or presence[m, j] != 0.0:
                there += presence[m, i] * opposed[m, j]
                back += presence[m, j] * opposed[m, i]
        out[q] = minimum(maximum(there + back, 0.0), 1.0)


def theatre_reach(world: World, presence: np.ndarray) -> np.ndarray:
    """Share of each state's forces that can reach each theatre, ``θ[m, i]``, ``(R, N, N)``.

    ``θ_mi = max_h B_mh · exp(−d_hi / D)`` over the places ``h`` m projects power from: home
    (``B_mm = 1``) and the hosts of its forward presence (``B_mh`` = presence level), with
    Boulding's loss-of-strength gradient (``World.decay``). US forces in Japan reach Taiwan;
    forces in Honolulu barely reach the Gulf of Thailand.
    """
    decay = world.decay if world.decay.ndim == 3 else world.decay[None]
    return _reach(presence, decay)


@numba.njit(cache=True, nogil=True)
def _reach(presence, decay):
    """:func:`theatre_reach`: ``θ_mi = max_h B_mh d_hi``, ``(R, N, N)`` (maxima: exact).

    Args:
        presence: Forward presence, actor × host, ``(R, N, N)``.
        decay: Loss of strength from each place to each theatre, ``(1, N, N)``, or
            ``(R, N, N)`` stacked.
    """
    reps, n = presence.shape[0], presence.shape[1]
    reach = np.zeros((reps, n, n))
    for r in range(reps):
        d = decay[r if decay.shape[0] > 1 else 0]
        for m in range(n):
            for h in range(n):
                base = minimum(presence[r, m, h], 1.0) + (1.0 if h == m else 0.0)
                if base == 0.0:
                    continue  # no forces there: the product would be 0, the reach's floor
                for i in range(n):
                    reach[r, m, i] = maximum(reach[r, m, i], base * d[h, i])
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
