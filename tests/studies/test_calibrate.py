"""Calibration: the fitted defaults, their identifiability, the code path on a tiny budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from scipy.optimize import minimize_scalar

from sim.cli import main
from sim.outputs.explain import explain
from sim.scenario import Scenario, load_scenario
from sim.scenario.parameters import JUDGEMENT_DEFAULTS, Parameters, provenance
from sim.scenario.resources import calibration_file
from sim.studies import backtest as bt
from sim.studies.calibrate import COEFFICIENTS, budget, calibrate, objective, write


def test_shipped_defaults_are_the_identified_fitted_values_and_say_so() -> None:
    data = yaml.safe_load(calibration_file().read_text())
    params = Parameters()
    rows = {row["path"]: row for row in provenance(params)}
    for group, name, (low, high) in COEFFICIENTS:
        entry = data["coefficients"][f"{group}.{name}"]
        assert low <= entry["fitted"] <= high
        row = rows[f"parameters.{group}.{name}"]
        if entry["identified"] and entry["optimum"] not in ("lower bound", "upper bound"):
            assert getattr(getattr(params, group), name) == entry["fitted"]
            assert row["source"].startswith("calibrated (backtest 2015–2019)")
            assert not row["free"]
        else:  # not identified, or pushed to a bound of its plausible range: judgement kept
            assert getattr(getattr(params, group), name) == entry["judgement"]
            assert row["free"] and row["source"] == "free coefficient"
            reason = (
                "not identified" if not entry["identified"] else "(a boundary, not an estimate)"
            )
            assert reason in row["why"], row["why"]
    assert set(JUDGEMENT_DEFAULTS) == {f"{g}.{n}" for g, n, _ in COEFFICIENTS}
    fit = data["rmse"]["out_of_sample_2019_2023"]
    assert {"calibrated", "judgement", "persistence"} <= set(fit)


def test_the_shipped_calibration_records_each_coefficient_s_profile() -> None:
    data = yaml.safe_load(calibration_file().read_text())
    precision = data["identifiability"]
    assert precision["deterministic"] is True
    assert precision["threshold"] >= 0.01 * precision["optimum_rmse"]
    for name, entry in data["coefficients"].items():
        grid, rmse = entry["profile"]["grid"], entry["profile"]["rmse"]
        assert len(grid) == len(rmse) >= 3, name
        assert grid[0] == entry["bounds"][0] and grid[-1] == entry["bounds"][1], name
        assert entry["fitted"] in grid, name
        assert {"curvature", "slope", "relative_range", "optimum", "indifferent"} <= set(entry)
        rise = max(rmse) - rmse[grid.index(entry["fitted"])]
        assert entry["identified"] == (rise > precision["threshold"]), name


def test_every_coefficient_explain_calls_calibrated_is_identified() -> None:
    data = yaml.safe_load(calibration_file().read_text())["coefficients"]
    text = explain(load_scenario("hub_and_spoke"))
    flagged = {
        line.split()[0].removeprefix("parameters.")
        for line in text.splitlines()
        if "[calibrated]" in line
    }
    estimated = {
        name
        for name, entry in data.items()
        if entry["identified"] and entry["optimum"] not in ("lower bound", "upper bound")
    }
    assert flagged == estimated  # exactly the identified interior optima; none may be shipped
    for name in set(data) - estimated:  # shipped at their judgement values
        assert f"parameters.{name} = {data[name]['judgement']}" in text


def test_the_calibration_path_runs_on_a_tiny_budget(tmp_path: Path) -> None:
    evaluations = []
    result = calibrate(
        replicates=2, maxiter=1, popsize=2, seed=1, points=3, noise_seeds=1,
        progress=evaluations.append,
    )  # fmt: skip
    assert result.evaluations == len(evaluations) <= budget(1, 2, 3, 1)
    for group, name, (low, high) in COEFFICIENTS:
        key = f"{group}.{name}"
        assert low <= result.values[key] <= high
        assert result.profiles[key].grid[0] == low and result.profiles[key].grid[-1] == high
        kept = result.values[key] if result.estimated(key) else JUDGEMENT_DEFAULTS[key]
        assert result.estimated(key) == (
            result.profiles[key].identified
            and result.profiles[key].optimum not in ("lower bound", "upper bound")
        )
        assert result.defaults[key] == kept
    assert result.precision["threshold"] >= 0.01 * result.precision["optimum"]
    target = tmp_path / "calibration.yaml"
    write(result, target)
    written = yaml.safe_load(target.read_text())
    assert set(written["coefficients"]) == set(result.values)
    assert written["rmse"] == result.fit
    for name, entry in written["coefficients"].items():
        assert entry["identified"] == result.profiles[name].identified


def test_the_objective_is_deterministic_so_a_flat_profile_is_not_noise() -> None:
    theta = np.array([JUDGEMENT_DEFAULTS[f"{g}.{n}"] for g, n, _ in COEFFICIENTS])
    first = objective(theta, replicates=2, seed=5)
    assert objective(theta, replicates=2, seed=5) == first
    assert objective(theta, replicates=2, seed=6) != first


def test_fitting_recovers_a_rate_the_model_itself_generated() -> None:
    """Identifiability: data made by the model with a known rate give that rate back."""
    data = bt.truncate(bt.history_from(2015), bt.months_of(2019).stop)

    def alignment_2019(rate: float) -> dict[str, float]:
        scenario = Scenario.model_validate(
            {**data, "parameters": {"alignment": {"rate": rate}}}, strict=True
        )
        return bt.simulated_alignment(scenario, 2019, 2015, replicates=8, seed=3)[0]

    truth = alignment_2019(0.04)

    def error(rate: float) -> float:
        simulated = alignment_2019(rate)
        return float(np.sqrt(np.mean([(simulated[c] - truth[c]) ** 2 for c in bt.SCORED])))

    fit = minimize_scalar(error, bounds=(0.005, 0.08), method="bounded", options={"xatol": 1e-3})
    assert fit.x == pytest.approx(0.04, abs=0.004)
    assert error(0.02) > 10 * max(fit.fun, 1e-6)


def test_the_command_prints_the_identifiability_table_and_writes_nothing_on_a_dry_run() -> None:
    before = calibration_file().read_bytes()
    args = ["calibrate", "-n", "2", "--maxiter", "1", "--popsize", "2", "--points", "3"]
    result = CliRunner().invoke(main, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "| coefficient | fitted | profile range / optimum | curvature |" in result.output
    assert "identified when a profile rises by more than" in result.output
    for group, name, _ in COEFFICIENTS:
        assert f"| `{group}.{name}` |" in result.output
    assert "| flat | 0–6 | no |" in result.output  # the economic weight, at any budget
    assert calibration_file().read_bytes() == before
