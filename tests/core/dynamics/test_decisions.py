"""Countries that decide (sim/core/dynamics/decisions.py): the logit rule, moves, directions.

Analytic cases of the rule (uniform at rationality 0, a dominated move never chosen as
rationality grows), moves that touch only the replicates that chose them, the records, and
directional effects over ensembles with common random numbers, which must clear a minimum
size and a t statistic of 4 so that they cannot pass by accident.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import paired_effect, world

from sim.core import metrics
from sim.core.compile import compile_world
from sim.core.dynamics.decisions import (
    apply_choices,
    choose,
    evaluate,
    is_decision_month,
)
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.menu import KINDS
from sim.core.dynamics.step import advance, initial_state
from sim.core.engine import simulate
from sim.core.rng import replicate_keys
from sim.core.world import LEVER_INDEX
from sim.scenario.loader import load_scenario

CHINA_DECIDES = {
    "decisions": {
        "strategy": "scripted",
        "countries": {"CHN": {"strategy": "expected_utility"}},
    }
}


def _at_decision(w, replicates: int):
    state = initial_state(w, replicate_keys(7, range(replicates)))
    while not is_decision_month(w, state.step):
        advance(w, state)
    return state


def test_at_rationality_zero_every_move_and_holding_are_equally_likely():
    w = world(**CHINA_DECIDES)
    w = dataclasses.replace(w, rationality=np.zeros(w.n))
    state = _at_decision(w, 4000)
    _, gains = evaluate(w, state)
    # Whatever the moves are worth, at rationality 0 only what is on offer matters: offer
    # every one of China's moves, with gains of every size.
    own = w.menu.actor == w.china
    rng = np.random.default_rng(0)
    gains = np.where(own[None, :, None], rng.normal(0.0, 10.0, gains.shape), -np.inf)
    picked = choose(w, state, gains, np.array([w.china]))[:, 0]
    offered = 2 * int(own.sum())
    counts = np.unique(picked, return_counts=True)[1]
    assert counts.size == offered + 1  # each move and holding
    expected = picked.size / (offered + 1)
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < counts.size + 6 * np.sqrt(2 * counts.size)  # far above chance otherwise


def test_a_dominated_move_is_never_chosen_as_rationality_grows():
    w = world(**CHINA_DECIDES)
    state = _at_decision(w, 2000)
    _, gains = evaluate(w, state)
    own = np.flatnonzero(w.menu.actor == w.china)
    gains = np.full_like(gains, -np.inf)
    gains[:, own[0], 0] = 1.0  # a move better than holding
    gains[:, own[1], 0] = -1.0  # one worse than holding
    for rationality, floor in ((0.0, 0.2), (1.0, 0.05), (50.0, 0.0)):
        at = dataclasses.replace(w, rationality=np.full(w.n, rationality))
        picked = choose(at, state, gains, np.array([w.china]))[:, 0]
        share = (picked == 2 * own[1]).mean()
        assert share >= floor if rationality == 0 else share <= floor + 1e-12
    best = choose(dataclasses.replace(w, rationality=np.full(w.n, 50.0)), state, gains,
                  np.array([w.china]))[:, 0]  # fmt: skip
    assert (best == 2 * own[0]).all()


def test_a_move_changes_only_the_replicates_that_chose_it():
    w = world(**CHINA_DECIDES)
    state = _at_decision(w, 6)
    scores, gains = evaluate(w, state)
    coercing = (w.menu.actor == w.china) & (w.menu.kind == KINDS.index("coercion"))
    v = int(np.flatnonzero(coercing & w.decision_attended)[0])
    target = w.menu.target[v]
    choices = np.full((6, w.n), -1)
    choices[2, w.china] = 2 * v  # one step up, in replicate 2 only
    before = active_levers(w, state).copy()
    apply_choices(w, state, choices, scores, gains)
    after = active_levers(w, state)
    coercion = LEVER_INDEX["coercion"]
    changed = (after != before).any(axis=(1, 2, 3))
    assert changed.tolist() == [False, False, True, False, False, False]
    assert after[2, coercion, w.china, target] == pytest.approx(
        before[2, coercion, w.china, target] + scores.change[2, scores.slot(v), 0]
    )
    assert state.moves[2, w.china] == 1 and state.moves.sum() == 1


def test_a_move_on_a_variable_no_replicate_scored_changes_nothing():
    w = world(**CHINA_DECIDES)
    coercing = (w.menu.actor == w.china) & (w.menu.kind == KINDS.index("coercion"))
    v = int(np.flatnonzero(coercing)[0])
    attended = np.array(w.decision_attended, copy=True)
    attended[v] = False  # nobody weighs this lever: it keeps no score
    w = dataclasses.replace(w, decision_attended=attended)
    state = _at_decision(w, 3)
    scores, gains = evaluate(w, state)
    assert scores.slot(v) == -1 and np.isneginf(gains[:, v]).all()
    choices = np.full((3, w.n), -1)
    choices[0, w.china] = 2 * v  # set from outside: the rule itself never picks it
    before = active_levers(w, state).copy()
    apply_choices(w, state, choices, scores, gains)
    np.testing.assert_array_equal(active_levers(w, state), before)


def test_decisions_are_logged_with_the_decider_first_and_the_terms_that_made_them():
    traj = simulate(compile_world(load_scenario("us_retrenchment")), 6, log=True)
    decisions = [e for e in traj.events if e.type == "decision"]
    assert decisions
    for record in decisions:
        assert record.actors[0] == record.decider
        assert record.move and record.kind in KINDS and record.reason
        terms = dict(record.terms)
        assert set(terms) == {"escalation", "security", "following", "value", "posture"}
        assert sum(terms.values()) == pytest.approx(record.gain, abs=1e-5)
        if not record.refused:
            assert record.gain > -np.inf


def test_a_fixed_state_holds_its_month_0_posture_and_has_no_menu():
    definition = load_scenario("scs_crisis")
    data = definition.model_dump(mode="json", exclude_none=True)
    data["decisions"] = {"countries": {"CHN": {"strategy": "fixed"}}}
    from sim.scenario.schema import Scenario

    fixed = compile_world(Scenario.model_validate(data))
    scripted = compile_world(definition)
    assert not (fixed.menu.actor == fixed.china).any()
    chinese = [e.name for e in scripted.events if "CHN" in {scripted.codes[i] for i in e.dyad}]
    assert chinese and len(fixed.events) < len(scripted.events)


# --------------------------------------------------------------------------------------------
# Ensembles


def _run(name: str, replicates: int, common: float | None = None):
    w = compile_world(load_scenario(name))
    if common is not None:
        decisions = w.params.decisions.model_copy(update={"common_cost": common})
        w = dataclasses.replace(w, params=w.params.model_copy(update={"decisions": decisions}))
    state = initial_state(w, replicate_keys(2025, range(replicates)))
    reader = metrics.lookup(w, state)
    coercion = np.zeros(replicates)
    for _ in range(w.horizon):
        advance(w, state, reader)
        coercion += active_levers(w, state)[:, LEVER_INDEX["coercion"], w.china, w.index("PHL")]
    return w, state, coercion / w.horizon


#: The two ends of `common_cost` φ: an incident's costs split by the balance of strength
#: (φ = 0), or borne alike whatever the strength (φ = 1).
ENDS = (0.0, 1.0)


@pytest.fixture(scope="module")
def designs():
    names = ("hub_and_spoke", "formal_asian_nato", "us_retrenchment")
    return {(name, common): _run(name, 100, common) for name in names for common in ENDS}


@pytest.mark.slow
def test_the_status_quo_holds_at_rest_with_decisions_on():
    w = compile_world(load_scenario("hub_and_spoke"))
    traj = simulate(w, 60, seed=2025)
    tension = traj.model["regional_tension"]
    assert abs(tension[-1].mean() - tension[0].mean()) < 0.01
    drift = np.abs(traj.countries["alignment"][-1].mean(axis=0) - w.alignment0)
    assert drift.max() < 0.03
    moved = [e for e in traj.events if e.type == "decision"]
    assert len(moved) / 60 / 10 < 0.5 * w.n  # fewer than one move per two states a year


@pytest.mark.slow
def test_a_pact_changes_chinas_coercion_one_way_or_the_other_as_costs_follow_strength(designs):
    # Where the costs of an incident follow the balance of strength (φ = 0), a coalition that
    # brings more strength to the Philippines' side makes coercing it dearer: China eases.
    # Where they are borne alike (φ = 1), only the coalition's deterrence is left, and it makes
    # each incident less likely to escalate, so pressing is safer: China presses more (the
    # stability–instability paradox, Snyder 1965). The design's effect has no sign of its own.
    balance, t_balance = paired_effect(
        designs["formal_asian_nato", 0.0][2], designs["hub_and_spoke", 0.0][2]
    )
    assert balance < -0.01 and t_balance < -4
    alike, t_alike = paired_effect(
        designs["formal_asian_nato", 1.0][2], designs["hub_and_spoke", 1.0][2]
    )
    assert alike > 0.01 and t_alike > 4


@pytest.mark.slow
@pytest.mark.parametrize("common", ENDS)
def test_us_retrenchment_moves_the_front_line_not_the_adversaries(designs, common):
    w, hub_state, hub = designs["hub_and_spoke", common]
    _, cut_state, cut = designs["us_retrenchment", common]
    effect, t = paired_effect(cut, hub)
    if common == 0.0:  # weaker backing shifts the costs onto the Philippines: China presses
        assert effect > 0.05 and t > 4
    else:  # less deterrence makes pressing riskier: China eases
        assert effect < -0.02 and t < -4
    phl = w.index("PHL")  # whichever way China goes, the Philippines accommodates
    accommodation = paired_effect(cut_state.alignment[:, phl], hub_state.alignment[:, phl])
    assert accommodation[0] < -0.1 and accommodation[1] < -4
    for code in ("PRK", "RUS"):  # never the US's adversaries warming to it
        k = w.index(code)
        warmer, _ = paired_effect(cut_state.alignment[:, k], hub_state.alignment[:, k])
        assert warmer < 0.02, code
