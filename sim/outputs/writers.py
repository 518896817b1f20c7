"""Run outputs: tables, summary, resolved scenario and plots, written atomically.

The output contract (other commands and users rely on it):

- ``model.csv``: ``replicate, step`` then the model metrics;
- ``countries.csv``: ``replicate, step, country`` then the country metrics;
- ``dyads.csv``: ``replicate, step, a, b, tension, level, weight, contribution`` (``a < b``;
  the contributions of a month sum to its regional tension);
- ``events.jsonl``: one object per event: ``replicate, step, type, actors, level, cause``, then
  the fields of its record type (:mod:`sim.core.records`);
- ``summary.json``: run identity and final-month ``mean``/``p05``/``p95`` of every metric;
- ``scenario.resolved.yaml`` and ``plots/tension.png``, ``plots/alignment.png``.

A comparison folder holds one such run folder per scenario plus ``compare.csv``,
``outcomes.csv``, ``summary.json``, ``plots/`` and ``report.html``. A sweep's analysis goes
into ``analysis/`` of its folder (:func:`write_analysis`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.core.engine import Trajectory
from sim.core.metrics import COUNTRY_METRICS, MODEL_METRICS
from sim.folders import STAGING, disk_error
from sim.outputs import plots
from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.schema import Scenario
from sim.studies.compare import Comparison, compare_table, outcome_table

if TYPE_CHECKING:
    # The name only: sim.sweep.analysis loads pyarrow (the 'sweep' extra), which a run's
    # outputs must not need; an analysis reaches write_analysis already made.
    from sim.sweep.analysis import Analysis


def config_hash(scenario: Scenario) -> str:
    """SHA-256 (first 16 hex digits) of the resolved scenario's canonical JSON."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


#: How every float of the CSV tables is written: six significant digits.
FLOAT_FORMAT = "%.6g"


def replicate_order(trajectory: Trajectory) -> np.ndarray:
    """Positions of the replicates in the order of their indices: the tables' row order.

    A run's replicate indices are distinct (``simulate`` draws each replicate's stream from its
    index, so a repeated index would repeat a run); a repeated one's rows come one run after
    the other.
    """
    return np.argsort(trajectory.replicates, kind="stable")


def model_columns(trajectory: Trajectory, k: int) -> dict[str, np.ndarray]:
    """The ``model.csv`` rows of the replicate at position ``k``: one per month."""
    steps = trajectory.tension.shape[0]
    columns = {
        "replicate": np.full(steps, trajectory.replicates[k]),
        "step": np.arange(steps),
    }
    columns.update({name: trajectory.model[name][:, k] for name in MODEL_METRICS})
    return columns


def country_columns(trajectory: Trajectory, k: int) -> dict[str, np.ndarray]:
    """The ``countries.csv`` rows of the replicate at position ``k``: month by country."""
    steps, _, n = trajectory.countries["alignment"].shape
    columns = {
        "replicate": np.full(steps * n, trajectory.replicates[k]),
        "step": np.repeat(np.arange(steps), n),
        "country": np.tile(np.array(trajectory.world.codes), steps),
    }
    columns.update({name: trajectory.countries[name][:, k].reshape(-1) for name in COUNTRY_METRICS})
    return columns


def dyad_columns(trajectory: Trajectory, k: int) -> dict[str, np.ndarray]:
    """The ``dyads.csv`` rows of the replicate at position ``k``: month by dyad (``a < b``).

    ``weight`` is the dyad's weight in the regional tension index (``docs/model.md`` §6) and
    ``contribution`` its weighted tension: a month's contributions sum to its regional tension.
    """
    world = trajectory.world
    steps, reps, d = trajectory.tension.shape
    codes = np.array(world.codes)
    a, b = codes[world.dyad_i], codes[world.dyad_j]
    swap = a > b  # order each dyad's codes alphabetically
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    weight = np.broadcast_to(world.salience, (steps, reps, d))[:, k]
    tension = trajectory.tension[:, k]
    return {
        "replicate": np.full(steps * d, trajectory.replicates[k]),
        "step": np.repeat(np.arange(steps), d),
        "a": np.tile(a, steps),
        "b": np.tile(b, steps),
        "tension": tension.reshape(-1),
        "level": trajectory.level[:, k].reshape(-1).astype(int),
        "weight": weight.reshape(-1),
        "contribution": (tension * weight).reshape(-1),
    }


Columns = Callable[[Trajectory, int], dict[str, np.ndarray]]


def table(trajectory: Trajectory, columns: Columns) -> pd.DataFrame:
    """A whole table as a frame: the rows of every replicate, in :func:`replicate_order`."""
    blocks = [columns(trajectory, k) for k in replicate_order(trajectory)]
    return pd.DataFrame({name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]})


def model_table(trajectory: Trajectory) -> pd.DataFrame:
    """Model metrics, one row per replicate and month."""
    return table(trajectory, model_columns)


def country_table(trajectory: Trajectory) -> pd.DataFrame:
    """Country metrics, one row per replicate, month and country."""
    return table(trajectory, country_columns)


def dyad_table(trajectory: Trajectory) -> pd.DataFrame:
    """Dyad tension and escalation level, one row per replicate, month and dyad.

    See :func:`dyad_columns` for ``weight`` and ``contribution``.
    """
    return table(trajectory, dyad_columns)


def csv_rows(columns: dict[str, np.ndarray]) -> str:
    """CSV text of rows, as ``to_csv(index=False, float_format=FLOAT_FORMAT)`` writes a frame.

    Integers as integers, floats with :data:`FLOAT_FORMAT` (a missing value as an empty field),
    anything else as its text, unquoted (the tables' text fields are country codes); formatted a
    whole row at a time, without building a frame. Lines end with a line feed on every platform.
    """
    formats, values = [], []
    for column in columns.values():
        if column.dtype.kind == "f" and np.isnan(column).any():
            formats.append("%s")
            values.append(["" if v != v else FLOAT_FORMAT % v for v in column.tolist()])
        else:
            kind = {"f": FLOAT_FORMAT, "i": "%d", "u": "%d"}.get(column.dtype.kind, "%s")
            formats.append(kind)
            values.append(column.tolist())
    line = ",".join(formats) + "\n"
    return "".join(map(line.__mod__, zip(*values, strict=True)))


def write_table(path: Path, trajectory: Trajectory, columns: Columns) -> None:
    """Write a table as CSV one replicate at a time, so memory stays flat with the replicates.

    The text is that of :func:`table`'s frame written by ``to_csv(index=False,
    float_format=FLOAT_FORMAT)``, about ten times faster.
    """
    order = replicate_order(trajectory)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(columns(trajectory, int(order[0]))) + "\n")
        for k in order:
            fh.write(csv_rows(columns(trajectory, int(k))))


def _band(values: np.ndarray) -> dict[str, float]:
    return {
        "mean": float(np.mean(values)),
        "p05": float(np.quantile(values, 0.05)),
        "p95": float(np.quantile(values, 0.95)),
    }


def escalation_outcomes(trajectory: Trajectory) -> dict[str, float]:
    """Share of replicates in which any dyad reached each rung of the ladder."""
    reached = trajectory.max_level.max(axis=1)
    return {level: float(np.mean(reached >= i + 1)) for i, level in enumerate(ESCALATION_LEVELS)}


def summary(trajectory: Trajectory, scenario: Scenario) -> dict[str, Any]:
    """Run identity plus final-month distribution of every metric."""
    world = trajectory.world
    return {
        "scenario": scenario.name,
        "seed": trajectory.seed,
        "replicates": len(trajectory.replicates),
        "horizon": trajectory.horizon,
        "config_hash": config_hash(scenario),
        "version": __version__,
        "final": {
            "model": {name: _band(trajectory.model[name][-1]) for name in MODEL_METRICS},
            "countries": {
                code: {
                    name: _band(trajectory.countries[name][-1, :, i]) for name in COUNTRY_METRICS
                }
                for i, code in enumerate(world.codes)
            },
        },
        "escalation_reached": escalation_outcomes(trajectory),
        "tension_by_dyad": tension_by_dyad(trajectory),
    }


def tension_by_dyad(trajectory: Trajectory, top: int = 10) -> list[dict[str, Any]]:
    """Where the final month's regional tension comes from: the dyads that carry most of it.

    Each entry: the pair, its weight in the index, its mean final tension and its mean
    contribution, with the contribution's share of the index; the ``top`` largest.
    """
    world = trajectory.world
    tension = trajectory.tension[-1].mean(axis=0)  # (D,)
    weight = np.broadcast_to(world.salience, trajectory.tension.shape[1:]).mean(axis=0)
    contribution = (trajectory.tension[-1] * world.salience).mean(axis=0)
    total = contribution.sum()
    order = np.argsort(-contribution, kind="stable")[:top]
    return [
        {
            "pair": [world.codes[world.dyad_i[d]], world.codes[world.dyad_j[d]]],
            "weight": round(float(weight[d]), 6),
            "tension": round(float(tension[d]), 6),
            "contribution": round(float(contribution[d]), 6),
            "share": round(float(contribution[d] / total), 6) if total > 0 else 0.0,
        }
        for d in order
    ]


def write_run(
    directory: Path,
    trajectory: Trajectory,
    scenario: Scenario,
    resolved_yaml: str,
    parent_yaml: str | None = None,
) -> None:
    """Write every file of the output contract into ``directory`` (which must exist).

    ``parent_yaml``, the resolved parent scenario, is kept as ``parent.resolved.yaml`` so that
    a report can say what the scenario changes.
    """
    write_table(directory / "model.csv", trajectory, model_columns)
    write_table(directory / "countries.csv", trajectory, country_columns)
    write_table(directory / "dyads.csv", trajectory, dyad_columns)
    with (directory / "events.jsonl").open("w", encoding="utf-8") as fh:
        for event in trajectory.events:
            fh.write(json.dumps(event.to_json()) + "\n")
    (directory / "summary.json").write_text(
        json.dumps(summary(trajectory, scenario), indent=2) + "\n", encoding="utf-8"
    )
    (directory / "scenario.resolved.yaml").write_text(resolved_yaml, encoding="utf-8")
    if parent_yaml is not None:
        (directory / "parent.resolved.yaml").write_text(parent_yaml, encoding="utf-8")
    plot_dir = directory / "plots"
    plot_dir.mkdir()
    plots.tension_plot(trajectory, plot_dir / "tension.png")
    plots.alignment_plot(trajectory, plot_dir / "alignment.png")


def comparison_summary(comparison: Comparison) -> dict[str, Any]:
    """Identity of a comparison and its outcome table, as JSON-ready data."""
    table = outcome_table(comparison)
    return {
        "scenarios": comparison.names,
        "reference": comparison.reference,
        "seed": comparison.seed,
        "replicates": len(comparison.trajectories[comparison.reference].replicates),
        "horizon": comparison.trajectories[comparison.reference].horizon,
        "common_random_numbers": True,
        # None: every replicate ran the scenarios' own coefficients (--fixed-parameters).
        "parameter_sets": None if comparison.coefficients is None else len(comparison.coefficients),
        "config_hashes": {s.name: config_hash(s) for s in comparison.scenarios},
        "version": __version__,
        "outcomes": json.loads(table.to_json(orient="records")),
    }


def write_comparison(
    directory: Path,
    comparison: Comparison,
    resolved: dict[str, str],
    parents: dict[str, str | None] | None = None,
) -> None:
    """Write a comparison: per-scenario run folders, tables, summary and plots.

    Args:
        directory: An existing, empty directory.
        comparison: The ensembles.
        resolved: Resolved YAML text per scenario name.
        parents: Resolved YAML of each scenario's parent (None where it extends nothing).
    """
    parents = parents or {}
    for definition in comparison.scenarios:
        name = definition.name
        sub = directory / name
        sub.mkdir()
        trajectory = comparison.trajectories[name]
        write_run(sub, trajectory, definition, resolved[name], parents.get(name))
    compare_table(comparison).to_csv(directory / "compare.csv", index=False, float_format="%.6g")
    if comparison.coefficients is not None:  # the drawn coefficients, and who ran which
        sets = pd.DataFrame(comparison.coefficients).rename_axis("set").reset_index()
        sets.to_csv(directory / "coefficient_sets.csv", index=False, float_format="%.10g")
        replicates = comparison.trajectories[comparison.reference].replicates
        pd.DataFrame({"replicate": replicates, "set": comparison.sets}).sort_values(
            "replicate"
        ).to_csv(directory / "replicate_sets.csv", index=False)
    outcome_table(comparison).to_csv(directory / "outcomes.csv", index=False, float_format="%.6g")
    (directory / "summary.json").write_text(
        json.dumps(comparison_summary(comparison), indent=2) + "\n", encoding="utf-8"
    )
    plots.comparison_plots(comparison, directory / "plots")


def write_analysis(out: Path, result: Analysis) -> list[Path]:
    """Write the table (CSV), the summary (JSON) and the plot (PNG + SVG) under ``out/analysis``.

    The files are made in a hidden folder first and moved into ``analysis/`` together, so a
    failed write (a full or read-only disk) leaves the analyses already there as they were.

    Returns:
        The files written.

    Raises:
        OutputError: Naming the path and what failed.
    """
    folder = out / "analysis"
    stem = f"{result.method}_{result.outcome}".replace(".", "_")
    try:
        folder.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=STAGING, dir=folder) as scratch:
            staging = Path(scratch)
            made = [staging / f"{stem}.csv", staging / f"{stem}.json"]
            result.table.to_csv(made[0], index=False)
            made[1].write_text(json.dumps(result.summary, indent=2, default=str) + "\n")
            if result.method == "prim":
                made += plots.plot_prim(result, staging / stem)
            elif result.method == "main_effects":
                made += plots.plot_main_effects(result, staging / stem)
            else:
                made += plots.plot_indices(result, staging / stem)
            written = []
            for path in made:
                os.replace(path, folder / path.name)
                written.append(folder / path.name)
    except OSError as exc:
        raise disk_error("write", folder, exc) from None
    return written
