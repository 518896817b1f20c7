"""§7 Policies in force and deliveries (sim/core/dynamics/levers.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import world

from sim.core import metrics
from sim.core.dynamics.levers import lever_sums, scripted_levers
from sim.core.dynamics.step import advance, initial_state
from sim.core.rng import replicate_keys


def test_arms_delivery_adds_capability_at_its_month():
    transfer = {
        "kind": "arms_transfer",
        "actor": "USA",
        "partners": ["VNM"],
        "start": 3,
        "deliveries": [{"after": 2, "value_usd_m": 500, "item": "cutter"}],
    }
    w = world(horizon=8, policies={"t": transfer})
    state = initial_state(w, replicate_keys(0, [0]))
    stock = []
    for _ in range(8):
        advance(w, state, None)
        stock.append(state.transfers[0, w.index("USA"), w.index("VNM")])
    assert stock[4] == 0 and stock[5] == pytest.approx(0.5)
    assert stock[7] < stock[5]  # retired over a ten-year life


def test_levers_summed_again_for_some_replicates_only_equal_a_full_sum():
    """Conditional policy events change the levers of some replicates at a time."""
    w = world(
        horizon=36,
        # a ladder steep enough that some replicates, not all, climb to a clash in three years
        parameters={"incidents": {"escalation_base": -2.7}},
        events={
            "standoff": {
                "kind": "incident",
                "step": 1,
                "actors": ["CHN", "PHL"],
                "level": "standoff",
            },
            "hotline": {
                "kind": "policy",
                "when": "escalation(CHN, PHL) >= clash",
                "duration": 6,
                "policy": {
                    "kind": "deconfliction_channel",
                    "actor": "USA",
                    "partners": ["CHN"],
                    "strength": 0.5,
                },
            },
        },
    )
    state = initial_state(w, replicate_keys(3, range(12)))
    reader = metrics.lookup(w, state)
    partial = 0
    previous = scripted_levers(w, state)
    for _ in range(w.horizon):
        advance(w, state, reader)
        levers = scripted_levers(w, state)
        full = lever_sums(w, state.lever_cache[0], np.arange(12))
        np.testing.assert_array_equal(levers, full)
        changed = (levers != previous).any(axis=(1, 2, 3))
        partial += bool(0 < changed.sum() < 12)
        previous = levers
    assert partial > 0
