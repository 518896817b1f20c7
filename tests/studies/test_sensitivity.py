"""Which judgement drives a comparison's answer: coefficients ranked by their share."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import scenario
from scipy import stats

from sim.cli import main
from sim.studies.compare import run_comparison
from sim.studies.sensitivity import _spearman, noise_floor, sensitivity


def test_the_rank_correlation_is_spearmans():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 5))
    y = x[:, 2] ** 3 + rng.normal(scale=0.5, size=40)
    rho = _spearman(stats.rankdata(y), stats.rankdata(x, axis=0))
    expected = [stats.spearmanr(y, x[:, j]).statistic for j in range(5)]
    assert rho == pytest.approx(expected)


def test_the_noise_floor_is_what_the_largest_of_many_null_associations_exceeds_one_time_in_20():
    rng = np.random.default_rng(11)
    k, p = 60, 50
    columns = stats.rankdata(rng.random((k, p)), axis=0)
    shuffles = rng.permuted(np.tile(np.arange(k), (200, 1)), axis=1)
    floor = noise_floor(stats.rankdata(rng.random(k)), columns, shuffles)
    assert floor > 4.0 / k  # far above a one-test threshold: 50 coefficients are ranked
    exceed = [
        (_spearman(stats.rankdata(rng.random(k)), columns) ** 2).max() > floor for _ in range(400)
    ]
    assert 0.01 < np.mean(exceed) < 0.12


def test_the_coefficient_one_scenario_fixes_and_the_other_draws_drives_the_difference():
    # "fixed" keeps de-escalation at 0.35; "drawn" draws it from its prior (0.175-0.7), so the
    # difference in incidents (drawn − fixed) moves with the drawn value (incidents that end
    # sooner leave room for new ones), and nothing else moves it as much.
    fixed = scenario(name="fixed", horizon=24, parameters={"incidents": {"deescalation": 0.35}})
    drawn = scenario(name="drawn", horizon=24)
    comparison = run_comparison([fixed, drawn], 60, parameter_sets=30)
    table = sensitivity(comparison)
    row = table[(table["metric"] == "incidents_total") & (table["rank"] == 1)].iloc[0]
    assert row["coefficient"] == "incidents.deescalation"
    assert row["rho"] > 0.5 and row["share"] > row["noise_floor"] > 0
    for _, part in table.groupby(["scenario", "metric", "country"]):
        assert part["rank"].tolist() == list(range(1, len(part) + 1))
        assert (np.diff(part["share"]) <= 1e-12).all() and (part["share"] <= 1).all()


def test_nothing_to_rank_with_fixed_parameters(tmp_path):
    comparison = run_comparison([scenario(name="a", horizon=3), scenario(name="b", horizon=3)], 2)
    with pytest.raises(ValueError, match="fixed parameters"):
        sensitivity(comparison)
    result = CliRunner().invoke(
        main,
        ["compare", "hub_and_spoke", "latticework", "--fixed-parameters", "--sensitivity",
         "--out", str(tmp_path / "c")],
    )  # fmt: skip
    assert result.exit_code == 2 and "--fixed-parameters" in result.output
    assert not (tmp_path / "c").exists()


def test_compare_writes_the_ranking_and_the_report_shows_it(tmp_path):
    out = tmp_path / "c"
    result = CliRunner().invoke(
        main,
        ["compare", "hub_and_spoke", "latticework", "-n", "24", "--parameter-sets", "12",
         "--horizon", "12", "--sensitivity", "-q", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv", keep_default_na=False)
    assert set(table["scenario"]) == {"latticework"}
    assert (table["sets"] == 12).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="drivers-table"' in html and "regional tension" in html
    # The run says how it was run: the drawn sets, and which replicate ran which.
    sets = pd.read_csv(out / "coefficient_sets.csv")
    assert sets["set"].tolist() == list(range(12)) and "incidents.base_hazard" in sets
    ran = pd.read_csv(out / "replicate_sets.csv")
    assert ran["replicate"].tolist() == list(range(24))
    assert ran["set"].tolist() == [r % 12 for r in range(24)]
    assert json.loads((out / "summary.json").read_text())["parameter_sets"] == 12
    assert "12 sets drawn from the priors" in html
