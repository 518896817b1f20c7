"""Tension (``docs/model.md`` §6): structure, incidents, arms racing, polarisation, relief."""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    EPS,
    State,
    alignment_distance,
    coefficients,
    half_gap,
    leading,
    maximum,
    minimum,
    row_sum,
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
    return _relief(terms.dialogue, channels, world.dyad_i, world.dyad_j)


@numba.njit(cache=True, nogil=True)
def _relief(dialogue, channels, dyad_i, dyad_j):
    """:func:`relief_of` with channels open: ``clip(dialogue + channel_ij, 0, 1)`` per dyad.

    ``np.clip``'s arithmetic (a NaN kept, then the bounds), read off the channel matrix
    without gathering its upper triangle first.
    """
    reps, d = channels.shape[0], dyad_i.size
    out = np.empty((reps, d))
    for r in range(reps):
        talks = dialogue[r if dialogue.shape[0] > 1 else 0]
        for q in range(d):
            opened = talks[q] + channels[r, dyad_i[q], dyad_j[q]]
            out[r, q] = minimum(maximum(opened, 0.0), 1.0)
    return out


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
    """Mean half-distance between all pairs of countries on the alignment axis, in [0, 1].

    ``P = Σ_ij |A_i − A_j| / (N (N − 1)) / 2``.
    """
    return _polarization(np.ascontiguousarray(alignment, dtype=float))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _polarization(alignment):
    """:func:`polarization` of every replicate (the array form's arithmetic, its sum's order)."""
    reps, n = alignment.shape
    out = np.empty(reps)
    gaps = np.empty(n * n)
    for r in range(reps):
        out[r] = replicate_polarization(alignment[r], gaps)
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def replicate_polarization(alignment, gaps):
    """:func:`polarization` of one replicate's ``(N,)`` alignment; ``gaps`` is ``(N², )`` scratch.

    The ``N × N`` gaps in row-major order summed in NumPy's pairwise order (as the array
    form's sum over both axes of a contiguous block), then divided as it divides.
    """
    n = alignment.size
    k = 0
    for i in range(n):
        for j in range(n):
            gaps[k] = abs(alignment[i] - alignment[j])
            k += 1
    return row_sum(gaps) / (n * (n - 1)) / 2.0


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
    terms = lever_terms(world, state, levers)
    # Every term is symmetric, so it is computed once per dyad (upper triangle) and mirrored.
    # Polarization is the mean half-gap over all ordered pairs of the full matrix; the
    # half-gaps are taken from the alignment in the kernel (no ``(R, N, N)`` tensor of them).
    r = state.replicates
    coefficient = coefficients(
        r,
        p.dispute_base,
        p.bloc_base,
        p.coercion_base,
        p.incident_gain,
        p.arms_race_gain,
        p.polarization_gain,
        p.relaxation,
        p.dialogue_relief,
    )
    _move_tension(
        coefficient,
        state.tension,
        state.level,
        state.alignment,
        leading(world.dispute, 2),
        growth,
        terms.economic_dyad,
        terms.relief if channels is None else terms.dialogue,
        np.empty((r, 0, 0)) if channels is None else channels,
    )


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _move_tension(
    coefficient, tension, level, alignment, dispute, growth, economic, talks, channels
):  # fmt: skip
    """:func:`tension_dynamics` dyad by dyad, in place, mirrored (the arithmetic of its formula).

    The dyads are the upper triangle in row-major order (``World.dyad_i``, ``dyad_j``, as
    :func:`numpy.triu_indices` gives them), walked as ``i < j`` with their index counted.

    ``coefficient`` holds, per replicate, ``b_d, b_b, b_e, g_I, g_R, g_P, ρ, ρ_D``. The
    half-gaps ``|A_i − A_j| · ½`` are computed from the alignment ``(R, N)`` with the
    arithmetic of :func:`~sim.core.dynamics.state.alignment_gaps`, a replicate's ``N × N`` of
    them into one scratch row; the polarization ``P`` is their mean, summed in NumPy's order
    (:func:`row_sum`, the bits of ``gaps.sum(axis=(1, 2))`` over the tensor of them).
    The relief is :func:`relief_of`'s, read here: ``talks`` is the lever terms' relief when
    ``channels`` is empty (none open), else their dialogue, with the channel added and
    clipped per dyad (:func:`_relief`'s arithmetic).
    """
    reps, n = tension.shape[0], tension.shape[1]
    gaps = np.empty((n, n))
    for r in range(reps):
        (b_d, b_b, b_e, g_i, g_r, g_p, rho, rho_d) = coefficient[r]
        for i in range(n):
            for j in range(n):
                gaps[i, j] = half_gap(alignment[r, i], alignment[r, j])
        polar = row_sum(gaps.reshape(n * n)) / (n * (n - 1))
        disputes = dispute[r if dispute.shape[0] > 1 else 0]
        talk = talks[r if talks.shape[0] > 1 else 0]
        q = 0
        for i in range(n):
            for j in range(i + 1, n):
                relief = talk[q]
                if channels.shape[1]:
                    relief = minimum(maximum(relief + channels[r, i, j], 0.0), 1.0)
                half = gaps[i, j]
                distance = half * half
                disputed = disputes[i, j]
                hostile = minimum(maximum(disputed + distance, 0.0), 1.0)
                race = maximum(growth[r, i], 0.0) * maximum(growth[r, j], 0.0) * hostile
                bloc = polar * half
                base = b_d * disputed + b_b * distance + b_e * economic[r, q]
                target = base * (1.0 - 0.5 * relief)
                tau = tension[r, i, j]
                moved = tau + (
                    g_i * level[r, i, j]
                    + g_r * race
                    + g_p * bloc
                    - (rho + rho_d * relief) * (tau - target)
                )
                moved = minimum(maximum(moved, 0.0), 1.0)
                tension[r, i, j] = moved
                tension[r, j, i] = moved
                q += 1
