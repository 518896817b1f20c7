"""Sweep throughput: Mesa's batch_run over the project's model versus ``geosim sweep``.

Run from the repository root (about seven minutes on a 2-core machine)::

    .venv/bin/python benchmarks/bench_sweep.py --out benchmarks/results

It does, in one process on one machine:

1. The same set of runs (``hub_and_spoke``, 120 months, all 17 countries, the same final-month
   outcomes) with (a) ``mesa.batch_run`` over :class:`sim.core.model.IndoPacificModel` and (b) the
   sweep runner on a local Dask cluster, both with one worker process per core; and (c) the same
   sweep through ``--scheduler`` on a local cluster started beforehand (no start-up cost). It
   checks that all give the same numbers, then reports runs/s of each and the ratios.
2. The sweep alone at 1k, 10k and 100k runs (200 replicates per sample): wall time per run and
   the peak resident memory of the driver plus its workers (sampled every 0.1 s).
3. The sweep at 2,000 runs with 1, 10, 50 or 200 replicates per sample.
4. The batched engine alone in this one process (no Dask, no files): runs/s as the number of
   replicates advanced together grows. This is the ceiling of one worker.
5. The engine alone on every shipped scenario, 250 replicates at a time.
6. What the states' decisions cost: the engine alone on ``hub_and_spoke`` with every state
   deciding (as shipped) and with every state on its script (Model 2.0's behaviour), at 1 and
   250 replicates, in one run.
7. Threads in one process: :func:`sim.core.engine.simulate` (unlogged) at 250, 500 and 1,000
   replicates in one thread and in as many as it takes by default (two at least), alternately,
   best of three; and two blocks of 250 replicates of final outcomes (the sweeps' path) one
   after the other, in two threads and in two worker processes.

``--parts`` runs some of these; sections already in ``OUT/sweep_benchmark.json`` are kept.

Results are printed as a Markdown table and written to ``OUT/sweep_benchmark.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from sim.sweep.executor import run_sweep
from sim.sweep.spec import apply_values, load_sweep
from sim.sweep.store import read_runs

#: Outcomes both approaches record (final month).
MODEL_OUTCOMES = ("regional_tension", "polarization", "hedgers", "us_credibility")
COUNTRY_OUTCOMES = ("alignment", "milex_usd_bn", "threat")


def write_spec(folder: Path, samples: int, replicates: int) -> Path:
    """A grid over the incident hazard of hub_and_spoke: ``samples`` × ``replicates`` runs."""
    spec = folder / f"bench_{samples}x{replicates}.yaml"
    values = ", ".join(f"{v:.4f}" for v in np.linspace(0.05, 0.30, samples))
    spec.write_text(
        textwrap.dedent(
            f"""\
            name: bench_{samples}x{replicates}
            base: hub_and_spoke
            design: {{method: grid}}
            replicates: {replicates}
            seed: 7
            parameters:
              parameters.incidents.base_hazard: {{values: [{values}]}}
            outcomes: [{", ".join(MODEL_OUTCOMES)}, "alignment.*", "milex_usd_bn.*", "threat.*"]
            """
        )
    )
    return spec


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled in a thread."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker may exit meanwhile
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def mesa_batch_run(spec: Path, workers: int) -> tuple[float, dict]:
    """The runs of ``spec`` through ``mesa.batch_run``; returns seconds and final outcomes."""
    import mesa

    from sim.core.model import IndoPacificModel
    from sim.scenario import Scenario

    sweep = load_sweep(spec)
    scenarios = [
        Scenario.model_validate(
            apply_values(sweep.base_data, sweep.parameter_names, values), strict=True
        )
        for values in sweep.values_of(0, sweep.samples)
    ]
    began = time.perf_counter()
    rows = mesa.batch_run(
        IndoPacificModel,
        parameters={"definition": scenarios, "replicate": list(range(sweep.spec.replicates))},
        rng=[sweep.seed],
        number_processes=workers,
        max_steps=sweep.base.horizon,
        data_collection_period=-1,
        display_progress=True,
    )
    seconds = time.perf_counter() - began
    sample_of = {s.model_dump_json(): i for i, s in enumerate(scenarios)}
    outcomes: dict[tuple[int, int], dict[str, float]] = {}
    for row in rows:
        key = (sample_of[row["definition"].model_dump_json()], row["replicate"])
        record = outcomes.setdefault(key, {m: row[m] for m in MODEL_OUTCOMES})
        for metric in COUNTRY_OUTCOMES:
            record[f"{metric}.{row['iso3']}"] = row[metric]
    return seconds, outcomes


def geosim_sweep(spec: Path, workers: int, out: Path) -> tuple[float, int]:
    """The runs of ``spec`` through the sweep runner; returns wall seconds and peak memory."""
    sweep = load_sweep(spec)
    with PeakMemory() as memory:
        began = time.perf_counter()
        run_sweep(sweep, out, workers=workers, force=True)
        seconds = time.perf_counter() - began
    return seconds, memory.peak


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--common", type=int, default=2400, help="runs in the common set")
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument(
        "--per-sample", default="1,10,50,200", help="replicates per sample, at 2,000 runs"
    )
    parser.add_argument(
        "--parts", default="common,scaling,per_sample,engine,scenarios,decisions,threads"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="geosim-bench-") as scratch:
        report = run_parts(args, Path(scratch))
    print_tables(report)


def run_parts(args: argparse.Namespace, scratch: Path) -> dict:
    """Run the chosen sections, merge them into ``OUT/sweep_benchmark.json`` and return it."""
    parts = set(args.parts.split(","))
    path = args.out / "sweep_benchmark.json"
    report: dict = json.loads(path.read_text()) if path.is_file() else {}
    report["machine"] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    report["workers"] = args.workers
    if "common" in parts:
        report["common"] = common_set(args, scratch)
    if "scaling" in parts:
        report["scaling"] = scaling(args, scratch)
    if "per_sample" in parts:
        report["per_sample"] = per_sample(args, scratch)
    if "engine" in parts:
        report["engine"] = engine_alone()
    if "scenarios" in parts:
        report["scenarios"] = every_scenario()
    if "decisions" in parts:
        report["decisions"] = decisions_cost()
    if "threads" in parts:
        report["threads"] = threads_engine()
        report["threads_or_processes"] = threads_or_processes()
    path.write_text(json.dumps(report, indent=2) + "\n")
    return report


def common_set(args: argparse.Namespace, scratch: Path) -> dict:
    """The same runs through ``mesa.batch_run`` and through the sweep."""
    samples = 12
    spec = write_spec(scratch, samples, args.common // samples)
    mesa_seconds, mesa_outcomes = mesa_batch_run(spec, args.workers)
    sweep_seconds, _ = geosim_sweep(spec, args.workers, scratch / "common")
    frame = read_runs(scratch / "common")
    worst = 0.0
    columns = {c: i for i, c in enumerate(frame.columns)}
    values = frame.to_numpy()
    for row in values:
        record = mesa_outcomes[(int(row[columns["sample"]]), int(row[columns["replicate"]]))]
        for name, value in record.items():
            worst = max(worst, abs(float(row[columns[name]]) - float(value)))
    warm_seconds = sweep_on_a_running_cluster(spec, args.workers, scratch / "common-warm")
    same = frame.drop(columns=["elapsed_s", "worker"]).equals(
        read_runs(scratch / "common-warm").drop(columns=["elapsed_s", "worker"])
    )
    runs = len(frame)
    return {
        "runs": runs,
        "mesa_batch_run_seconds": mesa_seconds,
        "mesa_runs_per_second": runs / mesa_seconds,
        "geosim_sweep_seconds": sweep_seconds,
        "geosim_runs_per_second": runs / sweep_seconds,
        "ratio": mesa_seconds / sweep_seconds,
        "largest_difference_between_outcomes": worst,
        "running_cluster_seconds": warm_seconds,
        "running_cluster_runs_per_second": runs / warm_seconds,
        "running_cluster_ratio": mesa_seconds / warm_seconds,
        "running_cluster_same_runs": same,
    }


def sweep_on_a_running_cluster(spec: Path, workers: int, out: Path) -> float:
    """Seconds of the sweep through ``--scheduler`` to a local cluster started beforehand.

    The cluster is geosim's own (the same worker settings) but already running, as on a
    cluster a researcher keeps between sweeps; its workers import geosim during the sweep.
    """
    from sim.sweep.executor import dask_client

    with dask_client(workers, None) as client:
        began = time.perf_counter()
        run_sweep(load_sweep(spec), out, scheduler=client.scheduler.address, force=True)
        return time.perf_counter() - began


def scaling(args: argparse.Namespace, scratch: Path) -> list[dict]:
    """The sweep alone at growing numbers of runs, 200 replicates per sample as in the set."""
    rows = []
    for total in (int(s) for s in args.scales.split(",")):
        reps = 200
        spec = write_spec(scratch, total // reps, reps)
        seconds, peak = geosim_sweep(spec, args.workers, scratch / f"scale{total}")
        rows.append(
            {
                "runs": total,
                "seconds": seconds,
                "runs_per_second": total / seconds,
                "ms_per_run": 1000 * seconds / total,
                "peak_rss_mib": peak / 2**20,
            }
        )
        print(rows[-1], flush=True)
    return rows


def per_sample(args: argparse.Namespace, scratch: Path) -> list[dict]:
    """The sweep at 2,000 runs with few or many replicates per sample.

    Samples stack into computations of up to 256 replicates (``sim.core.batch``); with one
    replicate per sample, each run still compiles its own scenario.
    """
    rows = []
    for reps in (int(s) for s in args.per_sample.split(",")):
        spec = write_spec(scratch, 2000 // reps, reps)
        seconds, _ = geosim_sweep(spec, args.workers, scratch / f"reps{reps}")
        rows.append(
            {
                "replicates": reps,
                "runs": 2000,
                "seconds": seconds,
                "runs_per_second": 2000 / seconds,
            }
        )
        print(rows[-1], flush=True)
    return rows


def engine_alone(sizes: tuple[int, ...] = (1, 10, 50, 250, 1000)) -> list[dict]:
    """Runs/s of :func:`sim.core.engine.final_outcomes` in this process, by replicates per call."""
    from sim.core.compile import compile_world
    from sim.core.engine import final_outcomes
    from sim.scenario.loader import load_scenario

    world = compile_world(load_scenario("hub_and_spoke"))
    rows = []
    for size in sizes:
        final_outcomes(world, size)  # warm up
        calls = max(3, 500 // size)
        began = time.perf_counter()
        for _ in range(calls):
            final_outcomes(world, size)
        seconds = (time.perf_counter() - began) / calls
        rows.append(
            {"replicates": size, "ms_per_call": 1000 * seconds, "runs_per_second": size / seconds}
        )
        print(rows[-1], flush=True)
    return rows


def every_scenario(replicates: int = 250) -> list[dict]:
    """Runs/s of :func:`sim.core.engine.final_outcomes` on each shipped scenario (best of 3)."""
    from sim.core.compile import compile_world
    from sim.core.engine import final_outcomes
    from sim.scenario.loader import load_scenario, shipped_scenarios

    rows = []
    for name in shipped_scenarios():
        world = compile_world(load_scenario(name))
        final_outcomes(world, replicates)  # warm up
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            final_outcomes(world, replicates)
            best = min(best, time.perf_counter() - began)
        rows.append(
            {"scenario": name, "months": world.horizon, "runs_per_second": replicates / best}
        )
        print(rows[-1], flush=True)
    return rows


def decisions_cost(sizes: tuple[int, ...] = (1, 250)) -> list[dict]:
    """Runs/s of the engine on ``hub_and_spoke`` with the states deciding and on their script."""
    from sim.core.compile import compile_world
    from sim.core.engine import final_outcomes
    from sim.scenario.loader import load_scenario
    from sim.scenario.schema import Scenario

    shipped = load_scenario("hub_and_spoke")
    data = shipped.model_dump(mode="json", exclude_none=True)
    data["decisions"] = {"strategy": "scripted"}
    worlds = {
        "deciding": compile_world(shipped),
        "scripted": compile_world(Scenario.model_validate(data)),
    }
    rows = []
    for size in sizes:
        for label, world in worlds.items():
            final_outcomes(world, size)  # warm up
            calls = max(2, 100 // size)
            best = float("inf")
            for _ in range(calls):
                began = time.perf_counter()
                final_outcomes(world, size)
                best = min(best, time.perf_counter() - began)
            rows.append({"replicates": size, "states": label, "runs_per_second": size / best})
            print(rows[-1], flush=True)
    return rows


def threads_engine(sizes: tuple[int, ...] = (250, 500, 1000)) -> list[dict]:
    """Runs/s of :func:`sim.core.engine.simulate` in one thread and in its default threads."""
    from sim.core.compile import compile_world
    from sim.core.engine import simulate
    from sim.core.parallel import available_threads
    from sim.scenario.loader import load_scenario

    world = compile_world(load_scenario("hub_and_spoke"))
    cores = max(2, available_threads())  # two at least, so that there is something to compare
    simulate(world, 5, log=False)  # warm up
    rows = []
    for size in sizes:
        best = {1: float("inf"), cores: float("inf")}
        for _ in range(3):
            for threads in best:  # alternately, so that a drift of the machine hits both
                began = time.perf_counter()
                simulate(world, size, log=False, threads=threads)
                best[threads] = min(best[threads], time.perf_counter() - began)
        rows.append(
            {
                "replicates": size,
                "threads": cores,
                "one_thread_runs_per_second": size / best[1],
                "threaded_runs_per_second": size / best[cores],
            }
        )
        print(rows[-1], flush=True)
    return rows


def _outcomes_block(start: int) -> np.ndarray:
    """Regional tension of replicates ``start … start + 249`` of ``hub_and_spoke`` (a worker's)."""
    from sim.core.engine import final_outcomes

    return final_outcomes(_BLOCK_WORLD[0], np.arange(start, start + 250))["regional_tension"]


_BLOCK_WORLD: list = []


def _block_world() -> None:
    """Compile ``hub_and_spoke`` once in this process and run it once (the kernels load)."""
    from sim.core.compile import compile_world
    from sim.core.engine import final_outcomes
    from sim.scenario.loader import load_scenario

    os.environ["GEOSIM_THREADS"] = "1"
    _BLOCK_WORLD[:] = [compile_world(load_scenario("hub_and_spoke"))]
    final_outcomes(_BLOCK_WORLD[0], 5)


def threads_or_processes() -> dict:
    """Two blocks of 250 replicates' final outcomes: in turn, in two threads, in two processes."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    _block_world()
    starts = [0, 250]
    ways = {
        "one after the other": lambda: [_outcomes_block(s) for s in starts],
        "two threads": lambda: list(threads.map(_outcomes_block, starts)),
        "two processes": lambda: list(processes.map(_outcomes_block, starts)),
    }
    with (
        ThreadPoolExecutor(2) as threads,
        ProcessPoolExecutor(2, initializer=_block_world) as processes,
    ):
        for way in ways.values():
            way()  # warm up: the workers compile their world
        best = dict.fromkeys(ways, float("inf"))
        results = {}
        for _ in range(3):
            for name, way in ways.items():
                began = time.perf_counter()
                results[name] = way()
                best[name] = min(best[name], time.perf_counter() - began)
    first = results["one after the other"]
    assert all(
        np.array_equal(a, b) for got in results.values() for a, b in zip(first, got, strict=True)
    )
    report = {
        name: {"ms": 1000 * seconds, "runs_per_second": 500 / seconds}
        for name, seconds in best.items()
    }
    print(report, flush=True)
    return report


def print_tables(report: dict) -> None:
    """Print the report's sections as Markdown tables."""
    print(
        f"\nMachine: {report['machine']['cores']} cores, Python {report['machine']['python']}; "
        f"{report['workers']} worker processes each way.\n"
    )
    common = report.get("common")
    if common:
        runs = common["runs"]
        print("| approach | runs | seconds | runs/s |")
        print("|---|---:|---:|---:|")
        print(
            f"| mesa.batch_run (IndoPacificModel) | {runs:,} "
            f"| {common['mesa_batch_run_seconds']:.1f} | {common['mesa_runs_per_second']:.1f} |"
        )
        print(
            f"| geosim sweep (batched engine, Dask) | {runs:,} "
            f"| {common['geosim_sweep_seconds']:.1f} | {common['geosim_runs_per_second']:,.0f} |"
        )
        if "running_cluster_seconds" in common:
            print(
                f"| geosim sweep --scheduler (a running cluster) | {runs:,} "
                f"| {common['running_cluster_seconds']:.1f} "
                f"| {common['running_cluster_runs_per_second']:,.0f} |"
            )
        print(
            f"\nRatio: {common['ratio']:.0f}× ({common.get('running_cluster_ratio', 0):.0f}× on a "
            f"running cluster); largest difference between the two approaches' outcomes: "
            f"{common['largest_difference_between_outcomes']:.1e}"
        )
    print("\n| runs | seconds | runs/s | ms per run | peak RSS, driver + workers (MiB) |")
    print("|---:|---:|---:|---:|---:|")
    for row in report.get("scaling", []):
        print(
            f"| {row['runs']:,} | {row['seconds']:.1f} | {row['runs_per_second']:,.0f} "
            f"| {row['ms_per_run']:.2f} | {row['peak_rss_mib']:,.0f} |"
        )
    print("\n| replicates per sample | runs | seconds | runs/s |")
    print("|---:|---:|---:|---:|")
    for row in report.get("per_sample", []):
        print(
            f"| {row['replicates']} | {row['runs']:,} | {row['seconds']:.1f} "
            f"| {row['runs_per_second']:,.0f} |"
        )
    print("\n| replicates per engine call (one process) | ms per call | runs/s |")
    print("|---:|---:|---:|")
    for row in report.get("engine", []):
        print(
            f"| {row['replicates']:,} | {row['ms_per_call']:.1f} | {row['runs_per_second']:,.0f} |"
        )
    decisions = report.get("decisions", [])
    if decisions:
        print("\n| replicates per call | deciding: runs/s | on their script: runs/s | cost |")
        print("|---:|---:|---:|---:|")
        rate = {(row["replicates"], row["states"]): row["runs_per_second"] for row in decisions}
        for size in sorted({row["replicates"] for row in decisions}):
            on, off = rate[(size, "deciding")], rate[(size, "scripted")]
            print(f"| {size:,} | {on:,.0f} | {off:,.0f} | {off / on:.1f}× |")
    threads = report.get("threads", [])
    if threads:
        print("\n| replicates (simulate) | one thread: runs/s | threads | runs/s | gain |")
        print("|---:|---:|---:|---:|---:|")
        for row in threads:
            one, many = row["one_thread_runs_per_second"], row["threaded_runs_per_second"]
            print(
                f"| {row['replicates']:,} | {one:,.0f} | {row['threads']} | {many:,.0f} "
                f"| {many / one:.2f}× |"
            )
    ways = report.get("threads_or_processes")
    if ways:
        print("\n| two blocks of 250 replicates (final outcomes) | ms | runs/s | gain |")
        print("|---|---:|---:|---:|")
        base = ways["one after the other"]["ms"]
        for name, row in ways.items():
            print(
                f"| {name} | {row['ms']:,.0f} | {row['runs_per_second']:,.0f} "
                f"| {base / row['ms']:.2f}× |"
            )
    print("\n| scenario (engine alone, 250 replicates) | months | runs/s |")
    print("|---|---:|---:|")
    for row in report.get("scenarios", []):
        print(f"| `{row['scenario']}` | {row['months']} | {row['runs_per_second']:,.0f} |")


if __name__ == "__main__":
    main()
