"""Calibration on the record: the losses on known answers, the profiles, the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.scenario.priors import Prior
from sim.studies import record_fit as rf
from sim.studies.identifiability import Profile


def test_the_fit_window_runs_from_2015_to_2019_with_no_outcome_scripted() -> None:
    scenario = rf.fit_scenario()
    assert scenario.baseline_year == 2015 and scenario.horizon == 54
    assert not [e for e in scenario.events.values() if e.kind in ("incident", "tension_shock")]
    assert rf.YEARS == (2016, 2017, 2018, 2019)


def test_a_fit_window_from_2013_scores_the_six_years_after_it() -> None:
    scenario = rf.fit_scenario(2013)
    assert scenario.baseline_year == 2013 and scenario.horizon == 78
    assert rf.scored_years(2013) == (2014, 2015, 2016, 2017, 2018, 2019)
    assert rf.scored_years() == rf.YEARS
    losses = rf.losses(scenario, {}, 4, 1)
    run = rf.oos.run_window(scenario, 4, 1, start=2013, years=rf.scored_years(2013))
    assert run.peak.shape[1] == 6  # the six years 2014-2019
    assert losses["incidents"] == rf.incident_loss(
        run.peak, rf.observed_categories(rf.scored_years(2013))
    )
    assert losses["arms"] == rf.arms_loss(run, 2013)  # the burden change 2013->2019
    assert losses["arms"] != rf.arms_loss(run)  # ... not 2015->2019
    assert losses["alignment"] == rf.alignment_loss(run)
    with pytest.raises(ValueError, match="starts in one of"):
        rf.losses(rf.oos.window_scenario(2019, 2024), {}, 2, 1)


def test_the_records_categories_clip_a_clash_or_worse_to_three() -> None:
    categories = rf.observed_categories()
    assert categories.shape == (4, 17)
    assert set(np.unique(categories)) <= {0, 1, 2, 3}
    table = rf.observed.incidents().set_index(["a", "b", "year"])["max_rung"]
    for k, year in enumerate(rf.YEARS):
        for d, (a, b) in enumerate(rf.oos.dispute_pairs()):
            assert categories[k, d] == min(table[(a, b, year)], 3)
    assert (categories == 3).any() and (categories == 0).any()


def test_category_probabilities_are_counts_with_jeffreys_half() -> None:
    peak = np.array([[[0]], [[1]], [[4]], [[5]]])  # four replicates, one year, one dyad
    p = rf.category_probabilities(peak)[0, 0]
    assert p == pytest.approx(np.array([1.5, 1.5, 0.5, 2.5]) / 6)  # rungs 4 and 5 count as 3
    assert p.sum() == pytest.approx(1.0)


def test_the_incident_loss_is_the_mean_negative_log_likelihood() -> None:
    peak = np.zeros((2, 1, 2), dtype=int)  # every replicate calm
    calm = np.array([[0, 0]])
    p_calm = 2.5 / 4  # (2 + ½) / (2 + 2)
    assert rf.incident_loss(peak, calm) == pytest.approx(-np.log(p_calm))
    clash = np.array([[0, 3]])
    assert rf.incident_loss(peak, clash) == pytest.approx(-(np.log(p_calm) + np.log(0.5 / 4)) / 2)


def test_a_profile_visits_the_priors_range_and_its_judgement() -> None:
    prior = Prior("x.y", "log-uniform", 0.5, 2.0, "a scale", 1.0)
    values = rf.grid(prior, 5)
    assert values[0] == pytest.approx(0.5) and values[-1] == pytest.approx(2.0)
    assert 1.0 in values and list(values) == sorted(set(values))
    skewed = Prior("x.z", "uniform", 0.0, 1.0, "a share", 0.3)
    assert 0.3 in rf.grid(skewed, 3) and len(rf.grid(skewed, 3)) == 4


def _profile(values: list[float], threshold: float = 0.01) -> Profile:
    grid = tuple(float(g) for g in range(len(values)))
    best = int(np.argmin(values))
    return Profile(
        "x", grid[best], (grid[0], grid[-1]), grid, tuple(values), values[best], threshold
    )


def test_a_verdict_says_estimated_only_for_an_interior_identified_best_point() -> None:
    assert rf.verdict(_profile([0.5, 0.2, 0.5])) == "estimated"
    assert rf.verdict(_profile([0.2, 0.3, 0.5])) == "at the lower bound"
    assert rf.verdict(_profile([0.5, 0.3, 0.2])) == "at the upper bound"
    assert rf.verdict(_profile([0.2, 0.201, 0.2])) == "not identified"


def test_an_estimate_comes_from_the_pattern_that_pins_it_most_sharply() -> None:
    profiles = {
        "incidents": {"a.b": _profile([0.5, 0.2, 0.5]), "a.c": _profile([0.2, 0.3, 0.5])},
        "alignment": {"a.b": _profile([0.3, 0.2, 0.3]), "a.c": _profile([0.2, 0.2, 0.2])},
    }
    assert rf._estimates(profiles) == {"a.b": ("incidents", 1.0)}  # rise 0.3 beats 0.1


def test_a_small_fit_profiles_each_coefficient_on_each_pattern() -> None:
    result = rf.fit_record(
        replicates=4, points=3, noise_seeds=1, coefficients=["incidents.base_hazard"], test=False
    )
    assert set(result.profiles) == set(rf.PATTERNS)
    for pattern, by_path in result.profiles.items():
        profile = by_path["incidents.base_hazard"]
        prior = next(p for p in rf.profiled() if p.path == "incidents.base_hazard")
        assert profile.grid[0] == pytest.approx(prior.low)
        assert profile.grid[-1] == pytest.approx(prior.high)
        assert min(profile.values) == profile.optimum_value
        assert result.verdict(pattern, "incidents.base_hazard") == rf.verdict(profile)
    # the alignment and burden a hazard does not touch: a flat profile, not an estimate
    assert result.verdict("arms", "incidents.base_hazard") == "not identified"
    text = rf.markdown(result)
    assert "| incidents |" in text and "**Estimated**" in text
    assert json.loads(json.dumps(rf.to_json(result)))["window"] == [2015, 2019]
    with pytest.raises(ValueError, match="not a profiled coefficient"):
        rf.fit_record(replicates=2, coefficients=["tension.relaxation"])


def test_the_command_writes_the_profiles_it_prints(tmp_path: Path, monkeypatch) -> None:
    small = rf.fit_record(
        replicates=2, points=3, noise_seeds=1, coefficients=["alignment.rate"], test=False
    )
    monkeypatch.setattr(rf, "fit_record", lambda **_: small)
    out = tmp_path / "fit.json"
    result = CliRunner().invoke(main, ["calibrate", "--record", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "| alignment |" in result.output
    assert json.loads(out.read_text())["coefficients"] == ["alignment.rate"]
    again = CliRunner().invoke(main, ["calibrate", "--record", "--json", str(out)])
    assert again.exit_code == 2 and "--force" in again.output  # nothing overwritten silently
    lone = CliRunner().invoke(main, ["calibrate", "--json", str(out), "--dry-run"])
    assert lone.exit_code == 2 and "--json goes with --record" in lone.output
    mixed = CliRunner().invoke(main, ["calibrate", "--record", "--target", "incidents"])
    assert mixed.exit_code == 2 and "leave out --target" in mixed.output
