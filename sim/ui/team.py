"""A team's console: the shared board, its own move panel and the rulings on its moves."""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import html

import solara

from sim.game.findings import question
from sim.game.play import Game
from sim.scenario.moves import MOVES, MoveError
from sim.ui.actions import ActionButton
from sim.ui.briefing import BriefingCard, MessagesCard, TurnTimer
from sim.ui.computer import AdvicePanel
from sim.ui.forms import MoveForm, possible_kinds, problem, starting_move
from sim.ui.widgets import (
    Charts,
    EndBanner,
    Message,
    StatusBar,
    TurnLog,
    ruling_words,
    use_message,
    use_revision,
)


@solara.component
def TeamView(game: Game, seat: str) -> None:
    """A team's console: the shared board and its own move panel."""
    revision = use_revision(game)
    _, bump = solara.use_state(0)
    holding = game.record.seat(seat).countries
    board = game.board()
    kinds = possible_kinds(board, holding, [k for k in MOVES if k != "incident"] + ["incident"])
    focus = solara.use_memo(lambda: question(game).dyad, [game.id])
    move = solara.use_reactive(starting_move("exercises", board, holding, focus))
    rationale = solara.use_reactive("")
    shown, say = use_message(game)
    wrong = problem(move.value, board)

    def submit(seen: int) -> None:
        try:
            action = game.submit(seat, move.value, rationale.value, expect=seen)
        except MoveError as exc:
            say("error", str(exc))
            return
        say("success", f"Sent to the facilitator: {action.summary}.")
        rationale.set("")
        bump(game.revision)

    StatusBar(game, revision)
    EndBanner(game, revision, seat)
    # Side by side from 960 px; below, one column, the move panel first (a tablet, a phone).
    with solara.ColumnsResponsive(
        12, medium=[5, 3, 4], gutters_dense=True, classes=["geosim-layout"]
    ):
        Charts(game, revision)
        TurnLog(game, revision, seat)
        with solara.Column(gap="6px"):
            BriefingCard(game, seat, revision)
            MessagesCard(game, seat, revision)
            with solara.Card(f"{seat} team: your move", margin=0, classes=["geosim-card"]):
                TurnTimer(game, revision)
                if game.finished:
                    solara.Text("The game has ended: no more moves.", classes=["geosim-hint"])
                    return
                MoveForm(
                    move, board, actors=holding, kinds=kinds, levels=game.lever_now, focus=focus
                )
                solara.InputTextArea(
                    "Rationale (why: for the facilitator)",
                    rationale,
                    continuous_update=True,
                    rows=2,
                )
                if wrong:
                    Message("error", wrong)
                ActionButton(
                    "Submit move",
                    submit,
                    revision,
                    color="primary",
                    disabled=bool(wrong) or game.finished,
                    now=game.revision_now,
                )
                kind, text = shown
                if text and not (kind == "error" and wrong):
                    Message(kind, text)
            AdvicePanel(game, seat, revision)
            mine = [a for a in game.record.actions if a.seat == seat][::-1]
            if mine:
                rows = "".join(
                    f"<tr><td>{a.month}</td><td>{html.escape(a.summary)}</td>"
                    f"<td>{_state(a)}</td></tr>"
                    for a in mine[:8]
                )
                with solara.Card("Your moves", margin=0, classes=["geosim-card"]):
                    solara.HTML(
                        tag="table",
                        unsafe_innerHTML="<tr><th>Month</th><th>Move</th><th>Ruling</th></tr>"
                        + rows,
                        classes=["geosim-table", "left"],
                    )


def _state(action) -> str:
    return "awaiting a ruling" if action.status == "pending" else ruling_words(action)
