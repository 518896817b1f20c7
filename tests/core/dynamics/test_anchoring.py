"""Anchoring (sim/core/dynamics/anchoring.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import run


def test_reference_world_is_at_rest_without_shocks():
    # No incidents, no noise: the anchored baseline must not drift.
    traj = run(
        2,
        parameters={"incidents": {"base_hazard": 0.0}, "alignment": {"noise_sd": 0.0}},
    )
    milex = traj.countries["milex_usd_bn"]
    np.testing.assert_allclose(milex[-1], milex[0], rtol=0.02)
    np.testing.assert_allclose(
        traj.countries["alignment"][-1], traj.countries["alignment"][0], atol=0.02
    )
