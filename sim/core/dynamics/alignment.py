"""Alignment and hedging (``docs/model.md`` §3): the pulls on each state's alignment."""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.arms import at_month
from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import EPS, State, Ties, coefficients, leading, month_draws
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
    lingering = lingering_threat(
        world, state.step, threat_matrix, ties.credible, capability_now, state
    )
    terms = lever_terms(world, state, levers)
    drills = _drills(world, state, levers)
    economic = terms.economic_on
    intensity = _aid_pull(world, state, levers, terms)
    coefficient = coefficients(
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
    )
    nothing = np.zeros((r, 0, 0))
    return _forces(
        coefficient,
        A,
        np.ascontiguousarray(lingering),
        world.hub,
        ties.strength,
        ties.members,
        _deals(world, state, levers, terms),
        terms.traders,
        intensity,
        terms.donors,
        nothing if drills is None else drills[0],
        nothing if economic is None else economic,
        leading(world.trade_share, 2) if economic is not None else nothing,
        entrapment,
        abandonment,
        leading(world.alignment0, 1),
        world.asean.astype(float),
        np.zeros((r, 0)) if state.lean is None else state.lean,
        world.pole,
    )


@numba.njit(cache=True)
def _forces(
    coefficient, A, lingering, hub, strength, members, deals, traders, intensity, donors, drills,
    economic, trade_share, entrapment, abandonment, alignment0, asean, lean, pole,
):  # fmt: skip
    """The pulls of :func:`alignment_forces`, ``(R, N)``, one replicate and country at a time.

    Compiled: a few sums over partners per country, which array passes (einsums over
    ``(R, N, N)``) would spend in overhead. ``coefficient`` holds, per replicate, the
    weights ``w_S, w_K, w_T, w_A, w_F``, the inertia ``k``, ``w_C``, ``w_N``, ``w_H`` and the
    lean's shift ``s_ℓ``; ``deals``, ``intensity`` and ``drills`` are the pulls of trade
    deals, aid and drills (their ``tanh``, vectorised by NumPy); an empty ``drills``,
    ``economic`` or ``lean`` means none is in force.
    """
    reps, n = A.shape
    out = np.zeros((reps, n))
    count = 0.0
    for i in range(n):
        count += asean[i]
    for r in range(reps):
        (w_s, w_k, w_t, w_a, w_f, inertia, w_c, w_n, w_h, shift) = coefficient[r]
        a = A[r]
        mean_asean = 0.0
        for i in range(n):
            mean_asean += a[i] * asean[i]
        mean_asean = mean_asean / count if count > 0 else 0.0
        a0 = alignment0[r if alignment0.shape[0] > 1 else 0]
        # Each sum runs over partners in order for every country at once (countries
        # innermost: contiguous rows), the same order per country as a loop over partners.
        alliance = np.zeros(n)
        bound = np.zeros(n)
        for k in range(hub.size):
            pole_k = a[hub[k]]
            for i in range(n):
                tie = strength[r, k] * members[r, k, i]
                alliance[i] += tie * pole_k
                bound[i] += tie
        economy = np.zeros(n)
        for t in range(traders.size):
            towards = a[traders[t]]
            for i in range(n):
                economy[i] += deals[r, t, i] * (towards - a[i])
        inducement = np.zeros(n)
        for d in range(donors.size):
            towards = a[donors[d]]
            for i in range(n):
                inducement[i] += intensity[r, d, i] * (towards - a[i])
        if drills.shape[1]:
            for m in range(n):
                for i in range(n):
                    inducement[i] += drills[r, m, i] * (a[m] - a[i])
        for i in range(n):
            if pole[i]:
                continue
            security = 0.0
            for j in range(n):
                security += lingering[r, i, j] * a[j]
            force = (
                -w_s * security
                + w_k * (alliance[i] - bound[i] * a[i])
                + w_t * economy[i]
                + w_a * inducement[i]
                - w_f * (entrapment[r, i] + abandonment[r, i]) * a[i]
                - inertia * (a[i] - a0[i])
            )
            if economic.shape[1]:
                shares = trade_share[r if trade_share.shape[0] > 1 else 0]
                compliance = 0.0
                for m in range(n):
                    compliance += economic[r, i, m] * shares[i, m] * (a[m] - a[i])
                force += w_c * compliance
            if count > 0:
                force += asean[i] * (w_n * (mean_asean - a[i]) - w_h * a[i])
            if lean.shape[1]:
                force += inertia * shift * lean[r, i]
            out[r, i] = force
    return out


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


def _aid_pull(world: World, state: State, levers: np.ndarray, terms) -> np.ndarray:
    """The pull of aid on each recipient, ``(R, len(donors), N)``.

    ``tanh(aid_ai / (u_A m_i) + u_N nuclear_ai + arms_ai / (u_X m_i))``, computed where a donor
    gives something (elsewhere it is ``tanh(0) = 0``).
    """
    donors = terms.donors
    cached = state.aid_cache
    if cached is None or cached[0] is not levers:
        given = (terms.aid != 0).any(axis=0) | (terms.nuclear != 0).any(axis=0)
        state.aid_cache = cached = (levers, given)
    given = cached[1]
    if state.transfers.any():
        given = given | (state.transfers[:, donors] != 0).any(axis=0)
    d, i = np.nonzero(given)
    out = np.zeros(terms.aid.shape)
    if d.size:
        out[:, d, i] = np.tanh(
            aid_intensity(
                world,
                terms.aid[:, d, i],
                terms.nuclear[:, d, i],
                state.transfers[:, donors[d], i],
                state.milex[:, i],
            )
        )
    return out


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


def _deals(world: World, state: State, levers: np.ndarray, terms) -> np.ndarray:
    """The pull of trade deals, ``tanh(deal_ai / u_T)``, ``(R, len(traders), N)``.

    It changes only with the levers in force, so it is kept while the lever tensor is.
    """
    cached = state.deals_cache
    if cached is not None and cached[0] is levers:
        return cached[1]
    deals = np.tanh(terms.trade / world.params.alignment.trade_unit)
    state.deals_cache = (levers, deals)
    return deals


def _drills(world: World, state: State, levers: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The pull of joint exercises on the partner, ``tanh(x_ai / u_E)``, and its sums over ``a``.

    Exercises are led by their actor ``a`` (the lever ``[a, i]``) and, like every inducement,
    pull the partner ``i`` towards the actor, not the actor towards the partner: Japan drilling
    with India draws India, not Japan. Both change only with the levers in force, so they are
    kept while the lever tensor is.
    """
    cached = state.drill_cache
    if cached is not None and cached[0] is levers:
        return None if cached[1] is None else (cached[1], cached[2])
    led = levers[:, LEVER_INDEX["exercises"]]
    if not led.any():
        state.drill_cache = (levers, None, None)
        return None
    drills = np.tanh(led / world.params.alignment.exercise_unit)
    state.drill_cache = (levers, drills, drills.sum(axis=1))
    return drills, state.drill_cache[2]


def alignment_dynamics(world: World, state: State, forces: np.ndarray) -> None:
    """Move alignment by ``rate · (forces + anchor) + noise`` within [−1, 1]; poles stay."""
    p = world.params.alignment
    noise = p.noise_sd * box_muller(
        month_draws(world, state, Stream.ALIGNMENT_A), month_draws(world, state, Stream.ALIGNMENT_B)
    )
    anchor = at_month(world.alignment_anchor, state.step)
    moved = state.alignment + p.rate * (forces + anchor) + noise
    state.alignment = np.where(world.pole, state.alignment, np.clip(moved, -1.0, 1.0))
