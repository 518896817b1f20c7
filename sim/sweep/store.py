"""The sweep directory: its manifest, its design table and its Parquet parts.

A sweep directory holds ``manifest.json`` (what the sweep is and what ran it),
``design.parquet`` (every sample's unit point and parameter values, in design order) and one
``runs/part-<chunk>.parquet`` per finished chunk (and, when asked,
``timeseries/part-<chunk>.parquet``). Every file is written through a temporary file and an
atomic rename, so a part either holds a whole chunk or does not exist; the runs part is
written last and marks its chunk as finished.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.scenario.resources import checkout
from sim.sweep.spec import Sweep, chunk_bounds, parameter_kinds

#: Format version of a sweep directory.
FORMAT = 1


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
    return {int(p.stem.split("-")[1]) for p in runs.glob("part-*.parquet")}


def _write_atomically(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_chunk(out: Path, chunk: int, runs: pa.Table, timeseries: pa.Table | None) -> None:
    """Write a finished chunk: the time series first, the runs part (the marker) last."""
    if timeseries is not None:
        _write_atomically(timeseries, out / "timeseries" / part_name(chunk))
    _write_atomically(runs, out / "runs" / part_name(chunk))


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as indented JSON, atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    os.replace(temporary, path)


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
    """Read a sweep directory's ``manifest.json``."""
    path = out / "manifest.json"
    if not path.is_file():
        raise SweepError(f"{out} is not a sweep directory (no manifest.json)")
    return json.loads(path.read_text())


def prepare_directory(
    sweep: Sweep, out: Path, chunk_size: int, *, resume: bool, force: bool
) -> dict[str, Any]:
    """Create a sweep directory (manifest and design), or check the one being resumed.

    Returns:
        The manifest in force (a resumed sweep keeps its original chunking).

    Raises:
        SweepError: For a non-empty directory without ``resume``/``force``, or a resumed
            directory that holds a different sweep.
    """
    kinds = parameter_kinds(sweep)
    if resume and (out / "manifest.json").is_file():
        record = read_manifest(out)
        if record["fingerprint"] != sweep.fingerprint():
            raise SweepError(
                f"{out} holds a different sweep (its spec, base scenario or seed changed); "
                "resume it with the spec it started with, or choose another --out"
            )
        for stale in out.glob("*/.part-*.tmp"):
            stale.unlink()
        return record
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} exists and is not a directory; choose another --out")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise SweepError(
                f"{out} is not empty; pass --resume to continue the sweep in it, --force to "
                "start it afresh, or choose another --out"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    record = manifest(sweep, chunk_size, kinds)
    _write_design(sweep, out, kinds)
    write_json(out / "manifest.json", record)
    return record


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
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)
