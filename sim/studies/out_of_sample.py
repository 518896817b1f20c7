"""Out of sample, 2019→2024: the model against the record of 2020–2024, pattern by pattern.

The run starts from the 2019 data and is scored on three patterns of the hand-coded record
(``seeds/README.md``, "The historical record 2013–2024"; :mod:`sim.scenario.observed`), each
against naive forecasts fitted on 2013–2019 only:

- **incidents**: for each dispute dyad and year 2020–2024, the share of replicates whose dyad
  reached the standoff rung or higher (max rung ≥ 2) in that year's twelve months, clipped to
  [0.01, 0.99], against the dyad-years that did, by log score. Baselines: the dyad's own
  **constant rate** (its share of the years 2013–2019 at ≥ 2, with a +½/+1 prior) and the
  **inputs-only rule** (0.75 for a land dispute or a maritime dispute under coercion the
  scenario codes, 0.05 otherwise);
- **arms**: each state's change in military burden (spending as a percentage of GDP)
  2019→2024, the model's own burden against ``burden_pct``, by Spearman's ρ and median absolute
  error. Baselines: **persistence** (the 2014→2019 change carried forward) and **no change**.
  Vietnam (2019–2024 a near-flat low-confidence series), Laos (a carried-forward placeholder)
  and North Korea (an order-of-magnitude estimate) are left out, as the codebook advises;
- **alignment**: the 2024 security-alignment index of every state but the poles, by RMSE of
  the simulated 2024 alignment (the mean over replicates and over 2024's months). Baseline:
  **persistence** (the 2019 index).

Each model-minus-baseline difference has a percentile bootstrap interval over the units
(dyads, states, countries; :func:`sim.studies.scoring.difference_interval`).

**What the run scripts.** It is the history of :mod:`sim.studies.backtest` restarted from 2019
(:func:`sim.studies.backtest.history_from`): the policies, alliances, deliveries and the
Philippine government's turns of 2019–2023, plus two inputs of 2024 (:data:`INPUTS_2024`). It
scripts no outcome that is scored: every ``incident`` event (Galwan, Second Thomas Shoal) and
every ``tension_shock`` (the PLA drills of August 2022, the reaction to an incident) is left
out (:data:`OUTCOME_EVENTS`), no burden target is set, and the alignment starts from the 2019
security-alignment index, as every run from 2019 does
(:func:`sim.scenario.observed.starting_alignment`). The states decide as in every what-if
(``decisions: expected_utility``).

**The calendar** is the hindcast's: month 0 stands for 2019 as a whole (mid-2019), so calendar
year ``y`` is months ``12 (y − 2019) − 6 … 12 (y − 2019) + 5``
(:func:`sim.studies.backtest.months_of`) and the run lasts 66 months, the 60 months of
2020–2024 after the half-year of 2019 that month 0 stands for.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.core.compile import compile_world
from sim.core.dynamics.step import advance, initial_state
from sim.core.rng import replicate_keys
from sim.scenario import baseline, observed
from sim.scenario.priors import with_coefficients
from sim.scenario.schema import Scenario
from sim.studies import scoring
from sim.studies.backtest import history_from, months_of, truncate

#: Start and end year of the window.
START, END = 2019, 2024
#: The years scored, and the years the naive baselines are fitted on.
SCORED_YEARS = tuple(range(START + 1, END + 1))
FIT_YEARS = tuple(range(observed.FIRST_YEAR, START + 1))
#: Months of the run: to the end of the last scored year.
HORIZON = months_of(END, START).stop
#: The rung a dyad-year must reach to count (2, the standoff; ``docs/model.md`` §5).
STANDOFF = 2
#: The inputs-only rule: its probability for a land dispute or a maritime dispute under coded
#: coercion, and for every other dyad.
RULE_HIGH, RULE_LOW = 0.75, 0.05
#: Kinds of event that script an outcome the window scores: left out of its run.
OUTCOME_EVENTS = ("incident", "tension_shock")
#: States left out of the burden scores, and why (``seeds/README.md``, the burden file's notes).
UNRELIABLE_BURDEN = {
    "VNM": "2019-2024 is a low-confidence IISS-based series, near-flat by construction, after "
    "a break with SIPRI's 2013-2018 series: its change is not informative",
    "LAO": "a carried-forward placeholder: its burden moves only with GDP",
    "PRK": "an order-of-magnitude estimate only",
}
#: The two poles of the alignment axis (±1 by construction): not scored.
POLES = (baseline.US, baseline.CHINA)
#: Inputs of 2024 that the history (which ends in 2023) does not script: an alliance summit and
#: an access agreement, in months of the window (month 57 is April 2024).
INPUTS_2024: dict[str, dict[str, Any]] = {
    "alliances": {
        "us_japan_philippines": {
            "type": "minilateral",
            "members": ["USA", "JPN", "PHL"],
            "start": 57,
            "source": "background: the first US-Japan-Philippines leaders' summit, Washington, "
            "11 Apr 2024 (month 57; recalled)",
        },
        "japan_philippines_raa": {
            "type": "partnership",
            "members": ["JPN", "PHL"],
            "hub": "JPN",
            "start": 60,
            "source": "background: the Japan-Philippines Reciprocal Access Agreement, signed "
            "in Manila on 8 Jul 2024 (month 60; recalled)",
        },
    },
}


def window_data(
    start: int = START, end: int = END, inputs: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A window's scenario data: the history from ``start``, its outcomes unscripted, to ``end``.

    Args:
        start: First year (2013, 2015 or 2019): the run starts from its data, the alignment from its
            security-alignment index (:func:`sim.scenario.observed.starting_alignment`).
        end: Last year scored; the run lasts to the end of it.
        inputs: Entries to add, by block (default :data:`INPUTS_2024` for the window to 2024,
            none otherwise).

    Returns:
        Scenario data ready to validate (:func:`window_scenario`).
    """
    if inputs is None:
        inputs = INPUTS_2024 if end == END else {}
    data = truncate(history_from(start), months_of(end, start).stop)
    data["name"] = f"window_{start}_{end}"
    data["description"] = (
        f"The window {start}-{end}: the history restarted from the {start} data, with no "
        f"incident or escalation scripted and the alignment of the {start} security-alignment "
        "index (sim.studies.out_of_sample)."
    )
    data["horizon"] = months_of(end, start).stop
    data["events"] = {
        name: event
        for name, event in data.get("events", {}).items()
        if event["kind"] not in OUTCOME_EVENTS
    }
    for block, entries in inputs.items():
        data.setdefault(block, {}).update(copy.deepcopy(entries))
    return data


def scenario_with(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with the coefficients ``values`` (paths as ``incidents.base_hazard``)."""
    if not values:
        return scenario
    params = with_coefficients(scenario.parameters, values)
    return scenario.model_copy(update={"parameters": params})


def window_scenario(start: int = START, end: int = END) -> Scenario:
    """A window's validated scenario (:func:`window_data`)."""
    return Scenario.model_validate(window_data(start, end), strict=True)


def dispute_pairs() -> tuple[tuple[str, str], ...]:
    """The dispute dyads, as ``(a, b)`` in the order of ``seeds/disputes.csv``."""
    return tuple((d.a, d.b) for d in baseline.disputes())


@dataclass(frozen=True)
class WindowRun:
    """What the window's ensemble did, as the scores read it.

    Attributes:
        codes: The states, in the world's order.
        pairs: The dispute dyads (:func:`dispute_pairs`).
        peak: The highest rung each replicate's dyad reached in each scored year,
            ``(R, years, dyads)``.
        burden_start: Each state's military burden (a share of GDP) at month 0, ``(N,)``.
        burden: Each replicate's burden averaged over the last year's months, ``(R, N)``.
        alignment: Each replicate's alignment averaged over the last year's months, ``(R, N)``.
        replicates: Replicates run.
        seed: Base seed.
    """

    codes: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    peak: np.ndarray
    burden_start: np.ndarray
    burden: np.ndarray
    alignment: np.ndarray
    replicates: int
    seed: int

    @property
    def reached(self) -> np.ndarray:
        """Whether each replicate's dyad reached :data:`STANDOFF` or higher in each year."""
        return self.peak >= STANDOFF


def run_window(
    scenario: Scenario,
    replicates: int,
    seed: int,
    chunk_size: int = 250,
    *,
    start: int = START,
    years: tuple[int, ...] = SCORED_YEARS,
    propensity: dict[tuple[str, str], float] | None = None,
) -> WindowRun:
    """Run a window's ensemble, keeping the highest rung of each dyad-year and the last year.

    The run advances the model month by month (:func:`sim.core.dynamics.step.advance`, as
    :func:`sim.core.engine.simulate` does, in chunks of at most ``chunk_size`` replicates so
    that memory stays bounded) and reads the model's own burden, which the recorded trajectory
    does not keep. A dyad's rung moves at most one step a month, so the rung at each month's
    end is the highest of that month. ``propensity`` replaces the shipped dyad propensities
    (:func:`sim.core.compile.compile_world`).
    """
    world = compile_world(scenario, propensity=propensity)
    pairs = dispute_pairs()
    rows = np.array([world.index(a) for a, _ in pairs])
    cols = np.array([world.index(b) for _, b in pairs])
    months_of_years = [months_of(y, start) for y in years]
    last = months_of_years[-1]
    parts = []
    for first in range(0, replicates, chunk_size):
        indices = range(first, min(first + chunk_size, replicates))
        state = initial_state(world, replicate_keys(seed, indices), log=False)
        reader = metrics.lookup(world, state)
        peak = np.zeros((len(indices), len(years), len(pairs)), dtype=np.int8)
        burden = np.zeros((len(indices), world.n))
        alignment = np.zeros((len(indices), world.n))
        for month in range(1, world.horizon + 1):
            advance(world, state, reader)
            for k, months in enumerate(months_of_years):
                if month in months:
                    np.maximum(peak[:, k], state.level[:, rows, cols], out=peak[:, k])
            if month in last:
                burden += state.burden / len(last)
                alignment += state.alignment / len(last)
        parts.append((peak, burden, alignment))
    return WindowRun(
        codes=world.codes,
        pairs=pairs,
        peak=np.concatenate([p[0] for p in parts]),
        burden_start=world.milex0 / world.gdp,
        burden=np.concatenate([p[1] for p in parts]),
        alignment=np.concatenate([p[2] for p in parts]),
        replicates=replicates,
        seed=seed,
    )


# --------------------------------------------------------------------------------------------
# Incidents


def observed_reached(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each dispute dyad-year of the record: 1 where it reached :data:`STANDOFF` or higher.

    Returns:
        Columns ``a``, ``b``, ``year``, ``reached``.
    """
    rows = observed.incidents() if table is None else table
    out = rows[["a", "b", "year"]].copy()
    out["reached"] = (rows["max_rung"] >= STANDOFF).astype(int)
    return out


def constant_rates(table: pd.DataFrame | None = None) -> dict[tuple[str, str], float]:
    """Each dyad's Laplace rate of years at :data:`STANDOFF` or higher over :data:`FIT_YEARS`."""
    record = observed_reached(table)
    fit = record[record["year"].isin(FIT_YEARS)]
    rates = {}
    for (a, b), rows in fit.groupby(["a", "b"], sort=False):
        rates[(a, b)] = float(scoring.laplace_rate(rows["reached"].sum(), len(rows)))
    return rates


def coerced_pairs(scenario: Scenario) -> frozenset[frozenset[str]]:
    """Pairs under gray-zone coercion the scenario codes (a declared policy or a policy event)."""
    policies = [*scenario.policies.values()]
    policies += [e.policy for e in scenario.events.values() if e.kind == "policy"]
    return frozenset(
        frozenset((p.actor, partner))
        for p in policies
        if p.kind == "gray_zone_coercion"
        for partner in p.partners
    )


def rule_forecasts(scenario: Scenario) -> dict[tuple[str, str], float]:
    """The inputs-only rule: high for land disputes and coerced maritime disputes, else low."""
    coerced = coerced_pairs(scenario)
    forecasts = {}
    for dispute in baseline.disputes():
        high = dispute.issue == "land" or (
            dispute.issue == "maritime" and frozenset((dispute.a, dispute.b)) in coerced
        )
        forecasts[(dispute.a, dispute.b)] = RULE_HIGH if high else RULE_LOW
    return forecasts


def incident_table(run: WindowRun, scenario: Scenario) -> pd.DataFrame:
    """One row per dispute dyad-year scored: what happened and the three forecasts."""
    record = observed_reached()
    record = record[record["year"].isin(SCORED_YEARS)]
    happened = {(r.a, r.b, r.year): r.reached for r in record.itertuples()}
    rates, rule = constant_rates(), rule_forecasts(scenario)
    shares = run.reached.mean(axis=0)  # (years, dyads)
    rows = []
    for d, pair in enumerate(run.pairs):
        for k, year in enumerate(SCORED_YEARS):
            rows.append(
                {
                    "a": pair[0],
                    "b": pair[1],
                    "year": year,
                    "reached": int(happened[(*pair, year)]),
                    "model": float(scoring.clipped(shares[k, d])),
                    "constant_rate": rates[pair],
                    "rule": rule[pair],
                }
            )
    return pd.DataFrame(rows)


def _per_dyad(table: pd.DataFrame, forecast: str) -> np.ndarray:
    """Each dyad's mean log-likelihood under ``forecast`` (the unit the bootstrap resamples)."""
    scored = table.assign(
        loglik=scoring.log_likelihoods(table[forecast].to_numpy(), table["reached"].to_numpy())
    )
    return scored.groupby(["a", "b"], sort=False)["loglik"].mean().to_numpy()


def score_incidents(table: pd.DataFrame) -> dict[str, Any]:
    """Log scores of the model and both baselines, and the intervals of the differences."""
    y = table["reached"].to_numpy()
    scores = {
        f: scoring.log_score(table[f].to_numpy(), y) for f in ("model", "constant_rate", "rule")
    }
    model = _per_dyad(table, "model")
    intervals = {
        f: scoring.difference_interval(model, _per_dyad(table, f), "mean")
        for f in ("constant_rate", "rule")
    }
    return {
        "log_score": scores["model"],
        "baseline_log_score": scores["constant_rate"],
        "rule_log_score": scores["rule"],
        "diff": scores["model"] - scores["constant_rate"],
        "diff_ci": list(intervals["constant_rate"]),
        "rule_diff": scores["model"] - scores["rule"],
        "rule_diff_ci": list(intervals["rule"]),
        "n_dyad_years": len(table),
        "n_dyads": int(table.groupby(["a", "b"]).ngroups),
        "years": list(SCORED_YEARS),
        "observed_at_standoff": int(y.sum()),
        "threshold_rung": STANDOFF,
        "clip": list(scoring.CLIP),
        "baseline": f"constant rate per dyad, fitted on {FIT_YEARS[0]}-{FIT_YEARS[-1]}: (years "
        f"at rung >= {STANDOFF} + 0.5) / ({len(FIT_YEARS)} + 1)",
        "rule": f"inputs only: {RULE_HIGH} for land disputes and for maritime disputes under "
        f"gray-zone coercion the scenario codes, {RULE_LOW} otherwise",
        "interval": "log score of the model minus the baseline's (> 0 favours the model); "
        f"percentile bootstrap over dyads, {scoring.RESAMPLES} resamples, seed "
        f"{scoring.BOOTSTRAP_SEED}",
    }


# --------------------------------------------------------------------------------------------
# Arms


def observed_burden(year: int) -> dict[str, float]:
    """Each state's ``burden_pct`` in ``year``."""
    rows = observed.burden()
    rows = rows[rows["year"] == year]
    return dict(zip(rows["iso3"], rows["burden_pct"].astype(float), strict=True))


def arms_table(run: WindowRun) -> pd.DataFrame:
    """One row per state scored: the observed 2019→2024 change and the forecasts of it (pp)."""
    then, start, end = (observed_burden(y) for y in (START - 5, START, END))
    model_change = 100.0 * (run.burden.mean(axis=0) - run.burden_start)
    rows = []
    for i, code in enumerate(run.codes):
        if code in UNRELIABLE_BURDEN:
            continue
        rows.append(
            {
                "country": code,
                f"observed_{START}": start[code],
                f"observed_{END}": end[code],
                "observed_change": end[code] - start[code],
                "model_change": float(model_change[i]),
                "persistence_change": start[code] - then[code],
                "no_change": 0.0,
            }
        )
    return pd.DataFrame(rows)


def score_arms(table: pd.DataFrame) -> dict[str, Any]:
    """Rank correlations and median absolute errors of the model and both baselines."""
    o = table["observed_change"].to_numpy()
    errors = {
        f: np.abs(table[f].to_numpy() - o)
        for f in ("model_change", "persistence_change", "no_change")
    }
    mae = {f: float(np.median(e)) for f, e in errors.items()}
    model = errors["model_change"]
    return {
        "spearman": scoring.spearman(table["model_change"], o),
        "median_abs_error": mae["model_change"],
        "persistence_spearman": scoring.spearman(table["persistence_change"], o),
        "persistence_median_abs_error": mae["persistence_change"],
        "no_change_median_abs_error": mae["no_change"],
        "diff": mae["model_change"] - mae["persistence_change"],
        "diff_ci": list(scoring.difference_interval(model, errors["persistence_change"], "median")),
        "no_change_diff": mae["model_change"] - mae["no_change"],
        "no_change_diff_ci": list(
            scoring.difference_interval(model, errors["no_change"], "median")
        ),
        "n_states": len(table),
        "states": list(table["country"]),
        "left_out": dict(UNRELIABLE_BURDEN),
        "units": f"percentage points of GDP, the change {START}->{END}",
        "model": "the model's own burden: its mean over replicates and over the months of "
        f"{END}, minus month 0 (the {START} data)",
        "persistence": f"the {START - 5}->{START} change carried forward",
        "no_change": f"the {START} burden kept (a change of zero; it has no ranking)",
        "interval": "median absolute error of the model minus the baseline's (< 0 favours the "
        f"model); percentile bootstrap over states, {scoring.RESAMPLES} resamples, seed "
        f"{scoring.BOOTSTRAP_SEED}",
    }


# --------------------------------------------------------------------------------------------
# Alignment


def alignment_table(run: WindowRun) -> pd.DataFrame:
    """One row per state scored: the 2019 and 2024 index and the model's 2024 alignment."""
    start, end = observed.alignment_in(START), observed.alignment_in(END)
    mean, spread = run.alignment.mean(axis=0), run.alignment.std(axis=0, ddof=1)
    rows = [
        {
            "country": code,
            f"observed_{START}": start[code],
            f"observed_{END}": end[code],
            "model": float(mean[i]),
            "model_sd": float(spread[i]),
            "persistence": start[code],
        }
        for i, code in enumerate(run.codes)
        if code not in POLES
    ]
    return pd.DataFrame(rows)


def score_alignment(table: pd.DataFrame) -> dict[str, Any]:
    """RMSE of the model and of persistence, and the interval of their difference."""
    o = table[f"observed_{END}"].to_numpy()
    squared = {f: (table[f].to_numpy() - o) ** 2 for f in ("model", "persistence")}
    rmse = {f: scoring.rmse(table[f], o) for f in squared}
    return {
        "rmse": rmse["model"],
        "persistence_rmse": rmse["persistence"],
        "diff": rmse["model"] - rmse["persistence"],
        "diff_ci": list(
            scoring.difference_interval(squared["model"], squared["persistence"], "root_mean")
        ),
        "n_states": len(table),
        "states": list(table["country"]),
        "left_out": dict.fromkeys(POLES, "a pole of the axis (+1 or -1 by construction)"),
        "measure": "the security-alignment index (sim.scenario.observed), -1 China ... +1 US",
        "model": f"the mean over replicates and over the months of {END}",
        "persistence": f"the {START} index kept",
        "interval": "RMSE of the model minus persistence's (< 0 favours the model); percentile "
        f"bootstrap over countries, {scoring.RESAMPLES} resamples, seed "
        f"{scoring.BOOTSTRAP_SEED}",
    }


# --------------------------------------------------------------------------------------------
# The whole test


@dataclass(frozen=True)
class OutOfSample:
    """The window's scores, and the tables they were computed from.

    Attributes:
        incidents: Scores of the incident forecasts (:func:`score_incidents`).
        arms: Scores of the burden changes (:func:`score_arms`).
        alignment: Scores of the 2024 alignment (:func:`score_alignment`).
        tables: ``incidents``, ``arms``, ``alignment``: the rows scored.
        scenario: What the run scripted, in words and names.
        replicates: Replicates run.
        seed: Base seed.
    """

    incidents: dict[str, Any]
    arms: dict[str, Any]
    alignment: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(repr=False)
    scenario: dict[str, Any]
    replicates: int
    seed: int

    def targets(self) -> dict[str, Any]:
        """The issue's targets, each met or not (:func:`targets`)."""
        return targets(self.incidents, self.arms, self.alignment)


def out_of_sample(
    replicates: int = 100, seed: int = 2015, scenario: Scenario | None = None
) -> OutOfSample:
    """Run the window 2019→2024 and score it against the record of 2020–2024.

    Args:
        replicates: Replicates of the ensemble.
        seed: Base seed (the scores are a deterministic function of it).
        scenario: The window's scenario with other coefficients (default
            :func:`window_scenario`, the judgement values).

    Returns:
        The scores of the three patterns, with their tables.
    """
    scenario = window_scenario() if scenario is None else scenario
    run = run_window(scenario, replicates, seed)
    tables = {
        "incidents": incident_table(run, scenario),
        "arms": arms_table(run),
        "alignment": alignment_table(run),
    }
    history = history_from(START)
    dropped = sorted(n for n, e in history["events"].items() if e["kind"] in OUTCOME_EVENTS)
    described = {
        "name": scenario.name,
        "start": "scenarios/history_2015_2023.yaml restarted from the 2019 data "
        "(sim.studies.backtest.history_from); alignment from the 2019 security-alignment index",
        "horizon_months": scenario.horizon,
        "months_of_year": {
            str(y): [months_of(y, START)[0], months_of(y, START)[-1]] for y in SCORED_YEARS
        },
        "events_left_out": dropped,
        "events_kept": sorted(scenario.events),
        "inputs_added": sorted(n for entries in INPUTS_2024.values() for n in entries),
    }
    return OutOfSample(
        incidents=score_incidents(tables["incidents"]),
        arms=score_arms(tables["arms"]),
        alignment=score_alignment(tables["alignment"]),
        tables=tables,
        scenario=described,
        replicates=replicates,
        seed=seed,
    )


def targets(
    incidents: dict[str, Any], arms: dict[str, Any], alignment: dict[str, Any]
) -> dict[str, Any]:
    """The issue's targets, each met or not.

    Out of sample the model should beat every naive baseline on all three patterns; the
    interval of its difference with the strongest baseline should exclude zero, in its favour,
    on at least two; and its arms rank correlation should reach 0.5.
    """
    strongest_incidents = (
        "diff_ci"
        if incidents["baseline_log_score"] >= incidents["rule_log_score"]
        else "rule_diff_ci"
    )
    strongest_arms = (
        "diff_ci"
        if arms["persistence_median_abs_error"] <= arms["no_change_median_abs_error"]
        else "no_change_diff_ci"
    )
    beats = {
        "incidents": incidents["log_score"]
        > max(incidents["baseline_log_score"], incidents["rule_log_score"]),
        "arms": arms["median_abs_error"]
        < min(arms["persistence_median_abs_error"], arms["no_change_median_abs_error"])
        and arms["spearman"] > arms["persistence_spearman"],
        "alignment": alignment["rmse"] < alignment["persistence_rmse"],
    }
    excludes = {
        "incidents": incidents[strongest_incidents][0] > 0,
        "arms": arms[strongest_arms][1] < 0,
        "alignment": alignment["diff_ci"][1] < 0,
    }
    rank = arms["spearman"]
    return {
        "beats_every_baseline": beats,
        "interval_excludes_zero": excludes,
        "arms_spearman_at_least_0_5": bool(not math.isnan(rank) and rank >= 0.5),
        "met": {
            "beat every baseline on all three patterns": all(beats.values()),
            "interval excludes zero on at least two": sum(excludes.values()) >= 2,
            "arms rank correlation >= 0.5": bool(not math.isnan(rank) and rank >= 0.5),
        },
    }


def plain(value: Any) -> Any:
    """``value`` with NumPy scalars as Python numbers and NaN as None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(result: OutOfSample) -> dict[str, Any]:
    """The scores as one JSON object: each pattern with its baselines and its rows.

    Undefined numbers (a rank correlation of a forecast that does not vary) are null.
    """
    patterns = {
        name: {**getattr(result, name), "table": result.tables[name].to_dict("records")}
        for name in ("incidents", "arms", "alignment")
    }
    return plain(
        {
            "window": [START, END],
            "scored_years": list(SCORED_YEARS),
            "baseline_years": [FIT_YEARS[0], FIT_YEARS[-1]],
            "replicates": result.replicates,
            "seed": result.seed,
            "scenario": result.scenario,
            **patterns,
            "targets": result.targets(),
        }
    )


def _ci(interval: list[float]) -> str:
    return f"[{interval[0]:+.3f}, {interval[1]:+.3f}]"


def _number(value: float, form: str) -> str:
    return "—" if math.isnan(value) else format(value, form)


def markdown(result: OutOfSample) -> str:
    """The scores as three Markdown tables and the targets, met or not."""
    inc, arms, ali = result.incidents, result.arms, result.alignment
    years = f"{SCORED_YEARS[0]}–{SCORED_YEARS[-1]}"
    lines = [
        f"Incidents: P(max rung ≥ {STANDOFF}) in {inc['n_dyad_years']} dyad-years "
        f"({inc['n_dyads']} dyads × {years}; {inc['observed_at_standoff']} reached it)",
        "",
        "| forecast | log score | model − forecast [95% CI] |",
        "|---|---:|---|",
        f"| model | {inc['log_score']:.3f} | — |",
        f"| constant rate per dyad ({FIT_YEARS[0]}–{FIT_YEARS[-1]}) | "
        f"{inc['baseline_log_score']:.3f} | {inc['diff']:+.3f} {_ci(inc['diff_ci'])} |",
        f"| inputs-only rule | {inc['rule_log_score']:.3f} | "
        f"{inc['rule_diff']:+.3f} {_ci(inc['rule_diff_ci'])} |",
        "",
        f"Arms: burden change {START}→{END}, percentage points, {arms['n_states']} states "
        f"(left out: {', '.join(arms['left_out'])})",
        "",
        "| forecast | Spearman ρ | median abs. error | model − forecast [95% CI] |",
        "|---|---:|---:|---|",
        f"| model | {_number(arms['spearman'], '+.2f')} | {arms['median_abs_error']:.3f} | — |",
        f"| persistence ({START - 5}→{START} change) | "
        f"{_number(arms['persistence_spearman'], '+.2f')} | "
        f"{arms['persistence_median_abs_error']:.3f} | {arms['diff']:+.3f} "
        f"{_ci(arms['diff_ci'])} |",
        f"| no change | — | {arms['no_change_median_abs_error']:.3f} | "
        f"{arms['no_change_diff']:+.3f} {_ci(arms['no_change_diff_ci'])} |",
        "",
        f"Alignment: the {END} security-alignment index, {ali['n_states']} states",
        "",
        "| forecast | RMSE | model − forecast [95% CI] |",
        "|---|---:|---|",
        f"| model | {ali['rmse']:.3f} | — |",
        f"| persistence ({START} index) | {ali['persistence_rmse']:.3f} | "
        f"{ali['diff']:+.3f} {_ci(ali['diff_ci'])} |",
        "",
        "Targets:",
        "",
    ]
    for target, met in result.targets()["met"].items():
        lines.append(f"- {target}: {'met' if met else 'not met'}")
    return "\n".join(lines) + "\n"
