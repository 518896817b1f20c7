"""Small pieces of the console: messages that are never stale, downloads, rulings, the banner."""

from __future__ import annotations

import base64

import ipyvuetify as v
import pytest
import solara

from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.ui.widgets import DownloadLink, EndBanner, Message, ruling_words, use_message

pytestmark = pytest.mark.usefixtures("no_polling")


def test_a_message_is_forgotten_once_the_game_changes(tmp_path):
    game = Game.create("scs_crisis", tmp_path)
    said = {}

    @solara.component
    def Panel():  # noqa: N802 (a Solara component)
        shown, say = use_message(game)
        said["say"] = say
        kind, text = shown
        if text:
            Message(kind, text)

    _, rc = solara.render(Panel(), handle_error=False)
    said["say"]("success", "done")
    assert [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets] == ["done"]
    game.advance(1)  # another browser moves the game on
    said["say"]("error", "")  # any re-render
    assert rc.find(solara.widgets.HTML).widgets == []


def test_a_download_link_carries_its_file():
    _, rc = solara.render(DownloadLink("Get", "a.txt", "héllo", "text/plain"), handle_error=False)
    link = rc.find(solara.widgets.HTML).widget
    assert link.attributes["download"] == "a.txt"
    assert base64.b64decode(link.attributes["href"].split(",", 1)[1]).decode() == "héllo"


def test_rulings_read_as_words(tmp_path):
    game = Game.create("scs_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA"])])
    a = game.submit("Blue", Move.new("exercises", actor="USA", partners=["PHL"]))
    b = game.submit("Blue", Move.new("exercises", actor="USA", partners=["JPN"]))
    game.accept(a.id, Move.new("exercises", actor="USA", partners=["PHL"], per_year=2), "fewer")
    game.reject(b.id, "not now")
    assert ruling_words(game.record.actions[0]) == "amended: fewer"
    assert ruling_words(game.record.actions[1]) == "rejected: not now"


def test_the_end_banner_shows_only_at_the_end(tmp_path):
    game = Game.create("scs_crisis", tmp_path)
    _, rc = solara.render(EndBanner(game, game.revision), handle_error=False)
    assert rc.find(v.Btn).widgets == []
    game.advance(36)
    _, rc = solara.render(EndBanner(game, game.revision), handle_error=False)
    rc.find(v.Btn, children=["Prepare the after-action report"]).assert_single()
