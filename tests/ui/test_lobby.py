"""The lobby in-process (solara.render, no browser): starting, resuming and joining games."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
from rendered import button, field, messages, new_game, select

from sim.game.play import Game
from sim.game.rooms import Lobby
from sim.ui import lobby, shared
from sim.ui.facilitator import SIDE_TABS, FacilitatorView

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


def test_a_game_can_take_a_deck_of_its_own_and_a_bad_one_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path / "sessions"))
    deck = tmp_path / "mine.csv"
    deck.write_text(
        "id,title,month,rationale,source,kind,actor,other,level\n"
        "ram,A ramming,2,Ships collide.,judgement: a test card,incident,CHN,PHL,clash\n"
    )
    opened = []
    _, rc = solara.render(lobby.LobbyView(lambda g, code: opened.append(g)))
    field(rc, "Inject deck").v_model = str(tmp_path / "missing.yaml")
    button(rc, "Start the game").click()
    assert "missing.yaml" in messages(rc) and opened == []
    field(rc, "Inject deck").v_model = str(deck)
    button(rc, "Start the game").click()
    [game] = opened
    assert game.record.deck == str(deck)
    _, chair = solara.render(FacilitatorView(game), handle_error=False)
    chair.find(v.Tabs).widgets[1].v_model = SIDE_TABS.index("Deck")
    assert select(chair, "Card").items == ["Month 2: A ramming"]
