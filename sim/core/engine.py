"""The batched engine: many replicates as one array computation.

It drives :func:`sim.core.dynamics.step.advance` exactly as the Mesa model does, only with R
replicates on the leading axis, and records the metrics of every month. The replicates are of
one scenario, or of several sweep samples stacked into one world by :mod:`sim.core.batch`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np

from sim.core import metrics
from sim.core.dynamics.state import State
from sim.core.dynamics.step import advance, initial_state
from sim.core.parallel import (
    StoppedError,
    available_threads,
    even_blocks,
    in_threads,
    serialized,
)
from sim.core.records import Record
from sim.core.rng import replicate_keys
from sim.core.world import NEVER, World
from sim.scenario.ladder import ESCALATION_LEVELS

#: Most replicates one chunk of :func:`simulate` advances together, unless told otherwise: it
#: bounds a chunk's memory, and shorter chunks gain little from threads (sim/core/parallel.py).
CHUNK = 250


@dataclass
class Trajectory:
    """Recorded run of R replicates over T + 1 months (month 0 included).

    Attributes:
        world: The compiled scenario.
        seed: Base seed.
        replicates: Replicate indices, ``(R,)``.
        model: Model metric name → ``(T+1, R)``.
        countries: Country metric name → ``(T+1, R, N)``.
        tension: Dyad tension over upper-triangle dyads, ``(T+1, R, D)``.
        level: Dyad escalation level, ``(T+1, R, D)``.
        credibility: Alliance credibility, ``(T+1, R, K)``.
        interoperability: Alliance interoperability, ``(T+1, R, K)``.
        commitment: Alliance commitment, ``(T+1, R, K)``.
        max_level: Highest level reached per dyad over the run, ``(R, D)``.
        events: What happened, as typed records (:mod:`sim.core.records`).
    """

    world: World
    seed: int
    replicates: np.ndarray
    model: dict[str, np.ndarray]
    countries: dict[str, np.ndarray]
    tension: np.ndarray
    level: np.ndarray
    credibility: np.ndarray
    interoperability: np.ndarray
    commitment: np.ndarray
    max_level: np.ndarray
    events: list[Record] = field(default_factory=list)

    @property
    def horizon(self) -> int:
        """Number of simulated months."""
        return self.tension.shape[0] - 1


def simulate(
    world: World,
    replicates: int | Sequence[int] | np.ndarray,
    *,
    seed: int | None = None,
    log: bool = True,
    progress: Callable[[int], None] | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
) -> Trajectory:
    """Run replicates of a compiled scenario and record every month.

    Replicates run in chunks of at most ``chunk_size`` so that memory stays bounded, up to
    ``threads`` chunks at a time (:mod:`sim.core.parallel`).

    Args:
        world: The compiled scenario.
        replicates: A count (replicates ``0 … n−1``) or explicit replicate indices.
        seed: Base seed; defaults to the scenario's.
        log: Whether to record individual events (incidents, escalations, injects).
        progress: Called with the number of replicate-months just completed (by one thread at
            a time).
        chunk_size: Most replicates advanced together; by default at most :data:`CHUNK`, in
            chunks as even as can be. A world stacked by :mod:`sim.core.batch` is always
            advanced whole.
        threads: Chunks advanced at once, each in its own thread; default
            :func:`~sim.core.parallel.available_threads`.

    Returns:
        The recorded trajectory. Replicate r is identical whatever else runs beside it.

    Raises:
        ValueError: ``world`` is stacked for another number of replicates.
        ThreadsError: ``threads`` is None and ``GEOSIM_THREADS`` is not a whole number ≥ 1.
    """
    seed = world.seed if seed is None else seed
    indices = np.arange(replicates) if np.isscalar(replicates) else np.asarray(replicates)
    threads = available_threads() if threads is None else threads
    if world.stacked:
        if len(indices) != world.stacked:
            raise ValueError(f"a stacked world runs {world.stacked} replicates, not {len(indices)}")
        size = len(indices)
    elif chunk_size is None:
        size = even_blocks(len(indices), CHUNK)
    else:
        size = chunk_size
    chunks = [indices[i : i + size] for i in range(0, len(indices), size)]
    counted = serialized(progress) if len(chunks) > 1 and threads > 1 else progress
    parts = in_threads(
        lambda chunk, stop: _simulate_chunk(world, chunk, seed, log, counted, stop), chunks, threads
    )
    return parts[0] if len(parts) == 1 else concatenate(parts)


def concatenate(parts: Sequence[Trajectory]) -> Trajectory:
    """Join trajectories of the same world along the replicate axis."""
    first = parts[0]

    def join(name: str, axis: int = 1) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts], axis=axis)

    return Trajectory(
        world=first.world,
        seed=first.seed,
        replicates=join("replicates", axis=0),
        model={k: np.concatenate([p.model[k] for p in parts], axis=1) for k in first.model},
        countries={
            k: np.concatenate([p.countries[k] for p in parts], axis=1) for k in first.countries
        },
        tension=join("tension"),
        level=join("level"),
        credibility=join("credibility"),
        interoperability=join("interoperability"),
        commitment=join("commitment"),
        max_level=join("max_level", axis=0),
        events=[e for p in parts for e in p.events],
    )


def _simulate_chunk(
    world: World,
    indices: np.ndarray,
    seed: int,
    log: bool,
    progress: Callable[[int], None] | None,
    stop: threading.Event | None = None,
) -> Trajectory:
    """Advance and record one chunk of replicates, until ``stop`` is set (:class:`StoppedError`)."""
    state = initial_state(world, replicate_keys(seed, indices), log=log, ids=indices)
    horizon = world.horizon
    r, n, d, k = len(indices), world.n, len(world.dyad_i), len(world.alliance_names)
    # One block per kind, each metric a contiguous view of it: a month is recorded in one pass.
    model_block = np.zeros((len(metrics.MODEL_METRICS), horizon + 1, r))
    country_block = np.zeros((len(metrics.COUNTRY_METRICS), horizon + 1, r, n))
    model = dict(zip(metrics.MODEL_METRICS, model_block, strict=True))
    countries = dict(zip(metrics.COUNTRY_METRICS, country_block, strict=True))
    tension = np.zeros((horizon + 1, r, d))
    level = np.zeros((horizon + 1, r, d), dtype=np.int8)
    credibility = np.zeros((horizon + 1, r, k))
    interoperability = np.zeros((horizon + 1, r, k))
    commitment = np.zeros((horizon + 1, r, k))
    outputs = (model_block, country_block, tension, level, credibility, interoperability)
    outputs += (commitment,)

    def record(t: int) -> None:
        none = np.zeros((0, n), dtype=np.int64)
        _record(
            t,
            *outputs,
            *metrics.metric_inputs(world, state),
            state.milex,
            state.threat,
            state.abandonment,
            state.entrapment,
            none if state.moves is None else state.moves,
            none.astype(float) if state.coercing is None else state.coercing,
            none if state.retreats is None else state.retreats,
            state.interoperability,
        )

    record(0)
    reader = metrics.lookup(world, state)
    for t in range(1, horizon + 1):
        if stop is not None and stop.is_set():
            raise StoppedError
        advance(world, state, reader)
        record(t)
        if progress is not None:
            progress(len(indices))

    return Trajectory(
        world=world,
        seed=seed,
        replicates=indices,
        model=model,
        countries=countries,
        tension=tension,
        level=level,
        credibility=credibility,
        interoperability=interoperability,
        commitment=commitment,
        max_level=state.max_level.copy(),
        events=sorted(state.log or [], key=lambda e: (e.replicate, e.step)),
    )


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _record(
    t, model, countries, tension_out, level_out, credibility_out, interoperability_out,
    commitment_out, tension, level, new_incidents, alignment, members, start, end,
    commitment, credibility, step, salience, free, pole, defence, us, dyad_i, dyad_j, milex,
    threat, abandonment, entrapment, moves, coercing, retreats, interoperability,
):  # fmt: skip
    """Month ``t`` of a trajectory, every replicate, in one pass.

    Writes row ``t`` of the model metrics (:func:`~sim.core.metrics._model_row`, in
    :data:`~sim.core.metrics.MODEL_METRICS` order), of the country metrics (in
    :data:`~sim.core.metrics.COUNTRY_METRICS` order: copies, and the decision counters as
    floats, zeros where a counter is empty), of the dyads' tension and level over the upper
    triangle and of the alliances' credibility, interoperability and commitment: the values
    :func:`~sim.core.metrics.model_metrics` and :func:`~sim.core.metrics.country_metrics`
    give.
    """
    reps, n = alignment.shape
    scratch = metrics._metric_scratch(n, dyad_i.size, commitment.shape[1])
    for r in range(reps):
        dyad_tension, dyad_level = tension_out[t, r], level_out[t, r]
        for q in range(dyad_i.size):
            dyad_tension[q] = tension[r, dyad_i[q], dyad_j[q]]
            dyad_level[q] = level[r, dyad_i[q], dyad_j[q]]
        row = metrics._model_row(
            dyad_tension, dyad_level, new_incidents[r], alignment[r], members[r], start[r],
            end[r], commitment[r], credibility[r], step,
            salience[r if salience.shape[0] > 1 else 0], free, pole, defence, us, scratch,
        )  # fmt: skip
        for m in range(len(row)):
            model[m, t, r] = row[m]
        out = countries[:, t, r]
        for i in range(n):
            out[0, i] = alignment[r, i]
            out[1, i] = milex[r, i]
            out[2, i] = threat[r, i]
            out[3, i] = abandonment[r, i]
            out[4, i] = entrapment[r, i]
            out[5, i] = moves[r, i] if moves.shape[0] else 0.0
            out[6, i] = coercing[r, i] if coercing.shape[0] else 0.0
            out[7, i] = retreats[r, i] if retreats.shape[0] else 0.0
        for a in range(commitment.shape[1]):
            credibility_out[t, r, a] = credibility[r, a]
            interoperability_out[t, r, a] = interoperability[r, a]
            commitment_out[t, r, a] = commitment[r, a]


def final_outcomes(
    world: World, replicates: int | Sequence[int] | np.ndarray, *, seed: int | None = None
) -> dict[str, np.ndarray]:
    """Run replicates without recording months; return per-replicate outcomes.

    The fast path for sweeps: the same dynamics as :func:`simulate`, keeping only what the
    outcomes need. Names: ``p_<rung>`` (1 if any dyad reached the rung), ``max_escalation``,
    ``incidents_total``, the final-month model metrics, and per country ``alignment.<ISO3>``,
    ``threat.<ISO3>``, ``milex_usd_bn.<ISO3>`` and ``milex_change_pct.<ISO3>``.

    Args:
        world: The compiled scenario.
        replicates: A count or explicit replicate indices.
        seed: Base seed; defaults to the scenario's.

    Returns:
        Outcome name → array over replicates (in the order given).
    """
    seed = world.seed if seed is None else seed
    indices = np.arange(replicates) if np.isscalar(replicates) else np.asarray(replicates)
    state = initial_state(world, replicate_keys(seed, indices), log=False)
    return outcomes_from(world, state, np.zeros(len(indices)))


def outcomes_from(
    world: World,
    state: State,
    incidents: np.ndarray | float = 0.0,
    *,
    watch: Callable[[State], None] | None = None,
) -> dict[str, np.ndarray]:
    """Advance a state (of any month) to the horizon; return per-replicate outcomes.

    :func:`final_outcomes` from month 0, and the "what if" of a game from its present (a
    :meth:`~sim.core.dynamics.state.State.fork` of the game's state).

    Args:
        world: The compiled scenario.
        state: The state to go on from (advanced in place).
        incidents: Incidents already counted before the state's month, per replicate.
        watch: Called with the state at the end of every month (to read, not to change, what
            the outcomes leave out: a what-if's account of why a move changed little).
    """
    reader = metrics.lookup(world, state)
    incidents = np.zeros(state.replicates) + incidents
    for _ in range(state.step, world.horizon):
        advance(world, state, reader)
        incidents += state.new_incidents.sum(axis=1)
        if watch is not None:
            watch(state)
    return _outcomes(
        world,
        state.max_level.max(axis=1),
        incidents,
        metrics.model_metrics(world, state),
        metrics.country_metrics(world, state),
        _first_retreat(world, state.first_retreat),
    )


def _first_retreat(world: World, month: np.ndarray | None) -> np.ndarray | None:
    """The month of each state's first back-down, one past the horizon when none came."""
    if month is None:
        return None
    return np.where(month >= world.horizon, world.horizon + 1, month).astype(float)


def trajectory_outcomes(trajectory: Trajectory) -> dict[str, np.ndarray]:
    """The outcomes of :func:`final_outcomes`, read from a recorded run (the same numbers)."""
    retreats = trajectory.countries["retreats"]  # (T+1, R, N): row t is month t − 1's end
    backed = retreats > 0
    month = np.where(backed.any(axis=0), backed.argmax(axis=0) - 1, NEVER)
    return _outcomes(
        trajectory.world,
        trajectory.max_level.max(axis=1),
        trajectory.model["incidents"].sum(axis=0),  # month 0 has none
        {name: values[-1] for name, values in trajectory.model.items()},
        {name: values[-1] for name, values in trajectory.countries.items()},
        _first_retreat(trajectory.world, month),
    )


def _outcomes(
    world: World,
    reached: np.ndarray,
    incidents: np.ndarray,
    model: dict[str, np.ndarray],
    countries: dict[str, np.ndarray],
    first_retreat: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Outcome name → per-replicate values.

    From the highest rung reached, the incidents counted over the run, the final month's
    metrics and the month of each state's first back-down, each per replicate; with the
    states' decisions (§9): ``coercion_intensity.<ISO3>``, its mean gray-zone coercion a month
    summed over its targets,
    and ``first_retreat.<ISO3>``, the month of its first back-down (one past the horizon when
    it never backed down).
    """
    outcomes = {
        f"p_{level}": (reached >= i + 1).astype(float) for i, level in enumerate(ESCALATION_LEVELS)
    }
    outcomes["max_escalation"] = reached.astype(float)
    outcomes["incidents_total"] = incidents
    for name, values in model.items():
        if name not in ("incidents", "max_escalation"):
            outcomes[name] = values
    for name, values in countries.items():
        for i, code in enumerate(world.codes):
            outcomes[f"{name}.{code}"] = values[:, i]
    for i, code in enumerate(world.codes):
        outcomes[f"milex_change_pct.{code}"] = 100.0 * (
            countries["milex_usd_bn"][:, i] / world.milex0[..., i] - 1
        )
    for i, code in enumerate(world.codes):
        outcomes[f"coercion_intensity.{code}"] = countries["coercion_months"][:, i] / world.horizon
    if first_retreat is None:
        first_retreat = np.full((*reached.shape, world.n), world.horizon + 1.0)
    for i, code in enumerate(world.codes):
        outcomes[f"first_retreat.{code}"] = first_retreat[:, i]
    return outcomes


def non_finite(values: dict[str, np.ndarray]) -> list[str]:
    """Names of the outcomes or metrics that hold a NaN or an infinity (should be none)."""
    return [name for name, array in values.items() if not np.isfinite(array).all()]
