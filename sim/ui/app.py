"""The wargame console: a Solara app in which a facilitator and teams play one game together.

``geosim dashboard`` calls :func:`serve`, which runs ``solara run sim.ui.app`` bound to
127.0.0.1 by default. Every browser gets the page (:data:`page`); what it shows depends on the
address:

* ``/`` — the lobby: start a game (scenario, seats, months per turn, seed), pick a saved game
  to resume, or join one with a code;
* ``/?game=ID&code=CODE`` — a game: with the facilitator's code, the facilitator's console
  (advance turns, rule on team moves, injects and deck cards, undo, notes, "what if?" from the
  present, the after-action report and the export); with a seat's code, that team's console
  (the shared board and its own move panel). The address is the game: reloading it, or opening
  it after a server restart, resumes the game from its session file.

Every action goes through the shared :class:`~sim.game.play.Game`, which saves it; every
browser at the table redraws when the game's revision changes (a light poll, twice a second).
The board's charts are one :class:`~sim.ui.charts.BoardCharts` per game, shared by its
browsers (:mod:`sim.ui.shared`). This module lays out the page and serves it; the panels are
:mod:`sim.ui.lobby`, :mod:`sim.ui.facilitator` and :mod:`sim.ui.team`, built of
:mod:`sim.ui.widgets` and the move form :mod:`sim.ui.forms`; the text views :mod:`sim.ui.views`.

When the server listens beyond this machine (``--host``), a room token is required: the page
asks for it before anything else (``/?token=…`` also works), and Solara's own status endpoint
``/resourcez`` answers only with it (:func:`guard_resourcez`).

No traceback reaches a browser: what fails while the page is drawn, or in a click, is logged
on the server with its traceback and shown as one plain line (:data:`~sim.ui.widgets.UNEXPECTED`).
A game another server holds is named, with that server (:mod:`sim.game.holding`).
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import logging
import os
import secrets
import socket
import sys
import urllib.parse
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from sim.game.play import Game
from sim.game.record import ENV_SESSIONS
from sim.game.rooms import Role
from sim.scenario.problems import ScenarioError
from sim.ui.actions import OWN_CHANGES, ConnectionWatch, OwnChanges
from sim.ui.board import BoardView
from sim.ui.facilitator import FacilitatorView
from sim.ui.lobby import DEFAULT_SCENARIO, ENV_SCENARIO, ENV_SEATS, LobbyView
from sim.ui.shared import ENV_ADDRESS, ENV_TOKEN, game_url, lobby
from sim.ui.team import TeamView
from sim.ui.widgets import TROUBLE, UNEXPECTED, Message, use_guard

log = logging.getLogger(__name__)

#: Title in the app bar.
TITLE = "geosim · Indo-Pacific wargame"
CSS = """
.geosim-status { display: flex; flex-wrap: wrap; gap: 2px 22px; padding: 2px 8px; }
.geosim-status .item { display: flex; flex-direction: column; }
.geosim-status .label { font-size: 11px; opacity: 0.7; text-transform: uppercase; }
.geosim-status .value { font-size: 16px; font-weight: 600; }
.geosim-log { font-size: 12.5px; line-height: 1.35; overflow-y: auto; padding-right: 4px;
  max-height: max(200px, calc(100vh - 200px)); }
.geosim-log .month { font-weight: 700; margin: 6px 0 2px; border-bottom: 1px solid #ccc; }
.geosim-log .entry { margin: 1px 0 1px 6px; }
.geosim-log .inject { color: #0072B2; font-weight: 600; }
.geosim-log .escalation { color: #D55E00; }
.geosim-log .minor { opacity: 0.65; }
.geosim-table { border-collapse: collapse; font-size: 13px; }
.geosim-table th, .geosim-table td { padding: 2px 10px; text-align: right; }
.geosim-table th:first-child, .geosim-table td:first-child { text-align: left; }
.geosim-table tr { border-bottom: 1px solid #ddd; }
.geosim-table.left th, .geosim-table.left td { text-align: left; }
.geosim-hint { display: block; font-size: 12px; opacity: 0.75; }
.geosim-card .v-card-title { font-size: 16px; padding-bottom: 2px; }
.geosim-card .v-card-text, .geosim-card .v-card__text { padding-top: 0; }
.geosim-card .v-input__details:not(:has(.v-messages__message)) { display: none; }
.geosim-card .v-messages__message { font-size: 11.5px; line-height: 1.25; }
.geosim-card .v-input { margin-bottom: 4px; }
.geosim-download {
  display: inline-block; padding: 6px 14px; border-radius: 4px; font-size: 13px;
  font-weight: 500; letter-spacing: 0.03em; text-transform: uppercase; text-decoration: none;
  color: rgb(var(--v-theme-on-primary)); background: rgb(var(--v-theme-primary));
}
.geosim-message {
  font-size: 13px; padding: 6px 10px; margin-top: 6px; border-radius: 4px; border-left: 4px solid;
}
.geosim-message.success { border-color: #009E73; background: rgba(0, 158, 115, 0.1); }
.geosim-message.warning { border-color: #E69F00; background: rgba(230, 159, 0, 0.12); }
.geosim-message.error { border-color: #D55E00; background: rgba(213, 94, 0, 0.1); }
.geosim-banner { font-size: 15px; padding: 10px 14px; margin: 4px 0 8px; border-radius: 4px;
  background: #0072B2; color: white; display: flex; gap: 16px; align-items: center; }
.geosim-banner .geosim-download { background: white; color: #0072B2; }
.geosim-move { border: 1px solid rgba(128,128,128,0.3); border-radius: 4px; padding: 6px 8px;
  margin: 4px 0; font-size: 13px; }
.geosim-move .who { font-weight: 600; }
.geosim-codes { font-size: 13px; }
.geosim-codes code { font-size: 14px; font-weight: 700; letter-spacing: 0.08em; }
.geosim-briefing { font-size: 13px; line-height: 1.4; }
.geosim-briefing p { margin: 2px 0 6px; }
.geosim-briefing ul { margin: 0 0 6px 1.1em; padding: 0; }
.geosim-briefing dt { font-weight: 600; margin-top: 4px; }
.geosim-briefing dd { margin: 0 0 2px 0.8em; }
.geosim-briefing summary { cursor: pointer; font-weight: 600; }
.geosim-note { font-size: 13px; padding: 4px 8px; margin: 3px 0; border-left: 4px solid #0072B2;
  background: rgba(0, 114, 178, 0.08); }
.geosim-note .when { font-weight: 600; }
.geosim-timer { display: inline-block; font-size: 15px; font-weight: 700; padding: 2px 10px;
  margin: 2px 0 6px; border-radius: 4px; background: rgba(0, 114, 178, 0.12); }
.geosim-timer.soon { background: #E69F00; color: black; }
.geosim-timer.up { background: #D55E00; color: white; }
.geosim-charts { display: grid; gap: 4px; }
.geosim-charts img { width: 100%; height: auto; }
.v-tab { text-transform: none !important; letter-spacing: normal !important;
  min-width: 0 !important; padding: 0 10px !important; }
.geosim-board .geosim-status .label { font-size: 14px; }
.geosim-board .geosim-status .value { font-size: 26px; }
.geosim-board .geosim-log { font-size: 16px; max-height: calc(100vh - 170px); }
@media (max-width: 959px) {
  .geosim-layout > :nth-child(3) { order: -1; }
  .geosim-log { max-height: 50vh; }
}
@media (max-width: 600px) {  /* a phone: the game and the seat, not the tool's name */
  .v-app-bar-title, .v-toolbar-title { display: none; }
}
.geosim-headline { font-size: 16px; font-weight: 600; margin: 6px 0; }
.geosim-why { font-size: 13px; margin-top: 8px; }
.geosim-why ul { margin: 2px 0 0 1.1em; padding: 0; }
.geosim-offline-banner { position: fixed; top: 0; left: 0; right: 0; z-index: 10000;
  padding: 10px 16px; font-size: 15px; font-weight: 600; color: white; background: #B00020;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.3); }
.geosim-yaml { font-size: 12px; max-height: calc(100vh - 360px); overflow: auto; padding: 8px;
  border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 4px; }
"""


# --------------------------------------------------------------------------------------------
# The page


def _query(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in urllib.parse.parse_qs(search or "").items()}


@solara.component
def TokenGate(on_token: Callable[[str], None], wrong: bool = False) -> None:
    """Ask for the room token (a server listening beyond this machine)."""
    token = solara.use_reactive("")
    guard = use_guard()
    with solara.Card("Room token", margin=0, classes=["geosim-card"]):
        solara.Text("This room needs its token: ask the facilitator.", classes=["geosim-hint"])
        if wrong and not token.value:
            solara.HTML(
                unsafe_innerHTML="Room token: that is not this room's token.",
                classes=["geosim-message", "error"],
            )
        solara.InputText("Room token", token, continuous_update=True)
        solara.Button(
            "Enter", on_click=guard(lambda: on_token(token.value.strip())), color="primary"
        )


@solara.component
def Page() -> None:
    """The page ``solara run sim.ui.app`` serves: the lobby, or a game by its address.

    What fails while the page is drawn is caught here: logged on the server with its
    traceback, and shown as one plain line. (Reacton catches a child's failure only: the page
    draws one child, :func:`Room`, or :func:`Failed`.)
    """
    trouble = solara.use_reactive("")
    TROUBLE.provide(trouble)
    OWN_CHANGES.provide(solara.use_memo(OwnChanges, []))  # this page's own changes
    failed, clear = solara.use_exception()
    solara.use_effect(lambda: _log_failure(failed), [failed])
    if failed is not None:
        Failed(clear)
        return
    Room(trouble.value)


def _log_failure(failed: BaseException | None) -> None:
    if failed is not None:
        log.error("the console failed while drawing a page", exc_info=failed)


@solara.component
def Chrome() -> None:
    """The page's style, titles and connection watch (a banner when the server goes quiet)."""
    solara.Style(CSS)
    solara.Title(TITLE)
    solara.AppBarTitle(TITLE)
    ConnectionWatch()


@solara.component
def Failed(on_retry: Callable[[], None]) -> None:
    """What a browser sees of a page that failed: one plain line (the log has the rest)."""
    Chrome()
    Message("error", UNEXPECTED)
    solara.Button("Try again", on_click=on_retry, outlined=True)


@solara.component
def Room(trouble: str = "") -> None:
    """What the address asks for: the token, the lobby, or a game (and an unforeseen error)."""
    Chrome()
    if trouble:
        Message("error", trouble)
    router = solara.use_router()
    query = _query(router.search)
    needed = os.environ.get(ENV_TOKEN)
    given = query.get("token", "").encode("utf-8")
    if needed and not secrets.compare_digest(given, needed.encode("utf-8")):

        def enter(token: str) -> None:
            router.push("?" + urllib.parse.urlencode({**query, "token": token}))

        TokenGate(enter, wrong=bool(query.get("token")))
        return

    def open_game(game: Game, code: str) -> None:
        router.push(game_url(game, code))

    game_id, code = query.get("game", ""), query.get("code", "")
    if not game_id:
        LobbyView(open_game)
        return
    role: Role | None = None
    try:
        role = lobby().join(code) if code else None
    except ScenarioError as exc:  # the game is held elsewhere, or does not replay
        LobbyView(open_game, notice=exc.problems[0].message)
        return
    if role is None or role.game.id != game_id:
        LobbyView(open_game, notice="That address does not open a game: check the join code.")
        return
    with solara.AppBar():
        who = "Board" if role.board else "Facilitator" if role.facilitator else f"{role.seat} team"
        solara.Text(f"{role.game.record.title} · {who}", style="margin: 0 16px")
    if role.board:
        BoardView(role.game).key(f"b-{role.game.id}")
    elif role.facilitator:
        FacilitatorView(role.game).key(f"f-{role.game.id}")
    else:
        TeamView(role.game, role.seat or "").key(f"t-{role.game.id}-{role.seat}")


#: The page served by ``solara run sim.ui.app``.
page = Page


# --------------------------------------------------------------------------------------------
# Serving


class _TokenGate:
    """An ASGI app that lets a request through to ``inner`` only with the room token.

    The token is given as ``?token=…`` (as on the page) or ``Authorization: Bearer …``.
    """

    def __init__(self, inner: Any, token: str) -> None:
        self.inner = inner
        self.token = token

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.requests import Request
        from starlette.responses import PlainTextResponse

        request = Request(scope)
        given = request.query_params.get("token", "")
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and bearer:
            given = bearer
        if secrets.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
            await self.inner(scope, receive, send)
            return
        refused = PlainTextResponse("This room needs its token (?token=…).", status_code=403)
        await refused(scope, receive, send)


def guard_resourcez(server: Any, token: str) -> bool:
    """Put Solara's status endpoint ``/resourcez`` behind the room token.

    ``solara run`` serves the Starlette app of :mod:`solara.server.starlette` in this process,
    so its ``/resourcez`` route can be wrapped before the server starts: the route's ASGI app
    becomes a :class:`_TokenGate` around it (once, whatever the number of calls). Solara's
    other routes serve the page, its assets and its websocket, which the page itself guards.

    Args:
        server: The Starlette app.
        token: The room token.

    Returns:
        Whether a ``/resourcez`` route was found (and is now guarded).
    """
    found = False
    for route in server.router.routes:
        if getattr(route, "path", None) == "/resourcez" and hasattr(route, "app"):
            inner = route.app.inner if isinstance(route.app, _TokenGate) else route.app
            route.app = _TokenGate(inner, token)
            found = True
    return found


def _log_to_stderr() -> None:
    """Send the warnings and errors of geosim to the server's log (stderr), one line each."""
    logger = logging.getLogger("sim")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("geosim %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def is_loopback(host: str) -> bool:
    """Whether a host address is this machine only."""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def solara_arguments(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """Arguments of ``solara run`` that serve the console (production, no browser opened)."""
    return [
        "sim.ui.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def serve(
    scenario: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    sessions: Path | None = None,
    token: str | None = None,
    announce: list[tuple[str, str]] | None = None,
    seats: str = "",
) -> None:
    """Serve the console until interrupted (Ctrl-C).

    Runs ``solara run sim.ui.app`` (production mode) in this process. The page works offline:
    its front-end assets come from ``solara-assets``, and Solara's telemetry is off.

    Args:
        scenario: Scenario the lobby offers first (a shipped name or a file path).
        host: Address to listen on (127.0.0.1 unless told otherwise).
        port: Port to listen on.
        sessions: The sessions folder (default ``results/sessions``).
        token: The room token browsers must give; required when ``host`` is not loopback.
        announce: ``(label, path-and-query)`` lines to print with the address (games opened).
        seats: Seats the lobby offers for a new game.

    Raises:
        RuntimeError: When the port is in use, or a LAN room has no token.
    """
    if not is_loopback(host) and not token:
        raise RuntimeError(
            f"a room on {host} is reachable from other machines: give it a join token "
            "(--token WORD, or --token auto for a random one)"
        )
    if not _port_free(host, port):
        raise RuntimeError(f"{host}:{port} is already in use; choose another port (--port)")
    os.environ[ENV_SCENARIO] = scenario or DEFAULT_SCENARIO
    if sessions is not None:
        os.environ[ENV_SESSIONS] = str(Path(sessions).resolve())
    if token:
        os.environ[ENV_TOKEN] = token
    if seats:
        os.environ[ENV_SEATS] = seats

    from solara.__main__ import run
    from solara.server import settings

    _log_to_stderr()
    if token:
        # Solara's server module registers the app named by SOLARA_APP when first imported
        # (``solara run`` sets it, then uvicorn imports the module): set it as ``run`` does,
        # import the module now, and guard its route before the server starts.
        os.environ["SOLARA_APP"] = solara_arguments(host, port)[0]
        settings.main.mode = "production"
        from solara.server import starlette as solara_server

        if not guard_resourcez(solara_server.app, token):
            log.warning("Solara has no /resourcez route here: nothing to put behind the token")

    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False
    settings.theme.force_refresh = True  # a page whose server restarted reloads: the game resumes
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    base = f"http://{host}:{port}/"
    os.environ[ENV_ADDRESS] = base
    print(f"geosim dashboard: {base}  (Ctrl-C stops it)", flush=True)
    for label, address in announce or []:
        print(f"  {label}: {base}{address}", flush=True)
    if token:
        print(f"  room token: {token}", flush=True)
    run.main(solara_arguments(host, port), prog_name="geosim dashboard", standalone_mode=False)
