"""Model-level and per-country measures of a state, one value per replicate.

These are the numbers the outputs, plots, the dashboard and conditional events read. They are
computed from :class:`sim.core.dynamics.state.State` and never change it.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.alliances import alliance_ties
from sim.core.dynamics.state import State
from sim.core.dynamics.tension import polarization
from sim.core.world import World

#: Model-level metrics, in output column order.
MODEL_METRICS = (
    "regional_tension",
    "incidents",
    "max_escalation",
    "polarization",
    "hedgers",
    "us_credibility",
)

#: Per-country metrics, in output column order.
COUNTRY_METRICS = ("alignment", "milex_usd_bn", "threat", "abandonment_fear", "entrapment_fear")

#: Countries with |alignment| below this are hedgers.
HEDGING_BAND = 0.2


def regional_tension(world: World, state: State) -> np.ndarray:
    """Salience-weighted mean dyad tension, in [0, 1]."""
    # A row-wise sum over a contiguous product, not a matmul: its summation order must not
    # depend on the batch size, so that a replicate gives the same bits alone or among many.
    dyads = np.ascontiguousarray(state.tension[:, world.dyad_i, world.dyad_j])
    return (dyads * world.salience).sum(axis=1)


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
    """All model-level metrics of the current state (each ``(R,)``)."""
    levels = state.level[:, world.dyad_i, world.dyad_j]
    return {
        "regional_tension": regional_tension(world, state),
        "incidents": state.new_incidents.sum(axis=1).astype(float),
        "max_escalation": levels.max(axis=1).astype(float),
        "polarization": polarization(state.alignment),
        "hedgers": hedgers(world, state),
        "us_credibility": us_credibility(world, state),
    }


def country_metrics(world: World, state: State) -> dict[str, np.ndarray]:
    """All per-country metrics of the current state (each ``(R, N)``)."""
    return {
        "alignment": state.alignment.copy(),
        "milex_usd_bn": state.milex.copy(),
        "threat": state.threat.copy(),
        "abandonment_fear": state.abandonment.copy(),
        "entrapment_fear": state.entrapment.copy(),
    }


def alliance_strength(world: World, state: State) -> np.ndarray:
    """Credible tie strength between every pair of countries (``(R, N, N)``)."""
    return alliance_ties(world, state).credible


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
