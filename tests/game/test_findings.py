"""What a game found: thresholds of practical importance, the board read once, the findings.

A game is one run: a change counts when it passes a threshold of practical importance, not a
test. The levels the report reads month by month must be the model's own (the data collector's
highest rung each month, the state's levels at the end), and the turning points follow their
documented rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.game.findings import (
    FEWEST_TURNING_POINTS,
    MOST_TURNING_POINTS,
    PRACTICAL,
    QUESTIONS,
    answer,
    change_words,
    practically_changed,
    question,
    read_played,
    threshold_note,
    turning_points,
)
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move


def seats() -> list[Seat]:
    return [Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["CHN"])]


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Game:
    """Twelve months of the Taiwan crisis: a facilitator's clash at month 2, moves, a rejection."""
    folder = tmp_path_factory.mktemp("findings")
    game = Game.create("taiwan_strait_crisis", folder, seats=seats(), game_id="findings")
    game.advance(2)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"), rationale="ram")
    drill = game.submit("Blue", Move.new("exercises", actor="USA", partners=["PHL"], months=12))
    game.accept(drill.id)
    game.advance(3)
    pact = game.submit("Blue", Move.new("form_alliance", actor="USA", partners=["JPN", "PHL"]))
    game.reject(pact.id, "not in this crisis")
    game.advance(7)
    return game


# --------------------------------------------------------------------------------------------
# Practical importance


def test_a_tiny_alignment_change_is_about_unchanged() -> None:
    assert change_words("alignment", 0.006) == "about unchanged"
    assert change_words("alignment", -0.049) == "about unchanged"
    assert not practically_changed("alignment", 0.006)


def test_a_change_at_the_threshold_counts_and_says_which_way() -> None:
    assert change_words("alignment", PRACTICAL["alignment"]) == "towards the US by 0.05"
    assert change_words("alignment", -0.07) == "towards China by 0.07"
    assert change_words("tension", 0.02) == "rose by 0.02"
    assert change_words("tension", -0.019) == "about unchanged"
    assert change_words("spending", 6.2) == "up 6%"
    assert change_words("hedgers", -1) == "1 fewer"


def test_a_change_four_thresholds_large_is_sharp() -> None:
    assert change_words("tension", 0.09) == "rose sharply by 0.09"
    assert change_words("alignment", 0.21) == "sharply towards the US by 0.21"
    assert change_words("tension", 0.07) == "rose by 0.07"


def test_the_footnote_states_every_threshold() -> None:
    note = threshold_note()
    for words in ("0.02 in tension", "0.05 in alignment", "5% in military spending", "rung"):
        assert words in note
    assert "one run" in note.lower()


# --------------------------------------------------------------------------------------------
# The board, read once


def test_levels_are_the_models_own(game: Game) -> None:
    played = read_played(game)
    assert played.levels.shape == (13, len(played.pairs))
    collected = game.model.datacollector.model_vars["max_escalation"]
    assert played.levels.max(axis=1).tolist() == [int(v) for v in collected]
    world, level = game.model.world, game.model.state.level[0]
    assert played.levels[-1].tolist() == level[world.dyad_i, world.dyad_j].tolist()


def test_an_injected_rung_counts_as_reached(game: Game) -> None:
    played = read_played(game)
    d = played.dyad("PHL", "CHN")
    assert played.reached[3, d] >= 3  # the facilitator's clash, acting from month 3
    assert (played.reached >= played.levels).all()


def test_reading_the_board_changes_nothing(game: Game) -> None:
    month, revision, actions = game.month, game.revision, len(game.record.actions)
    played = read_played(game)
    played.actions[0].summary = "changed by a reader"
    assert (game.month, game.revision, len(game.record.actions)) == (month, revision, actions)
    assert game.record.actions[0].summary != "changed by a reader"


# --------------------------------------------------------------------------------------------
# The findings


def test_a_shipped_scenario_asks_its_own_question(game: Game) -> None:
    assert question(game) == QUESTIONS["taiwan_strait_crisis"]
    assert question(game).text.startswith("Does the quarantine stay a standoff")


def test_another_scenario_asks_a_question_from_its_description(tmp_path: Path) -> None:
    path = tmp_path / "my_game.yaml"
    path.write_text(
        "name: my_game\nextends: hub_and_spoke\nhorizon: 12\ndescription: >-\n"
        "  A short_test game of the status quo: nothing is scripted. It asks nothing.\n"
    )
    other = Game.create(str(path), tmp_path, game_id="other")
    text = question(other).text
    assert text == (
        "In a short test game of the status quo, where do tension, escalation and alignment "
        "go, and who moves?"
    )


def test_the_answer_names_the_highest_rung_and_who_set_it_off(game: Game) -> None:
    played = read_played(game)
    text = " ".join(answer(game, played))
    assert text.startswith("In this game regional tension")
    assert "a clash, between China and the Philippines, set off by a facilitator inject" in text
    assert "US credibility" in text
    for word in ("replicate", "mean", "significant"):
        assert word not in text.lower()


def test_turning_points_follow_the_rule(game: Game) -> None:
    played = read_played(game)
    points = turning_points(played)
    assert FEWEST_TURNING_POINTS <= len(points) <= MOST_TURNING_POINTS
    months = [p.month for p in points]
    assert months == sorted(months)
    clash = next(p for p in points if p.text.startswith("Facilitator inject: Incident"))
    assert "China and the Philippines" in clash.text  # the clash: a new highest rung
    assert clash.month == 2 and clash.rank == 3  # the strongest class of turning point
    assert all(p.rank == 3 for p in points if "highest rung" in p.text)
    assert all("collective-defence" not in p.text for p in points)  # rejected: not on the board


def test_a_game_without_actions_still_has_its_largest_jump(tmp_path: Path) -> None:
    quiet = Game.create("taiwan_strait_crisis", tmp_path, game_id="quiet", keep_script=True)
    quiet.advance(6)
    points = turning_points(read_played(quiet))
    assert 1 <= len(points) <= MOST_TURNING_POINTS
    assert any("largest one-month change of regional tension" in p.text for p in points)
    jumps = np.abs(np.diff(read_played(quiet).regional))
    jump = next(p for p in points if "largest one-month" in p.text)
    assert jump.month == int(np.argmax(jumps)) + 1


def test_nothing_is_found_before_the_first_month(tmp_path: Path) -> None:
    fresh = Game.create("taiwan_strait_crisis", tmp_path, seats=seats(), game_id="fresh")
    assert turning_points(read_played(fresh)) == []
