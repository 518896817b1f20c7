"""The board for a projector, and live charts drawn for the width of their panel."""

from __future__ import annotations

import html
import io

import ipyvuetify as v
import pytest
import solara
from PIL import Image
from rendered import html_of

from sim.game.record import Seat
from sim.game.rooms import Lobby
from sim.scenario.moves import Move
from sim.ui import shared
from sim.ui.board import BoardView
from sim.ui.charts import CHART_SIZE, DPI, SCALES, scale_for
from sim.ui.widgets import MIN_CHART_WIDTH, chart_layout

pytestmark = pytest.mark.usefixtures("no_polling")


def test_the_board_code_opens_a_view_that_can_do_nothing_and_keeps_reasons_out(tmp_path):
    lobby = Lobby(tmp_path / "sessions")
    game = lobby.create("scs_crisis", [Seat(name="Blue", countries=["USA", "PHL"])])
    move = game.submit("Blue", Move.new("exercises", actor="USA", partners=["PHL"]), "secret why")
    game.accept(move.id)
    game.advance(1)
    role = lobby.join(game.record.board_code)
    assert role is not None and role.board and not role.facilitator and role.seat is None
    codes = {game.record.facilitator_code, game.record.board_code, game.record.seats[0].code}
    assert len(codes) == 3
    _, rc = solara.render(BoardView(game), handle_error=False)
    assert rc.find(v.Btn).widgets == []  # nothing to click
    log = html.unescape(html_of(rc, "geosim-log-month"))
    assert "Blue team move" in log and "secret why" not in log
    assert "1 of" in html.unescape(html_of(rc, "geosim-status"))


@pytest.mark.parametrize(
    ("width", "per_row", "scale"),
    [(340, 1, 1.0), (560, 1, 1.75), (759, 1, 2.5), (800, 2, 1.25), (1200, 2, 1.75)],
)
def test_charts_go_two_a_row_only_where_each_keeps_its_text_legible(width, per_row, scale):
    assert chart_layout(width) == (per_row, scale)
    assert (per_row == 2) == (width >= 2 * MIN_CHART_WIDTH)


def test_a_scale_draws_the_same_chart_bigger_for_a_wider_panel(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "_LOBBY", Lobby(tmp_path))
    game = shared.lobby().create("scs_crisis")
    small, large = shared.charts_of(game, 1.0), shared.charts_of(game, 2.0)
    assert small is not large and small.dyad_styles is large.dyad_styles  # one colour per dyad
    for low, high in zip(small.pngs(), large.pngs(), strict=True):
        w1, h1 = Image.open(io.BytesIO(low)).size
        w2, h2 = Image.open(io.BytesIO(high)).size
        assert (w1, h1) == (round(CHART_SIZE[0] * DPI), round(CHART_SIZE[1] * DPI))
        assert (w2, h2) == (2 * w1, 2 * h1)
    assert scale_for(10) == SCALES[0] and scale_for(10_000) == SCALES[-1]
