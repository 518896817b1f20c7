"""Hindcast: start from 2015 (or 2013, 2019), replay history, compare alignment with the record.

``scenarios/history_2015_2023.yaml`` starts from the 2015 data and scripts the main events of
2015–2023. Month 0 stands for 2015 as a whole, so the calendar year ``y`` is months
``12 (y − 2015) − 6 … 12 (y − 2015) + 5``. Its simulated alignment, averaged over that year and
the replicates, is compared with that year's security-alignment index
(:func:`sim.scenario.observed.alignment_in`, from treaties, partnerships, exercises, arms
imports and access), which is also what the run starts from. Two baselines are scored the same
way:

- **persistence**: nothing changes (the end year equals the start year);
- **linear trend**: each country's trend (least squares) over the record's years up to the
  start (from 2013, at most :data:`TREND_YEARS` years back), carried forward.

The United States and China are the poles of the axis (±1 by construction) and are not scored;
the other 17 states are. UN voting (:func:`sim.scenario.baseline.observed_alignment`) stays in
``seeds/ideal_points.csv`` as a secondary series; it is no longer what the model is scored on
(``docs/validation.md`` §2 says why).

The window 2019→2023 starts from the 2019 data with the same history shifted by four years
(:func:`history_from`); calibration (:mod:`sim.studies.calibrate`) fits on 2015→2019 (or
2013→2019) and tests there.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.scenario import loader, observed
from sim.scenario.loader import resolve
from sim.scenario.schema import Scenario

#: The scripted history.
HISTORY = "history_2015_2023"
#: Calendar year of month 0 of the history.
HISTORY_START = 2015
#: Countries whose alignment is scored.
SCORED = tuple(sorted(observed.alignment_in(observed.FIRST_YEAR)))
#: Years of the trend baseline's fit, before the start year.
TREND_YEARS = 5


@dataclass(frozen=True)
class Score:
    """How well one forecast of the end year matches the observed alignment.

    Attributes:
        rmse: Root mean squared error over the scored countries.
        mae: Mean absolute error.
        rank_levels: Spearman correlation of forecast and observed levels.
        rank_changes: Spearman correlation of forecast and observed changes since the start
            (undefined, NaN, for persistence, which forecasts no change).
    """

    rmse: float
    mae: float
    rank_levels: float
    rank_changes: float


@dataclass(frozen=True)
class Backtest:
    """The result of one hindcast window.

    Attributes:
        start: Start year.
        end: End year.
        table: One row per scored country: observed start and end, the model's mean and
            standard deviation across replicates, persistence and trend forecasts.
        scores: Forecast name (``model``, ``persistence``, ``trend``) → score.
        replicates: Replicates simulated.
    """

    start: int
    end: int
    table: pd.DataFrame
    scores: dict[str, Score]
    replicates: int


def months_of(year: int, start: int = HISTORY_START) -> range:
    """Months of a run starting in ``start`` that fall in calendar ``year``."""
    middle = 12 * (year - start)
    return range(max(middle - 6, 0), middle + 6)


def history_from(year: int, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The history scenario's data, restarted from ``year``'s country data.

    From a later year everything is shifted back by the months since 2015: policies, alliances
    and deliveries already under way start at month 0, and events that already happened are
    dropped (the start year's data include their effects). From an earlier year (2013)
    everything dated is shifted forward by the months before 2015, and the arrangements the
    history has in force at its start are taken as in force from that year: the US treaties,
    partnerships, presence and drills, and China's campaigns against the Philippines (from
    Scarborough Shoal, 2012) and Vietnam. That is an approximation, stated in
    ``docs/validation.md`` §3: the history's sources date the campaign against Vietnam to the
    HD-981 stand-off of 2014, the Thai alliance's lower commitment to the coup of May 2014 and
    US assistance to the Philippines at US$100m a year to 2015–2017; and nothing of 2013–2014
    is added (the record's incidents of those years are outcomes the fit scores; inputs such
    as the EDCA signing of April 2014 are not scripted).

    Args:
        year: 2013, 2015 or 2019.
        data: The history scenario's data (default: the shipped one).

    Returns:
        Scenario data ready to validate.
    """
    if data is None:
        data, _ = resolve(HISTORY)
    data = copy.deepcopy(data)
    shift = 12 * (year - HISTORY_START)
    if shift == 0:
        return data
    data["name"] = f"history_{year}_2023"
    data["description"] = (
        f"The history of {HISTORY} restarted from the {year} data "
        "(sim.studies.backtest.history_from). " + data.get("description", "")
    )
    data["baseline_year"] = year
    data["horizon"] = data["horizon"] - shift
    for alliance in data.get("alliances", {}).values():
        _shift_span(alliance, shift)
    for name, policy in list(data.get("policies", {}).items()):
        if policy.get("end") is not None and policy["end"] <= shift:
            del data["policies"][name]
            continue
        start = policy.get("start", 0)
        _shift_span(policy, shift)
        # A delivery keeps its calendar month: counted again from the policy's new start.
        deliveries = [
            {**d, "after": start + d["after"] - shift - policy["start"]}
            for d in policy.get("deliveries", [])
            if start + d["after"] >= shift
        ]
        if "deliveries" in policy:
            if not deliveries:
                del data["policies"][name]
                continue
            policy["deliveries"] = deliveries
    for name, event in list(data.get("events", {}).items()):
        if event.get("step") is not None and event["step"] < shift:
            del data["events"][name]
        elif event.get("step") is not None:
            event["step"] -= shift
    return data


def truncate(data: dict[str, Any], horizon: int) -> dict[str, Any]:
    """Shorten a scenario to ``horizon`` months (:func:`sim.scenario.loader.truncate`).

    A window never lengthens the history: a horizon past the scenario's leaves it as it is.
    """
    if horizon >= data.get("horizon", 120):
        return data
    return loader.truncate(data, horizon)[0]


def _shift_span(entry: dict[str, Any], shift: int) -> None:
    # What is in force at the history's start (month 0) stays in force from an earlier start.
    start = entry.get("start", 0)
    entry["start"] = 0 if start == 0 else max(start - shift, 0)
    if entry.get("end") is not None:
        entry["end"] -= shift


def trend_forecast(start: int, end: int) -> dict[str, float]:
    """Each country's least-squares trend over the years before ``start``, carried to ``end``."""
    years = np.arange(max(start - TREND_YEARS, observed.FIRST_YEAR), start + 1)
    series = {y: observed.alignment_in(int(y)) for y in years}
    forecast = {}
    for code in SCORED:
        values = np.array([series[y][code] for y in years])
        # The record starts in 2013: from there no earlier year gives a trend, so none is carried.
        slope = np.polyfit(years, values, 1)[0] if len(years) > 1 else 0.0
        forecast[code] = float(np.clip(values[-1] + slope * (end - start), -1.0, 1.0))
    return forecast


def score(
    forecast: dict[str, float], observed_end: dict[str, float], observed_start: dict[str, float]
) -> Score:
    """Score a forecast of the end year against the observed alignment."""
    f = np.array([forecast[c] for c in SCORED])
    o = np.array([observed_end[c] for c in SCORED])
    s = np.array([observed_start[c] for c in SCORED])
    error = f - o
    changes = f - s
    rank_changes = (
        float(stats.spearmanr(changes, o - s).statistic) if np.ptp(changes) > 0 else float("nan")
    )
    return Score(
        rmse=float(np.sqrt(np.mean(error**2))),
        mae=float(np.mean(np.abs(error))),
        rank_levels=float(stats.spearmanr(f, o).statistic),
        rank_changes=rank_changes,
    )


def simulated_alignment(
    scenario: Scenario, year: int, start: int, replicates: int, seed: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Mean and spread across replicates of each country's alignment over calendar ``year``."""
    run = simulate(compile_world(scenario), replicates, seed=seed, log=False)
    months = list(months_of(year, start))
    yearly = run.countries["alignment"][months].mean(axis=0)  # (R, N)
    codes = run.world.codes
    mean = {code: float(yearly[:, i].mean()) for i, code in enumerate(codes)}
    spread = {code: float(yearly[:, i].std(ddof=1)) for i, code in enumerate(codes)}
    return mean, spread


def backtest(
    start: int = 2015,
    end: int = 2023,
    *,
    replicates: int = 100,
    seed: int = 2015,
    parameters: dict[str, dict[str, float]] | None = None,
    data: dict[str, Any] | None = None,
) -> Backtest:
    """Run the history from ``start`` and score its ``end``-year alignment.

    Args:
        start: 2013, 2015 or 2019.
        end: A later year up to 2023.
        replicates: Replicates to average.
        seed: Base seed (common to every call, so scores are deterministic).
        parameters: Coefficient overrides, ``{group: {name: value}}`` (used by calibration).
        data: The history scenario's data (default: the shipped one).

    Returns:
        The comparison table and the scores of the model and both baselines.
    """
    scenario_data = truncate(history_from(start, data), months_of(end, start).stop)
    if parameters:
        scenario_data = copy.deepcopy(scenario_data)
        groups = scenario_data.setdefault("parameters", {})
        for group, values in parameters.items():
            groups.setdefault(group, {}).update(values)
    scenario = Scenario.model_validate(scenario_data, strict=True)
    observed_start = observed.alignment_in(start)
    observed_end = observed.alignment_in(end)
    model, spread = simulated_alignment(scenario, end, start, replicates, seed)
    trend = trend_forecast(start, end)
    table = pd.DataFrame(
        {
            "country": list(SCORED),
            f"observed_{start}": [observed_start[c] for c in SCORED],
            f"observed_{end}": [observed_end[c] for c in SCORED],
            "model": [model[c] for c in SCORED],
            "model_sd": [spread[c] for c in SCORED],
            "persistence": [observed_start[c] for c in SCORED],
            "trend": [trend[c] for c in SCORED],
        }
    )
    scores = {
        "model": score(model, observed_end, observed_start),
        "persistence": score(observed_start, observed_end, observed_start),
        "trend": score(trend, observed_end, observed_start),
    }
    return Backtest(start, end, table, scores, replicates)


def scores_table(result: Backtest) -> pd.DataFrame:
    """The scores as a table, one row per forecast."""
    return pd.DataFrame(
        [
            {
                "forecast": name,
                "rmse": s.rmse,
                "mae": s.mae,
                "spearman_levels": s.rank_levels,
                "spearman_changes": s.rank_changes,
            }
            for name, s in result.scores.items()
        ]
    )


def markdown(result: Backtest) -> str:
    """The scores as a Markdown table."""
    lines = [
        f"| forecast of {result.end} from {result.start} | RMSE | MAE | Spearman ρ, levels "
        "| Spearman ρ, changes |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in result.scores.items():
        changes = "—" if np.isnan(s.rank_changes) else f"{s.rank_changes:+.2f}"
        lines.append(f"| {name} | {s.rmse:.3f} | {s.mae:.3f} | {s.rank_levels:+.2f} | {changes} |")
    return "\n".join(lines) + "\n"
