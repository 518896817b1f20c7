"""Threat perception (``docs/model.md`` §2): Walt's balance of threat.

Also the memory of hostile acts that threat reads.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    State,
    coefficients,
    half_gap,
    leading,
    per_replicate,
    row_sum,
)
from sim.core.world import World


def threat_perception(
    world: World,
    state: State,
    ties: np.ndarray,
    levers: np.ndarray,
    capability_now: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Walt's balance of threat.

    Hostility of j towards i combines ideological distance, territorial claims, remembered
    hostile acts and coercion aimed at i: ``h_ij = d_ij² + w_c·dispute_ij + w_a·memory_ij +
    coercion_ji + w_e·economic_ji``. Exposure ``H_ij = proximity_ij · h_ij · (1 − δ·W_ij)``
    discounts allies. The threat j poses to i is j's aggregate theatre power (its regional
    capability plus a share λ of its allies', ``ĉ_j + λ Σ_m W_jm ĉ_m``, ``ĉ = ρ c``) as a
    share of the region's, times exposure, and perceived threat saturates:
    ``threat_i = 1 − exp(−θ Σ_j T_ij)``.

    Args:
        world: The compiled scenario.
        state: The current state.
        ties: Credible tie strengths ``W``, ``(R, N, N)``.
        levers: The lever tensor in force.
        capability_now: Capability, ``(R, N)``.

    Returns:
        ``(T, threat, Σ_j T)``: threat matrix, per-country perceived threat, and the threat
        matrix's row sums (which arms reads).
    """
    p = world.params.threat
    terms = lever_terms(world, state, levers)
    r = state.replicates
    nothing = np.zeros((r, 0, 0))
    coefficient = coefficients(
        r,
        p.claims_weight,
        p.hostile_acts_weight,
        world.params.economy.coercion_hostility,
        p.ally_discount,
    )
    share = power_share(world, ties, capability_now, state)
    threat_matrix, summed = _threat_matrix(
        coefficient,
        state.alignment,
        leading(world.dispute, 2),
        state.memory,
        nothing if terms.coercion_on is None else terms.coercion_on,
        nothing if terms.economic_on is None else terms.economic_on,
        leading(world.proximity, 2),
        ties,
        share,
    )
    threat = -np.expm1(-p.sensitivity * summed)
    return threat_matrix, threat, summed


@numba.njit(cache=True, nogil=True)
def _threat_matrix(
    coefficient, alignment, dispute, memory, coercion_on, economic_on, proximity, ties, share
):  # fmt: skip
    """``T_ij = s_j H_ij`` of :func:`threat_perception` and its row sums ``Σ_j T_ij``.

    ``coefficient`` holds, per replicate, ``w_c, w_a, w_e, δ``; an empty ``coercion_on`` or
    ``economic_on`` means none is in force. The squared distance ``d_ij²`` is taken from the
    alignment ``(R, N)`` with the arithmetic of :func:`~sim.core.dynamics.state.alignment_gaps`
    (``h = |A_i − A_j| · ½``, ``h · h``) rather than read from its ``(R, N, N)`` tensor. The
    arithmetic of the array form it replaced, the row sums in NumPy's order: the same bits.
    """
    reps, n = share.shape
    matrix = np.empty((reps, n, n))
    summed = np.empty((reps, n))
    for r in range(reps):
        (w_c, w_a, w_e, discount) = coefficient[r]
        disputes = dispute[r if dispute.shape[0] > 1 else 0]
        near = proximity[r if proximity.shape[0] > 1 else 0]
        for i in range(n):
            for j in range(n):
                half = half_gap(alignment[r, i], alignment[r, j])
                hostility = half * half + w_c * disputes[i, j]
                hostility += w_a * memory[r, i, j]
                if coercion_on.shape[1]:
                    hostility += coercion_on[r, i, j]
                if economic_on.shape[1]:
                    hostility += w_e * economic_on[r, i, j]
                exposure = near[i, j] * hostility * (1.0 - discount * ties[r, i, j])
                matrix[r, i, j] = share[r, j] * exposure
            summed[r, i] = row_sum(matrix[r, i])
    return matrix, summed


def power_share(
    world: World, ties: np.ndarray, capability_now: np.ndarray, state: State | None = None
) -> np.ndarray:
    """Each state's aggregate theatre power as a share of the region's, ``(R, N)``.

    ``s_j = (ĉ_j + λ Σ_m W_jm ĉ_m) / Σ_m ĉ_m`` (Walt: a state's allies add to the power it can
    bring to bear). With ``state``, the month's shares are kept for the same ties and
    capability (threat, balancing and the look-ahead read them).
    """
    if state is not None:
        cached = state.share_cache
        if cached is not None and cached[0] is ties and cached[1] is capability_now:
            return cached[2]
        share = power_share(world, ties, capability_now)
        state.share_cache = (ties, capability_now, share)
        return share
    regional = capability_now * world.regional
    allied = np.einsum("rjm,rm->rj", ties, regional)
    coalition = per_replicate(world.params.threat.coalition_weight, regional.shape[0])
    _shares(regional, coalition, allied)
    return allied


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _shares(regional, coalition, allied):
    """:func:`power_share`' ``(ĉ_j + λ Σ_m W_jm ĉ_m) / Σ_m ĉ_m`` into ``allied``, ``(R, N)``.

    ``allied`` holds the sums ``Σ_m W_jm ĉ_m`` (NumPy's einsum), ``coalition`` ``λ`` per
    replicate; the arithmetic of the array form it replaced, ``Σ_m ĉ_m`` in NumPy's order
    (:func:`~sim.core.dynamics.state.row_sum`): the same bits (and NumPy's inf or NaN where
    the total is 0).
    """
    for r in range(regional.shape[0]):
        total = row_sum(regional[r])
        weight = coalition[r]
        for j in range(regional.shape[1]):
            allied[r, j] = (regional[r, j] + weight * allied[r, j]) / total


def memory_dynamics(world: World, state: State) -> None:
    """Exponentially weighted memory of hostile acts (level-weighted incidents), in place.

    ``M ← κ M + (1 − κ) L`` with ``κ = exp(−1 / months)``.
    """
    keep = np.exp(-1.0 / world.params.threat.memory_months)
    _remember(state.memory, state.level, per_replicate(keep, state.replicates))


@numba.njit(cache=True, nogil=True)
def _remember(memory, level, keep):
    """:func:`memory_dynamics`' ``κ M + (1 − κ) L`` in one pass, in place, ``κ`` per replicate."""
    reps, n = memory.shape[0], memory.shape[1]
    for r in range(reps):
        k = keep[r]
        for i in range(n):
            for j in range(n):
                memory[r, i, j] = k * memory[r, i, j] + (1.0 - k) * level[r, i, j]
