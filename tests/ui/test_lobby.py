"""The lobby in-process (solara.render, no browser): starting, resuming and joining games."""

from __future__ import annotations

import html

import ipyvuetify as v
import pytest
import solara

from sim.game.play import Game
from sim.game.record import Seat
from sim.game.rooms import Lobby
from sim.ui import lobby, shared

pytestmark = pytest.mark.usefixtures("no_polling")

SEATS = [Seat(name="Blue", countries=["USA", "JPN", "PHL"]), Seat(name="Red", countries=["CHN"])]


@pytest.fixture
def game(tmp_path) -> Game:
    return Game.create("scs_crisis", tmp_path / "sessions", seats=SEATS)


def button(rc, label: str) -> v.Btn:
    return rc.find(v.Btn, children=[label]).widget


def field(rc, label: str):
    found = [w for w in rc.find(v.TextField).widgets if str(w.label).startswith(label)]
    assert found, f"no field {label!r}"
    return found[0]


def select(rc, label: str):
    found = [
        w
        for w in rc.find(v.Select).widgets + rc.find(v.Autocomplete).widgets
        if str(w.label) == label
    ]
    assert found, f"no select {label!r}"
    return found[0]


def html_of(rc, css_class: str) -> str:
    found = [
        w.unsafe_innerHTML or ""
        for w in rc.find(solara.widgets.HTML).widgets
        if css_class in (w.attributes or {}).get("class", "").split()
    ]
    return "\n".join(found)


def messages(rc) -> str:
    return html.unescape(html_of(rc, "geosim-message"))


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
