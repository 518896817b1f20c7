"""Two coefficients at once: the calibration objective over a grid of both.

A profile (:mod:`sim.studies.identifiability`) and a refit (:func:`sim.studies.calibrate.refit`)
move one coefficient with the others held; two coefficients that trade off along a ridge look
identified in each slice although the record tells only a combination of them. This module
evaluates a calibration target's objective (:func:`sim.studies.calibrate.objective`) over a grid
of two of its coefficients, every other coefficient of the target where it ships, at several
seeds (common random numbers: every point of a seed uses the same streams), and reads the grid
by the refit's rule: a point is **indifferent** from the best one when its mean paired
difference from it (same seed) is within :data:`sim.studies.calibrate.PAIRED_T` standard errors
or :data:`sim.studies.identifiability.RELATIVE_TOLERANCE` of the best loss, and it is connected
to the best through such points. The standard errors are the simulation's (Monte-Carlo noise
between seeds), not the record's sampling uncertainty: more seeds shrink the set, and only the
1% floor stands for what the data cannot tell. The set is a slice too: the target's other
coefficients are held where they ship, and freeing one of them can move the valley.

The grids span each coefficient's search range (:data:`sim.studies.calibrate.TARGETS`):
geometrically for rates and weights, whose plausible values differ by orders of magnitude (with
zero first where the range starts at zero), evenly for a logit intercept (:func:`grid`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import ndimage

from sim.scenario.priors import priors
from sim.studies import identifiability, record_fit
from sim.studies.calibrate import PAIRED_T, REFIT_SEEDS, TARGETS, objective
from sim.studies.tasks import run_tasks

#: Grid points per coefficient.
POINTS = 8


@dataclass(frozen=True)
class Surface:
    """The objective of one target over a grid of two of its coefficients.

    Attributes:
        target: A key of :data:`sim.studies.calibrate.TARGETS`.
        names: The two coefficients (``group.name``): rows, then columns.
        grids: Their values, ascending.
        loss: The objective, ``(seeds, rows, columns)``.
        shipped: Each of the two coefficients' shipped value.
        start: The fit window's first year.
    """

    target: str
    names: tuple[str, str]
    grids: tuple[tuple[float, ...], tuple[float, ...]]
    loss: np.ndarray
    shipped: tuple[float, float]
    start: int

    @property
    def mean(self) -> np.ndarray:
        """The mean loss over seeds, ``(rows, columns)``."""
        return self.loss.mean(axis=0)

    @property
    def best(self) -> tuple[int, int]:
        """Row and column of the lowest mean loss."""
        row, column = np.unravel_index(int(np.argmin(self.mean)), self.mean.shape)
        return int(row), int(column)

    @property
    def paired_se(self) -> np.ndarray:
        """Standard error of each point's paired difference from the best (same seed)."""
        seeds = self.loss.shape[0]
        if seeds < 2:
            return np.zeros(self.mean.shape)
        row, column = self.best
        paired = self.loss - self.loss[:, row : row + 1, column : column + 1]
        return paired.std(axis=0, ddof=1) / math.sqrt(seeds)

    @property
    def threshold(self) -> np.ndarray:
        """How far above the best a point may lie and still be indifferent, per point."""
        floor = identifiability.RELATIVE_TOLERANCE * abs(float(self.mean.min()))
        return np.maximum(PAIRED_T * self.paired_se, floor)

    @property
    def close(self) -> np.ndarray:
        """Every point within its threshold of the best, ``(rows, columns)`` booleans."""
        return self.mean - self.mean.min() <= self.threshold

    @property
    def indifferent(self) -> np.ndarray:
        """The points that cannot be told from the best: the close ones connected to it.

        Connected through neighbours, diagonals included (a valley runs diagonally across the
        grid), as a refit reads the run of close points around its best one.
        """
        labels, _ = ndimage.label(self.close, structure=np.ones((3, 3), dtype=int))
        return labels == labels[self.best]

    def span(self, axis: int) -> tuple[float, float]:
        """The lowest and highest value of coefficient ``axis`` (0 or 1) among the indifferent."""
        grid = np.array(self.grids[axis])
        values = grid[np.flatnonzero(self.indifferent.any(axis=1 - axis))]
        return float(values.min()), float(values.max())

    def reaches_both_ends(self, axis: int) -> bool:
        """Whether the indifferent set runs from one end of the axis's grid to the other."""
        low, high = self.span(axis)
        return low == self.grids[axis][0] and high == self.grids[axis][-1]

    def limit(self, axis: int) -> str:
        """What the indifferent set says of coefficient ``axis``, in words.

        ``an interval``, ``only a lower limit`` (it reaches the grid's top), ``only an upper
        limit`` (its floor), ``no limit`` (both), or ``one grid point`` (its neighbours, one
        grid step away on each side, can be told from it: a bracket, not a value).
        """
        grid = self.grids[axis]
        low, high = self.span(axis)
        if self.reaches_both_ends(axis):
            return "no limit"
        top, floor = high == grid[-1], low == grid[0]
        if top:
            return "only a lower limit"
        if floor:
            return "only an upper limit"
        return "one grid point" if low == high else "an interval"


def grid(low: float, high: float, points: int = POINTS) -> tuple[float, ...]:
    """``points`` values from ``low`` to ``high``.

    Geometric for a positive range, with zero first when it starts at zero; even for one that
    reaches below zero (a logit intercept, already on a log-odds scale).

    Raises:
        ValueError: If the range is empty or ``points`` is below 3.
    """
    if points < 3 or not low < high:
        raise ValueError(f"a grid needs 3+ points over low < high, not {points} over {low}–{high}")
    if low < 0:
        return tuple(float(v) for v in np.linspace(low, high, points))
    if low == 0:
        return (0.0, *(float(v) for v in np.geomspace(high / 100, high, points - 1)))
    return tuple(float(v) for v in np.geomspace(low, high, points))


def surface(
    target: str,
    pair: tuple[str, str],
    *,
    points: int = POINTS,
    seeds: int = REFIT_SEEDS,
    replicates: int | None = None,
    seed: int = 0,
    start: int = record_fit.START,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Surface:
    """Evaluate ``target``'s objective over a grid of the two coefficients ``pair``.

    Args:
        target: A key of :data:`sim.studies.calibrate.TARGETS`.
        pair: Two of its coefficients (``group.name``), different.
        points: Grid points per coefficient.
        seeds: Seeds every point is run at (``seed``, ``seed + 1``, …).
        replicates: Replicates per evaluation (default: the target's).
        seed: First seed.
        start: The fit window's first year (:data:`sim.studies.record_fit.STARTS`).
        workers: Processes the evaluations are shared among.
        progress: Called with 1 after each evaluation.

    Returns:
        The grid and the loss at every point and seed.

    Raises:
        ValueError: If the target, the pair or the window is not one a calibration has.
    """
    if target not in TARGETS:
        raise ValueError(f"no calibration target {target!r}; there are {sorted(TARGETS)}")
    spec = TARGETS[target]
    names = spec.names()
    unknown = [name for name in pair if name not in names]
    if unknown or len(set(pair)) != 2:
        raise ValueError(
            f"a surface needs two different coefficients of the {target} target "
            f"({', '.join(names)}), not {', '.join(pair)}"
        )
    record_fit.check_start(start)
    replicates = spec.replicates if replicates is None else replicates
    ranges = {f"{g}.{n}": bounds for g, n, bounds in spec.coefficients}
    grids = (grid(*ranges[pair[0]], points), grid(*ranges[pair[1]], points))
    # A prior's ``judgement`` is the value the coefficient ships at: the fitted one where it is
    # calibrated (sim.scenario.priors), not JUDGEMENT_DEFAULTS.
    shipped = {p.path: p.judgement for p in priors()}
    base = np.array([shipped[name] for name in names])
    rows, columns = names.index(pair[0]), names.index(pair[1])
    thetas, run_seeds = [], []
    for k in range(seeds):
        for a in grids[0]:
            for b in grids[1]:
                theta = base.copy()
                theta[rows], theta[columns] = a, b
                thetas.append(theta)
                run_seeds.append(seed + k)
    one = partial(_point, replicates=replicates, target=target, start=start)
    tasks = list(zip(thetas, run_seeds, strict=True))
    losses = run_tasks(one, tasks, workers, progress)
    loss = np.array(losses).reshape(seeds, len(grids[0]), len(grids[1]))
    return Surface(
        target=target,
        names=(pair[0], pair[1]),
        grids=grids,
        loss=loss,
        shipped=(shipped[pair[0]], shipped[pair[1]]),
        start=start,
    )


def _point(task: tuple[np.ndarray, int], *, replicates: int, target: str, start: int) -> float:
    theta, run_seed = task
    return objective(theta, replicates=replicates, seed=run_seed, target=target, start=start)


def markdown(result: Surface, metric: str) -> str:
    """The mean loss over the grid, the indifferent points marked, and what they span."""
    a, b = result.names
    mean, close = result.mean, result.indifferent
    best = result.best
    head = f"| {a} \\ {b} | " + " | ".join(f"{v:.3g}" for v in result.grids[1]) + " |"
    lines = [
        f"{metric}, mean over {result.loss.shape[0]} seeds; * the record cannot tell it from the "
        "best (**) point",
        "",
        head,
        "|---:|" + "---:|" * len(result.grids[1]),
    ]
    for i, value in enumerate(result.grids[0]):
        cells = []
        for j in range(len(result.grids[1])):
            mark = "**" if (i, j) == best else "*" if close[i, j] else ""
            cells.append(f"{mean[i, j]:.4f}{mark}")
        lines.append(f"| {value:.3g} | " + " | ".join(cells) + " |")
    lines.append("")
    for axis, name in enumerate(result.names):
        low, high = result.span(axis)
        lines.append(
            f"- {name}: indifferent from {low:.3g} to {high:.3g} ({result.limit(axis)}); ships "
            f"at {result.shipped[axis]:.3g}"
        )
    row, column = best
    lines.append(
        f"- best point: {a} {result.grids[0][row]:.3g}, {b} {result.grids[1][column]:.3g} "
        f"({mean[row, column]:.4f})"
    )
    return "\n".join(lines)
