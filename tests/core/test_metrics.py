"""Model-level measures computed from hand-built states."""

import numpy as np
from conftest import world

from sim.core import metrics
from sim.core.dynamics.step import initial_state
from sim.core.dynamics.tension import polarization
from sim.core.rng import replicate_keys


def test_polarization_is_zero_when_all_agree_and_half_at_two_even_blocs():
    assert polarization(np.zeros((1, 6)))[0] == 0
    blocs = np.array([[1, 1, 1, -1, -1, -1]], dtype=float)
    # 9 of 15 pairs are 2 apart (half-distance 1), 6 are 0 apart.
    assert polarization(blocs)[0] == np.float64(9 / 15)


def test_hedgers_count_excludes_the_poles():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    state.alignment[0] = 0.0
    assert metrics.hedgers(w, state)[0] == w.n - 2


def test_us_credibility_weights_defence_pledges_by_commitment():
    treaty = {"type": "bilateral_treaty"}
    w = world(
        alliances={
            "a": treaty | {"members": ["USA", "JPN"], "commitment": 1.0, "credibility": 0.9},
            "b": treaty | {"members": ["USA", "PHL"], "commitment": 0.5, "credibility": 0.3},
            "p": {"type": "partnership", "members": ["USA", "VNM"], "credibility": 0.0},
            "c": treaty | {"members": ["CHN", "PRK"], "credibility": 0.1},
        }
    )
    state = initial_state(w, replicate_keys(0, [0]))
    expected = (1.0 * 0.9 + 0.5 * 0.3) / 1.5
    assert metrics.us_credibility(w, state)[0] == np.float64(expected)
    alone = world(alliances={})
    assert metrics.us_credibility(alone, initial_state(alone, replicate_keys(0, [0])))[0] == 0


def test_regional_tension_is_a_weighted_mean_in_the_unit_interval():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    state.tension[:] = 1.0
    assert np.isclose(metrics.regional_tension(w, state)[0], 1.0)
    state.tension[:] = 0.0
    assert metrics.regional_tension(w, state)[0] == 0
