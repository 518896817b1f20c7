"""The sweep directory: manifest, design table and parts, each written whole or not at all."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sweep_files import flip, make_sweep_files, part, snapshot

from sim.cli import main
from sim.folders import MARKER, fingerprint, read_ledger
from sim.sweep import store
from sim.sweep.executor import run_sweep
from sim.sweep.manifest import record_of
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


# --------------------------------------------------------------------------------------------
# Ownership: the sweep lists every file it writes in its ledger, and --force removes only those


def sweep_and_analyze(folder: Path, chunk_size: int = 2) -> tuple[Path, Path]:
    """A small sweep with time series, analysed once; returns its spec and folder."""
    spec = make_sweep_files(folder, samples=3, replicates=2, extra="timeseries: [hedgers]\n")
    out = folder / "out"
    ran = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out), "--workers", "0",
                                    "-q", "--chunk-size", str(chunk_size)])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    means = read_runs(out).groupby("sample")["regional_tension"].mean()
    prim = ["--method", "prim", "--outcome", "regional_tension", "--threshold"]
    analysed = CliRunner().invoke(main, ["analyze", str(out), *prim, str(means.median())])
    assert analysed.exit_code == 0, analysed.output
    return spec, out


def test_the_ledger_lists_every_file_the_sweep_and_its_analysis_wrote(tmp_path: Path) -> None:
    _, out = sweep_and_analyze(tmp_path)
    ledger = read_ledger(out)
    written = {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MARKER
    }
    assert set(ledger.files) == written
    assert {"runs/part-000002.parquet", "timeseries/part-000002.parquet"} <= written
    assert any(name.startswith("analysis/prim_") for name in written)
    assert all(fingerprint(out / name) == entry for name, entry in ledger.files.items())
    assert {"runs", "timeseries", "analysis"} <= set(ledger.folders)


def test_force_removes_only_what_the_sweep_wrote(tmp_path: Path) -> None:
    spec, out = sweep_and_analyze(tmp_path)
    undamaged = read_runs(out).drop(columns=["elapsed_s", "worker"])
    mine = [out / "notes.txt", out / "runs" / "notes.txt", out / "analysis" / "mine.csv"]
    for path in mine:
        path.write_text("mine")
    again = ["sweep", str(spec), "--out", str(out), "--force", "--workers", "0", "-q"]
    result = CliRunner().invoke(main, [*again, "--chunk-size", "6"])
    assert result.exit_code == 0, result.output
    assert all(path.read_text() == "mine" for path in mine)
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["notes.txt", "part-000000.parquet"]
    assert [p.name for p in (out / "analysis").iterdir()] == ["mine.csv"]
    assert read_runs(out).drop(columns=["elapsed_s", "worker"]).equals(undamaged)


def test_force_keeps_a_damaged_part_and_says_how_to_repair_it(tmp_path: Path) -> None:
    spec, out = sweep_and_analyze(tmp_path)
    flip(part(out, 1), 0.4)
    before = snapshot(out)
    again = ["sweep", str(spec), "--out", str(out), "--workers", "0", "-q"]
    result = CliRunner().invoke(main, [*again, "--force"])
    assert result.exit_code == 2
    assert f"{part(out, 1)} was not written by geosim or was changed since" in result.output
    assert repair_command(out) in result.output
    assert snapshot(out) == before
    assert CliRunner().invoke(main, [*again, "--resume"]).exit_code == 0
    assert CliRunner().invoke(main, [*again, "--force"]).exit_code == 0


def test_a_file_is_in_the_ledger_before_it_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep killed at any moment leaves no file of its own that its ledger does not list."""
    spec = make_sweep_files(tmp_path, samples=3, replicates=2, extra="timeseries: [hedgers]\n")
    out = tmp_path / "out"
    put, write_manifest = store.put_in_place, store.write_manifest
    checked = []

    def claimed_first(path: Path, data: bytes) -> None:
        entry = read_ledger(out).files.get(path.relative_to(out).as_posix())
        assert entry == record_of(data).model_dump(), path
        checked.append(path.name)

    def part_claimed_first(temporary: Path, path: Path) -> None:
        claimed_first(path, temporary.read_bytes())
        put(temporary, path)

    def manifest_claimed_first(folder: Path, manifest, data: bytes | None = None) -> None:
        if folder == out:  # not the staging folder, which is marked once complete
            claimed_first(folder / "manifest.json", data)
        write_manifest(folder, manifest, data)

    monkeypatch.setattr(store, "put_in_place", part_claimed_first)
    monkeypatch.setattr(store, "write_manifest", manifest_claimed_first)
    run_sweep(load_sweep(spec), out, workers=0, chunk_size=2)
    assert checked.count("part-000002.parquet") == 2 and "manifest.json" in checked


def test_parts_wait_for_a_batch_once_the_manifest_is_costly_to_rewrite(tmp_path: Path) -> None:
    spec = make_sweep_files(tmp_path, samples=3, replicates=2)
    sweep = load_sweep(spec)
    out = tmp_path / "out"
    record = prepare_directory(sweep, out, 2, resume=False, force=False)
    done = run_sweep(sweep, tmp_path / "reference", workers=0, chunk_size=2)
    assert done.computed == 6
    parts = {c: pq.read_table(part(tmp_path / "reference", c)) for c in range(3)}
    with store.PartWriter(out, record) as writer:
        writer.cost = 3600.0  # as if rewriting the manifest took an hour
        writer.add(0, parts[0], None)
        writer.add(1, parts[1], None)
        assert finished_chunks(out) == set() and not read_manifest(out).files.keys() - {
            "design.parquet"
        }
        assert len(list((out / "runs").glob(".part-*.tmp"))) == 2
    assert finished_chunks(out) == {0, 1}
    assert set(read_manifest(out).files) == {"design.parquet", *(f"runs/{part(out, c).name}"
                                                                  for c in (0, 1))}  # fmt: skip
    assert not list((out / "runs").glob(".part-*.tmp"))
