"""Identifiability: can the objective tell a coefficient's fitted value from other values?

A fit always returns a number, even for a coefficient the objective does not depend on. For each
coefficient this module computes the objective's **profile** through the optimum: the objective
along that coefficient on a grid over its bounds, the other coefficients held at their fitted
values (a slice through the optimum, not a profile likelihood that re-fits the others). From it:

- **rise**: how far the profile climbs above the optimum (``max − optimum``);
- **relative range**: ``(max − min) / optimum``, how flat the profile is;
- **curvature** and **slope**: the second and first derivatives at the fitted value, in units
  of the bounds' width (objective per width² and per width), from the parabola through the
  fitted point and its neighbours on the grid;
- **indifference interval**: the grid values around the fitted one whose objective is within
  the threshold of the optimum: the values the objective cannot tell from the fitted one;
- **optimum**: where the fitted value and that interval lie: ``interior`` (the profile rises
  on both sides), ``lower bound`` or ``upper bound`` (the fitted value is the grid's end: the
  data push the coefficient to that bound), ``open below`` or ``open above`` (the fitted value
  is inside, but the interval reaches that end of the grid: the data give only an upper, or
  only a lower, limit), or ``flat`` (the interval spans the bounds). Only ``interior`` is an
  estimate.

A coefficient is **identified** when its profile rises above the optimum by more than the
threshold somewhere on its bounds, and no grid value beats the optimum by more than the
threshold (else the optimiser had not converged and the fitted value is not the optimum). The
threshold is the objective's precision (:func:`precision_threshold`).

One-at-a-time profiles see a coefficient the objective ignores; they do not see two coefficients
that trade off along a ridge (each profile curved, their combination flat).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: Relative precision: a profile must rise by more than this share of the optimum.
RELATIVE_TOLERANCE = 0.01
#: Noise multiple: a profile must rise by more than this many seed-to-seed standard deviations.
NOISE_FACTOR = 2.0
#: Absolute floor of the threshold, in the objective's units (guards an optimum of zero).
FLOOR = 1e-4
#: Grid points per coefficient (the fitted value is added to them).
POINTS = 11


@dataclass(frozen=True)
class Profile:
    """The objective along one coefficient through the optimum.

    Attributes:
        name: The coefficient.
        fitted: Its fitted value.
        bounds: ``(low, high)`` of the search.
        grid: Values of the coefficient, ascending, the fitted value among them.
        values: Objective at each grid value (the others at their fitted values).
        optimum_value: Objective at the fitted point.
        threshold: Rise that counts as identification (the objective's precision).
    """

    name: str
    fitted: float
    bounds: tuple[float, float]
    grid: tuple[float, ...]
    values: tuple[float, ...]
    optimum_value: float
    threshold: float

    @property
    def rise(self) -> float:
        """How far the profile climbs above the optimum."""
        return max(self.values) - self.optimum_value

    @property
    def relative_range(self) -> float:
        """``(max − min) / optimum``: zero for a perfectly flat profile."""
        spread = max(self.values) - min(self.values)
        return spread / abs(self.optimum_value) if self.optimum_value else spread

    @property
    def converged(self) -> bool:
        """Whether no grid value beats the optimum by more than the threshold."""
        return min(self.values) >= self.optimum_value - self.threshold

    @property
    def curvature(self) -> float:
        """Second derivative at the fitted value, objective per (bounds width)²."""
        return self._local_parabola()[1]

    @property
    def slope(self) -> float:
        """First derivative at the fitted value, objective per bounds width.

        Near zero at an interior optimum; at a bound, how steeply the data push towards it.
        """
        return self._local_parabola()[0]

    def _local_parabola(self) -> tuple[float, float]:
        """Slope and curvature at the fitted value, in units of the bounds' width.

        From the parabola through the fitted point and its nearest grid neighbours at least half
        a grid step away: one on each side, or the two nearest on one side at a bound (a
        one-sided difference).
        """
        low, high = self.bounds
        u = (np.asarray(self.grid) - low) / (high - low)
        at = (self.fitted - low) / (high - low)
        far = np.abs(u - at) >= float(np.max(np.diff(u))) / 2
        left = list(np.flatnonzero(far & (u < at)))[::-1]
        right = list(np.flatnonzero(far & (u > at)))
        chosen = [left[0], right[0]] if left and right else (left or right)[:2]
        if len(chosen) < 2:
            return float("nan"), float("nan")
        x = np.array([at, *u[chosen]]) - at
        y = np.array([self.optimum_value, *np.asarray(self.values)[chosen]])
        a, b, _ = np.polyfit(x, y, 2)  # exact through three points, centred on the fit
        return float(b), float(2 * a)

    @property
    def indifferent(self) -> tuple[float, float]:
        """The contiguous grid values around the fitted one within the threshold of it."""
        close = np.asarray(self.values) <= self.optimum_value + self.threshold
        return indifferent(self.grid, close, self.fitted)

    @property
    def optimum(self) -> str:
        """Where the fit lies: ``interior``, at a bound, open below or above, or ``flat``."""
        return optimum(self.grid, self.fitted, self.indifferent)

    @property
    def identified(self) -> bool:
        """Whether the profile rises above the threshold and the fit is its minimum."""
        return self.rise > self.threshold and self.converged


def indifferent(grid: Sequence[float], close: np.ndarray, fitted: float) -> tuple[float, float]:
    """The contiguous run of ``close`` grid values around ``fitted``, as ``(first, last)``."""
    centre = list(grid).index(fitted)
    first, last = centre, centre
    while first > 0 and close[first - 1]:
        first -= 1
    while last < len(grid) - 1 and close[last + 1]:
        last += 1
    return grid[first], grid[last]


def optimum(grid: Sequence[float], fitted: float, interval: tuple[float, float]) -> str:
    """Where a fit lies on its grid, given its indifference ``interval`` (see the module)."""
    at_low, at_high = interval[0] == grid[0], interval[1] == grid[-1]
    if at_low and at_high:
        return "flat"
    if not (at_low or at_high):
        return "interior"
    if fitted in (grid[0], grid[-1]):
        return "lower bound" if fitted == grid[0] else "upper bound"
    return "open below" if at_low else "open above"


def precision_threshold(
    optimum_value: float,
    noise: float = 0.0,
    *,
    relative: float = RELATIVE_TOLERANCE,
    noise_factor: float = NOISE_FACTOR,
    floor: float = FLOOR,
) -> float:
    """The rise of a profile that counts as identification.

    The largest of a share of the optimum, a multiple of the objective's noise and a floor.

    Args:
        optimum_value: Objective at the optimum.
        noise: Standard deviation of the objective at the optimum across random seeds (zero
            for an objective without randomness).
        relative: Share of the optimum.
        noise_factor: Multiple of the noise.
        floor: Absolute floor.

    Returns:
        The threshold, in the objective's units.
    """
    return max(relative * abs(optimum_value), noise_factor * noise, floor)


def profile(
    objective: Callable[[np.ndarray], float],
    point: Sequence[float],
    index: int,
    bounds: tuple[float, float],
    *,
    optimum_value: float,
    threshold: float,
    name: str = "",
    points: int = POINTS,
) -> Profile:
    """The objective along coefficient ``index`` through ``point``, on a grid over ``bounds``.

    Args:
        objective: The function minimised; deterministic (else a flat profile may be noise).
        point: The optimum.
        index: Which coefficient to vary.
        bounds: Its bounds.
        optimum_value: ``objective(point)``, known from the fit (not evaluated again).
        threshold: The objective's precision (:func:`precision_threshold`).
        name: The coefficient's name.
        points: Grid points evenly spread over the bounds, ends included.

    Returns:
        The profile.
    """
    low, high = bounds
    fitted = float(point[index])
    uniform = [float(v) for v in np.linspace(low, high, points)]
    grid = sorted({*uniform, fitted})
    values = []
    for value in grid:
        if value == fitted:
            values.append(float(optimum_value))
            continue
        theta = np.array(point, dtype=float)
        theta[index] = value
        values.append(float(objective(theta)))
    return Profile(
        name=name or str(index),
        fitted=fitted,
        bounds=(float(low), float(high)),
        grid=tuple(grid),
        values=tuple(values),
        optimum_value=float(optimum_value),
        threshold=float(threshold),
    )


def profiles(
    objective: Callable[[np.ndarray], float],
    point: Sequence[float],
    bounds: Sequence[tuple[float, float]],
    names: Sequence[str],
    *,
    optimum_value: float,
    threshold: float,
    points: int = POINTS,
) -> dict[str, Profile]:
    """Every coefficient's profile through ``point`` (:func:`profile`), by name."""
    return {
        name: profile(
            objective,
            point,
            index,
            bounds[index],
            optimum_value=optimum_value,
            threshold=threshold,
            name=name,
            points=points,
        )
        for index, name in enumerate(names)
    }


def table(found: dict[str, Profile]) -> str:
    """The identifiability table as Markdown: one row per coefficient."""
    lines = [
        "| coefficient | fitted | profile range / optimum | curvature | slope | optimum "
        "| indifferent over | identified |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for name, p in found.items():
        first, last = p.indifferent
        lines.append(
            f"| `{name}` | {p.fitted:.4g} | {p.relative_range:.2g} | {p.curvature:.3g} "
            f"| {p.slope:.3g} "
            f"| {p.optimum} | {first:.4g}–{last:.4g} | {'yes' if p.identified else 'no'} |"
        )
    return "\n".join(lines) + "\n"
