"""The sweep directory: its manifest, its design table and its Parquet parts.

A sweep directory holds ``manifest.json`` (what the sweep is and what ran it),
``design.parquet`` (every sample's unit point and parameter values, in design order) and one
``runs/part-<chunk>.parquet`` per finished chunk (and, when asked,
``timeseries/part-<chunk>.parquet``). Every file is written through a temporary file and an
atomic rename, so a part either holds a whole chunk or does not exist; the runs part is
written last and marks its chunk as finished. The directory itself appears only once its
manifest and design are complete (they are written in a hidden sibling first), so a sweep
killed while it starts leaves nothing to resume. Resuming verifies every part it counts
(readable, holding the runs it claims) and redoes the rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.folders import STAGING, OutputError, check_output, describe, mark, owned
from sim.scenario.resources import checkout
from sim.sweep.spec import Sweep, chunk_bounds, parameter_kinds

#: Format version of a sweep directory.
FORMAT = 1
#: Keys every manifest has.
MANIFEST_KEYS = ("format", "fingerprint", "design", "parameters", "outcomes", "sessions")


class SweepError(Exception):
    """A sweep directory that cannot be used as asked (exists, spec changed, not a sweep)."""


def part_name(chunk: int) -> str:
    """File name of a chunk's part."""
    return f"part-{chunk:06d}.parquet"


def finished_chunks(out: Path) -> set[int]:
    """Chunks whose runs part is on disk (a part exists only once it is complete)."""
    runs = out / "runs"
    if not runs.is_dir():
        return set()
    return {c for c in (_chunk_of(p) for p in runs.glob("part-*.parquet")) if c is not None}


def _chunk_of(path: Path) -> int | None:
    number = path.name.removeprefix("part-").removesuffix(".parquet")
    return int(number) if number.isdigit() else None


def verified_chunks(
    out: Path, bounds: list[tuple[int, int]], *, timeseries: bool
) -> tuple[set[int], int]:
    """Chunks whose parts are whole: readable, holding exactly the runs of their chunk.

    A part that is not (truncated by a crash, damaged on disk, from another chunking) is
    removed, with its time series, so that the chunk runs again.

    Returns:
        The finished chunks, and how many damaged parts were removed.
    """
    finished: set[int] = set()
    removed = 0
    for chunk in sorted(finished_chunks(out)):
        runs = out / "runs" / part_name(chunk)
        series = out / "timeseries" / part_name(chunk)
        if (
            chunk < len(bounds)
            and _holds(runs, *bounds[chunk], "run_id", exact=True)
            and (not timeseries or _holds(series, *bounds[chunk], "run_id", exact=False))
        ):
            finished.add(chunk)
            continue
        _remove(runs)
        _remove(series)
        removed += 1
    return finished, removed


def _remove(path: Path) -> None:
    """Remove a damaged part, whatever it has become (a file, or a folder in its place)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _holds(path: Path, start: int, stop: int, column: str, *, exact: bool) -> bool:
    """Whether a Parquet part reads whole and covers run ids ``start … stop − 1``."""
    if not path.is_file():
        return False
    try:
        ids = pq.read_table(path, columns=[column]).column(column).to_numpy()
    except (OSError, ValueError, pa.ArrowException):
        return False
    if exact:
        return bool(
            len(ids) == stop - start and np.array_equal(np.sort(ids), np.arange(start, stop))
        )
    return bool(len(ids) and set(np.unique(ids).tolist()) == set(range(start, stop)))


def _write_atomically(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, temporary, compression="zstd")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):  # gone once renamed; or the disk refuses even that
            temporary.unlink(missing_ok=True)


def write_chunk(out: Path, chunk: int, runs: pa.Table, timeseries: pa.Table | None) -> None:
    """Write a finished chunk: the time series first, the runs part (the marker) last."""
    if timeseries is not None:
        _write_atomically(timeseries, out / "timeseries" / part_name(chunk))
    _write_atomically(runs, out / "runs" / part_name(chunk))


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as indented JSON, atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(json.dumps(payload, indent=2, default=str) + "\n")
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def manifest(sweep: Sweep, chunk_size: int, kinds: tuple[str, ...]) -> dict[str, Any]:
    """The record of what a sweep is and what ran it (``manifest.json``)."""
    spec = sweep.spec
    return {
        "format": FORMAT,
        "name": spec.name,
        "fingerprint": sweep.fingerprint(),
        "spec_file": str(sweep.source),
        "spec": spec.model_dump(mode="json"),
        "base_scenario": sweep.base.name,
        "seed": sweep.seed,
        "design": {
            "method": spec.design.method,
            "samples": sweep.samples,
            "replicates": spec.replicates,
            "runs": sweep.runs,
            "chunk_size": chunk_size,
            "chunks": len(chunk_bounds(sweep.runs, chunk_size)),
            "unit_space": "design points are drawn in [0, 1]^D and mapped by inverse CDFs",
        },
        "parameters": [
            {"path": name, "kind": kind, **param.model_dump(mode="json", exclude_none=True)}
            for (name, param), kind in zip(spec.parameters.items(), kinds, strict=True)
        ],
        "outcomes": list(sweep.outcomes),
        "timeseries": list(spec.timeseries),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "geosim": __version__,
        "git_commit": _git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": _versions(
            "numpy", "scipy", "pandas", "pyarrow", "mesa", "dask", "distributed", "SALib"
        ),
        "sessions": [],
    }


def _git_commit() -> str | None:
    root = checkout()
    if root is None:  # installed from a wheel: no repository to ask
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def _versions(*names: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def read_manifest(out: Path) -> dict[str, Any]:
    """Read a sweep directory's ``manifest.json``.

    Raises:
        SweepError: When there is none, or it is damaged (not JSON, or not a manifest).
    """
    path = out / "manifest.json"
    if not path.is_file():
        raise SweepError(f"{out} is not a sweep directory (no manifest.json)")
    damaged = f"{path} is damaged"
    hint = "start the sweep afresh with --force, or choose another --out"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"cannot read {path}: {describe(exc)}") from None
    except ValueError as exc:
        raise SweepError(f"{damaged} (not JSON: {exc}); {hint}") from None
    if not isinstance(data, dict) or any(key not in data for key in MANIFEST_KEYS):
        raise SweepError(f"{damaged} (not a geosim manifest); {hint}")
    if data["format"] != FORMAT or not isinstance(data["fingerprint"], str):
        raise SweepError(f"{damaged} (format {data['format']!r}, not {FORMAT}); {hint}")
    design = data["design"]
    if not isinstance(design, dict) or not isinstance(design.get("chunk_size"), int):
        raise SweepError(f"{damaged} (no chunk size); {hint}")
    return data


def prepare_directory(
    sweep: Sweep, out: Path, chunk_size: int, *, resume: bool, force: bool
) -> dict[str, Any]:
    """Create a sweep directory (manifest and design), or check the one being resumed.

    A resumed directory that does not exist yet (the sweep was killed while it started) is
    created afresh. ``force`` replaces only a directory geosim wrote.

    Returns:
        The manifest in force (a resumed sweep keeps its original chunking).

    Raises:
        SweepError: For a non-empty directory without ``resume``/``force``, one geosim did not
            write, a resumed directory that holds a different sweep or a damaged manifest, or
            a location that cannot be written.
    """
    kinds = parameter_kinds(sweep)
    if resume and out.is_dir() and any(out.iterdir()):
        record = read_manifest(out)
        if record["fingerprint"] != sweep.fingerprint():
            raise SweepError(
                f"{out} holds a different sweep (its spec, base scenario or seed changed); "
                "resume it with the spec it started with, or choose another --out"
            )
        for stale in out.glob("*/.part-*.tmp"):
            stale.unlink()
        if not _design_whole(out, sweep.samples):  # deleted or damaged: it is the spec's own
            try:
                _write_design(sweep, out, kinds)
            except OSError as exc:
                raise SweepError(
                    f"cannot write {out / 'design.parquet'}: {describe(exc)}"
                ) from None
        return record
    if out.is_dir() and any(out.iterdir()) and not force:
        raise SweepError(
            f"{out} is not empty; pass --resume to continue the sweep in it, --force to "
            "start it afresh, or choose another --out"
        )
    try:
        out = check_output(out, force=True)
    except OutputError as exc:
        raise SweepError(str(exc)) from None
    record = manifest(sweep, chunk_size, kinds)
    for stale in out.parent.glob(f"{STAGING}{out.name}-*"):  # left by a sweep killed at start
        shutil.rmtree(stale, ignore_errors=True)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING}{out.name}-", dir=out.parent))
    except OSError as exc:
        raise SweepError(f"cannot create {out}: {describe(exc)}") from None
    try:
        staging.chmod(0o755)
        _write_design(sweep, staging, kinds)
        write_json(staging / "manifest.json", record)
        mark(staging, "sweep")
        if out.exists() and any(out.iterdir()):
            if not owned(out):  # checked above; a folder that changed hands since is kept
                raise SweepError(f"{out} was not written by geosim; --force will not delete it")
            trash = Path(tempfile.mkdtemp(prefix=f"{STAGING}old-", dir=out.parent))
            os.replace(out, trash / out.name)
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(staging, out)
    except OSError as exc:
        raise SweepError(f"cannot write {out}: {describe(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return record


def _design_whole(out: Path, samples: int) -> bool:
    """Whether ``design.parquet`` reads whole and lists every sample once."""
    path = out / "design.parquet"
    return path.is_file() and _holds(path, 0, samples, "sample", exact=True)


def read_design(out: Path) -> Any:
    """``design.parquet`` as a pandas DataFrame, in design order.

    Raises:
        SweepError: When it is missing or damaged (``--resume`` writes it again).
    """
    import pandas as pd

    path = out / "design.parquet"
    try:
        design = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise SweepError(
            f"{path} is missing or damaged ({exc}); run the sweep again with --resume to "
            "write it again"
        ) from None
    return design.sort_values("sample", kind="stable").reset_index(drop=True)


def _write_design(sweep: Sweep, out: Path, kinds: tuple[str, ...]) -> None:
    """``design.parquet``: every sample's unit point and parameter values, in design order."""
    writer: pq.ParquetWriter | None = None
    temporary = out / ".design.parquet.tmp"
    block = 100_000
    for start in range(0, sweep.samples, block):
        stop = min(start + block, sweep.samples)
        values = sweep.values_of(start, stop)
        columns: dict[str, Any] = {"sample": np.arange(start, stop)}
        for j, (name, kind) in enumerate(zip(sweep.parameter_names, kinds, strict=True)):
            column = [row[j] for row in values]
            columns[name] = (
                [json.dumps(v, sort_keys=True) for v in column] if kind == "json" else column
            )
            columns[f"unit.{name}"] = sweep.unit[start:stop, j]
        table = pa.table(columns)
        if writer is None:
            writer = pq.ParquetWriter(temporary, table.schema, compression="zstd")
        writer.write_table(table)
    if writer is not None:
        writer.close()
        os.replace(temporary, out / "design.parquet")


def read_runs(out: Path) -> Any:
    """All runs of a sweep directory as a pandas DataFrame, ordered by run id."""
    import pandas as pd

    parts = sorted((out / "runs").glob("part-*.parquet"))
    if not parts:
        raise SweepError(f"{out} has no finished runs (runs/part-*.parquet)")
    frames = []
    for part in parts:
        try:
            frames.append(pd.read_parquet(part))
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise SweepError(
                f"{part} is damaged ({exc}); run the sweep again with --resume to redo its chunk"
            ) from None
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)
