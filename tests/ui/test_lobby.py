"""The lobby in-process (solara.render, no browser): starting, resuming and joining games."""

from __future__ import annotations

import pytest
import solara
from rendered import button, field, messages, new_game

from sim.game.play import Game
from sim.game.rooms import Lobby
from sim.ui import lobby, shared

pytestmark = pytest.mark.usefixtures("no_polling")


@pytest.fixture
def game(tmp_path) -> Game:
    return new_game(tmp_path)


def test_the_lobby_starts_a_game_with_seats_and_refuses_bad_seats(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path / "sessions"))
    opened = []
    _, rc = solara.render(lobby.LobbyView(lambda g, code: opened.append((g, code))))
    field(rc, "Seats").v_model = "Blue=USA,JPN;Red=CHN,JPN"
    button(rc, "Start the game").click()
    assert messages(rc) == "Seats: Japan is held by both Blue and Red"
    field(rc, "Seats").v_model = "Blue=USA,XXX"
    button(rc, "Start the game").click()
    assert messages(rc).startswith("Seats: 'XXX' is not a country of the game")
    field(rc, "Seats").v_model = "Blue=USA,JPN;Red=CHN"
    field(rc, "Months per turn").v_model = "3"
    button(rc, "Start the game").click()
    [(game, code)] = opened
    assert code == game.record.facilitator_code and game.record.turn_months == 3
    assert [s.name for s in game.record.seats] == ["Blue", "Red"]
