"""Scenario comparison: common random numbers, paired differences, outcome tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import scenario

from sim.cli import main
from sim.scenario.loader import load_scenario
from sim.studies.compare import (
    ComparisonError,
    compare_table,
    outcome_table,
    run_comparison,
    wilson,
)


def _retrenchment(**fields):
    cut = {
        f"cut_{name}": {"kind": "set_commitment", "alliance": name, "value": 0.3, "step": 3}
        for name in ("us_jpn", "us_kor", "us_phl", "us_aus", "us_tha")
    }
    return scenario(name="retrench", events=cut, **fields)


def test_a_scenario_against_a_renamed_copy_of_itself_differs_by_exactly_nothing():
    base = scenario(name="base", horizon=48)
    copy = scenario(name="copy", horizon=48)
    for replicates in (10, 20):  # doubling the replicates keeps it null
        table = compare_table(run_comparison([base, copy], replicates))
        rows = table[table["scenario"] == "copy"]
        assert (rows["diff"] == 0).all()
        assert not rows["significant"].any()


def test_a_known_effect_is_significant_and_survives_doubling_the_replicates():
    base = scenario(name="base", horizon=36)
    treated = _retrenchment(horizon=36)
    for replicates in (15, 30):
        table = compare_table(run_comparison([base, treated], replicates))
        row = table[(table["scenario"] == "retrench") & (table["metric"] == "us_credibility")]
        assert bool(row["significant"].iloc[0])
        # Commitments cut to 0.3 lower the resting credibility; over 33 months it moves about
        # -0.04 (credibility relaxes at alliances.credibility_decay a month).
        assert row["diff_high"].iloc[0] < -0.015
        assert row["diff_low"].iloc[0] <= row["diff"].iloc[0] <= row["diff_high"].iloc[0]


def test_common_random_numbers_share_draws_across_scenarios():
    base = scenario(name="base", horizon=24)
    other = scenario(name="other", horizon=24, seed=999)  # its own seed is overridden
    comparison = run_comparison([base, other], 5)
    a, b = comparison.trajectories["base"], comparison.trajectories["other"]
    np.testing.assert_array_equal(a.tension, b.tension)
    assert comparison.seed == base.seed


def test_outcome_table_has_wilson_intervals_around_the_shares():
    table = outcome_table(run_comparison([scenario(name="a"), _retrenchment()], 20))
    for level in ("standoff", "clash", "crisis", "war"):
        p, low, high = table[f"p_{level}"], table[f"p_{level}_low"], table[f"p_{level}_high"]
        assert ((low <= p) & (p <= high) & (low >= 0) & (high <= 1)).all()
    assert {"polarization", "hedgers", "us_credibility", "china_threat"} <= set(table.columns)


def test_wilson_interval_matches_the_formula():
    low, high = wilson(0, 20)
    assert low == 0 and high == pytest.approx(0.1611, abs=1e-4)
    low, high = wilson(10, 20)
    assert (low, high) == (pytest.approx(0.2993, abs=1e-4), pytest.approx(0.7007, abs=1e-4))


def test_incompatible_scenarios_are_refused():
    with pytest.raises(ComparisonError, match="more than once"):
        run_comparison([scenario(name="a"), scenario(name="a")], 2)
    with pytest.raises(ComparisonError, match="--horizon"):
        run_comparison([scenario(name="a", horizon=12), scenario(name="b", horizon=24)], 2)


def test_compare_command_writes_tables_runs_plots_and_report(tmp_path: Path):
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        main,
        ["compare", "hub_and_spoke", "us_retrenchment", "-n", "6", "--horizon", "24", "--out",
         str(out), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "compare.csv", keep_default_na=False)
    assert list(table.columns) == [
        "scenario", "metric", "country", "mean", "p05", "p95",
        "diff", "diff_low", "diff_high", "significant",
    ]  # fmt: skip
    assert set(table["scenario"]) == {"hub_and_spoke", "us_retrenchment"}
    assert set(table.loc[table["metric"] == "alignment", "country"]) >= {"PHL", "VNM", "JPN"}
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert list(outcomes["scenario"]) == ["hub_and_spoke", "us_retrenchment"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reference"] == "hub_and_spoke" and summary["common_random_numbers"]
    for name in ("hub_and_spoke", "us_retrenchment"):
        assert (out / name / "model.csv").exists() and (out / name / "summary.json").exists()
    assert (out / "us_retrenchment" / "parent.resolved.yaml").exists()
    for plot in ("tension", "alignment", "network", "escalation", "arms"):
        assert (out / "plots" / f"{plot}.png").stat().st_size > 10_000
        assert (out / "plots" / f"{plot}.svg").exists()
    assert (out / "report.html").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hub_and_spoke"], "at least two"),
        (["hub_and_spoke", "hub_and_spoke"], "given twice"),
        (["hub_and_spoke", "no_such_scenario"], "no_such_scenario"),
        (["hub_and_spoke", "scs_crisis"], "different horizons"),
    ],
)
def test_compare_bad_input_exits_2_with_a_message(tmp_path: Path, args, message):
    out = tmp_path / "never"
    result = CliRunner().invoke(main, ["compare", *args, "-n", "2", "--out", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_shipped_comparison_scenarios_load():
    for name in ("hub_and_spoke", "latticework", "formal_asian_nato"):
        assert load_scenario(name).horizon == 120
