"""Running sweeps: chunks of runs through the batched engine, on Dask, into Parquet parts.

Run ``k`` of a sweep is replicate ``k mod R`` of sample ``k div R`` (``R`` replicates per
sample). Runs are cut into chunks of consecutive run ids; a chunk is the unit of work, retry and
resume. A worker turns each of the chunk's samples into a scenario and compiles it once. The
samples that differ only in numbers then advance together, all their replicates as one array
computation (:mod:`sim.core.batch`, up to 256 replicates at a time); a sample that differs in
structure (e.g. an event's month) advances alone. Never one Python model per run.

The driver writes each finished chunk as ``runs/part-<chunk>.parquet`` (and, when asked,
``timeseries/part-<chunk>.parquet``) through a temporary file and an atomic rename, and then
records its checksum in the manifest, so a part either holds a whole chunk or is not counted.
``--resume`` verifies every part (:mod:`sim.sweep.parts`), skips the chunks whose parts are whole
and redoes the others; a crash loses only the chunks in flight. Because every replicate's random
numbers are a pure function of ``(seed, replicate, month)``, run ``k`` gives the same numbers
whatever the worker count, chunk size or resume history.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import ValidationError

from sim.core import batch
from sim.core.compile import compile_world
from sim.core.engine import non_finite, simulate, trajectory_outcomes
from sim.scenario.problems import SourceMap
from sim.scenario.schema import Scenario
from sim.scenario.translate import problems_from
from sim.sweep.manifest import Session
from sim.sweep.parts import RUNS, part_key, runs_schema, timeseries_schema
from sim.sweep.spec import Sweep, apply_values, chunk_bounds, config_hash
from sim.sweep.store import (
    PartWriter,
    SweepError,
    prepare_directory,
    save_manifest,
    verify_parts,
)

#: Chunks kept in flight per worker (enough to hide latency, few enough to lose little).
IN_FLIGHT_PER_WORKER = 2
#: Attempts of a chunk whose task raised (worker deaths are retried by the scheduler too).
RETRIES = 3


#: Dask settings for our local workers, which run long numpy-bound chunks.
#:
#: - Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``. Setting any glibc
#:   malloc threshold freezes the adaptive mmap threshold at 128 KiB, so every temporary array
#:   above it (an ``(R, N, N)`` float matrix once R ≥ 57) is mapped and unmapped again: with 200
#:   replicates a chunk ran six times slower than in a plain process. ``None`` unsets it.
#: - The worker's statistical profiler (a stack sample every 10 ms) and its 20 ms event-loop
#:   tick and 0.5 s system monitor wake a second thread that takes the GIL from the chunk;
#:   turned off or slowed down, sweeps of 30k runs ran 7% faster (docs/performance.md).
#:
#: docs/sweeps.md says how to apply the same settings on a cluster.
WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
}


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run one chunk, and nothing else (it travels by pickle).

    Attributes:
        chunk: Chunk index.
        start: First run id.
        stop: One past the last run id.
        replicates: Replicates per sample.
        seed: Base seed.
        base_data: Base scenario data.
        parameter_names: Varied scenario paths.
        parameter_kinds: Column kind per parameter: ``int``, ``float`` or ``json``.
        values: Parameter values of the samples the chunk touches, from ``first_sample`` on.
        first_sample: Index of the first sample in ``values``.
        outcomes: Outcome names to record.
        timeseries: Monthly metrics to record (empty: none).
    """

    chunk: int
    start: int
    stop: int
    replicates: int
    seed: int
    base_data: dict[str, Any]
    parameter_names: tuple[str, ...]
    parameter_kinds: tuple[str, ...]
    values: list[list[Any]]
    first_sample: int
    outcomes: tuple[str, ...]
    timeseries: tuple[str, ...]


@dataclass(frozen=True)
class ChunkResult:
    """A finished chunk: one row per run, and optionally monthly rows."""

    chunk: int
    runs: pa.Table
    timeseries: pa.Table | None
    computations: int = 0


@dataclass(frozen=True)
class SweepSummary:
    """What :func:`run_sweep` did.

    Attributes:
        out: The sweep directory.
        runs: Runs in the sweep.
        skipped: Runs already on disk (resumed).
        computed: Runs computed now.
        failed: Runs whose scenario was invalid (status ``invalid``).
        seconds: Wall time of this invocation's computing phase.
        computations: Array computations that gave the computed runs (samples stacked
            together count once, see :mod:`sim.core.batch`).
        damaged: The damaged parts found on resume and run again, each with the reason
            (``part-000003: checksum mismatch``).
    """

    out: Path
    runs: int
    skipped: int
    computed: int
    failed: int
    seconds: float
    computations: int = 0
    damaged: tuple[str, ...] = ()

    @property
    def redone(self) -> int:
        """How many damaged parts were run again."""
        return len(self.damaged)

    @property
    def runs_per_second(self) -> float:
        """Computed runs per second of wall time."""
        return self.computed / self.seconds if self.seconds > 0 else float("nan")


# --------------------------------------------------------------------------------------------
# Chunks


def make_task(sweep: Sweep, chunk: int, chunk_size: int, kinds: tuple[str, ...]) -> ChunkTask:
    """Describe chunk ``chunk`` of a sweep for a worker."""
    reps = sweep.spec.replicates
    start = chunk * chunk_size
    stop = min(start + chunk_size, sweep.runs)
    first, last = start // reps, (stop - 1) // reps
    return ChunkTask(
        chunk=chunk,
        start=start,
        stop=stop,
        replicates=reps,
        seed=sweep.seed,
        base_data=sweep.base_data,
        parameter_names=sweep.parameter_names,
        parameter_kinds=kinds,
        values=sweep.values_of(first, last + 1),
        first_sample=first,
        outcomes=sweep.outcomes,
        timeseries=tuple(sweep.spec.timeseries),
    )


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run one chunk: its samples' replicates together, as few array computations as possible.

    Samples that differ only in numbers (coefficients, budgets, commitments…) advance
    together, up to :data:`sim.core.batch.MAX_REPLICATES` replicates at a time
    (:mod:`sim.core.batch`); others advance one sample at a time, and so does every sample of
    a sweep that records monthly time series (whose record gives the outcomes as well).
    Either way each run's numbers are the same. A sample whose values make the scenario
    invalid (e.g. a policy ending before it starts) gives rows with status ``invalid``, the
    reason, and missing outcomes.
    """
    began = time.perf_counter()
    samples: list[_Sample] = []
    run = task.start
    while run < task.stop:
        sample = run // task.replicates
        stop = min((sample + 1) * task.replicates, task.stop)
        reps = np.arange(run - sample * task.replicates, stop - sample * task.replicates)
        values = task.values[sample - task.first_sample]
        data = apply_values(task.base_data, task.parameter_names, values)
        entry = _Sample(sample, run, reps, values, data)
        try:
            entry.world = compile_world(Scenario.model_validate(data, strict=True))
        except ValidationError as exc:
            problem = problems_from(exc, SourceMap({(): ("<sample>", None)}))[0]
            entry.status, entry.message = "invalid", f"{problem.path}: {problem.message}"
        samples.append(entry)
        run = stop
    valid = [s for s in samples if s.world is not None]
    series: list[pa.Table] = []
    if task.timeseries:
        # The monthly record holds the outcomes too: each sample runs once, on its own.
        for entry in valid:
            # One thread: the sweep's processes share the cores.
            trajectory = simulate(entry.world, entry.reps, seed=task.seed, log=False, threads=1)
            entry.outcomes = trajectory_outcomes(trajectory)
            series.append(_monthly(trajectory, task, entry.first_run))
        computations = len(valid)
    else:
        computed, computations = batch.final_outcomes(
            [s.world for s in valid], [s.reps for s in valid], task.seed
        )
        for entry, outcomes in zip(valid, computed, strict=True):
            entry.outcomes = outcomes
    for entry in valid:  # a sample the model cannot hold is recorded, never passed on as ok
        bad = non_finite({name: entry.outcomes[name] for name in task.outcomes})
        if bad:
            entry.status, entry.message = "invalid", f"outcomes not finite: {', '.join(bad)}"
            entry.outcomes = {}
    elapsed = (time.perf_counter() - began) / (task.stop - task.start)
    return ChunkResult(
        chunk=task.chunk,
        runs=_runs_table(task, samples, elapsed),
        timeseries=pa.concat_tables(series) if series else None,
        computations=computations,
    )


@dataclass
class _Sample:
    """One sample's part of a chunk, and what became of it."""

    sample: int
    first_run: int
    reps: np.ndarray
    values: list[Any]
    data: dict[str, Any]
    world: Any = None
    outcomes: dict[str, np.ndarray] = field(default_factory=dict)
    status: str = "ok"
    message: str = ""


def _runs_table(task: ChunkTask, samples: list[_Sample], elapsed: float) -> pa.Table:
    """The chunk's rows: one per run, in run order."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    columns: dict[str, list[Any]] = {
        "run_id": [],
        "sample": [],
        "replicate": [],
        "seed": [],
        "config_hash": [],
        **{name: [] for name in task.parameter_names},
        **{name: [] for name in task.outcomes},
        "status": [],
        "message": [],
        "elapsed_s": [],
        "worker": [],
    }
    for entry in samples:
        n = len(entry.reps)
        columns["run_id"] += range(entry.first_run, entry.first_run + n)
        columns["sample"] += [entry.sample] * n
        columns["replicate"] += entry.reps.tolist()
        columns["seed"] += [task.seed] * n
        columns["config_hash"] += [config_hash(entry.data)] * n
        for name, kind, value in zip(
            task.parameter_names, task.parameter_kinds, entry.values, strict=True
        ):
            cell = json.dumps(value, sort_keys=True) if kind == "json" else value
            columns[name] += [cell] * n
        for name in task.outcomes:
            columns[name] += entry.outcomes[name].tolist() if entry.outcomes else [None] * n
        columns["status"] += [entry.status] * n
        columns["message"] += [entry.message] * n
        columns["elapsed_s"] += [elapsed] * n
        columns["worker"] += [worker] * n
    parameters = zip(task.parameter_names, task.parameter_kinds, strict=True)
    return pa.table(columns, schema=runs_schema(list(parameters), task.outcomes))


def _monthly(trajectory: Any, task: ChunkTask, first_run: int) -> pa.Table:
    """Monthly metrics of a sample's replicates, one row per run and month."""
    months, reps = trajectory.tension.shape[:2]
    columns: dict[str, np.ndarray] = {
        "run_id": np.tile(np.arange(first_run, first_run + reps), months),
        "month": np.repeat(np.arange(months), reps),
    }
    codes = trajectory.world.codes
    for name in task.timeseries:
        metric, _, code = name.partition(".")
        if code:
            columns[name] = trajectory.countries[metric][:, :, codes.index(code)].reshape(-1)
        else:
            columns[name] = trajectory.model[metric].reshape(-1)
    table = pa.table(columns, schema=timeseries_schema(task.timeseries))
    return table.sort_by([("run_id", "ascending"), ("month", "ascending")])


# --------------------------------------------------------------------------------------------
# Executors


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client: to an existing scheduler, or to a local cluster of worker processes.

    The local cluster listens on 127.0.0.1 only and runs one single-threaded worker process
    per core (the engine is numpy-bound; processes avoid the GIL).
    """
    import logging

    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(
            scheduler, timeout=dask.config.get("distributed.comm.timeouts.connect")
        ) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        dask.config.set(WORKER_CONFIG),
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,  # no dashboard; the scheduler's own HTTP server (health
            # checks) listens on a free port of 127.0.0.1 rather than on 8787
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _run_serial(tasks: Iterator[ChunkTask]) -> Iterator[ChunkResult]:
    for task in tasks:
        yield run_chunk(task)


def _run_dask(client: Any, tasks: Iterator[ChunkTask], key_prefix: str) -> Iterator[ChunkResult]:
    """Submit chunks with a bounded window and yield them as they finish (any order).

    A worker that dies takes its chunks with it; the scheduler resubmits them to the others.
    """
    from distributed import as_completed

    window = max(1, len(client.scheduler_info().get("workers", {})) * IN_FLIGHT_PER_WORKER)

    def submit(task: ChunkTask) -> Any:
        return client.submit(
            run_chunk, task, key=f"{key_prefix}-{task.chunk}", pure=False, retries=RETRIES
        )

    pending = as_completed()
    for task in tasks:
        pending.add(submit(task))
        if pending.count() >= window:
            break
    for future in pending:
        result = future.result()
        future.release()
        yield result
        task = next(tasks, None)
        if task is not None:
            pending.add(submit(task))


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Run every unfinished chunk of a sweep and write its parts.

    Args:
        sweep: The loaded sweep.
        out: Sweep directory.
        workers: Local worker processes (default: one per core; 0 runs in this process).
        scheduler: Address of an existing Dask scheduler (``tcp://host:port``); overrides
            ``workers``.
        resume: Continue the sweep already in ``out``, skipping finished chunks.
        force: Replace a non-empty ``out`` that is not resumed.
        chunk_size: Runs per chunk (default: the spec's). A resumed sweep keeps its own.
        progress: Called with the number of runs each finished chunk adds.
        on_start: Called once with ``(total runs, runs already done)``.

    Returns:
        A summary of what ran.

    Raises:
        SweepError: When ``out`` cannot be used as asked.
    """
    size = chunk_size or sweep.chunk_size
    began = time.perf_counter()
    computed = failed = computations = 0
    # The executor comes first: a scheduler that cannot be reached leaves nothing on disk.
    with _connected(workers, scheduler) as client:
        record = prepare_directory(sweep, out, size, resume=resume, force=force)
        size = record.design.chunk_size
        bounds = chunk_bounds(sweep.runs, size)
        done, damaged = verify_parts(out, record)
        skipped = sum(stop - start for c, (start, stop) in enumerate(bounds) if c in done)
        todo = [c for c in range(len(bounds)) if c not in done]
        kinds = tuple(p.kind for p in record.parameters)
        session = Session(
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            executor=scheduler
            or ("in-process" if workers == 0 else f"local:{workers or os.cpu_count()}"),
            chunks_to_run=len(todo),
            damaged_parts=damaged,
        )
        record.sessions.append(session)
        save_manifest(out, record)
        if on_start is not None:
            on_start(sweep.runs, skipped)
        tasks = (make_task(sweep, c, size, kinds) for c in todo)
        prefix = f"geosim-{record.fingerprint[:12]}"
        results = _run_serial(tasks) if client is None else _run_dask(client, tasks, prefix)
        with PartWriter(out, record) as writer:
            for result in results:
                writer.add(result.chunk, result.runs, result.timeseries)
                n = result.runs.num_rows
                computed += n
                computations += result.computations
                failed += sum(1 for s in result.runs.column("status").to_pylist() if s != "ok")
                if progress is not None:
                    progress(n)
    seconds = time.perf_counter() - began
    session.finished = datetime.now(UTC).isoformat(timespec="seconds")
    session.runs_computed = computed
    session.seconds = round(seconds, 3)
    record.complete = all(part_key(RUNS, c) in record.files for c in range(len(bounds)))
    save_manifest(out, record)
    return SweepSummary(
        out, sweep.runs, skipped, computed, failed, seconds, computations, tuple(damaged)
    )


@contextmanager
def _connected(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client (None to run in this process); a scheduler out of reach is a SweepError."""
    if scheduler is None and workers == 0:
        yield None
        return
    with ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(workers, scheduler))
        except (OSError, ValueError, TimeoutError) as exc:
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise SweepError(
                f"cannot connect to {where}: {exc}; give --scheduler as tcp://HOST:PORT of a "
                "running scheduler, or leave it out to start local workers"
            ) from None
        yield client
