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
from sim.studies.calibrate import (
    COEFFICIENTS,
    TARGETS,
    Refit,
    bracket,
    budget,
    calibrate,
    estimated,
    frequencies,
    frequency_loss,
    objective,
    plausible,
    refit,
    write,
)
from sim.studies.identifiability import Profile


def test_shipped_defaults_are_the_identified_fitted_values_and_say_so() -> None:
    data = yaml.safe_load(calibration_file().read_text())
    params = Parameters()
    rows = {row["path"]: row for row in provenance(params)}
    for group, name, (low, high) in COEFFICIENTS:
        entry = data["coefficients"][f"{group}.{name}"]
        assert low <= entry["fitted"] <= high
        row = rows[f"parameters.{group}.{name}"]
        target = data["targets"][entry["target"]]
        if entry["identified"] and entry["optimum"] == "interior":
            assert getattr(getattr(params, group), name) == entry["fitted"]
            assert row["source"].startswith(f"calibrated ({target['label']})")
            assert list(row["plausible"]) == entry["plausible"]
            assert entry["plausible"][0] <= entry["fitted"] <= entry["plausible"][1]
            assert not row["free"]
        else:  # not identified, or at or open towards a bound: judgement kept
            assert getattr(getattr(params, group), name) == entry["judgement"]
            assert row["free"] and row["source"] == "free coefficient"
            reason = "not identified" if not entry["identified"] else "a limit, not an estimate"
            assert reason in row["why"], row["why"]
    assert set(JUDGEMENT_DEFAULTS) == {f"{g}.{n}" for g, n, _ in COEFFICIENTS}
    assert set(data["targets"]) == set(TARGETS)
    for target in data["targets"].values():
        fit = target["scores"]["out_of_sample"]
        assert {"window", "calibrated", "judgement", "baseline"} <= set(fit)


def test_the_shipped_calibration_records_each_coefficient_s_profile() -> None:
    data = yaml.safe_load(calibration_file().read_text())
    for name, entry in data["coefficients"].items():
        precision = data["targets"][entry["target"]]["identifiability"]
        assert precision["deterministic"] is True
        assert precision["threshold"] >= 0.01 * precision["optimum"]
        joint = entry["joint"]
        grid, rmse = joint["profile"]["grid"], joint["profile"]["loss"]
        assert len(grid) == len(rmse) >= 3, name
        assert grid[0] == entry["bounds"][0] and grid[-1] == entry["bounds"][1], name
        assert joint["fitted"] in grid, name
        assert {"curvature", "slope", "optimum", "indifferent"} <= set(joint)
        rise = max(rmse) - rmse[grid.index(joint["fitted"])]
        assert joint["identified"] == (rise > precision["threshold"]), name
        if "refit" in entry:  # refitted only where the joint fit estimates it
            assert joint["identified"] and joint["optimum"] == "interior", name
            refit = entry["refit"]
            assert len(refit["grid"]) == len(refit["loss"]) == len(refit["se"]), name
            assert entry["fitted"] == refit["grid"][refit["loss"].index(min(refit["loss"]))]
            low, high = entry["plausible"]
            assert low <= entry["indifferent"][0] <= entry["fitted"] <= entry["indifferent"][1]
            assert entry["indifferent"][1] <= high, name
        else:
            assert entry["fitted"] == joint["fitted"] and "plausible" not in entry, name


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
        if entry["identified"] and entry["optimum"] == "interior"
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
    for group, name, (low, high) in TARGETS["alignment"].coefficients:
        key = f"{group}.{name}"
        assert low <= result.values[key] <= high
        assert result.profiles[key].grid[0] == low and result.profiles[key].grid[-1] == high
        refit = result.refits.get(key)
        kept = refit.fitted if result.estimated(key) else JUDGEMENT_DEFAULTS[key]
        assert (refit is not None) == (
            result.profiles[key].identified and result.profiles[key].optimum == "interior"
        )
        assert result.estimated(key) == (
            refit is not None and refit.identified and refit.optimum == "interior"
        )
        assert result.defaults[key] == kept
    assert result.precision["threshold"] >= 0.01 * result.precision["optimum"]
    target = tmp_path / "calibration.yaml"
    write(result, target)
    written = yaml.safe_load(target.read_text())
    assert set(written["coefficients"]) == set(result.values)
    assert written["targets"]["alignment"]["scores"] == result.fit
    for name, entry in written["coefficients"].items():
        assert entry["identified"] == result.profiles[name].identified
        assert entry["target"] == "alignment"


def test_the_incident_target_fits_on_the_record_and_is_written_beside_the_other(
    tmp_path: Path,
) -> None:
    result = calibrate(
        target="incidents", replicates=2, maxiter=1, popsize=2, seed=1, points=3, noise_seeds=1
    )
    assert set(result.values) == {f"{g}.{n}" for g, n, _ in TARGETS["incidents"].coefficients}
    assert result.fit["out_of_sample"]["window"] == "2020-2024"
    # the naive forecast is each dyad's own frequencies: it does not depend on the model
    assert result.fit["out_of_sample"]["baseline"] == pytest.approx(
        frequency_loss(range(2020, 2025)), abs=1e-4
    )
    target = tmp_path / "calibration.yaml"
    target.write_text(
        yaml.safe_dump(
            {"targets": {"alignment": {"label": "kept"}}, "coefficients": {"alignment.rate": {
                "target": "alignment", "fitted": 0.01}}}
        )
    )  # fmt: skip
    write(result, target)
    written = yaml.safe_load(target.read_text())
    assert written["targets"]["alignment"] == {"label": "kept"}  # the other target is kept
    assert written["coefficients"]["alignment.rate"]["fitted"] == 0.01
    assert written["targets"]["incidents"]["scores"] == result.fit
    assert {n for n, e in written["coefficients"].items() if e["target"] == "incidents"} == set(
        result.values
    )


def test_a_fit_from_2013_scores_six_years_and_says_so(tmp_path: Path) -> None:
    result = calibrate(
        target="incidents", replicates=2, maxiter=1, popsize=2, seed=1, points=3, noise_seeds=1,
        start=2013,
    )  # fmt: skip
    assert result.settings["fit_window"] == [2013, 2019]
    assert result.fit["in_sample"]["window"] == "2014-2019"
    assert result.fit["in_sample"]["baseline"] == pytest.approx(
        frequency_loss(range(2014, 2020)), abs=1e-4
    )
    assert "in 2014-2019, from 2013" in result.settings["objective"]
    target = tmp_path / "calibration.yaml"
    write(result, target)
    label = yaml.safe_load(target.read_text())["targets"]["incidents"]["label"]
    assert label == "incidents, the record's dispute dyad-years 2014–2019"
    assert (
        TARGETS["alignment"].describe()
        == "alignment 2015–2019 against the security-alignment index"
    )
    with pytest.raises(ValueError, match="starts in one of"):
        calibrate(target="incidents", replicates=2, maxiter=1, popsize=2, start=2019)


def test_the_alignment_fit_from_2013_is_tested_on_2013_to_2019() -> None:
    result = calibrate(
        target="alignment", replicates=2, maxiter=1, popsize=2, seed=1, points=3, noise_seeds=1,
        start=2013,
    )  # fmt: skip
    inside = result.fit["in_sample"]
    assert inside["window"] == "2013-2019"
    persistence = bt.backtest(2013, 2019, replicates=2).scores["persistence"].rmse
    assert inside["baseline"] == round(persistence, 4)  # the 2013 index carried to 2019
    assert persistence != bt.backtest(2015, 2019, replicates=2).scores["persistence"].rmse


def test_a_refit_on_its_own_scores_the_window_it_is_given() -> None:
    values = {n: JUDGEMENT_DEFAULTS[n] for n in TARGETS["incidents"].names()}
    kwargs = {"replicates": 2, "seed": 0, "points": 3, "seeds": 2}
    span = (0.05, 0.15)
    shipped = refit("incidents", "incidents.base_hazard", span, values, **kwargs)
    earlier = refit("incidents", "incidents.base_hazard", span, values, start=2013, **kwargs)
    assert earlier.grid == shipped.grid and earlier.mean != shipped.mean


def test_the_command_passes_the_fit_window_on(monkeypatch) -> None:
    import sim.studies.calibrate as module

    seen = []

    def fake(**kwargs):
        seen.append(kwargs["start"])
        raise SystemExit(0)

    monkeypatch.setattr(module, "calibrate", fake)
    args = ["calibrate", "--target", "incidents", "--dry-run"]
    assert CliRunner().invoke(main, [*args, "--fit-from", "2013"]).exit_code == 0
    assert CliRunner().invoke(main, args).exit_code == 0
    assert seen == [2013, 2015]
    refused = CliRunner().invoke(main, ["calibrate", "--fit-from", "2013"])  # would --write
    assert refused.exit_code == 2 and "--dry-run" in refused.output


@pytest.mark.parametrize("target", list(TARGETS))
def test_the_fit_window_changes_what_the_objective_scores(target: str) -> None:
    theta = np.array([JUDGEMENT_DEFAULTS[n] for n in TARGETS[target].names()])
    shipped = objective(theta, replicates=2, seed=5, target=target)
    assert objective(theta, replicates=2, seed=5, target=target, start=2015) == shipped
    from_2013 = objective(theta, replicates=2, seed=5, target=target, start=2013)
    assert objective(theta, replicates=2, seed=5, target=target, start=2013) == from_2013
    assert from_2013 != shipped


def test_the_frequency_baseline_scores_a_dyad_by_its_own_past() -> None:
    years = np.array([[0, 1], [0, 1], [0, 2]])  # three years, two dyads
    p = frequencies(years)
    np.testing.assert_allclose(p[0], np.array([3.5, 0.5, 0.5, 0.5]) / 5)
    np.testing.assert_allclose(p[1], np.array([0.5, 2.5, 1.5, 0.5]) / 5)
    for window in (range(2016, 2020), range(2020, 2025)):
        assert 0 < frequency_loss(window) < np.log(4)  # better than a uniform guess


@pytest.mark.parametrize("target", list(TARGETS))
def test_the_objective_is_deterministic_so_a_flat_profile_is_not_noise(target: str) -> None:
    theta = np.array([JUDGEMENT_DEFAULTS[n] for n in TARGETS[target].names()])
    first = objective(theta, replicates=2, seed=5, target=target)
    assert objective(theta, replicates=2, seed=5, target=target) == first
    assert objective(theta, replicates=2, seed=6, target=target) != first


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
    args += ["--target", "alignment"]
    result = CliRunner().invoke(main, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "| coefficient | fitted | profile range / optimum | curvature |" in result.output
    assert "identified when a profile rises by more than" in result.output
    for group, name, _ in TARGETS["alignment"].coefficients:
        assert f"| `{group}.{name}` |" in result.output
    assert "| flat | 0–6 | no |" in result.output  # the economic weight, at any budget
    assert calibration_file().read_bytes() == before
    refused = CliRunner().invoke(main, ["calibrate", "--record", "--fit-from", "2013"])
    assert refused.exit_code == 2 and "leave out --fit-from" in refused.output
    bad = CliRunner().invoke(main, ["calibrate", "--fit-from", "2014", "--dry-run"])
    assert bad.exit_code == 2 and "2013" in bad.output and "Traceback" not in bad.output


def _refit(shape, points: int = 5, seeds: int = 3) -> Refit:
    """A refit of alignment.rate over 0…1 on a made-up loss ``shape(value) + seed shift``."""
    names = TARGETS["alignment"].names()
    values = {n: JUDGEMENT_DEFAULTS[n] for n in names}
    k = names.index("alignment.rate")

    def evaluate(thetas, run_seeds):  # the seeds shift every value alike (common numbers)
        return [shape(t[k]) + 0.5 * s for t, s in zip(thetas, run_seeds, strict=True)]

    return refit(
        "alignment", "alignment.rate", (0.0, 1.0), values, replicates=1, seed=0,
        points=points, seeds=seeds, evaluate=evaluate,
    )  # fmt: skip


def test_a_refit_reads_paired_differences_not_the_spread_of_the_loss() -> None:
    # The loss's own spread over seeds is 0.5; the paired differences have none, so a dip of
    # 0.05 at 0.5 is identified and interior.
    fit = _refit(lambda x: 1.0 + 0.05 * (x != 0.5))
    assert fit.fitted == 0.5 and fit.identified and fit.optimum == "interior"
    assert fit.indifferent == (0.5, 0.5) and max(fit.se) == pytest.approx(0.0, abs=1e-12)
    assert plausible(fit) == [0.375, 0.625]  # half a grid step beyond the indifference
    assert estimated(fit)
    # falling to the grid's end is a bound; flat down to an end is open, and neither ships
    assert _refit(lambda x: 2.0 - x).optimum == "upper bound"
    open_below = _refit(lambda x: 1.0 + (x > 0.6))
    assert open_below.optimum == "open below" and not estimated(open_below)
    assert not _refit(lambda x: 1.0).identified


def test_the_bracket_reaches_two_profile_steps_beyond_the_indifference() -> None:
    grid = (0.0, 0.3, 0.6, 0.9, 1.2, 1.5)
    profile = Profile("x.y", 0.6, (0.0, 1.5), grid, (0.5, 0.4, 0.1, 0.4, 0.5, 0.6), 0.1, 0.01)
    assert bracket(profile, (0.0, 1.5)) == (0.0, 1.2)
