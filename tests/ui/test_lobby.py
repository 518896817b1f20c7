"""The lobby in-process (solara.render, no browser): starting, resuming and joining games."""

from __future__ import annotations

import logging

import ipyvuetify as v
import pytest
import solara
from rendered import button, field, messages, new_game, page_text, select

from sim.game import limits
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
    (tmp_path / "sessions").mkdir()
    deck = tmp_path / "sessions" / "mine.csv"  # a deck of one's own goes in the sessions folder
    deck.write_text(
        "id,title,month,rationale,source,kind,actor,other,level\n"
        "ram,A ramming,2,Ships collide.,judgement: a test card,incident,CHN,PHL,clash\n"
    )
    opened = []
    _, rc = solara.render(lobby.LobbyView(lambda g, code: opened.append(g)))
    field(rc, "Inject deck").v_model = str(tmp_path / "sessions" / "missing.yaml")
    button(rc, "Start the game").click()
    assert "missing.yaml" in messages(rc) and opened == []
    field(rc, "Inject deck").v_model = str(deck)
    button(rc, "Start the game").click()
    [game] = opened
    assert game.record.deck == str(deck)
    _, chair = solara.render(FacilitatorView(game), handle_error=False)
    chair.find(v.Tabs).widgets[1].v_model = SIDE_TABS.index("Deck")
    assert select(chair, "Card").items == ["Month 2: A ramming"]


def test_the_lobby_lists_the_readable_games_and_the_server_log_names_the_others(
    tmp_path, monkeypatch, caplog
):
    folder = tmp_path / "sessions"
    kept = new_game(tmp_path)
    (folder / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    (folder / "folder.yaml").mkdir()
    monkeypatch.setattr(shared, "_LOBBY", Lobby(folder))
    with caplog.at_level(logging.WARNING):
        _, rc = solara.render(lobby.LobbyView(lambda g, code: None), handle_error=False)
        solara.render(lobby.LobbyView(lambda g, code: None), handle_error=False)
    assert kept.id in page_text(rc)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2, warned  # once each, not at every look at the lobby
    assert any("dangling.yaml" in w and "broken symbolic link" in w for w in warned)
    assert any("folder.yaml" in w and "a folder" in w for w in warned)


def _start(rc, **fields: str) -> str:
    for label, text in fields.items():
        field(rc, label).v_model = text
    button(rc, "Start the game").click()
    return messages(rc)


def test_a_deck_outside_the_shipped_decks_and_the_sessions_folder_is_refused_unread(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path / "sessions"))
    (tmp_path / "sessions").mkdir()
    secret = tmp_path / "private" / "passwords.yaml"
    secret.parent.mkdir()
    secret.write_text("hunter2: the first key\n")
    opened = []
    _, rc = solara.render(lobby.LobbyView(lambda g, code: opened.append(g)), handle_error=False)
    for ref in (str(secret), f"{tmp_path}/sessions/../private/passwords.yaml", "/etc/hosts.csv"):
        said = _start(rc, **{"Inject deck": ref})
        assert said.startswith("Inject deck: only a shipped deck"), said
        assert "hunter2" not in said and "first key" not in said and "\n" not in said
    (tmp_path / "sessions" / "link.yaml").symlink_to(secret)  # a link out of the folder
    assert "hunter2" not in _start(rc, **{"Inject deck": str(tmp_path / "sessions" / "link.yaml")})
    assert opened == []
    _start(rc, **{"Inject deck": "scs_crisis"})  # a shipped deck, by its name
    [game] = opened
    assert game.record.deck == "scs_crisis"


def test_the_lobby_refuses_texts_longer_than_a_game_keeps(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path / "sessions"))
    _, rc = solara.render(lobby.LobbyView(lambda g, code: None), handle_error=False)
    cases = {
        "Title": ("t" * 1_000_000, "Title: at most 120 characters (this one has 1,000,000)"),
        "Seats": ("Blue=USA" + ";" * 5000, "Seats: at most 1,000 characters"),
        "Seed": ("1" * 5000, "Seed: at most 40 characters"),
        "Months per turn": ("1_2", "Months per turn: a whole number in plain decimal digits"),
        "Inject deck": ("d" * 5000, "Inject deck: at most 300 characters"),
    }
    for label, (text, message) in cases.items():
        said = _start(rc, **{label: text})
        assert said.startswith(message), said
        field(rc, label).v_model = ""
    assert list((tmp_path / "sessions").glob("*.yaml")) == []


def test_a_scenario_not_on_the_list_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path / "sessions"))
    scenario = tmp_path / "elsewhere.yaml"
    scenario.write_text("name: elsewhere\n")
    _, rc = solara.render(lobby.LobbyView(lambda g, code: None), handle_error=False)
    select(rc, "Scenario").v_model = str(scenario)  # what a crafted browser could send
    said = _start(rc)
    assert said.startswith("Scenario: choose one of the list"), said


def test_a_lobby_starts_at_most_so_many_games(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path / "sessions"))
    monkeypatch.setattr(limits, "MAX_GAMES", 2)
    opened = []
    _, rc = solara.render(lobby.LobbyView(lambda g, code: opened.append(g)), handle_error=False)
    _start(rc, Seats="")
    _start(rc, Seats="Blue=USA")
    said = _start(rc, Seats="Red=CHN")
    assert len(opened) == 2
    assert said.startswith("The sessions folder holds 2 games, the most a lobby starts"), said


def test_a_game_another_server_holds_is_named_when_resumed_or_joined(tmp_path, monkeypatch):
    game = new_game(tmp_path)
    holder = Lobby(game.folder, server="http://127.0.0.1:8001/")
    holder.open(game.id)
    monkeypatch.setattr(shared, "_LOBBY", Lobby(game.folder))
    opened = []
    _, rc = solara.render(lobby.LobbyView(lambda g, code: opened.append(g)), handle_error=False)
    button(rc, "Resume").click()
    field(rc, "Facilitator code").v_model = game.record.facilitator_code
    button(rc, "Open").click()
    assert "another geosim server" in messages(rc) and game.id in messages(rc)
    field(rc, "Join code").v_model = game.record.seats[0].code
    button(rc, "Join").click()
    assert messages(rc).count("another geosim server") == 2
    assert opened == []
    holder.close()
