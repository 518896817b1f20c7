"""The move form: units and bounds shown, names not codes, only possible choices, live checks."""

from __future__ import annotations

import html

import ipyvuetify as v
import pytest
import solara

from sim.game.play import Game
from sim.scenario.moves import MOVES, Move
from sim.ui.forms import MoveForm, field_label, level_words, problem, starting_move

pytestmark = pytest.mark.usefixtures("no_polling")


@pytest.fixture
def board(tmp_path):
    game = Game.create("taiwan_strait_crisis", tmp_path)
    game.advance(10)
    return game.board()


def test_labels_show_units_and_bounds_and_months_left(board):
    months = MOVES["exercises"].field("months")
    assert field_label(months, board) == "Months (0–26; 0: until the game ends)"
    funding = MOVES["security_assistance"].field("usd_m_per_year")
    assert field_label(funding, board) == "Funding (1–5000 US$ m a year, each partner)"
    share = MOVES["economic_coercion"].field("intensity")
    assert field_label(share, board) == "Intensity (0–1)"


@pytest.mark.parametrize("kind", list(MOVES))
def test_every_kind_starts_as_a_move_that_can_be_made_or_says_why_not(kind, board):
    move = starting_move(kind, board)
    wrong = problem(move, board)
    assert wrong == "", f"{kind}: {wrong}"  # joining: the 2025 world's groupings take members


def test_a_team_form_offers_only_its_states_and_shows_names(board):
    move = solara.Reactive(starting_move("exercises", board, ["JPN", "TWN"]))
    _, rc = solara.render(MoveForm(move, board, actors=["JPN", "TWN"]), handle_error=False)
    actor = rc.find(v.Select, label="Actor").widget
    assert actor.items == ["Japan", "Taiwan"] and actor.v_model == "Japan"
    partners = rc.find(v.Select, label="Partners").widget
    assert "Japan" not in partners.items and "Philippines" in partners.items
    actor.v_model = "Taiwan"
    assert move.value.params["actor"] == "TWN"
    months = next(w for w in rc.find(v.TextField).widgets if str(w.label).startswith("Months"))
    months.v_model = "-3"
    assert problem(move.value, board) == "Months: 0 (until the game ends) or more, not -3"


def test_leaving_offers_only_alliances_the_state_is_in_by_name(board):
    move = solara.Reactive(starting_move("leave_alliance", board, ["PHL"]))
    _, rc = solara.render(MoveForm(move, board, actors=["PHL"]), handle_error=False)
    alliances = rc.find(v.Select, label="Alliance").widget.items
    assert alliances and all("Philippines" in html.unescape(a) for a in alliances)
    assert not any("_" in a for a in alliances)


def test_a_text_in_a_number_field_is_named_not_ignored(board):
    move = Move("exercises", {**starting_move("exercises", board).params, "per_year": "lots"})
    assert problem(move, board) == (
        "Exercises a year: a number in plain decimal digits, such as 12 or 0.5, not 'lots'"
    )


@pytest.mark.parametrize("typed", ["1_0", "٣", "0x10", "1e400", "nan"])
def test_a_number_is_read_by_the_rule_of_scenario_files(typed, board):
    move = Move("exercises", {**starting_move("exercises", board).params, "per_year": typed})
    assert problem(move, board) == (
        f"Exercises a year: a number in plain decimal digits, such as 12 or 0.5, not {typed!r}"
    )
    months = Move("exercises", {**starting_move("exercises", board).params, "months": typed})
    assert problem(months, board).startswith("Months: a number in plain decimal digits")


def test_a_lever_move_shows_what_is_in_force_and_what_it_adds(tmp_path):
    game = Game.create("taiwan_strait_crisis", tmp_path)
    board = game.board()
    squeeze = Move.new("gray_zone_coercion", actor="CHN", partners=["TWN"], intensity="0.3")
    now = game.lever_now("gray_zone_coercion", "CHN", "TWN")
    assert now == pytest.approx(0.4)  # the scenario's standing pressure on Taiwan
    words = level_words(squeeze, board, game.lever_now)
    assert words == (
        "Intensity in force: China → Taiwan 0.40 now; 0.70 with this move "
        "(it adds 0.30 from month 1)."
    )
    wrong = Move.new("gray_zone_coercion", actor="CHN", partners=["TWN"], intensity="lots")
    assert (
        level_words(wrong, board, game.lever_now) == "Intensity in force: China → Taiwan 0.40 now."
    )
    assert level_words(Move.new("incident"), board, game.lever_now) == ""
    money = Move.new("security_assistance", actor="USA", partners=["PHL"], usd_m_per_year="100")
    spent = game.lever_now("security_assistance", "USA", "PHL")
    assert f"{spent:,.0f} US$ m a year now; {spent + 100:,.0f} US$ m a year" in level_words(
        money, board, game.lever_now
    )


def test_a_move_by_one_of_the_games_pair_is_aimed_at_the_other_by_default(board):
    plain = starting_move("gray_zone_coercion", board, ["CHN"])
    aimed = starting_move("gray_zone_coercion", board, ["CHN"], focus=("CHN", "TWN"))
    assert plain.params["partners"] == ["PHL"] and aimed.params["partners"] == ["TWN"]
    other = starting_move("exercises", board, ["JPN"], focus=("CHN", "TWN"))
    assert other.params["partners"] == starting_move("exercises", board, ["JPN"]).params["partners"]
