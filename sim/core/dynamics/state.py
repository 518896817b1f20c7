"""The state of a run: everything that changes, for R replicates at once.

Every array carries a leading replicate axis ``R``: country arrays are ``(R, N)``, dyad
matrices ``(R, N, N)``, alliance arrays ``(R, K)``. This module holds :class:`State` and the
small helpers every mechanism shares: the month's random draws, upper-triangle dyads,
alignment gaps. One step is one month; yearly rates are multiplied by :data:`DT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.core.records import Record
from sim.core.rng import Stream, draw
from sim.core.world import MONTH_STREAMS, World

if TYPE_CHECKING:  # annotations only: the caches hold what these modules derive
    from sim.core.dynamics.alliances import Membership
    from sim.core.dynamics.levers import LeverTerms

#: One month, in years.
DT = 1.0 / 12.0
#: Floor of denominators.
EPS = 1e-9


@dataclass
class State:
    """Everything that changes during a run, for R replicates.

    Attributes:
        step: Current month (the same for all replicates).
        keys: Per-replicate random keys.
        milex: Military spending, US$ bn/yr, ``(R, N)``.
        alignment: Position on the China (−1) – US (+1) axis, ``(R, N)``.
        tension: Dyadic tension in [0, 1], ``(R, N, N)``, symmetric.
        level: Escalation level of each dyad's active incident (0 calm … 5 war), ``(R, N, N)``.
        memory: Remembered hostile acts (level-weighted), ``(R, N, N)``.
        transfers: Delivered arms still in service, US$ bn, donor × recipient, ``(R, N, N)``.
        members: Alliance membership, ``(R, K, N)``.
        commitment: Alliance commitment, ``(R, K)``.
        interoperability: Alliance interoperability, ``(R, K)``.
        credibility: Alliance credibility, ``(R, K)``.
        alliance_start: Month each alliance comes into force, ``(R, K)``.
        alliance_end: Month each alliance ends (exclusive), ``(R, K)``.
        policy_start: Month each policy starts, ``(R, P)``.
        policy_end: Month each policy ends (exclusive), ``(R, P)``.
        fired: Whether each conditional event has fired, ``(R, E)``.
        threat: Perceived threat in [0, 1), ``(R, N)`` (last computed).
        abandonment: Abandonment fear, ``(R, N)``.
        entrapment: Entrapment fear, ``(R, N)``.
        new_incidents: Dyads with a new incident this step, ``(R, D)`` over upper-triangle dyads.
        max_level: Highest escalation level reached so far per dyad, ``(R, D)``.
        log: Records of what happened (None when the run is not logged).
        lever_cache: Last month's policies in force and the levers they gave.
        terms_cache: The lever tensor last read and the terms derived from it.
        alliance_cache: Levers and membership last seen by the alliance dynamics, and the
            exercise and presence totals derived from them.
        bond_cache: Membership and commitment last seen by the alliance fears, and the
            entrapment bonds derived from them.
        membership_cache: Membership last seen and the :class:`Membership` derived from it.
        draws: This month's random draws by stream (see :func:`month_draws`), with the month.
        gaps_cache: Alignment last seen and its :func:`alignment_gaps` (the gaps tension
            reads at the end of a month are the ones threat reads at the start of the next).
    """

    step: int
    keys: np.ndarray
    milex: np.ndarray
    alignment: np.ndarray
    tension: np.ndarray
    level: np.ndarray
    memory: np.ndarray
    transfers: np.ndarray
    members: np.ndarray
    commitment: np.ndarray
    interoperability: np.ndarray
    credibility: np.ndarray
    alliance_start: np.ndarray
    alliance_end: np.ndarray
    policy_start: np.ndarray
    policy_end: np.ndarray
    fired: np.ndarray
    threat: np.ndarray
    abandonment: np.ndarray
    entrapment: np.ndarray
    new_incidents: np.ndarray
    max_level: np.ndarray
    log: list[Record] | None = field(default_factory=list)
    lever_cache: tuple[np.ndarray, np.ndarray] | None = None
    terms_cache: tuple[np.ndarray, LeverTerms] | None = None
    alliance_cache: tuple[np.ndarray, ...] | None = None
    bond_cache: tuple[np.ndarray, ...] | None = None
    membership_cache: tuple[np.ndarray, Membership] | None = None
    gaps_cache: tuple[np.ndarray, ...] | None = None
    draws: tuple[int, dict[Stream, np.ndarray]] | None = None

    @property
    def replicates(self) -> int:
        """Number of replicates R."""
        return self.keys.shape[0]


# --------------------------------------------------------------------------------------------
# Helpers


def upper_triangle(world: World, matrix: np.ndarray) -> np.ndarray:
    """``matrix[:, i, j]`` over the upper-triangle dyads, ``(R, D)``."""
    # Contiguous, so that reductions over it never depend on the batch's memory layout.
    return np.ascontiguousarray(matrix[:, world.dyad_i, world.dyad_j])


def zero_diagonal(matrices: np.ndarray) -> None:
    """Set the diagonal of every ``(N, N)`` matrix of an ``(R, N, N)`` array to zero."""
    n = matrices.shape[-1]
    matrices.reshape(matrices.shape[0], n * n)[:, :: n + 1] = 0.0


def max_along(values: np.ndarray, axis: int) -> np.ndarray:
    """``values.max(axis)``; on big arrays as a loop of pairwise maxima (exact either way).

    NumPy reduces a short axis in many tiny inner loops; the loop over it runs a few long
    elementwise passes instead, about twice as fast from some 10,000 elements up.
    """
    if values.size < 12_000:
        return values.max(axis=axis)
    slices = np.moveaxis(values, axis, 0)
    out = slices[0].copy()
    for part in slices[1:]:
        np.maximum(out, part, out=out)
    return out


def alignment_distance(alignment: np.ndarray) -> np.ndarray:
    """Squared half-distance on the alignment axis, ``((A_i − A_j) / 2)²``, in [0, 1]."""
    return alignment_gaps(alignment)[1]


def alignment_gaps(alignment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-distances ``|A_i − A_j| / 2`` and their squares, each ``(R, N, N)``.

    Computed together because tension needs both (``√distance`` is the half-gap exactly).
    """
    half = np.abs(alignment[:, :, None] - alignment[:, None, :])
    half *= 0.5
    return half, half * half


def month_draws(world: World, state: State, stream: Stream) -> np.ndarray:
    """This month's uniforms of one stream, ``(R, ·)`` (see :attr:`World.month_draws`).

    All streams are drawn in one pass at the first request of a month; each draw is the number
    :func:`sim.rng.uniforms` gives for it.
    """
    if state.draws is None or state.draws[0] != state.step:
        blocks = draw(state.keys, state.step, world.month_draws)
        state.draws = (state.step, dict(zip(MONTH_STREAMS, blocks, strict=True)))
    return state.draws[1][stream]


def current_gaps(state: State) -> tuple[np.ndarray, np.ndarray]:
    """:func:`alignment_gaps` of the current alignment, reused while it is unchanged."""
    cached = state.gaps_cache
    if cached is not None and np.array_equal(cached[0], state.alignment):
        return cached[1], cached[2]
    half, distance = alignment_gaps(state.alignment)
    half.flags.writeable = distance.flags.writeable = False  # shared: nobody may change them
    state.gaps_cache = (state.alignment.copy(), half, distance)
    return half, distance
