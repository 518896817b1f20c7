"""§4 Alliance architecture (sim/core/dynamics/alliances.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import TREATIES, alignment_effect, control, paired_effect, run, world

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
    ex = {"kind": "exercises", "actor": "USA", "partners": ["THA"], "per_year": 24, "start": 1}
    treated, untreated = run(4, policies={"ex": ex}), run(4)
    k = untreated.world.alliance_names.index("us_tha")
    assert (treated.interoperability[-1, :, k] > untreated.interoperability[-1, :, k] + 0.1).all()


def test_ties_count_the_strongest_pledge_between_a_pair_and_stay_below_one():
    w = world(
        alliances={
            "a": {
                "type": "collective_defence",
                "members": ["USA", "JPN", "KOR"],
                "commitment": 0.8,
                "credibility": 0.7,
                "interoperability": 1,
            },
            "b": {
                "type": "bilateral_treaty",
                "members": ["USA", "JPN"],
                "commitment": 0.9,
                "credibility": 0.5,
                "interoperability": 1,
            },
        }
    )
    state = initial_state(w, replicate_keys(0, [0]))
    ties = alliance_ties(w, state)
    credible = ties.credible
    usa, jpn, kor = w.index("USA"), w.index("JPN"), w.index("KOR")
    # A second treaty between the same pair does not double the pledge: the strongest counts
    # (0.8 · 0.7 = 0.56 in the pact against 0.9 · 0.5 = 0.45 in the treaty).
    np.testing.assert_allclose(credible[0, usa, jpn], 0.56)
    np.testing.assert_allclose(credible[0, usa, kor], 0.56)
    np.testing.assert_allclose(ties.protection[0, jpn, usa], 0.56)
    assert (credible < 1).all() and (credible >= 0).all()
    np.testing.assert_allclose(credible[0], credible[0].T)
    assert (ties.promise >= ties.strength).all()  # a pledge promises at least what is believed
    # Protection runs to the protected members only: the pact protects Japan and Korea but not
    # its hub.
    assert ties.protection[0, usa].max() == 0
    assert ties.protection[0, jpn, kor] > 0 and ties.protection[0, kor, jpn] > 0


def _fears_by_definition(w, state, members, threat):
    """Snyder's fears country by country, alliance by alliance (the reference reading)."""
    r_count, k_count, n = members.shape
    abandonment, entrapment = np.zeros((r_count, n)), np.zeros((r_count, n))
    for r in range(r_count):
        own = [
            max([state.tension[r, i, m] for m in range(n) if w.dispute[i, m] > 0], default=0.0)
            for i in range(n)
        ]

        def protects(k, i, r=r):
            return members[r, k, i] and i != w.hub[k] and w.against[k].any()

        def pledge(k, r=r):
            s = w.type_weight[k] * state.commitment[r, k] * state.clarity[r, k]
            return s * (0.5 + 0.5 * state.interoperability[r, k]) * state.credibility[r, k]

        def protection(i, m, r=r):
            free = 1.0
            for k in range(k_count):
                if protects(k, i) and members[r, k, m] and m != i:
                    free *= 1.0 - min(pledge(k), 0.999)
            return 1.0 - free

        exposure = [
            max([own[m]] + [protection(j, m) * own[j] for j in range(n) if j != m])
            for m in range(n)
        ]
        for i in range(n):
            mine = [k for k in range(k_count) if protects(k, i)]
            best = max(
                (
                    state.commitment[r, k]
                    * state.credibility[r, k]
                    * state.clarity[r, k]
                    * w.type_weight[k]
                    for k in mine
                ),
                default=None,
            )
            if best is not None:
                abandonment[r, i] = threat[r, i] * (1.0 - best)
            for m in range(n):
                bond = max(
                    (
                        state.commitment[r, k] * w.type_weight[k]
                        for k in range(k_count)
                        if members[r, k, i] and members[r, k, m] and m != i
                    ),
                    default=0.0,
                )
                entrapment[r, i] = max(entrapment[r, i], bond * exposure[m])
    return abandonment, entrapment


def test_alliance_fears_match_their_definition():
    w = world(
        alliances={
            **TREATIES,
            "quad": {"type": "minilateral", "members": ["USA", "JPN", "AUS", "IND"]},
            "pact": {"type": "collective_defence", "members": ["USA", "JPN", "PHL", "TWN"]},
            "tra": {"type": "bilateral_treaty", "members": ["USA", "TWN"], "clarity": 0.4},
        }
    )
    rng = np.random.default_rng(3)
    state = initial_state(w, replicate_keys(0, range(6)))
    k_count = len(w.alliance_names)
    members = (rng.random((6, k_count, w.n)) < 0.35).astype(float)
    members[0] = 0.0  # a replicate without alliances
    state.members = members.astype(bool)
    tension = rng.choice([0.0, 0.25, 0.5, 0.9], size=(6, w.n, w.n))  # many ties
    tension = np.triu(tension, 1)
    state.tension = tension + tension.transpose(0, 2, 1)
    state.commitment = rng.random((6, k_count))
    state.credibility = rng.random((6, k_count))
    state.clarity = rng.random((6, k_count))
    threat = rng.random((6, w.n))
    ties = alliance_ties(w, state)
    got = alliance_fears(w, state, ties, threat)
    want = _fears_by_definition(w, state, members, threat)
    assert got[0].max() > 0 and got[1].max() > 0 and (got[1] == 0).any()
    for mine, reference in zip(got, want, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)


def test_a_hub_fears_no_abandonment_by_its_own_alliances():
    # Before, a retrenching US feared its own abandonment more (0.145 to 0.247).
    cut = {
        f"cut_{name}": {"kind": "set_commitment", "alliance": name, "value": 0.3, "step": 6}
        for name in ("us_jpn", "us_kor", "us_phl", "us_aus", "us_tha")
    }
    for traj in (control(), run(10, events=cut)):
        fear = traj.countries["abandonment_fear"]
        assert (fear[:, :, traj.world.index("USA")] == 0).all()
        assert (fear[:, :, traj.world.index("CHN")] == 0).all()  # hub of the pledge to PRK
        assert (fear[:, :, traj.world.index("JPN")] > 0).all()


def test_only_an_adversary_the_pledge_covers_challenges_it():
    # A step-up between the US and China tests no US pledge to Thailand; one between China
    # and the Philippines tests the pledge to the Philippines; Thailand-Cambodia tests none.
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    joined = alliance_ties(w, state).joined
    dyads = list(w.incident_dyads)

    def tested(a, b):
        d = dyads.index(w.dyad_index(w.index(a), w.index(b)))
        return {w.alliance_names[k] for k in np.flatnonzero(joined.challenged[0, :, d])}

    assert tested("USA", "CHN") == set()
    assert tested("CHN", "PHL") == {"us_phl"}
    assert tested("CHN", "JPN") == {"us_jpn"}
    assert tested("KOR", "PRK") == {"us_kor"}
    assert tested("KHM", "THA") == set()
    # In a run, escalations between the US and China leave the Thai pledge untested.
    hot = {"incidents": {"escalation_base": 2.0}}
    shot = {"kind": "incident", "actors": ["USA", "CHN"], "level": "standoff", "step": 1}
    quiet = {"incidents": {"base_hazard": 0.0}, **hot}
    traj = run(8, log=True, parameters=quiet, events={"shot": shot})
    assert any(e.type == "escalation" for e in traj.events)
    assert not [e for e in traj.events if getattr(e, "alliance", "") == "us_tha"]


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
