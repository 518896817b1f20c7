"""§5 Incidents and escalation (sim/core/dynamics/incidents.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import numpy as np
from conftest import control, paired_effect, run, world

from sim.core.dynamics.alliances import alliance_ties
from sim.core.dynamics.incidents import (
    EscalationTerms,
    _spill,
    effective_channels,
    escalation_offset,
    incident_hazard,
    incidents_and_escalation,
    interdependence_restraint,
    step_probabilities,
)
from sim.core.dynamics.levers import active_levers, capability
from sim.core.dynamics.step import initial_state
from sim.core.engine import simulate
from sim.core.rng import replicate_keys
from sim.core.world import LEVER_INDEX


def _one_step_rates(w, tension: float, replicates: int = 4000):
    state = initial_state(w, replicate_keys(3, range(replicates)))
    state.tension[:] = np.where(w.dispute > 0, tension, state.tension)
    state.level[:] = 0  # every dyad calm, so that each can start an incident
    levers = active_levers(w, state)
    ties = alliance_ties(w, state)
    cap = capability(w, state, levers)
    channels = effective_channels(w, state, levers, ties.credible)
    new, _, _ = incidents_and_escalation(w, state, levers, ties, cap, channels)
    return new.mean(axis=0)


def test_incident_hazard_rises_with_tension_and_needs_a_dispute():
    w = world()
    calm, tense = _one_step_rates(w, 0.1), _one_step_rates(w, 0.9)
    d = np.nonzero((w.dyad_i == w.index("CHN")) & (w.dyad_j == w.index("PHL")))[0][0]
    # Expected monthly probability 1 − exp(−λ); 4,000 draws give a standard error below 0.01.
    p = w.params.incidents
    for tau, rate in ((0.1, calm[d]), (0.9, tense[d])):
        kappa = w.propensity[w.index("CHN"), w.index("PHL")]  # the dyad's fitted propensity
        expected = 1 - np.exp(-p.base_hazard * kappa * (1 + p.tension_hazard * tau))  # dispute 1
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
    treated = run(150, log=True, alliances={"pact": pact})
    untreated = control(150, log=True)
    members = {"JPN", "PHL"}
    effect, t = paired_effect(
        _escalation_steps(treated, members), _escalation_steps(untreated, members)
    )
    # A modest effect (about 5% of some 9 steps a decade): the pact adds theatre capability
    # of the allies to the US pledge, aimed at China and North Korea.
    assert effect < -0.2 and t < -4


def test_escalation_levels_stay_on_the_ladder(status_quo):
    assert status_quo.level.min() >= 0 and status_quo.level.max() <= 5
    np.testing.assert_array_equal(status_quo.max_level, status_quo.level.max(axis=0))


def _probabilities(w, level, **overrides):
    s = w.incident_dyads
    n = s.size
    args = {
        "tau": np.full(n, 0.5),
        "deter": np.zeros(n),
        "embolden": np.zeros(n),
        "channel": 0.0,
        "ceasefire": np.zeros(n),
        "restraint": np.zeros(n),
        "coercion": np.zeros(n),
    } | overrides
    return step_probabilities(w, np.full(n, level), **args)


def test_step_probabilities_follow_their_formula_term_by_term():
    w = world()
    p = w.params.incidents
    s = w.incident_dyads
    up, down = _probabilities(w, 2)
    offset = escalation_offset(w)
    logit = p.escalation_base + offset - p.escalation_rung_cost + p.escalation_tension * 0.5
    np.testing.assert_allclose(up, 1 / (1 + np.exp(-logit)))
    np.testing.assert_allclose(down, np.minimum(p.deescalation, 1 - up))
    # Deterrence weighs L/4 of its full weight on the step from rung L.
    deter = np.full(s.size, 0.5)
    for level in (1, 2, 3, 4):
        got, _ = _probabilities(w, level, deter=deter)
        base, _ = _probabilities(w, level)
        shift = np.log(got / (1 - got)) - np.log(base / (1 - base))
        np.testing.assert_allclose(shift, -p.escalation_deterrence * 0.5 * level / 4)
    # Coercion raises the odds and keeps incidents going.
    coerced_up, coerced_down = _probabilities(w, 2, coercion=np.ones(s.size))
    assert (coerced_up > up).all()
    np.testing.assert_allclose(
        coerced_down, np.minimum(p.deescalation * (1 - p.coercion_persistence), 1 - coerced_up)
    )


def test_between_nuclear_powers_war_is_nearly_ruled_out_and_probes_come_more_often():
    w = world()
    p = w.params.incidents
    s = w.incident_dyads
    nuclear = w.nuclear_dyad[w.dyad_i[s], w.dyad_j[s]] > 0
    us_china = list(s).index(_dyad(w, "USA", "CHN"))
    assert nuclear[us_china] and not nuclear[list(s).index(_dyad(w, "CHN", "PHL"))]
    to_war, _ = _probabilities(w, 4)
    to_crisis, _ = _probabilities(w, 3)
    plain = _probabilities(world(parameters={"incidents": {"nuclear_war_penalty": 0}}), 4)[0]
    odds = (to_war / (1 - to_war)) / (plain / (1 - plain))
    np.testing.assert_allclose(odds[nuclear], np.exp(-p.nuclear_war_penalty))
    np.testing.assert_allclose(odds[~nuclear], 1.0)
    same = _probabilities(world(parameters={"incidents": {"nuclear_war_penalty": 0}}), 3)[0]
    np.testing.assert_allclose(to_crisis, same)  # only the step to war is penalised
    tau, zero = np.full(s.size, 0.5), np.zeros(s.size)
    hazard = incident_hazard(w, tau, zero, zero)
    i, j = w.dyad_i[s], w.dyad_j[s]
    expected = p.base_hazard * w.propensity[i, j] * w.dispute[i, j] * (1 + p.tension_hazard * 0.5)
    np.testing.assert_allclose(hazard, expected * np.where(nuclear, 1 + p.nuclear_hazard, 1.0))


def test_land_disputes_escalate_most_and_rivalries_least():
    w = world()
    s = list(w.incident_dyads)
    offset = escalation_offset(w)
    land = offset[s.index(_dyad(w, "CHN", "IND"))]
    maritime = offset[s.index(_dyad(w, "CHN", "PHL"))]
    rivalry = offset[s.index(_dyad(w, "USA", "CHN"))]
    sovereignty = offset[s.index(_dyad(w, "CHN", "TWN"))]
    assert land > maritime > rivalry and sovereignty < maritime
    assert offset[s.index(_dyad(w, "KHM", "THA"))] == land


def test_trade_restrains_escalation_and_coercion_cuts_the_restraint():
    w = world()
    s = list(w.incident_dyads)
    p, e = w.params.incidents, w.params.economy
    d = s.index(_dyad(w, "USA", "CHN"))
    usa, chn = w.index("USA"), w.index("CHN")
    mutual = w.trade_china[usa] + w.trade_us[chn]
    none = np.zeros((1, len(s)))
    np.testing.assert_allclose(
        interdependence_restraint(w, none)[0, d], p.interdependence_restraint * mutual
    )
    full = np.ones((1, len(s)))
    restrained = interdependence_restraint(w, full)[0, d]
    np.testing.assert_allclose(
        restrained, p.interdependence_restraint * mutual * (1 - e.interdependence_cut)
    )
    # No trade data between Thailand and Cambodia: no restraint there.
    assert interdependence_restraint(w, none)[0, s.index(_dyad(w, "KHM", "THA"))] == 0


def test_effective_channels_are_the_dense_spillover_formula_and_symmetric():
    # C = clip(C0 + ρ ((I + W) C0 (I + W)ᵀ − C0), 0, 1), with channels open between the US
    # and China and between Japan and China, and the allies' ties spreading them.
    channel = {"kind": "deconfliction_channel"}
    w = world(
        policies={
            "us_china": {**channel, "actor": "USA", "partners": ["CHN"], "strength": 0.8},
            "japan_china": {**channel, "actor": "JPN", "partners": ["CHN"], "strength": 0.5},
        }
    )
    state = initial_state(w, replicate_keys(1, range(3)))
    levers = active_levers(w, state)
    ties = alliance_ties(w, state).credible
    c0 = np.maximum(
        levers[:, LEVER_INDEX["channel"]], np.swapaxes(levers[:, LEVER_INDEX["channel"]], 1, 2)
    )  # channel, both ways
    assert (c0 > 0).sum() >= 4
    reach = np.eye(w.n) + ties
    rho = w.params.incidents.channel_spillover
    dense = np.clip(c0 + rho * (reach @ c0 @ np.swapaxes(reach, 1, 2) - c0), 0.0, 1.0)
    channels = effective_channels(w, state, levers, ties)
    np.testing.assert_allclose(channels, dense, rtol=0, atol=1e-14)
    assert (channels == np.swapaxes(channels, 1, 2)).all()
    assert (channels[:, w.index("PHL"), w.index("CHN")] > 0).all()  # the US channel spills over


def test_spillover_is_clipped_and_reads_each_replicates_own_rate():
    # Strong channels whose spread exceeds 1 (the clip binds), and a stacked sweep's ρ that
    # differs between replicates: each replicate's matrix is the dense formula with its own ρ.
    rng = np.random.default_rng(5)
    n, reps = 6, 3
    channel = np.zeros((reps, n, n))
    channel[:, 0, 1] = channel[:, 1, 0] = 1.0
    channel[:, 2, 3] = channel[:, 3, 2] = 0.9
    ties = rng.uniform(0.0, 0.9, (reps, n, n))
    ties = (ties + np.swapaxes(ties, 1, 2)) / 2.0
    ties[:, np.arange(n), np.arange(n)] = 0.0
    rho = np.array([0.1, 0.5, 0.9])
    reach = np.eye(n) + ties
    raw = channel + rho[:, None, None] * (reach @ channel @ np.swapaxes(reach, 1, 2) - channel)
    assert (raw > 1.0).any() and (raw < 1.0).any()
    spilled = _spill(channel, ties, rho, np.empty(channel.shape))
    np.testing.assert_allclose(spilled, np.clip(raw, 0.0, 1.0), rtol=0, atol=1e-14)
    assert not np.allclose(spilled[0], spilled[2])  # each replicate's own ρ


def test_step_chances_follow_the_formula_at_every_rung_and_shape():
    # p_up = σ(opening − β_L (L − 1)⁺ + τ − D min(L, 4)/4 + E − C − I − N [L = 4]) and
    # p_down = min(calming, 1 − p_up), per element, whatever the arrays' number of axes.
    rng = np.random.default_rng(11)
    shape = (2, 3, 4, 5)
    values = {name: rng.normal(size=shape) for name in EscalationTerms.__dataclass_fields__}
    values["rung_cost"] = 0.7
    terms = EscalationTerms(**values)
    level = rng.integers(0, 6, size=shape).astype(np.int8)
    rung = level.astype(float)
    logit = (
        values["opening"]
        - 0.7 * np.maximum(rung - 1, 0)
        + values["tension"]
        - values["deterrence"] * np.minimum(rung, 4) / 4
        + values["emboldening"]
        - values["channel"]
        - values["restraint"]
        - values["nuclear"] * (rung == 4)
    )
    p_up, p_down = terms.at(level)
    np.testing.assert_allclose(p_up, 1 / (1 + np.exp(-logit)), rtol=1e-14)
    np.testing.assert_allclose(p_down, np.minimum(values["calming"], 1 - p_up), rtol=1e-14)
