"""The live charts of a game: drawn in place, from cache when nothing changed, stable colours."""

from __future__ import annotations

import io
import struct
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.image import imread

from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.ui import charts
from sim.ui.charts import BoardCharts


@pytest.fixture
def game(tmp_path: Path) -> Game:
    """A Taiwan Strait game with a Blue team holding the United States."""
    return Game.create(
        "taiwan_strait_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA"])]
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def shown_dyads(board: BoardCharts) -> dict[str, tuple[str, str]]:
    """Label → (colour, dash) of the dyad lines the tension chart shows."""
    ax = board.charts[0].figure.axes[0]
    return {
        line.get_label(): (line.get_color(), line.get_linestyle())
        for line in ax.lines
        if line.get_gid() == "dyad" and line.get_visible()
    }


def ranking(game: Game) -> list[str]:
    """The hottest dyads now, hottest first, as the tension chart labels them."""
    world = game.model.world
    tension = game.model.tension_history[-1]
    return [f"{world.codes[world.dyad_i[d]]}–{world.codes[world.dyad_j[d]]}"
            for d in charts.hottest(tension)]  # fmt: skip


def test_the_four_charts_are_pngs_that_fill_a_330_pixel_column(game: Game) -> None:
    pngs = BoardCharts(game).pngs()
    assert len(pngs) == 4
    assert [png_size(p) for p in pngs] == [(330, 245)] * 4


def test_a_chart_is_drawn_again_when_the_board_changes_and_served_from_cache_otherwise(
    game: Game,
) -> None:
    board = BoardCharts(game)
    first = board.pngs()
    assert board.renders == [1, 1, 1, 1]
    assert board.pngs() is first  # nothing happened: the same bytes
    game.add_note("Blue asks for a pause")  # a new revision, the same board
    assert board.pngs() == first and board.renders == [1, 1, 1, 1]
    game.advance(1)
    after = board.pngs()
    assert after[0] != first[0] and after[3] != first[3]
    assert board.renders[0] == 2 and board.renders[3] == 2


def test_a_dyad_keeps_its_colour_when_the_ranking_changes(game: Game) -> None:
    board = BoardCharts(game)
    game.advance(12)
    board.pngs()
    at_12, order_12 = shown_dyads(board), ranking(game)
    game.advance(8)
    game.inject(Move.new("incident", actor="CHN", other="VNM", level="crisis"))
    game.advance(4)  # China–Vietnam overtakes China–Philippines
    board.pngs()
    at_24, order_24 = shown_dyads(board), ranking(game)
    both = [d for d in order_12 if d in order_24]
    assert [d for d in order_12 if d in both] != [d for d in order_24 if d in both]
    assert len(both) >= 2 and set(at_12) == set(order_12) and set(at_24) == set(order_24)
    assert all(at_12[d] == at_24[d] for d in both)
    assert len(set(at_24.values())) == len(at_24)  # the dyads shown are told apart
    game.inject(Move.new("incident", actor="CHN", other="JPN", level="war"))
    board.pngs()
    game.undo()  # the inject taken back before it acted: the same dyads, in the same colours
    board.pngs()
    assert shown_dyads(board) == at_24


def test_a_style_once_given_is_never_given_again() -> None:
    styles = charts.DyadStyles()
    first = styles.of(("CHN", "TWN"))
    others = [styles.of(("USA", f"X{n:02d}")) for n in range(17)]  # 6 colours × 3 dashes
    assert styles.of(("CHN", "TWN")) == first
    assert first not in others and len(set(others)) == len(others)


def test_an_accepted_action_adds_a_mark_at_its_month(game: Game) -> None:
    board = BoardCharts(game)
    game.advance(3)
    board.pngs()
    tension, arms = (board.charts[n].figure.axes[0] for n in (0, 3))

    def marks(ax, kind: str) -> set[float]:
        (line,) = [line for line in ax.lines if line.get_gid() == kind]
        return set(np.asarray(line.get_xdata())[::3]) if line.get_visible() else set()

    assert marks(tension, "inject") == marks(tension, "team move") == set()
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"), rationale="test")
    game.advance(2)
    move = Move.new("exercises", actor="USA", partners=["PHL"], per_year=6, months=12)
    game.accept(game.submit("Blue", move, "reassure Manila").id)
    board.pngs()
    for ax in (tension, arms):
        assert marks(ax, "inject") == {3.0} and marks(ax, "team move") == {5.0}
    legend = [text.get_text() for text in tension.get_legend().get_texts()]
    assert "inject" in legend and "team move" in legend


def test_the_in_place_drawing_looks_like_a_fresh_full_drawing(game: Game) -> None:
    board = BoardCharts(game)
    for month in range(20):
        if month == 6:
            game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"))
        game.advance(1)
        board.pngs()
    for chart, drawn in zip(board.charts, board.pngs(), strict=True):
        blitted = imread(io.BytesIO(drawn))[..., :3] * 255
        for artist in chart.figure.findobj():
            artist.set_animated(False)
        chart.figure.canvas.draw()
        fresh = np.asarray(chart.figure.canvas.buffer_rgba())[..., :3].astype(float)
        differ = np.abs(blitted - fresh).max(axis=2) > 16
        assert differ.mean() < 0.002, type(chart).__name__  # a line over an axis, at most


def test_the_network_draws_the_ties_in_force(tmp_path: Path) -> None:
    game = Game.create("hub_and_spoke", tmp_path)
    board = BoardCharts(game)
    board.pngs()
    ties = charts.ties_in_force(game.model)
    assert ("USA", "JPN", "bilateral_treaty") in [tie[:3] for tie in ties]
    network = board.charts[2]
    assert len(network.ties.get_segments()) == len(network.drawn_ties(charts.board_data(game)))
    assert len(network.ties.get_segments()) > 0


def test_browsers_sharing_the_charts_draw_each_board_once(game: Game) -> None:
    board = BoardCharts(game)
    board.pngs()
    game.advance(1)
    results: list[tuple[bytes, ...]] = []
    threads = [threading.Thread(target=lambda: results.append(board.pngs())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert board.renders[0] == 2


def test_the_branch_chart_draws() -> None:
    rng = np.random.default_rng(1)
    outcome = {
        "regional_tension": rng.uniform(0.2, 0.6, 10),
        "us_credibility": rng.uniform(0.4, 0.9, 10),
        "alignment.PHL": rng.uniform(-0.2, 0.6, 10),
        "max_escalation": rng.integers(0, 6, 10),
    }
    branch = SimpleNamespace(target="PHL", without=outcome, with_inject=outcome)
    assert charts.png(charts.branch_figure(branch)).startswith(b"\x89PNG")
