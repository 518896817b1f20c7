"""Sweep throughput: Mesa's batch_run over the project's model versus ``geosim sweep``.

Run from the repository root (about ten minutes on a 2-core machine)::

    .venv/bin/python benchmarks/bench_sweep.py --out benchmarks/results

It does, in one process on one machine:

1. The same set of runs (``hub_and_spoke``, 120 months, all 17 countries, the same final-month
   outcomes) with (a) ``mesa.batch_run`` over :class:`sim.model.IndoPacificModel` and (b) the
   sweep runner on a local Dask cluster, both with one worker process per core. It checks that
   the two give the same numbers, then reports runs/s of each and their ratio.
2. The sweep alone at 1k, 10k and 100k runs: wall time per run and the peak resident memory of
   the driver plus its workers (sampled every 0.1 s).

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

from sim.runner import read_runs, run_sweep
from sim.sweep import apply_values, load_sweep

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

    from sim.model import IndoPacificModel
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
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="geosim-bench-"))
    report: dict = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "workers": args.workers,
    }

    # 1. The same runs both ways.
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
    runs = len(frame)
    report["common"] = {
        "runs": runs,
        "mesa_batch_run_seconds": mesa_seconds,
        "mesa_runs_per_second": runs / mesa_seconds,
        "geosim_sweep_seconds": sweep_seconds,
        "geosim_runs_per_second": runs / sweep_seconds,
        "ratio": mesa_seconds / sweep_seconds,
        "largest_difference_between_outcomes": worst,
    }

    # 2. Scaling of the sweep alone.
    report["scaling"] = []
    for total in (int(s) for s in args.scales.split(",")):
        reps = 50
        spec = write_spec(scratch, total // reps, reps)
        seconds, peak = geosim_sweep(spec, args.workers, scratch / f"scale{total}")
        report["scaling"].append(
            {
                "runs": total,
                "seconds": seconds,
                "runs_per_second": total / seconds,
                "ms_per_run": 1000 * seconds / total,
                "peak_rss_mib": peak / 2**20,
            }
        )
        print(report["scaling"][-1], flush=True)

    # 3. Replicates per sample: each sample is one array computation, so few replicates per
    # sample mean small arrays and more Python overhead per run.
    report["per_sample"] = []
    for reps in (int(s) for s in args.per_sample.split(",")):
        spec = write_spec(scratch, 2000 // reps, reps)
        seconds, _ = geosim_sweep(spec, args.workers, scratch / f"reps{reps}")
        report["per_sample"].append(
            {
                "replicates": reps,
                "runs": 2000,
                "seconds": seconds,
                "runs_per_second": 2000 / seconds,
            }
        )
        print(report["per_sample"][-1], flush=True)

    (args.out / "sweep_benchmark.json").write_text(json.dumps(report, indent=2) + "\n")
    common = report["common"]
    print()
    print(
        f"Machine: {report['machine']['cores']} cores, Python {report['machine']['python']}; "
        f"{args.workers} worker processes each way.\n"
    )
    print("| approach | runs | seconds | runs/s |")
    print("|---|---:|---:|---:|")
    print(
        f"| mesa.batch_run (IndoPacificModel) | {runs:,} | {common['mesa_batch_run_seconds']:.1f} "
        f"| {common['mesa_runs_per_second']:.1f} |"
    )
    print(
        f"| geosim sweep (batched engine, Dask) | {runs:,} | {common['geosim_sweep_seconds']:.1f} "
        f"| {common['geosim_runs_per_second']:,.0f} |"
    )
    print(
        f"\nRatio: {common['ratio']:.0f}×; largest difference between the two approaches' "
        f"outcomes: {common['largest_difference_between_outcomes']:.1e}\n"
    )
    print("| runs | seconds | runs/s | ms per run | peak RSS, driver + workers (MiB) |")
    print("|---:|---:|---:|---:|---:|")
    for row in report["scaling"]:
        print(
            f"| {row['runs']:,} | {row['seconds']:.1f} | {row['runs_per_second']:,.0f} "
            f"| {row['ms_per_run']:.2f} | {row['peak_rss_mib']:,.0f} |"
        )


if __name__ == "__main__":
    main()
