"""Golden snapshot of every number the shipped scenarios and one shipped sweep produce.

A refactoring that claims to change no number is checked against this snapshot: for every
shipped scenario, the final outcomes of 40 replicates (the sweep engine's fast path), every
month of 6 logged replicates (the recorded path, with its event log and CSV tables), and 24
months of the Mesa model; and the design and run tables of the ``sea_funding_grid`` sweep.
Each array is stored as a SHA-256 digest of its bytes (bit-for-bit) and, for a reader of a
failure, its mean.

Regenerate it only when a change is meant to move numbers::

    .venv/bin/python tests/golden.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

SNAPSHOT = Path(__file__).resolve().parent / "golden_snapshot.json"
#: Replicates of the fast path and of the recorded path.
FINAL_REPLICATES, LOGGED_REPLICATES = 40, 6
#: Months the Mesa model is stepped.
MODEL_MONTHS = 24
#: The sweep whose Parquet tables are kept.
SWEEP = "sea_funding_grid"
#: Columns of a sweep's runs table that describe the machine, not the results.
MACHINE_COLUMNS = ("elapsed_s", "worker")


def digest(value: Any) -> dict[str, Any]:
    """SHA-256 of an array's dtype, shape and bytes, with its mean (or of text)."""
    if isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        return {"sha256": hashlib.sha256(raw).hexdigest()}
    array = np.ascontiguousarray(value)
    hasher = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    hasher.update(array.tobytes())
    mean = float(array.astype(float).mean()) if array.size else 0.0
    return {"sha256": hasher.hexdigest(), "mean": mean}


def platform_fingerprint() -> str:
    """Digest of NumPy's transcendental functions and BLAS on fixed inputs.

    Their last bits depend on the CPU family (SIMD kernels); a snapshot is bit-for-bit
    comparable only on a machine that reproduces this digest.
    """
    x = np.linspace(-3.0, 3.0, 4097)
    m = np.sin(np.arange(289.0)).reshape(17, 17)
    parts = (np.exp(x), np.log1p(np.abs(x)), np.expm1(x), np.tanh(x), np.cos(x), m @ m)
    return hashlib.sha256(b"".join(p.tobytes() for p in parts)).hexdigest()


def _events_text(events: list[Any]) -> str:
    """The events' shared ``events.jsonl`` keys, one JSON object a line."""
    keys = ("replicate", "step", "type", "actors", "level", "cause")
    return "\n".join(json.dumps({k: e.to_json()[k] for k in keys}) for e in events)


def scenario_snapshot(name: str) -> dict[str, Any]:
    """Every number of one shipped scenario (see the module docstring)."""
    from sim.core.compile import compile_world
    from sim.core.engine import final_outcomes, simulate
    from sim.core.model import IndoPacificModel
    from sim.outputs.writers import country_table, dyad_table, model_table
    from sim.scenario import load_scenario

    definition = load_scenario(name)
    world = compile_world(definition)
    record: dict[str, Any] = {}
    outcomes = final_outcomes(world, FINAL_REPLICATES)
    record["final_outcomes"] = {key: digest(values) for key, values in sorted(outcomes.items())}
    run = simulate(world, LOGGED_REPLICATES, log=True)
    logged: dict[str, Any] = {}
    for key, values in sorted(run.model.items()):
        logged[f"model.{key}"] = digest(values)
    for key, values in sorted(run.countries.items()):
        logged[f"countries.{key}"] = digest(values)
    for key in ("tension", "level", "credibility", "interoperability", "commitment", "max_level"):
        logged[key] = digest(getattr(run, key))
    logged["events"] = digest(_events_text(run.events))
    logged["events.count"] = len(run.events)
    for table, writer in (
        ("model", model_table),
        ("countries", country_table),
        ("dyads", dyad_table),
    ):
        logged[f"{table}.csv"] = digest(writer(run).to_csv(index=False, float_format="%.6g"))
    record["logged"] = logged
    model = IndoPacificModel(definition)
    for _ in range(MODEL_MONTHS):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    record["mesa_model"] = {column: digest(frame[column].to_numpy()) for column in frame}
    record["mesa_model"]["events"] = digest(_events_text(model.events))
    return record


def sweep_snapshot() -> dict[str, Any]:
    """The design and runs tables of :data:`SWEEP`, run in this process."""
    import pandas as pd

    from sim.sweep.executor import run_sweep
    from sim.sweep.spec import load_sweep
    from sim.sweep.store import read_runs

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / SWEEP
        run_sweep(load_sweep(SWEEP), out, workers=0)
        runs = read_runs(out).drop(columns=list(MACHINE_COLUMNS))
        design = pd.read_parquet(out / "design.parquet")
    return {
        "runs.rows": len(runs),
        "runs": digest(runs.to_csv(index=False, float_format="%.17g")),
        "design": digest(design.to_csv(index=False, float_format="%.17g")),
    }


def snapshot() -> dict[str, Any]:
    """The whole snapshot: every shipped scenario and the sweep."""
    from sim.scenario import shipped_scenarios

    return {
        "platform": platform_fingerprint(),
        "scenarios": {name: scenario_snapshot(name) for name in shipped_scenarios()},
        "sweep": {SWEEP: sweep_snapshot()},
    }


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Paths at which two snapshots differ, with both means where there are means."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if "sha256" in expected and "sha256" in actual:
            if expected["sha256"] == actual["sha256"]:
                return []
            means = ""
            if "mean" in expected and "mean" in actual:
                means = f" (mean {expected['mean']!r} → {actual['mean']!r})"
            return [f"{path}{means}"]
        found = []
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append(f"{where}: missing now")
            elif key not in expected:
                found.append(f"{where}: new")
            else:
                found += differences(expected[key], actual[key], where)
        return found
    return [] if expected == actual else [f"{path}: {expected!r} → {actual!r}"]


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/golden.py --write")
    SNAPSHOT.write_text(json.dumps(snapshot(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT}")
