"""Model-level and per-country measures of a state, one value per replicate.

These are the numbers the outputs, plots, the dashboard and conditional events read. They are
computed from :class:`sim.core.dynamics.state.State` and never change it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from sim.core.dynamics.state import State, leading, maximum, row_sum
from sim.core.dynamics.tension import replicate_polarization
from sim.core.world import World
from sim.scenario.ladder import ESCALATION_LEVELS

#: Model-level metrics, in output column order.
MODEL_METRICS = (
    "regional_tension",
    "incidents",
    "max_escalation",
    "polarization",
    "hedging",
    "hedgers",
    "us_credibility",
)

#: Per-country metrics, in output column order.
COUNTRY_METRICS = (
    "alignment",
    "milex_usd_bn",
    "threat",
    "abandonment_fear",
    "entrapment_fear",
    "moves",
    "coercion_months",
    "retreats",
)
#: Outcomes of a run derived from the states' decisions (``docs/model.md`` §9), per country.
DECISION_OUTCOMES = ("coercion_intensity", "first_retreat")

#: Countries with |alignment| below this are hedgers.
HEDGING_BAND = 0.2

#: How far past a bound rounding may carry a value, relative to the bound (a weighted mean of
#: tensions that are all 1 can come out at 1 + 2e-16).
ROUNDING = 1e-9


@dataclass(frozen=True)
class Bounds:
    """The values a metric or outcome can take, as the model makes it.

    Every value of a valid run lies within its bounds (up to :data:`ROUNDING`); sweep parts are
    checked against them, so a value outside can only come from damage or a bug.

    Attributes:
        low: The least value (``-inf``: none).
        high: The greatest value (``inf``: none).
        above: Whether ``low`` itself is excluded (no state spends nothing on its military).
        whole: Whether the values are whole numbers (counts, rungs, 0/1 indicators).
    """

    low: float = -math.inf
    high: float = math.inf
    above: bool = False
    whole: bool = False

    def outside(self, values: np.ndarray) -> np.ndarray:
        """Which of ``values`` break the bounds (NaN and infinities always do)."""
        values = np.asarray(values, dtype=float)
        bad = ~np.isfinite(values)
        with np.errstate(invalid="ignore"):
            if self.above:
                bad |= values <= self.low
            else:
                bad |= values < self.low - ROUNDING * max(1.0, abs(self.low))
            bad |= values > self.high + ROUNDING * max(1.0, abs(self.high))
            if self.whole:
                bad |= values != np.round(values)
        return bad

    def __str__(self) -> str:
        whole = "whole numbers " if self.whole else ""
        if math.isinf(self.high):
            return f"{whole}{'>' if self.above else '≥'} {self.low:g}"
        return f"{whole}in [{self.low:g}, {self.high:g}]"


#: Values in the unit interval: tensions, fears, credibility, polarisation, threat.
UNIT = Bounds(0.0, 1.0)
#: Counts: incidents.
COUNT = Bounds(0.0, whole=True)


def metric_bounds(countries: int) -> dict[str, Bounds]:
    """The bounds of every model-level and per-country metric (:data:`MODEL_METRICS`, ...).

    Args:
        countries: Countries in the world (the most that can hedge).
    """
    return {
        "regional_tension": UNIT,  # a salience-weighted mean of tensions in [0, 1]
        "incidents": COUNT,
        "max_escalation": Bounds(0.0, len(ESCALATION_LEVELS), whole=True),  # calm … war
        "polarization": UNIT,  # half the mean distance between alignments in [-1, 1]
        "hedging": UNIT,  # a mean of 1 - |alignment| over the states that are not poles
        "hedgers": Bounds(0.0, countries, whole=True),
        "us_credibility": UNIT,  # a commitment-weighted mean of credibilities in [0, 1]
        "alignment": Bounds(-1.0, 1.0),  # China (-1) to the United States (+1)
        "milex_usd_bn": Bounds(0.0, above=True),  # burden (at least its floor) times GDP
        "threat": UNIT,  # 1 - exp(-sensitivity × exposure), exposure ≥ 0
        "abandonment_fear": UNIT,  # threat × (1 - the best pledge), both in [0, 1]
        "entrapment_fear": UNIT,  # a commitment in [0, 1] times a tension in [0, 1]
        "moves": COUNT,  # moves a state has made so far (§9)
        "coercion_months": Bounds(0.0),  # intensity-months of coercion so far, over its targets
        "retreats": COUNT,  # times a state has backed down in an incident so far
    }


def outcome_bounds(name: str, countries: int) -> Bounds:
    """The bounds of a run's outcome (see :func:`sim.core.engine.final_outcomes`).

    Args:
        name: The outcome: ``p_crisis``, ``incidents_total``, ``regional_tension``,
            ``alignment.PHL``, ``milex_change_pct.VNM``...
        countries: Countries in the world.

    Raises:
        KeyError: For a name that is not an outcome.
    """
    metric = name.partition(".")[0]
    if name in {f"p_{level}" for level in ESCALATION_LEVELS}:
        return Bounds(0.0, 1.0, whole=True)  # 1 if any dyad reached the rung, else 0
    if name == "incidents_total":
        return COUNT
    if metric == "milex_change_pct":
        return Bounds(-100.0)  # spending never falls to nothing
    if metric == "coercion_intensity":
        return Bounds(0.0, countries - 1.0)  # summed over its targets, each at most 1
    if metric == "first_retreat":
        return Bounds(0.0, whole=True)  # a month; one past the horizon when it never came
    return metric_bounds(countries)[metric]


def regional_tension(world: World, state: State) -> np.ndarray:
    """Salience-weighted mean dyad tension, in [0, 1]."""
    # A row-wise sum over a contiguous product, not a matmul: its summation order must not
    # depend on the batch size, so that a replicate gives the same bits alone or among many.
    dyads = np.ascontiguousarray(state.tension[:, world.dyad_i, world.dyad_j])
    return (dyads * world.salience).sum(axis=1)


def hedging(world: World, state: State) -> np.ndarray:
    """How far the states sit from the poles: the mean of ``1 − |A_i|`` over the non-poles.

    The continuous measure of hedging, in [0, 1]: 0 when every state sits at a pole, 1 when
    all sit at the centre. Unlike the count of hedgers it has no threshold, so a state moving
    from 0.21 to 0.19 moves it by as little as the move is.
    """
    free = np.flatnonzero(~world.pole)
    total = np.zeros(state.replicates)
    for k in free:  # a fixed order of the sum: the same bits at any batch size
        total += 1.0 - np.abs(state.alignment[:, k])
    return total / free.size


def hedgers(world: World, state: State) -> np.ndarray:
    """Number of countries (poles excluded) with |alignment| < 0.2."""
    hedging = (np.abs(state.alignment) < HEDGING_BAND) & ~world.pole
    return hedging.sum(axis=1).astype(float)


def us_credibility(world: World, state: State) -> np.ndarray:
    """Commitment-weighted mean credibility of US defence pledges in force (0 if none).

    Only treaties and collective-defence pacts count: partnerships and minilaterals carry no
    defence pledge whose credibility could be doubted.
    """
    t = state.step
    in_force = (state.alliance_start <= t) & (t < state.alliance_end) & world.defence
    with_us = state.members[:, :, world.us] & in_force
    weight = with_us * state.commitment
    total = weight.sum(axis=1)
    return np.where(
        total > 0, (weight * state.credibility).sum(axis=1) / np.maximum(total, 1e-12), 0
    )


def model_metrics(world: World, state: State) -> dict[str, np.ndarray]:
    """All model-level metrics of the current state (each ``(R,)``).

    The functions above, computed together by :func:`_model_values` in one pass over the
    replicates (the same bits).
    """
    values = np.empty((len(MODEL_METRICS), state.replicates))
    _model_values(values, *metric_inputs(world, state))
    return dict(zip(MODEL_METRICS, values, strict=True))


def metric_inputs(world: World, state: State) -> tuple:
    """The arguments of :func:`_model_values` after its output: the state's and world's arrays."""
    return (
        state.tension,
        state.level,
        state.new_incidents,
        state.alignment,
        state.members,
        state.alliance_start,
        state.alliance_end,
        state.commitment,
        state.credibility,
        state.step,
        leading(world.salience, 1),
        np.flatnonzero(~world.pole),
        world.pole,
        world.defence,
        world.us,
        world.dyad_i,
        world.dyad_j,
    )


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _model_values(
    out, tension, level, new_incidents, alignment, members, start, end, commitment,
    credibility, step, salience, free, pole, defence, us, dyad_i, dyad_j,
):  # fmt: skip
    """:func:`model_metrics` of every replicate into ``out``, ``(len(MODEL_METRICS), R)``."""
    scratch = _metric_scratch(alignment.shape[1], dyad_i.size, commitment.shape[1])
    dyad_tension, dyad_level = np.empty(dyad_i.size), np.empty(dyad_i.size, dtype=level.dtype)
    for r in range(tension.shape[0]):
        for q in range(dyad_i.size):
            dyad_tension[q] = tension[r, dyad_i[q], dyad_j[q]]
            dyad_level[q] = level[r, dyad_i[q], dyad_j[q]]
        row = _model_row(
            dyad_tension, dyad_level, new_incidents[r], alignment[r], members[r], start[r],
            end[r], commitment[r], credibility[r], step,
            salience[r if salience.shape[0] > 1 else 0], free, pole, defence, us, scratch,
        )  # fmt: skip
        for m in range(len(row)):
            out[m, r] = row[m]


@numba.njit(cache=True, nogil=True)
def _metric_scratch(n, dyads, alliances):
    """Scratch rows for :func:`_model_row`: dyads, the ``N²`` gaps, two alliance rows."""
    return np.empty(dyads), np.empty(n * n), np.empty(alliances), np.empty(alliances)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _model_row(
    tension, level, new_incidents, alignment, members, start, end, commitment, credibility,
    step, salience, free, pole, defence, us, scratch,
):  # fmt: skip
    """The model metrics of one replicate, in :data:`MODEL_METRICS` order.

    ``tension`` and ``level`` are the dyads' over the upper triangle (``World.dyad_i``,
    ``World.dyad_j``), ``(D,)`` each.

    The arithmetic of the array forms above (:func:`regional_tension`, :func:`hedging`,
    :func:`hedgers`, :func:`us_credibility`, :func:`~sim.core.dynamics.tension.polarization`),
    their sums over contiguous rows in NumPy's order (:func:`row_sum`): the same bits.
    """
    dyads, gaps, weight, credible = scratch
    for q in range(tension.size):
        dyads[q] = tension[q] * salience[q]
    regional = row_sum(dyads)
    top = level[0] if level.size else 0
    incidents = 0
    for q in range(level.size):
        top = max(top, level[q])
        incidents += new_incidents[q]
    polar = replicate_polarization(alignment, gaps)
    total = 0.0
    for k in free:  # the fixed order of :func:`hedging`
        total += 1.0 - abs(alignment[k])
    hedged = total / free.size
    counted = 0
    for i in range(alignment.size):
        if abs(alignment[i]) < HEDGING_BAND and not pole[i]:
            counted += 1
    for k in range(commitment.size):
        with_us = members[k, us] and start[k] <= step and step < end[k] and defence[k]
        weight[k] = (1.0 if with_us else 0.0) * commitment[k]
        credible[k] = weight[k] * credibility[k]
    pledged = row_sum(weight)
    us_credible = row_sum(credible) / maximum(pledged, 1e-12) if pledged > 0 else 0.0
    return (
        regional,
        float(incidents),
        float(top),
        polar,
        hedged,
        float(counted),
        us_credible,
    )


def country_metrics(world: World, state: State) -> dict[str, np.ndarray]:
    """All per-country metrics of the current state (each ``(R, N)``)."""
    return {
        "alignment": state.alignment.copy(),
        "milex_usd_bn": state.milex.copy(),
        "threat": state.threat.copy(),
        "abandonment_fear": state.abandonment.copy(),
        "entrapment_fear": state.entrapment.copy(),
        "moves": _counted(state.moves, state.alignment.shape),
        "coercion_months": _counted(state.coercing, state.alignment.shape),
        "retreats": _counted(state.retreats, state.alignment.shape),
    }


def _counted(counter: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """A decision counter as floats (zeros for a state built without counters)."""
    return np.zeros(shape) if counter is None else counter.astype(float)


def lookup(world: World, state: State):
    """Return a quantity reader for conditional events over this state.

    The reader takes a metric name and country codes (see
    :data:`sim.scenario.conditions.METRICS`) and returns one value per replicate.
    """

    def read(metric: str, args: tuple[str, ...]) -> np.ndarray:
        idx = [world.index(code) for code in args]
        if metric == "step":
            return np.full(state.replicates, float(state.step))
        if metric in MODEL_METRICS:
            return model_metrics(world, state)[metric]
        if metric == "tension":
            return state.tension[:, idx[0], idx[1]]
        if metric == "escalation":
            return state.level[:, idx[0], idx[1]].astype(float)
        if metric == "alignment":
            return state.alignment[:, idx[0]]
        if metric == "threat":
            return state.threat[:, idx[0]]
        if metric == "milex":
            return state.milex[:, idx[0]]
        raise KeyError(metric)

    return read
