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
from sim.core.dynamics.state import EPS, State, Ties
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
    links = strength[:, cov.link_alliance] * cov.link_mask  # (R, T)
    pledged = np.maximum.reduceat(links, cov.target_start, axis=1)  # (R, G): the strongest
    regional = capability_now * world.regional
    protected = cov.protected[cov.target_direction]
    helper = cov.target_helper
    brought = pledged * theatre[:, helper, protected] * regional[:, helper]
    per_direction = np.add.reduceat(brought, cov.direction_start, axis=1)  # (R, Dd)
    return per_direction / np.maximum(regional[:, cov.adversary], EPS)


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
    out = []
    for strength in (ties.strength, ties.promise):
        per_direction = backing(world, ties, strength, capability_now, theatre)
        dyad = np.zeros(shape)
        for d in range(cov.protected.size):  # a dyad's two directions: the stronger counts
            np.maximum(dyad[:, cov.dyad[d]], per_direction[:, d], out=dyad[:, cov.dyad[d]])
        out.append(-np.expm1(-dyad))
    return out[0], out[1]


def protective_reach(ties: Ties, theatre: np.ndarray) -> np.ndarray:
    """Protective ties times the protector's reach into the protected state's theatre.

    ``[i, m] = W^p_im · θ_mi``, ``(R, N, N)``: the share of m's regional capability that i can
    count on (read by arms, §1).
    """
    return _protective(ties.protection, theatre)


@numba.njit(cache=True)
def _protective(protection, theatre):
    """:func:`protective_reach`' ``W^p_im θ_mi`` in one pass."""
    reps, n = protection.shape[0], protection.shape[1]
    out = np.empty((reps, n, n))
    for r in range(reps):
        for i in range(n):
            for m in range(n):
                out[r, i, m] = protection[r, i, m] * theatre[r, m, i]
    return out
