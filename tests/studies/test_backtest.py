"""The hindcast: windows, shifted histories, scores and the backtest command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.scenario import Scenario, observed
from sim.scenario.baseline import history, observed_alignment
from sim.scenario.loader import load_scenario, resolve
from sim.studies import backtest as bt
from sim.studies import out_of_sample as oos


def test_calendar_years_map_to_months_around_the_start() -> None:
    assert bt.months_of(2015) == range(0, 6)
    assert bt.months_of(2019) == range(42, 54)
    assert bt.months_of(2023) == range(90, 102)
    assert bt.months_of(2023, start=2019) == range(42, 54)


def test_scores_of_known_forecasts() -> None:
    start = observed_alignment(2015)
    end = observed_alignment(2023)
    perfect = bt.score(end, end, start)
    assert perfect.rmse == 0 and perfect.mae == 0
    assert perfect.rank_levels == pytest.approx(1.0) and perfect.rank_changes == pytest.approx(1)
    persistence = bt.score(start, end, start)
    errors = np.array([start[c] - end[c] for c in bt.SCORED])
    assert persistence.rmse == pytest.approx(np.sqrt(np.mean(errors**2)))
    assert np.isnan(persistence.rank_changes)  # forecasts no change at all
    assert bt.score(start, start, start).rmse == 0


def test_the_2019_restart_shifts_the_history_by_four_years() -> None:
    data = bt.history_from(2019)
    assert data["baseline_year"] == 2019 and data["horizon"] == 102 - 48
    assert "arbitral_award" not in data["events"]  # 2016: in the 2019 data already
    assert data["events"]["marcos_turn_back"]["step"] == 84 - 48
    assert data["alliances"]["quad"]["start"] == 0  # revived in 2017, in force in 2019
    assert data["alliances"]["aukus"]["start"] == 74 - 48
    assert "china_inducement_philippines" in data["policies"]  # ends mid-2022
    assert data["policies"]["china_inducement_philippines"]["end"] == 84 - 48
    cutters = data["policies"]["us_vietnam_arms_embargo_lifted"]["deliveries"]
    assert [d["after"] for d in cutters] == [82 - 48]  # only the delivery still to come
    Scenario.model_validate(data, strict=True)


def test_the_2013_restart_shifts_the_history_forward_by_two_years() -> None:
    data = bt.history_from(2013)
    assert data["baseline_year"] == 2013 and data["horizon"] == 102 + 24
    assert data["events"]["arbitral_award"]["step"] == 12 + 24  # July 2016, from mid-2013
    assert data["alliances"]["quad"]["start"] == 28 + 24
    assert data["policies"]["china_inducement_philippines"]["end"] == 84 + 24
    assert data["policies"]["us_vietnam_arms_embargo_lifted"]["start"] == 10 + 24
    cutters = data["policies"]["us_vietnam_arms_embargo_lifted"]["deliveries"]
    assert [d["after"] for d in cutters] == [7, 36, 72]  # counted from the lifting, unchanged
    # What the history has in force at its start is in force from 2013 (and runs on).
    for name in ("china_coercion_philippines", "us_presence_japan"):
        assert data["policies"][name].get("start", 0) == 0
    world = compile_world(Scenario.model_validate(data, strict=True))
    assert world.milex0[world.index("USA")] == 679.229  # seeds/history.csv, 2013
    assert world.alignment0[world.index("PHL")] == pytest.approx(observed.alignment_in(2013)["PHL"])


def test_the_2013_window_scripts_no_outcome_and_its_data_are_the_burden_files() -> None:
    data = oos.window_data(2013, 2019)
    assert data["horizon"] == 78
    assert not [n for n, e in data["events"].items() if e["kind"] in oos.OUTCOME_EVENTS]
    burden = observed.burden()
    rows = burden[burden["year"] == 2013].set_index("iso3")
    for code, (gdp, milex) in history(2013).items():
        assert (gdp, milex) == (rows.loc[code, "gdp_usd_bn"], rows.loc[code, "milex_usd_bn"])
    assert len(history(2013)) == 19


def test_a_delivery_keeps_its_calendar_month_whichever_way_the_history_shifts() -> None:
    data, _ = resolve(bt.HISTORY)
    data["policies"]["running"] = {
        "kind": "arms_transfer", "actor": "USA", "partners": ["VNM"],
        "deliveries": [{"after": 7, "value_usd_m": 20}, {"after": 72, "value_usd_m": 20}],
    }  # fmt: skip
    earlier = bt.history_from(2013, data)["policies"]["running"]
    assert earlier["start"] == 0 and [d["after"] for d in earlier["deliveries"]] == [31, 96]
    later = bt.history_from(2019, data)["policies"]["running"]
    assert later["start"] == 0 and [d["after"] for d in later["deliveries"]] == [72 - 48]


def test_a_trend_from_the_records_first_year_is_persistence() -> None:
    assert bt.trend_forecast(2013, 2019) == pytest.approx(observed.alignment_in(2013))


def test_truncating_drops_what_starts_after_the_horizon() -> None:
    data, _ = resolve(bt.HISTORY)
    short = bt.truncate(data, 54)
    assert short["horizon"] == 54
    assert "aukus" not in short["alliances"] and "galwan_clash" not in short["events"]
    assert short["policies"]["china_inducement_philippines"]["end"] is None
    Scenario.model_validate(short, strict=True)


def test_the_history_starts_from_2015_data_and_fires_events_on_time() -> None:
    scenario = load_scenario(bt.HISTORY)
    world = compile_world(scenario)
    assert world.milex0[world.index("USA")] == 596.0
    expected = observed.alignment_in(2015)  # the security-alignment index, not UN votes
    assert world.alignment0[world.index("VNM")] == pytest.approx(expected["VNM"])
    assert world.alignment0[world.index("VNM")] != pytest.approx(observed_alignment(2015)["VNM"])
    run = simulate(world, 1, log=True)
    fired = {e.event: e.step for e in run.events if e.type.startswith("inject")}
    # An event with step t shows from month t + 1 (results/README.md).
    assert fired["arbitral_award"] == 13 and fired["marcos_turn_back"] == 85


def test_backtests_are_deterministic_and_score_all_three_forecasts() -> None:
    first = bt.backtest(2015, 2019, replicates=4)
    second = bt.backtest(2015, 2019, replicates=4)
    assert first.scores["model"] == second.scores["model"]
    assert first.table.equals(second.table)
    assert set(first.scores) == {"model", "persistence", "trend"}
    assert list(first.table["country"]) == list(bt.SCORED)
    assert len(bt.SCORED) == 17 and "USA" not in bt.SCORED and "CHN" not in bt.SCORED


def test_backtest_command_writes_tables_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "bt"
    result = CliRunner().invoke(main, ["backtest", "-n", "4", "--end", "2019", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| persistence |" in result.output
    for name in ("alignment.csv", "scores.csv", "scores.md", "hindcast.png", "hindcast.svg"):
        assert (out / name).stat().st_size > 0
    bad = CliRunner().invoke(main, ["backtest", "--start", "2019", "--end", "2019"])
    assert bad.exit_code == 2 and "must come after" in bad.output


def test_a_bad_baseline_year_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nbaseline_year: 2016\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "s.yaml:2" in result.output and "baseline_year" in result.output
    assert "2015" in result.output and "Traceback" not in result.output
