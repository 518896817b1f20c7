"""Anchoring (``docs/model.md``, "Baseline and anchoring"): the status quo at rest.

A model started from observed data is not at its own equilibrium; left alone it would drift
towards it, and every scenario would mostly show that drift. The observed baseline is taken as
the rest state of the *world held at rest*: the status quo (by default the shipped
``hub_and_spoke`` scenario's alliances and standing policies) with the scenario's country
data. Three things are solved on it, the way computable general-equilibrium models are
calibrated to a base year:

- the **stationary incident process**: each dyad's distribution over the escalation ladder,
  its mean tension and its memory of hostile acts, so that a run starts inside the process it
  follows (:func:`stationary_incidents`);
- the **status-quo path** of every state's capability, from its announced burden and
  projected growth, and along it the threat ratio and abandonment fear each state would feel
  (:func:`anchors`): arms respond only to departures from these;
- the **alignment disposition** along the same path, ``b_i(t) = −F_i(t)``, so that without
  departures no state's alignment moves.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.alignment import alignment_forces
from sim.core.dynamics.deterrence import deterrence
from sim.core.dynamics.incidents import (
    effective_channels,
    incident_hazard,
    interdependence_restraint,
    level_distribution,
    step_probabilities,
)
from sim.core.dynamics.levers import active_levers, lever_terms
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.state import EPS, State, current_gaps
from sim.core.dynamics.step import initial_state
from sim.core.dynamics.tension import relief_of, resting_tension, tension_target
from sim.core.dynamics.threat import power_share
from sim.core.world import World
from sim.scenario.ladder import WAR

#: Fixed-point iterations for the stationary tension (it converges in a few dozen).
ITERATIONS = 200


def stationary_incidents(world: World, state: State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stationary tension, memory and level distribution of the world's incident process.

    Every incident dyad follows the chain of §5 at fixed ties, capabilities and policies; its
    stationary distribution ``π(τ)`` gives the mean level ``E[L]``, and the mean tension solves
    ``τ = target + (g_I E[L](τ) + g_P P gap) / (ρ + ρ_D R)`` (§6, at rest: no arms racing).
    The memory of hostile acts is an average of levels, so its mean is ``E[L]``.

    Args:
        world: The world held at rest.
        state: Its month-0 state (one replicate).

    Returns:
        ``(tension, memory, cdf)``: ``(N, N)``, ``(N, N)`` and, over all upper-triangle dyads,
        the cumulative level distribution ``(D, 6)`` (calm with certainty off the incident
        dyads).
    """
    p = world.params
    levers = active_levers(world, state)
    terms = lever_terms(world, state, levers)
    ties, cap, *_ = perceive(world, state, levers)
    channels = effective_channels(world, state, levers, ties.credible)
    relief = relief_of(world, terms, channels)
    half, distance = current_gaps(state)
    n = world.n
    polar = half.sum(axis=(1, 2)) / (n * (n - 1))
    i, j = world.dyad_i, world.dyad_j
    target = tension_target(
        world, world.dispute[i, j], distance[:, i, j], terms.economic_dyad, relief
    )
    # A zero relaxation rate (allowed) leaves tension where pushes take it: at its cap.
    rate = np.maximum(p.tension.relaxation + p.tension.dialogue_relief * relief, EPS)
    bloc = p.tension.polarization_gain * polar[:, None] * half[:, i, j]
    tau = np.clip(target + bloc / rate, 0.0, 1.0)[0]  # (D,): at rest without incidents

    s = world.incident_dyads
    deter, embolden = deterrence(world, state, levers, ties, cap)
    channel = 0.0 if channels is None else channels[0, world.dyad_i[s], world.dyad_j[s]]
    restraint = interdependence_restraint(world, terms.economic_dyad[:, s])[0]
    ceasefire = terms.ceasefire_dyad[0, s]
    coercion, presence = terms.coercion_dyad[0, s], terms.presence_dyad[0, s]
    levels = np.arange(1, WAR + 1)[:, None]  # (5, 1): levels 1 … 5 against dyads
    mean_level = np.zeros(s.size)
    pi = np.zeros((s.size, WAR + 1))
    for _ in range(ITERATIONS):
        t = tau[s]
        start = -np.expm1(-incident_hazard(world, t, coercion, presence))
        p_up, p_down = step_probabilities(
            world, levels, t, deter[0], embolden[0], channel, ceasefire, restraint, coercion
        )  # (5, S)
        # At war nothing is higher: the month's step-up draw steps it down (see §5).
        down = np.concatenate([p_down[:-1], np.minimum(p_up[-1:] + p_down[-1:], 1.0)])
        pi = level_distribution(start, p_up[:-1].T, down.T)
        # A row sum, not a matrix-vector product: BLAS's result depends on the array's
        # alignment in memory, so the same numbers could give different bits.
        mean_level = (pi * np.arange(WAR + 1)).sum(axis=-1)
        moved = tau.copy()
        moved[s] = np.clip(
            target[0, s] + (p.tension.incident_gain * mean_level + bloc[0, s]) / rate[0, s],
            0.0,
            1.0,
        )
        if np.max(np.abs(moved - tau)) < 1e-12:
            tau = moved
            break
        tau = 0.5 * (tau + moved)
    tension, memory = np.zeros((n, n)), np.zeros((n, n))
    tension[i, j] = tension[j, i] = tau
    memory[world.dyad_i[s], world.dyad_j[s]] = memory[world.dyad_j[s], world.dyad_i[s]] = mean_level
    cdf = np.ones((i.size, WAR + 1))
    cdf[s] = np.cumsum(pi, axis=1)
    return tension, memory, cdf


def anchors(reference: World, horizon: int) -> dict[str, np.ndarray]:
    """The initial state and the status-quo paths the scenario's world is anchored on.

    Args:
        reference: The world held at rest (its alliances and policies in force at month 0,
            the shipped trajectories).
        horizon: The scenario's horizon in months.

    Returns:
        The fields of :class:`~sim.core.world.World` they fill: ``tension0``, ``memory0``,
        ``level_cdf``, ``reference_ratio``, ``reference_path`` and ``reference_abandonment``
        ``(T+1, N)``, and ``alignment_anchor`` and ``reference_share`` (each state's power share on
        the path, from which a receding power is measured) ``(T+1, N)``.
    """
    state = initial_state(reference, np.zeros(1, dtype=np.uint64))
    state.tension = resting_tension(reference, state.alignment)
    tension, memory, cdf = stationary_incidents(reference, state)

    # The status-quo path, one month per replicate: each state on its announced burden and
    # projected growth (and assistance in force), from the stationary month 0.
    months = np.arange(horizon + 1)
    path = (
        reference.burden_path * reference.gdp * (1.0 + reference.growth) ** (months[:, None] / 12.0)
    )
    keys = np.zeros(horizon + 1, dtype=np.uint64)
    along = initial_state(reference, keys)
    along.tension = np.broadcast_to(tension, along.tension.shape).copy()
    along.memory = np.broadcast_to(memory, along.memory.shape).copy()
    along.level = np.zeros_like(along.level)
    along.milex = path
    levers = active_levers(reference, along)
    ties, cap, threat_matrix, abandonment, entrapment, ratio = perceive(reference, along, levers)
    forces = alignment_forces(
        reference, along, threat_matrix, ties, levers, abandonment, entrapment, cap
    )
    terms = lever_terms(reference, along, levers)
    share = power_share(reference, ties.credible, cap)
    return {
        "reference_exercises": terms.exercises[0],
        "reference_presence": terms.presence[0],
        "tension0": tension,
        "memory0": memory,
        "level_cdf": cdf,
        "reference_ratio": ratio,
        "reference_path": reference.burden_path,
        "reference_abandonment": abandonment,
        "alignment_anchor": np.where(reference.pole, 0.0, -forces),
        "reference_share": share,
    }
