"""Alignment and hedging (``docs/model.md`` §3): the pulls on each state's alignment."""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.alliances import pledge_strength
from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import State, month_draws
from sim.core.rng import Stream, box_muller
from sim.core.world import World


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
