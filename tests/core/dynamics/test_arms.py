"""§1 Capabilities and arms dynamics (sim/core/dynamics/arms.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import paired_effect, run, world

from sim.core.dynamics.arms import (
    arms_dynamics,
    at_month,
    income,
    target_burden,
    threat_ratio,
)
from sim.core.dynamics.levers import active_levers, lever_terms
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.step import initial_state
from sim.core.engine import simulate
from sim.core.rng import replicate_keys

#: No incidents and no alignment noise: a world with nothing stochastic left.
QUIET = {"incidents": {"base_hazard": 0.0}, "alignment": {"noise_sd": 0.0}}


def _final_burden(traj, code: str) -> np.ndarray:
    w = traj.world
    i = w.index(code)
    gdp = w.gdp[i] * (1 + w.growth[i]) ** (traj.horizon / 12)
    return traj.countries["milex_usd_bn"][-1, :, i] / gdp


def test_target_burden_follows_its_formula_and_its_band():
    w = world()
    p = w.params.arms
    rng = np.random.default_rng(5)
    ratio = at_month(w.reference_ratio, 7) + rng.normal(0, 0.5, (3, w.n))
    fear = at_month(w.reference_abandonment, 7) + rng.uniform(-0.2, 0.2, (3, w.n))
    threat = rng.uniform(0, 1, (3, w.n))
    got = target_burden(w, 7, ratio, fear, threat)
    departure = ratio - at_month(w.reference_ratio, 7)
    excess = fear - at_month(w.reference_abandonment, 7)
    raw = at_month(w.burden_path, 7) * np.exp(p.reaction * threat * departure)
    raw = raw * np.maximum(1 + p.abandonment_arming * excess, 0)
    np.testing.assert_allclose(got, np.clip(raw, w.burden_low, w.burden_high))
    assert (got == w.burden_high).any() or (got == w.burden_low).any()  # the band binds here


def test_a_departure_of_the_target_decays_at_the_fatigue_rate():
    # With the threat ratio held a constant d above its status-quo path and full threat, the
    # burden relative to its path x moves as x_n = x* + (x_0 − x*)(1 − a/12)^n, x* = exp(κ d)
    # (inside the band).
    w = world()
    p = w.params.arms
    state = initial_state(w, replicate_keys(0, [0]))
    levers = active_levers(w, state)
    d = 0.05
    for _ in range(24):
        ratio = at_month(w.reference_ratio, state.step) + d
        fear = at_month(w.reference_abandonment, state.step)
        state.threat = np.ones_like(state.threat)
        arms_dynamics(w, state, levers, ratio, fear)
        state.step += 1
    x = state.burden[0] / at_month(w.burden_path, 24)
    target = np.clip(
        at_month(w.burden_path, 23) * np.exp(p.reaction * d), w.burden_low, w.burden_high
    ) / at_month(w.burden_path, 23)
    inside = (target > 1.0) & (w.burden_high > at_month(w.burden_path, 23) * np.exp(p.reaction * d))
    expected = target + (1.0 - target) * (1 - p.fatigue / 12) ** 24
    assert inside.sum() >= 10
    np.testing.assert_allclose(x[inside], expected[inside], rtol=1e-9)


def test_with_nothing_new_each_burden_follows_its_announced_path_exactly():
    traj = run(2, parameters=QUIET)
    w = traj.world
    months = np.arange(traj.horizon + 1)
    gdp = w.gdp * (1 + w.growth) ** (months[:, None] / 12)
    burden = traj.countries["milex_usd_bn"] / gdp[:, None, :]
    np.testing.assert_allclose(burden, np.broadcast_to(w.burden_path[:, None, :], burden.shape))
    jpn = w.index("JPN")
    assert burden[-1, 0, jpn] > 1.25 * burden[0, 0, jpn]  # Japan's announced 2% by FY2027


def test_burdens_stay_within_their_record_band():
    squeeze = {
        "kind": "gray_zone_coercion",
        "actor": "CHN",
        "partners": ["PHL", "VNM", "JPN", "MYS", "TWN", "IND"],
        "intensity": 1.0,
        "start": 1,  # a departure: in force at month 0 it would be part of the rest state
    }
    w = world(policies={"squeeze": squeeze}, parameters={"arms": {"reaction": 2.0}})
    traj = simulate(w, 10, log=False)
    months = np.arange(traj.horizon + 1)
    gdp = w.gdp * (1 + w.growth) ** (months[:, None] / 12)
    burden = traj.countries["milex_usd_bn"] / gdp[:, None, :]
    assert (burden >= w.burden_low - 1e-12).all() and (burden <= w.burden_high + 1e-12).all()
    phl = w.index("PHL")
    assert np.isclose(burden[-1, :, phl], w.burden_high[phl], rtol=0.02).all()  # at its record


def test_a_small_state_cannot_drive_a_great_power():
    # Laos doubling its defence effort, or the Philippines raising theirs by half, barely moves
    # China's burden (before: China answered a dollar of Lao spending with about $11).
    control = run(30, parameters=QUIET)
    for code, target in (("LAO", 0.38), ("PHL", 2.0)):
        treated = run(
            30,
            parameters=QUIET,
            countries={code: {"burden_target_pct": target, "burden_target_month": 24}},
        )
        assert _final_burden(treated, code).mean() > 1.4 * _final_burden(control, code).mean()
        change = _final_burden(treated, "CHN") / _final_burden(control, "CHN") - 1
        assert abs(change).max() < 0.002, (code, change.max())


def test_a_weak_state_facing_a_strong_rival_reacts():
    # China's burden half again higher within five years: the Philippines and Vietnam, which
    # face it, arm; a distant state without a dispute hardly does.
    surge = {"CHN": {"burden_target_pct": 2.7, "burden_target_month": 60}}
    treated, control = run(30, countries=surge), run(30)
    for code in ("PHL", "VNM", "TWN"):
        effect, t = paired_effect(
            _final_burden(treated, code) / _final_burden(control, code) - 1, np.zeros(30)
        )
        assert effect > 0.015 and t > 4, code  # a few percent, weighted by its threat
    far = _final_burden(treated, "KHM") / _final_burden(control, "KHM") - 1
    assert (
        far.mean()
        < 0.5 * (_final_burden(treated, "PHL") / _final_burden(control, "PHL") - 1).mean()
    )


def test_a_retrenching_us_does_not_arm_more_while_its_allies_do():
    cut = {
        f"cut_{name}": {"kind": "set_commitment", "alliance": name, "value": 0.3, "step": 6}
        for name in ("us_jpn", "us_kor", "us_phl", "us_aus", "us_tha")
    }
    treated, control = run(30, events=cut), run(30)
    us = _final_burden(treated, "USA") / _final_burden(control, "USA") - 1
    assert us.max() < 0.002  # before: +13% against +1%
    for code in ("JPN", "KOR", "PHL"):
        effect, t = paired_effect(_final_burden(treated, code), _final_burden(control, code))
        assert effect > 0 and t > 4, code


def test_allied_pooling_lowers_spending_needs():
    # Buck-passing: a stronger US pledge lets South Korea spend less than a weaker one.
    def pledge(commitment: float, credibility: float) -> dict:
        return {
            "us_kor": {
                "type": "bilateral_treaty",
                "members": ["USA", "KOR"],
                "commitment": commitment,
                "credibility": credibility,
            }
        }

    base = {"anchor": "status_quo"}  # both departures measured from the same status quo
    strong = run(20, alliances=pledge(1.0, 1.0), **base)
    weak = run(20, alliances=pledge(0.8, 0.6), **base)
    effect, t = paired_effect(_final_burden(strong, "KOR"), _final_burden(weak, "KOR"))
    assert effect < 0 and t < -4


def test_the_threat_ratio_compares_faced_with_own_and_protectors_capability():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    levers = active_levers(w, state)
    ties, cap, threat_matrix, _, _, ratio = perceive(w, state, levers)
    regional = cap * w.regional
    phl, usa = w.index("PHL"), w.index("USA")
    theatre = lever_terms(w, state, levers).theatre[0]
    reach = ties.protection[0, phl] * theatre[:, phl]
    own = regional[0, phl] + w.params.arms.ally_pooling * (reach * regional[0]).sum()
    faced = threat_matrix[0, phl].sum() * regional[0].sum()
    np.testing.assert_allclose(ratio[0, phl], np.log(faced / own))
    assert ties.protection[0, phl, usa] > 0 and ties.protection[0, usa, phl] == 0  # one way
    reach = ties.protection * theatre.T[None]
    np.testing.assert_allclose(threat_ratio(w, threat_matrix.sum(axis=2), reach, cap, cap), ratio)


def test_a_states_own_new_target_is_reached_not_read_as_a_threat_shock():
    # Japan told to reach 3% of GDP by month 36: its own rise does not lower its target.
    target = {
        "JPN": {"burden_target_pct": 3.0, "burden_target_month": 36, "source": "judgement: test"}
    }
    w = world(countries=target, horizon=120)
    run = simulate(w, 2, seed=1, log=False)
    jpn = w.index("JPN")
    burden = run.countries["milex_usd_bn"][-1, :, jpn] / w.gdp[jpn] / (1 + w.growth[jpn]) ** 10
    assert burden.min() > 0.029, burden


def test_gdp_grows_along_its_projection_and_coercion_costs_some():
    coercion = {"kind": "economic_coercion", "actor": "CHN", "partners": ["KOR"], "intensity": 1}
    plain, coerced = world(), world(policies={"c": coercion})
    for w in (plain, coerced):
        state = initial_state(w, replicate_keys(0, [0]))
        y = income(w, state, active_levers(w, state), 24)[0]
        kor = w.index("KOR")
        grown = w.gdp[kor] * (1 + w.growth[kor]) ** 2
        cost = w.params.economy.coercion_gdp_cost * w.trade_china[kor] if w is coerced else 0
        np.testing.assert_allclose(y[kor], grown * (1 - cost))
