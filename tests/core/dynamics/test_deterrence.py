"""§5 Extended deterrence (sim/core/dynamics/deterrence.py).

The backing of a protected state is checked against its definition read alliance by alliance;
the pledges count only against the adversaries they are aimed at, and only with the capability
a helper can bring to the theatre.
"""

from __future__ import annotations

import numpy as np
from conftest import TREATIES, world

from sim.core.compile import compile_world
from sim.core.dynamics.deterrence import backing, deterrence, protective_reach
from sim.core.dynamics.levers import active_levers, lever_terms
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.step import initial_state
from sim.core.rng import replicate_keys
from sim.scenario.loader import load_scenario

PRESENCE = {
    "us_in_japan": {"kind": "forward_presence", "actor": "USA", "partners": ["JPN"], "level": 0.8},
    "us_in_phl": {"kind": "forward_presence", "actor": "USA", "partners": ["PHL"], "level": 0.3},
}
TAIWAN = {"tra": {"type": "bilateral_treaty", "members": ["USA", "TWN"], "clarity": 0.4}}


def _deterrence(w, replicates: int = 1):
    state = initial_state(w, replicate_keys(0, range(replicates)))
    levers = active_levers(w, state)
    ties, cap, *_ = perceive(w, state, levers)
    return deterrence(w, state, levers, ties, cap), (state, levers, ties, cap)


def _at(w, values, a: str, b: str) -> float:
    return float(values[0, list(w.incident_dyads).index(w.dyad_index(w.index(a), w.index(b)))])


def test_backing_matches_its_definition():
    w = world(alliances={**TREATIES, **TAIWAN}, policies=PRESENCE)
    (_, _), (state, levers, ties, cap) = _deterrence(w)
    theatre = lever_terms(w, state, levers).theatre[0]
    cov = ties.joined.coverage
    got = backing(w, ties, ties.strength, cap, theatre[None])[0]
    regional = cap[0] * w.regional
    hubs = w.hub
    for d, (i, j) in enumerate(zip(cov.protected, cov.adversary, strict=True)):
        expected = 0.0
        for m in range(w.n):
            if m == i:
                continue
            free = 1.0
            for k in range(len(w.alliance_names)):
                member = ties.members[0, k]
                if member[i] and member[m] and hubs[k] != i and w.against[k, j]:
                    free *= 1.0 - ties.strength[0, k]
            expected += (1.0 - free) * theatre[m, i] * regional[m]
        np.testing.assert_allclose(got[d], expected / regional[j], rtol=1e-12)
    assert len(cov.protected) >= 6


def test_a_pledge_deters_only_the_adversaries_it_is_aimed_at():
    # No US pledge is aimed at Cambodia: Thailand-Cambodia is not deterred (before: 1.00).
    w = world(policies=PRESENCE)
    (deter, _), _ = _deterrence(w)
    assert _at(w, deter, "KHM", "THA") == 0.0
    assert _at(w, deter, "CHN", "PHL") > 0.05
    aimed = {**TREATIES, "us_tha": {**TREATIES["us_tha"], "against": ["KHM"]}}
    (deter, _), _ = _deterrence(world(alliances=aimed, policies=PRESENCE))
    assert _at(w, deter, "KHM", "THA") > 0.0


def test_theatre_reach_counts_forward_bases_and_distance():
    # US forces in Japan reach Taiwan; from Honolulu they hardly do; so presence raises the
    # deterrence of a pledge to Taiwan.
    based = world(alliances={**TREATIES, **TAIWAN}, policies=PRESENCE)
    bare = world(alliances={**TREATIES, **TAIWAN})
    (_, _), (state, levers, *_) = _deterrence(based)
    theatre = lever_terms(based, state, levers).theatre[0]
    usa, twn, jpn = (based.index(c) for c in ("USA", "TWN", "JPN"))
    np.testing.assert_allclose(theatre[usa, twn], 0.8 * based.decay[jpn, twn])
    assert theatre[usa, twn] > 5 * based.decay[usa, twn]
    assert theatre[usa, usa] == 1.0
    assert _at(based, _deterrence(based)[0][0], "CHN", "TWN") > 3 * _at(
        bare, _deterrence(bare)[0][0], "CHN", "TWN"
    )


def test_clarity_and_credibility_scale_deterrence_and_promises_embolden():
    ambiguous = world(alliances={**TREATIES, **TAIWAN}, policies=PRESENCE)
    clear = world(
        alliances={**TREATIES, "tra": {**TAIWAN["tra"], "clarity": 1.0}}, policies=PRESENCE
    )
    (deter_a, embolden_a), _ = _deterrence(ambiguous)
    (deter_c, _), _ = _deterrence(clear)
    assert _at(clear, deter_c, "CHN", "TWN") > 2 * _at(ambiguous, deter_a, "CHN", "TWN")
    assert (embolden_a >= deter_a).all()  # promises without credibility are larger


def test_the_status_quo_deterrence_against_the_record():
    # Extended deterrence is strongest where US forces are based, absent where no pledge is
    # aimed: Japan and Korea backed, the Philippines less (a rotational presence and the 2025
    # task force, against Japan's permanent bases), Thailand-Cambodia not at all.
    w = compile_world(load_scenario("hub_and_spoke"))
    (deter, _), _ = _deterrence(w)
    japan, philippines = _at(w, deter, "CHN", "JPN"), _at(w, deter, "CHN", "PHL")
    assert japan > 1.3 * philippines > 0.2
    assert _at(w, deter, "KOR", "PRK") > 0.9
    assert _at(w, deter, "KHM", "THA") == 0.0 and _at(w, deter, "CHN", "IND") == 0.0


def test_protective_reach_is_the_protective_tie_times_the_protector_s_reach():
    w = world(policies=PRESENCE)
    (_, _), (state, levers, ties, _) = _deterrence(w)
    theatre = lever_terms(w, state, levers).theatre
    reach = protective_reach(ties, theatre)
    jpn, usa = w.index("JPN"), w.index("USA")
    np.testing.assert_allclose(
        reach[0, jpn, usa], ties.protection[0, jpn, usa] * theatre[0, usa, jpn]
    )
    assert reach[0, usa].max() == 0.0  # the hub counts no one's protection
