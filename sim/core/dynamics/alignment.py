"""Alignment and hedging (``docs/model.md`` §3): the pulls on each state's alignment."""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.arms import at_month
from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    EPS,
    State,
    Ties,
    constant_rows,
    leading,
    maximum,
    minimum,
    month_draws,
)
from sim.core.dynamics.threat import power_share
from sim.core.rng import Stream, box_muller
from sim.core.world import LEVER_INDEX, World


def alignment_forces(
    world: World,
    state: State,
    threat_matrix: np.ndarray,
    ties: Ties,
    levers: np.ndarray,
    abandonment: np.ndarray,
    entrapment: np.ndarray,
    capability_now: np.ndarray,
) -> np.ndarray:
    """Pulls on each country's alignment, without the anchor (``(R, N)``).

    security: away from the pole of those one fears, ``−Σ_j T_ij A_j`` (a receding power's
    threat lingering, :func:`lingering_threat`);
    alliances: towards each alliance's hub, ``Σ_k s_k (A_hub(k) − A_i)``;
    trade deals: ``Σ_a tanh(deal_ai / u_T) (A_a − A_i)``;
    inducements: ``Σ_a tanh(aid_ai / (u_A m_i) + arms_ai / (u_X m_i) + u_N nuclear_ai)
    (A_a − A_i) + Σ_a tanh(exercises_ai / u_E) (A_a − A_i)``;
    compliance with economic coercion: ``Σ_a e_ai s_ia (A_a − A_i)``;
    ASEAN: consensus ``(Ā_ASEAN − A_i)`` and hedging ``−A_i``;
    alliance fears: ``−(entrapment + abandonment) A_i`` (distancing, hedging);
    inertia: ``−(A_i − A_i(0) − s_ℓ ℓ_i)`` (domestic preferences, whose resting point a
    state's own lean ``ℓ_i`` towards a pole moves by ``s_ℓ`` a step, §9).
    """
    p = world.params.alignment
    A = state.alignment
    r = A.shape[0]
    terms = lever_terms(world, state, levers)
    drills, coerced = _sparse_pulls(world, state, levers, terms)
    deals = _deals(world, state, levers, terms)
    donor, recipient, intensity = _aid_pull(world, state, levers, terms)
    coefficient = constant_rows(
        r,
        p.security_weight,
        p.alliance_weight,
        p.economic_weight,
        p.inducement_weight,
        p.entrapment_weight,
        p.inertia,
        p.compliance_weight,
        p.neighbour_weight,
        p.hedging_weight,
        world.params.decisions.lean_shift,
        p.threat_relief,
    )
    lingers = world.reference_share.shape[-1] > 0
    return _forces(
        coefficient,
        A,
        threat_matrix,
        power_share(world, ties.credible, capability_now, state) if lingers else A[:, :0],
        leading(at_month(world.reference_share, state.step), 1) if lingers else A[:1, :0],
        world.hub,
        ties.strength,
        ties.members,
        deals,
        terms.traders,
        intensity,
        terms.donors[donor],
        recipient,
        drills,
        coerced,
        leading(world.trade_share, 2),
        entrapment,
        abandonment,
        leading(world.alignment0, 1),
        world.asean.astype(float),
        np.zeros((r, 0)) if state.lean is None else state.lean,
        world.pole,
        np.zeros((r, A.shape[1])),
    )


@numba.njit(cache=True, nogil=True)
def _forces(
    coefficient, A, threat_matrix, share, resting, hub, strength, members, deals, traders,
    intensity, donor, recipient, drills, coerced, trade_share, entrapment, abandonment,
    alignment0, asean, lean, pole, out,
):  # fmt: skip
    """The pulls of :func:`alignment_forces` into ``out`` ``(R, N)``, per replicate.

    ``coefficient`` holds, per replicate (or one row for all), the weights ``w_S, w_K, w_T,
    w_A, w_F``, the inertia ``k``, ``w_C``, ``w_N``, ``w_H``, the lean's shift ``s_ℓ`` and the
    threat relief; ``resting`` is one row, or one per replicate. The pulls of trade deals
    (:func:`_deals`), of joint exercises and the economic coercion suffered
    (:func:`_sparse_pulls`) come as their nonzero entries.
    See :func:`_forces_one`.
    """
    n = A.shape[1]
    count = 0.0
    for i in range(n):
        count += asean[i]
    factor = np.empty(n)
    sums = np.empty((4, n))
    for r in range(A.shape[0]):
        # (Rows chosen before the call: numba takes no inline conditionals in this many
        # arguments.)
        weights = coefficient[r if coefficient.shape[0] > 1 else 0]
        shares = share[r] if share.shape[1] else share[0]
        rest = resting[r if resting.shape[0] > 1 else 0]
        trade = trade_share[r if trade_share.shape[0] > 1 else 0]
        start = alignment0[r if alignment0.shape[0] > 1 else 0]
        leaning = lean[r] if lean.shape[1] else lean[0]
        _forces_one(
            weights, A[r], threat_matrix[r], shares, rest, hub, strength[r], members[r],
            deals, traders, intensity[r], donor, recipient, drills, coerced, r, trade,
            entrapment[r], abandonment[r], start, asean, count, leaning, pole, out[r], factor,
            sums,
        )  # fmt: skip
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def _forces_one(
    coefficient, a, threat_matrix, share, resting, hub, strength, members, deals, traders,
    intensity, donor, recipient, drills, coerced, r, trade_share, entrapment, abandonment,
    alignment0, asean, count, lean, pole, out, factor, sums,
):  # fmt: skip
    """The pulls of :func:`alignment_forces` of one replicate, ``(N,)``, into ``out``.

    Compiled: a few sums over partners per country, which array passes (einsums over
    ``(R, N, N)``) would spend in overhead. Each sum runs over partners in order, as the array
    form's; terms that are exact zeros (aid where a donor gives nothing, exercises where
    nobody drills, compliance where nobody coerces, trade deals when there are none) are left
    out, which changes no sum: each sum starts from +0, so it is never −0, and adding ±0 to
    it leaves it as it was. (A zero times a non-finite alignment would be NaN, but then the
    security term, which multiplies every country's alignment, makes every pull NaN anyway.)
    The security term reads the threat matrix as :func:`lingering_threat` gives it, its
    factor per threatening state computed here. Inlined into :func:`_forces` (a call per
    replicate would cost more than its body).

    Args:
        coefficient: The weights (see :func:`_forces`), ``(11,)``.
        a: Alignment, ``(N,)``.
        threat_matrix: Threat matrix ``T``, ``(N, N)``.
        share: Power shares ``s``, ``(N,)``; empty when no threat lingers.
        resting: Power shares on the status quo's path ``s̄``, ``(N,)`` (unread when empty).
        hub: Hub of each alliance, ``(K,)``.
        strength: Credible pledge strength of each alliance, ``(K,)``.
        members: Membership of the alliances in force, ``(K, N)``.
        deals: The trade deals of every replicate, ``(start, trader, partner, pull)``
            (:func:`_deals`): replicate ``r``'s from ``start[r T]`` to ``start[(r + 1) T]``
            (``T`` traders), trader-major, each pulling ``partner`` towards
            ``traders[trader]`` by ``tanh(deal_ai / u_T)``.
        traders: Countries with trade deals, ``(T,)``.
        intensity: Pull of aid, one per (donor, recipient) pair given, ``(P,)``.
        donor: Donor of each pair, ``(P,)`` (donor-major order).
        recipient: Recipient of each pair, ``(P,)``.
        drills: The joint exercises of every replicate, ``(start, actor, partner, pull)``
            (:func:`_sparse_pulls`): replicate ``r``'s are ``start[r]:start[r + 1]``, in
            actor-major order, each pulling ``partner`` by ``tanh(x_ai / u_E)``.
        coerced: The economic coercion suffered in every replicate, ``(start, coercer,
            coercion)``: country ``i``'s of replicate ``r`` from ``start[r N + i]`` to
            ``start[r N + i + 1]``, coercers ascending; ``start`` empty when nobody coerces.
        r: This replicate's row (of ``drills`` and ``coerced``).
        trade_share: Trade shares, ``(N, N)`` (read with the coercion).
        entrapment: Entrapment fear, ``(N,)``.
        abandonment: Abandonment fear, ``(N,)``.
        alignment0: Alignment at month 0, ``(N,)``.
        asean: 1 for ASEAN members, ``(N,)``.
        count: ASEAN members.
        lean: Each state's lean, ``(N,)``; empty when none.
        pole: Whether each country is a pole, ``(N,)``.
        out: Written with the pulls (poles: left as they are).
        factor: Scratch, ``(N,)``.
        sums: Scratch for the sums over alliances, traders and donors, ``(4, N)``.
    """
    (w_s, w_k, w_t, w_a, w_f, inertia, w_c, w_n, w_h, shift, relief) = coefficient
    n = a.size
    mean_asean = 0.0
    for i in range(n):
        mean_asean += a[i] * asean[i]
    mean_asean = mean_asean / count if count > 0 else 0.0
    # Sums over alliances, traders, donors and drills run for every country at once
    # (countries innermost: contiguous rows), in the same order per country.
    sums[:] = 0.0
    alliance, bound, economy, inducement = sums[0], sums[1], sums[2], sums[3]
    for k in range(hub.size):
        pole_k = a[hub[k]]
        for i in range(n):
            tie = strength[k] * members[k, i]
            alliance[i] += tie * pole_k
            bound[i] += tie
    (deal_start, trader, dealt, deal) = deals
    for e in range(deal_start[r * traders.size], deal_start[(r + 1) * traders.size]):
        i = dealt[e]
        economy[i] += deal[e] * (a[traders[trader[e]]] - a[i])
    for q in range(donor.size):
        i = recipient[q]
        inducement[i] += intensity[q] * (a[donor[q]] - a[i])
    (drill_start, actor, partner, pull) = drills
    (coerced_start, coercer, coercion) = coerced
    for e in range(drill_start[r], drill_start[r + 1]):
        i = partner[e]
        inducement[i] += pull[e] * (a[actor[e]] - a[i])
    if share.size:  # a receding power's threat lingers (lingering_threat's factor)
        for j in range(n):
            counted = resting[j] + relief * (share[j] - resting[j])
            if not share[j] < resting[j]:
                counted = share[j]
            factor[j] = counted / maximum(share[j], EPS)
    for i in range(n):
        if pole[i]:
            continue
        security = 0.0
        if share.size:
            for j in range(n):
                security += threat_matrix[i, j] * factor[j] * a[j]
        else:
            for j in range(n):
                security += threat_matrix[i, j] * a[j]
        force = (
            -w_s * security
            + w_k * (alliance[i] - bound[i] * a[i])
            + w_t * economy[i]
            + w_a * inducement[i]
            - w_f * (entrapment[i] + abandonment[i]) * a[i]
            - inertia * (a[i] - alignment0[i])
        )
        if coerced_start.size:
            compliance = 0.0
            for e in range(coerced_start[r * n + i], coerced_start[r * n + i + 1]):
                m = coercer[e]
                compliance += coercion[e] * trade_share[i, m] * (a[m] - a[i])
            force += w_c * compliance
        if count > 0:
            force += asean[i] * (w_n * (mean_asean - a[i]) - w_h * a[i])
        if lean.size:
            force += inertia * shift * lean[i]
        out[i] = force


def lingering_threat(
    world: World,
    step: int,
    threat_matrix: np.ndarray,
    ties: np.ndarray,
    capability_now: np.ndarray,
    state: State | None = None,
) -> np.ndarray:
    """The threat matrix balancing reads: a receding power's threat lingers.

    Where a state's power share ``s_j`` falls below its value on the status quo's path ``s̄_j``
    (``World.reference_share``), balancing reads ``s̄_j + relief (s_j − s̄_j)`` instead:
    alignments built against a power are not undone as its power recedes (``threat_relief``,
    §3), so a weaker push away from a pole is not a pull towards it. ``state`` keeps the
    month's power shares (:func:`~sim.core.dynamics.threat.power_share`). Shares move only with
    capabilities and ties, never with the month's noise, so the rule cannot ratchet at rest.
    """
    if world.reference_share.shape[-1] == 0:
        return threat_matrix
    share = power_share(world, ties, capability_now, state)
    resting = at_month(world.reference_share, step)
    relief = world.params.alignment.threat_relief
    counted = np.where(share < resting, resting + relief * (share - resting), share)
    return threat_matrix * (counted / np.maximum(share, EPS))[:, None, :]


def _aid_pull(
    world: World, state: State, levers: np.ndarray, terms
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pull of aid on each recipient, where a donor gives something.

    ``tanh(aid_ai / (u_A m_i) + u_N nuclear_ai + arms_ai / (u_X m_i))`` (elsewhere it is
    ``tanh(0) = 0``).

    Returns:
        ``(donor, recipient, pull)``: the (donor, recipient) pairs given something in some
        replicate, donor-major (positions among ``terms.donors`` and countries), and their
        pull, ``(R, P)``.
    """
    donors = terms.donors
    cached = state.aid_cache
    if cached is None or cached[0] is not levers:
        given = (terms.aid != 0).any(axis=0) | (terms.nuclear != 0).any(axis=0)
        state.aid_cache = cached = (levers, given)
    d, i = np.nonzero(_transferred(state.transfers, donors, cached[1]))
    p = world.params.alignment
    pull = _aid_argument(
        constant_rows(state.replicates, p.aid_unit, p.nuclear_unit, p.transfer_unit),
        terms.aid,
        terms.nuclear,
        state.transfers,
        state.milex,
        donors,
        d,
        i,
        np.empty((state.replicates, d.size)),
    )
    np.tanh(pull, out=pull)
    return d, i, pull


@numba.njit(cache=True, nogil=True)
def _transferred(transfers, donors, given):
    """``given`` or where a donor transfers arms in some replicate, ``(len(donors), N)``.

    ``given | (transfers[:, donors] != 0).any(axis=0)``, in one pass over the donors' rows.
    """
    out = given.copy()
    for r in range(transfers.shape[0]):
        for g in range(donors.size):
            row = transfers[r, donors[g]]
            for j in range(out.shape[1]):
                if row[j] != 0:
                    out[g, j] = True
    return out


@numba.njit(cache=True, nogil=True)
def _aid_argument(coefficient, aid, nuclear, transfers, milex, donors, d, i, out):
    """:func:`aid_intensity` of the pairs ``(donors[d], i)`` into ``out`` ``(R, P)``, in one pass.

    Read off the lever terms' ``aid`` and ``nuclear`` ``(R, len(donors), N)`` and the
    transfers ``(R, N, N)`` without gathering them first; ``coefficient`` holds ``u_A, u_N,
    u_X`` (one row, or one per replicate). The array form's arithmetic in its order.
    """
    for r in range(out.shape[0]):
        (u_a, u_n, u_x) = coefficient[r if coefficient.shape[0] > 1 else 0]
        for q in range(d.size):
            a, b = d[q], i[q]
            own = maximum(milex[r, b], 0.01)
            out[r, q] = (
                aid[r, a, b] / (u_a * own)
                + u_n * nuclear[r, a, b]
                + transfers[r, donors[a], b] / (u_x * own)
            )
    return out


def _divide(values: np.ndarray, unit, start: np.ndarray, rows: int) -> None:
    """``values / unit`` in place, for the entries of :func:`_entries` (``rows`` a replicate).

    ``unit`` is a number, or one per replicate (a stacked sweep's
    :class:`~sim.core.batch.PerReplicate`), then each entry's replicate's.
    """
    if values.size == 0:
        return
    if isinstance(unit, np.ndarray):
        counts = np.diff(start[::rows])
        unit = np.asarray(unit)[np.repeat(np.arange(counts.size), counts)]
    np.divide(values, unit, out=values)


def _as_levers(x: np.ndarray) -> np.ndarray:
    """An ``(R, N, M)`` array as a read-only ``(R, 1, N, M)`` view, the form :func:`_entries` reads.

    (One form for every caller, so that the kernel is compiled once: the lever tensor is
    read-only and C-ordered, and so is this view of a C-ordered array.)
    """
    view = x[:, None]
    view.flags.writeable = False
    return view


@numba.njit(cache=True, nogil=True)
def _entries(x, k):
    """The nonzero entries of ``x[:, k]`` ``(R, N, M)`` in row-major order, rows ``(r, i)``.

    ``x`` is ``(R, L, N, M)`` (the lever tensor, or :func:`_as_levers`' view). Returns
    ``(start, row, column, value)``: row ``r N + i``'s entries are ``start[r N + i]`` to
    ``start[r N + i + 1]`` (``(R N + 1,)``), each with its ``i``, its column and its value
    (NaN counts as nonzero, ±0 does not): ``np.nonzero``'s entries, without its cost on a
    strided array.
    """
    reps, n, m = x.shape[0], x.shape[2], x.shape[3]
    count = 0
    for r in range(reps):
        for i in range(n):
            for j in range(m):
                if x[r, k, i, j] != 0.0:
                    count += 1
    start = np.empty(reps * n + 1, dtype=np.int64)
    row = np.empty(count, dtype=np.int64)
    column = np.empty(count, dtype=np.int64)
    value = np.empty(count)
    e = 0
    for r in range(reps):
        for i in range(n):
            start[r * n + i] = e
            for j in range(m):
                if x[r, k, i, j] != 0.0:
                    row[e], column[e], value[e] = i, j, x[r, k, i, j]
                    e += 1
    start[reps * n] = e
    return start, row, column, value


def aid_intensity(
    world: World,
    aid: np.ndarray,
    nuclear: np.ndarray,
    transfers: np.ndarray,
    milex: np.ndarray,
) -> np.ndarray:
    """What a donor gives a recipient, in units of the recipient's own effort (§3).

    ``aid / (u_A m) + u_N nuclear + arms / (u_X m)``, with ``m`` the recipient's spending
    (at least 0.01): the argument of aid's pull ``tanh(·)`` and of a decision on aid
    (:mod:`sim.core.dynamics.decisions`).
    """
    p = world.params.alignment
    own = np.maximum(milex, 0.01)
    return aid / (p.aid_unit * own) + p.nuclear_unit * nuclear + transfers / (p.transfer_unit * own)


def _deals(world: World, state: State, levers: np.ndarray, terms) -> tuple[np.ndarray, ...]:
    """The pull of trade deals, ``tanh(deal_ai / u_T)``, on the deals made.

    ``(start, trader, partner, pull)``: the nonzero deals of ``terms.trade`` ``(R, T, N)``
    (:func:`_entries`; elsewhere the pull is ``tanh(0) = 0``), with NumPy's tanh on them (the
    same numbers as on the whole tensor). It changes only with the levers in force, so it is
    kept while the lever tensor is.
    """
    cached = state.deals_cache
    if cached is not None and cached[0] is levers:
        return cached[1]
    deals = _entries(_as_levers(terms.trade), 0)
    _divide(deals[3], world.params.alignment.trade_unit, deals[0], terms.trade.shape[1])
    np.tanh(deals[3], out=deals[3])
    state.deals_cache = (levers, deals)
    return deals


def _sparse_pulls(
    world: World, state: State, levers: np.ndarray, terms
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The pulls of joint exercises and the economic coercion suffered, as their nonzero entries.

    Exercises are led by their actor ``a`` (the lever ``[a, i]``) and, like every inducement,
    pull the partner ``i`` towards the actor, not the actor towards the partner: Japan drilling
    with India draws India, not Japan; the pull is ``tanh(x_ai / u_E)`` (NumPy's, on the
    entries: the same numbers as on the whole tensor). A handful of pairs drill or coerce, so
    :func:`_forces` reads these entries rather than two ``(R, N, N)`` tensors of zeros. Both
    change only with the levers in force, so they are kept while the lever tensor is.

    Returns:
        ``(start, actor, partner, pull)`` of the exercises (replicate ``r``'s at
        ``start[r]:start[r + 1]``, actor-major) and ``(start, coercer, coercion)`` of the
        coercion suffered (country ``i`` of replicate ``r`` at ``start[r N + i]`` onwards;
        ``start`` empty when nobody coerces).
    """
    cached = state.drill_cache
    if cached is not None and cached[0] is levers:
        return cached[1], cached[2]
    n = world.n
    start, actor, partner, pull = _entries(levers, LEVER_INDEX["exercises"])
    _divide(pull, world.params.alignment.exercise_unit, start, n)
    np.tanh(pull, out=pull)
    drills = (np.ascontiguousarray(start[::n]), actor, partner, pull)
    economic = terms.economic_on
    if economic is None:
        empty = np.zeros(0, dtype=np.int64)
        coerced = (empty, empty, np.zeros(0))
    else:
        start, _, coercer, coercion = _entries(_as_levers(economic), 0)
        coerced = (start, coercer, coercion)
    state.drill_cache = (levers, drills, coerced)
    return drills, coerced


def alignment_dynamics(world: World, state: State, forces: np.ndarray) -> None:
    """Move alignment by ``rate · (forces + anchor) + noise`` within [−1, 1]; poles stay."""
    p = world.params.alignment
    normal = box_muller(
        month_draws(world, state, Stream.ALIGNMENT_A), month_draws(world, state, Stream.ALIGNMENT_B)
    )
    before = state.alignment
    state.alignment = _move(
        constant_rows(before.shape[0], p.noise_sd, p.rate),
        before,
        forces,
        leading(at_month(world.alignment_anchor, state.step), 1),
        normal,
        world.pole,
        np.empty(before.shape),
    )


@numba.njit(cache=True, nogil=True)
def _move(coefficient, alignment, forces, anchor, normal, pole, out):
    """:func:`alignment_dynamics`' ``clip(A + rate (F + anchor) + σ z, −1, 1)``, poles kept.

    Into ``out`` ``(R, N)``; ``coefficient`` holds ``σ`` and the rate (one row, or one per
    replicate), ``anchor`` one row or one per replicate. The array form's arithmetic in its
    order, ``np.clip``'s bounds (:func:`minimum` of :func:`maximum`).
    """
    for r in range(alignment.shape[0]):
        (sd, rate) = coefficient[r if coefficient.shape[0] > 1 else 0]
        pull = anchor[r if anchor.shape[0] > 1 else 0]
        for i in range(alignment.shape[1]):
            if pole[i]:
                out[r, i] = alignment[r, i]
                continue
            moved = alignment[r, i] + rate * (forces[r, i] + pull[i]) + sd * normal[r, i]
            out[r, i] = minimum(maximum(moved, -1.0), 1.0)
    return out
