"""Scenario comparison: ensembles side by side with common random numbers.

Every scenario runs the same replicate indices from the same base seed, so replicate r of each
scenario sees the same random draws wherever the scenarios agree (common random numbers).
Differences between scenarios are then paired, replicate by replicate, and most of the noise
cancels: an effect needs far fewer replicates to show, and a scenario compared with a renamed
copy of itself differs by exactly zero.

The outcome table follows the CSIS wargame reports: for each scenario, how often each rung of
the escalation ladder was reached within the horizon (with Wilson 95% intervals), and the
distribution of the main end states.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.compile import compile_world
from sim.core.engine import Trajectory, simulate
from sim.scenario.ladder import ESCALATION_LEVELS, OUTCOME_LEVELS
from sim.scenario.schema import Scenario

#: Bootstrap resamples for the confidence interval of a difference.
BOOTSTRAP_RESAMPLES = 2000


class ComparisonError(ValueError):
    """Scenarios that cannot be compared (same name twice, different horizons…)."""


@dataclass
class Comparison:
    """Ensembles of several scenarios run with common random numbers.

    Attributes:
        scenarios: The validated scenarios, first one is the reference.
        trajectories: One trajectory per scenario name.
        seed: Base seed shared by all scenarios.
    """

    scenarios: list[Scenario]
    trajectories: dict[str, Trajectory]
    seed: int

    @property
    def names(self) -> list[str]:
        """Scenario names in order (the first is the reference)."""
        return [s.name for s in self.scenarios]

    @property
    def reference(self) -> str:
        """Name of the reference scenario."""
        return self.names[0]


def check_comparable(scenarios: list[Scenario]) -> None:
    """Refuse duplicate names and differing horizons, with a hint."""
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ComparisonError(
            f"scenario {duplicates[0]!r} is given more than once; compare different scenarios "
            "(a copy must have its own name)"
        )
    horizons = {s.name: s.horizon for s in scenarios}
    if len(set(horizons.values())) > 1:
        listed = ", ".join(f"{n}: {h}" for n, h in horizons.items())
        raise ComparisonError(
            f"the scenarios have different horizons ({listed}); pass --horizon to compare them "
            "over the same number of months"
        )


def run_comparison(
    scenarios: list[Scenario],
    replicates: int,
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Run every scenario with the same seed and replicate indices.

    Args:
        scenarios: Validated scenarios; the first is the reference for differences.
        replicates: Replicates per scenario.
        seed: Base seed for all; defaults to the first scenario's.
        progress: Called with replicate-months completed.

    Returns:
        The comparison.
    """
    check_comparable(scenarios)
    seed = scenarios[0].seed if seed is None else seed
    trajectories = {
        s.name: simulate(compile_world(s), replicates, seed=seed, progress=progress)
        for s in scenarios
    }
    return Comparison(scenarios=scenarios, trajectories=trajectories, seed=seed)


def outcomes(trajectory: Trajectory) -> dict[tuple[str, str], np.ndarray]:
    """Per-replicate outcome values, keyed by ``(metric, country)`` (country '' if none).

    Final-month values of the model metrics, whether each escalation rung was reached, total
    incidents, and per country: final alignment, threat and spending change (percent), and
    the states' decisions: moves made, back-downs, and mean gray-zone coercion a month
    (summed over its targets).
    """
    world = trajectory.world
    reached = trajectory.max_level.max(axis=1)
    values: dict[tuple[str, str], np.ndarray] = {}
    for i, level in enumerate(ESCALATION_LEVELS):
        values[(f"p_{level}", "")] = (reached >= i + 1).astype(float)
    for name, series in trajectory.model.items():
        if name == "incidents":
            values[("incidents_total", "")] = series[1:].sum(axis=0)
        elif name == "max_escalation":
            values[("max_escalation", "")] = reached.astype(float)
        else:
            values[(name, "")] = series[-1]
    milex = trajectory.countries["milex_usd_bn"]
    for i, code in enumerate(world.codes):
        values[("alignment", code)] = trajectory.countries["alignment"][-1, :, i]
        values[("threat", code)] = trajectory.countries["threat"][-1, :, i]
        values[("milex_change_pct", code)] = 100.0 * (milex[-1, :, i] / milex[0, :, i] - 1.0)
        # the states' decisions (docs/model.md §9): what each chose, over the run
        values[("moves", code)] = trajectory.countries["moves"][-1, :, i]
        values[("retreats", code)] = trajectory.countries["retreats"][-1, :, i]
        values[("coercion_intensity", code)] = (
            trajectory.countries["coercion_months"][-1, :, i] / trajectory.horizon
        )
    return values


def difference_ci(diff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% percentile-bootstrap interval of the mean paired difference, per column."""
    if np.all(diff == diff[:1]):  # identical columns: the interval is the point
        return diff[0], diff[0]
    result = stats.bootstrap(
        (diff,),
        np.mean,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=0.95,
        method="percentile",
        axis=0,
        vectorized=True,
        rng=np.random.default_rng(20_250_101),
    )
    low, high = result.confidence_interval
    constant = np.all(diff == diff[:1], axis=0)
    return np.where(constant, diff[0], low), np.where(constant, diff[0], high)


def compare_table(comparison: Comparison) -> pd.DataFrame:
    """One row per scenario × outcome (× country): distribution and paired difference.

    Columns: ``scenario, metric, country, mean, p05, p95, diff, diff_low, diff_high,
    significant``. ``diff`` is the mean paired difference from the reference scenario with a
    95% bootstrap interval; ``significant`` when the interval excludes zero.
    """
    reference = outcomes(comparison.trajectories[comparison.reference])
    keys = list(reference)
    rows = []
    for name in comparison.names:
        values = outcomes(comparison.trajectories[name])
        matrix = np.column_stack([values[k] for k in keys])
        diff = matrix - np.column_stack([reference[k] for k in keys])
        low, high = difference_ci(diff)
        p05, p95 = np.quantile(matrix, [0.05, 0.95], axis=0)
        for j, (metric, country) in enumerate(keys):
            rows.append(
                {
                    "scenario": name,
                    "metric": metric,
                    "country": country,
                    "mean": matrix[:, j].mean(),
                    "p05": p05[j],
                    "p95": p95[j],
                    "diff": diff[:, j].mean(),
                    "diff_low": low[j],
                    "diff_high": high[j],
                    "significant": bool(low[j] > 0 or high[j] < 0),
                }
            )
    return pd.DataFrame(rows)


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion."""
    ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def outcome_table(comparison: Comparison) -> pd.DataFrame:
    """CSIS-style outcome table: one row per scenario.

    Columns: for each rung from standoff to war, the share of replicates reaching it and its
    Wilson interval; then mean final polarization, hedging (the continuous measure) and the
    count of hedgers, US credibility, China's perceived threat, China's gray-zone coercion (its
    mean intensity a month, summed over its targets), the moves all states made, and the mean
    change in spending of the main actors.
    """
    rows = []
    for name in comparison.names:
        trajectory = comparison.trajectories[name]
        values = outcomes(trajectory)
        n = len(trajectory.replicates)
        row: dict[str, float | str] = {"scenario": name, "replicates": n}
        for level in OUTCOME_LEVELS:
            hits = int(values[(f"p_{level}", "")].sum())
            low, high = wilson(hits, n)
            row |= {f"p_{level}": hits / n, f"p_{level}_low": low, f"p_{level}_high": high}
        row |= {
            "polarization": values[("polarization", "")].mean(),
            "hedging": values[("hedging", "")].mean(),
            "hedgers": values[("hedgers", "")].mean(),
            "us_credibility": values[("us_credibility", "")].mean(),
            "china_threat": values[("threat", "CHN")].mean(),
            "china_coercion": values[("coercion_intensity", "CHN")].mean(),
            "moves": sum(values[("moves", code)] for code in trajectory.world.codes).mean(),
        }
        for code in ("USA", "CHN", "JPN", "AUS", "PHL", "VNM"):
            row[f"milex_change_pct_{code}"] = values[("milex_change_pct", code)].mean()
        rows.append(row)
    return pd.DataFrame(rows)
