"""What the console's browsers share: the server's games, their charts and their addresses.

One :class:`~sim.game.rooms.Lobby` per server process (its sessions folder from
:data:`~sim.game.record.ENV_SESSIONS`), one :class:`~sim.ui.charts.BoardCharts` per game, so
that every browser at a table reads the same game and the same rendered charts.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from pathlib import Path

from sim.game.play import Game
from sim.game.record import DEFAULT_SESSIONS, ENV_SESSIONS
from sim.game.rooms import Lobby
from sim.ui.charts import BoardCharts

#: Environment variable carrying the room token from :func:`sim.ui.app.serve` to the app.
ENV_TOKEN = "GEOSIM_ROOM_TOKEN"
#: Environment variable carrying the server's own address (``http://host:port/``).
ENV_ADDRESS = "GEOSIM_CONSOLE_ADDRESS"


_LOBBY: Lobby | None = None
_CHARTS: dict[tuple[str, float], BoardCharts] = {}
_SHARED = threading.Lock()


def lobby() -> Lobby:
    """The server's games (the sessions folder from :data:`ENV_SESSIONS`).

    The server's address (:data:`ENV_ADDRESS`) goes with the lock of each game it holds, so
    that another server refused the game can say which one holds it.
    """
    global _LOBBY
    with _SHARED:
        if _LOBBY is None:
            folder = Path(os.environ.get(ENV_SESSIONS) or DEFAULT_SESSIONS)
            _LOBBY = Lobby(folder, server=os.environ.get(ENV_ADDRESS, ""))
        return _LOBBY


def charts_of(game: Game, scale: float = 1.0) -> BoardCharts:
    """The shared charts of a game at a scale (:data:`~sim.ui.charts.SCALES`).

    Every scale of a game shares one set of line styles, so a dyad has one colour everywhere.
    """
    with _SHARED:
        known = _CHARTS.get((game.id, scale))
        if known is None or known.game is not game:
            others = [c for (gid, _), c in _CHARTS.items() if gid == game.id and c.game is game]
            styles = others[0].dyad_styles if others else None
            _CHARTS[game.id, scale] = BoardCharts(game, scale, styles)
        return _CHARTS[game.id, scale]


def game_url(game: Game, code: str, *, full: bool = False) -> str:
    """The address of a game for the holder of ``code``.

    Its query (``?game=…&code=…``), or with ``full`` the whole address when the server's own
    is known (:data:`ENV_ADDRESS`).
    """
    query = {"game": game.id, "code": code}
    token = os.environ.get(ENV_TOKEN)
    if token:
        query["token"] = token
    base = os.environ.get(ENV_ADDRESS, "") if full else ""
    return base + "?" + urllib.parse.urlencode(query)
