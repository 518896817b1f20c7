"""What would the model do for us: a team's states' moves ranked by their decision rule."""

from __future__ import annotations

import numpy as np
import pytest

from sim.game.advice import CONSOLE_KIND, advise
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import MOVES


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Game:
    seats = [Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["CHN"])]
    folder = tmp_path_factory.mktemp("advice")
    game = Game.create("taiwan_strait_crisis", folder, seats=seats, game_id="advice")
    game.advance(6)
    return game


def test_the_advisor_ranks_a_teams_moves_by_their_gain_with_their_terms(game: Game) -> None:
    before = {name: getattr(game.model.state, name).copy() for name in ("overlay", "tension")}
    advice = advise(game, "Red")
    assert advice, "the rule weighs some move for China"
    gains = [a.record.gain for a in advice]
    assert gains == sorted(gains, reverse=True)
    for item in advice:
        record = item.record
        assert record.decider == "CHN" and np.isfinite(record.gain)
        terms = dict(record.terms)
        assert set(terms) == {"escalation", "security", "following", "value", "posture"}
        assert sum(terms.values()) == pytest.approx(record.gain, abs=1e-5)
        assert "weighed most" in record.reason
    for name, value in before.items():  # asking changes nothing on the board
        assert np.array_equal(getattr(game.model.state, name), value), name
    blue = advise(game, "Blue")
    assert {a.record.decider for a in blue} <= {"USA", "JPN"} and blue


def test_each_move_names_the_consoles_kind_that_makes_it_where_there_is_one(game: Game) -> None:
    for item in advise(game, "Blue", shown=40):
        if item.console is not None:
            assert MOVES[item.console].decision == item.record.kind
            assert item.record.change > 0 or item.record.kind == "clarity"
    assert CONSOLE_KIND["coercion"] == "gray_zone_coercion"


def test_a_team_no_longer_seated_is_refused(game: Game) -> None:
    with pytest.raises(ValueError, match="no team called 'Green'"):
        advise(game, "Green")
