"""The window 2019→2024: what it scripts, what it reads from the runs, and how it is scored."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.scenario import observed
from sim.scenario.baseline import country_codes
from sim.scenario.citations import check_citation
from sim.studies import out_of_sample as oos
from sim.studies.backtest import history_from


@pytest.fixture(scope="module")
def window():
    return oos.window_scenario()


def test_the_window_scripts_no_incident_and_no_escalation(window) -> None:
    shifted = history_from(2019)
    assert shifted["events"]["galwan_clash"]["kind"] == "incident"  # the history scripts it...
    assert "galwan_clash" not in window.events  # ...the window does not
    assert "second_thomas_shoal" not in window.events
    assert "pelosi_visit_drills" not in window.events  # the drills are a scored standoff
    assert not [n for n, e in window.events.items() if e.kind in ("incident", "tension_shock")]
    assert all(e.when is None for e in window.events.values())  # nothing fires on an outcome
    assert not window.moves
    policy_events = [e.policy for e in window.events.values() if e.kind == "policy"]
    assert not [p for p in policy_events if p.kind == "gray_zone_coercion"]
    # Gray-zone coercion is only the standing policies of 2019, in force from month 0.
    coercion = {n: p for n, p in window.policies.items() if p.kind == "gray_zone_coercion"}
    assert coercion and all(p.start == 0 for p in coercion.values())


def test_the_window_scripts_no_burden_and_starts_from_the_2019_security_alignment(
    window,
) -> None:
    start = observed.alignment_in(2019)
    assert all(c.burden_target_pct is None for c in window.countries.values())
    assert not [c for c in window.countries.values() if c.alignment is not None]
    world = compile_world(window)  # the 2019 data's alignment is the 2019 index
    for code in set(country_codes()) - {"USA", "CHN"}:
        assert world.alignment0[world.index(code)] == pytest.approx(start[code])
    assert world.alignment0[world.index("USA")] == 1.0


def test_the_window_runs_to_the_end_of_2024_and_adds_only_dated_inputs(window) -> None:
    assert window.baseline_year == 2019 and window.horizon == 66
    assert list(oos.months_of(2024, 2019)) == list(range(54, 66))
    for block, entries in oos.INPUTS_2024.items():
        assert block in ("alliances", "policies")
        for name, entry in entries.items():
            assert 54 <= entry["start"] < 66, name  # an input of 2024
            assert check_citation(entry["source"]) == []


def test_the_window_reads_what_the_engine_records(window) -> None:
    run = oos.run_window(window, 3, seed=7)
    world = compile_world(window)
    trajectory = simulate(world, 3, seed=7, log=False)
    dyads = [world.dyad_index(world.index(a), world.index(b)) for a, b in run.pairs]
    for k, year in enumerate(oos.SCORED_YEARS):
        months = list(oos.months_of(year, 2019))
        levels = trajectory.level[months][:, :, dyads]
        np.testing.assert_array_equal(run.peak[:, k], levels.max(axis=0))
        np.testing.assert_array_equal(run.reached[:, k], levels.max(axis=0) >= 2)
    last = list(oos.months_of(2024, 2019))
    alignment = trajectory.countries["alignment"][last].mean(axis=0)
    np.testing.assert_allclose(run.alignment, alignment, atol=1e-12)
    grown = world.gdp * (1.0 + world.growth) ** (np.array(last)[:, None, None] / 12.0)
    burden = (trajectory.countries["milex_usd_bn"][last] / grown).mean(axis=0)
    np.testing.assert_allclose(run.burden, burden, rtol=1e-9)  # no economic coercion here
    np.testing.assert_allclose(run.burden_start, world.milex0 / world.gdp)
    chunked = oos.run_window(window, 3, seed=7, chunk_size=2)  # replicate r is r, in any chunk
    np.testing.assert_array_equal(chunked.peak, run.peak)
    np.testing.assert_array_equal(chunked.alignment, run.alignment)


def test_the_constant_rate_is_fitted_on_2013_2019_only() -> None:
    years = range(2013, 2025)
    rungs = [2, 0, 3, 0, 1, 0, 0, 2, 2, 2, 2, 2]  # two of the seven years to 2019 at >= 2
    table = pd.DataFrame({"a": "CHN", "b": "IND", "year": list(years), "max_rung": rungs})
    assert oos.constant_rates(table) == {("CHN", "IND"): pytest.approx(2.5 / 8)}


def test_the_rule_reads_only_the_scenarios_inputs(window) -> None:
    rule = oos.rule_forecasts(window)
    for land in [("CHN", "IND"), ("KOR", "PRK"), ("KHM", "THA")]:
        assert rule[land] == 0.75
    assert rule[("CHN", "PHL")] == rule[("CHN", "VNM")] == 0.75  # maritime, coerced
    assert rule[("CHN", "JPN")] == rule[("CHN", "MYS")] == 0.05  # maritime, not coerced
    assert rule[("CHN", "USA")] == 0.05  # the US's coercion of China, but a rivalry
    assert rule[("CHN", "TWN")] == 0.05  # sovereignty
    assert len(rule) == 17


def _incident_rows(model: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": ["CHN", "CHN", "KOR", "KOR"],
            "b": ["PHL", "PHL", "PRK", "PRK"],
            "year": [2020, 2021, 2020, 2021],
            "reached": [1, 0, 0, 0],
            "model": model,
            "constant_rate": [0.5] * 4,
            "rule": [0.75, 0.75, 0.05, 0.05],
        }
    )


def test_a_perfect_incident_forecast_beats_both_baselines() -> None:
    scores = oos.score_incidents(_incident_rows([0.99, 0.01, 0.01, 0.01]))
    assert scores["log_score"] == pytest.approx(math.log(0.99))
    assert scores["baseline_log_score"] == pytest.approx(math.log(0.5))
    by_hand = (math.log(0.75) + math.log(0.25) + 2 * math.log(0.95)) / 4
    assert scores["rule_log_score"] == pytest.approx(by_hand)
    assert scores["diff"] > 0 and scores["n_dyad_years"] == 4 and scores["n_dyads"] == 2


def test_arms_and_alignment_scores_by_hand() -> None:
    arms = pd.DataFrame(
        {
            "country": ["A", "B", "C", "D"],
            "observed_change": [0.4, -0.2, 0.1, 0.0],
            "model_change": [0.4, -0.2, 0.1, 0.0],  # perfect
            "persistence_change": [0.0, 0.4, -0.2, 0.1],
            "no_change": [0.0] * 4,
        }
    )
    scores = oos.score_arms(arms)
    assert scores["spearman"] == pytest.approx(1.0) and scores["median_abs_error"] == 0.0
    assert scores["no_change_median_abs_error"] == pytest.approx(0.15)  # median of .4 .2 .1 0
    assert scores["persistence_median_abs_error"] == pytest.approx(0.35)  # .4 .6 .3 .1
    # Ranks (4, 1, 3, 2) against (2, 4, 1, 3): rho = 1 - 6 * 18 / (4 * 15) = -0.8.
    assert scores["persistence_spearman"] == pytest.approx(-0.8)
    alignment = pd.DataFrame(
        {
            "country": ["A", "B", "C"],
            "observed_2024": [0.5, -0.5, 0.0],
            "model": [0.5, -0.5, 0.0],
            "persistence": [0.2, -0.1, 0.0],
        }
    )
    scores = oos.score_alignment(alignment)
    assert scores["rmse"] == 0.0
    assert scores["persistence_rmse"] == pytest.approx(math.sqrt((0.09 + 0.16) / 3))
    assert scores["diff_ci"][1] <= 0


def test_targets_say_which_are_met() -> None:
    incidents = {
        "log_score": -0.3,
        "baseline_log_score": -0.4,
        "rule_log_score": -0.5,
        "diff_ci": [0.01, 0.2],
        "rule_diff_ci": [0.1, 0.3],
    }
    arms = {
        "spearman": 0.4,
        "persistence_spearman": 0.1,
        "median_abs_error": 0.1,
        "persistence_median_abs_error": 0.3,
        "no_change_median_abs_error": 0.2,
        "diff_ci": [-0.3, -0.1],
        "no_change_diff_ci": [-0.2, 0.05],
    }
    alignment = {"rmse": 0.1, "persistence_rmse": 0.2, "diff_ci": [-0.1, -0.02]}
    found = oos.targets(incidents, arms, alignment)
    assert found["beats_every_baseline"] == {"incidents": True, "arms": True, "alignment": True}
    # Arms: the strongest baseline is no change, and that interval includes zero.
    assert found["interval_excludes_zero"] == {
        "incidents": True,
        "arms": False,
        "alignment": True,
    }
    assert list(found["met"].values()) == [True, True, False]  # rho 0.4 < 0.5


def test_backtest_json_writes_the_scores_and_guards_the_file(tmp_path: Path) -> None:
    path = tmp_path / "scores.json"
    runner = CliRunner()
    result = runner.invoke(main, ["backtest", "--json", str(path), "-n", "4"])
    assert result.exit_code == 0, result.output
    assert "| inputs-only rule |" in result.output
    data = json.loads(path.read_text())
    assert data["window"] == [2019, 2024] and data["replicates"] == 4
    incidents, arms, alignment = data["incidents"], data["arms"], data["alignment"]
    for key in ("log_score", "baseline_log_score", "rule_log_score", "diff"):
        assert isinstance(incidents[key], float)
    assert incidents["n_dyad_years"] == 85 and incidents["n_dyads"] == 17
    for key in ("median_abs_error", "persistence_spearman", "persistence_median_abs_error"):
        assert isinstance(arms[key], float)
    assert arms["spearman"] is None or isinstance(arms["spearman"], float)
    assert isinstance(arms["no_change_median_abs_error"], float)
    assert set(arms["left_out"]) == {"VNM", "LAO", "PRK"} and arms["n_states"] == 16
    assert isinstance(alignment["rmse"], float) and isinstance(alignment["persistence_rmse"], float)
    assert len(alignment["diff_ci"]) == 2 and alignment["diff_ci"][0] <= alignment["diff_ci"][1]
    assert alignment["n_states"] == 17 and len(alignment["table"]) == 17
    assert data["scenario"]["events_left_out"] == [
        "galwan_clash",
        "pelosi_visit_drills",
        "second_thomas_shoal",
    ]
    assert set(data["targets"]["met"].values()) <= {True, False}

    again = runner.invoke(main, ["backtest", "--json", str(path), "-n", "4"])
    assert again.exit_code == 2 and "--force" in again.output
    assert "Traceback" not in again.output
    forced = runner.invoke(main, ["backtest", "--json", str(path), "-n", "4", "--force"])
    assert forced.exit_code == 0, forced.output


def test_backtest_json_refuses_bad_input_with_a_clear_error(tmp_path: Path) -> None:
    runner = CliRunner()
    thesis = tmp_path / "thesis.json"
    thesis.write_text("{}")
    for args, message in [
        (["--json", str(thesis)], "cannot tell a file of this kind it wrote from one of yours"),
        (["--json", str(tmp_path)], "is a folder"),
        (["--json", str(tmp_path / "none" / "s.json")], "does not exist"),
        (["--json", str(tmp_path / "s.json"), "--start", "2019"], "leave out --start"),
        (["--json", str(tmp_path / "s.json"), "--out", str(tmp_path / "o")], "leave out --out"),
    ]:
        result = runner.invoke(main, ["backtest", "-n", "2", *args])
        assert result.exit_code == 2, args
        assert message in result.output and "Traceback" not in result.output
    assert thesis.read_text() == "{}" and not (tmp_path / "s.json").exists()
