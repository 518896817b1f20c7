"""The turn log of a game in plain words: who did what, names not ids."""

from __future__ import annotations

import re

from sim.core import records
from sim.game.log import INJECT, record_line, turn_log
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move


def test_players_actions_head_their_month_and_model_records_read_plainly(tmp_path):
    game = Game.create(
        "scs_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA", "PHL", "JPN"])]
    )
    game.advance(3)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="crisis"), rationale="why")
    game.inject(Move.new("exercises", actor="JPN", partners=["PHL"]), card="drill")
    move = game.submit("Blue", Move.new("task_force", actor="USA", partners=["PHL"]), "deter")
    game.accept(move.id)
    game.advance(12)
    turns = turn_log(game)
    assert [t.month for t in turns] == sorted((t.month for t in turns), reverse=True)
    month4 = next(t for t in turns if t.month == 4)
    first = [line.text for line in month4.lines[:3]]
    assert first[0].startswith("Facilitator inject: Incident between China and the Philippines")
    assert first[1].startswith("Inject card: Japan holds 4 exercises a year")
    assert first[2] == (
        "Blue team move: The United States stands up a task force with the Philippines — “deter”"
    )
    assert all(line.kind == INJECT for line in month4.lines[:3])
    text = "\n".join(line.text for t in turns for line in t.lines)
    assert not re.search(r"\b[A-Z]{3}\b", text), "country codes"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "internal ids"
    quiet = turn_log(game, routine=False)
    assert sum(len(t.lines) for t in quiet) < sum(len(t.lines) for t in turns)


def test_a_task_force_is_named_by_its_members_with_one_article(tmp_path):
    game = Game.create(
        "taiwan_strait_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA"])]
    )
    move = game.submit("Blue", Move.new("task_force", actor="USA", partners=["TWN"]), "deter")
    game.accept(move.id)
    (action,) = game.accepted()
    tie = f"{action.entry}.policy"  # the tie a task force stood up by a move is keyed by
    answered = records.AllianceResponded(0, 5, alliance=tie, credibility_after=0.6)
    line = record_line(answered, game.model.definition)
    assert line is not None
    assert line.text == "The US–Taiwan task force stands by its member (credibility now 0.60)"
