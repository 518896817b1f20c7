"""Revealed preference (sim/core/dynamics/preferences.py): the status quo is a best reply.

With each lever priced at its marginal value at the status quo, no move on any state's menu
is worth making in the world held at rest (its incident dyads at their stationary
distribution), and no stance in an incident at any rung: holding is every state's best reply.
A lasting lever does respond to an incident far from the usual (a channel opened in a clash):
that is a departure, not the rest.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.compile import compile_world
from sim.core.dynamics.decisions import MIN_STAKE, current_values, score_moves, utilities
from sim.core.dynamics.menu import KINDS
from sim.core.dynamics.preferences import RestPath, decision_months
from sim.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def status_quo():
    return compile_world(load_scenario("hub_and_spoke"))


def _gains_at_rest(w, level: int) -> np.ndarray:
    path = RestPath(w, decision_months(w)[:1])
    view = path.view(level)
    values = current_values(w, path.state, w.menu, path.levers)
    scores = score_moves(w, path.state, view, w.menu, values)
    return utilities(w, path.state, scores, values, np.arange(w.menu.size))


def test_holding_is_every_states_best_reply_in_the_world_at_rest(status_quo):
    gains = _gains_at_rest(status_quo, 0)
    made = np.isfinite(gains)
    assert made.sum() > 20
    assert (gains[made] < 0).all(), "a move pays in the world held at rest"


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_no_stance_pays_at_the_rung_it_is_priced_at(status_quo, level):
    # Where backing down from a clash would save far more than pressing would cost (the cost
    # of a stance is concave), a single price would make one of them pay; the kink does not.
    stance = status_quo.menu.of_kind("stance")
    gains = _gains_at_rest(status_quo, level)[:, stance]
    made = np.isfinite(gains)
    assert made.any()  # in an incident both stances are on the menu, and neither pays
    assert (gains[made] < 0).all()


def test_prices_read_as_the_theory_says(status_quo):
    menu, price = status_quo.menu, status_quo.decision_price
    by_kind = {kind: price[:, menu.of_kind(kind)] for kind in KINDS}
    assert (by_kind["coercion"] >= 0).all()  # a claim is valued: escalation is its cost
    assert (by_kind["coercion"] > 0).any()
    assert (by_kind["channel"] <= 0).all() and (by_kind["channel"] < 0).any()  # a political price
    assert (by_kind["arms"] < 0).all()  # a budget has a price: it buys security
    assert (status_quo.decision_scale > 0).all()


def test_levers_worth_little_to_a_state_are_left_out_of_its_choices(status_quo):
    # Attention is instrument by instrument: a lever is kept when, in some year, it is worth at
    # least `attention` times the same state's weightiest lever of the same kind.
    menu, w = status_quo.menu, status_quo
    stake = np.abs(w.decision_price).max(axis=2) * menu.step
    attention = w.params.decisions.attention
    for d in range(menu.size):
        peers = (menu.actor == menu.actor[d]) & (menu.kind == menu.kind[d])
        top = stake[:, peers].max(axis=1)
        expected = ((stake[:, d] >= attention * top) & (top > MIN_STAKE)).any()
        assert w.decision_attended[d] == expected, d
    assert w.decision_attended.any() and not w.decision_attended.all()
    # every kind keeps some lever somewhere: no instrument is dropped wholesale
    kept_kinds = set(menu.kind[w.decision_attended].tolist())
    assert kept_kinds == set(range(len(KINDS)))


def test_prices_are_solved_once_a_year_from_the_first_decision_month(status_quo):
    months = decision_months(status_quo)
    assert months[0] == status_quo.decision_interval and months[-1] < status_quo.horizon
    assert months[1] - months[0] == 12  # a year's decisions share its first month's prices
    assert status_quo.decision_price.shape == (months.size, status_quo.menu.size, 2)
    assert status_quo.stance_price.shape == (months.size, status_quo.menu.size, 6, 2)
