"""Sweep parts: one Parquet file per chunk, written with its checksum and verified before use.

A chunk's runs are ``runs/part-<chunk>.parquet`` (and, when asked, its monthly metrics
``timeseries/part-<chunk>.parquet``). A part is written to a temporary file, synced and renamed
into place, and its size and SHA-256 go into the manifest. Before a part is counted as done
(on resume) or read (by analysis) it is verified (:class:`Verifier`):

- it is a regular file, recorded in the manifest, of the recorded size and checksum;
- it reads whole, every column, with exactly the columns of the sweep;
- it holds exactly the runs of its chunk, each with its sample, replicate and seed;
- every outcome of an ``ok`` run is finite and within the outcome's declared bounds
  (:func:`sim.core.metrics.outcome_bounds`), and an ``invalid`` run has none.

A checksum catches damage on disk; the other checks catch what a checksum cannot (a part written
wrong by a bug, or recorded by hand), so a part that passes can be trusted by the analysis.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.metrics import Bounds, metric_bounds, outcome_bounds
from sim.folders import describe
from sim.scenario.baseline import country_codes
from sim.sweep.manifest import FileRecord, Manifest, record_of, write_atomically

#: The folders of the two kinds of part.
RUNS, TIMESERIES = "runs", "timeseries"
#: Parquet column type of each parameter kind.
KIND_TYPES = {"int": pa.int64(), "float": pa.float64(), "json": pa.string()}
#: Statuses a run can have.
STATUSES = ("ok", "invalid")


class PartError(Exception):
    """A part that cannot be used; ``str()`` says why."""


class UnrecordedPartError(PartError):
    """A part on disk whose checksum the manifest does not hold (the sweep stopped first)."""


def part_name(chunk: int) -> str:
    """File name of a chunk's part."""
    return f"part-{chunk:06d}.parquet"


def part_key(kind: str, chunk: int) -> str:
    """A part's path in the sweep directory and its key in the manifest's ``files``."""
    return f"{kind}/{part_name(chunk)}"


def chunk_of(path: Path) -> int | None:
    """The chunk of a part's file name, or None for a name that is not a part's."""
    number = path.name.removeprefix("part-").removesuffix(".parquet")
    if not path.name.startswith("part-") or not path.name.endswith(".parquet"):
        return None
    return int(number) if number.isdigit() and number.isascii() and len(number) >= 6 else None


def parts_on_disk(out: Path, kind: str = RUNS) -> dict[int, Path]:
    """Chunk → path of every entry named as a part in ``out/kind`` (whatever it has become)."""
    folder = out / kind
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        chunk = chunk_of(path)
        if chunk is not None and path.name == part_name(chunk):
            found[chunk] = path
    return found


def runs_schema(parameters: Sequence[tuple[str, str]], outcomes: Sequence[str]) -> pa.Schema:
    """Columns of a runs part (identical in every part of a sweep).

    Args:
        parameters: ``(path, kind)`` of each varied parameter.
        outcomes: Outcome names.
    """
    return pa.schema(
        [
            ("run_id", pa.int64()),
            ("sample", pa.int64()),
            ("replicate", pa.int64()),
            ("seed", pa.int64()),
            ("config_hash", pa.string()),
            *[(path, KIND_TYPES[kind]) for path, kind in parameters],
            *[(name, pa.float64()) for name in outcomes],
            ("status", pa.string()),
            ("message", pa.string()),
            ("elapsed_s", pa.float64()),
            ("worker", pa.string()),
        ]
    )


def timeseries_schema(names: Sequence[str]) -> pa.Schema:
    """Columns of a time-series part: the run, the month, and each monthly metric."""
    return pa.schema(
        [("run_id", pa.int64()), ("month", pa.int64()), *[(n, pa.float64()) for n in names]]
    )


def encode_part(table: pa.Table) -> tuple[pa.Buffer, FileRecord]:
    """A part's Parquet bytes, and their size and checksum."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue()
    return data, record_of(data)


def write_part(path: Path, table: pa.Table) -> FileRecord:
    """Write a part atomically (:func:`~sim.sweep.manifest.write_atomically`).

    Returns:
        Its size and checksum, to record in the manifest once it is in place.

    Raises:
        OSError: When the disk refuses; the temporary file is removed.
    """
    data, record = encode_part(table)
    write_atomically(path, data)
    return record


def read_recorded(path: Path, record: FileRecord | None) -> pa.Table:
    """Read a file the manifest records, whole, after checking its size and checksum.

    Raises:
        PartError: Saying what is wrong (:class:`UnrecordedPartError` when there is no record).
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        raise PartError("missing") from None
    except OSError as exc:
        raise PartError(f"cannot be read: {describe(exc)}") from None
    if stat.S_ISLNK(mode):
        raise PartError("a symbolic link, not a file geosim wrote")
    if stat.S_ISDIR(mode):
        raise PartError("a folder, not a file")
    if not stat.S_ISREG(mode):
        raise PartError("not a regular file")
    if record is None:
        raise UnrecordedPartError("not recorded in the manifest")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PartError(f"cannot be read: {describe(exc)}") from None
    if len(data) != record.size:
        raise PartError(f"{len(data):,} bytes, where the manifest records {record.size:,}")
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise PartError("checksum mismatch")
    try:
        return pq.read_table(pa.BufferReader(data))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise PartError(f"does not read as Parquet: {exc}") from None


class Verifier:
    """Checks a sweep's parts against its manifest (see the module's docstring)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        countries = len(country_codes())
        self.runs_schema = runs_schema(
            [(p.path, p.kind) for p in manifest.parameters], manifest.outcomes
        )
        self.outcome_bounds = {name: outcome_bounds(name, countries) for name in manifest.outcomes}
        metrics = metric_bounds(countries)
        self.series_schema = timeseries_schema(manifest.timeseries)
        self.series_bounds = {name: metrics[name.partition(".")[0]] for name in manifest.timeseries}

    def bounds(self, chunk: int) -> tuple[int, int]:
        """Run ids ``[start, stop)`` of a chunk."""
        size = self.manifest.design.chunk_size
        return chunk * size, min((chunk + 1) * size, self.manifest.design.runs)

    def runs(self, out: Path, chunk: int) -> pa.Table:
        """A chunk's runs part, verified.

        Raises:
            PartError: Saying what is wrong with it.
        """
        key = part_key(RUNS, chunk)
        table = read_recorded(out / key, self.manifest.files.get(key))
        _check_columns(table, self.runs_schema)
        start, stop = self.bounds(chunk)
        ids = table.column("run_id").to_numpy()
        if len(ids) != stop - start or not np.array_equal(np.sort(ids), np.arange(start, stop)):
            raise PartError(f"does not hold exactly runs {start:,} to {stop - 1:,}")
        reps = self.manifest.design.replicates
        if not (
            np.array_equal(table.column("sample").to_numpy(), ids // reps)
            and np.array_equal(table.column("replicate").to_numpy(), ids % reps)
            and (table.column("seed").to_numpy() == self.manifest.seed).all()
        ):
            raise PartError("a run's sample, replicate or seed is not its own")
        status = np.asarray(table.column("status").to_pylist(), dtype=object)
        odd = [s for s in set(status.tolist()) if s not in STATUSES]
        if odd:
            raise PartError(f"a run has status {odd[0]!r}, neither ok nor invalid")
        _check_values(table, ids, status == "ok", self.outcome_bounds)
        return table

    def timeseries(self, out: Path, chunk: int, runs: pa.Table) -> None:
        """Verify a chunk's time-series part against its verified runs part.

        It holds every month of each ``ok`` run, and only those runs; a chunk without one
        has no time-series part.

        Raises:
            PartError: Saying what is wrong with it.
        """
        ok_runs = np.asarray(runs.column("run_id").to_numpy())[
            np.asarray(runs.column("status").to_pylist(), dtype=object) == "ok"
        ]
        if not self.manifest.timeseries or not len(ok_runs):
            return
        key = part_key(TIMESERIES, chunk)
        table = read_recorded(out / key, self.manifest.files.get(key))
        _check_columns(table, self.series_schema)
        ids = table.column("run_id").to_numpy()
        months = table.column("month").to_numpy()
        if not np.array_equal(np.unique(ids), np.sort(ok_runs)) or (months < 0).any():
            raise PartError("does not hold exactly the months of its chunk's valid runs")
        _check_values(table, ids, np.ones(len(ids), dtype=bool), self.series_bounds)


def _check_values(
    table: pa.Table, ids: np.ndarray, ok: np.ndarray, bounds: dict[str, Bounds]
) -> None:
    """Every value of an ``ok`` row within its bounds; no value in any other row."""
    for name, allowed in bounds.items():
        column = table.column(name)
        missing = column.is_null().to_numpy(zero_copy_only=False)
        if (missing & ok).any():
            run = ids[np.argmax(missing & ok)]
            raise PartError(f"run {run} has status ok but no {name}")
        if (~missing & ~ok).any():
            run = ids[np.argmax(~missing & ~ok)]
            raise PartError(f"run {run} is invalid but has a value of {name}")
        values = column.to_numpy(zero_copy_only=False)
        outside = allowed.outside(values) & ok
        if outside.any():
            at = int(np.argmax(outside))
            raise PartError(
                f"{name} = {values[at]:.6g} in run {ids[at]}, outside its bounds ({allowed})"
            )


def _check_columns(table: pa.Table, expected: pa.Schema) -> None:
    if not table.schema.equals(expected):
        raise PartError(f"its columns are not the sweep's ({_difference(table.schema, expected)})")


def _difference(found: pa.Schema, expected: pa.Schema) -> str:
    missing = [f.name for f in expected if found.get_field_index(f.name) < 0]
    if missing:
        return f"no column {missing[0]!r}"
    extra = [f.name for f in found if expected.get_field_index(f.name) < 0]
    if extra:
        return f"an unknown column {extra[0]!r}"
    for field in expected:
        other = found.field(field.name)
        if other.type != field.type:
            return f"{field.name} is {other.type}, not {field.type}"
    return "in another order"
