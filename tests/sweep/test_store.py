"""The sweep directory: manifest, design table and parts, each written whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from sim.sweep.spec import load_sweep, parameter_kinds
from sim.sweep.store import (
    SweepError,
    finished_chunks,
    manifest,
    part_name,
    prepare_directory,
    read_manifest,
    read_runs,
    write_chunk,
)

SPEC = "sea_funding_grid"


def test_a_new_directory_has_its_manifest_and_design_in_design_order(tmp_path: Path) -> None:
    sweep = load_sweep(SPEC)
    out = tmp_path / "sweep"
    record = prepare_directory(sweep, out, 100, resume=False, force=False)
    assert read_manifest(out) == json.loads(json.dumps(record, default=str))
    assert record["fingerprint"] == sweep.fingerprint()
    assert record["design"]["chunks"] == -(-sweep.runs // 100)
    design = pd.read_parquet(out / "design.parquet")
    assert list(design["sample"]) == list(range(sweep.samples))
    for j, name in enumerate(sweep.parameter_names):
        assert design[f"unit.{name}"].tolist() == sweep.unit[:, j].tolist()
    assert sorted(p.name for p in out.iterdir()) == [".geosim", "design.parquet", "manifest.json"]


def test_the_manifest_says_what_ran_and_with_which_versions() -> None:
    sweep = load_sweep(SPEC)
    record = manifest(sweep, 300, parameter_kinds(sweep))
    assert record["design"] | {"method": "grid", "replicates": 25} == record["design"]
    assert record["packages"]["numpy"] and record["geosim"]
    assert record["git_commit"] is None or len(record["git_commit"]) == 40
    assert [p["path"] for p in record["parameters"]] == list(sweep.parameter_names)


def test_parts_mark_their_chunk_finished_only_once_written(tmp_path: Path) -> None:
    table = pa.table({"run_id": [0, 1], "status": ["ok", "ok"]})
    series = pa.table({"run_id": [0, 0], "month": [0, 1]})
    assert finished_chunks(tmp_path) == set()
    write_chunk(tmp_path, 3, table, series)
    write_chunk(tmp_path, 0, table.slice(0, 1), None)
    assert finished_chunks(tmp_path) == {0, 3}
    assert (tmp_path / "timeseries" / part_name(3)).is_file()
    assert not list(tmp_path.rglob("*.tmp"))
    assert list(read_runs(tmp_path)["run_id"]) == [0, 0, 1]


def test_unusable_directories_are_refused(tmp_path: Path) -> None:
    sweep = load_sweep(SPEC)
    with pytest.raises(SweepError, match="not a sweep directory"):
        read_manifest(tmp_path)
    with pytest.raises(SweepError, match="no finished runs"):
        read_runs(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not empty"):
        prepare_directory(sweep, tmp_path, 100, resume=False, force=False)
    a_file = tmp_path / "notes.txt"
    with pytest.raises(SweepError, match="not a folder"):
        prepare_directory(sweep, a_file, 100, resume=False, force=False)
