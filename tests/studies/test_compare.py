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
from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.scenario import baseline
from sim.scenario.loader import load_scenario
from sim.scenario.priors import draw_sets, split_propensities, with_coefficients
from sim.studies.compare import (
    MINIMUM_DIFFERENCE,
    ComparisonError,
    compare_table,
    outcome_table,
    proportion_interval,
    run_comparison,
    set_means,
    sign_share,
    verdict,
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
        "diff", "diff_low", "diff_high", "significant", "sign_share", "zero_share", "set_p05",
        "set_p95", "minimum_difference", "verdict",
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


# --------------------------------------------------------------------------------------------
# Parameter uncertainty


def test_a_null_comparison_with_parameter_uncertainty_shows_nothing():
    base = scenario(name="base", horizon=24)
    copy = scenario(name="copy", horizon=24)
    comparison = run_comparison([base, copy], 12, parameter_sets=6)
    rows = compare_table(comparison).query("scenario == 'copy'")
    assert (rows["diff"] == 0).all() and (rows["diff_low"] == 0).all()
    assert (rows["verdict"] == "about unchanged").all()
    assert (rows["sign_share"] == 1.0).all() and (rows["zero_share"] == 1.0).all()
    assert (rows["set_p05"] == 0).all() and (rows["set_p95"] == 0).all()


def test_every_scenario_meets_the_same_coefficient_sets_and_they_are_the_drawn_ones():
    base = scenario(name="base", horizon=12)
    other = scenario(name="other", horizon=12)
    comparison = run_comparison([base, other], 10, parameter_sets=4)
    assert comparison.coefficients == draw_sets(4, base.seed)
    assert comparison.sets.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 3, 3]  # replicate r takes r mod 4
    a, b = comparison.trajectories["base"], comparison.trajectories["other"]
    assert a.replicates.tolist() == b.replicates.tolist() == [0, 4, 8, 1, 5, 9, 2, 6, 3, 7]
    # Replicate 5 ran set 1: the same numbers as set 1's world run on its own.
    values, kappa = split_propensities(comparison.coefficients[1])
    assert len(kappa) == len(baseline.disputes())  # each dyad's propensity is drawn too
    alone = base.model_copy(update={"parameters": with_coefficients(base.parameters, values)})
    solo = simulate(compile_world(alone, propensity=kappa), [5], seed=base.seed, log=False)
    assert np.array_equal(solo.model["regional_tension"][:, 0], a.model["regional_tension"][:, 4])
    # ... and a different set gives different numbers (the draws are used).
    assert not np.array_equal(a.model["regional_tension"][:, 0], a.model["regional_tension"][:, 3])


def test_a_coefficient_a_scenario_sets_itself_is_not_drawn():
    fixed = scenario(name="fixed", horizon=6, parameters={"incidents": {"base_hazard": 0.2}})
    other = scenario(name="other", horizon=6)
    comparison = run_comparison([fixed, other], 6, parameter_sets=3)
    assert comparison.trajectories["fixed"].world.params.incidents.base_hazard == 0.2
    drawn = {c["incidents.base_hazard"] for c in comparison.coefficients}
    assert 0.2 not in drawn and len(drawn) == 3


def test_fixed_parameters_run_the_scenarios_own_coefficients():
    base = scenario(name="base", horizon=12)
    copy = scenario(name="copy", horizon=12)
    comparison = run_comparison([base, copy], 5)
    assert comparison.sets is None
    own = simulate(compile_world(base), 5, seed=base.seed)
    assert np.array_equal(
        own.model["regional_tension"], comparison.trajectories["base"].model["regional_tension"]
    )
    assert compare_table(comparison)["sign_share"].isna().all()


def test_set_means_sign_share_and_verdict_on_known_cases():
    diff = np.array([[1.0, 0.0], [3.0, 0.0], [-2.0, 0.0], [-2.0, 0.0]])
    per_set = set_means(diff, np.array([0, 0, 1, 1]))
    assert per_set.tolist() == [[2.0, 0.0], [-2.0, 0.0]]
    assert sign_share(np.array([[1.0], [2.0], [-1.0], [3.0]])).tolist() == [0.75]
    assert sign_share(per_set)[1] == 1.0  # all zero: every set has the mean's (zero) sign
    assert verdict(0.03, 0.07, 0.02) == "higher"  # the whole interval beyond the minimum
    assert verdict(-0.07, -0.02, 0.02) == "lower"
    assert verdict(0.001, 0.015, 0.02) == "about unchanged"  # significant, but within it
    assert verdict(-0.01, 0.01, 0.02) == "about unchanged"
    assert verdict(0.01, 0.05, 0.02) == "inconclusive"  # straddles the minimum
    assert verdict(-0.05, 0.05, 0.02) == "inconclusive"  # wide: could be a change either way


def test_every_outcome_has_a_minimum_meaningful_difference():
    comparison = run_comparison([scenario(name="a", horizon=3), scenario(name="b", horizon=3)], 2)
    table = compare_table(comparison)
    assert set(table["metric"]) <= set(MINIMUM_DIFFERENCE)
    assert all(v > 0 for v in MINIMUM_DIFFERENCE.values())


def test_a_share_over_coefficient_sets_has_an_interval_over_the_sets():
    hits = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0], dtype=float)
    sets = np.repeat(np.arange(3), 4)  # set 0 always, set 1 never, set 2 half the time
    low, high = proportion_interval(hits, sets)
    assert 0.0 <= low < 0.5 < high <= 1.0
    wide = wilson(6, 12)
    assert high - low > wide[1] - wide[0]  # three sets are fewer observations than 12 runs
    assert proportion_interval(hits, None) == wilson(6, 12)
    assert proportion_interval(np.zeros(12), sets) == wilson(0, 3)
