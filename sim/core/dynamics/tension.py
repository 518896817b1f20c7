"""Tension (``docs/model.md`` §6): structure, incidents, arms racing, polarisation, relief."""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    EPS,
    State,
    alignment_distance,
    current_gaps,
    upper_triangle,
)
from sim.core.world import World


def base_tension(
    world: World, alignment: np.ndarray, distance: np.ndarray | None = None
) -> np.ndarray:
    """Structural tension of each dyad: disputes plus distance between blocs (``(R, N, N)``).

    The diagonal is zero: a country has no dispute with, and no distance from, itself.
    """
    p = world.params.tension
    if distance is None:
        distance = alignment_distance(alignment)
    return p.dispute_base * world.dispute + p.bloc_base * distance


def tension_target(
    world: World,
    dispute: np.ndarray,
    distance: np.ndarray,
    economic: np.ndarray,
    relief: np.ndarray,
) -> np.ndarray:
    """The level tension relaxes to: ``(b_d dispute + b_b distance² + b_e economic)(1 − ½ R)``."""
    p = world.params.tension
    base = p.dispute_base * dispute + p.bloc_base * distance + p.coercion_base * economic
    return base * (1.0 - 0.5 * relief)


def relief_of(world: World, terms, channels: np.ndarray | None) -> np.ndarray:
    """``R = min(1, dialogue + ceasefire + channel)`` over upper-triangle dyads, ``(R, D)``."""
    if channels is None:
        return terms.relief
    return np.clip(terms.dialogue + upper_triangle(world, channels), 0.0, 1.0)


def resting_tension(world: World, alignment: np.ndarray) -> np.ndarray:
    """Tension at rest without incidents, arms racing or talks (the initial tension).

    The fixed point of :func:`tension_dynamics` with only structure and polarisation:
    ``τ* = base + g_P·P·|A_i − A_j|/2 / ρ``.
    """
    p = world.params.tension
    bloc = polarization(alignment)[:, None, None] * np.sqrt(alignment_distance(alignment))
    rest = base_tension(world, alignment) + p.polarization_gain * bloc / np.maximum(
        p.relaxation, EPS
    )
    rest[:, np.eye(world.n, dtype=bool)] = 0.0
    return np.clip(rest, 0.0, 1.0)


def polarization(alignment: np.ndarray) -> np.ndarray:
    """Mean half-distance between all pairs of countries on the alignment axis, in [0, 1]."""
    n = alignment.shape[1]
    gaps = np.abs(alignment[:, :, None] - alignment[:, None, :]).sum(axis=(1, 2))
    return gaps / (n * (n - 1)) / 2.0


def tension_dynamics(
    world: World,
    state: State,
    levers: np.ndarray,
    channels: np.ndarray,
    growth: np.ndarray,
) -> None:
    """Raise tension with incidents, arms racing and polarisation; relax it by talks (in place).

    ``τ += g_I·level + g_R·max(ġ_i,0)·max(ġ_j,0)·hostile_ij + g_P·P·|A_i − A_j|/2
    − (ρ + ρ_D·relief)(τ − target)``, clipped to [0, 1] (:func:`tension_target`), with
    ``relief = min(1, dialogue + channel + ceasefire)`` and ``ġ`` burden growth.
    """
    p = world.params.tension
    n = world.n
    i, j = world.dyad_i, world.dyad_j
    terms = lever_terms(world, state, levers)
    relief = relief_of(world, terms, channels)
    # Every term is symmetric, so it is computed once per dyad (upper triangle) and mirrored.
    # Polarization is the mean half-gap over all ordered pairs of the full matrix.
    gaps = current_gaps(state)[0]
    polar = gaps.sum(axis=(1, 2)) / (n * (n - 1))
    half_gap = gaps[:, i, j]
    distance = half_gap * half_gap
    dispute = world.dispute[i, j]
    hostile = np.clip(dispute + distance, 0.0, 1.0)
    rising = np.maximum(growth, 0.0)
    race = rising[:, i] * rising[:, j] * hostile
    bloc = polar[:, None] * half_gap
    target = tension_target(world, dispute, distance, terms.economic_dyad, relief)
    tau = state.tension[:, i, j]
    moved = tau + (
        p.incident_gain * state.level[:, i, j]
        + p.arms_race_gain * race
        + p.polarization_gain * bloc
        - (p.relaxation + p.dialogue_relief * relief) * (tau - target)
    )
    np.clip(moved, 0.0, 1.0, out=moved)
    state.tension[:, i, j] = moved  # in place: every off-diagonal entry is a dyad's, and the
    state.tension[:, j, i] = moved  # diagonal stays zero
