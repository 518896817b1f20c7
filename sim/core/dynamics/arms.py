"""Capabilities and arms dynamics (``docs/model.md`` §1): Richardson's arms race."""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.state import DT, EPS, State
from sim.core.world import World


def richardson_step(
    milex: np.ndarray,
    reaction: np.ndarray,
    fatigue: float,
    grievance: np.ndarray,
    dt: float = DT,
) -> np.ndarray:
    """One Euler step of Richardson's arms race ``dm/dt = K·m − a·m + g``.

    Args:
        milex: Spending ``(R, N)``.
        reaction: Reaction matrix ``K`` ``(R, N, N)``: i's response to j's spending.
        fatigue: Fatigue coefficient ``a`` (1/yr).
        grievance: Grievance ``g`` ``(R, N)`` or ``(N,)``.
        dt: Time step in years.

    Returns:
        Spending after the step (unclipped).
    """
    rate = np.einsum("rij,rj->ri", reaction, milex) - fatigue * milex + grievance
    return milex + dt * rate


def arms_reaction(world: World, exposure: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Richardson reaction matrix: rivals push spending up, allies substitute for it.

    ``K = k · D (H (I + λW) − π W) D⁻¹`` with ``D = diag(GDP)``: i responds to the spending of
    states it is exposed to and of their allies (aggregate power, λ = coalition weight), in
    proportion to what its economy can bear relative to theirs, and counts a share π of its
    own allies' spending as its own (buck-passing). The GDP ratios cancel in the stability
    condition ``K_ij K_ji < a²`` of every dyad.
    """
    p = world.params.arms
    coalition = world.params.threat.coalition_weight
    scale = world.gdp[..., :, None] / world.gdp[..., None, :]
    # i also answers the spending of its rivals' allies: H (I + λW).
    rivals = exposure + coalition * (exposure @ ties)
    return p.reaction * (rivals - p.ally_pooling * ties) * scale


def arms_drift(
    world: World, state: State, exposure: np.ndarray, ties: np.ndarray, abandonment: np.ndarray
) -> np.ndarray:
    """Yearly spending change without the grievance term (used for anchoring and stepping)."""
    p = world.params.arms
    zero = np.zeros_like(state.milex)
    moved = richardson_step(state.milex, arms_reaction(world, exposure, ties), p.fatigue, zero, 1.0)
    # Internal balancing against abandonment scales with the baseline budget, not the current
    # one: proportional feedback would erode the fatigue term and destabilise the race.
    return moved - state.milex + p.abandonment_arming * abandonment * world.milex0


def arms_dynamics(
    world: World, state: State, exposure: np.ndarray, ties: np.ndarray, abandonment: np.ndarray
) -> np.ndarray:
    """Advance spending one month within ``[0, ceiling]``; return annualised growth rates."""
    drift = arms_drift(world, state, exposure, ties, abandonment)
    new = np.clip(state.milex + DT * (drift + world.grievance), 0.0, world.ceiling)
    growth = (new - state.milex) / np.maximum(state.milex, EPS) * 12.0
    state.milex = new
    return growth
