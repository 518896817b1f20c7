"""A team's briefing, the facilitator's messages and the turn timer, on the game itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sim.game.briefing import HEDGER_AIM, STATE_AIMS, state_aim, team_briefing
from sim.game.play import MAX_TIMER_MINUTES, Game
from sim.game.record import Seat, load
from sim.scenario.moves import MoveError

SEATS = [Seat(name="Blue", countries=["USA", "JPN", "PHL"]), Seat(name="Red", countries=["CHN"])]


@pytest.fixture
def game(tmp_path) -> Game:
    return Game.create("scs_crisis", tmp_path / "sessions", seats=SEATS)


def _saved(game: Game):
    return load(game.path)


def test_a_team_reads_the_question_its_states_and_their_starting_brief(game):
    brief = team_briefing(game, "Blue")
    assert brief.question.startswith("Does the China–Philippines standoff at the shoal escalate")
    assert brief.states == "United States, Japan, Philippines"
    assert not brief.worded and brief.general == ""
    assert brief.objectives == tuple(state_aim(c) for c in ("USA", "JPN", "PHL"))
    assert brief.objectives[2].startswith("Philippines: hold its features in the South China Sea")
    assert [name for name, _ in brief.metrics][:2] == ["Regional tension", "Tensest pair"]


def test_a_state_without_its_own_aim_gets_the_hedgers(game):
    assert "THA" not in STATE_AIMS
    assert state_aim("THA").endswith(HEDGER_AIM + ".")


def test_the_facilitators_words_replace_the_starting_brief_and_are_saved(game):
    game.set_briefing("  The teams have 10 minutes a turn.  ")
    game.set_objectives("Red", "Take the shoal\n\n  without a war ")
    brief = team_briefing(game, "Red")
    assert brief.general == "The teams have 10 minutes a turn."
    assert brief.objectives == ("Take the shoal", "without a war") and brief.worded
    assert team_briefing(game, "Blue").general == "The teams have 10 minutes a turn."
    saved = _saved(game)
    assert saved.briefing == "The teams have 10 minutes a turn."
    assert saved.seat("Red").objectives == "Take the shoal\n\n  without a war".strip()
    game.set_objectives("Red", "")
    assert not team_briefing(game, "Red").worded


def test_objectives_of_a_team_not_at_the_table_are_refused(game):
    with pytest.raises(MoveError, match="no team called 'Green'"):
        game.set_objectives("Green", "anything")


def test_a_message_reaches_all_teams_or_one_and_is_saved(game):
    game.send_message("Ten minutes left", "")
    game.advance(1)
    game.send_message("Red, your move is late", "Red")
    assert [m.text for m in game.messages_for("Red")] == [
        "Red, your move is late",
        "Ten minutes left",
    ]
    assert [m.text for m in game.messages_for("Blue")] == ["Ten minutes left"]
    assert [(m.month, m.to) for m in _saved(game).messages] == [(0, ""), (1, "Red")]


@pytest.mark.parametrize(
    ("text", "to", "why"), [("  ", "", "write something"), ("hi", "Green", "Green")]
)
def test_an_empty_message_or_one_to_nobody_is_refused(game, text, to, why):
    with pytest.raises(MoveError, match=why):
        game.send_message(text, to)
    assert game.record.messages == []


def test_the_turn_timer_runs_to_a_deadline_and_stops(game):
    before = datetime.now(UTC)
    ends = datetime.fromisoformat(game.set_timer(10))
    assert 590 <= (ends - before).total_seconds() <= 601
    assert _saved(game).deadline == ends.isoformat(timespec="seconds")
    assert game.set_timer(None) == "" and _saved(game).deadline == ""
    with pytest.raises(MoveError, match=f"from 0 to {MAX_TIMER_MINUTES} minutes"):
        game.set_timer(MAX_TIMER_MINUTES + 1)


def test_briefing_actions_on_an_old_view_do_nothing(game):
    seen = game.revision
    game.send_message("first")
    with pytest.raises(MoveError, match="Nothing done"):
        game.send_message("first", expect=seen)
    assert len(game.record.messages) == 1
