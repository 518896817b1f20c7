"""What if, from the board's present: the same past for every future, the game's own among them."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import metrics
from sim.game.branch import MAX_REPLICATES, branch_from_present
from sim.game.play import Game
from sim.scenario.moves import Move, MoveError

CHANNEL = Move.new("deconfliction_channel", actor="USA", partners=["CHN"], strength=0.8)


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Game:
    game = Game.create("scs_crisis", tmp_path_factory.mktemp("sessions"))
    game.advance(2)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="crisis"))
    game.advance(9)  # month 11: the crisis has eased to a clash (this seed's draws)
    return game


def test_every_future_starts_from_the_board_and_run_0_is_the_games_own(game, tmp_path):
    world, state = game.model.world, game.model.state
    now = int(state.level[0, world.dyad_i, world.dyad_j].max())  # the highest rung on the board
    assert now < int(state.max_level.max())  # a rung reached before has eased since
    branch = branch_from_present(game, CHANNEL, 30)
    assert branch.month == 11 and branch.replicates == 30
    # every future starts from the board's present rungs, and counts from now on
    assert (branch.without["max_escalation"] >= now).all()
    assert (branch.with_move["max_escalation"] >= now).all()
    assert branch.without["max_escalation"].min() < int(state.max_level.max())

    # the game's own future, played on, is future 0 "without"
    own = Game(game.record.model_copy(deep=True), tmp_path)
    own.advance(100)
    final = metrics.model_metrics(own.model.world, own.model.state)
    assert branch.without["regional_tension"][0] == final["regional_tension"][0]
    assert branch.without["us_credibility"][0] == final["us_credibility"][0]
    # and the other futures differ from it: new futures, not copies
    assert np.unique(branch.without["regional_tension"]).size > 20


def test_the_change_has_an_interval_and_the_move_changes_the_outcome(game):
    branch = branch_from_present(game, CHANNEL, 40)
    rows = {row.label.split(" (")[0]: row for row in branch.rows()}
    tension = rows["Regional tension"]
    assert tension.low <= tension.change <= tension.high
    assert tension.change < 0 and tension.high < 0  # a channel with China calms the region
    (a_low, a_high), (b_low, b_high) = branch.crisis_intervals()
    assert 0 <= a_low <= a_high <= 1 and 0 <= b_low <= b_high <= 1
    assert game.accepted()[-1].move["kind"] == "incident"  # a what-if changes nothing


def test_a_bad_move_or_size_is_refused(game):
    with pytest.raises(MoveError, match="Months"):
        branch_from_present(game, Move.new("exercises", months=-1), 10)
    with pytest.raises(ValueError, match="Futures"):
        branch_from_present(game, CHANNEL, MAX_REPLICATES + 1)
