"""What the browsers of a server share: one lobby, one set of charts per game, addresses."""

from __future__ import annotations

import urllib.parse

from sim.game.rooms import Lobby
from sim.ui import shared


def test_each_game_has_one_set_of_charts_and_addresses_carry_the_token(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path))
    game = shared.lobby().create("scs_crisis")
    assert shared.charts_of(game) is shared.charts_of(game)
    query = urllib.parse.parse_qs(shared.game_url(game, "ABC123").lstrip("?"))
    assert query == {"game": [game.id], "code": ["ABC123"]}
    monkeypatch.setenv(shared.ENV_TOKEN, "s3cret")
    query = urllib.parse.parse_qs(shared.game_url(game, "ABC123").lstrip("?"))
    assert query["token"] == ["s3cret"]
