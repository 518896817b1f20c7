"""A what-if explains itself: the largest meaningful change first, and why nothing moved.

The game is the reviewer's: the Taiwan Strait crisis with the US, Japan and Taiwan held by Blue
and China by Red, so China's scripted quarantine is left out of the game.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.game.branch import Branch, branch_from_present
from sim.game.explain_branch import explain_branch, minimum_difference
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.studies.compare import MINIMUM_DIFFERENCE

FUTURES = 20


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Game:
    seats = [
        Seat(name="Blue", countries=["USA", "JPN", "TWN"]),
        Seat(name="Red", countries=["CHN"]),
    ]
    game = Game.create("taiwan_strait_crisis", tmp_path_factory.mktemp("sessions"), seats=seats)
    game.advance(3)
    return game


def _shares(branch: Branch, dyad: int) -> tuple[str, str]:
    """Share of futures with an incident on one dyad at some month, without and with."""
    return tuple(
        f"{100 * (course.rungs[:, :, dyad] >= 1).any(axis=0).mean():.0f}%"
        for course in branch.courses
    )


def test_a_declaration_of_the_clarity_a_pledge_has_changes_nothing_and_says_so(game):
    clarity = float(
        game.model.state.clarity[0, game.model.world.alliance_names.index("us_taiwan_tra")]
    )
    move = Move.new("set_clarity", actor="USA", alliance="us_taiwan_tra", clarity=round(clarity, 3))
    branch = branch_from_present(game, move, FUTURES)
    told = explain_branch(branch)
    assert all(row.change == 0 for row in branch.rows())  # the same futures, exactly
    assert told.headline.startswith("About unchanged on every outcome")
    assert [note.verdict for note in told.rows] == ["about unchanged"] * 5
    assert all(note.words.startswith("about unchanged") for note in told.rows)
    assert any("the declaration changes nothing" in reason for reason in told.reasons)
    assert told.reasons[0].startswith("The move acts on deterrence")


def test_clarity_with_no_scripted_crisis_says_what_there_was_to_deter(game):
    move = Move.new("set_clarity", actor="USA", alliance="us_taiwan_tra", clarity=0.8)
    branch = branch_from_present(game, move, FUTURES)
    told = explain_branch(branch)
    assert told.headline.startswith("About unchanged on every outcome")
    covered = next(r for r in told.reasons if r.startswith("The pledge covers China–Taiwan."))
    world = branch.world
    dyad = world.dyad_index(world.index("CHN"), world.index("TWN"))
    without, with_move = _shares(branch, dyad)  # quoted from the futures themselves
    assert f"in {without} of the futures without the move and {with_move} with it" in covered
    changed = int(
        (branch.courses[0].rungs[:, :, dyad] != branch.courses[1].rungs[:, :, dyad])
        .any(axis=0)
        .sum()
    )
    assert f"changed the rungs there in {changed} of the {FUTURES} futures" in covered
    script = next(r for r in told.reasons if "held by a team" in r)
    assert script.startswith("China is held by a team") and "quarantine" in script
    assert "China–Taiwan" in script


def test_a_pledge_that_covers_no_dispute_has_nothing_to_deter(game):
    move = Move.new("set_clarity", actor="USA", alliance="us_australia", clarity=0.5)
    told = explain_branch(branch_from_present(game, move, FUTURES))
    assert any("covers no pair of states where an incident can happen" in r for r in told.reasons)


def test_a_channel_where_no_incident_can_happen_has_none_to_act_on(game):
    move = Move.new("dialogue", actor="JPN", partners=["AUS"], strength=0.5)
    told = explain_branch(branch_from_present(game, move, FUTURES))
    assert told.headline.startswith("About unchanged on every outcome")
    assert any(r.startswith("No incident can happen on Japan–Australia") for r in told.reasons)


def test_a_war_inject_is_the_headline_and_tension_read_at_the_end_is_explained(game):
    move = Move.new("incident", actor="CHN", other="TWN", level="war")
    branch = branch_from_present(game, move, FUTURES)
    told = explain_branch(branch)
    assert told.headline.startswith(
        "With the move, the share of futures reaching a crisis or worse rises by"
    )
    crisis = next(note for note in told.rows if note.label.startswith("Crisis"))
    assert crisis.verdict == "higher" and crisis.words.startswith("rises by")
    tension = next(note for note in told.rows if note.label.startswith("Regional tension"))
    assert tension.verdict == "about unchanged"
    assert any(
        r.startswith(f"Regional tension is read at month {branch.horizon}") for r in told.reasons
    )
    weight = next(r for r in told.reasons if "of the regional tension index" in r)
    world = branch.world
    share = world.salience[world.dyad_index(world.index("CHN"), world.index("TWN"))]
    assert f"China–Taiwan weighs {100 * share:.1f}%" in weight


# --------------------------------------------------------------------------------------------
# The readings, on made-up futures


def _branch(tension: float, crisis: float, spread: float = 0.0) -> Branch:
    """A branch of 50 futures whose tension and crisis share change by the given amounts."""
    rng = np.random.default_rng(1)
    base = {
        "regional_tension": np.full(50, 0.3),
        "p_crisis": np.zeros(50),
        "max_escalation": np.full(50, 2.0),
        "us_credibility": np.full(50, 0.6),
        "alignment.PHL": np.full(50, 0.5),
    }
    changed = dict(base)
    changed["regional_tension"] = (
        base["regional_tension"] + tension + spread * rng.standard_normal(50)
    )
    changed["p_crisis"] = (np.arange(50) < round(50 * crisis)).astype(float)
    return Branch("a move", 3, 36, 50, "PHL", base, changed)


def test_a_change_below_its_minimum_reads_about_unchanged():
    told = explain_branch(_branch(0.5 * MINIMUM_DIFFERENCE["regional_tension"], 0.0))
    assert told.headline.startswith("About unchanged on every outcome")
    assert told.rows[0].verdict == "about unchanged"
    assert re.search(
        r"about unchanged \(\+0\.005; the minimum meaningful difference is 0\.01\)",
        told.rows[0].words,
    )


def test_the_largest_change_in_minimum_differences_is_the_headline():
    # tension +0.05 is five minimums; the crisis share +20 points is ten: the crisis leads
    told = explain_branch(_branch(0.05, 0.2))
    assert told.headline.startswith(
        "With the move, the share of futures reaching a crisis or worse rises by 20 points "
        "(0% → 20%); regional tension changes too"
    )
    assert told.rows[0].words == "rises by 0.050 (0.300 → 0.350)"
    assert told.reasons == []  # made-up futures carry no move to explain


def test_an_interval_across_the_minimum_reads_inconclusive():
    told = explain_branch(_branch(0.01, 0.0, spread=0.02))
    assert told.rows[0].verdict == "inconclusive"
    assert told.headline.startswith("No outcome clearly changes: regional tension is inconclusive")
    assert minimum_difference("alignment.PHL") == MINIMUM_DIFFERENCE["alignment"]


def test_a_move_the_actors_own_rule_cuts_back_says_so(tmp_path):
    # the US is a computer player here: its rule weighs the channel it is handed, and cuts it
    game = Game.create("scs_crisis", tmp_path, seats=[Seat(name="Blue", countries=["PHL"])])
    game.advance(2)
    move = Move.new("deconfliction_channel", actor="USA", partners=["CHN"], strength=0.9)
    branch = branch_from_present(game, move, FUTURES)
    without, with_move = branch.courses
    cut = ((with_move.decided - without.decided) <= -0.45).any(axis=1)
    assert cut.any()  # read from the futures: the rule's own lever, with and without the move
    told = explain_branch(branch)
    assert (
        f"In {100 * cut.mean():.0f}% of the futures with the move, the United States' own "
        "decision rule cut the same lever back" in " ".join(told.reasons)
    )
