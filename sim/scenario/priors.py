"""Priors of the free coefficients, and coefficient sets drawn from them.

``seeds/priors.yaml`` gives each free coefficient the shape of its prior and the reason for it;
the range is the coefficient's plausible range in :mod:`sim.scenario.parameters` (one source
for every number). Three shapes:

- ``log-uniform``: a positive (or negative) scale known to within a factor, its median at the
  judgement: half the mass log-uniform between the lower bound and the judgement, half between
  the judgement and the upper bound (one log-uniform when the range is symmetric about the
  judgement on a log scale, as half-to-double is; an asymmetric range keeps the judgement as
  its median rather than the geometric mean of its bounds);
- ``uniform``: a weight or share that may vanish, or a narrow range: uniform over the range,
  its median the midpoint;
- ``fixed``: a reference that fixes a scale, never varied;
- ``log-normal``: a fitted quantity's posterior, given by its median (``judgement``) and its
  10% and 90% points (``low``, ``high``): normal in the logarithm on each side of the median,
  with the spread that puts those points where they are (a split normal). The dyads'
  incident propensities take it (:func:`propensity_priors`).

:func:`draw_sets` draws coefficient sets by Latin-hypercube sampling: every coefficient's range
is covered evenly even with a few dozen sets, and the same seed gives the same sets, so every
scenario of a comparison meets the same ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc

from sim.scenario import baseline
from sim.scenario.parameters import Parameters, provenance
from sim.scenario.resources import seeds_dir
from sim.scenario.yaml_io import read_file

#: The shapes a prior may take.
SHAPES = ("log-uniform", "uniform", "fixed", "log-normal")
#: The first part of a dyad propensity's path in a coefficient set (``propensity.CHN-PHL``).
PROPENSITY = "propensity"
#: The standard normal's 90% point: a log-normal prior's ``high`` lies this many of its upper
#: spreads above the median, its ``low`` as many lower spreads below.
Z90 = 1.2815515655446004


@dataclass(frozen=True)
class Prior:
    """The prior of one free coefficient.

    Attributes:
        path: The coefficient's path under ``parameters`` (``incidents.base_hazard``).
        shape: One of :data:`SHAPES`.
        low: Lower bound (the plausible range's).
        high: Upper bound.
        reason: Why this shape.
        judgement: The coefficient's value (the median of a log-uniform prior).
    """

    path: str
    shape: str
    low: float
    high: float
    reason: str
    judgement: float

    def __post_init__(self) -> None:
        if not self.low <= self.judgement <= self.high:
            raise ValueError(f"{self.path}: {self.judgement} is outside {self.low}…{self.high}")

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The values at probabilities ``u`` in [0, 1)."""
        if self.shape == "fixed":
            return np.full(np.shape(u), self.low)
        if self.shape == "uniform":
            return self.low + u * (self.high - self.low)
        if self.shape == "log-normal":
            a, m, b = (math.log(x) for x in (self.low, self.judgement, self.high))
            z = ndtri(np.asarray(u, dtype=float))
            return np.exp(m + z * np.where(z < 0, (m - a) / Z90, (b - m) / Z90))
        sign = 1.0 if self.low > 0 else -1.0
        a, m, b = (math.log(abs(x)) for x in (self.low, self.judgement, self.high))
        below = a + (u / 0.5) * (m - a)
        above = m + ((u - 0.5) / 0.5) * (b - m)
        return sign * np.exp(np.where(u < 0.5, below, above))


@cache
def priors() -> tuple[Prior, ...]:
    """Every free or calibrated coefficient's prior, in the order of the provenance.

    A calibrated coefficient keeps a prior: its range is the values the calibration could not
    tell from the fitted one (:func:`sim.studies.calibrate.plausible`), and ``seeds/priors.yaml``
    makes it uniform over them.

    Raises:
        ValueError: A free coefficient without a prior, a prior of no coefficient, or a shape
            that its range cannot take (a log scale through zero).
    """
    data = read_file(seeds_dir() / "priors.yaml")[0]["priors"]
    free = {
        row["path"].removeprefix("parameters."): row
        for row in provenance(Parameters())
        if (row["free"] or row["source"].startswith("calibrated")) and row["plausible"] is not None
    }
    missing, unknown = sorted(set(free) - set(data)), sorted(set(data) - set(free))
    if missing or unknown:
        raise ValueError(
            f"seeds/priors.yaml: no prior for {missing}" if missing else f"no coefficient {unknown}"
        )
    out = []
    for path, row in free.items():
        entry = data[path]
        low, high = row["plausible"]
        shape = entry["distribution"]
        if shape not in SHAPES:
            raise ValueError(f"seeds/priors.yaml {path}: shape {shape!r}, expected one of {SHAPES}")
        if shape == "log-uniform" and low * high <= 0:
            raise ValueError(f"seeds/priors.yaml {path}: a log-uniform prior on {low}…{high}")
        if shape != "fixed" and low == high:
            shape = "fixed"
        out.append(
            Prior(path, shape, float(low), float(high), entry["reason"], float(row["default"]))
        )
    return tuple(out)


@cache
def propensity_priors() -> tuple[Prior, ...]:
    """The posterior of each dispute dyad's incident propensity, as a log-normal prior.

    Its median is the shipped propensity, its 10% and 90% points the fit's interval
    (``seeds/propensities.csv``); the path is ``propensity.A-B``.
    """
    return tuple(
        Prior(
            f"{PROPENSITY}.{row.a}-{row.b}",
            "log-normal",
            row.low,
            row.high,
            "the fit's posterior (seeds/propensities.csv): its median the shipped value, its "
            "10% and 90% points the interval",
            row.value,
        )
        for row in baseline.propensity_table()
    )


def split_propensities(
    values: dict[str, float],
) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """A coefficient set's coefficients, and its dyad propensities keyed ``(a, b)``."""
    prefix = f"{PROPENSITY}."
    kappa = {
        tuple(path.removeprefix(prefix).split("-")): value
        for path, value in values.items()
        if path.startswith(prefix)
    }
    return {p: v for p, v in values.items() if not p.startswith(prefix)}, kappa


def draw_sets(count: int, seed: int) -> list[dict[str, float]]:
    """``count`` coefficient sets by Latin-hypercube sampling of the priors.

    Each set holds the free coefficients and each dispute dyad's propensity
    (:func:`propensity_priors`; :func:`split_propensities` parts them).

    Args:
        count: How many sets.
        seed: The sampler's seed: the same seed gives the same sets.

    Returns:
        One mapping per set from a coefficient's path (``incidents.base_hazard``) to its value;
        fixed coefficients are left out (they keep their value).
    """
    varied = [p for p in priors() if p.shape != "fixed"] + list(propensity_priors())
    unit = qmc.LatinHypercube(d=len(varied), rng=np.random.default_rng(seed)).random(count)
    columns = [p.quantile(unit[:, j]) for j, p in enumerate(varied)]
    return [{p.path: float(columns[j][k]) for j, p in enumerate(varied)} for k in range(count)]


def with_coefficients(params: Parameters, values: dict[str, float]) -> Parameters:
    """``params`` with the coefficients ``values`` (paths as :func:`draw_sets` gives them).

    The changed groups are validated: a value out of a coefficient's bounds, or a name that is
    no coefficient, raises a ``ValidationError``.
    """
    groups: dict[str, dict[str, float]] = {}
    for path, value in values.items():
        group, name = path.split(".")
        groups.setdefault(group, {})[name] = value
    return params.model_copy(
        update={
            group: type(getattr(params, group)).model_validate(
                getattr(params, group).model_dump(exclude_unset=True) | changes
            )
            for group, changes in groups.items()
        }
    )
