"""§1 Capabilities and arms dynamics (sim/core/dynamics/arms.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import paired_effect, run, world

from sim.core.dynamics.alliances import alliance_ties
from sim.core.dynamics.arms import arms_reaction, richardson_step
from sim.core.dynamics.levers import active_levers, capability
from sim.core.dynamics.step import initial_state
from sim.core.dynamics.threat import threat_perception
from sim.core.engine import simulate
from sim.core.rng import replicate_keys


def _race(k: float, ell: float, a: float, g: float, h: float, months: int) -> np.ndarray:
    m = np.array([[1.0, 1.0]])
    reaction = np.array([[[0.0, k], [ell, 0.0]]])
    for _ in range(months):
        m = richardson_step(m, reaction, a, np.array([g, h]))
    return m[0]


def test_richardson_converges_to_the_analytic_equilibrium_when_ab_exceeds_kl():
    # Richardson's dx/dt = k·y − a·x + g, dy/dt = l·x − a·y + h (l written ell).
    k, ell, a, g, h = 0.1, 0.15, 0.3, 2.0, 1.0
    x_star = (k * h + a * g) / (a * a - k * ell)
    y_star = (ell * g + a * h) / (a * a - k * ell)
    np.testing.assert_allclose(_race(k, ell, a, g, h, 12 * 200), [x_star, y_star], rtol=1e-9)


def test_richardson_runs_away_when_kl_exceeds_ab():
    k, ell, a = 0.5, 0.4, 0.3  # kl = 0.2 > a² = 0.09: growth rate sqrt(kl) − a per year
    early, late = _race(k, ell, a, 0.0, 0.0, 12 * 10), _race(k, ell, a, 0.0, 0.0, 12 * 40)
    monthly_factor = 1 + (np.sqrt(k * ell) - a) / 12
    np.testing.assert_allclose(late / early, monthly_factor ** (12 * 30), rtol=1e-4)


def test_calibrated_region_is_a_stable_richardson_system():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    ties, _, _ = alliance_ties(w, state)
    levers = active_levers(w, state)
    _, exposure, _ = threat_perception(w, state, ties, levers, capability(w, state, levers))
    reaction = arms_reaction(w, exposure, ties)[0]
    assert np.linalg.eigvals(reaction).real.max() < w.params.arms.fatigue


def test_spending_stays_within_zero_and_the_budget_ceiling():
    w = world(
        policies={
            "squeeze": {
                "kind": "gray_zone_coercion",
                "actor": "CHN",
                "partners": ["PHL", "VNM", "JPN", "MYS"],
                "intensity": 1.0,
            }
        },
        parameters={"arms": {"reaction": 0.6}},  # an unstable race that must hit the ceiling
    )
    traj = dynamics_run(w, 10)
    milex = traj.countries["milex_usd_bn"]
    assert (milex >= 0).all()
    assert (milex <= w.ceiling + 1e-9).all()
    assert np.isclose(milex[-1], w.ceiling, rtol=1e-6).any()


def dynamics_run(w, n):

    return simulate(w, n, log=False)


def test_allied_pooling_lowers_spending_needs():
    # Buck-passing: a stronger US pledge lets Japan spend less than a weaker one.
    strong = run(
        20,
        alliances={
            "us_jpn": {
                "type": "bilateral_treaty",
                "members": ["USA", "JPN"],
                "commitment": 1.0,
                "credibility": 1.0,
            }
        },
    )
    weak = run(
        20,
        alliances={
            "us_jpn": {
                "type": "bilateral_treaty",
                "members": ["USA", "JPN"],
                "commitment": 0.8,
                "credibility": 0.6,
            }
        },
    )
    jpn = strong.world.index("JPN")
    effect, t = paired_effect(
        strong.countries["milex_usd_bn"][-1, :, jpn], weak.countries["milex_usd_bn"][-1, :, jpn]
    )
    assert effect < -1.0 and t < -4
