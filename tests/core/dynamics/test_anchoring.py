"""Anchoring (sim/core/dynamics/anchoring.py): the status quo at rest.

The stationary distribution is checked against the chain it solves; the rest state against
ensembles of the shipped status quo, with tolerances far below the drifts it replaced (regional
tension climbing from 0.24 to 0.32 in five years; China's arms +65% over ten).
"""

from __future__ import annotations

import numpy as np
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.compile import compile_world
from sim.core.dynamics.arms import at_month
from sim.core.dynamics.incidents import level_distribution
from sim.core.engine import simulate
from sim.scenario.loader import load_scenario

probability = st.floats(0.001, 0.6)


@settings(max_examples=60, deadline=None)
@given(
    start=probability,
    up=st.lists(probability, min_size=4, max_size=4),
    down=st.lists(st.floats(0.05, 0.4), min_size=5, max_size=5),
)
def test_level_distribution_is_the_stationary_distribution_of_the_ladder(start, up, down):
    # The chain of §5: from calm an incident starts; from rung L it steps up or down.
    transition = np.zeros((6, 6))
    transition[0, 1] = start
    for level in range(1, 6):
        rise = up[level - 1] if level < 5 else 0.0
        fall = down[level - 1]
        if level < 5:
            transition[level, level + 1] = rise
        transition[level, level - 1] = fall
    transition[np.arange(6), np.arange(6)] = 1.0 - transition.sum(axis=1)
    pi = level_distribution(np.array(start), np.array(up), np.array(down))
    np.testing.assert_allclose(pi @ transition, pi, atol=1e-12)
    np.testing.assert_allclose(pi.sum(), 1.0)


def test_the_world_starts_inside_its_incident_process():
    w = compile_world(load_scenario("hub_and_spoke"))
    traj = simulate(w, 400, seed=3, log=False)
    s = w.incident_dyads
    # Month-0 levels are drawn from the stationary distribution: the share of dyads with an
    # active incident matches it at month 0 and stays there.
    expected = 1.0 - w.level_cdf[s, 0]
    for month in (0, 60, 120):
        active = (traj.level[month][:, s] > 0).mean(axis=0)
        assert np.abs(active - expected).max() < 0.1, month
    # The memory of hostile acts starts at the mean level.
    mean_level = w.level_cdf.shape[1] - 1 - w.level_cdf[s, :-1].sum(axis=1)
    np.testing.assert_allclose(w.memory0[w.dyad_i[s], w.dyad_j[s]], mean_level)


def test_the_status_quo_is_at_rest():
    w = compile_world(load_scenario("hub_and_spoke"))
    traj = simulate(w, 200, seed=5, log=False)
    tension = traj.model["regional_tension"].mean(axis=1)
    assert np.abs(tension - tension[0]).max() < 0.01  # before: 0.24 → 0.32 in five years
    months = np.arange(traj.horizon + 1)
    gdp = w.gdp * (1 + w.growth) ** (months[:, None] / 12)
    burden = traj.countries["milex_usd_bn"].mean(axis=1) / gdp
    departure = burden / w.burden_path - 1
    assert np.abs(departure).max() < 0.01  # before: China +65% in ten years against +19%
    alignment = traj.countries["alignment"].mean(axis=1)
    assert np.abs(alignment - alignment[0]).max() < 0.02


def test_a_scenario_held_at_its_own_rest_is_still():
    quiet = {"incidents": {"base_hazard": 0.0}, "alignment": {"noise_sd": 0.0}}
    traj = run(2, parameters=quiet)
    np.testing.assert_allclose(
        traj.countries["alignment"][-1], traj.countries["alignment"][0], atol=1e-9
    )
    np.testing.assert_allclose(traj.credibility[-1], traj.credibility[0], atol=1e-12)
    np.testing.assert_allclose(traj.interoperability[-1], traj.interoperability[0], atol=1e-12)


def test_the_status_quo_anchored_on_itself_is_the_status_quo():
    status_quo = load_scenario("hub_and_spoke")
    itself = status_quo.model_copy(update={"anchor": "self"})
    a, b = compile_world(status_quo), compile_world(itself)
    for name in ("reference_ratio", "alignment_anchor", "tension0", "level_cdf"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert at_month(a.reference_ratio, 10_000).shape == (a.n,)  # past the horizon: its last row
