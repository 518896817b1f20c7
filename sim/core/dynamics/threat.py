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
    hostility = current_gaps(state)[1] + p.claims_weight * world.dispute
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


def memory_dynamics(world: World, state: State) -> None:
    """Exponentially weighted memory of hostile acts (level-weighted incidents)."""
    keep = np.exp(-1.0 / world.params.threat.memory_months)
    state.memory = keep * state.memory + (1.0 - keep) * state.level
