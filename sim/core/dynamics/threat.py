"""Threat perception (``docs/model.md`` §2): Walt's balance of threat.

Also the memory of hostile acts that threat reads.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import State, current_gaps
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
        ``(T, H, threat)``: threat matrix, exposure matrix (without capability), and per-country
        perceived threat.
    """
    p = world.params.threat
    terms = lever_terms(world, state, levers)
    hostility = current_gaps(state)[1] + p.claims_weight * world.dispute
    hostility += p.hostile_acts_weight * state.memory
    if terms.coercion_on is not None:
        hostility += terms.coercion_on
    if terms.economic_on is not None:
        hostility += world.params.economy.coercion_hostility * terms.economic_on
    exposure = world.proximity * hostility * (1.0 - p.ally_discount * ties)
    share = power_share(world, ties, capability_now)
    threat_matrix = share[:, None, :] * exposure
    threat = -np.expm1(-p.sensitivity * threat_matrix.sum(axis=2))
    return threat_matrix, exposure, threat


def power_share(world: World, ties: np.ndarray, capability_now: np.ndarray) -> np.ndarray:
    """Each state's aggregate theatre power as a share of the region's, ``(R, N)``.

    ``s_j = (ĉ_j + λ Σ_m W_jm ĉ_m) / Σ_m ĉ_m`` (Walt: a state's allies add to the power it can
    bring to bear).
    """
    regional = capability_now * world.regional
    power = regional + world.params.threat.coalition_weight * np.einsum(
        "rjm,rm->rj", ties, regional
    )
    return power / regional.sum(axis=1, keepdims=True)


def memory_dynamics(world: World, state: State) -> None:
    """Exponentially weighted memory of hostile acts (level-weighted incidents)."""
    keep = np.exp(-1.0 / world.params.threat.memory_months)
    state.memory = keep * state.memory + (1.0 - keep) * state.level
