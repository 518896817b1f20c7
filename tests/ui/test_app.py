"""The page and its server: addresses, the room token, and serving on 127.0.0.1.

The served app played in Chromium is tests/ui/test_console.py.
"""

from __future__ import annotations

import html
import socket

import ipyvuetify as v
import pytest
import solara

from sim.game.play import Game
from sim.game.record import Seat
from sim.ui import app

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


def test_serve_refuses_a_port_in_use_and_a_lan_room_without_a_token():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(RuntimeError, match="already in use"):
            app.serve("hub_and_spoke", "127.0.0.1", port)
    with pytest.raises(RuntimeError, match="join token"):
        app.serve("hub_and_spoke", "0.0.0.0", 8765)
