"""Running sweeps: determinism, crash safety, resume, and real Dask clusters."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dask
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from click.testing import CliRunner
from sweep_files import CIRCUMSTANTIAL, make_sweep_files, outcomes_of, reference_sweep

from sim.cli import main
from sim.core.compile import compile_world
from sim.core.engine import final_outcomes
from sim.scenario import Scenario
from sim.sweep.executor import dask_client, run_sweep
from sim.sweep.spec import apply_values, chunk_bounds, load_sweep
from sim.sweep.store import SweepError, finished_chunks, read_manifest, read_runs


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The spec of most tests and its undisturbed, in-process result."""
    return reference_sweep(tmp_path_factory.mktemp("reference"))


def test_chunks_cover_every_run_once() -> None:
    bounds = chunk_bounds(103, 10)
    covered = [k for start, stop in bounds for k in range(start, stop)]
    assert covered == list(range(103))
    assert bounds[-1] == (100, 103)


def test_run_k_is_its_sample_and_replicate_through_the_engine(reference) -> None:
    spec, frame = reference
    sweep = load_sweep(spec)
    assert list(frame["run_id"]) == list(range(sweep.runs))
    assert (frame["status"] == "ok").all()
    for k in (0, 5, sweep.runs - 1):
        sample, replicate = divmod(k, sweep.spec.replicates)
        row = frame.iloc[k]
        assert (row["sample"], row["replicate"]) == (sample, replicate)
        values = sweep.values_of(sample, sample + 1)[0]
        data = apply_values(sweep.base_data, sweep.parameter_names, values)
        world = compile_world(Scenario.model_validate(data, strict=True))
        direct = final_outcomes(world, [replicate], seed=99)
        for name in sweep.outcomes:
            assert row[name] == direct[name][0]
        assert row["parameters.incidents.base_hazard"] == values[0]


def test_results_do_not_depend_on_chunk_size(tmp_path: Path, reference) -> None:
    """The reference ran all 6 samples stacked in one computation; here runs go alone."""
    spec, frame = reference
    computations = {}
    for size in (1, 7):
        summary = run_sweep(load_sweep(spec), tmp_path / f"c{size}", workers=0, chunk_size=size)
        computations[size] = summary.computations
        pd.testing.assert_frame_equal(outcomes_of(tmp_path / f"c{size}"), frame)
    assert len(finished_chunks(tmp_path / "c7")) == len(chunk_bounds(len(frame), 7))
    assert computations[1] == len(frame)  # one run per chunk: nothing to stack
    assert computations[7] < len(frame) // 4  # a chunk's samples stacked
    # All samples stack into one computation, unless the replicate axis happens to be as long
    # as another axis (24 runs against the status quo's 24 alliances): a spec with 30 runs.
    wide = make_sweep_files(tmp_path / "wide", replicates=5)
    stacked = run_sweep(load_sweep(wide), tmp_path / "default", workers=0)
    assert stacked.computations == 1


def test_same_sample_values_share_a_config_hash_and_samples_differ(reference) -> None:
    _, frame = reference
    per_sample = frame.groupby("sample")["config_hash"].nunique()
    assert (per_sample == 1).all()
    assert frame["config_hash"].nunique() == frame["sample"].nunique()


class SimulatedCrashError(Exception):
    """Stands in for a crash after some chunks were written."""


def test_interrupted_sweep_resumes_without_losing_or_repeating_runs(
    tmp_path: Path, reference
) -> None:
    spec, frame = reference
    out = tmp_path / "out"
    written = []

    def crash_after_three(n: int) -> None:
        written.append(n)
        if len(written) == 3:
            raise SimulatedCrashError

    with pytest.raises(SimulatedCrashError):
        run_sweep(load_sweep(spec), out, workers=0, chunk_size=5, progress=crash_after_three)
    assert len(finished_chunks(out)) == 3
    summary = run_sweep(load_sweep(spec), out, workers=0, resume=True, chunk_size=999)
    assert summary.skipped == 15 and summary.computed == len(frame) - 15
    resumed = outcomes_of(out)
    assert resumed["run_id"].is_unique
    pd.testing.assert_frame_equal(resumed, frame)
    manifest = read_manifest(out)
    assert manifest.design.chunk_size == 5  # a resumed sweep keeps its chunking
    assert len(manifest.sessions) == 2 and manifest.complete


def test_resume_refuses_a_different_sweep_and_fresh_runs_refuse_old_results(
    tmp_path: Path, reference
) -> None:
    spec, _ = reference
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0)
    with pytest.raises(SweepError, match="--resume"):
        run_sweep(load_sweep(spec), out, workers=0)
    changed = make_sweep_files(tmp_path / "changed", replicates=5)
    with pytest.raises(SweepError, match="different sweep"):
        run_sweep(load_sweep(changed), out, workers=0, resume=True)
    result = CliRunner().invoke(main, ["sweep", str(changed), "--out", str(out), "--resume"])
    assert result.exit_code == 2 and "different sweep" in result.output


def test_invalid_combinations_are_recorded_not_fatal(tmp_path: Path) -> None:
    spec = make_sweep_files(tmp_path, samples=8, replicates=2)
    text = spec.read_text().replace(
        "alliances.us_philippines.commitment: {range: [0.3, 1.0]}",
        "policies.us_assistance_philippines.start: {range: [0, 12]}\n"
        "  policies.us_assistance_philippines.end: {range: [1, 13]}",
    )
    spec.write_text(text)
    summary = run_sweep(load_sweep(spec), tmp_path / "out", workers=0)
    frame = read_runs(tmp_path / "out")
    bad = frame[frame["status"] == "invalid"]
    assert summary.failed == len(bad) > 0
    start = frame["policies.us_assistance_philippines.start"]
    end = frame["policies.us_assistance_philippines.end"]
    assert (bad.index == frame.index[end <= start]).all()
    assert bad["message"].str.contains("must come after start").all()
    assert bad["p_crisis"].isna().all() and frame.loc[end > start, "p_crisis"].notna().all()


def test_timeseries_parts_end_where_the_runs_do(tmp_path: Path) -> None:
    spec = make_sweep_files(
        tmp_path, samples=3, replicates=2, extra="timeseries: [regional_tension, alignment.PHL]\n"
    )
    run_sweep(load_sweep(spec), tmp_path / "out", workers=0, chunk_size=4)
    series = pd.read_parquet(tmp_path / "out" / "timeseries")
    runs = read_runs(tmp_path / "out")
    assert len(series) == len(runs) * 25  # months 0 … 24
    last = series[series["month"] == 24].sort_values("run_id")
    assert np.array_equal(last["regional_tension"].to_numpy(), runs["regional_tension"].to_numpy())
    assert np.array_equal(last["alignment.PHL"].to_numpy(), runs["alignment.PHL"].to_numpy())
    # Outcomes read from the monthly record are those of a sweep without it (stacked).
    plain = make_sweep_files(tmp_path / "plain", samples=3, replicates=2)
    run_sweep(load_sweep(plain), tmp_path / "plain" / "out", workers=0)
    pd.testing.assert_frame_equal(
        outcomes_of(tmp_path / "plain" / "out"), outcomes_of(tmp_path / "out")
    )


def test_results_read_directly_in_pandas_polars_and_duckdb(reference) -> None:
    spec, frame = reference
    runs = spec.parent / "out" / "runs"
    assert len(pd.read_parquet(runs)) == len(frame)
    polars_frame = pl.read_parquet(runs / "*.parquet")
    assert polars_frame.height == len(frame)
    mean = duckdb.sql(f"select avg(p_crisis) from '{runs}/*.parquet'").fetchall()[0][0]
    assert mean == pytest.approx(frame["p_crisis"].mean())


def test_a_local_cluster_of_two_processes_gives_the_same_runs(tmp_path: Path, reference) -> None:
    spec, frame = reference
    summary = run_sweep(load_sweep(spec), tmp_path / "out", workers=2, chunk_size=3)
    assert summary.computed == len(frame)
    result = read_runs(tmp_path / "out")
    pd.testing.assert_frame_equal(result.drop(columns=CIRCUMSTANTIAL), frame)
    pids = {worker.split(":")[1] for worker in result["worker"]}
    assert str(os.getpid()) not in pids  # computed by worker processes, not the driver


def test_local_workers_keep_glibcs_adaptive_malloc_and_leave_the_gil_to_the_chunk() -> None:
    """Our local workers drop Dask's malloc setting, its profiler and its fast ticks.

    The malloc setting made big-replicate chunks six times slower; the others cost about 7%.
    """
    key = "distributed.nanny.pre-spawn-environ"
    with dask_client(2, None) as client:
        trim = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        threads = client.run(lambda: os.environ.get("OMP_NUM_THREADS"))
        profiling = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
        tick = client.run(lambda: dask.config.get("distributed.admin.tick.interval"))
    assert len(trim) == 2
    assert set(trim.values()) == {None}
    assert set(threads.values()) == {"1"}  # Dask's other worker settings stay
    assert set(profiling.values()) == {False}
    assert set(tick.values()) == {"500ms"}
    assert dask.config.get(key)["MALLOC_TRIM_THRESHOLD_"] == 65536  # not changed for others
    assert dask.config.get("distributed.worker.profile.enabled") is True


# --------------------------------------------------------------------------------------------
# Crashes: a real scheduler and workers as separate processes


def _geosim(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def _wait_for(condition, timeout: float = 120.0, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(every)


@pytest.fixture(scope="module")
def long_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A sweep long enough to interrupt (120 chunks), with its undisturbed result."""
    folder = tmp_path_factory.mktemp("long")
    spec = make_sweep_files(folder, horizon=120, samples=30, replicates=20, chunk_size=5)
    run_sweep(load_sweep(spec), folder / "undisturbed", workers=0)
    return spec, outcomes_of(folder / "undisturbed")


@pytest.fixture
def dask_cluster(tmp_path: Path):
    """A Dask scheduler and two single-threaded workers, each its own process on 127.0.0.1."""
    info = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(info.exists, timeout=60)
    _wait_for(lambda: json.loads(info.read_text() or "{}").get("address"), timeout=30)
    address = json.loads(info.read_text())["address"]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
    yield address, workers
    for process in [*workers, scheduler]:
        if process.poll() is None:
            process.terminate()
    for process in [*workers, scheduler]:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _worker_pids(out: Path) -> set[int]:
    """Process ids of the workers that wrote the runs parts on disk so far."""
    pids = set()
    for part in (out / "runs").glob("part-*.parquet"):
        workers = pd.read_parquet(part, columns=["worker"])["worker"]
        pids |= {int(worker.rsplit(":", 1)[1]) for worker in workers}
    return pids


def test_external_scheduler_survives_a_worker_killed_mid_sweep(
    tmp_path: Path, long_sweep, dask_cluster
) -> None:
    spec, undisturbed = long_sweep
    address, workers = dask_cluster
    out = tmp_path / "out"
    victim = workers[0].pid
    driver = _geosim("sweep", str(spec), "--out", str(out), "--scheduler", address, "-q")
    # Kill the worker only once it has finished work of its own, so the kill hits a busy worker.
    _wait_for(lambda: victim in _worker_pids(out))
    assert len(finished_chunks(out)) < 120, "the sweep finished before the worker was killed"
    workers[0].send_signal(signal.SIGKILL)
    output, _ = driver.communicate(timeout=300)
    assert driver.returncode == 0, output
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    result = read_runs(out)
    assert result["run_id"].is_unique
    pd.testing.assert_frame_equal(result.drop(columns=CIRCUMSTANTIAL), undisturbed)
    assert result["worker"].str.split(":").str[1].nunique() == 2


def test_a_killed_driver_resumes_without_lost_or_repeated_runs(tmp_path: Path, long_sweep) -> None:
    spec, undisturbed = long_sweep
    out = tmp_path / "out"
    driver = _geosim(
        "sweep", str(spec), "--out", str(out), "--workers", "2", "-q", start_new_session=True
    )
    _wait_for(lambda: len(finished_chunks(out)) >= 5)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and its local workers, mid-sweep
    driver.wait(timeout=30)
    # What counts is what the manifest recorded: a part killed before that is redone.
    done = [name for name in read_manifest(out).files if name.startswith("runs/")]
    assert 4 <= len(done) < 120
    resumed = _geosim("sweep", str(spec), "--out", str(out), "--resume", "--workers", "2")
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert f"resuming: {len(done) * 5:,} of 600 runs already done" in output
    result = read_runs(out)
    assert result["run_id"].is_unique and len(result) == 600
    pd.testing.assert_frame_equal(result.drop(columns=CIRCUMSTANTIAL), undisturbed)
    assert not list(out.glob("runs/.*.tmp"))


# --------------------------------------------------------------------------------------------
# Damage: kills at any moment, damaged parts and manifests, bad addresses, escaping names


def test_a_driver_killed_at_random_moments_resumes_to_the_same_table(
    tmp_path: Path, long_sweep
) -> None:
    spec, undisturbed = long_sweep
    rng = np.random.default_rng(14)
    for attempt, delay in enumerate(rng.uniform(0.0, 2.5, size=3)):
        out = tmp_path / f"out{attempt}"
        driver = _geosim("sweep", str(spec), "--out", str(out), "--workers", "0", "-q")
        time.sleep(delay)  # start-up, the design write, or some chunks in
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
        resumed = _geosim("sweep", str(spec), "--out", str(out), "--resume", "--workers", "0")
        output, _ = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, f"killed after {delay:.2f} s:\n{output}"
        pd.testing.assert_frame_equal(outcomes_of(out), undisturbed)
        assert not list(tmp_path.glob(".geosim-tmp-*"))


def test_a_driver_killed_while_it_writes_the_design_leaves_nothing_to_refuse(
    tmp_path: Path, long_sweep
) -> None:
    spec, undisturbed = long_sweep
    out = tmp_path / "out"
    driver = _geosim("sweep", str(spec), "--out", str(out), "--workers", "0", "-q")
    _wait_for(lambda: any(tmp_path.glob(".geosim-tmp-out-*")) or out.exists(), every=0.001)
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=30)
    # Whether the kill came while the manifest and design were being written (the folder is
    # not there yet) or just after, resuming completes the sweep.
    resumed = _geosim("sweep", str(spec), "--out", str(out), "--resume", "--workers", "0")
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    pd.testing.assert_frame_equal(outcomes_of(out), undisturbed)
    assert not list(tmp_path.glob(".geosim-tmp-*"))


def test_damaged_parts_are_redone_on_resume_and_refused_by_analyze(
    tmp_path: Path, reference
) -> None:
    spec, undisturbed = reference
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0, chunk_size=4)
    parts = sorted((out / "runs").glob("part-*.parquet"))
    raw = parts[1].read_bytes()
    parts[1].write_bytes(raw[: len(raw) // 2])  # truncated, as by a crash of the disk
    result = CliRunner().invoke(main, ["analyze", str(out), "--method", "prim"])
    assert result.exit_code == 2 and "runs/part-000001.parquet: 2," in result.output
    assert f"geosim sweep {out} --resume" in result.output
    summary = run_sweep(load_sweep(spec), out, workers=0, resume=True)
    assert summary.redone == 1 and summary.computed == 4
    pd.testing.assert_frame_equal(outcomes_of(out), undisturbed)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ('{"format": 1, "fing', "not JSON"),
        ("[]", "not a geosim manifest"),
        ('{"format": 1}', "not a geosim manifest"),
        ("", "not JSON"),
    ],
)
def test_a_damaged_manifest_is_a_clear_error_and_force_starts_afresh_once_it_is_moved(
    tmp_path: Path, reference, damage: str, why: str
) -> None:
    spec, undisturbed = reference
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0)
    (out / "manifest.json").write_text(damage)
    result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out), "--resume",
                                       "--workers", "0", "-q"])  # fmt: skip
    assert result.exit_code == 2, result.output  # the command's own exit, not a crash
    assert isinstance(result.exception, SystemExit) and result.exception.code == 2
    assert f"{out / 'manifest.json'} is damaged ({why}" in result.output, result.output
    assert "hint: start the sweep afresh with --force" in result.output
    assert "Traceback" not in result.output
    force = ["sweep", str(spec), "--out", str(out), "--force", "--workers", "0", "-q"]
    result = CliRunner().invoke(main, force)  # the manifest changed since geosim wrote it
    assert result.exit_code == 2 and "manifest.json was not written by geosim" in result.output
    (out / "manifest.json").rename(tmp_path / "edited.json")
    result = CliRunner().invoke(main, force)
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(outcomes_of(out), undisturbed)


@pytest.mark.parametrize("address", ["not-an-address", "tcp://127.0.0.1:1"])
def test_an_unreachable_scheduler_is_a_clear_error_and_leaves_nothing(
    tmp_path: Path, reference, address: str
) -> None:
    import distributed  # its defaults join dask's config on import, outside the override

    assert distributed.__version__
    spec, _ = reference
    out = tmp_path / "out"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(
            main, ["sweep", str(spec), "--out", str(out), "--scheduler", address, "-q"]
        )
    assert result.exit_code == 2, result.output
    assert f"cannot connect to the Dask scheduler at {address}" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_force_never_deletes_a_folder_geosim_did_not_write(tmp_path: Path, reference) -> None:
    spec, _ = reference
    results = tmp_path / "results"
    other = results / "sweeps" / "someone_elses"
    other.mkdir(parents=True)
    (other / "notes.txt").write_text("mine")
    for out in (results, results / "sweeps", other):
        result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out), "--force",
                                           "--workers", "0", "-q"])  # fmt: skip
        assert result.exit_code == 2 and "not written by geosim" in result.output, out
    assert (other / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b", "../../etc"])
def test_a_sweep_name_cannot_escape_its_folder(tmp_path: Path, name: str) -> None:
    spec = make_sweep_files(tmp_path)
    spec.write_text(spec.read_text().replace("name: runner_test", f"name: '{name}'"))
    result = CliRunner().invoke(main, ["sweep", str(spec), "--force", "--workers", "0", "-q"])
    assert result.exit_code == 2 and "name" in result.output and "is not a valid" in result.output


def test_resume_repairs_a_part_turned_folder_and_a_missing_or_damaged_design(
    tmp_path: Path, reference
) -> None:
    spec, undisturbed = reference
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0, chunk_size=4)
    design = (out / "design.parquet").read_bytes()
    (out / "design.parquet").write_bytes(design[:50])
    result = CliRunner().invoke(main, ["analyze", str(out), "--method", "prim"])
    assert result.exit_code == 2 and "design.parquet is damaged" in result.output
    part = sorted((out / "runs").glob("part-*.parquet"))[1]
    part.unlink()
    part.mkdir()  # something that is not a part where a part should be
    summary = run_sweep(load_sweep(spec), out, workers=0, resume=True)
    assert summary.redone == 1
    assert (out / "design.parquet").read_bytes() == design
    pd.testing.assert_frame_equal(outcomes_of(out), undisturbed)
    (out / "design.parquet").unlink()
    run_sweep(load_sweep(spec), out, workers=0, resume=True)
    assert (out / "design.parquet").read_bytes() == design


def test_a_manifest_of_another_format_is_damaged_not_a_different_sweep(
    tmp_path: Path, reference
) -> None:
    spec, _ = reference
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0)
    record = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**record, "format": "x", "fingerprint": None}))
    with pytest.raises(SweepError, match=r"manifest\.json is damaged"):
        run_sweep(load_sweep(spec), out, workers=0, resume=True)


def test_prim_says_when_no_threshold_can_separate_the_samples(tmp_path: Path, reference) -> None:
    spec, _ = reference
    out = tmp_path / "out"
    run_sweep(load_sweep(spec), out, workers=0)
    result = CliRunner().invoke(main, ["analyze", str(out), "--method", "prim", "--outcome",
                                       "alignment.PHL", "--threshold", "5"])  # fmt: skip
    assert result.exit_code == 2 and "no sample has alignment.PHL ≥ 5" in result.output
    assert "sample means of alignment.PHL range from" in result.output
    assert "try --threshold" in result.output
