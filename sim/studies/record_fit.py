"""Calibration on the record: what the incidents, burden and alignment of 2016–2019 identify.

The model is run on the fit window, the history from the 2015 data with no outcome scripted
(:func:`sim.studies.out_of_sample.window_data` from 2015 to 2019: 54 months, its four full
calendar years 2016–2019 scored), and each run is scored on three patterns of the hand-coded
record (``seeds/README.md``, "The historical record 2013–2024"):

- **incidents**: for each dispute dyad and year, the highest rung the record gives it, in four
  categories (0 calm, 1 gray zone, 2 standoff, 3 clash or higher). The model's probability of
  each category is its share of the replicates, with Jeffreys' ½ added to each of the four
  counts (so no category has probability zero); the loss is the mean negative
  log-likelihood per dyad-year. This is a **simulated likelihood**: the likelihood of the
  record's dyad-years with the model's probabilities estimated by simulation (the dyad-years
  taken as independent given the model, which they are not quite: the same campaign runs on
  from year to year);
- **arms**: each state's change in military burden 2015→2019 (percentage points of GDP), the
  model's own burden over 2019's months against ``burden_pct``, by root mean squared error
  (Vietnam, Laos and North Korea left out, as the out-of-sample test does): least squares, a
  Gaussian likelihood with one variance;
- **alignment**: the 2019 security-alignment index of the 17 states other than the poles, by
  root mean squared error of the model's mean over 2019's months: least squares again.

**Profiles, not a joint fit.** Each free coefficient of :data:`GROUPS` (and
:data:`ALSO`) is moved alone over its prior's range (:mod:`sim.scenario.priors`: its quantiles
at :data:`POINTS` evenly spaced probabilities, plus its shipped value, which is its prior's
``judgement``: the judgement value, or the fitted one of a calibrated coefficient) with every
other coefficient at its shipped value, and the three losses are read from the same run. Every
point uses the same replicates (common random numbers), so a profile's steps are the model's
response and not fresh noise. A slice through the shipped point is not a profile likelihood
(which re-fits the others at each point), and it does not see two coefficients that trade off
along a ridge; :mod:`sim.studies.identifiability` says more.

**Identified** means what it means in :mod:`sim.studies.identifiability`: the profile rises
above its best point by more than the loss's precision (the largest of 1% of the best value,
twice its standard deviation over :data:`NOISE_SEEDS` other seeds at the shipped point, and
10⁻⁴). That is a conservative screen: the points of a profile share their replicates, so the
noise of a comparison between two of them is smaller than the seed-to-seed spread of the loss
itself, and a coefficient the screen calls not identified may be identified by a paired test
(:func:`sim.studies.calibrate.refit` makes one). A coefficient identified by a pattern with an
interior best point and indifference interval is **estimated** by it: the best grid value is
the estimate. One whose best point is the grid's end is pushed there by the data (a bound);
one whose best point is inside but whose interval reaches an end has only an upper or a lower
limit; one not identified keeps its prior. Only an estimate is a candidate for calibration.

**Scored out of sample.** The estimates, all at once, are run on the 2019→2024 window and
scored as ``geosim backtest --json`` scores the shipped values
(:func:`sim.studies.out_of_sample.out_of_sample`), so a fit that only chases noise of the fit
years shows as no gain, or a loss, on 2020–2024.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario import observed
from sim.scenario.priors import Prior, priors
from sim.scenario.schema import Scenario
from sim.studies import identifiability
from sim.studies import out_of_sample as oos
from sim.studies.identifiability import Profile
from sim.studies.tasks import run_tasks

#: The fit window: the run starts from the data of the first year, the years after it are scored.
START, END = 2015, 2019
#: The first years a calibration's fit window may start from (``geosim calibrate --fit-from``):
#: the shipped 2015, and 2013, the first year of the record (six scored years instead of four).
STARTS = (2013, 2015)


def check_start(start: int) -> None:
    """Refuse a fit window that does not start in one of :data:`STARTS`.

    Raises:
        ValueError: If ``start`` is not a fit window's first year.
    """
    if start not in STARTS:
        raise ValueError(f"a fit window starts in one of {STARTS}, not {start}")


def scored_years(start: int = START) -> tuple[int, ...]:
    """The years a fit window from ``start`` scores: its full calendar years, to :data:`END`."""
    return tuple(range(start + 1, END + 1))


#: The years scored: the full calendar years of the window.
YEARS = scored_years()
#: The patterns, each with the loss it is scored by.
PATTERNS = {
    "incidents": "mean negative log-likelihood per dyad-year of the highest rung (0, 1, 2, 3+)",
    "arms": f"RMSE of the burden change {START}->{END}, percentage points of GDP",
    "alignment": f"RMSE of the {END} alignment against the security-alignment index",
}
#: The groups whose free coefficients are profiled: those the three patterns could identify.
GROUPS = ("incidents", "arms", "alignment")
#: Single coefficients of other groups profiled too: how rationally the states decide, and how
#: sharply threat is felt (which drives arming).
ALSO = ("decisions.rationality", "threat.sensitivity")
#: Grid points over a prior's range (its quantiles at evenly spaced probabilities).
POINTS = 9
#: Other seeds at which the losses are evaluated at the shipped point (their precision).
NOISE_SEEDS = 4
#: Categories of a dyad-year's highest rung: calm, gray zone, standoff, clash or higher.
CATEGORIES = 4
#: Added to each category's count of replicates (Jeffreys' prior).
JEFFREYS = 0.5


def fit_scenario(start: int = START) -> Scenario:
    """The fit window's scenario: the history from ``start`` to 2019, no outcome scripted."""
    return oos.window_scenario(start, END)


def profiled() -> tuple[Prior, ...]:
    """The priors of the coefficients profiled, in the order of the priors."""
    return tuple(
        p
        for p in priors()
        if p.shape != "fixed" and (p.path.split(".")[0] in GROUPS or p.path in ALSO)
    )


def grid(prior: Prior, points: int = POINTS) -> tuple[float, ...]:
    """The values a profile visits, ascending, without repeats.

    The prior's quantiles at evenly spaced probabilities, and its judgement value.
    """
    values = {float(v) for v in prior.quantile(np.linspace(0.0, 1.0, points))}
    values.add(prior.judgement)
    return tuple(sorted(values))


# --------------------------------------------------------------------------------------------
# The losses


def observed_categories(years: Iterable[int] = YEARS) -> np.ndarray:
    """The record's category of each dispute dyad-year, ``(years, dyads)``.

    The highest rung of the year, a clash or higher counted as 3.
    """
    table = observed.incidents()
    rung = {(r.a, r.b, r.year): int(r.max_rung) for r in table.itertuples()}
    pairs = oos.dispute_pairs()
    return np.array(
        [[min(rung[(a, b, y)], CATEGORIES - 1) for a, b in pairs] for y in years], dtype=int
    )


def category_probabilities(peak: np.ndarray) -> np.ndarray:
    """The model's probability of each category per dyad-year from the replicates' peaks.

    Args:
        peak: Highest rung of each replicate's dyad-year, ``(R, years, dyads)``.

    Returns:
        ``(years, dyads, CATEGORIES)``, each row summing to one: ``(count + ½) / (R + 2)``.
    """
    clipped = np.minimum(peak, CATEGORIES - 1)
    counts = np.stack([(clipped == k).sum(axis=0) for k in range(CATEGORIES)], axis=-1)
    return (counts + JEFFREYS) / (peak.shape[0] + CATEGORIES * JEFFREYS)


def incident_loss(peak: np.ndarray, categories: np.ndarray) -> float:
    """Mean negative log-likelihood per dyad-year of the record's categories."""
    p = category_probabilities(peak)
    chosen = np.take_along_axis(p, categories[..., None], axis=-1)[..., 0]
    return float(-np.log(chosen).mean())


def arms_loss(run: oos.WindowRun, start_year: int = START) -> float:
    """RMSE of the burden change over the window from ``start_year``, percentage points of GDP."""
    start, end = oos.observed_burden(start_year), oos.observed_burden(END)
    change = 100.0 * (run.burden.mean(axis=0) - run.burden_start)
    errors = [
        change[i] - (end[c] - start[c])
        for i, c in enumerate(run.codes)
        if c not in oos.UNRELIABLE_BURDEN
    ]
    return float(np.sqrt(np.mean(np.square(errors))))


def alignment_loss(run: oos.WindowRun) -> float:
    """RMSE of the end year's alignment against the security-alignment index."""
    end = observed.alignment_in(END)
    mean = run.alignment.mean(axis=0)
    errors = [mean[i] - end[c] for i, c in enumerate(run.codes) if c not in oos.POLES]
    return float(np.sqrt(np.mean(np.square(errors))))


def losses(
    scenario: Scenario,
    values: dict[str, float],
    replicates: int,
    seed: int,
    patterns: Iterable[str] = tuple(PATTERNS),
) -> dict[str, float]:
    """The losses of one run with the coefficients ``values`` (paths as in the priors).

    Args:
        scenario: The fit window's scenario (:func:`fit_scenario`); its ``baseline_year`` is
            the window's first year, which sets the years scored.
        values: Coefficients to set, by path (``incidents.base_hazard``).
        replicates: Replicates of the run.
        seed: Base seed (common random numbers: the same seed, the same streams).
        patterns: Which of :data:`PATTERNS` to score.

    Raises:
        ValueError: If the scenario does not start in a fit window's first year.
    """
    start = scenario.baseline_year
    check_start(start)
    years = scored_years(start)
    run = oos.run_window(
        oos.scenario_with(scenario, values), replicates, seed, start=start, years=years
    )
    scorers = {
        "incidents": lambda: incident_loss(run.peak, observed_categories(years)),
        "arms": lambda: arms_loss(run, start),
        "alignment": lambda: alignment_loss(run),
    }
    return {pattern: scorers[pattern]() for pattern in patterns}


# --------------------------------------------------------------------------------------------
# The profiles


@dataclass(frozen=True)
class RecordFit:
    """What the record of the fit window identifies, coefficient by coefficient.

    Attributes:
        profiles: Pattern → coefficient path → its profile (:class:`Profile`: the grid, the
            loss at each point, the best point as ``fitted``, the threshold).
        judgement: Pattern → the loss at the shipped values.
        noise: Pattern → the loss's standard deviation over other seeds at the shipped values.
        estimates: Coefficient path → ``(pattern, estimate)`` for every coefficient some pattern
            estimates (identified with an interior best point); where several do, the pattern
            whose profile rises most relative to its threshold.
        out_of_sample: ``judgement`` and ``estimated``: the 2019→2024 scores of the shipped
            values and of the estimates (:func:`sim.studies.out_of_sample.to_json`'s patterns),
            or empty when nothing is estimated.
        settings: Replicates, seed, points, seeds and the window.
    """

    profiles: dict[str, dict[str, Profile]]
    judgement: dict[str, float]
    noise: dict[str, float]
    estimates: dict[str, tuple[str, float]]
    out_of_sample: dict[str, dict[str, Any]]
    settings: dict[str, Any]

    def verdict(self, pattern: str, path: str) -> str:
        """``estimated``, a bound, a one-sided limit or ``not identified`` (:data:`VERDICTS`)."""
        return verdict(self.profiles[pattern][path])


#: A profile's verdict, by where its best point and indifference interval lie.
VERDICTS = {
    "interior": "estimated",
    "lower bound": "at the lower bound",
    "upper bound": "at the upper bound",
    "open below": "an upper limit only",
    "open above": "a lower limit only",
    "flat": "not identified",
}


def verdict(profile: Profile) -> str:
    """What a profile says of its coefficient, in words (see the module docstring)."""
    if not profile.identified:
        return "not identified"
    return VERDICTS[profile.optimum]


def _evaluate(task: tuple[dict[str, float], int, int]) -> dict[str, float]:
    values, replicates, seed = task
    return losses(fit_scenario(), values, replicates, seed)


def fit_record(
    *,
    replicates: int = 60,
    seed: int = 2015,
    points: int = POINTS,
    noise_seeds: int = NOISE_SEEDS,
    workers: int = 1,
    coefficients: Iterable[str] | None = None,
    test: bool = True,
    progress: Callable[[int], None] | None = None,
) -> RecordFit:
    """Profile the coefficients on the fit window's record; score the estimates out of sample.

    Args:
        replicates: Replicates per run.
        seed: Base seed of every profile point (common random numbers).
        points: Grid points per coefficient (:func:`grid`).
        noise_seeds: Other seeds at the judgement values, for the losses' precision.
        workers: Processes that share the runs (1: this one).
        coefficients: Paths to profile (default :func:`profiled`).
        test: Whether to score the estimates on the 2019→2024 window.
        progress: Called with 1 after each run.

    Returns:
        The profiles, the estimates and their out-of-sample scores.
    """
    chosen = profiled()
    if coefficients is not None:
        wanted = set(coefficients)
        unknown = wanted - {p.path for p in chosen}
        if unknown:
            raise ValueError(f"not a profiled coefficient: {sorted(unknown)}")
        chosen = tuple(p for p in chosen if p.path in wanted)
    grids = {p.path: grid(p, points) for p in chosen}
    tasks = [({}, replicates, seed)]
    tasks += [({}, replicates, seed + 1 + k) for k in range(noise_seeds)]
    for path, values in grids.items():
        tasks += [({path: v}, replicates, seed) for v in values]
    results = run_tasks(_evaluate, tasks, workers, progress, chunksize=4)
    judgement = results[0]
    noise = {
        pattern: float(np.std([r[pattern] for r in results[: 1 + noise_seeds]], ddof=1))
        if noise_seeds
        else 0.0
        for pattern in PATTERNS
    }
    profiles: dict[str, dict[str, Profile]] = {pattern: {} for pattern in PATTERNS}
    at = 1 + noise_seeds
    for prior in chosen:
        values = grids[prior.path]
        rows = results[at : at + len(values)]
        at += len(values)
        for pattern in PATTERNS:
            profiles[pattern][prior.path] = _profile(
                prior, values, [r[pattern] for r in rows], noise[pattern]
            )
    estimates = _estimates(profiles)
    tested: dict[str, dict[str, Any]] = {}
    if test and estimates:
        tested = {
            "judgement": _scores(oos.window_scenario(), {}),
            "estimated": _scores(
                oos.window_scenario(), {path: value for path, (_, value) in estimates.items()}
            ),
        }
    return RecordFit(
        profiles=profiles,
        judgement=judgement,
        noise=noise,
        estimates=estimates,
        out_of_sample=tested,
        settings={
            "window": [START, END],
            "years": list(YEARS),
            "replicates": replicates,
            "seed": seed,
            "points": points,
            "noise_seeds": noise_seeds,
            "coefficients": [p.path for p in chosen],
            "losses": dict(PATTERNS),
        },
    )


def _profile(prior: Prior, values: tuple[float, ...], loss: list[float], noise: float) -> Profile:
    """The profile of one loss along one coefficient, its best grid point as the fit."""
    best = int(np.argmin(loss))
    threshold = identifiability.precision_threshold(loss[best], noise)
    return Profile(
        name=prior.path,
        fitted=values[best],
        bounds=(prior.low, prior.high),
        grid=values,
        values=tuple(loss),
        optimum_value=loss[best],
        threshold=threshold,
    )


def _estimates(profiles: dict[str, dict[str, Profile]]) -> dict[str, tuple[str, float]]:
    """Each coefficient some pattern estimates, with the pattern that pins it most sharply."""
    out: dict[str, tuple[str, float, float]] = {}
    for pattern, by_path in profiles.items():
        for path, profile in by_path.items():
            if verdict(profile) != "estimated":
                continue
            sharpness = profile.rise / profile.threshold
            if path not in out or sharpness > out[path][2]:
                out[path] = (pattern, profile.fitted, sharpness)
    return {path: (pattern, value) for path, (pattern, value, _) in out.items()}


def _scores(scenario: Scenario, values: dict[str, float]) -> dict[str, Any]:
    """The out-of-sample scores of the window 2019→2024 with the coefficients ``values``."""
    result = oos.out_of_sample(scenario=oos.scenario_with(scenario, values))
    return {
        "incidents": result.incidents["log_score"],
        "incidents_baseline": result.incidents["baseline_log_score"],
        "arms_median_abs_error": result.arms["median_abs_error"],
        "arms_spearman": result.arms["spearman"],
        "arms_persistence_median_abs_error": result.arms["persistence_median_abs_error"],
        "alignment_rmse": result.alignment["rmse"],
        "alignment_persistence_rmse": result.alignment["persistence_rmse"],
    }


# --------------------------------------------------------------------------------------------
# Reporting


def _value(x: float) -> str:
    return f"{x:.4g}"


def markdown(result: RecordFit) -> str:
    """The profiles as Markdown: one table per pattern, the estimates and their test."""
    lines = [
        f"Fit window {START}→{END} (scored {YEARS[0]}–{YEARS[-1]}), "
        f"{result.settings['replicates']} replicates on common random numbers, seed "
        f"{result.settings['seed']}; {len(result.settings['coefficients'])} coefficients, each "
        f"over its prior's range with the others at their shipped values.",
        "",
        "| pattern | loss | at the shipped values | seed-to-seed sd |",
        "|---|---|---:|---:|",
    ]
    for pattern, loss in PATTERNS.items():
        lines.append(
            f"| {pattern} | {loss} | {result.judgement[pattern]:.4f} | "
            f"{result.noise[pattern]:.4f} |"
        )
    for pattern in PATTERNS:
        rows = sorted(
            result.profiles[pattern].values(),
            key=lambda p: -p.rise / p.threshold,
        )
        lines += [
            "",
            f"**{pattern}** (identified: {sum(p.identified for p in rows)} of {len(rows)})",
            "",
            "| coefficient | shipped | best | rise / threshold | indifferent over | verdict |",
            "|---|---:|---:|---:|---|---|",
        ]
        prior_of = {p.path: p for p in priors()}
        for p in rows:
            if not p.identified and p.rise / p.threshold < 0.5:
                continue
            low, high = p.indifferent
            lines.append(
                f"| `{p.name}` | {_value(prior_of[p.name].judgement)} | {_value(p.fitted)} | "
                f"{p.rise / p.threshold:.1f} | {_value(low)}–{_value(high)} | {verdict(p)} |"
            )
        flat = [p.name for p in rows if not p.identified and p.rise / p.threshold < 0.5]
        if flat:
            lines += ["", f"Flat (rise under half the threshold): {len(flat)} coefficients."]
    lines += ["", "**Estimated** (identified with an interior best point):", ""]
    if not result.estimates:
        lines.append("none: every coefficient keeps its prior.")
    for path, (pattern, value) in result.estimates.items():
        lines.append(f"- `{path}` = {_value(value)} (by {pattern})")
    if result.out_of_sample:
        j, e = result.out_of_sample["judgement"], result.out_of_sample["estimated"]
        lines += [
            "",
            "| out of sample, 2019→2024 | shipped values | estimates | naive baseline |",
            "|---|---:|---:|---:|",
            f"| incidents, log score (higher is better) | {j['incidents']:.3f} | "
            f"{e['incidents']:.3f} | {j['incidents_baseline']:.3f} (constant rate) |",
            f"| arms, median abs. error (pp) | {j['arms_median_abs_error']:.3f} | "
            f"{e['arms_median_abs_error']:.3f} | "
            f"{j['arms_persistence_median_abs_error']:.3f} (persistence) |",
            f"| arms, Spearman ρ | {_rank(j['arms_spearman'])} | {_rank(e['arms_spearman'])} | |",
            f"| alignment, RMSE | {j['alignment_rmse']:.3f} | {e['alignment_rmse']:.3f} | "
            f"{j['alignment_persistence_rmse']:.3f} (persistence) |",
        ]
    return "\n".join(lines) + "\n"


def _rank(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:+.2f}"


def to_json(result: RecordFit) -> dict[str, Any]:
    """The fit as one JSON object: settings, losses, every profile and the test."""
    return oos.plain(
        {
            **result.settings,
            "judgement": result.judgement,
            "noise": result.noise,
            "profiles": {
                pattern: {
                    path: {
                        "grid": list(p.grid),
                        "loss": list(p.values),
                        "best": p.fitted,
                        "threshold": p.threshold,
                        "rise": p.rise,
                        "indifferent": list(p.indifferent),
                        "verdict": verdict(p),
                    }
                    for path, p in by_path.items()
                }
                for pattern, by_path in result.profiles.items()
            },
            "estimates": {
                path: {"pattern": pt, "value": v} for path, (pt, v) in result.estimates.items()
            },
            "out_of_sample": result.out_of_sample,
        }
    )
