"""The games of a server: seats from the command line, join codes, isolation, restarts."""

from __future__ import annotations

import pytest

from sim.game.record import Seat
from sim.game.rooms import DEFAULT_SEATS, Lobby, SeatError, parse_seats
from sim.scenario.moves import Move
from sim.scenario.problems import ScenarioError


def test_seats_are_read_from_the_command_line_form():
    seats = parse_seats("Blue=USA,JPN, AUS; Red = CHN;;")
    assert [(s.name, s.countries) for s in seats] == [
        ("Blue", ["USA", "JPN", "AUS"]),
        ("Red", ["CHN"]),
    ]
    assert len({s.code for s in seats}) == 2
    assert [s.name for s in parse_seats(DEFAULT_SEATS)] == ["Blue", "Red", "Green"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Blue", "should read Team=ISO3,ISO3"),
        ("Blue=", "the Blue team holds no state"),
        ("Blue=USA,XYZ", "'XYZ' is not a country of the game"),
        ("Blue=USA;Red=USA", "United States is held by both Blue and Red"),
        ("Blue=USA;Blue=CHN", "two teams are called Blue"),
    ],
)
def test_bad_seats_are_refused_in_one_plain_line(text, message):
    with pytest.raises(SeatError) as caught:
        parse_seats(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_code_opens_its_own_game_only_and_codes_survive_a_restart(tmp_path):
    folder = tmp_path / "sessions"
    lobby = Lobby(folder)
    one = lobby.create("scs_crisis", [Seat(name="Blue", countries=["USA"])])
    two = lobby.create("scs_crisis", [Seat(name="Blue", countries=["USA"])])
    one.advance(2)
    one.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"))

    role = lobby.join(one.record.seats[0].code.lower())  # codes are read case-blind
    assert role is not None and role.game is one and role.seat == "Blue"
    chair = lobby.join(two.record.facilitator_code)
    assert chair is not None and chair.game is two and chair.facilitator
    assert two.month == 0 and two.accepted() == []  # nothing of game one reached game two
    assert lobby.join("NOPE42") is None and lobby.join("  ") is None

    lobby.close()  # the server stops
    restarted = Lobby(folder)  # a new server process on the same folder
    again = restarted.join(one.record.facilitator_code)
    assert again is not None and again.game is not one
    assert again.game.month == 2 and [a.summary for a in again.game.accepted()] == [
        a.summary for a in one.accepted()
    ]
    assert again.game.model.tension_history[-1].tolist() == one.model.tension_history[-1].tolist()
    assert restarted.open(one.id) is again.game  # one live object per game
    assert {r.id for r in restarted.saved()} == {one.id, two.id}


def test_a_session_file_from_elsewhere_is_adopted_and_saved_on_here(tmp_path):
    first = Lobby(tmp_path / "a").create("scs_crisis")
    first.advance(1)
    other = Lobby(tmp_path / "b")
    game = other.adopt(tmp_path / "a" / f"{first.id}.yaml")
    assert game.month == 1
    game.advance(1)
    assert (tmp_path / "b" / f"{first.id}.yaml").exists()


def test_an_unknown_game_is_a_clear_error(tmp_path):
    lobby = Lobby(tmp_path)
    with pytest.raises(ScenarioError, match="no such saved game"):
        lobby.open("20260101-zzzz")
    with pytest.raises(ScenarioError, match="not a game id"):
        lobby.open("../../etc/passwd")


def test_a_game_resumed_from_a_file_elsewhere_is_joined_by_its_codes(tmp_path):
    first = Lobby(tmp_path / "a").create("scs_crisis", [Seat(name="Blue", countries=["USA"])])
    elsewhere = tmp_path / "copy.yaml"
    elsewhere.write_bytes((tmp_path / "a" / f"{first.id}.yaml").read_bytes())
    lobby = Lobby(tmp_path / "b")
    game = lobby.adopt(elsewhere)
    assert lobby.join(first.record.facilitator_code).game is game
    assert lobby.join(first.record.seats[0].code).seat == "Blue"
    assert (tmp_path / "b" / f"{first.id}.yaml").exists()


def test_a_saved_game_that_no_longer_replays_is_one_plain_problem(tmp_path):
    game = Lobby(tmp_path).create("scs_crisis")
    game.inject(Move.new("exercises", actor="USA", partners=["PHL"], per_year=6))
    path = tmp_path / f"{game.id}.yaml"
    path.write_text(path.read_text().replace("per_year: 6.0", "per_year: 60.0"))
    with pytest.raises(ScenarioError) as caught:
        Lobby(tmp_path).join(game.record.facilitator_code)
    message = str(caught.value)
    assert f"game {game.id}" in message
    assert "cannot be rebuilt: Exercises a year: expected a number from 0.5 to 52" in message
    assert "\n" not in message


def test_a_long_team_name_is_refused_plainly():
    with pytest.raises(SeatError, match="at most 40 characters"):
        parse_seats("A" * 41 + "=USA")
