"""Calibration that respects identifiability: each target fitted on what the record can tell.

Two **targets**, each a few coefficients, sensible search ranges, one objective, an
out-of-sample check (:data:`TARGETS`):

- **alignment**: the six free coefficients that set how fast and towards what alignment moves
  (rate, security, economic, inducement, inertia and hedging weights). Objective: the RMSE of the
  simulated 2019 alignment (the mean over the calendar year and over replicates, from the 2015
  data with the scripted history, :mod:`sim.studies.backtest`) against the 2019
  security-alignment index over the 17 scored states. Test: 2019→2023, against persistence;
- **incidents**: the seven coefficients of how often incidents start and how far they climb that
  the record's profiles identify (:mod:`sim.studies.record_fit`): the base and tension hazards,
  the escalation intercept and its tension slope, de-escalation, the land-dispute term and the
  restraint of interdependence. Objective: the mean negative log-likelihood per dispute
  dyad-year of the highest rung of 2016–2019 (four categories, a simulated likelihood,
  :func:`sim.studies.record_fit.incident_loss`), on the fit window with no outcome scripted.
  Test: the same loss on 2020–2024 from the 2019 data
  (:func:`sim.studies.out_of_sample.window_scenario`), against each dyad's own frequencies of
  the four categories over 2013–2019.

For each target:

- **method**: ``scipy.optimize.differential_evolution`` with a fixed seed (global,
  derivative-free, indifferent to the objective's kinks), over search ranges that contain the
  coefficients' plausible ranges and reach past them where the record's profiles pushed a
  coefficient to the edge of its range (:mod:`sim.studies.record_fit`);
- **identifiability**: each coefficient's profile of the objective through the optimum
  (:mod:`sim.studies.identifiability`). The objective is evaluated twice at the optimum to check
  that it is deterministic, and at a few other seeds to measure its Monte-Carlo precision; a
  coefficient whose profile does not rise above that precision is *not identified*, and one
  whose optimum lies at a bound of the search range is *a boundary, not an estimate*: either
  keeps its judgement value and its prior, and is never called calibrated;
- **shipped**: a coefficient identified at an interior optimum takes its fitted value as its
  default, and as its plausible range the values its profile cannot tell from the optimum,
  widened by one grid step on each side (the profile's resolution).

``geosim calibrate [--target NAME]`` runs it and writes ``seeds/calibration.yaml``, which
:mod:`sim.scenario.parameters` reads for the defaults of these coefficients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import differential_evolution

from sim.core.parallel import one_thread
from sim.scenario.parameters import JUDGEMENT_DEFAULTS
from sim.scenario.resources import calibration_file
from sim.studies import identifiability, record_fit
from sim.studies import out_of_sample as oos
from sim.studies.backtest import backtest
from sim.studies.identifiability import Profile


@dataclass(frozen=True)
class Target:
    """What one calibration fits, on what, and how it is tested.

    Attributes:
        name: ``alignment`` or ``incidents``.
        label: The fit in a few words, for a coefficient's source; ``{fit}`` stands for the
            years fitted (:meth:`describe`).
        metric: The objective's name (lower is better).
        coefficients: ``(group, coefficient, (low, high))``: what may move, within what.
        replicates: Replicates per evaluation.
        windows: ``in_sample`` and ``out_of_sample``: the years each scores (``{fit}`` as in
            ``label``).
        baseline: The naive forecast the test compares with.
    """

    name: str
    label: str
    metric: str
    coefficients: tuple[tuple[str, str, tuple[float, float]], ...]
    replicates: int
    windows: dict[str, str]
    baseline: str

    def names(self) -> list[str]:
        """``group.name`` of each coefficient."""
        return [f"{g}.{n}" for g, n, _ in self.coefficients]

    def in_sample(self, start: int = record_fit.START) -> str:
        """The years the fit from ``start`` scores, as ``2015-2019``.

        Alignment: from the start's data to the 2019 index; incidents: the dyad-years after it.
        """
        first = start if self.name == "alignment" else start + 1
        return f"{first}-{record_fit.END}"

    def describe(self, start: int = record_fit.START) -> str:
        """:attr:`label` with the fit window from ``start`` filled in."""
        return self.label.format(fit=self.in_sample(start).replace("-", "–"))


#: The targets. The search ranges contain each plausible range; they reach past it where the
#: record's profiles (docs/validation.md §3) pushed a coefficient to its edge, so that the fit can
#: say where inside the model's bounds the record puts it.
TARGETS: dict[str, Target] = {
    "alignment": Target(
        name="alignment",
        label="alignment {fit} against the security-alignment index",
        metric="alignment RMSE",
        coefficients=(
            ("alignment", "rate", (0.002, 0.08)),
            ("alignment", "security_weight", (0.1, 3.0)),
            ("alignment", "economic_weight", (0.0, 6.0)),
            ("alignment", "inducement_weight", (0.0, 3.0)),
            ("alignment", "inertia", (0.0, 2.0)),
            ("alignment", "hedging_weight", (0.0, 2.0)),
        ),
        replicates=20,
        windows={"in_sample": "{fit}", "out_of_sample": "2019-2023"},
        baseline="persistence",
    ),
    "incidents": Target(
        name="incidents",
        label="incidents, the record's dispute dyad-years {fit}",
        metric="incident log loss per dyad-year",
        coefficients=(
            ("incidents", "base_hazard", (0.02, 0.3)),
            ("incidents", "tension_hazard", (0.25, 4.0)),
            ("incidents", "escalation_base", (-6.0, -2.7)),
            ("incidents", "escalation_tension", (0.3, 5.0)),
            ("incidents", "deescalation", (0.175, 0.95)),
            ("incidents", "land_escalation", (0.0, 2.4)),
            ("incidents", "interdependence_restraint", (1.0, 10.0)),
        ),
        replicates=60,
        windows={"in_sample": "{fit}", "out_of_sample": "2020-2024"},
        baseline="each dyad's frequencies 2013-2019",
    ),
}
#: Every target's coefficients, in order.
COEFFICIENTS: tuple[tuple[str, str, tuple[float, float]], ...] = tuple(
    c for target in TARGETS.values() for c in target.coefficients
)
#: Other seeds at which the objective is evaluated at the optimum, to measure its precision.
NOISE_SEEDS = 4


@dataclass(frozen=True)
class Calibration:
    """A fitted set of coefficients, how well the data identify them and how they score.

    Attributes:
        target: The target's name (:data:`TARGETS`).
        values: ``group.name`` → fitted value (the optimiser's best point).
        profiles: ``group.name`` → the objective's profile through the optimum.
        precision: The objective at the optimum (``optimum``), its standard deviation across
            other seeds (``seed_sd``) and the rise that counts as identification
            (``threshold``).
        fit: ``in_sample`` and ``out_of_sample`` → ``window`` and the objective of the shipped
            values (``calibrated``), of the judgement values (``judgement``) and of the naive
            ``baseline``.
        evaluations: Objective evaluations used.
        settings: Method, seed, budget and replicates.
        refits: ``group.name`` → its conditional refit (:func:`refit`), for every coefficient
            the joint fit estimates: what decides whether, and at what value, it ships.
    """

    target: str
    values: dict[str, float]
    profiles: dict[str, Profile]
    precision: dict[str, float]
    fit: dict[str, dict[str, Any]]
    evaluations: int
    settings: dict[str, Any]
    refits: dict[str, Refit] = field(default_factory=dict)

    @property
    def defaults(self) -> dict[str, float]:
        """The values shipped: the refitted one where the refit, too, is identified inside.

        Elsewhere (not identified, an optimum at a bound of the search range, or a profile open
        towards one: a limit, not an estimate) the judgement value, as
        :mod:`sim.scenario.parameters` reads it.
        """
        return {
            name: self.refits[name].fitted if self.estimated(name) else JUDGEMENT_DEFAULTS[name]
            for name in self.values
        }

    def estimated(self, name: str) -> bool:
        """Whether the data estimate the coefficient: jointly and alone, at an interior optimum."""
        return (
            estimated(self.profiles[name]) and name in self.refits and estimated(self.refits[name])
        )


def estimated(profile: Profile | Refit) -> bool:
    """Whether a profile estimates its coefficient: identified, with an interior optimum."""
    return profile.identified and profile.optimum == "interior"


def names(target: str = "alignment") -> list[str]:
    """``group.name`` of each coefficient of ``target``."""
    return TARGETS[target].names()


def as_parameters(
    theta: np.ndarray | Iterable[float], target: str = "alignment"
) -> dict[str, dict[str, float]]:
    """Coefficient vector → ``{group: {name: value}}`` overrides."""
    groups: dict[str, dict[str, float]] = {}
    for (group, name, _), value in zip(TARGETS[target].coefficients, theta, strict=True):
        groups.setdefault(group, {})[name] = float(value)
    return groups


def objective(
    theta: np.ndarray | Iterable[float],
    *,
    replicates: int,
    seed: int,
    target: str = "alignment",
    start: int = record_fit.START,
) -> float:
    """In-sample error of ``target`` at the coefficients ``theta``, on the window from ``start``.

    alignment: the RMSE of the simulated 2019 alignment, starting from ``start`` (2015 by
    default); incidents: the mean negative log-likelihood per dyad-year of the record's highest
    rungs of the years after ``start`` to 2019 (2016–2019 by default). Replicates draw from
    streams fixed by ``seed``, so this is a deterministic function of ``theta``: two calls with
    the same arguments return the same number, to the last bit.
    """
    if target == "alignment":
        parameters = as_parameters(theta, target)
        result = backtest(
            start, record_fit.END, replicates=replicates, seed=seed, parameters=parameters
        )
        return result.scores["model"].rmse
    values = dict(zip(names(target), (float(v) for v in theta), strict=True))
    scenario = record_fit.fit_scenario(start)
    return record_fit.losses(scenario, values, replicates, seed, patterns=("incidents",))[
        "incidents"
    ]


def incident_test(values: dict[str, float], replicates: int, seed: int) -> float:
    """The incident loss on 2020–2024, from the 2019 data, with the coefficients ``values``."""
    run = oos.run_window(oos.scenario_with(oos.window_scenario(), values), replicates, seed)
    return record_fit.incident_loss(run.peak, record_fit.observed_categories(oos.SCORED_YEARS))


def frequencies(categories: np.ndarray) -> np.ndarray:
    """Each dyad's share of the years in each category, with Jeffreys' ½ added to each count.

    Args:
        categories: The record's category of each dyad-year, ``(years, dyads)``.

    Returns:
        ``(dyads, CATEGORIES)``, each row summing to one (as the model's shares are made,
        :func:`sim.studies.record_fit.category_probabilities`).
    """
    k = record_fit.CATEGORIES
    counts = np.stack([(categories == c).sum(axis=0) for c in range(k)], axis=-1)
    return (counts + record_fit.JEFFREYS) / (len(categories) + k * record_fit.JEFFREYS)


def frequency_loss(years: Iterable[int]) -> float:
    """The naive incident forecast's loss on ``years``: each dyad's own frequencies 2013–2019."""
    p = frequencies(record_fit.observed_categories(oos.FIT_YEARS))
    scored = record_fit.observed_categories(years)  # (years, dyads)
    chosen = p[np.arange(scored.shape[1])[None, :], scored]
    return float(-np.log(chosen).mean())


#: Grid points and seeds of a conditional refit (:func:`refit`).
REFIT_POINTS = 21
REFIT_SEEDS = 5
#: A paired difference from the best point counts when it exceeds this many standard errors
#: (and :data:`sim.studies.identifiability.RELATIVE_TOLERANCE` of the best point's loss).
PAIRED_T = 2.0


@dataclass(frozen=True)
class Refit:
    """One coefficient fitted alone, every other at the value it ships at.

    The joint optimum of :func:`calibrate` moves every coefficient of the target, but only the
    ones it estimates ship; the others keep their judgement values. The value shipped is
    therefore fitted again with the others where they ship: its loss on a fine grid, at
    :data:`REFIT_SEEDS` seeds, each grid point compared with the best one on the same seed
    (common random numbers), so that the noise of a comparison is that of a paired difference.

    Attributes:
        name: ``group.name``.
        grid: The values visited, ascending.
        mean: The loss at each value, the mean over the seeds.
        se: The standard error over the seeds of each value's paired difference from the best.
        fitted: The best value (the least mean loss).
        threshold: The difference that counts at each value: ``max(PAIRED_T × se, 1% of the
            best loss)``.
    """

    name: str
    grid: tuple[float, ...]
    mean: tuple[float, ...]
    se: tuple[float, ...]
    fitted: float
    threshold: tuple[float, ...]

    @property
    def rise(self) -> np.ndarray:
        """Each value's mean loss above the best one's."""
        return np.asarray(self.mean) - min(self.mean)

    @property
    def identified(self) -> bool:
        """Whether some value is worse than the best by more than its threshold."""
        return bool((self.rise > np.asarray(self.threshold)).any())

    @property
    def indifferent(self) -> tuple[float, float]:
        """The contiguous values around the best one that are not worse by their threshold."""
        close = self.rise <= np.asarray(self.threshold)
        return identifiability.indifferent(self.grid, close, self.fitted)

    @property
    def optimum(self) -> str:
        """As :attr:`sim.studies.identifiability.Profile.optimum`, on this grid."""
        return identifiability.optimum(self.grid, self.fitted, self.indifferent)


def bracket(profile: Profile, bounds: tuple[float, float]) -> tuple[float, float]:
    """Where to refit a coefficient: two steps of its profile's grid beyond its indifference."""
    low, high = profile.indifferent
    grid = list(profile.grid)
    below = [g for g in grid if g < low][-2:]
    above = [g for g in grid if g > high][:2]
    return max(below[0] if below else low, bounds[0]), min(above[-1] if above else high, bounds[1])


def refit(
    target: str,
    name: str,
    span: tuple[float, float],
    values: dict[str, float],
    *,
    replicates: int,
    seed: int,
    points: int = REFIT_POINTS,
    seeds: int = REFIT_SEEDS,
    evaluate: Callable[[list[np.ndarray], list[int]], list[float]] | None = None,
    start: int = record_fit.START,
) -> Refit:
    """Fit ``name`` alone over ``span``, the target's other coefficients at ``values``.

    Args:
        target: A key of :data:`TARGETS`.
        name: The coefficient (``group.name``).
        span: ``(low, high)`` of its grid.
        values: Every coefficient of the target, by name, at the value it ships at.
        replicates: Replicates per evaluation.
        seed: First seed (the others follow it).
        points: Grid points.
        seeds: Seeds at which every grid point is run.
        evaluate: Scores a list of coefficient vectors at a list of seeds (default: one by
            one in this process, on the fit window from ``start``).
        start: The fit window's first year, for the default ``evaluate``.

    Returns:
        The refit: the grid, the mean loss and the paired standard errors.
    """
    grid = tuple(float(v) for v in np.linspace(span[0], span[1], points))
    names_ = names(target)
    thetas, run_seeds = [], []
    for k in range(seeds):
        for value in grid:
            thetas.append(np.array([value if n == name else values[n] for n in names_]))
            run_seeds.append(seed + k)
    if evaluate is None:
        losses = [
            _evaluate(t, replicates, s, target, start)
            for t, s in zip(thetas, run_seeds, strict=True)
        ]
    else:
        losses = evaluate(thetas, run_seeds)
    table = np.array(losses).reshape(seeds, points)
    mean = table.mean(axis=0)
    tied = np.flatnonzero(mean <= mean.min() + 1e-12)
    best = int(tied[len(tied) // 2])  # the middle of a flat minimum, not its edge
    paired = table - table[:, best : best + 1]
    se = paired.std(axis=0, ddof=1) / math.sqrt(seeds) if seeds > 1 else np.zeros(points)
    floor = identifiability.RELATIVE_TOLERANCE * abs(float(mean[best]))
    threshold = np.maximum(PAIRED_T * se, floor)
    return Refit(
        name=name,
        grid=grid,
        mean=tuple(float(v) for v in mean),
        se=tuple(float(v) for v in se),
        fitted=grid[best],
        threshold=tuple(float(v) for v in threshold),
    )


def budget(
    maxiter: int,
    popsize: int,
    points: int = identifiability.POINTS,
    noise_seeds: int = NOISE_SEEDS,
    target: str = "alignment",
) -> int:
    """Objective evaluations :func:`calibrate` uses at most (for a progress bar).

    Sobol initialisation rounds the population up to a power of two; every coefficient might
    be refitted (:func:`refit`), though only those the joint fit estimates are.
    """
    size = len(TARGETS[target].coefficients)
    population = 2 ** math.ceil(math.log2(popsize * size))
    refits = REFIT_POINTS * REFIT_SEEDS * size
    return (maxiter + 1) * population + 1 + noise_seeds + points * size + refits


def _evaluate(theta: np.ndarray, replicates: int, seed: int, target: str, start: int) -> float:
    return objective(theta, replicates=replicates, seed=seed, target=target, start=start)


def calibrate(
    *,
    target: str = "alignment",
    replicates: int | None = None,
    seed: int = 0,
    maxiter: int = 12,
    popsize: int = 6,
    points: int = identifiability.POINTS,
    noise_seeds: int = NOISE_SEEDS,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    start: int = record_fit.START,
) -> Calibration:
    """Fit ``target``'s coefficients, profile the fit, score it out of sample.

    Args:
        target: A key of :data:`TARGETS`.
        replicates: Replicates per objective evaluation (fixed streams); default the target's.
        seed: Seed of the optimiser and of the runs.
        maxiter: Generations of differential evolution.
        popsize: Population per coefficient.
        points: Grid points of each coefficient's profile.
        noise_seeds: Other seeds at which the optimum is evaluated to measure the objective's
            Monte-Carlo precision (at least 1; the threshold of identification uses it).
        workers: Processes the optimiser's generations are shared among (1: this one).
        progress: Called with 1 after each objective evaluation.
        start: The fit window's first year (:data:`sim.studies.record_fit.STARTS`): 2015, the
            window the shipped calibration is fitted on, or 2013, the record's first year.

    Returns:
        The fitted values, their profiles, and the in-sample and out-of-sample scores.

    Raises:
        ValueError: If ``noise_seeds`` is below 1, ``target`` is unknown or ``start`` is not
            a fit window's first year.
        RuntimeError: If the objective is not deterministic (the same point scored twice gives
            two numbers), so that a flat profile could be noise.
    """
    if noise_seeds < 1:
        raise ValueError(f"noise_seeds must be at least 1, not {noise_seeds}")
    if target not in TARGETS:
        raise ValueError(f"no calibration target {target!r}; there are {sorted(TARGETS)}")
    record_fit.check_start(start)
    spec = TARGETS[target]
    replicates = spec.replicates if replicates is None else replicates
    evaluations = 0

    def tick(count: int = 1) -> None:
        nonlocal evaluations
        evaluations += count
        if progress is not None:
            progress(count)

    def counted(theta: np.ndarray, run_seed: int = seed) -> float:
        tick()
        return _evaluate(theta, replicates, run_seed, target, start)

    bounds = [b for _, _, b in spec.coefficients]
    judgement = [JUDGEMENT_DEFAULTS[name] for name in spec.names()]
    options = {
        "seed": seed,
        "maxiter": maxiter,
        "popsize": popsize,
        "tol": 1e-6,
        "polish": False,
        "init": "sobol",
        "x0": judgement,
    }
    if workers > 1:
        one = partial(_evaluate, replicates=replicates, seed=seed, target=target, start=start)
        with ProcessPoolExecutor(max_workers=workers, initializer=one_thread) as pool:

            def mapped(func: Callable[[np.ndarray], float], points_: Iterable) -> list[float]:
                out = []
                for value in pool.map(one, list(points_)):
                    out.append(value)
                    tick()
                return out

            result = differential_evolution(
                one, bounds, workers=mapped, updating="deferred", **options
            )
    else:
        result = differential_evolution(counted, bounds, **options)
    optimum = float(result.fun)
    again = counted(result.x)
    if again != optimum:
        raise RuntimeError(
            f"the calibration objective is not deterministic: {optimum!r} then {again!r} at "
            "the same point"
        )
    others = [counted(result.x, seed + 1 + k) for k in range(noise_seeds)]
    seed_sd = float(np.std([optimum, *others], ddof=1))
    threshold = identifiability.precision_threshold(optimum, seed_sd)
    found = identifiability.profiles(
        counted,
        result.x,
        bounds,
        spec.names(),
        optimum_value=optimum,
        threshold=threshold,
        points=points,
    )
    values = {name: float(v) for name, v in zip(spec.names(), result.x, strict=True)}
    # What ships: each coefficient the joint fit estimates, fitted again alone with every other
    # at the value it ships at (one pass, in the target's order).
    shipped = {n: JUDGEMENT_DEFAULTS[n] for n in values}
    refits: dict[str, Refit] = {}
    for n, (_, _, span) in zip(spec.names(), spec.coefficients, strict=True):
        if not estimated(found[n]):
            continue
        refits[n] = refit(
            target,
            n,
            bracket(found[n], span),
            shipped,
            replicates=replicates,
            seed=seed,
            evaluate=lambda thetas, seeds_: [
                counted(t, s) for t, s in zip(thetas, seeds_, strict=True)
            ],
        )
        if estimated(refits[n]):
            shipped[n] = refits[n].fitted
    settings = {
        "method": "scipy.optimize.differential_evolution",
        "seed": seed,
        "maxiter": maxiter,
        "popsize": popsize,
        "replicates_per_evaluation": replicates,
        "profile_points": points,
        "noise_seeds": noise_seeds,
        "fit_window": [start, record_fit.END],
        "objective": _describe(target, start),
    }
    settings["refit"] = (
        f"each estimated coefficient alone, the others at their shipped values: {REFIT_POINTS} "
        f"points over two profile steps beyond its indifference interval, {REFIT_SEEDS} seeds, "
        f"paired differences from the best point counted beyond {PAIRED_T:g} standard errors "
        f"and {identifiability.RELATIVE_TOLERANCE:.0%} of the best loss"
    )
    precision = {"optimum": optimum, "seed_sd": seed_sd, "threshold": threshold}
    fit = _tests(target, shipped, seed, replicates, start)
    return Calibration(target, values, found, precision, fit, evaluations, settings, refits)


def _describe(target: str, start: int = record_fit.START) -> str:
    if target == "alignment":
        return (
            "RMSE of simulated vs observed 2019 alignment (the security-alignment index), "
            f"17 states, from {start} with the scripted history"
        )
    return (
        "mean negative log-likelihood per dispute dyad-year of the record's highest rung "
        f"(0, 1, 2, 3+) in {TARGETS[target].in_sample(start)}, from {start} with no outcome "
        "scripted (a simulated likelihood)"
    )


def _tests(
    target: str, shipped: dict[str, float], seed: int, replicates: int, start: int
) -> dict[str, dict[str, Any]]:
    """The objective in and out of sample: shipped values, judgement values, the baseline.

    Each is the mean over :data:`REFIT_SEEDS` seeds at the fit's replicates (the simulated
    likelihood's smoothing depends on the replicates, so one size is used throughout).
    """
    spec = TARGETS[target]
    judgement = {n: JUDGEMENT_DEFAULTS[n] for n in shipped}
    runs = (("calibrated", shipped), ("judgement", judgement))
    seeds = range(seed, seed + REFIT_SEEDS)
    fit: dict[str, dict[str, Any]] = {}
    if target == "alignment":
        for window, (first, last) in {
            "in_sample": (start, record_fit.END),
            "out_of_sample": (2019, 2023),
        }.items():
            scored = {
                name: [
                    backtest(
                        first,
                        last,
                        replicates=replicates,
                        seed=s,
                        parameters=as_parameters(theta.values()),
                    ).scores
                    for s in seeds
                ]
                for name, theta in runs
            }
            fit[window] = {
                "window": spec.windows[window].format(fit=spec.in_sample(start)),
                "calibrated": round(
                    float(np.mean([x["model"].rmse for x in scored["calibrated"]])), 4
                ),
                "judgement": round(
                    float(np.mean([x["model"].rmse for x in scored["judgement"]])), 4
                ),
                "baseline": round(scored["calibrated"][0]["persistence"].rmse, 4),
            }
        return fit
    scenario = record_fit.fit_scenario(start)
    inside = {
        name: float(
            np.mean(
                [
                    record_fit.losses(scenario, values, replicates, s, patterns=("incidents",))[
                        "incidents"
                    ]
                    for s in seeds
                ]
            )
        )
        for name, values in runs
    }
    outside = {
        name: float(np.mean([incident_test(values, replicates, s) for s in seeds]))
        for name, values in runs
    }
    for window, scores, years in (
        ("in_sample", inside, record_fit.scored_years(start)),
        ("out_of_sample", outside, oos.SCORED_YEARS),
    ):
        fit[window] = {
            "window": spec.windows[window].format(fit=spec.in_sample(start)),
            "calibrated": round(scores["calibrated"], 4),
            "judgement": round(scores["judgement"], 4),
            "baseline": round(frequency_loss(years), 4),
        }
    return fit


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def plausible(fit: Refit) -> list[float]:
    """A calibrated coefficient's plausible range: the values within its refit's margin.

    The refit's indifference interval (the values whose paired difference from the best is
    within ``max(PAIRED_T × se, 1% of the loss)``: where the 1% is the larger, values a paired
    test could tell apart are inside), widened by half a grid step on each side, within the
    grid.
    """
    low, high = fit.indifferent
    step = (fit.grid[-1] - fit.grid[0]) / (len(fit.grid) - 1)
    return [
        _significant(max(low - step / 2, fit.grid[0])),
        _significant(min(high + step / 2, fit.grid[-1])),
    ]


def write(calibration: Calibration, path: Path | None = None) -> None:
    """Write a calibration into the YAML file that :mod:`sim.scenario.parameters` reads.

    The file holds every target; this one's block and coefficients are replaced, the others'
    kept.

    Args:
        calibration: The fit.
        path: Where to write (default: :func:`sim.scenario.resources.calibration_file`).
    """
    path = calibration_file() if path is None else path
    old: dict[str, Any] = {}
    if path.is_file():
        old = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    target = TARGETS[calibration.target]
    bounds = {f"{g}.{n}": list(b) for g, n, b in target.coefficients}
    precision = calibration.precision
    block = {
        "label": target.describe(calibration.settings["fit_window"][0]),
        "metric": target.metric,
        "baseline": target.baseline,
        "date": datetime.now(UTC).date().isoformat(),
        "settings": calibration.settings,
        "evaluations": calibration.evaluations,
        "identifiability": {
            "rule": (
                "identified when the profile rises above the optimum by more than the "
                "threshold, and no grid value beats the optimum by more than it; threshold = "
                f"max({identifiability.RELATIVE_TOLERANCE:g} x optimum, "
                f"{identifiability.NOISE_FACTOR:g} x seed_sd, {identifiability.FLOOR:g})"
            ),
            "deterministic": True,
            "optimum": round(precision["optimum"], 6),
            "seed_sd": _significant(precision["seed_sd"], 3),
            "threshold": _significant(precision["threshold"], 3),
            "relative_threshold": _significant(precision["threshold"] / precision["optimum"], 3),
        },
        "scores": calibration.fit,
    }
    coefficients = {
        name: entry
        for name, entry in old.get("coefficients", {}).items()
        if entry.get("target") != calibration.target and name not in calibration.values
    }
    for name, value in calibration.values.items():
        profile = calibration.profiles[name]
        joint = {
            "fitted": _significant(value),
            "identified": profile.identified,
            "optimum": profile.optimum,
            "indifferent": [_significant(v) for v in profile.indifferent],
            "curvature": _significant(profile.curvature, 3),
            "slope": _significant(profile.slope, 3),
            "profile": {
                "grid": [_significant(v) for v in profile.grid],
                "loss": [round(v, 6) for v in profile.values],
            },
        }
        entry: dict[str, Any] = {
            "target": calibration.target,
            "bounds": bounds[name],
            "judgement": JUDGEMENT_DEFAULTS[name],
            # what decides whether it ships: the refit where there is one, else the joint fit
            "fitted": joint["fitted"],
            "identified": profile.identified,
            "optimum": profile.optimum,
            "indifferent": joint["indifferent"],
            "relative_range": _significant(profile.relative_range, 3),
            "joint": joint,
        }
        fit = calibration.refits.get(name)
        if fit is not None:
            entry.update(
                fitted=_significant(fit.fitted),
                identified=fit.identified,
                optimum=fit.optimum,
                indifferent=[_significant(v) for v in fit.indifferent],
                plausible=plausible(fit),
                refit={
                    "grid": [_significant(v) for v in fit.grid],
                    "loss": [round(v, 6) for v in fit.mean],
                    "se": [_significant(v, 3) for v in fit.se],
                },
            )
        coefficients[name] = entry
    targets = {k: v for k, v in old.get("targets", {}).items() if k in TARGETS}
    targets[calibration.target] = block
    payload = {
        "description": (
            "Free coefficients fitted by `geosim calibrate` (docs/validation.md, section 3): "
            "each target's joint fit, each coefficient's profile through the joint optimum "
            "(`joint`), and, for each coefficient the joint fit estimates, its refit alone with "
            "every other coefficient at the value it ships at (`refit`: the mean loss over "
            "seeds and the standard error of each point's paired difference from the best). "
            "sim/scenario/parameters.py uses `fitted` as the default only where `identified` "
            "is true and `optimum` is interior (the refit's, where there is one), with "
            "`plausible` (the refit's indifference interval, half a grid step wider) as its "
            "range; elsewhere (not identified, at a bound of the search range, or open towards "
            "one) the judgement value stays, as a free coefficient. `scores` gives each "
            "target's objective in and out of sample for the shipped values, the judgement "
            "values and a naive baseline. Values are rounded to 4 significant digits, losses "
            "to 6 decimals."
        ),
        "targets": {k: targets[k] for k in TARGETS if k in targets},
        "coefficients": {
            name: coefficients[name]
            for name in [n for t in TARGETS.values() for n in t.names()]
            if name in coefficients
        },
    }
    path.write_text(yaml.safe_dump(payload, sort_keys=False, allow_unicode=True))
