"""Scenario comparison: ensembles side by side with common random numbers.

Every scenario runs the same replicate indices from the same base seed, so replicate r of each
scenario sees the same random draws wherever the scenarios agree (common random numbers).
Differences between scenarios are then paired, replicate by replicate, and most of the noise
cancels: an effect needs far fewer replicates to show, and a scenario compared with a renamed
copy of itself differs by exactly zero.

By default a comparison carries **parameter uncertainty** too: the free coefficients are drawn
from their priors (:mod:`sim.scenario.priors`, ``seeds/priors.yaml``) as ``K`` Latin-hypercube
sets, replicate r takes set ``r mod K``, and every scenario meets the same sets; a coefficient a
scenario sets itself keeps its value. A difference is then the mean over the sets of each
set's mean difference: the design's effect averaged over the priors. Its interval is a
bootstrap over the sets, an interval for that average (the Monte-Carlo noise within each set is
in each set's mean); how much the effect itself varies with the judgements is the spread of the
sets' differences (their 5th to 95th percentile), and ``sign_share`` / ``zero_share`` say in what
share of the sets the difference has the sign of the mean, or is exactly zero. An outcome is
read against its declared minimum meaningful difference ``m`` (:data:`MINIMUM_DIFFERENCE`), an
equivalence test: ``higher`` or ``lower`` when the whole interval lies beyond ``±m``, ``about
unchanged`` when it lies within ``(−m, m)``, ``inconclusive`` when it straddles ``±m``. With
fixed parameters (``parameter_sets=None``) every replicate runs the scenario's own coefficients
and the interval is over replicates.

The outcome table follows the CSIS wargame reports: for each scenario, how often each rung of
the escalation ladder was reached within the horizon (with Wilson 95% intervals), and the
distribution of the main end states.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.core import batch
from sim.core.compile import compile_world
from sim.core.engine import Trajectory, concatenate, simulate
from sim.scenario.ladder import ESCALATION_LEVELS, OUTCOME_LEVELS
from sim.scenario.priors import draw_sets, split_propensities, with_coefficients
from sim.scenario.schema import Scenario

#: Bootstrap resamples for the confidence interval of a difference.
BOOTSTRAP_RESAMPLES = 2000

#: The smallest difference of each outcome a reader should act on: below it a difference is
#: "about unchanged" (see the module docstring). Judgements, each a step a facilitator or a
#: reader of the record would notice: two percentage points of probability of reaching a rung;
#: a hundredth of a 0–1 index (tension, polarization, hedging, credibility, threat); one
#: incident in a run; a quarter of a rung of the highest escalation; half a hedging state; 0.02
#: of alignment, one hundredth of the axis from China to the US (the year-to-year change of the
#: security-alignment index, which the model's alignment starts from, has a median of 0.01);
#: one percentage point of spending growth over the run; half a move and a quarter of a
#: back-down in a run; 0.02 of coercion intensity (a tenth of the 0.2 a campaign
#: typically runs at).
MINIMUM_DIFFERENCE = {
    **{f"p_{level}": 0.02 for level in ESCALATION_LEVELS},
    "regional_tension": 0.01,
    "polarization": 0.01,
    "hedging": 0.01,
    "hedgers": 0.5,
    "us_credibility": 0.01,
    "incidents_total": 1.0,
    "max_escalation": 0.25,
    "alignment": 0.02,
    "threat": 0.01,
    "milex_change_pct": 1.0,
    "moves": 0.5,
    "retreats": 0.25,
    "coercion_intensity": 0.02,
}


class ComparisonError(ValueError):
    """Scenarios that cannot be compared (same name twice, different horizons…)."""


@dataclass
class Comparison:
    """Ensembles of several scenarios run with common random numbers.

    Attributes:
        scenarios: The validated scenarios, first one is the reference.
        trajectories: One trajectory per scenario name.
        seed: Base seed shared by all scenarios.
        sets: The coefficient set each replicate ran (in the trajectories' replicate order),
            or None when every replicate ran the scenarios' own coefficients.
        coefficients: The drawn coefficient sets (path → value), or None.
    """

    scenarios: list[Scenario]
    trajectories: dict[str, Trajectory]
    seed: int
    sets: np.ndarray | None = None
    coefficients: list[dict[str, float]] | None = None

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
    parameter_sets: int | None = None,
) -> Comparison:
    """Run every scenario with the same seed and replicate indices.

    Args:
        scenarios: Validated scenarios; the first is the reference for differences.
        replicates: Replicates per scenario.
        seed: Base seed for all; defaults to the first scenario's.
        progress: Called with replicate-months completed.
        parameter_sets: Draw this many coefficient sets from the priors (at most one per
            replicate), the same for every scenario; None runs each scenario's own coefficients.

    Returns:
        The comparison.
    """
    check_comparable(scenarios)
    seed = scenarios[0].seed if seed is None else seed
    if parameter_sets is None:
        trajectories = {
            s.name: simulate(compile_world(s), replicates, seed=seed, progress=progress)
            for s in scenarios
        }
        return Comparison(scenarios=scenarios, trajectories=trajectories, seed=seed)
    count = min(parameter_sets, replicates)
    coefficients = draw_sets(count, seed)
    sets = np.arange(replicates) % count
    order = np.argsort(sets, kind="stable")  # replicates grouped by set, each group ascending
    trajectories = {
        s.name: _uncertain(s, coefficients, order, sets[order], seed, progress) for s in scenarios
    }
    return Comparison(scenarios, trajectories, seed, sets[order], coefficients)


def _uncertain(
    scenario: Scenario,
    coefficients: list[dict[str, float]],
    indices: np.ndarray,
    sets: np.ndarray,
    seed: int,
    progress: Callable[[int], None] | None,
) -> Trajectory:
    """One scenario's replicates ``indices``, each with its coefficient set ``sets[i]``.

    The sets' worlds are stacked into one computation per :data:`~sim.core.batch.MAX_REPLICATES`
    replicates (a replicate gives the same numbers alone or stacked); the trajectory's world is
    the scenario's own.
    """
    own = {
        f"{group}.{name}"
        for group in type(scenario.parameters).model_fields
        for name in getattr(scenario.parameters, group).model_fields_set
    }
    worlds = []
    for values in coefficients:
        drawn, kappa = split_propensities(values)
        drawn = {path: value for path, value in drawn.items() if path not in own}
        params = with_coefficients(scenario.parameters, drawn)
        updated = scenario.model_copy(update={"parameters": params})
        worlds.append(compile_world(updated, propensity=kappa or None))
    counts = np.bincount(sets, minlength=len(coefficients))
    parts, start, group = [], 0, []
    for k, n in enumerate(counts.tolist()):
        if group and sum(counts[g] for g in group) + n > batch.MAX_REPLICATES:
            parts.append(_run_sets(worlds, group, counts, indices, start, seed, progress))
            start += int(sum(counts[g] for g in group))
            group = []
        group.append(k)
    parts.append(_run_sets(worlds, group, counts, indices, start, seed, progress))
    joined = parts[0] if len(parts) == 1 else concatenate(parts)
    return dataclasses.replace(joined, world=compile_world(scenario))


def _run_sets(worlds, group, counts, indices, start, seed, progress) -> Trajectory:
    """The replicates of the coefficient sets ``group``, stacked where the engine can."""
    sizes = [int(counts[k]) for k in group]
    chosen = indices[start : start + sum(sizes)]
    stacked = batch.stack([worlds[k] for k in group], sizes) if len(group) > 1 else worlds[group[0]]
    if stacked is not None:
        # A stacked group holds at most MAX_REPLICATES replicates and runs whole; one set alone
        # may hold more, and runs in the engine's usual chunks.
        return simulate(stacked, chosen, seed=seed, progress=progress)
    bounds = np.cumsum(sizes)[:-1]
    return concatenate(
        [
            simulate(worlds[k], part, seed=seed, progress=progress)
            for k, part in zip(group, np.split(chosen, bounds), strict=True)
        ]
    )


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
    significant, sign_share, zero_share, set_p05, set_p95, minimum_difference, verdict``.
    ``diff`` is the mean paired difference from the reference scenario (over the coefficient
    sets' means when the comparison drew them) with a 95% bootstrap interval (over the sets,
    else over replicates); ``significant`` when the interval excludes zero; ``sign_share`` and
    ``zero_share`` the shares of coefficient sets in which the difference has the mean's sign or
    is zero, ``set_p05``/``set_p95`` the 5th and 95th percentiles of the sets' differences (all
    four empty with fixed parameters); ``verdict`` the equivalence reading of the module
    docstring against :data:`MINIMUM_DIFFERENCE`.
    """
    reference = outcomes(comparison.trajectories[comparison.reference])
    keys = list(reference)
    rows = []
    for name in comparison.names:
        values = outcomes(comparison.trajectories[name])
        matrix = np.column_stack([values[k] for k in keys])
        diff = matrix - np.column_stack([reference[k] for k in keys])
        empty = np.full(len(keys), np.nan)
        if comparison.sets is None:
            mean = diff.mean(axis=0)
            low, high = difference_ci(diff)
            share, zero, spread = empty, empty, (empty, empty)
        else:
            per_set = set_means(diff, comparison.sets)
            mean = per_set.mean(axis=0)
            low, high = difference_ci(per_set)
            share, zero = sign_share(per_set), (per_set == 0).mean(axis=0)
            spread = np.quantile(per_set, [0.05, 0.95], axis=0)
        p05, p95 = np.quantile(matrix, [0.05, 0.95], axis=0)
        for j, (metric, country) in enumerate(keys):
            floor = MINIMUM_DIFFERENCE[metric]
            rows.append(
                {
                    "scenario": name,
                    "metric": metric,
                    "country": country,
                    "mean": matrix[:, j].mean(),
                    "p05": p05[j],
                    "p95": p95[j],
                    "diff": mean[j],
                    "diff_low": low[j],
                    "diff_high": high[j],
                    "significant": bool(low[j] > 0 or high[j] < 0),
                    "sign_share": share[j],
                    "zero_share": zero[j],
                    "set_p05": spread[0][j],
                    "set_p95": spread[1][j],
                    "minimum_difference": floor,
                    "verdict": verdict(low[j], high[j], floor),
                }
            )
    return pd.DataFrame(rows)


def set_means(diff: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Mean of the rows of ``diff`` within each coefficient set, ``(K, columns)``."""
    counts = np.bincount(sets)
    sums = np.zeros((counts.size, diff.shape[1]))
    np.add.at(sums, sets, diff)
    return sums / counts[:, None]


def sign_share(per_set: np.ndarray) -> np.ndarray:
    """Share of the sets (rows) whose difference has the sign of the mean (of zero if none)."""
    sign = np.sign(per_set.mean(axis=0))
    return (np.sign(per_set) == sign).mean(axis=0)


def verdict(low: float, high: float, floor: float) -> str:
    """The reading of a difference with interval ``[low, high]`` against its minimum ``floor``.

    ``higher`` or ``lower`` when the whole interval lies beyond ``±floor``; ``about unchanged``
    when it lies within ``(−floor, floor)``; ``inconclusive`` when it straddles ``±floor``.
    """
    if low >= floor:
        return "higher"
    if high <= -floor:
        return "lower"
    if -floor < low and high < floor:
        return "about unchanged"
    return "inconclusive"


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion."""
    ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def proportion_interval(hits: np.ndarray, sets: np.ndarray | None) -> tuple[float, float]:
    """95% interval of the share of replicates with ``hits`` (0/1), ``(R,)``.

    Replicates of one coefficient set are not independent of each other (they share the set's
    coefficients), so with ``sets`` the interval is a percentile bootstrap over the sets (the
    share recomputed from resampled sets); where every set agrees, Wilson's interval with one
    observation per set. Without ``sets``, Wilson's interval over the replicates.
    """
    if sets is None:
        return wilson(int(hits.sum()), hits.size)
    counts = np.bincount(sets)
    sums = np.bincount(sets, weights=hits, minlength=counts.size)
    if np.all(sums == 0) or np.all(sums == counts):
        return wilson(counts.size if sums.sum() else 0, counts.size)
    rng = np.random.default_rng(20_250_101)
    draw = rng.integers(0, counts.size, size=(BOOTSTRAP_RESAMPLES, counts.size))
    shares = sums[draw].sum(axis=1) / counts[draw].sum(axis=1)
    low, high = np.quantile(shares, [0.025, 0.975])
    return float(low), float(high)


def outcome_table(comparison: Comparison) -> pd.DataFrame:
    """CSIS-style outcome table: one row per scenario.

    Columns: for each rung from standoff to war, the share of replicates reaching it and its
    95% interval (:func:`proportion_interval`: Wilson's, or over the coefficient sets when the
    comparison drew them); then mean final polarization, hedging (the continuous measure) and the
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
            reached = values[(f"p_{level}", "")]
            low, high = proportion_interval(reached, comparison.sets)
            share = float(reached.mean())
            row |= {f"p_{level}": share, f"p_{level}_low": low, f"p_{level}_high": high}
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
