"""Scores of a forecast against what happened, and of its edge over a naive forecast.

The scoring rules of the out-of-sample test (:mod:`sim.studies.out_of_sample`), each a plain
function of forecasts and outcomes so that it can be checked on cases with known answers:

- **log score** of probabilities of a binary event, ``(1/n) Σ [y ln p + (1 − y) ln(1 − p)]``:
  the mean log-likelihood of what happened, a strictly proper rule (higher is better, 0 is a
  certain and right forecast). Probabilities are clipped to ``[0.01, 0.99]`` first, so that one
  event the forecast called impossible costs ``ln 0.01 ≈ −4.6`` and not minus infinity;
- **Laplace rate**, the base rate of a naive forecast, ``(k + ½) / (n + 1)``: the share of hits
  with half a hit and one trial added (Jeffreys-like), so a dyad with no hit in seven years is
  not given probability zero;
- **Spearman's ρ**, the rank correlation of forecast and observed changes (scipy);
- **median absolute error** and **root mean squared error**;
- a **percentile bootstrap interval** of the difference between the model's score and a
  baseline's, the units (countries, dyads) resampled with replacement, both forecasts'
  errors resampled together (paired), so the interval says how much the edge rests on a few
  units (Efron & Tibshirani 1993; ``scipy.stats.bootstrap``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

#: The range forecast probabilities are clipped to before they are scored.
CLIP = (0.01, 0.99)
#: Resamples of the bootstrap interval, and its fixed seed (the interval is reproducible).
RESAMPLES = 2000
BOOTSTRAP_SEED = 2024


def clipped(probability: np.ndarray | float) -> np.ndarray:
    """Probabilities clipped to :data:`CLIP`."""
    return np.clip(np.asarray(probability, dtype=float), *CLIP)


def log_likelihoods(probability: np.ndarray, happened: np.ndarray) -> np.ndarray:
    """Each forecast's log-likelihood of what happened, ``y ln p + (1 − y) ln(1 − p)``.

    Args:
        probability: Forecast probabilities of the event (clipped to :data:`CLIP` here).
        happened: 1 where the event happened, 0 where it did not (same shape).

    Raises:
        ValueError: When an outcome is not 0 or 1, or the shapes differ.
    """
    p = clipped(probability)
    y = np.asarray(happened, dtype=float)
    if p.shape != y.shape:
        raise ValueError(f"{p.size} forecasts for {y.size} outcomes")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0 or 1")
    return y * np.log(p) + (1.0 - y) * np.log1p(-p)


def log_score(probability: np.ndarray, happened: np.ndarray) -> float:
    """The mean log-likelihood of the outcomes under the forecast (higher is better)."""
    return float(np.mean(log_likelihoods(probability, happened)))


def laplace_rate(hits: int | np.ndarray, trials: int | np.ndarray) -> np.ndarray | float:
    """The base rate ``(hits + ½) / (trials + 1)``: a +½/+1 prior on the share of hits."""
    return (np.asarray(hits, dtype=float) + 0.5) / (np.asarray(trials, dtype=float) + 1.0)


def spearman(forecast: np.ndarray, observed: np.ndarray) -> float:
    """Spearman's rank correlation; NaN when either side does not vary (no ranking to compare)."""
    f, o = np.asarray(forecast, dtype=float), np.asarray(observed, dtype=float)
    if f.size < 2 or np.ptp(f) == 0 or np.ptp(o) == 0:
        return float("nan")
    return float(stats.spearmanr(f, o).statistic)


def median_abs_error(forecast: np.ndarray, observed: np.ndarray) -> float:
    """The median of ``|forecast − observed|``."""
    return float(np.median(np.abs(np.asarray(forecast, float) - np.asarray(observed, float))))


def rmse(forecast: np.ndarray, observed: np.ndarray) -> float:
    """The root mean squared error of ``forecast`` against ``observed``."""
    error = np.asarray(forecast, dtype=float) - np.asarray(observed, dtype=float)
    return float(np.sqrt(np.mean(error**2)))


def _mean(values: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(values, axis=axis)


def _root_mean(values: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.sqrt(np.mean(values, axis=axis))


def _median(values: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.median(values, axis=axis)


#: How a score is made from per-unit values (log-likelihoods, squared or absolute errors).
AGGREGATES: dict[str, Callable[..., np.ndarray]] = {
    "mean": _mean,
    "root_mean": _root_mean,
    "median": _median,
}


def difference_interval(
    model: np.ndarray,
    baseline: np.ndarray,
    aggregate: str,
    *,
    resamples: int = RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``score(model) − score(baseline)`` over the units.

    Args:
        model: The model's per-unit values (a unit's log-likelihood, squared error, absolute
            error), one per unit.
        baseline: The baseline's values for the same units, in the same order.
        aggregate: How a score is made from the values: ``mean`` (log score), ``root_mean``
            (RMSE from squared errors) or ``median`` (median absolute error).
        resamples: Bootstrap resamples.
        seed: Seed of the resampling.
        level: Confidence level.

    Returns:
        ``(low, high)``. Units are resampled with replacement, the model's and the baseline's
        values of a unit together.
    """
    a, b = np.asarray(model, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError("model and baseline need one value per unit, the same units, two or more")
    if aggregate not in AGGREGATES:
        raise ValueError(f"aggregate: one of {sorted(AGGREGATES)}, not {aggregate!r}")
    score = AGGREGATES[aggregate]

    def difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return score(x, axis=axis) - score(y, axis=axis)

    result = stats.bootstrap(
        (a, b),
        difference,
        paired=True,
        vectorized=True,
        n_resamples=resamples,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return float(interval.low), float(interval.high)
