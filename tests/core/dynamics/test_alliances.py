"""§4 Alliance architecture (sim/core/dynamics/alliances.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import alignment_effect, control, paired_effect, run, world

from sim.core.dynamics.alliances import alliance_fears, alliance_ties
from sim.core.dynamics.step import initial_state
from sim.core.rng import replicate_keys


def test_task_force_raises_partner_credibility_interoperability_and_alignment():
    tf = {"kind": "task_force", "actor": "USA", "partners": ["PHL"], "start": 1}
    treated, untreated = run(30, policies={"tf": tf}), control()
    k = untreated.world.alliance_names.index("us_phl")
    effect, t = paired_effect(treated.credibility[-1, :, k], untreated.credibility[-1, :, k])
    assert effect > 0.1 and t > 4
    tf_index = treated.world.alliance_names.index("tf")
    assert treated.interoperability[-1, :, tf_index].mean() > 0.6  # from 0.3 after 10 years
    effect, t = alignment_effect("PHL", policies={"tf": tf})
    assert effect > 0.03 and t > 4


def test_exercises_raise_interoperability():
    ex = {"kind": "exercises", "actor": "USA", "partners": ["THA"], "per_year": 24}
    treated, untreated = run(4, policies={"ex": ex}), run(4)
    k = untreated.world.alliance_names.index("us_tha")
    assert (treated.interoperability[-1, :, k] > untreated.interoperability[-1, :, k] + 0.1).all()


def test_ties_combine_as_independent_pledges_and_stay_below_one():
    w = world(
        alliances={
            "a": {
                "type": "collective_defence",
                "members": ["USA", "JPN", "KOR"],
                "commitment": 1,
                "credibility": 1,
                "interoperability": 1,
            },
            "b": {
                "type": "minilateral",
                "members": ["USA", "JPN"],
                "commitment": 1,
                "credibility": 1,
                "interoperability": 1,
            },
        }
    )
    state = initial_state(w, replicate_keys(0, [0]))
    ties, promise, _ = alliance_ties(w, state)
    usa, jpn, kor = w.index("USA"), w.index("JPN"), w.index("KOR")
    assert ties[0, usa, jpn] > ties[0, usa, kor] > 0.9  # two pledges beat one
    assert (ties < 1).all() and (ties >= 0).all()
    np.testing.assert_allclose(ties[0], ties[0].T)
    assert (promise >= ties).all()


def _fears_by_definition(w, state, members, threat):
    """Snyder's fears country by country, alliance by alliance (the reference reading)."""
    r_count, k_count, n = members.shape
    abandonment, entrapment = np.zeros((r_count, n)), np.zeros((r_count, n))
    for r in range(r_count):
        exposure = [
            max([state.tension[r, i, m] for m in range(n) if w.dispute[i, m] > 0], default=0.0)
            for i in range(n)
        ]
        for i in range(n):
            mine = [k for k in range(k_count) if members[r, k, i]]
            pledges = [
                state.commitment[r, k] * state.credibility[r, k] * w.type_weight[k] for k in mine
            ]
            if mine:
                abandonment[r, i] = threat[r, i] * (1.0 - max(pledges))
            for k in mine:
                others = [exposure[m] for m in range(n) if m != i and members[r, k, m]]
                weight = state.commitment[r, k] * w.type_weight[k]
                entrapment[r, i] = max(entrapment[r, i], weight * max(others, default=0.0))
    return abandonment, entrapment


def test_alliance_fears_match_their_definition_exactly():
    w = world()
    rng = np.random.default_rng(3)
    state = initial_state(w, replicate_keys(0, range(6)))
    k_count = len(w.alliance_names)
    members = (rng.random((6, k_count, w.n)) < 0.3).astype(float)
    members[0] = 0.0  # a replicate without alliances
    tension = rng.choice([0.0, 0.25, 0.5, 0.9], size=(6, w.n, w.n))  # many ties
    tension = np.triu(tension, 1)
    state.tension = tension + tension.transpose(0, 2, 1)
    state.commitment = rng.random((6, k_count))
    state.credibility = rng.random((6, k_count))
    threat = rng.random((6, w.n))
    got = alliance_fears(w, state, members, threat)
    want = _fears_by_definition(w, state, members, threat)
    assert got[1].max() > 0 and (got[1] == 0).any()
    for mine, reference in zip(got, want, strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_retrenchment_cuts_credibility_and_raises_abandonment_fear():
    cut = {
        f"cut_{name}": {"kind": "set_commitment", "alliance": name, "value": 0.3, "step": 6}
        for name in ("us_jpn", "us_kor", "us_phl", "us_aus", "us_tha")
    }
    treated, untreated = run(30, events=cut), control()
    effect, t = paired_effect(
        treated.model["us_credibility"][-1], untreated.model["us_credibility"][-1]
    )
    assert effect < -0.1 and t < -4
    jpn = untreated.world.index("JPN")
    effect, t = paired_effect(
        treated.countries["abandonment_fear"][-1, :, jpn],
        untreated.countries["abandonment_fear"][-1, :, jpn],
    )
    assert effect > 0.05 and t > 4
