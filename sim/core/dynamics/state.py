"""The state of a run: everything that changes, for R replicates at once.

Every array carries a leading replicate axis ``R``: country arrays are ``(R, N)``, dyad
matrices ``(R, N, N)``, alliance arrays ``(R, K)``. This module holds :class:`State` and the
small helpers every mechanism shares: the month's random draws, upper-triangle dyads,
alignment gaps; and the quantities derived from the policies in force (:class:`LeverTerms`)
and from alliance membership (:class:`Membership`), which the state caches between months.
One step is one month; yearly rates are multiplied by :data:`DT`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np

from sim.core.records import Record
from sim.core.rng import Stream, draw
from sim.core.world import MONTH_STREAMS, World

#: One month, in years.
DT = 1.0 / 12.0
#: Floor of denominators.
EPS = 1e-9


#: How many owners a :func:`per_owner` memo keeps before it starts afresh.
KEPT_OWNERS = 8


def per_owner[Owner, Value](make: Callable[[Owner], Value]) -> Callable[[Owner], Value]:
    """Decorate ``make(owner)`` to compute its value once per owner, kept by the owner's identity.

    For what a mechanism reads of a world (or a membership) alone: worlds are never changed in
    place. The owner is kept with its value, so its identity cannot be reused while the entry
    stands; past :data:`KEPT_OWNERS` owners the memo starts afresh (a sweep alternating more
    worlds recomputes, cheaply). The values are shared: make them read-only.
    """
    kept: dict[int, tuple[Owner, Value]] = {}

    @functools.wraps(make)
    def value_of(owner: Owner) -> Value:
        entry = kept.get(id(owner))
        if entry is not None and entry[0] is owner:
            return entry[1]
        value = make(owner)
        if len(kept) >= KEPT_OWNERS:
            kept.clear()
        kept[id(owner)] = (owner, value)
        return value

    return value_of


@dataclass(frozen=True)
class LeverTerms:
    """Quantities that depend only on the policies in force, derived once per change of them.

    Policies start and stop rarely, so most months reuse these instead of re-deriving them
    from the ``(R, L, N, N)`` lever tensor. Dyad quantities are over upper-triangle dyads.

    Attributes:
        assistance_in: Assistance each country receives, US$ bn/yr, ``(R, N)``.
        coercion_on: Coercion suffered, ``[i, j]`` = j's coercion of i, ``(R, N, N)``; None
            when nobody coerces.
        coercion_dyad: Coercion within each dyad, either way, ``(R, D)``.
        presence_dyad: Foreign forces facing their adversary across each dyad, capped at 1,
            ``(R, D)`` (:func:`sim.core.dynamics.levers.presence_friction`).
        ceasefire_dyad: Ceasefire strength of each dyad, ``(R, D)``.
        channel: Deconfliction channels, symmetric, ``(R, N, N)``; None when there are none.
        dialogue: Dialogue and ceasefires over upper-triangle dyads, ``(R, D)``.
        relief: Relief from dialogue alone, ``min(1, dialogue)`` (used when no channel is
            open), ``(R, D)``.
        donors: Countries that can give aid, nuclear cooperation or arms (static).
        aid: Aid and inducements from each donor, ``(R, len(donors), N)``.
        nuclear: Civil nuclear cooperation from each donor, ``(R, len(donors), N)``.
        traders: Countries with trade deals (static).
        trade: Trade deals of each trader, ``(R, len(traders), N)``.
        exercises: Joint exercises per year, symmetric, ``(R, N, N)``.
        presence: Forward presence, actor × host, ``(R, N, N)``.
        economic_on: Economic coercion suffered, ``[i, a]`` = a's coercion of i, ``(R, N, N)``;
            None when nobody coerces.
        economic_dyad: Economic coercion within each dyad, either way, ``(R, D)``.
        theatre: Theatre reach ``θ[m, i]``: the share of m's forces that can reach i's
            theatre, from home or from forward bases, ``(R, N, N)``.
    """

    assistance_in: np.ndarray
    coercion_on: np.ndarray | None
    coercion_dyad: np.ndarray
    presence_dyad: np.ndarray
    ceasefire_dyad: np.ndarray
    channel: np.ndarray | None
    dialogue: np.ndarray
    relief: np.ndarray
    donors: np.ndarray
    aid: np.ndarray
    nuclear: np.ndarray
    traders: np.ndarray
    trade: np.ndarray
    exercises: np.ndarray
    presence: np.ndarray
    economic_on: np.ndarray | None
    economic_dyad: np.ndarray
    theatre: np.ndarray


@dataclass(frozen=True)
class Coverage:
    """Which pledges back which side of which incident dyad (``docs/model.md`` §5).

    A *direction* ``d`` is an incident dyad read one way: a protected state ``i`` facing an
    adversary ``j`` that one of its alliances is aimed at. Each *link* ``t`` is one alliance
    ``k_t`` in which ``i`` is protected against ``j``, with one other member ``m_t`` that can
    come to its help; links are sorted by *target* (direction, helper), so that the pledges of
    several alliances behind the same helper count as the strongest of them.

    Attributes:
        protected: Side ``i`` of each direction, ``(Dd,)``.
        adversary: Side ``j`` of each direction, ``(Dd,)``.
        dyad: Position of each direction's dyad among ``World.incident_dyads``, ``(Dd,)``.
        link_alliance: Alliance of each link, ``(T,)``.
        link_helper: Helper of each link, ``(T,)``.
        link_mask: 1 where the link holds in a replicate (membership can differ), ``(R, T)``.
        target_start: First link of each target, for ``np.add.reduceat``, ``(G,)``.
        target_direction: Direction of each target, ``(G,)``.
        target_helper: Helper of each target, ``(G,)``.
        direction_start: First target of each direction, for ``np.add.reduceat``, ``(Dd,)``.
    """

    protected: np.ndarray
    adversary: np.ndarray
    dyad: np.ndarray
    link_alliance: np.ndarray
    link_helper: np.ndarray
    link_mask: np.ndarray
    target_start: np.ndarray
    target_direction: np.ndarray
    target_helper: np.ndarray
    direction_start: np.ndarray


@dataclass(frozen=True)
class Membership:
    """Quantities that depend only on who belongs to which alliance in force.

    Membership changes only with events and alliance start or end dates, so most months reuse
    these (see :func:`sim.core.dynamics.alliances.membership`).

    Attributes:
        protected: 1 where a country is a protected member (a member other than the hub) of
            an alliance in force, ``(R, K, N)``.
        any_protector: Whether each country is protected by some alliance, ``(R, N)``.
        active: Whether each alliance has members (is in force), ``(R, K)``.
        challenged: For each alliance and incident dyad, 1 when one side is a protected member
            and the other an adversary the pledge is aimed at, ``(R, K, len(incident_dyads))``.
        pair_i: First country of each pair that shares an alliance in some replicate, ``(S,)``.
        pair_j: Second country of each such pair (``pair_i < pair_j``), ``(S,)``.
        shared: 1 where both countries of pair s are in alliance k, ``(K, R, S)`` (alliance
            first, so that maxima over the alliances run as long elementwise passes).
        i_protected: 1 where ``pair_i`` of pair s is protected in alliance k, ``(K, R, S)``.
        j_protected: 1 where ``pair_j`` of pair s is protected in alliance k, ``(K, R, S)``.
        pair_start: Where each pair's alliances start in ``pair_alliance``, ``(S + 1,)``.
        pair_alliance: The alliances each pair shares in some replicate, pair by pair.
        coverage: The :class:`Coverage` of the incident dyads.
    """

    protected: np.ndarray
    any_protector: np.ndarray
    active: np.ndarray
    challenged: np.ndarray
    pair_i: np.ndarray
    pair_j: np.ndarray
    shared: np.ndarray
    i_protected: np.ndarray
    j_protected: np.ndarray
    pair_start: np.ndarray
    pair_alliance: np.ndarray
    coverage: Coverage


@dataclass(frozen=True)
class Ties:
    """This month's alliance ties (``docs/model.md`` §4).

    Attributes:
        credible: Credible tie strength ``W``, symmetric, ``(R, N, N)``.
        protection: Credible protective tie, ``[i, m]`` = the pledge of m to protected i,
            ``(R, N, N)``.
        members: Membership of the alliances in force, ``(R, K, N)`` as floats.
        strength: Credible pledge strength of each alliance ``s_k``, ``(R, K)``.
        promise: Promised pledge strength of each alliance, ``(R, K)``.
        joined: The :class:`Membership` of ``members``.
        toward_i: ``protection`` on the pairs of ``joined``: the pledge of ``pair_j`` to
            ``pair_i``, ``(R, S)``.
        toward_j: The pledge of ``pair_i`` to ``pair_j``, ``(R, S)``.
    """

    credible: np.ndarray
    protection: np.ndarray
    members: np.ndarray
    strength: np.ndarray
    promise: np.ndarray
    joined: Membership
    toward_i: np.ndarray
    toward_j: np.ndarray


@dataclass
class State:
    """Everything that changes during a run, for R replicates.

    Attributes:
        step: Current month (the same for all replicates).
        keys: Per-replicate random keys.
        milex: Military spending, US$ bn/yr, ``(R, N)``.
        burden: Military spending as a share of GDP, ``(R, N)``.
        alignment: Position on the China (−1) – US (+1) axis, ``(R, N)``.
        tension: Dyadic tension in [0, 1], ``(R, N, N)``, symmetric.
        level: Escalation level of each dyad's active incident (0 calm … 5 war), ``(R, N, N)``.
        memory: Remembered hostile acts (level-weighted), ``(R, N, N)``.
        transfers: Delivered arms still in service, US$ bn, donor × recipient, ``(R, N, N)``.
        members: Alliance membership, ``(R, K, N)``.
        commitment: Alliance commitment, ``(R, K)``.
        interoperability: Alliance interoperability, ``(R, K)``.
        credibility: Alliance credibility, ``(R, K)``.
        clarity: Clarity of each alliance's pledge, ``(R, K)``.
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
        held: Dyads whose rung was set by an event this month and holds through it, ``(R, D)``.
        overlay: The levers the states' own decisions add to the scripted ones, kind × actor ×
            partner, ``(R, L, N, N)`` (§9). Only the menu's levers are written, unless
            ``overlay_anywhere`` says otherwise (the levers in force are summed there only).
        posture: Each state's chosen burden relative to its announced path, ``(R, N)``.
        lean: Each state's chosen lean towards the US (+1) or China (−1), ``(R, N)``.
        stance: Each state's stance in its incident with another: press (+1), hold (0) or
            back down (−1), ``[i, j]`` = i's, ``(R, N, N)``.
        moves: Moves each state has made (holds not counted), ``(R, N)``.
        coercing: Intensity-months of gray-zone coercion each state has applied, summed over
            its targets, ``(R, N)``.
        first_retreat: Month of each state's first back-down (``NEVER`` before), ``(R, N)``.
        retreats: Times each state has backed down in an incident, ``(R, N)``.
        played: The levers of the moves played into the run (``moves:``, a game's accepted
            moves) in force, ``(R, L, N, N)``; None until one is
            (:mod:`sim.core.dynamics.played`).
        overlay_version: Counts the changes of ``overlay`` (the lever cache's key).
        played_version: Counts the changes of ``played`` (the lever cache's key).
        overlay_anywhere: Whether something other than the decision rule wrote the overlay
            (a facilitator's overrule), so that it may differ from zero off the menu's levers.
        membership_version: Counts the changes of ``members`` and of the alliances' dates (the
            membership cache's key).
        log: Records of what happened (None when the run is not logged).
        replicate_ids: The replicate index of each row, as the records name it, ``(R,)``;
            None when each row's index is its position.
        lever_cache: Last month's policies in force and the levers they gave.
        terms_cache: The lever tensor last read and the terms derived from it.
        drill_cache: The lever tensor last read by the alignment forces, the pull of its joint
            exercises and the economic coercion suffered, as their nonzero entries.
        deals_cache: The lever tensor last read by the alignment forces and the pull of its
            trade deals, as their nonzero entries.
        aid_cache: The lever tensor last read by the alignment forces and where its donors give
            aid or nuclear cooperation.
        share_cache: The ties and capability last read for power shares, and the shares.
        members_cache: The membership array and version and the alliances in force last read,
            and the membership they gave.
        coercing_cache: The lever tensor last counted for coercion, and each state's coercion
            summed over its targets.
        alliance_cache: Levers and membership last seen by the alliance dynamics, and the
            exercise and presence totals derived from them.
        bond_cache: Membership and commitment last seen by the alliance fears, and the pair
            entrapment bonds derived from them.
        membership_cache: Membership last seen and the :class:`Membership` derived from it.
        draws: This month's random draws by stream (see :func:`month_draws`), with the month.
        gaps_cache: Alignment last seen and its :func:`alignment_gaps` (read by
            :func:`current_gaps`).
        overlay_cache: The scripted levers and the overlay's and played levers' versions last
            summed, and their sum.
        negative_cache: The scripted levers last checked for a negative entry, and whether
            one is.
        decided_cache: The last :func:`~sim.core.dynamics.levers.decided_levers`: the
            scripted levers and the tensor it gave, the overlay version the tensor stands for
            once the entries listed are summed again
            (:func:`~sim.core.dynamics.levers.note_moved`), those entries, and, when the
            tensor was made from the one before, that one, the replicates that differ and the
            lever kinds that do.
    """

    step: int
    keys: np.ndarray
    milex: np.ndarray
    burden: np.ndarray
    alignment: np.ndarray
    tension: np.ndarray
    level: np.ndarray
    memory: np.ndarray
    transfers: np.ndarray
    members: np.ndarray
    commitment: np.ndarray
    interoperability: np.ndarray
    credibility: np.ndarray
    clarity: np.ndarray
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
    held: np.ndarray | None = None
    overlay: np.ndarray | None = None
    posture: np.ndarray | None = None
    lean: np.ndarray | None = None
    stance: np.ndarray | None = None
    moves: np.ndarray | None = None
    coercing: np.ndarray | None = None
    first_retreat: np.ndarray | None = None
    retreats: np.ndarray | None = None
    played: np.ndarray | None = None
    overlay_version: int = 0
    played_version: int = 0
    overlay_anywhere: bool = False
    membership_version: int = 0
    log: list[Record] | None = field(default_factory=list)
    replicate_ids: np.ndarray | None = None
    lever_cache: tuple[np.ndarray, np.ndarray] | None = None
    terms_cache: tuple[np.ndarray, LeverTerms] | None = None
    drill_cache: tuple[np.ndarray, tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None = None
    deals_cache: tuple[np.ndarray, tuple[np.ndarray, ...]] | None = None
    aid_cache: tuple[np.ndarray, np.ndarray] | None = None
    share_cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    members_cache: tuple[tuple[np.ndarray, int], np.ndarray, np.ndarray] | None = None
    coercing_cache: tuple[np.ndarray, np.ndarray] | None = None
    alliance_cache: tuple[np.ndarray, ...] | None = None
    bond_cache: tuple[np.ndarray, ...] | None = None
    membership_cache: tuple[np.ndarray, Membership] | None = None
    gaps_cache: tuple[np.ndarray, ...] | None = None
    overlay_cache: tuple[np.ndarray, tuple[int, int], np.ndarray] | None = None
    negative_cache: tuple[np.ndarray, bool] | None = None
    decided_cache: tuple | None = None
    draws: tuple[int, dict[Stream, np.ndarray]] | None = None

    @property
    def replicates(self) -> int:
        """Number of replicates R."""
        return self.keys.shape[0]

    def replicate_id(self, rows: np.ndarray) -> list[int]:
        """The replicate indices the records give the rows ``rows`` (positions in the batch)."""
        return (rows if self.replicate_ids is None else self.replicate_ids[rows]).tolist()

    def fork(self, keys: np.ndarray, *, replicate: int = 0) -> State:
        """R copies of one replicate's state, each to go on with its own random keys.

        The copies share this state's past exactly (its month, its arrays) and, with draws a
        pure function of ``(key, month, stream)``, a copy keeping the original key goes on as
        the original would. Caches are dropped (they are rebuilt on the next month) and the
        copies are not logged.

        Args:
            keys: One key per copy (see :func:`sim.core.rng.replicate_keys`).
            replicate: Which of this state's replicates to copy.
        """
        r = len(keys)
        arrays = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray) and name != "keys":
                one = value[replicate : replicate + 1]
                arrays[name] = np.repeat(one, r, axis=0)
        return State(
            step=self.step,
            keys=np.asarray(keys, dtype=np.uint64),
            log=None,
            overlay_version=self.overlay_version,
            played_version=self.played_version,
            overlay_anywhere=self.overlay_anywhere,
            **arrays,
        )


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


def alignment_distance(alignment: np.ndarray) -> np.ndarray:
    """Squared half-distance on the alignment axis, ``((A_i − A_j) / 2)²``, in [0, 1]."""
    return alignment_gaps(alignment)[1]


def alignment_gaps(alignment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-distances ``|A_i − A_j| / 2`` (:func:`half_gap`) and their squares, ``(R, N, N)``."""
    return _gaps(alignment)


@numba.njit(cache=True, nogil=True, inline="always")
def half_gap(a_i: float, a_j: float) -> float:
    """Half the distance of two states on the alignment axis, ``|A_i − A_j| / 2`` (compiled).

    The one formula of the half-gap: :func:`alignment_gaps`, tension's kernel and threat's
    kernel all call it.
    """
    return abs(a_i - a_j) * 0.5


@numba.njit(cache=True, nogil=True)
def _gaps(alignment):
    """:func:`alignment_gaps` in one pass (the same arithmetic per element)."""
    reps, n = alignment.shape
    half = np.empty((reps, n, n))
    squared = np.empty((reps, n, n))
    for r in range(reps):
        for i in range(n):
            for j in range(n):
                h = half_gap(alignment[r, i], alignment[r, j])
                half[r, i, j] = h
                squared[r, i, j] = h * h
    return half, squared


def month_draws(world: World, state: State, stream: Stream) -> np.ndarray:
    """This month's uniforms of one stream, ``(R, ·)`` (see :attr:`World.month_draws`).

    All streams are drawn in one pass at the first request of a month; each draw is the number
    :func:`sim.core.rng.uniforms` gives for it.
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


def per_replicate(value, replicates: int) -> np.ndarray:
    """A coefficient as one float per replicate, ``(R,)`` (a compiled kernel's argument).

    A scalar is repeated; a stacked sweep's :class:`~sim.core.batch.PerReplicate` is read as
    it is. A fresh array either way (assigning casts and broadcasts as ``np.asarray(value,
    dtype=float)`` would, without the broadcast view and its copy).
    """
    out = np.empty(replicates)
    out[...] = value
    return out


def coefficients(replicates: int, *values) -> np.ndarray:
    """Coefficients as one row per replicate, ``(R, len(values))`` (a kernel's argument)."""
    out = np.empty((replicates, len(values)))
    if all(type(value) is float for value in values):
        out[...] = values  # the common case: plain numbers, one row broadcast down
    else:
        for column, value in enumerate(values):
            out[:, column] = value
    return out


def leading(array: np.ndarray, ndim: int) -> np.ndarray:
    """A world array with a replicate axis: ``(1, …)`` unless it has one (stacked samples).

    ``ndim`` is the array's number of axes without the replicate axis; a kernel reads row
    ``r`` where the leading axis is longer than 1, else row 0.
    """
    if type(array) is not np.ndarray:
        array = np.asarray(array)
    return array[None] if array.ndim == ndim else array


@numba.njit(cache=True, nogil=True)
def row_sum(x):
    """``x.sum()`` of a contiguous row, in NumPy's order (pairwise summation).

    Up to 128 numbers, eight accumulators combined in pairs, then the rest in turn; beyond,
    the two halves (the first a multiple of eight long) summed so and added, as NumPy's
    ``pairwise_sum`` does. A compiled kernel that sums a row with it gives the bits of the
    array form it replaced.
    """
    n = x.size
    if n <= 128:
        return _pairwise_block(x, 0, n)
    half = n // 2
    half -= half % 8
    return row_sum(x[:half]) + row_sum(x[half:])


@numba.njit(cache=True, nogil=True)
def maximum(a, b):
    """``np.maximum`` of two numbers in a compiled kernel.

    A NaN in either is kept, and of two equal numbers (0 and −0) the second is given, as
    NumPy's vectorised loop gives it.
    """
    return a if (a > b or a != a) else b


@numba.njit(cache=True, nogil=True)
def minimum(a, b):
    """``np.minimum`` of two numbers in a compiled kernel (as :func:`maximum`)."""
    return a if (a < b or a != a) else b


def constant_rows(replicates: int, *values) -> np.ndarray:
    """:func:`coefficients`, as one row ``(1, len(values))`` when every value is a number.

    A kernel reads row ``r`` where the leading axis is longer than 1, else row 0 (as for
    :func:`leading`); the values are the same floats either way.
    """
    if all(isinstance(value, (int, float)) for value in values):
        return np.array([values], dtype=float)
    return coefficients(replicates, *values)


@numba.njit(cache=True, nogil=True, inline="always")
def segment_sum(x, start, end):
    """``x[start:end].sum()`` of a 1-D array in NumPy's order, without making a view.

    :func:`row_sum`'s arithmetic (NumPy's pairwise summation) for a segment of a row; a
    kernel that sums many short segments spends nothing on views.
    """
    if end - start > 128:
        return row_sum(x[start:end])
    return _pairwise_block(x, start, end)


@numba.njit(cache=True, nogil=True, inline="always")
def _pairwise_block(x, start, end):
    """NumPy's pairwise sum of at most 128 numbers ``x[start:end]`` (see :func:`row_sum`).

    Eight accumulators in registers (an array of them would be allocated at every call),
    combined in pairs, then the rest in turn.
    """
    n = end - start
    if n < 8:
        total = 0.0
        for k in range(start, end):
            total += x[k]
        return total
    a0, a1, a2, a3 = x[start], x[start + 1], x[start + 2], x[start + 3]
    a4, a5, a6, a7 = x[start + 4], x[start + 5], x[start + 6], x[start + 7]
    i = start + 8
    stop = end - n % 8
    while i < stop:
        a0 += x[i]
        a1 += x[i + 1]
        a2 += x[i + 2]
        a3 += x[i + 3]
        a4 += x[i + 4]
        a5 += x[i + 5]
        a6 += x[i + 6]
        a7 += x[i + 7]
        i += 8
    total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    while i < end:
        total += x[i]
        i += 1
    return total
