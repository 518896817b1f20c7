"""The facilitator's console: turns, team moves, injects, the deck, "what if?", the room, export."""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from sim.game.branch import Branch, branch_from_present
from sim.game.decks import Card, Deck, deck_for, load_deck
from sim.game.explain_branch import explain_branch
from sim.game.findings import question
from sim.game.play import Game
from sim.game.record import Action
from sim.scenario.loader import load_scenario
from sim.scenario.moves import NAMES, Move, MoveError, move_entry
from sim.scenario.moves import Board as Situation
from sim.scenario.problems import ScenarioError
from sim.ui.actions import ActionButton
from sim.ui.briefing import BriefingPanel, TurnTimer
from sim.ui.charts import branch_figure, png
from sim.ui.computer import ComputerPanel
from sim.ui.forms import MoveForm, problem, starting_move
from sim.ui.shared import game_url
from sim.ui.views import session_csv
from sim.ui.widgets import (
    Charts,
    DownloadLink,
    EndBanner,
    Message,
    ReportLink,
    StatusBar,
    Tabs,
    TurnLog,
    ruling_words,
    use_guard,
    use_message,
    use_revision,
)


@solara.component
def TurnControls(game: Game, revision: int, on_change: Callable[[], None]) -> None:
    """Advance a turn, undo the last action, add a note."""
    shown, say = use_message(game)
    note = solara.use_reactive("")
    months = game.record.turn_months

    def advance(seen: int) -> None:
        try:
            played = game.advance(expect=seen)
        except MoveError as exc:
            say("warning", str(exc))
            return
        pending = len(game.pending())
        waiting = f"; {_count(pending, 'team move')} still awaiting a ruling" if pending else ""
        say("success", f"Played {_count(played, 'month')}: now month {game.month}{waiting}.")
        on_change()

    def undo(seen: int) -> None:
        try:
            undone = game.undo(expect=seen)
        except MoveError as exc:
            say("warning", str(exc))
            return
        if undone is None:
            say("warning", "Nothing to undo: no inject, card or ruling yet.")
        else:
            back = " (back to awaiting a ruling)" if undone.origin == "team" else ""
            say("success", f"Undone: {undone.summary}{back}.")
        on_change()

    def add_note(seen: int) -> None:
        if note.value.strip():
            try:
                game.add_note(note.value, expect=seen)
            except MoveError as exc:
                say("warning", str(exc))
                return
            note.set("")
            say("success", f"Note kept for month {game.month}.")
            on_change()

    with solara.Card(
        f"Turn · month {game.month} of {game.horizon}", margin=0, classes=["geosim-card"]
    ):
        TurnTimer(game, revision)
        with solara.Row(gap="8px", style="align-items: center; flex-wrap: wrap"):
            ActionButton(
                f"Advance {months} month{'s' if months > 1 else ''}",
                advance,
                revision,
                color="primary",
                disabled=game.finished,
                now=game.revision_now,
            )
            ActionButton("Undo last", undo, revision, outlined=True, now=game.revision_now)
        with solara.Row(gap="8px", style="align-items: center"):
            solara.InputText("Note for the report", note, continuous_update=True)
            ActionButton(
                "Add note",
                add_note,
                revision,
                text=True,
                disabled=not note.value.strip(),
                now=game.revision_now,
            )
        kind, text = shown
        if text:
            Message(kind, text)
        notes = game.record.notes[-3:][::-1]
        if notes:
            solara.HTML(
                unsafe_innerHTML="<br>".join(
                    f"Month {n.month}: {html.escape(n.text)}" for n in notes
                ),
                classes=["geosim-hint"],
            )


@solara.component
def PendingMove(
    game: Game,
    action: Action,
    revision: int,
    on_change: Callable[[], None],
    on_branch: Callable[[Branch], None],
) -> None:
    """One team move awaiting a ruling: accept, amend, reject, or ask "what if?"."""
    ruling = solara.use_reactive("")
    amending = solara.use_reactive(False)
    amended = solara.use_reactive(Move.from_data(action.move))
    shown, say = use_message(game)
    board = game.board()

    def accept(seen: int, move: Move | None = None) -> None:
        try:
            game.accept(action.id, move, ruling.value, expect=seen)
        except MoveError as exc:
            say("error", str(exc))
            return
        on_change()

    def reject(seen: int) -> None:
        try:
            game.reject(action.id, ruling.value, expect=seen)
        except MoveError as exc:
            say("error", str(exc))
            return
        on_change()

    def what_if(seen: int) -> None:
        move = amended.value if amending.value else Move.from_data(action.move)
        try:
            on_branch(branch_from_present(game, move))
        except (MoveError, ValueError) as exc:
            say("error", str(exc))

    with solara.Div(classes=["geosim-move"]):
        why = f" — “{action.rationale}”" if action.rationale else ""
        solara.HTML(
            unsafe_innerHTML=f'<span class="who">{html.escape(action.seat)} team</span>: '
            f"{html.escape(action.summary)}{html.escape(why)}"
        )
        solara.InputText("Ruling (optional)", ruling, continuous_update=True)
        if amending.value:
            actors = game.record.seat(action.seat).countries
            MoveForm(amended, board, actors=actors, levels=game.lever_now)
            wrong = problem(amended.value, board)
            if wrong:
                Message("error", wrong)
        with solara.Row(gap="6px", style="flex-wrap: wrap"):
            if amending.value:
                ActionButton(
                    "Accept as amended",
                    lambda seen: accept(seen, amended.value),
                    revision,
                    color="primary",
                    disabled=bool(problem(amended.value, board)),
                    now=game.revision_now,
                )
            else:
                ActionButton("Accept", accept, revision, color="primary", now=game.revision_now)
                solara.Button("Amend", on_click=lambda: amending.set(True), outlined=True)
            ActionButton(
                "Reject", reject, revision, outlined=True, color="error", now=game.revision_now
            )
            ActionButton("What if?", what_if, revision, text=True, now=game.revision_now)
        if shown[1]:
            Message(*shown)


@solara.component
def TeamMoves(
    game: Game, revision: int, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """The team moves awaiting a ruling, and the last rulings."""
    pending = game.pending()
    if not pending:
        solara.Text("No team move awaits a ruling.", classes=["geosim-hint"])
    for action in pending:
        PendingMove(game, action, revision, on_change, on_branch).key(f"move-{action.id}")
    ruled = [a for a in game.record.actions if a.origin == "team" and a.status != "pending"]
    if ruled:
        rows = "".join(
            f"<tr><td>{a.month}</td><td>{html.escape(a.seat)}</td>"
            f"<td>{html.escape(a.summary)}</td><td>{ruling_words(a)}</td></tr>"
            for a in ruled[-6:][::-1]
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML="<tr><th>Month</th><th>Team</th><th>Move</th><th>Ruling</th></tr>"
            + rows,
            classes=["geosim-table", "left"],
        )


@solara.component
def InjectPanel(
    game: Game, revision: int, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """A facilitator's inject: any move of the menu, now; or its "what if?"."""
    board = game.board()
    focus = solara.use_memo(lambda: question(game).dyad, [game.id])
    move = solara.use_reactive(starting_move("incident", board, focus=focus))
    rationale = solara.use_reactive("")
    futures = solara.use_reactive(40)
    shown, say = use_message(game)
    wrong = problem(move.value, board)

    def inject(seen: int) -> None:
        try:
            action = game.inject(move.value, rationale=rationale.value, expect=seen)
        except MoveError as exc:
            say("error", str(exc))
            return
        say("success", f"Injected: {action.summary}. It acts in month {game.month + 1}.")
        rationale.set("")
        on_change()

    def what_if(seen: int) -> None:
        try:
            on_branch(branch_from_present(game, move.value, futures.value))
        except (MoveError, ValueError) as exc:
            say("error", str(exc))

    MoveForm(move, board, levels=game.lever_now, focus=focus)
    solara.InputTextArea("Rationale (why)", rationale, continuous_update=True, rows=2)
    if wrong:
        Message("error", wrong)
    with solara.Row(gap="8px", style="align-items: center"):
        disabled = bool(wrong) or game.finished
        ActionButton(
            "Inject now",
            inject,
            revision,
            color="primary",
            disabled=disabled,
            now=game.revision_now,
        )
        ActionButton(
            "What if?", what_if, revision, outlined=True, disabled=disabled, now=game.revision_now
        )
    solara.SliderInt(f"Futures per branch ({futures.value})", futures, min=10, max=200, step=10)
    kind, text = shown
    if text and not (kind == "error" and wrong):
        Message(kind, text)


def _scripted_names(game: Game) -> str:
    """The scripted events left to the teams, by their notes (their plain names)."""
    try:
        shipped = load_scenario(game.record.scenario)
    except ScenarioError:
        return f"{len(game.record.unscripted)} scripted events"
    notes = []
    for name in game.record.unscripted:
        entry = shipped.events.get(name) or shipped.policies.get(name)
        notes.append(entry.note if entry is not None and entry.note else name.replace("_", " "))
    return "; ".join(notes)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def fitted(move: Move, board: Situation) -> tuple[Move, bool]:
    """A card's move with its duration cut to the months left, and whether it was cut."""
    months = move.params.get("months")
    if isinstance(months, int | float) and months > board.remaining > 0:
        return Move(move.kind, {**move.params, "months": board.remaining}), True
    return move, False


def _deck(game: Game) -> Deck | str | None:
    """The game's deck (its own, else the scenario's), or why it cannot be read."""
    try:
        if game.record.deck:
            return load_deck(game.record.deck)
        return deck_for(game.base.name) or deck_for(game.record.scenario)
    except ScenarioError as exc:
        return str(exc).splitlines()[0]


@solara.component
def DeckPanel(
    game: Game, revision: int, on_change: Callable[[], None], on_branch: Callable[[Branch], None]
) -> None:
    """The inject deck: pick a card, read its rationale, fire it in one click."""
    deck = solara.use_memo(lambda: _deck(game), [game.id])
    chosen = solara.use_reactive(0)
    shown, say = use_message(game)
    guard = use_guard()
    if isinstance(deck, str):
        Message("error", f"The deck cannot be read: {deck}")
        return
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
    move, shortened = fitted(card.move, board)
    try:
        summary, wrong = move_entry(move, board).summary, ""
    except MoveError as exc:
        summary, wrong = "", str(exc)
    if shortened and not wrong:
        summary += f" (shortened to the {board.remaining} months left)"

    def play(seen: int) -> None:
        try:
            action = game.inject(
                move,
                rationale=card.rationale,
                card=card.id,
                source=card.source,
                expect=seen,
            )
        except MoveError as exc:
            say("error", str(exc))
            return
        say("success", f"Card played: {action.summary}.")
        on_change()

    def what_if(seen: int) -> None:
        try:
            on_branch(branch_from_present(game, move))
        except (MoveError, ValueError) as exc:
            say("error", str(exc))

    solara.Select(
        "Card",
        titles,
        titles[chosen.value],
        on_value=guard(lambda title: (chosen.set(titles.index(title)), say("", ""))),
    )
    solara.HTML(
        unsafe_innerHTML=f"<b>{html.escape(summary or card.title)}</b><br>"
        f"{html.escape(card.rationale)}",
        classes=["geosim-hint"],
    )
    if wrong:
        Message("warning", f"Cannot be played now: {wrong}")
    with solara.Row(gap="8px"):
        ActionButton(
            "Play card",
            play,
            revision,
            color="primary",
            disabled=bool(wrong) or game.finished,
            now=game.revision_now,
        )
        ActionButton(
            "What if?",
            what_if,
            revision,
            outlined=True,
            disabled=bool(wrong),
            now=game.revision_now,
        )
    kind, text = shown
    if text:
        Message(kind, text)


@solara.component
def BranchView(branch: Branch | None) -> None:
    """What if: the distribution of futures without and with the move, and the change."""
    image = solara.use_memo(
        lambda: None if branch is None else png(branch_figure(branch)), [id(branch)]
    )
    told = solara.use_memo(lambda: None if branch is None else explain_branch(branch), [id(branch)])
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
    solara.HTML(unsafe_innerHTML=html.escape(told.headline), classes=["geosim-headline"])
    solara.Image(image, width="100%")
    header = (
        "<tr><th>Outcome at the end</th><th>Without</th><th>With</th>"
        "<th>Change (95% interval)</th><th>Reading</th></tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(r.label)}</td><td>{r.without:.3f}</td><td>{r.with_move:.3f}</td>"
        f"<td>{r.change:+.3f} ({r.low:+.3f} to {r.high:+.3f})</td>"
        f"<td>{html.escape(note.words)}</td></tr>"
        for r, note in zip(branch.rows(), told.rows, strict=True)
    )
    solara.HTML(tag="table", unsafe_innerHTML=header + body, classes=["geosim-table"])
    if told.reasons:
        items = "".join(f"<li>{html.escape(reason)}</li>" for reason in told.reasons)
        solara.HTML(
            unsafe_innerHTML=f"<b>Why some outcomes did not move</b><ul>{items}</ul>",
            classes=["geosim-why"],
        )


@solara.component
def RoomPanel(game: Game, revision: int, on_change: Callable[[], None]) -> None:
    """Who sits where, with the join codes and addresses; briefings, messages and the timer."""
    rows = [
        f"<tr><td>Facilitator</td><td>—</td><td><code>{game.record.facilitator_code}</code></td>"
        f"<td>{html.escape(game_url(game, game.record.facilitator_code, full=True))}</td></tr>"
    ]
    board = game.record.board_code
    rows.append(
        f"<tr><td>Board (projector)</td><td>— (it can do nothing)</td><td><code>{board}</code>"
        f"</td><td>{html.escape(game_url(game, board, full=True))}</td></tr>"
    )
    for seat in game.record.seats:
        states = ", ".join(NAMES.get(c, c) for c in seat.countries)
        rows.append(
            f"<tr><td>{html.escape(seat.name)}</td><td>{html.escape(states)}</td>"
            f"<td><code>{seat.code}</code></td>"
            f"<td>{html.escape(game_url(game, seat.code, full=True))}</td></tr>"
        )
    solara.HTML(
        tag="table",
        unsafe_innerHTML="<tr><th>Seat</th><th>States</th><th>Join code</th><th>Address</th></tr>"
        + "".join(rows),
        classes=["geosim-table", "left", "geosim-codes"],
    )
    solara.Text(
        "Teams open the address, or the lobby and type their code. The states no team holds "
        "are computer players: their decision rule plays them (see the Computer tab), on top "
        "of the scenario's script.",
        classes=["geosim-hint"],
    )
    if game.record.unscripted:
        solara.Text(
            f"Left to the teams (scripted events of held states): "
            f"{len(game.record.unscripted)} — {_scripted_names(game)}.",
            classes=["geosim-hint"],
        )
    BriefingPanel(game, revision, on_change)


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
SIDE_TABS = ("Team moves", "Inject", "Deck", "Computer")


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
    # Side by side from 960 px; below, one column, the move panel first (a tablet, a phone).
    with solara.ColumnsResponsive(
        12, medium=[5, 3, 4], gutters_dense=True, classes=["geosim-layout"]
    ):
        with solara.Column(gap="4px"):
            Tabs(MAIN_TABS, main)
            if shown == "What if":
                BranchView(branch.value)
            elif shown == "Room":
                RoomPanel(game, revision, changed)
            elif shown == "Report & export":
                ExportPanel(game, revision)
            else:
                Charts(game, revision)
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
            elif SIDE_TABS[side.value] == "Computer":
                ComputerPanel(game, revision, changed)
            else:
                TeamMoves(game, revision, changed, show_branch)
