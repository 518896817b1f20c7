"""The sweep directory: manifest, design table and parts, each written whole or not at all."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from sweep_files import make_sweep_files, part, snapshot

from sim.cli import main
from sim.sweep.executor import run_sweep
from sim.sweep.parts import runs_schema
from sim.sweep.spec import load_sweep
from sim.sweep.store import (
    SweepError,
    finished_chunks,
    prepare_directory,
    read_manifest,
    read_runs,
    repair_command,
    write_chunk,
)

SPEC = "sea_funding_grid"


def test_a_new_directory_has_its_manifest_and_design_in_design_order(tmp_path: Path) -> None:
    sweep = load_sweep(SPEC)
    out = tmp_path / "sweep"
    record = prepare_directory(sweep, out, 100, resume=False, force=False)
    assert read_manifest(out) == record
    assert record.fingerprint == sweep.fingerprint()
    assert record.design.chunks == -(-sweep.runs // 100)
    design = pd.read_parquet(out / "design.parquet")
    assert list(design["sample"]) == list(range(sweep.samples))
    for j, name in enumerate(sweep.parameter_names):
        assert design[f"unit.{name}"].tolist() == sweep.unit[:, j].tolist()
    assert sorted(p.name for p in out.iterdir()) == [".geosim", "design.parquet", "manifest.json"]
    data = (out / "design.parquet").read_bytes()
    assert record.files["design.parquet"].sha256 == hashlib.sha256(data).hexdigest()
    assert record.files["design.parquet"].size == len(data)


def test_a_part_counts_once_written_and_recorded_with_its_size_and_checksum(
    tmp_path: Path,
) -> None:
    sweep = load_sweep(make_sweep_files(tmp_path, samples=2, replicates=2))
    out = tmp_path / "out"
    record = prepare_directory(sweep, out, 2, resume=False, force=False)
    schema = runs_schema([(p.path, p.kind) for p in record.parameters], record.outcomes)
    rows = {
        "run_id": [2, 3],
        "sample": [1, 1],
        "replicate": [0, 1],
        "seed": [99, 99],
        "config_hash": ["x", "x"],
        **{p: [0.5, 0.5] for p in sweep.parameter_names},
        **{o: [0.0, 0.0] for o in sweep.outcomes},
        "status": ["ok", "ok"],
        "message": ["", ""],
        "elapsed_s": [0.1, 0.1],
        "worker": ["here", "here"],
    }
    write_chunk(out, record, 1, pa.table(rows, schema=schema), None)
    assert finished_chunks(out) == {1}
    data = part(out, 1).read_bytes()
    recorded = read_manifest(out).files["runs/part-000001.parquet"]
    assert (recorded.size, recorded.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert not list(out.rglob("*.tmp"))
    with pytest.raises(SweepError, match=r"1 of 2 chunks have not run yet"):
        read_runs(out)


def test_unusable_directories_are_refused(tmp_path: Path) -> None:
    sweep = load_sweep(SPEC)
    with pytest.raises(SweepError, match="not a sweep directory"):
        read_manifest(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not empty"):
        prepare_directory(sweep, tmp_path, 100, resume=False, force=False)
    a_file = tmp_path / "notes.txt"
    with pytest.raises(SweepError, match="not a folder"):
        prepare_directory(sweep, a_file, 100, resume=False, force=False)


def test_the_repair_command_quotes_the_directory() -> None:
    assert repair_command(Path("results/my sweep")) == "geosim sweep 'results/my sweep' --resume"


@pytest.mark.parametrize("kind", ["file", "folder", "link", "pipe"])
def test_resume_cleans_geosims_stale_temporary_files_whatever_they_became(
    tmp_path: Path, kind: str
) -> None:
    """A killed sweep's ``.part-*.tmp``, or whatever took its place, goes; other files stay."""
    spec = make_sweep_files(tmp_path)
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0, chunk_size=4)
    parts = snapshot(out)
    stale = [out / "runs" / ".part-000001.parquet.4242.tmp", out / ".manifest.json.tmp"]
    for path in stale:
        if kind == "file":
            path.write_bytes(b"half a part")
        elif kind == "folder":
            path.mkdir()
            (path / "inside").write_text("x")
        elif kind == "link":
            path.symlink_to(tmp_path / "spec.yaml")
        else:
            os.mkfifo(path)
    foreign = [out / "runs" / ".part-notes.tmp", out / "runs" / "part-1.parquet.tmp"]
    for path in foreign:
        path.write_text("mine")
    result = CliRunner().invoke(main, ["sweep", str(out), "--resume", "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert not any(os.path.lexists(path) for path in stale)
    assert all(path.read_text() == "mine" for path in foreign)
    assert (tmp_path / "spec.yaml").is_file()  # a link's target is not touched
    assert snapshot(out) == parts
