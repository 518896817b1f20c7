"""The board, for a projector: the status, the charts and the public log, large, and nothing else.

Opened with the game's board code (:attr:`~sim.game.record.GameRecord.board_code`, listed in
the facilitator's Room tab), it shows what every team may see: the numbers, the four charts
drawn for the screen's width, the turn's timer and the log as a team reads it (every player's
moves once played, without their reasons). It has no buttons: the code can do nothing.
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import solara

from sim.game.play import Game
from sim.ui.briefing import TurnTimer
from sim.ui.widgets import Charts, StatusBar, TurnLog, use_revision

#: The log as nobody's team reads it: others' moves once played, no reasons.
PUBLIC = ""


@solara.component
def BoardView(game: Game) -> None:
    """The presenter view of a game (see the module's docstring)."""
    revision = use_revision(game)
    with solara.Div(classes=["geosim-board"]):
        StatusBar(game, revision)
        TurnTimer(game, revision)
        if game.finished:
            solara.HTML(
                unsafe_innerHTML=f"The game has ended: month {game.month} of {game.horizon}.",
                classes=["geosim-banner"],
            )
        with solara.ColumnsResponsive(12, medium=[8, 4], gutters_dense=True):
            Charts(game, revision, width=1200)
            TurnLog(game, revision, PUBLIC)
