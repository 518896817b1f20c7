"""Perception (``docs/model.md`` §1–§4): what every state sees at the start of a month.

Ties, capability, threat, alliance fears and threat ratios of the current state, read by the
month's dynamics (:func:`sim.core.dynamics.step.advance`), by the decision rule
(:mod:`sim.core.dynamics.decisions`) and by anchoring.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.alliances import alliance_fears, alliance_ties
from sim.core.dynamics.arms import path_capability, threat_ratio
from sim.core.dynamics.deterrence import protective_reach
from sim.core.dynamics.levers import active_levers, capability, lever_terms
from sim.core.dynamics.state import State, Ties
from sim.core.dynamics.threat import threat_perception
from sim.core.world import World


def perceive(
    world: World, state: State, levers: np.ndarray
) -> tuple[Ties, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ties, capability, threat, fears and threat ratios of the current state.

    Returns:
        ``(ties, capability, threat matrix, abandonment, entrapment, ratio)``; also stores
        threat and the fears in the state.
    """
    cap = capability(world, state, levers)
    ties = alliance_ties(world, state)  # just before threat reads the tie tensor
    threat_matrix, threat, faced = threat_perception(world, state, ties.credible, levers, cap)
    abandonment, entrapment = alliance_fears(world, state, ties, threat)
    state.threat, state.abandonment, state.entrapment = threat, abandonment, entrapment
    reach = protective_reach(ties, lever_terms(world, state, levers).theatre)
    ratio = threat_ratio(world, faced, reach, cap, path_capability(world, state, cap, state.step))
    return ties, cap, threat_matrix, abandonment, entrapment, ratio


def observe(world: World, state: State) -> None:
    """Compute the derived quantities (threat, fears) for the current state, in place."""
    perceive(world, state, active_levers(world, state))
