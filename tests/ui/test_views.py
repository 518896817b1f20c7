"""The status line, the turn log and the numbers of a game, in plain words."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.ui.views import session_table, status_items, turn_log_html


@pytest.fixture
def game(tmp_path) -> Game:
    seats = [Seat(name="Blue", countries=["USA", "PHL"]), Seat(name="Red", countries=["CHN"])]
    return Game.create("scs_crisis", tmp_path, seats=seats)


def test_the_status_line_names_states_and_counts_moves_awaiting_a_ruling(game):
    items = dict(status_items(game))
    assert items["Month"] == "0 of 36"
    assert re.fullmatch(r"0\.\d{3}", items["Regional tension"])
    assert "Moves awaiting a ruling" not in items
    game.submit("Blue", Move.new("exercises", actor="USA", partners=["PHL"]), "drill")
    items = dict(status_items(game))
    assert items["Moves awaiting a ruling"] == "1"
    tensest = items["Tensest pair"]
    world, state = game.model.world, game.model.state
    tension = state.tension[0, world.dyad_i, world.dyad_j]
    assert f"{tension.max():.2f}" in tensest  # the tensest pair, by its tension
    assert not re.search(r"\b[A-Z]{3}\b", tensest)  # names, not codes


def test_the_turn_log_marks_who_did_what_with_names_never_ids(game):
    game.advance(2)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"), rationale="ramming")
    move = game.submit("Red", Move.new("gray_zone_coercion", actor="CHN", partners=["PHL"]), "")
    game.accept(move.id)
    log = turn_log_html(game)
    # Made at month 2, told at month 2 (what they set off, at month 3): above month 1.
    assert log.index("Month 2 (this turn: acts next month)") < log.index("Month 1")
    assert "Facilitator inject: Incident between China and the Philippines at the clash rung" in log
    assert "“ramming”" in log
    assert "Red team move: China steps up gray-zone pressure on the Philippines" in log
    entries = {a.entry for a in game.accepted()}
    assert entries and not any(entry in log for entry in entries)
    assert not re.search(r"\b(us|china)_[a-z_]+\b", log), "no alliance or event keys"


def test_the_numbers_are_one_row_per_month_played(game):
    game.advance(3)
    table = session_table(game)
    assert list(table["step"]) == [0, 1, 2, 3]
    assert isinstance(table, pd.DataFrame) and table["regional_tension"].between(0, 1).all()
