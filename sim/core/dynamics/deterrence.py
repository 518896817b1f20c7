"""Extended deterrence (``docs/model.md`` §5): what a pledge brings to a theatre, and to whom.

Deterrence of an adversary ``j`` from escalating against a protected state ``i`` counts only
the pledges aimed at ``j``, and only the capability each helper can bring to ``i``'s theatre
(its regional forces, from home or forward bases), weighted by the pledge's strength:
commitment, credibility, clarity and interoperability (Schelling; Huth 1988).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    EPS,
    State,
    Ties,
    leading,
    maximum,
    per_owner,
    segment_sum,
)
from sim.core.world import World


def backing(
    world: World,
    ties: Ties,
    strength: np.ndarray,
    capability_now: np.ndarray,
    theatre: np.ndarray,
) -> np.ndarray:
    """Pledged theatre capability behind each protected side, over the adversary's, ``(R, Dd)``.

    For direction ``d`` (protected ``i`` facing adversary ``j``, :class:`Coverage`):
    ``B_d = Σ_m max_{k ∋ i, m; j ∈ against(k)} s_k · θ_mi · ĉ_m / ĉ_j``, with ``ĉ``
    regional capability and ``θ`` theatre reach.

    Args:
        world: The compiled scenario.
        ties: This month's ties.
        strength: Pledge strength of each alliance, ``(R, K)`` (credible or promised).
        capability_now: Capability, ``(R, N)``.
        theatre: Theatre reach, ``(R, N, N)``.
    """
    cov = ties.joined.coverage
    r = capability_now.shape[0]
    if cov.link_alliance.size == 0:
        return np.zeros((r, cov.protected.size))
    return _backing_all(
        strength, cov.link_mask, capability_now, leading(world.regional, 1), theatre,
        cov.protected, cov.adversary, cov.link_alliance, cov.target_start,
        cov.target_direction, cov.target_helper, cov.direction_start,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _backing_all(
    strength, mask, capability, regional, theatre, protected, adversary, link_alliance,
    target_start, target_direction, target_helper, direction_start,
):  # fmt: skip
    """:func:`backing` over the replicates, ``(R, Dd)``: :func:`_backing_one` on each."""
    reps, n = capability.shape
    out = np.empty((reps, protected.size))
    pledged = np.empty(target_start.size)
    brought = np.empty(target_start.size)
    own = np.empty(n)
    for r in range(reps):
        _regional(capability[r], regional[r if regional.shape[0] > 1 else 0], own)
        _backing_one(
            strength[r], mask[r], own, theatre[r], protected, adversary, link_alliance,
            target_start, target_direction, target_helper, direction_start, pledged, brought,
            out[r],
        )  # fmt: skip
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def _regional(capability, regional, out):
    """Regional capability ``ĉ = c ρ`` of one replicate, into ``out`` ``(N,)``."""
    for m in range(capability.size):
        out[m] = capability[m] * regional[m]


@numba.njit(cache=True, nogil=True, inline="always")
def _backing_one(
    strength, mask, regional, theatre, protected, adversary, link_alliance, target_start,
    target_direction, target_helper, direction_start, pledged, brought, out,
):  # fmt: skip
    """:func:`backing` of one replicate: ``B_d`` into ``out`` ``(Dd,)``.

    Also the strongest pledge behind each target into ``pledged`` ``(G,)`` (``brought``,
    ``(G,)``, is scratch). The arithmetic of the array form it replaced: each target's
    strongest link in order (``np.maximum.reduceat``), ``s θ ĉ`` multiplied left to right, and
    each direction's sum as ``np.add.reduceat`` adds a segment, its first element plus the
    pairwise sum of the rest (:func:`~sim.core.dynamics.state.segment_sum`): the same bits.

    Args:
        strength: Pledge strength of each alliance, ``(K,)``.
        mask: 1 where each link holds, ``(T,)``.
        regional: Regional capability ``ĉ``, ``(N,)``.
        theatre: Theatre reach ``θ``, ``(N, N)``.
        protected: Protected side of each direction, ``(Dd,)``.
        adversary: Adversary of each direction, ``(Dd,)``.
        link_alliance: Alliance of each link, ``(T,)``.
        target_start: First link of each target, ``(G,)``.
        target_direction: Direction of each target, ``(G,)``.
        target_helper: Helper of each target, ``(G,)``.
        direction_start: First target of each direction, ``(Dd,)``.
        pledged: Out: the strongest pledge of each target, ``(G,)``.
        brought: Scratch, ``(G,)``.
        out: Out: ``B_d``, ``(Dd,)``.
    """
    links, targets = link_alliance.size, target_start.size
    for g in range(targets):
        start = target_start[g]
        end = target_start[g + 1] if g + 1 < targets else links
        best = strength[link_alliance[start]] * mask[start]
        for t in range(start + 1, end):
            best = maximum(best, strength[link_alliance[t]] * mask[t])
        pledged[g] = best
        helper = target_helper[g]
        reach = theatre[helper, protected[target_direction[g]]]
        brought[g] = best * reach * regional[helper]
    for d in range(protected.size):
        start = direction_start[d]
        end = direction_start[d + 1] if d + 1 < protected.size else targets
        total = brought[start]
        if end > start + 1:
            total += segment_sum(brought, start + 1, end)
        out[d] = total / maximum(regional[adversary[d]], EPS)


def deterrence(
    world: World, state: State, levers: np.ndarray, ties: Ties, capability_now: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Deterrence and emboldening of every incident dyad, each in [0, 1), ``(R, len(dyads))``.

    A dyad is deterred by the stronger backing of its two sides, squashed as ``1 − exp(−B)``;
    emboldening is the same with promised strengths (believed or not: Snyder's moral hazard).
    Dyads where no pledge covers either side get zero.
    """
    cov = ties.joined.coverage
    shape = (capability_now.shape[0], world.incident_dyads.size)
    if cov.protected.size == 0:
        return np.zeros(shape), np.zeros(shape)
    theatre = lever_terms(world, state, levers).theatre
    deter, embolden, _, _ = dyad_backing(
        world, ties, ties.strength, ties.promise, capability_now, theatre
    )
    return -np.expm1(-deter), -np.expm1(-embolden)


def dyad_backing(
    world: World,
    ties: Ties,
    credible: np.ndarray,
    promised: np.ndarray,
    capability_now: np.ndarray,
    theatre: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The backing of each incident dyad, before the squash, and each side's strength.

    A dyad's backing is the stronger of its two directions' (:func:`backing`), ``max(B_ij,
    B_ji)``, with credible strengths (what deters) and with promised ones (what emboldens); 0
    where no pledge covers either side. A side's strength against the other is its own
    regional capability plus what its protectors pledged against the other can bring,
    ``F_i = ĉ_i + B_{i|j} ĉ_j`` (credible).

    Args:
        world: The compiled scenario.
        ties: This month's ties.
        credible: Credible pledge strength of each alliance, ``(R, K)``.
        promised: Promised pledge strength of each alliance, ``(R, K)``.
        capability_now: Capability, ``(R, N)``.
        theatre: Theatre reach, ``(R, N, N)``.

    Returns:
        The credible and the promised backing, ``(R, S)`` each; each side's strength,
        ``(R, S, 2)`` (the dyad's first country, then its second); and the strongest pledge of
        each helper to each protected side (the targets of
        :class:`~sim.core.dynamics.state.Coverage`), ``(R, G)``.
    """
    cov = ties.joined.coverage
    first, second = _incident_sides(world)
    return _dyad_backing(
        credible, promised, cov.link_mask, capability_now, leading(world.regional, 1), theatre,
        first, second, cov.protected, cov.adversary, cov.dyad,
        cov.link_alliance, cov.target_start, cov.target_direction, cov.target_helper,
        cov.direction_start,
    )  # fmt: skip


@per_owner
def _incident_sides(world: World) -> tuple[np.ndarray, np.ndarray]:
    """The first and second country of each incident dyad, ``(S,)`` each, once per world."""
    s = world.incident_dyads
    first, second = world.dyad_i[s], world.dyad_j[s]
    first.flags.writeable = second.flags.writeable = False
    return first, second


@numba.njit(cache=True, nogil=True)
def _dyad_backing(
    credible, promised, mask, capability, regional, theatre, dyad_i, dyad_j, protected,
    adversary, dyad, link_alliance, target_start, target_direction, target_helper,
    direction_start,
):  # fmt: skip
    """:func:`dyad_backing` over the replicates, :func:`_backing_one` twice in each.

    The order of the array form it replaced: each dyad's directions' maxima from zero in order
    (``np.maximum``), then the credible backing each side's protectors bring added in order
    (``np.add.at``): the same bits. (The dyads' part is written in the replicate loop: a
    one-replicate function of twenty arrays costs more to call than this work.)
    """
    reps, n = capability.shape
    s, directions, targets = dyad_i.size, protected.size, target_start.size
    deter = np.empty((reps, s))
    embolden = np.empty((reps, s))
    strength = np.empty((reps, s, 2))
    pledged = np.empty((reps, targets))
    own = np.empty(n)
    scratch = np.empty(targets)
    brought = np.empty(targets)
    per = np.empty(directions)
    for r in range(reps):
        _regional(capability[r], regional[r if regional.shape[0] > 1 else 0], own)
        for q in range(s):
            deter[r, q] = 0.0
            embolden[r, q] = 0.0
            strength[r, q, 0] = own[dyad_i[q]]
            strength[r, q, 1] = own[dyad_j[q]]
        if directions == 0:
            continue
        _backing_one(
            credible[r], mask[r], own, theatre[r], protected, adversary, link_alliance,
            target_start, target_direction, target_helper, direction_start, pledged[r],
            brought, per,
        )  # fmt: skip
        for d in range(directions):
            deter[r, dyad[d]] = maximum(deter[r, dyad[d]], per[d])
        for d in range(directions):
            side = 1 if protected[d] == dyad_j[dyad[d]] else 0  # protected first or second
            strength[r, dyad[d], side] += per[d] * own[adversary[d]]
        _backing_one(
            promised[r], mask[r], own, theatre[r], protected, adversary, link_alliance,
            target_start, target_direction, target_helper, direction_start, scratch, brought,
            per,
        )  # fmt: skip
        for d in range(directions):
            embolden[r, dyad[d]] = maximum(embolden[r, dyad[d]], per[d])
    return deter, embolden, strength, pledged


def protective_reach(ties: Ties, theatre: np.ndarray) -> np.ndarray:
    """Protective ties times the protector's reach into the protected state's theatre.

    ``[i, m] = W^p_im · θ_mi``, ``(R, N, N)``: the share of m's regional capability that i can
    count on (read by arms, §1).
    """
    joined = ties.joined
    return _protective(ties.toward_i, ties.toward_j, joined.pair_i, joined.pair_j, theatre)


@numba.njit(cache=True, nogil=True)
def _protective(toward_i, toward_j, pair_i, pair_j, theatre):
    """:func:`protective_reach`' ``W^p_im θ_mi``, computed on the pairs that share an alliance.

    ``W^p`` is 0 off those pairs (``Ties.protection``) and the reach ``θ`` a maximum from 0 of
    finite products (:func:`~sim.core.dynamics.levers.theatre_reach`), so the product there
    is +0, the value the tensor starts from: the bits of the product over every pair.
    """
    reps, n = theatre.shape[0], theatre.shape[1]
    out = np.zeros((reps, n, n))
    for r in range(reps):
        for q in range(pair_i.size):
            i, j = pair_i[q], pair_j[q]
            out[r, i, j] = toward_i[r, q] * theatre[r, j, i]
            out[r, j, i] = toward_j[r, q] * theatre[r, i, j]
    return out
