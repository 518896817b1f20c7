"""Calibration: the fitted defaults, the code path on a tiny budget, identifiability."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.optimize import minimize_scalar

from sim.scenario import Scenario
from sim.scenario.parameters import JUDGEMENT_DEFAULTS, Parameters, provenance
from sim.scenario.resources import calibration_file
from sim.studies import backtest as bt
from sim.studies.calibrate import COEFFICIENTS, calibrate, write


def test_shipped_defaults_are_the_calibrated_values_and_say_so() -> None:
    data = yaml.safe_load(calibration_file().read_text())
    params = Parameters()
    rows = {row["path"]: row for row in provenance(params)}
    for group, name, (low, high) in COEFFICIENTS:
        value = data["coefficients"][f"{group}.{name}"]["value"]
        assert getattr(getattr(params, group), name) == value
        assert low <= value <= high
        row = rows[f"parameters.{group}.{name}"]
        assert row["source"].startswith("calibrated (backtest 2015–2019)")
        assert not row["free"]
    assert set(JUDGEMENT_DEFAULTS) == {f"{g}.{n}" for g, n, _ in COEFFICIENTS}
    fit = data["rmse"]["out_of_sample_2019_2023"]
    assert {"calibrated", "judgement", "persistence"} <= set(fit)


def test_the_calibration_path_runs_on_a_tiny_budget(tmp_path: Path) -> None:
    result = calibrate(replicates=2, maxiter=1, popsize=2, seed=1)
    assert result.evaluations >= 2 * len(COEFFICIENTS)
    for group, name, (low, high) in COEFFICIENTS:
        assert low <= result.values[f"{group}.{name}"] <= high
    target = tmp_path / "calibration.yaml"
    write(result, target)
    written = yaml.safe_load(target.read_text())
    assert set(written["coefficients"]) == set(result.values)
    assert written["rmse"] == result.fit


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
