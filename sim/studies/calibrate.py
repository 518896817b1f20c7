"""Calibrating the free alignment coefficients against UN voting, 2015→2019, tested 2019→2023.

Few coefficients, sensible bounds, one objective and an out-of-sample check:

- **coefficients**: the four free coefficients that set how fast and towards what alignment
  moves (:data:`COEFFICIENTS`). Alignment is what the ideal points measure; the other free
  coefficients (escalation, arms) have no data here and keep their judgement values;
- **objective**: the root mean squared error of the simulated 2019 alignment (the mean over the
  calendar year and over replicates, starting from the 2015 data with the scripted history)
  against the 2019 ideal points, over the scored countries (:mod:`sim.studies.backtest`). Replicates
  use fixed random streams, so the objective is a deterministic function of the coefficients;
- **method**: ``scipy.optimize.differential_evolution`` with a fixed seed (global, derivative-
  free, and indifferent to the objective's small kinks from clipping);
- **test**: the fitted values run from the 2019 data to 2023, scored against the 2023 ideal
  points next to the persistence baseline and the uncalibrated (judgement) values.

``geosim calibrate`` runs it and writes ``seeds/calibration.yaml``, which
:mod:`sim.scenario.parameters` reads for the defaults of these coefficients.
"""

from __future__ import annotations

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
from sim.studies.backtest import backtest

#: (group, coefficient, bounds): what calibration may move, and within what.
COEFFICIENTS: tuple[tuple[str, str, tuple[float, float]], ...] = (
    ("alignment", "rate", (0.002, 0.08)),
    ("alignment", "security_weight", (0.1, 3.0)),
    ("alignment", "economic_weight", (0.0, 6.0)),
    ("alignment", "inducement_weight", (0.0, 3.0)),
)


@dataclass(frozen=True)
class Calibration:
    """A fitted set of coefficients and how it scores.

    Attributes:
        values: ``group.name`` → fitted value.
        fit: Window name → forecast name → RMSE (``calibrated``, ``judgement``,
            ``persistence``), for ``in_sample_2015_2019`` and ``out_of_sample_2019_2023``.
        evaluations: Objective evaluations used.
        settings: Method, seed, budget and replicates.
    """

    values: dict[str, float]
    fit: dict[str, dict[str, float]]
    evaluations: int
    settings: dict[str, Any]


def as_parameters(theta: np.ndarray | list[float]) -> dict[str, dict[str, float]]:
    """Coefficient vector → ``{group: {name: value}}`` overrides."""
    groups: dict[str, dict[str, float]] = {}
    for (group, name, _), value in zip(COEFFICIENTS, theta, strict=True):
        groups.setdefault(group, {})[name] = float(value)
    return groups


def objective(theta: np.ndarray, *, replicates: int, seed: int) -> float:
    """In-sample error: RMSE of the simulated 2019 alignment, starting from 2015."""
    result = backtest(2015, 2019, replicates=replicates, seed=seed, parameters=as_parameters(theta))
    return result.scores["model"].rmse


def calibrate(
    *,
    replicates: int = 20,
    seed: int = 0,
    maxiter: int = 12,
    popsize: int = 6,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """Fit :data:`COEFFICIENTS` on 2015→2019 and score the fit on 2019→2023.

    Args:
        replicates: Replicates per objective evaluation (fixed streams).
        seed: Seed of the optimiser and of the runs.
        maxiter: Generations of differential evolution.
        popsize: Population per coefficient.
        progress: Called with 1 after each objective evaluation.

    Returns:
        The fitted values with their in-sample and out-of-sample scores.
    """
    evaluations = 0

    def counted(theta: np.ndarray) -> float:
        nonlocal evaluations
        evaluations += 1
        if progress is not None:
            progress(1)
        return objective(theta, replicates=replicates, seed=seed)

    bounds = [b for _, _, b in COEFFICIENTS]
    judgement = [JUDGEMENT_DEFAULTS[f"{g}.{n}"] for g, n, _ in COEFFICIENTS]
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
    fitted = as_parameters(result.x)
    judged = as_parameters(judgement)
    fit = {}
    for window, (start, end) in {
        "in_sample_2015_2019": (2015, 2019),
        "out_of_sample_2019_2023": (2019, 2023),
    }.items():
        scored = {
            name: backtest(start, end, replicates=100, seed=seed, parameters=parameters)
            for name, parameters in (("calibrated", fitted), ("judgement", judged))
        }
        fit[window] = {
            "calibrated": round(scored["calibrated"].scores["model"].rmse, 4),
            "judgement": round(scored["judgement"].scores["model"].rmse, 4),
            "persistence": round(scored["calibrated"].scores["persistence"].rmse, 4),
        }
    values = {f"{g}.{n}": float(v) for (g, n, _), v in zip(COEFFICIENTS, result.x, strict=True)}
    settings = {
        "method": "scipy.optimize.differential_evolution",
        "seed": seed,
        "maxiter": maxiter,
        "popsize": popsize,
        "replicates_per_evaluation": replicates,
        "objective": "RMSE of simulated vs observed 2019 alignment, 14 countries, from 2015",
    }
    return Calibration(values, fit, evaluations, settings)


def write(calibration: Calibration, path: Path | None = None) -> None:
    """Write a calibration as the YAML file that :mod:`sim.scenario.parameters` reads.

    Args:
        calibration: The fit.
        path: Where to write (default: :func:`sim.scenario.resources.calibration_file`).
    """
    path = calibration_file() if path is None else path
    bounds = {f"{g}.{n}": list(b) for g, n, b in COEFFICIENTS}
    payload = {
        "description": (
            "Free alignment coefficients fitted by `geosim calibrate` on the 2015-2019 "
            "hindcast (docs/validation.md, section 3). Values are rounded to 4 significant "
            "digits; sim/scenario/parameters.py uses them as defaults."
        ),
        "date": datetime.now(UTC).date().isoformat(),
        "settings": calibration.settings,
        "evaluations": calibration.evaluations,
        "coefficients": {
            name: {
                "value": float(f"{value:.4g}"),
                "bounds": bounds[name],
                "judgement": JUDGEMENT_DEFAULTS[name],
            }
            for name, value in calibration.values.items()
        },
        "rmse": calibration.fit,
    }
    path.write_text(yaml.safe_dump(payload, sort_keys=False, allow_unicode=True))
