"""Each mechanism of sim/dynamics.py: analytic cases, invariants and directional effects.

Directional effects are measured over ensembles with common random numbers (treated and control
replicates share seeds) and must clear both a minimum size and a t statistic of 4, so that they
cannot pass by accident.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from conftest import paired_effect, run, world

from sim.core import metrics
from sim.core.compile import compile_world
from sim.core.dynamics.alliances import alliance_fears, alliance_ties
from sim.core.dynamics.arms import arms_reaction, richardson_step
from sim.core.dynamics.incidents import effective_channels, incidents_and_escalation
from sim.core.dynamics.levers import active_levers, capability, lever_sums
from sim.core.dynamics.step import advance, initial_state
from sim.core.dynamics.tension import tension_dynamics
from sim.core.dynamics.threat import threat_perception
from sim.core.engine import simulate
from sim.core.rng import replicate_keys
from sim.scenario.loader import load_scenario

# --------------------------------------------------------------------------------------------
# 1. Arms dynamics (Richardson)


@functools.cache
def control(replicates: int = 30, log: bool = False):
    """The untreated ensemble (treaty network, no policies), shared by the effect tests."""
    return run(replicates, log=log)


def alignment_effect(country: str, **fields) -> tuple[float, float]:
    """Paired effect of ``fields`` on a country's final alignment, and its t statistic."""
    treated, untreated = run(30, **fields), control()
    i = untreated.world.index(country)
    final = (t.countries["alignment"][-1, :, i] for t in (treated, untreated))
    return paired_effect(*final)


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
    from sim.core.engine import simulate

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


# --------------------------------------------------------------------------------------------
# 2. Threat perception


def _threat(w, state):
    levers = active_levers(w, state)
    ties, _, _ = alliance_ties(w, state)
    return threat_perception(w, state, ties, levers, capability(w, state, levers))[2][0]


def test_threat_rises_with_rival_capability_hostile_acts_and_claims():
    w = world()
    phl, chn, vnm, sgp = (w.index(c) for c in ("PHL", "CHN", "VNM", "SGP"))
    base = initial_state(w, replicate_keys(0, [0]))
    before = _threat(w, base)

    stronger = initial_state(w, replicate_keys(0, [0]))
    stronger.milex[0, chn] *= 2
    assert _threat(w, stronger)[phl] > before[phl] + 0.02

    provoked = initial_state(w, replicate_keys(0, [0]))
    provoked.memory[0, phl, chn] = provoked.memory[0, chn, phl] = 3.0
    assert _threat(w, provoked)[phl] > before[phl] + 0.02
    # A claimant facing China feels more threatened than a non-claimant next door.
    assert before[vnm] > before[sgp]


def test_allies_are_not_threats():
    lone = world(alliances={})
    allied = world()
    phl, usa = lone.index("PHL"), lone.index("USA")
    t_lone = threat_matrix(lone)[phl, usa]
    t_allied = threat_matrix(allied)[phl, usa]
    assert t_allied < 0.8 * t_lone


def threat_matrix(w):
    state = initial_state(w, replicate_keys(0, [0]))
    levers = active_levers(w, state)
    ties, _, _ = alliance_ties(w, state)
    return threat_perception(w, state, ties, levers, capability(w, state, levers))[0][0]


# --------------------------------------------------------------------------------------------
# 3. Alignment and hedging


def test_alignment_stays_in_bounds_and_poles_stay_fixed(status_quo):
    alignment = status_quo.countries["alignment"]
    assert (alignment >= -1).all() and (alignment <= 1).all()
    w = status_quo.world
    assert (alignment[:, :, w.us] == 1).all() and (alignment[:, :, w.china] == -1).all()


#: The inducement mechanism at its judgement weight. Calibration against UN votes sets the
#: default near zero (docs/validation.md, section 3); these tests are about the mechanism.
INDUCEMENT_ON = {"alignment": {"inducement_weight": 1.0}}


def inducement_effect(country: str, policies: dict) -> tuple[float, float]:
    """Paired effect of ``policies`` on a country's alignment, inducements weighted 1.0."""
    treated = run(30, parameters=INDUCEMENT_ON, policies=policies)
    untreated = run(30, parameters=INDUCEMENT_ON)
    i = untreated.world.index(country)
    return paired_effect(*(t.countries["alignment"][-1, :, i] for t in (treated, untreated)))


def test_security_assistance_pulls_the_recipient_towards_the_donor():
    aid = {
        "kind": "security_assistance",
        "actor": "USA",
        "partners": ["VNM"],
        "usd_m_per_year": 1000,
    }
    effect, t = inducement_effect("VNM", {"aid": aid})
    assert effect > 0.08 and t > 4


def test_chinese_inducements_pull_towards_china():
    deal = {
        "kind": "economic_inducement",
        "actor": "CHN",
        "partners": ["KHM"],
        "usd_m_per_year": 2000,
    }
    effect, t = inducement_effect("KHM", {"deal": deal})
    assert effect < -0.1 and t < -4


def test_trade_agreement_tilts_alignment_towards_the_partner():
    deal = {
        "kind": "trade_agreement",
        "actor": "USA",
        "partners": ["MYS"],
        "trade_share_delta": 0.1,
    }
    effect, t = alignment_effect("MYS", policies={"deal": deal})
    assert effect > 0.05 and t > 4


# --------------------------------------------------------------------------------------------
# 4. Alliance architecture


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


# --------------------------------------------------------------------------------------------
# 5. Incidents and escalation


def _one_step_rates(w, tension: float, replicates: int = 4000):
    state = initial_state(w, replicate_keys(3, range(replicates)))
    state.tension[:] = np.where(w.dispute > 0, tension, state.tension)
    levers = active_levers(w, state)
    ties, promise, _ = alliance_ties(w, state)
    cap = capability(w, state, levers)
    channels = effective_channels(w, state, levers, ties)
    new, _, _ = incidents_and_escalation(w, state, levers, ties, promise, cap, channels)
    return new.mean(axis=0)


def test_incident_hazard_rises_with_tension_and_needs_a_dispute():
    w = world()
    calm, tense = _one_step_rates(w, 0.1), _one_step_rates(w, 0.9)
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    # Expected monthly probability 1 − exp(−λ); 4,000 draws give a standard error below 0.01.
    p = w.params.incidents
    for tau, rate in ((0.1, calm[d]), (0.9, tense[d])):
        expected = 1 - np.exp(-p.base_hazard * (1 + p.tension_hazard * tau))
        assert abs(rate - expected) < 0.03
    no_dispute = w.dispute[w.dyad_i, w.dyad_j] == 0
    assert (calm[no_dispute] == 0).all()


def _dyad(w, a: str, b: str) -> int:
    return w.dyad_index(w.index(a), w.index(b))


def test_incidents_are_computed_only_where_one_can_happen_and_stay_calm_elsewhere():
    # Australia and Japan have no dispute; a coercion campaign or an injected incident makes
    # the dyad one where incidents can start or climb, and nothing else does.
    coercion = {"kind": "gray_zone_coercion", "actor": "CHN", "partners": ["AUS"], "intensity": 1}
    shot = {"kind": "incident", "actors": ["AUS", "JPN"], "level": "standoff", "step": 0}
    plain, coerced, shot_at = world(), world(policies={"c": coercion}), world(events={"s": shot})
    disputed = set(np.flatnonzero(plain.dispute[plain.dyad_i, plain.dyad_j] > 0))
    assert set(plain.incident_dyads) == disputed
    assert set(coerced.incident_dyads) == disputed | {_dyad(coerced, "CHN", "AUS")}
    assert set(shot_at.incident_dyads) == disputed | {_dyad(shot_at, "AUS", "JPN")}

    # Coercion alone starts incidents between undisputed states.
    traj = simulate(coerced, 20, log=False)
    assert traj.max_level[:, _dyad(coerced, "CHN", "AUS")].max() >= 1
    # An injected incident then moves on the ladder like any other: it does not freeze.
    traj = simulate(shot_at, 20, log=False)
    levels = traj.level[:, :, _dyad(shot_at, "AUS", "JPN")]
    assert np.isin(levels[1], [1, 2, 3]).all()  # injected at standoff, then one step
    assert (levels[1:] != 2).any(axis=0).all()
    # Everywhere else nothing ever happens.
    others = np.setdiff1d(np.arange(len(plain.dyad_i)), shot_at.incident_dyads)
    assert (traj.level[:, :, others] == 0).all()


def _escalation_steps(traj, codes=None):
    """Count step-ups per replicate (from event logs)."""
    counts = np.zeros(len(traj.replicates))
    position = {int(r): i for i, r in enumerate(traj.replicates)}
    for event in traj.events:
        if event.type == "escalation" and (codes is None or codes & set(event.actors)):
            counts[position[event.replicate]] += 1
    return counts


def test_deconfliction_channels_lower_escalation():
    channel = {
        "kind": "deconfliction_channel",
        "actor": "USA",
        "partners": ["CHN"],
        "strength": 1.0,
    }
    treated = run(60, log=True, policies={"channel": channel})
    untreated = control(60, log=True)
    effect, t = paired_effect(
        _escalation_steps(treated, {"CHN"}), _escalation_steps(untreated, {"CHN"})
    )
    assert effect < -2 and t < -4


def test_collective_defence_deters_escalation_against_members():
    pact = {
        "type": "collective_defence",
        "members": ["USA", "JPN", "KOR", "AUS", "PHL"],
        "commitment": 0.9,
        "credibility": 0.9,
    }
    treated = run(60, log=True, alliances={"pact": pact})
    untreated = control(60, log=True)
    members = {"JPN", "PHL"}
    effect, t = paired_effect(
        _escalation_steps(treated, members), _escalation_steps(untreated, members)
    )
    assert effect < -1 and t < -4


def test_escalation_levels_stay_on_the_ladder(status_quo):
    assert status_quo.level.min() >= 0 and status_quo.level.max() <= 5
    np.testing.assert_array_equal(status_quo.max_level, status_quo.level.max(axis=0))


# --------------------------------------------------------------------------------------------
# 6. Tension


def test_tension_stays_in_bounds_and_regional_index_too(status_quo):
    assert (status_quo.tension >= 0).all() and (status_quo.tension <= 1).all()
    rt = status_quo.model["regional_tension"]
    assert (rt >= 0).all() and (rt <= 1).all()


def test_incidents_raise_tension():
    forced = {
        "standoff": {"kind": "incident", "actors": ["THA", "KHM"], "level": "crisis", "step": 1}
    }
    treated, untreated = run(30, events=forced), control()
    d = np.nonzero(
        (untreated.world.dyad_i == untreated.world.index("THA"))
        & (untreated.world.dyad_j == untreated.world.index("KHM"))
    )[0][0]
    effect, t = paired_effect(treated.tension[4, :, d], untreated.tension[4, :, d])
    assert effect > 0.05 and t > 4


def test_ceasefire_lowers_dyad_tension():
    accord = {"kind": "ceasefire", "actor": "THA", "partners": ["KHM"], "strength": 0.9}
    treated, untreated = run(30, policies={"accord": accord}), control()
    w = untreated.world
    d = np.nonzero((w.dyad_i == w.index("THA")) & (w.dyad_j == w.index("KHM")))[0][0]
    effect, t = paired_effect(treated.tension[-1, :, d], untreated.tension[-1, :, d])
    assert effect < -0.1 and t < -4


def test_arms_racing_raises_tension_between_rivals():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    levers = active_levers(w, state)
    channels = np.zeros((1, w.n, w.n))
    calm = state.tension.copy()
    tension_dynamics(w, state, levers, channels, np.zeros((1, w.n)))
    np.testing.assert_allclose(state.tension, calm, atol=1e-12)  # at rest
    growth = np.zeros((1, w.n))
    growth[0, [w.index("CHN"), w.index("JPN")]] = 0.2
    tension_dynamics(w, state, levers, channels, growth)
    chn, jpn, sgp = w.index("CHN"), w.index("JPN"), w.index("SGP")
    assert state.tension[0, chn, jpn] > calm[0, chn, jpn] + 0.01
    assert state.tension[0, chn, sgp] == pytest.approx(calm[0, chn, sgp])


# --------------------------------------------------------------------------------------------
# 7. Policies and events


def _events(traj, kind):
    return [e for e in traj.events if e.type == kind]


def test_scheduled_incident_fires_at_its_month_in_every_replicate():
    shot = {"kind": "incident", "actors": ["CHN", "PHL"], "level": "clash", "step": 5}
    traj = run(6, log=True, horizon=12, events={"shot": shot})
    fired = _events(traj, "inject:incident")
    assert sorted(e.replicate for e in fired) == list(range(6))
    assert {e.step for e in fired} == {6}  # fires during month 5, recorded as month 6
    assert {e.level for e in fired} == {"clash"}
    w = traj.world
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    assert (traj.max_level[:, d] >= 3).all()


def test_conditional_event_fires_once_per_replicate_when_its_condition_holds():
    cond = {
        "kind": "tension_shock",
        "actors": ["CHN", "JPN"],
        "delta": 0.3,
        "when": "escalation(CHN, PHL) >= standoff",
    }
    traj = run(20, log=True, horizon=60, events={"cond": cond})
    fired = _events(traj, "inject:tension_shock")
    replicates = [e.replicate for e in fired]
    assert len(replicates) == len(set(replicates)) > 0  # once, in some replicates
    position = {int(r): i for i, r in enumerate(traj.replicates)}
    w = traj.world
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    for event in fired:  # the condition held in the month before the event was recorded
        assert traj.level[event.step - 1, position[event.replicate], d] >= 2
    never = set(range(20)) - set(replicates)
    for r in never:
        assert traj.level[:-1, position[r], d].max() < 2


def test_policy_event_puts_a_policy_in_force_for_its_duration():
    channel = {"kind": "deconfliction_channel", "actor": "USA", "partners": ["CHN"], "strength": 1}
    ev = {"kind": "policy", "step": 10, "duration": 5, "policy": channel}
    w = world(horizon=30, events={"ev": ev})
    state = initial_state(w, replicate_keys(0, [0, 1]))
    from sim.core.metrics import lookup

    reader = lookup(w, state)
    for _ in range(30):
        advance(w, state, reader)
    channel_lever = 6
    in_force = []
    for month in range(30):
        state.step = month
        in_force.append(bool(active_levers(w, state)[0, channel_lever].max() > 0))
    assert [m for m, on in enumerate(in_force) if on] == [10, 11, 12, 13, 14]


def test_membership_and_commitment_events_change_the_alliance():
    events = {
        "join": {"kind": "join_alliance", "alliance": "us_phl", "country": "VNM", "step": 2},
        "cut": {"kind": "set_commitment", "alliance": "us_jpn", "value": 0.2, "step": 2},
    }
    w = world(horizon=5, events=events)
    state = initial_state(w, replicate_keys(0, [0]))
    from sim.core.metrics import lookup

    reader = lookup(w, state)
    for _ in range(3):
        advance(w, state, reader)
    k_phl, k_jpn = w.alliance_names.index("us_phl"), w.alliance_names.index("us_jpn")
    assert state.members[0, k_phl, w.index("VNM")]
    assert state.commitment[0, k_jpn] == 0.2


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
    w = compile_world(load_scenario("scs_crisis"))
    state = initial_state(w, replicate_keys(3, range(12)))
    reader = metrics.lookup(w, state)
    partial = 0
    previous = active_levers(w, state)
    for _ in range(w.horizon):
        advance(w, state, reader)
        levers = active_levers(w, state)
        full = lever_sums(w, state.lever_cache[0], np.arange(12))
        np.testing.assert_array_equal(levers, full)
        changed = (levers != previous).any(axis=(1, 2, 3))
        partial += bool(0 < changed.sum() < 12)
        previous = levers
    assert partial > 0
