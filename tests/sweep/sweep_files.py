"""Helpers of the sweep tests: a short spec, its tables, and ways to damage a sweep directory."""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.sweep.executor import run_sweep
from sim.sweep.spec import load_sweep
from sim.sweep.store import read_runs

#: Columns that record where and how fast a run ran, not what it computed.
CIRCUMSTANTIAL = ["elapsed_s", "worker"]


def make_sweep_files(
    folder: Path,
    *,
    horizon: int = 24,
    samples: int = 6,
    replicates: int = 4,
    extra: str = "",
    chunk_size: int | None = None,
) -> Path:
    """A short base scenario and an LHS spec over it; returns the spec's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "short.yaml").write_text(
        f"name: short\nextends: hub_and_spoke\nhorizon: {horizon}\n", encoding="utf-8"
    )
    chunk = f"chunk_size: {chunk_size}\n" if chunk_size else ""
    spec = textwrap.dedent(
        f"""\
        name: runner_test
        base: short.yaml
        design: {{method: lhs, samples: {samples}}}
        replicates: {replicates}
        seed: 99
        parameters:
          parameters.incidents.base_hazard: {{range: [0.05, 0.4]}}
          alliances.us_philippines.commitment: {{range: [0.3, 1.0]}}
        outcomes: [p_crisis, max_escalation, regional_tension, "alignment.PHL"]
        """
    )
    path = folder / "spec.yaml"
    path.write_text(spec + extra + chunk, encoding="utf-8")
    return path


def outcomes_of(out: Path) -> pd.DataFrame:
    """A sweep's runs without the columns that vary from machine to machine."""
    return read_runs(out).drop(columns=CIRCUMSTANTIAL)


def reference_sweep(folder: Path) -> tuple[Path, pd.DataFrame]:
    """The spec of most tests and its undisturbed, in-process result."""
    spec = make_sweep_files(folder)
    run_sweep(load_sweep(spec), folder / "out", workers=0)
    return spec, outcomes_of(folder / "out")


def part(out: Path, chunk: int, kind: str = "runs") -> Path:
    """The path of a chunk's part."""
    return out / kind / f"part-{chunk:06d}.parquet"


def flip(path: Path, at: float, count: int = 16) -> None:
    """Invert ``count`` bytes from ``at`` (a share of the file's length) on."""
    data = bytearray(path.read_bytes())
    start = min(int(len(data) * at), len(data) - count)
    for i in range(start, start + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def rewrite_recorded(out: Path, chunk: int, change: Callable[[pa.Table], pa.Table]) -> None:
    """Rewrite a runs part through ``change`` and record its new size and checksum.

    What only a bug could write: a part whose checksum matches but whose content is wrong.
    """
    path = part(out, chunk)
    pq.write_table(change(pq.read_table(path)), path, compression="zstd")
    data = path.read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.setdefault("files", {})[f"runs/{path.name}"] = {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))


def set_cell(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    """``table`` with one cell changed."""
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, table.schema.field(column).type))


def edit_manifest(out: Path, change: Callable[[dict], None]) -> None:
    """Change ``manifest.json`` in place, keeping it valid JSON."""
    manifest = json.loads((out / "manifest.json").read_text())
    change(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))


def snapshot(out: Path) -> dict[str, bytes]:
    """Every part's bytes, by path (to show that nothing was deleted or rewritten)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/part-*.parquet"))}


def finished_sweep(folder: Path, **spec: object) -> tuple[Path, Path]:
    """A finished sweep of six chunks of four runs and its spec (copy it before damaging it)."""
    path = make_sweep_files(folder, **spec)  # type: ignore[arg-type]
    run_sweep(load_sweep(path), folder / "out", workers=0, chunk_size=4)
    return path, folder / "out"


def copy_of(out: Path, folder: Path) -> Path:
    """A copy of a sweep directory in ``folder``, links kept as links."""
    copy = folder / out.name
    shutil.copytree(out, copy, symlinks=True)
    return copy
