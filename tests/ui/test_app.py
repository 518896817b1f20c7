"""The page and its server: addresses, the room token, errors in plain words, serving on 127.0.0.1.

The served app played in Chromium is tests/ui/test_console.py (and tests/ui/test_two_servers.py).
"""

# ruff: noqa: N802  (Solara components are named like classes)

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
import solara
from rendered import button, messages, new_game, page_text
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sim.game.play import Game
from sim.game.rooms import Lobby
from sim.ui import app, shared

pytestmark = pytest.mark.usefixtures("no_polling")


def test_serve_refuses_a_port_in_use_and_a_lan_room_without_a_token():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(RuntimeError, match="already in use"):
            app.serve("hub_and_spoke", "127.0.0.1", port)
    with pytest.raises(RuntimeError, match="join token"):
        app.serve("hub_and_spoke", "0.0.0.0", 8765)


@solara.component
def At(search: str):
    """The page at an address (``?search``)."""
    solara.routing.router_context.provide(solara.routing.Router(f"/?{search}", [], lambda _: None))
    app.Page()


def _game_address(game: Game) -> str:
    return f"game={game.id}&code={game.record.facilitator_code}"


# -------------------------------------------------------------------------------------------
# No traceback reaches a browser


def test_a_page_that_fails_shows_one_plain_line_and_the_server_log_the_traceback(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path))

    @solara.component
    def Broken(*args, **kwargs):
        raise RuntimeError("/srv/geosim/secret.py went wrong")

    monkeypatch.setattr(app, "LobbyView", Broken)
    with caplog.at_level(logging.ERROR):
        _, rc = solara.render(At(""))
    shown = page_text(rc)
    assert "Something went wrong on the server" in shown
    assert "Traceback" not in shown and "/srv/geosim" not in shown
    assert "/srv/geosim/secret.py went wrong" in caplog.text and "Traceback" in caplog.text


def test_a_click_that_fails_says_so_in_one_plain_line_and_the_server_logs_it(
    tmp_path, monkeypatch, caplog
):
    game = new_game(tmp_path)
    monkeypatch.setattr(shared, "_LOBBY", Lobby(game.folder))
    shared.lobby().open(game.id)

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/geosim/secret.py went wrong")

    _, rc = solara.render(At(_game_address(game)))
    monkeypatch.setattr(Game, "advance", broken)
    with caplog.at_level(logging.ERROR):
        button(rc, "Advance 1 month").click()
    shown = page_text(rc)
    assert "Something went wrong on the server" in messages(rc)
    assert "Traceback" not in shown and "/srv/geosim" not in shown
    assert "Traceback" in caplog.text and "/srv/geosim/secret.py went wrong" in caplog.text


def test_a_game_another_server_holds_is_named_not_opened(tmp_path, monkeypatch):
    game = new_game(tmp_path)
    holder = Lobby(game.folder, server="http://127.0.0.1:8001/")
    holder.open(game.id)
    monkeypatch.setattr(shared, "_LOBBY", Lobby(game.folder, server="http://127.0.0.1:8002/"))
    _, rc = solara.render(At(_game_address(game)))
    shown = messages(rc)
    assert f"game {game.id}" in shown and "another geosim server" in shown
    assert "http://127.0.0.1:8001/" in shown
    holder.close()


# -------------------------------------------------------------------------------------------
# /resourcez, Solara's own status endpoint, behind the room token


async def _get(asgi, path: str, query: str = "", headers=()) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "scheme": "http",
        "server": ("127.0.0.1", 8765),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "http_version": "1.1",
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await asgi(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def test_resourcez_answers_only_with_the_room_token():
    served = Starlette(
        routes=[Route("/resourcez", lambda request: PlainTextResponse("kernels: 3"))]
    )
    app.guard_resourcez(served, "s3cret")
    app.guard_resourcez(served, "s3cret")  # twice (a second serve in one process) is one gate
    assert asyncio.run(_get(served, "/resourcez"))[0] == 403
    assert asyncio.run(_get(served, "/resourcez", "token=wrong"))[0] == 403
    assert b"kernels" not in asyncio.run(_get(served, "/resourcez"))[1]
    assert asyncio.run(_get(served, "/resourcez", "token=s3cret")) == (200, b"kernels: 3")
    bearer = [("authorization", "Bearer s3cret")]
    assert asyncio.run(_get(served, "/resourcez", headers=bearer)) == (200, b"kernels: 3")
