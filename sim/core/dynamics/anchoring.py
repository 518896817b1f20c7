"""Anchoring (``docs/model.md``, "Baseline and anchoring"): the observed baseline at rest.

The observed baseline is taken as the steady state of the reference world (the ATOP 2018
treaty network, no policies): Richardson's grievance and each state's alignment disposition
are solved so that this world does not move at month 0, the way computable general-equilibrium
models are calibrated to a base year.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics.alignment import alignment_forces
from sim.core.dynamics.alliances import alliance_fears, alliance_ties
from sim.core.dynamics.arms import arms_drift
from sim.core.dynamics.levers import active_levers, capability
from sim.core.dynamics.step import initial_state
from sim.core.dynamics.threat import threat_perception
from sim.core.world import World


def anchors(reference: World) -> tuple[np.ndarray, np.ndarray]:
    """Richardson grievances and alignment dispositions that hold the reference world at rest.

    The observed baseline is taken as the steady state of the reference world (the ATOP 2018
    treaty network, no policies): ``g_i = −drift_i`` and ``b_i = −F_i`` at month 0, the way
    computable general-equilibrium models are calibrated to a base year.
    """
    keys = np.zeros(1, dtype=np.uint64)
    state = initial_state(reference, keys)
    levers = active_levers(reference, state)
    ties, _, members = alliance_ties(reference, state)
    cap = capability(reference, state, levers)
    threat_matrix, exposure, threat = threat_perception(reference, state, ties, levers, cap)
    abandonment, entrapment = alliance_fears(reference, state, members, threat)
    grievance = -arms_drift(reference, state, exposure, ties, abandonment)[0]
    forces = alignment_forces(
        reference, state, threat_matrix, members, levers, abandonment, entrapment
    )[0]
    return grievance, np.where(reference.pole, 0.0, -forces)
