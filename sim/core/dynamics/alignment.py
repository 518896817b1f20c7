"""Alignment and hedging (``docs/model.md`` §3): the pulls on each state's alignment."""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.arms import at_month
from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import EPS, State, Ties, month_draws
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
    lingering = lingering_threat(world, state.step, threat_matrix, ties.credible, capability_now)
    security = p.security_weight * security_force(lingering, A)
    # Alliances pull members towards their patron (the hub), not towards each other.
    hub_alignment = A[:, world.hub]  # (R, K)
    alliance = np.einsum("rk,rki,rk->ri", ties.strength, ties.members, hub_alignment) - (
        np.einsum("rk,rki->ri", ties.strength, ties.members) * A
    )
    # Only donors and traders have nonzero levers: the sums skip the zero rows.
    terms = lever_terms(world, state, levers)
    deals = np.tanh(terms.trade / p.trade_unit)
    economy = _towards(deals, A, terms.traders)
    own = np.maximum(state.milex, 0.01)[:, None, :]
    received = state.transfers[:, terms.donors] / (p.transfer_unit * own)
    intensity = np.tanh(terms.aid / (p.aid_unit * own) + p.nuclear_unit * terms.nuclear + received)
    inducement = _towards(intensity, A, terms.donors)
    drills = _drills(world, state, levers)
    if drills is not None:  # joint drills pull the partner towards the state that leads them
        inducement = inducement + np.einsum("rai,ra->ri", drills[0], A) - drills[1] * A
    forces = (
        security
        + p.alliance_weight * alliance
        + p.economic_weight * economy
        + p.inducement_weight * inducement
        - p.entrapment_weight * (entrapment + abandonment) * A
        - p.inertia * (A - world.alignment0)
    )
    if terms.economic_on is not None:
        # [r, i, a]: a's coercion of i, weighted by i's trade with a, pulls i towards a.
        leverage = terms.economic_on * world.trade_share
        pull = np.einsum("ria,ra->ri", leverage, A) - leverage.sum(axis=2) * A
        forces = forces + p.compliance_weight * pull
    if world.asean.any():
        asean = world.asean.astype(float)
        mean_asean = (A * asean).sum(axis=1, keepdims=True) / asean.sum()
        forces = forces + asean * (p.neighbour_weight * (mean_asean - A) - p.hedging_weight * A)
    if state.lean is not None:  # a lean moves the point domestic preferences hold it to (§9)
        forces = forces + p.inertia * world.params.decisions.lean_shift * state.lean
    return np.where(world.pole, 0.0, forces)


def security_force(threat_matrix: np.ndarray, alignment: np.ndarray) -> np.ndarray:
    """Balancing: the pull away from the alignment of the states one fears, ``−Σ_j T_ij A_j``."""
    return -np.einsum("rij,rj->ri", threat_matrix, alignment)


def lingering_threat(
    world: World,
    step: int,
    threat_matrix: np.ndarray,
    ties: np.ndarray,
    capability_now: np.ndarray,
) -> np.ndarray:
    """The threat matrix balancing reads: a receding power's threat lingers.

    Where a state's power share ``s_j`` falls below its value on the status quo's path ``s̄_j``
    (``World.reference_share``), balancing reads ``s̄_j + relief (s_j − s̄_j)`` instead:
    alignments built against a power are not undone as its power recedes (``threat_relief``,
    §3), so a weaker push away from a pole is not a pull towards it. Shares move only with
    capabilities and ties, never with the month's noise, so the rule cannot ratchet at rest.
    """
    if world.reference_share.shape[-1] == 0:
        return threat_matrix
    share = power_share(world, ties, capability_now)
    resting = at_month(world.reference_share, step)
    relief = world.params.alignment.threat_relief
    counted = np.where(share < resting, resting + relief * (share - resting), share)
    return threat_matrix * (counted / np.maximum(share, EPS))[:, None, :]


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


def _towards(intensity: np.ndarray, alignment: np.ndarray, actors: np.ndarray) -> np.ndarray:
    """``Σ_a intensity_ai (A_a − A_i)`` for lever rows ``actors``, ``(R, N)``."""
    if actors.size == 0:
        return np.zeros_like(alignment)
    toward = np.einsum("rai,ra->ri", intensity, alignment[:, actors])
    return toward - intensity.sum(axis=1) * alignment


def alignment_dynamics(world: World, state: State, forces: np.ndarray) -> None:
    """Move alignment by ``rate · (forces + anchor) + noise`` within [−1, 1]; poles stay."""
    p = world.params.alignment
    noise = p.noise_sd * box_muller(
        month_draws(world, state, Stream.ALIGNMENT_A), month_draws(world, state, Stream.ALIGNMENT_B)
    )
    anchor = at_month(world.alignment_anchor, state.step)
    moved = state.alignment + p.rate * (forces + anchor) + noise
    state.alignment = np.where(world.pole, state.alignment, np.clip(moved, -1.0, 1.0))
