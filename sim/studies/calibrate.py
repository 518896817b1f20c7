"""Calibrating the free alignment coefficients against UN voting, 2015→2019, tested 2019→2023.

Few coefficients, sensible bounds, one objective and an out-of-sample check:

- **coefficients**: the five free coefficients that set how fast and towards what alignment
  moves (:data:`COEFFICIENTS`). Alignment is what the ideal points measure; the other free
  coefficients (escalation, arms) have no data here and keep their judgement values;
- **objective**: the root mean squared error of the simulated 2019 alignment (the mean over the
  calendar year and over replicates, starting from the 2015 data with the scripted history)
  against the 2019 ideal points, over the scored countries (:mod:`sim.studies.backtest`). Replicates
  use fixed random streams, so the objective is a deterministic function of the coefficients;
- **method**: ``scipy.optimize.differential_evolution`` with a fixed seed (global, derivative-
  free, and indifferent to the objective's small kinks from clipping);
- **identifiability**: each coefficient's profile of the objective through the optimum
  (:mod:`sim.studies.identifiability`). The objective is evaluated twice at the optimum to check
  that it is deterministic, and at a few other seeds to measure its Monte-Carlo precision; a
  coefficient whose profile does not rise above that precision is *not identified*: its fitted
  value is recorded but not used, and it keeps its judgement value;
- **test**: the shipped values (fitted where identified at an interior optimum, judgement
  elsewhere) run from the 2019 data to 2023, scored against the 2023 ideal points next to the
  persistence baseline and the judgement values.

``geosim calibrate`` runs it and writes ``seeds/calibration.yaml``, which
:mod:`sim.scenario.parameters` reads for the defaults of these coefficients.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import differential_evolution

from sim.scenario.parameters import JUDGEMENT_DEFAULTS
from sim.scenario.resources import calibration_file
from sim.studies import identifiability
from sim.studies.backtest import backtest
from sim.studies.identifiability import Profile

#: (group, coefficient, bounds): what calibration may move, and within what.
COEFFICIENTS: tuple[tuple[str, str, tuple[float, float]], ...] = (
    ("alignment", "rate", (0.002, 0.08)),
    ("alignment", "security_weight", (0.1, 3.0)),
    ("alignment", "economic_weight", (0.0, 6.0)),
    ("alignment", "inducement_weight", (0.0, 3.0)),
    ("alignment", "inertia", (0.0, 2.0)),
)


#: Other seeds at which the objective is evaluated at the optimum, to measure its precision.
NOISE_SEEDS = 4


@dataclass(frozen=True)
class Calibration:
    """A fitted set of coefficients, how well the data identify them and how they score.

    Attributes:
        values: ``group.name`` → fitted value (the optimiser's best point).
        profiles: ``group.name`` → the objective's profile through the optimum.
        precision: The objective at the optimum (``optimum``), its standard deviation across
            other seeds (``seed_sd``) and the rise that counts as identification
            (``threshold``).
        fit: Window name → forecast name → RMSE (``calibrated``: the shipped values,
            ``judgement``, ``persistence``), for ``in_sample_2015_2019`` and
            ``out_of_sample_2019_2023``.
        evaluations: Objective evaluations used.
        settings: Method, seed, budget and replicates.
    """

    values: dict[str, float]
    profiles: dict[str, Profile]
    precision: dict[str, float]
    fit: dict[str, dict[str, float]]
    evaluations: int
    settings: dict[str, Any]

    @property
    def defaults(self) -> dict[str, float]:
        """The values shipped: the fitted one where identified at an interior optimum.

        Elsewhere (not identified, or an optimum at a bound of the search range: a boundary,
        not an estimate) the judgement value, as :mod:`sim.scenario.parameters` reads it.
        """
        return {
            name: value if self.estimated(name) else JUDGEMENT_DEFAULTS[name]
            for name, value in self.values.items()
        }

    def estimated(self, name: str) -> bool:
        """Whether the data estimate the coefficient: identified, with an interior optimum."""
        profile = self.profiles[name]
        return profile.identified and profile.optimum not in ("lower bound", "upper bound")


def names() -> list[str]:
    """``group.name`` of each coefficient in :data:`COEFFICIENTS`."""
    return [f"{g}.{n}" for g, n, _ in COEFFICIENTS]


def as_parameters(theta: np.ndarray | list[float]) -> dict[str, dict[str, float]]:
    """Coefficient vector → ``{group: {name: value}}`` overrides."""
    groups: dict[str, dict[str, float]] = {}
    for (group, name, _), value in zip(COEFFICIENTS, theta, strict=True):
        groups.setdefault(group, {})[name] = float(value)
    return groups


def objective(theta: np.ndarray, *, replicates: int, seed: int) -> float:
    """In-sample error: RMSE of the simulated 2019 alignment, starting from 2015.

    Replicates draw from streams fixed by ``seed``, so this is a deterministic function of
    ``theta``: two calls with the same arguments return the same number, to the last bit.
    """
    result = backtest(2015, 2019, replicates=replicates, seed=seed, parameters=as_parameters(theta))
    return result.scores["model"].rmse


def budget(
    maxiter: int, popsize: int, points: int = identifiability.POINTS, noise_seeds: int = NOISE_SEEDS
) -> int:
    """Objective evaluations :func:`calibrate` uses at most (for a progress bar).

    Sobol initialisation rounds the population up to a power of two.
    """
    size = len(COEFFICIENTS)
    population = 2 ** math.ceil(math.log2(popsize * size))
    return (maxiter + 1) * population + 1 + noise_seeds + points * size


def calibrate(
    *,
    replicates: int = 20,
    seed: int = 0,
    maxiter: int = 12,
    popsize: int = 6,
    points: int = identifiability.POINTS,
    noise_seeds: int = NOISE_SEEDS,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """Fit :data:`COEFFICIENTS` on 2015→2019, profile the fit, score it on 2019→2023.

    Args:
        replicates: Replicates per objective evaluation (fixed streams).
        seed: Seed of the optimiser and of the runs.
        maxiter: Generations of differential evolution.
        popsize: Population per coefficient.
        points: Grid points of each coefficient's profile.
        noise_seeds: Other seeds at which the optimum is evaluated to measure the objective's
            Monte-Carlo precision (at least 1; the threshold of identification uses it).
        progress: Called with 1 after each objective evaluation.

    Returns:
        The fitted values, their profiles, and the in-sample and out-of-sample scores.

    Raises:
        ValueError: If ``noise_seeds`` is below 1.
        RuntimeError: If the objective is not deterministic (the same point scored twice gives
            two numbers), so that a flat profile could be noise.
    """
    if noise_seeds < 1:
        raise ValueError(f"noise_seeds must be at least 1, not {noise_seeds}")
    evaluations = 0

    def counted(theta: np.ndarray, run_seed: int = seed) -> float:
        nonlocal evaluations
        evaluations += 1
        if progress is not None:
            progress(1)
        return objective(theta, replicates=replicates, seed=run_seed)

    bounds = [b for _, _, b in COEFFICIENTS]
    judgement = [JUDGEMENT_DEFAULTS[name] for name in names()]
    result = differential_evolution(
        counted,
        bounds,
        seed=seed,
        maxiter=maxiter,
        popsize=popsize,
        tol=1e-6,
        polish=False,
        init="sobol",
        x0=judgement,
    )
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
        names(),
        optimum_value=optimum,
        threshold=threshold,
        points=points,
    )
    values = {name: float(v) for name, v in zip(names(), result.x, strict=True)}
    bounds = ("lower bound", "upper bound")
    shipped = [
        v if found[n].identified and found[n].optimum not in bounds else JUDGEMENT_DEFAULTS[n]
        for n, v in values.items()
    ]
    fit = {}
    for window, (start, end) in {
        "in_sample_2015_2019": (2015, 2019),
        "out_of_sample_2019_2023": (2019, 2023),
    }.items():
        scored = {
            name: backtest(start, end, replicates=100, seed=seed, parameters=as_parameters(theta))
            for name, theta in (("calibrated", shipped), ("judgement", judgement))
        }
        fit[window] = {
            "calibrated": round(scored["calibrated"].scores["model"].rmse, 4),
            "judgement": round(scored["judgement"].scores["model"].rmse, 4),
            "persistence": round(scored["calibrated"].scores["persistence"].rmse, 4),
        }
    settings = {
        "method": "scipy.optimize.differential_evolution",
        "seed": seed,
        "maxiter": maxiter,
        "popsize": popsize,
        "replicates_per_evaluation": replicates,
        "profile_points": points,
        "noise_seeds": noise_seeds,
        "objective": "RMSE of simulated vs observed 2019 alignment, 14 countries, from 2015",
    }
    precision = {"optimum": optimum, "seed_sd": seed_sd, "threshold": threshold}
    return Calibration(values, found, precision, fit, evaluations, settings)


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def write(calibration: Calibration, path: Path | None = None) -> None:
    """Write a calibration as the YAML file that :mod:`sim.scenario.parameters` reads.

    Args:
        calibration: The fit.
        path: Where to write (default: :func:`sim.scenario.resources.calibration_file`).
    """
    path = calibration_file() if path is None else path
    bounds = {f"{g}.{n}": list(b) for g, n, b in COEFFICIENTS}
    precision = calibration.precision
    payload = {
        "description": (
            "Free alignment coefficients fitted by `geosim calibrate` on the 2015-2019 "
            "hindcast (docs/validation.md, section 3), with the objective's profile through "
            "the optimum along each of them. sim/scenario/parameters.py uses the fitted value "
            "as the default only where `identified` is true and the optimum is interior; "
            "elsewhere (not identified, or the optimum at a bound of the search range) the "
            "judgement value stays, as a free coefficient. `rmse.*.calibrated` scores those "
            "shipped defaults. "
            "Values are rounded to 4 significant digits, profiles to 6 decimals."
        ),
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
            "optimum_rmse": round(precision["optimum"], 6),
            "seed_sd": _significant(precision["seed_sd"], 3),
            "threshold": _significant(precision["threshold"], 3),
            "relative_threshold": _significant(precision["threshold"] / precision["optimum"], 3),
        },
        "coefficients": {
            name: {
                "fitted": _significant(value),
                "bounds": bounds[name],
                "judgement": JUDGEMENT_DEFAULTS[name],
                "identified": profile.identified,
                "optimum": profile.optimum,
                "indifferent": [_significant(v) for v in profile.indifferent],
                "relative_range": _significant(profile.relative_range, 3),
                "curvature": _significant(profile.curvature, 3),
                "slope": _significant(profile.slope, 3),
                "profile": {
                    "grid": [_significant(v) for v in profile.grid],
                    "rmse": [round(v, 6) for v in profile.values],
                },
            }
            for name, value in calibration.values.items()
            for profile in [calibration.profiles[name]]
        },
        "rmse": calibration.fit,
    }
    path.write_text(yaml.safe_dump(payload, sort_keys=False, allow_unicode=True))
