"""The turn log of a game in plain words: who did what, names not ids."""

from __future__ import annotations

import re

from sim.core import records
from sim.game.findings import read_played
from sim.game.log import INJECT, record_line, turn_log
from sim.game.play import Game
from sim.game.record import Seat
from sim.game.report import narrative
from sim.scenario.moves import Move


def test_players_actions_close_the_month_they_are_made_in_and_records_read_plainly(tmp_path):
    game = Game.create(
        "scs_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA", "PHL", "JPN"])]
    )
    game.advance(3)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="crisis"), rationale="why")
    game.inject(Move.new("exercises", actor="JPN", partners=["PHL"]), card="drill")
    move = game.submit("Blue", Move.new("task_force", actor="USA", partners=["PHL"]), "deter")
    game.accept(move.id)
    (now,) = [t for t in turn_log(game) if t.month == 3]
    assert now.upcoming and now.lines[-1].text.startswith("Blue team move")
    game.advance(12)
    turns = turn_log(game)
    assert [t.month for t in turns] == sorted((t.month for t in turns), reverse=True)
    assert not any(t.upcoming for t in turns)
    month3 = next(t for t in turns if t.month == 3)
    made = [line for line in month3.lines if line.kind == INJECT]
    assert list(month3.lines[-len(made) :]) == made  # after what the model did up to month 3
    assert made[0].text.startswith("Facilitator inject: Incident between China and the Philip")
    assert made[1].text.startswith("Inject card: Japan holds 4 exercises a year")
    assert made[2].text == (
        "Blue team move: The United States stands up a task force with the Philippines — “deter”"
    )
    assert not any(line.kind == INJECT for t in turns if t.month == 4 for line in t.lines)
    text = "\n".join(line.text for t in turns for line in t.lines)
    assert not re.search(r"\b[A-Z]{3}\b", text), "country codes"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "internal ids"
    quiet = turn_log(game, routine=False)
    assert sum(len(t.lines) for t in quiet) < sum(len(t.lines) for t in turns)


def test_a_scripted_event_is_told_at_the_month_its_scenario_gives_as_a_card_would_be(tmp_path):
    scripted = Game.create(
        "taiwan_strait_crisis", tmp_path, seats=[Seat(name="Blue", countries=["JPN"])]
    )
    carded = Game.create(
        "taiwan_strait_crisis", tmp_path, seats=[Seat(name="Red", countries=["CHN"])]
    )
    assert scripted.base.events["quarantine_declared"].step == 3
    carded.advance(3)
    card = Move.new("incident", actor="CHN", other="TWN", level="standoff")
    carded.inject(card, card="quarantine_declared")
    for game in (scripted, carded):
        game.advance(5 - game.month)
        when = {
            line.text: t.month
            for t in turn_log(game)
            for line in t.lines
            if "quarantine" in line.text.lower() or "between China and Taiwan at" in line.text
        }
        assert set(when.values()) == {3}, when
    (quarantine,) = [
        line
        for line in narrative(read_played(scripted))["lines"]
        if "customs quarantine" in line["text"]
    ]
    assert quarantine["month"] == 3


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
