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
browsers. The move form is :mod:`sim.ui.forms`, the status line and turn log
:mod:`sim.ui.views`.

When the server listens beyond this machine (``--host``), a room token is required: the page
asks for it before anything else (``/?token=…`` also works).
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import base64
import html
import os
import secrets
import socket
import threading
import urllib.parse
import warnings
from collections.abc import Callable
from pathlib import Path

import solara

from sim.game.branch import Branch, branch_from_present
from sim.game.decks import Card, Deck, deck_for, load_deck
from sim.game.play import Game
from sim.game.record import DEFAULT_SESSIONS, ENV_SESSIONS, Action
from sim.game.report import session_report_html
from sim.game.rooms import Lobby, Role, SeatError, parse_seats
from sim.scenario.loader import shipped_scenarios
from sim.scenario.moves import MOVES, NAMES, Move, MoveError, move_entry
from sim.scenario.problems import ScenarioError
from sim.ui.charts import BoardCharts, branch_figure, png
from sim.ui.forms import MoveForm, problem, starting_move
from sim.ui.views import session_csv, status_items, turn_log_html

#: Environment variables carrying the server's settings from :func:`serve` to the app.
ENV_SCENARIO = "GEOSIM_DASHBOARD_SCENARIO"
ENV_TOKEN = "GEOSIM_ROOM_TOKEN"
ENV_SEATS = "GEOSIM_DASHBOARD_SEATS"
#: Title in the app bar.
TITLE = "geosim · Indo-Pacific wargame"
#: Scenario offered first.
DEFAULT_SCENARIO = "hub_and_spoke"
#: Seats offered for a new game of each shipped crisis scenario (else :data:`GENERIC_SEATS`).
GENERIC_SEATS = "Blue=USA,JPN,AUS,PHL;Red=CHN"
SCENARIO_SEATS = {
    "taiwan_strait_crisis": "Blue=USA,JPN,AUS,TWN;Red=CHN",
    "scs_crisis": "Blue=USA,PHL,JPN,AUS;Red=CHN;Green=VNM,MYS,IDN",
}
#: How often a browser looks for changes made elsewhere, seconds.
POLL_SECONDS = 0.5

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
.geosim-hint { font-size: 12px; opacity: 0.75; }
.geosim-card .v-card-title { font-size: 16px; padding-bottom: 2px; }
.geosim-card .v-card-text, .geosim-card .v-card__text { padding-top: 0; }
.geosim-card .v-input__details { display: none; }
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
.geosim-yaml { font-size: 12px; max-height: calc(100vh - 360px); overflow: auto; padding: 8px;
  border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 4px; }
"""


# --------------------------------------------------------------------------------------------
# The server's games


_LOBBY: Lobby | None = None
_CHARTS: dict[str, BoardCharts] = {}
_SHARED = threading.Lock()


def lobby() -> Lobby:
    """The server's games (the sessions folder from :data:`ENV_SESSIONS`)."""
    global _LOBBY
    with _SHARED:
        if _LOBBY is None:
            _LOBBY = Lobby(Path(os.environ.get(ENV_SESSIONS) or DEFAULT_SESSIONS))
        return _LOBBY


def charts_of(game: Game) -> BoardCharts:
    """The shared charts of a game."""
    with _SHARED:
        if game.id not in _CHARTS or _CHARTS[game.id].game is not game:
            _CHARTS[game.id] = BoardCharts(game)
        return _CHARTS[game.id]


def game_url(game: Game, code: str) -> str:
    """The address of a game for the holder of ``code``."""
    query = {"game": game.id, "code": code}
    token = os.environ.get(ENV_TOKEN)
    if token:
        query["token"] = token
    return "?" + urllib.parse.urlencode(query)


# --------------------------------------------------------------------------------------------
# Small components


def use_message(game: Game) -> tuple[tuple[str, str], Callable[[str, str], None]]:
    """A panel's message, forgotten as soon as the game changes again (never stale).

    Returns:
        ``(kind, text)`` to show now, and a setter ``say(kind, text)``.
    """
    state = solara.use_reactive((-1, "", ""))

    def say(kind: str, text: str) -> None:
        state.set((game.revision, kind, text))

    revision, kind, text = state.value
    return ((kind, text) if revision == game.revision else ("", "")), say


@solara.component
def Message(kind: str, text: str) -> None:
    """A coloured one-line message (``kind``: success, warning or error)."""
    solara.HTML(unsafe_innerHTML=html.escape(text), classes=["geosim-message", kind])


@solara.component
def DownloadLink(label: str, filename: str, data: str | bytes, mime_type: str) -> None:
    """A download button: a link carrying its file as a ``data:`` URL."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    href = f"data:{mime_type};base64,{base64.b64encode(raw).decode('ascii')}"
    solara.HTML(
        tag="a",
        unsafe_innerHTML=html.escape(label),
        attributes={"href": href, "download": filename, "title": f"Download {filename}"},
        classes=["geosim-download"],
    )


def use_revision(game: Game) -> int:
    """The game's revision, re-rendering the component when another browser changes it."""
    revision, set_revision = solara.use_state(game.revision)

    def poll(cancel: threading.Event) -> None:
        seen = game.revision
        while not cancel.wait(POLL_SECONDS):
            if game.revision != seen:
                seen = game.revision
                set_revision(seen)

    solara.use_thread(poll, dependencies=[game.id])
    return max(revision, game.revision)


@solara.component
def StatusBar(game: Game, revision: int) -> None:
    """Key numbers of the current month."""
    cells = "".join(
        f'<div class="item"><span class="label">{html.escape(label)}</span>'
        f'<span class="value">{html.escape(value)}</span></div>'
        for label, value in status_items(game)
    )
    solara.HTML(unsafe_innerHTML=cells, classes=["geosim-status"])


@solara.component
def Board(game: Game, revision: int) -> None:
    """The four live charts, two by two."""
    images = charts_of(game).pngs()
    with solara.Columns([1, 1], gutters_dense=True):
        solara.Image(images[0], width="100%")
        solara.Image(images[1], width="100%")
    with solara.Columns([1, 1], gutters_dense=True):
        solara.Image(images[2], width="100%")
        solara.Image(images[3], width="100%")


@solara.component
def TurnLog(game: Game, revision: int) -> None:
    """The turn log (newest month first), scrolling."""
    text = solara.use_memo(lambda: turn_log_html(game), [game.id, revision])
    with solara.Card("Turn log", margin=0, classes=["geosim-card"]):
        solara.HTML(unsafe_innerHTML=text, classes=["geosim-log"])


@solara.component
def ReportLink(game: Game, revision: int, label: str = "After-action report") -> None:
    """The after-action report: prepared on request, then downloaded."""
    report = solara.use_reactive(None)  # (revision, html) of the last report made
    error = solara.use_reactive("")

    def make() -> None:
        try:
            report.set((revision, session_report_html(game)))
            error.set("")
        except Exception as exc:  # a failed report must not end the game: say so
            error.set(f"Could not make the report: {exc}")

    name = f"{game.export_name()}_report.html"
    if report.value is not None and report.value[0] == revision:
        DownloadLink(f"{label} (month {game.month})", name, report.value[1], "text/html")
    else:
        solara.Button(f"Prepare the {label.lower()}", on_click=make, outlined=True)
    if error.value:
        Message("error", error.value)


@solara.component
def EndBanner(game: Game, revision: int) -> None:
    """Shown once the game has reached its last month."""
    if not game.finished:
        return
    with solara.Div(classes=["geosim-banner"]):
        solara.HTML(
            unsafe_innerHTML=html.escape(
                f"The game has ended: month {game.month} of {game.horizon}."
            )
        )
        ReportLink(game, revision)


# --------------------------------------------------------------------------------------------
# The facilitator's panels


@solara.component
def TurnControls(game: Game, revision: int, on_change: Callable[[], None]) -> None:
    """Advance a turn, undo the last action, add a note."""
    shown, say = use_message(game)
    note = solara.use_reactive("")
    months = game.record.turn_months

    def advance() -> None:
        played = game.advance()
        pending = len(game.pending())
        waiting = f"; {pending} team move(s) still await a ruling" if pending else ""
        say("success", f"Played {played} month(s): now month {game.month}{waiting}.")
        on_change()

    def undo() -> None:
        undone = game.undo()
        if undone is None:
            say("warning", "Nothing to undo: no inject, card or move is on the board.")
        else:
            back = " (back to awaiting a ruling)" if undone.origin == "team" else ""
            say("success", f"Undone: {undone.summary}{back}.")
        on_change()

    def add_note() -> None:
        if note.value.strip():
            game.add_note(note.value)
            note.set("")
            say("success", f"Note kept for month {game.month}.")
            on_change()

    with solara.Card(
        f"Turn · month {game.month} of {game.horizon}", margin=0, classes=["geosim-card"]
    ):
        with solara.Row(gap="8px", style="align-items: center; flex-wrap: wrap"):
            solara.Button(
                f"Advance {months} month{'s' if months > 1 else ''}",
                on_click=advance,
                color="primary",
                disabled=game.finished,
            )
            solara.Button("Undo last", on_click=undo, outlined=True)
        with solara.Row(gap="8px", style="align-items: center"):
            solara.InputText("Note for the report", note, continuous_update=True)
            solara.Button("Add note", on_click=add_note, text=True, disabled=not note.value.strip())
        kind, text = shown
        if text:
            Message(kind, text)


@solara.component
def PendingMove(
    game: Game, action: Action, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """One team move awaiting a ruling: accept, amend, reject, or ask "what if?"."""
    ruling = solara.use_reactive("")
    amending = solara.use_reactive(False)
    amended = solara.use_reactive(Move.from_data(action.move))
    error = solara.use_reactive("")
    board = game.board()

    def accept(move: Move | None = None) -> None:
        try:
            game.accept(action.id, move, ruling.value)
        except MoveError as exc:
            error.set(str(exc))
            return
        on_change()

    def reject() -> None:
        game.reject(action.id, ruling.value)
        on_change()

    def what_if() -> None:
        try:
            on_branch(branch_from_present(game, Move.from_data(action.move)))
        except (MoveError, ValueError) as exc:
            error.set(str(exc))

    with solara.Div(classes=["geosim-move"]):
        why = f" — “{action.rationale}”" if action.rationale else ""
        solara.HTML(
            unsafe_innerHTML=f'<span class="who">{html.escape(action.seat)} team</span>: '
            f"{html.escape(action.summary)}{html.escape(why)}"
        )
        solara.InputText("Ruling (optional)", ruling, continuous_update=True)
        if amending.value:
            actors = game.record.seat(action.seat).countries
            MoveForm(amended, board, actors=actors)
            wrong = problem(amended.value, board)
            if wrong:
                Message("error", wrong)
        with solara.Row(gap="6px", style="flex-wrap: wrap"):
            if amending.value:
                solara.Button(
                    "Accept as amended",
                    on_click=lambda: accept(amended.value),
                    color="primary",
                    disabled=bool(problem(amended.value, board)),
                )
            else:
                solara.Button("Accept", on_click=lambda: accept(None), color="primary")
                solara.Button("Amend", on_click=lambda: amending.set(True), outlined=True)
            solara.Button("Reject", on_click=reject, outlined=True, color="error")
            solara.Button("What if?", on_click=what_if, text=True)
        if error.value:
            Message("error", error.value)


@solara.component
def TeamMoves(
    game: Game, revision: int, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """The team moves awaiting a ruling, and the last rulings."""
    pending = game.pending()
    if not pending:
        solara.Text("No team move awaits a ruling.", classes=["geosim-hint"])
    for action in pending:
        PendingMove(game, action, on_change, on_branch).key(f"move-{action.id}")
    ruled = [a for a in game.record.actions if a.origin == "team" and a.status != "pending"]
    if ruled:
        rows = "".join(
            f"<tr><td>{a.month}</td><td>{html.escape(a.seat)}</td>"
            f"<td>{html.escape(a.summary)}</td><td>{_ruling(a)}</td></tr>"
            for a in ruled[-6:][::-1]
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML="<tr><th>Month</th><th>Team</th><th>Move</th><th>Ruling</th></tr>"
            + rows,
            classes=["geosim-table", "left"],
        )


def _ruling(action: Action) -> str:
    word = {"accepted": "amended" if action.original else "accepted"}.get(
        action.status, action.status
    )
    return html.escape(word + (f": {action.ruling}" if action.ruling else ""))


@solara.component
def InjectPanel(
    game: Game, revision: int, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """A facilitator's inject: any move of the menu, now; or its "what if?"."""
    board = game.board()
    move = solara.use_reactive(starting_move("incident", board))
    rationale = solara.use_reactive("")
    futures = solara.use_reactive(40)
    shown, say = use_message(game)
    wrong = problem(move.value, board)

    def inject() -> None:
        try:
            action = game.inject(move.value, rationale=rationale.value)
        except MoveError as exc:
            say("error", str(exc))
            return
        say("success", f"Injected: {action.summary}. It acts in month {game.month + 1}.")
        rationale.set("")
        on_change()

    def what_if() -> None:
        try:
            on_branch(branch_from_present(game, move.value, futures.value))
        except (MoveError, ValueError) as exc:
            say("error", str(exc))

    MoveForm(move, board)
    solara.InputText("Rationale (why, in a line)", rationale, continuous_update=True)
    if wrong:
        Message("error", wrong)
    with solara.Row(gap="8px", style="align-items: center"):
        disabled = bool(wrong) or game.finished
        solara.Button("Inject now", on_click=inject, color="primary", disabled=disabled)
        solara.Button("What if?", on_click=what_if, outlined=True, disabled=disabled)
    solara.SliderInt(f"Futures per branch ({futures.value})", futures, min=10, max=200, step=10)
    kind, text = shown
    if text and not (kind == "error" and wrong):
        Message(kind, text)


def _deck(game: Game) -> Deck | None:
    try:
        if game.record.deck:
            return load_deck(game.record.deck)
        return deck_for(game.base.name) or deck_for(game.record.scenario)
    except ScenarioError:
        return None


@solara.component
def DeckPanel(
    game: Game, revision: int, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """The inject deck: pick a card, read its rationale, fire it in one click."""
    deck = solara.use_memo(lambda: _deck(game), [game.id])
    chosen = solara.use_reactive(0)
    shown, say = use_message(game)
    if deck is None or not deck.cards:
        solara.Text("No inject deck for this scenario.", classes=["geosim-hint"])
        return
    fired = {a.card for a in game.accepted() if a.card}
    titles = [
        ("✓ " if card.id in fired else "")
        + (f"Month {card.month}: " if card.month is not None else "")
        + card.title
        for card in deck.cards
    ]
    card: Card = deck.cards[min(chosen.value, len(deck.cards) - 1)]
    board = game.board()
    try:
        summary, wrong = move_entry(card.move, board).summary, ""
    except MoveError as exc:
        summary, wrong = "", str(exc)

    def fire() -> None:
        try:
            action = game.inject(card.move, rationale=card.rationale, card=card.id)
        except MoveError as exc:
            say("error", str(exc))
            return
        say("success", f"Card played: {action.summary}.")
        on_change()

    def what_if() -> None:
        try:
            on_branch(branch_from_present(game, card.move))
        except (MoveError, ValueError) as exc:
            say("error", str(exc))

    solara.Select(
        "Card",
        titles,
        titles[chosen.value],
        on_value=lambda title: (chosen.set(titles.index(title)), say("", "")),
    )
    solara.HTML(
        unsafe_innerHTML=f"<b>{html.escape(summary or card.title)}</b><br>"
        f"{html.escape(card.rationale)}",
        classes=["geosim-hint"],
    )
    if wrong:
        Message("warning", f"Cannot be played now: {wrong}")
    with solara.Row(gap="8px"):
        solara.Button(
            "Play card", on_click=fire, color="primary", disabled=bool(wrong) or game.finished
        )
        solara.Button("What if?", on_click=what_if, outlined=True, disabled=bool(wrong))
    kind, text = shown
    if text:
        Message(kind, text)


@solara.component
def BranchView(branch: Branch | None) -> None:
    """What if: the distribution of futures without and with the move, and the change."""
    image = solara.use_memo(
        lambda: None if branch is None else png(branch_figure(branch)), [id(branch)]
    )
    if branch is None:
        solara.Text(
            "Choose a move (an inject, a card or a team's move) and press “What if?” to compare "
            "the futures from this month with and without it.",
            classes=["geosim-hint"],
        )
        return
    solara.HTML(
        tag="h3",
        unsafe_innerHTML=html.escape(f"What if, from month {branch.month}: {branch.summary}"),
    )
    solara.Text(
        f"{branch.replicates} futures from the board as it stands at month {branch.month} (the "
        f"same past), to month {branch.horizon}, without and with the move, on the same random "
        "draws. Future 1 “without” is this game's own future if nothing more is done.",
        classes=["geosim-hint"],
    )
    solara.Image(image, width="100%")
    header = (
        "<tr><th>Outcome at the end</th><th>Without</th><th>With</th>"
        "<th>Change (95% interval)</th></tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(r.label)}</td><td>{r.without:.3f}</td><td>{r.with_move:.3f}</td>"
        f"<td>{r.change:+.3f} ({r.low:+.3f} to {r.high:+.3f})</td></tr>"
        for r in branch.rows()
    )
    solara.HTML(tag="table", unsafe_innerHTML=header + body, classes=["geosim-table"])


@solara.component
def RoomPanel(game: Game) -> None:
    """Who sits where, with the join codes and addresses."""
    rows = [
        f"<tr><td>Facilitator</td><td>—</td><td><code>{game.record.facilitator_code}</code></td>"
        f"<td>{html.escape(game_url(game, game.record.facilitator_code))}</td></tr>"
    ]
    for seat in game.record.seats:
        states = ", ".join(NAMES.get(c, c) for c in seat.countries)
        rows.append(
            f"<tr><td>{html.escape(seat.name)}</td><td>{html.escape(states)}</td>"
            f"<td><code>{seat.code}</code></td>"
            f"<td>{html.escape(game_url(game, seat.code))}</td></tr>"
        )
    solara.HTML(
        tag="table",
        unsafe_innerHTML="<tr><th>Seat</th><th>States</th><th>Join code</th><th>Address</th></tr>"
        + "".join(rows),
        classes=["geosim-table", "left", "geosim-codes"],
    )
    solara.Text(
        "Teams open the address, or the lobby and type their code. The states no team holds "
        "follow the scenario's script.",
        classes=["geosim-hint"],
    )
    if game.record.unscripted:
        solara.Text(
            f"Left to the teams (scripted events of held states): "
            f"{len(game.record.unscripted)} — {', '.join(game.record.unscripted)}.",
            classes=["geosim-hint"],
        )


@solara.component
def ExportPanel(game: Game, revision: int) -> None:
    """The after-action report, the game as a scenario file, and its numbers."""
    text = solara.use_memo(game.export_yaml, [game.id, revision])
    name = game.export_name()
    with solara.Row(gap="10px", style="align-items: center; flex-wrap: wrap; margin: 8px 0"):
        ReportLink(game, revision)
        DownloadLink("Scenario YAML", f"{name}.yaml", text, "application/yaml")
        DownloadLink("Game numbers (CSV)", f"{name}.csv", session_csv(game), "text/csv")
    solara.Text(
        f"The scenario YAML is the game as played, under its own name ({name}): "
        f"`geosim run {name}.yaml --replicates 1` replays it exactly. The session file is "
        f"{game.folder / (game.id + '.yaml')}.",
        classes=["geosim-hint"],
    )
    solara.HTML(tag="pre", unsafe_innerHTML=html.escape(text), classes=["geosim-yaml"])


#: Tabs of the facilitator's main area, and of its side panel.
MAIN_TABS = ("Board", "What if", "Room", "Report & export")
SIDE_TABS = ("Team moves", "Inject", "Deck")


@solara.component
def Tabs(labels: tuple[str, ...], tab: solara.Reactive[int]) -> None:
    """Vuetify tabs (solara.lab.Tabs needs Vuetify 2)."""
    with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set, density="compact"):
        for label in labels:
            solara.v.Tab(children=[label])


@solara.component
def FacilitatorView(game: Game) -> None:
    """The facilitator's console."""
    revision = use_revision(game)
    _, bump = solara.use_state(0)
    branch = solara.use_reactive(None)
    main = solara.use_reactive(0)
    side = solara.use_reactive(0)
    revision = max(revision, game.revision)

    def changed() -> None:
        bump(game.revision)

    def show_branch(result: Branch) -> None:
        branch.set(result)
        main.set(MAIN_TABS.index("What if"))

    StatusBar(game, revision)
    EndBanner(game, revision)
    shown = MAIN_TABS[main.value]
    board = shown == "Board"
    with solara.Columns([5, 3, 4] if board else [8, 4], gutters_dense=True):
        with solara.Column(gap="4px"):
            Tabs(MAIN_TABS, main)
            if shown == "What if":
                BranchView(branch.value)
            elif shown == "Room":
                RoomPanel(game)
            elif shown == "Report & export":
                ExportPanel(game, revision)
            else:
                Board(game, revision)
        if board:
            TurnLog(game, revision)
        with solara.Column(gap="6px"):
            TurnControls(game, revision, changed)
            pending = len(game.pending())
            labels = (f"Team moves ({pending})", *SIDE_TABS[1:])
            Tabs(labels, side)
            if SIDE_TABS[side.value] == "Inject":
                InjectPanel(game, revision, changed, show_branch)
            elif SIDE_TABS[side.value] == "Deck":
                DeckPanel(game, revision, changed, show_branch)
            else:
                TeamMoves(game, revision, changed, show_branch)


@solara.component
def TeamView(game: Game, seat: str) -> None:
    """A team's console: the shared board and its own move panel."""
    revision = use_revision(game)
    _, bump = solara.use_state(0)
    holding = game.record.seat(seat).countries
    board = game.board()
    kinds = [k for k in MOVES if k != "incident"] + ["incident"]
    move = solara.use_reactive(starting_move("exercises", board, holding))
    rationale = solara.use_reactive("")
    shown, say = use_message(game)
    wrong = problem(move.value, board)

    def submit() -> None:
        try:
            action = game.submit(seat, move.value, rationale.value)
        except MoveError as exc:
            say("error", str(exc))
            return
        say("success", f"Sent to the facilitator: {action.summary}.")
        rationale.set("")
        bump(game.revision)

    StatusBar(game, revision)
    EndBanner(game, revision)
    with solara.Columns([5, 3, 4], gutters_dense=True):
        Board(game, revision)
        TurnLog(game, revision)
        with solara.Column(gap="6px"):
            states = ", ".join(NAMES.get(c, c) for c in holding)
            with solara.Card(f"{seat} team: your move", margin=0, classes=["geosim-card"]):
                solara.Text(f"You hold {states}.", classes=["geosim-hint"])
                MoveForm(move, board, actors=holding, kinds=kinds)
                solara.InputText("Rationale (why, in a line)", rationale, continuous_update=True)
                if wrong:
                    Message("error", wrong)
                solara.Button(
                    "Submit move",
                    on_click=submit,
                    color="primary",
                    disabled=bool(wrong) or game.finished,
                )
                kind, text = shown
                if text and not (kind == "error" and wrong):
                    Message(kind, text)
            mine = [a for a in game.record.actions if a.seat == seat][::-1]
            if mine:
                rows = "".join(
                    f"<tr><td>{a.month}</td><td>{html.escape(a.summary)}</td>"
                    f"<td>{'awaiting a ruling' if a.status == 'pending' else _ruling(a)}</td></tr>"
                    for a in mine[:8]
                )
                with solara.Card("Your moves", margin=0, classes=["geosim-card"]):
                    solara.HTML(
                        tag="table",
                        unsafe_innerHTML="<tr><th>Month</th><th>Move</th><th>Ruling</th></tr>"
                        + rows,
                        classes=["geosim-table", "left"],
                    )


# --------------------------------------------------------------------------------------------
# The lobby


@solara.component
def NewGame(default: str, on_open: Callable[[Game, str], None]) -> None:
    """Start a game: scenario, seats, months per turn, seed."""
    names = list(shipped_scenarios())
    scenario = solara.use_reactive(default if default in names else DEFAULT_SCENARIO)
    seats = solara.use_reactive(
        os.environ.get(ENV_SEATS) or SCENARIO_SEATS.get(scenario.value, GENERIC_SEATS)
    )
    months = solara.use_reactive("1")
    seed = solara.use_reactive("")
    title = solara.use_reactive("")
    error = solara.use_reactive("")

    def pick(name: str) -> None:
        scenario.set(name)
        seats.set(SCENARIO_SEATS.get(name, GENERIC_SEATS))

    def create() -> None:
        try:
            parsed = parse_seats(seats.value)
            turn = int(months.value.strip() or "1")
            if not 1 <= turn <= 12:
                raise SeatError("Months per turn: from 1 to 12")
            base_seed = int(seed.value) if seed.value.strip() else None
            if base_seed is not None and base_seed < 0:
                raise SeatError("Seed: a whole number of 0 or more")
            game = lobby().create(
                scenario.value, parsed, seed=base_seed, turn_months=turn, title=title.value
            )
        except ValueError as exc:
            text = str(exc)
            if "invalid literal" in text:
                text = "Months per turn and seed: whole numbers"
            error.set(text)
            return
        except ScenarioError as exc:
            error.set(str(exc).splitlines()[0])
            return
        on_open(game, game.record.facilitator_code)

    with solara.Card("New game", margin=0, classes=["geosim-card"]):
        solara.Select("Scenario", names, scenario.value, on_value=pick)
        solara.InputText("Title (optional)", title, continuous_update=True)
        solara.InputText("Seats (Team=ISO3,ISO3;…; blank: no teams)", seats, continuous_update=True)
        with solara.Columns([1, 1], gutters_dense=True):
            solara.InputText("Months per turn (1–12)", months, continuous_update=True)
            solara.InputText("Seed (blank: the scenario's)", seed, continuous_update=True)
        solara.Button("Start the game", on_click=create, color="primary")
        if error.value:
            Message("error", error.value)


@solara.component
def SavedGames(on_open: Callable[[Game, str], None]) -> None:
    """The saved games, newest first, to resume as facilitator."""
    records = lobby().saved()
    with solara.Card("Saved games", margin=0, classes=["geosim-card"]):
        if not records:
            solara.Text("No saved game yet.", classes=["geosim-hint"])
        for record in records[:12]:
            horizon = _horizon(record.base)
            seats = ", ".join(s.name for s in record.seats) or "no teams"
            with solara.Row(gap="8px", style="align-items: center"):
                solara.Button(
                    "Resume",
                    on_click=lambda r=record: on_open(lobby().open(r.id), r.facilitator_code),
                    text=True,
                    color="primary",
                )
                solara.Text(
                    f"{record.title} · month {record.month} of {horizon} · {seats} · {record.id}"
                )


def _horizon(base: str) -> str:
    for line in base.splitlines():
        if line.startswith("horizon:"):
            return line.split(":", 1)[1].strip()
    return "?"


@solara.component
def JoinGame(on_open: Callable[[Game, str], None]) -> None:
    """Join a game with a code."""
    code = solara.use_reactive("")
    error = solara.use_reactive("")

    def join() -> None:
        role = lobby().join(code.value)
        if role is None:
            error.set(f"Join code: no game has the code {code.value.strip().upper()!r}")
            return
        on_open(role.game, code.value.strip().upper())

    with solara.Card("Join a game", margin=0, classes=["geosim-card"]):
        solara.InputText("Join code", code, continuous_update=True)
        solara.Button("Join", on_click=join, color="primary", disabled=not code.value.strip())
        if error.value:
            Message("error", error.value)


@solara.component
def LobbyView(on_open: Callable[[Game, str], None], notice: str = "") -> None:
    """The lobby."""
    if notice:
        Message("warning", notice)
    default = os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    with solara.Columns([5, 4, 3], gutters_dense=True):
        NewGame(default, on_open)
        SavedGames(on_open)
        JoinGame(on_open)


# --------------------------------------------------------------------------------------------
# The page


def _query(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in urllib.parse.parse_qs(search or "").items()}


@solara.component
def TokenGate(on_token: Callable[[str], None]) -> None:
    """Ask for the room token (a server listening beyond this machine)."""
    token = solara.use_reactive("")
    with solara.Card("Room token", margin=0, classes=["geosim-card"]):
        solara.Text("This room needs its token: ask the facilitator.", classes=["geosim-hint"])
        solara.InputText("Room token", token, continuous_update=True)
        solara.Button("Enter", on_click=lambda: on_token(token.value.strip()), color="primary")


@solara.component
def Page() -> None:
    """The page ``solara run sim.ui.app`` serves: the lobby, or a game by its address."""
    router = solara.use_router()
    query = _query(router.search)
    solara.Style(CSS)
    solara.Title(TITLE)
    solara.AppBarTitle(TITLE)
    needed = os.environ.get(ENV_TOKEN)
    if needed and not secrets.compare_digest(query.get("token", ""), needed):

        def enter(token: str) -> None:
            router.push("?" + urllib.parse.urlencode({**query, "token": token}))

        TokenGate(enter)
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
    except ScenarioError:
        role = None
    if role is None or role.game.id != game_id:
        LobbyView(open_game, notice="That address does not open a game: check the join code.")
        return
    with solara.AppBar():
        who = "Facilitator" if role.facilitator else f"{role.seat} team"
        solara.Text(f"{role.game.record.title} · {who}", style="margin-left: 16px")
    if role.facilitator:
        FacilitatorView(role.game).key(f"f-{role.game.id}")
    else:
        TeamView(role.game, role.seat or "").key(f"t-{role.game.id}-{role.seat}")


#: The page served by ``solara run sim.ui.app``.
page = Page


# --------------------------------------------------------------------------------------------
# Serving


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

    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    base = f"http://{host}:{port}/"
    print(f"geosim dashboard: {base}  (Ctrl-C stops it)", flush=True)
    for label, address in announce or []:
        print(f"  {label}: {base}{address}", flush=True)
    run.main(solara_arguments(host, port), prog_name="geosim dashboard", standalone_mode=False)
