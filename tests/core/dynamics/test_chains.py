"""The look-ahead's escalation chains (sim/core/dynamics/chains.py).

How the chains carry a dyad's rung distribution is tested through
:func:`~sim.core.dynamics.outlook.expected_costs` in ``test_outlook.py`` (analytic months, and
the chains' hazard and step chances against the incident formulas, to the bit); here, what the
chains read of the world.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.compile import compile_world
from sim.core.dynamics.chains import RUNGS, rung_costs, world_terms
from sim.scenario.loader import load_scenario


def _dyad(w, a: str, b: str) -> int:
    d = w.dyad_index(w.index(a), w.index(b))
    return int(np.flatnonzero(w.incident_dyads == d)[0])


def test_war_costs_more_between_nuclear_powers():
    w = compile_world(load_scenario("hub_and_spoke"))
    costs = rung_costs(w)
    nuclear = _dyad(w, "CHN", "IND")
    other = _dyad(w, "THA", "KHM")
    factor = w.params.decisions.nuclear_war_factor
    assert costs[nuclear, 5] == pytest.approx(factor * costs[other, 5])
    np.testing.assert_array_equal(costs[nuclear, :5], costs[other, :5])


def test_the_world_terms_are_the_worlds_computed_once_and_read_only():
    w = compile_world(load_scenario("hub_and_spoke"))
    statics, costs = world_terms(w)
    assert world_terms(w)[0] is statics  # kept per world
    assert not statics.flags.writeable and not costs.flags.writeable
    assert statics.shape == (5, 1, w.incident_dyads.size)
    np.testing.assert_array_equal(costs[0], rung_costs(w))
    assert costs.shape == (1, w.incident_dyads.size, RUNGS)
    dearer = ("parameters.decisions.cost_war=9",)
    other = compile_world(load_scenario("hub_and_spoke", overrides=dearer))
    assert world_terms(other)[1][0, :, -1] != pytest.approx(costs[0, :, -1])
