"""What a deciding state foresees (sim/core/dynamics/outlook.py): analytic cases.

The look-ahead carries each incident dyad's rung distribution forward month by month with the
model's own chain (§5); these tests recompute one month of it by hand.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim.core.compile import compile_world
from sim.core.dynamics.chains import RUNGS, rung_costs
from sim.core.dynamics.incidents import (
    escalation_terms,
    incident_hazard,
    level_distribution,
    step_probabilities,
)
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.outlook import (
    Cover,
    alignment_months,
    expected_costs,
    following_value,
    outlook,
    party_costs,
)
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.state import EPS
from sim.core.dynamics.step import initial_state
from sim.core.rng import replicate_keys
from sim.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def view_of():
    w = compile_world(load_scenario("hub_and_spoke"))
    state = initial_state(w, replicate_keys(5, range(3)))

    def make(start: np.ndarray, horizon: int = 1):
        levers = active_levers(w, state)
        ties, cap, threat_matrix, *_ = perceive(w, state, levers)
        view = outlook(w, state, levers, ties, cap, threat_matrix, start=start)
        return w, dataclasses.replace(view, horizon=horizon)

    return make


def _one_hot(w, rung: int) -> np.ndarray:
    start = np.zeros((3, w.incident_dyads.size, RUNGS))
    start[..., rung] = 1.0
    return start


def _dyad(w, a: str, b: str) -> int:
    d = w.dyad_index(w.index(a), w.index(b))
    return int(np.flatnonzero(w.incident_dyads == d)[0])


def test_one_month_from_calm_costs_the_chance_of_an_incident_times_the_gray_zone(view_of):
    w, view = view_of(np.zeros(0))
    w, view = view_of(_one_hot(w, 0))
    e = _dyad(w, "CHN", "PHL")
    total, severe = expected_costs(w, view, np.array([e]))
    hazard = incident_hazard(
        w, view.tau[:, [e]], view.coercion[:, [e]], view.presence[:, [e]], np.array([e])
    )
    begin = -np.expm1(-hazard)
    np.testing.assert_allclose(total, begin * w.params.decisions.cost_gray_zone)
    assert (severe == 0).all()


def test_one_month_from_war_costs_what_staying_or_stepping_down_costs(view_of):
    w, view = view_of(np.zeros(0))
    w, view = view_of(_one_hot(w, 5))
    e = _dyad(w, "CHN", "IND")
    total, severe = expected_costs(w, view, np.array([e]))
    args = [x[:, [e]] for x in (view.tau, view.cover.deter, view.cover.embolden, view.channel)]
    up, down = step_probabilities(
        w, 5, *args, view.ceasefire[:, [e]], view.restraint[:, [e]], view.coercion[:, [e]],
        dyads=np.array([e]),
    )  # fmt: skip
    leave = np.minimum(up + down, 1.0)  # at war the model only steps down
    costs = rung_costs(w)[e]
    np.testing.assert_allclose(total, leave * costs[4] + (1 - leave) * costs[5])
    np.testing.assert_allclose(severe, total)  # crisis and war: all of it is severe


def test_a_lasting_posture_is_weighed_at_the_typical_situation_it_makes(view_of):
    w, view = view_of(np.zeros(0))
    w, view = view_of(_one_hot(w, 3), horizon=6)  # an incident now does not enter it
    e = np.array([_dyad(w, "THA", "KHM")])
    months = 24.0
    total, _ = expected_costs(w, view, e, lasting=months)
    begin = -np.expm1(
        -incident_hazard(w, view.tau[:, e], view.coercion[:, e], view.presence[:, e], e)
    )
    rows = [x[:, e] for x in (view.tau, view.cover.deter, view.cover.embolden, view.channel)]
    rows += [view.ceasefire[:, e], view.restraint[:, e], view.coercion[:, e]]
    steps = [step_probabilities(w, level, *rows, dyads=e) for level in range(1, RUNGS)]
    up = np.stack([s[0] for s in steps], axis=2)
    down = np.stack([s[1] for s in steps], axis=2)
    down[..., -1] = np.minimum(up[..., -1] + down[..., -1], 1.0)
    pi = level_distribution(begin, up[..., :-1], down)
    np.testing.assert_allclose(total, (6 + months) * (pi * rung_costs(w)[e]).sum(axis=2))


def test_the_chains_step_as_the_incident_formulas_to_the_bit(view_of):
    # expected_costs computes the hazard and the step chances in its own kernel; they must be
    # those of incident_hazard and escalation_terms, bit for bit, under replaced covariates.
    w, view = view_of(np.zeros(0))
    w, view = view_of(_one_hot(w, 0), horizon=6)
    rng = np.random.default_rng(3)
    e = np.array([0, 2, 2, 1, w.incident_dyads.size - 1])
    given = {
        name: rng.uniform(0.0, 1.5, (3, e.size))
        for name in ("deter", "embolden", "coercion", "channel", "presence", "restraint")
    }
    given |= {
        "push": rng.normal(0.0, 1.0, (3, e.size)),
        "retreat": rng.uniform(0, 0.2, (3, e.size)),
    }
    months = 24.0
    total, severe = expected_costs(w, view, e, lasting=months, **given)
    covariates = [view.tau[:, e], given["deter"], given["embolden"], given["channel"]]
    covariates += [view.ceasefire[:, e], given["restraint"], given["coercion"]]
    stances = {"push": given["push"], "retreat": given["retreat"]}
    rungs = np.arange(1, RUNGS)[:, None, None]  # every rung but calm, in front
    up, down = escalation_terms(w, *covariates, **stances, dyads=e).at(rungs)
    down[-1] = np.minimum(up[-1] + down[-1], 1.0)  # at war the model only steps down
    hazard = incident_hazard(w, view.tau[:, e], given["coercion"], given["presence"], e)
    pi = level_distribution(
        -np.expm1(-hazard), np.moveaxis(up[:-1], 0, -1), np.moveaxis(down, 0, -1)
    )
    costs = rung_costs(w)[e]
    expected, worst = 0.0, 0.0
    for k in range(RUNGS):  # summed rung by rung, as the kernel sums
        expected = expected + pi[..., k] * costs[:, k]
        worst = worst + pi[..., k] * (costs[:, k] if k >= RUNGS - 2 else 0.0)
    np.testing.assert_array_equal(total, (6 + months) * expected)
    np.testing.assert_array_equal(severe, (6 + months) * worst)


@pytest.mark.parametrize("common", [0.0, 0.5, 1.0])
def test_the_stronger_side_bears_less_and_parity_splits_evenly(common):
    strength = np.array([[[100.0, 100.0], [300.0, 100.0]]])
    cover = Cover(np.zeros((1, 2)), np.zeros((1, 2)), strength, np.zeros((1, 0)))
    shares = cover.shares(common)
    np.testing.assert_allclose(shares[0, 0], [1.0, 1.0])
    # 3:1 in strength: 2 (1 − p) is 0.5 and 1.5; the common part φ is borne alike
    np.testing.assert_allclose(
        shares[0, 1], [common + (1 - common) * 0.5, common + (1 - common) * 1.5]
    )
    np.testing.assert_allclose(shares.sum(axis=2), 2.0)


def test_each_state_bears_its_share_of_its_dyads(view_of):
    w, view = view_of(np.zeros(0))
    w, view = view_of(_one_hot(w, 0))
    total = np.ones((3, w.incident_dyads.size))
    bears = party_costs(w, view, view.cover, total, np.zeros_like(total))
    s = w.incident_dyads
    expected = np.zeros((3, w.n))
    for e, (i, j) in enumerate(zip(w.dyad_i[s], w.dyad_j[s], strict=True)):
        expected[:, i] += view.cover.shares(w.params.decisions.common_cost)[:, e, 0]
        expected[:, j] += view.cover.shares(w.params.decisions.common_cost)[:, e, 1]
    np.testing.assert_allclose(bears, expected)


def test_a_pull_adds_up_to_alignment_months_against_inertia(view_of):
    w, view = view_of(np.zeros(0))
    w, view = view_of(_one_hot(w, 0), horizon=6)
    p = w.params
    months = view.horizon + p.decisions.continuation
    k, r = p.alignment.inertia, p.alignment.rate
    by_hand = sum(0.1 / k * (1 - (1 - r * k) ** h) for h in range(1, int(months) + 1))
    assert alignment_months(w, view, np.array(0.1), lasting=True) == pytest.approx(by_hand)
    short = sum(0.1 / k * (1 - (1 - r * k) ** h) for h in range(1, 7))
    assert alignment_months(w, view, np.array(0.1), lasting=False) == pytest.approx(short)


@pytest.mark.parametrize("inertia", [0.5, 0.03, 0.02, 1e-2, 2e-3, 1e-6, 0.0])
def test_alignment_months_and_their_squares_add_up_month_by_month(inertia):
    # The closed forms cancel where r k is tiny; the sums must still be the month-by-month ones.
    from types import SimpleNamespace

    rate, horizon, continuation = 0.05, 6, 24
    params = SimpleNamespace(
        alignment=SimpleNamespace(inertia=inertia, rate=rate),
        decisions=SimpleNamespace(continuation=continuation),
    )
    world, view = SimpleNamespace(params=params), SimpleNamespace(horizon=horizon)
    pull = np.array([0.1, -0.2])
    k = max(inertia, EPS)
    # 1 − (1 − r k)^h without cancellation, month by month
    steps = [
        pull / k * -math.expm1(h * math.log1p(-rate * k))
        for h in range(1, horizon + continuation + 1)
    ]
    found = alignment_months(world, view, pull, lasting=True)
    squared = alignment_months(world, view, pull, lasting=True, squared=True)
    np.testing.assert_allclose(found, sum(steps), rtol=1e-6)
    np.testing.assert_allclose(squared, sum(s**2 for s in steps), rtol=1e-6)


def test_one_actor_values_its_followers_as_it_would_each_alone_and_a_pole_follows_no_one():
    w = compile_world(load_scenario("hub_and_spoke"))
    state = initial_state(w, replicate_keys(5, range(2)))
    levers = active_levers(w, state)
    ties, cap, threat_matrix, *_ = perceive(w, state, levers)
    view = outlook(w, state, levers, ties, cap, threat_matrix)
    usa, chn = w.index("USA"), w.index("CHN")
    targets = np.array([w.index("PHL"), w.index("VNM"), chn])
    pull = np.array([[0.1, -0.2, 0.3], [0.2, 0.1, -0.1]])
    together = following_value(w, view, state, usa, targets, pull)  # one actor, spread
    for m, target in enumerate(targets):
        alone = following_value(w, view, state, [usa], [target], pull[:, m : m + 1])
        np.testing.assert_array_equal(together[:, m : m + 1], alone)
    assert (together[:, 2] == 0).all()  # China is a pole: no one's follower
    assert (np.sign(together[:, :2]) == np.sign(pull[:, :2] * state.alignment[:, [usa]])).all()
