"""Computer players: the states no team holds play by their decision rule.

The facilitator sees why each moved and may overrule it, and the export replays the game,
overrule and all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import sim.core.model
from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.core.world import LEVER_INDEX
from sim.game.computer import RULE, SCRIPT, TEAM
from sim.game.log import turn_log
from sim.game.play import Game
from sim.game.record import Seat, load, session_path
from sim.scenario.loader import load_scenario
from sim.scenario.moves import Move, MoveError

#: China held by a team; Australia, a computer player, cuts its exercises with India at month 3.
CRISIS = "taiwan_strait_crisis"


def red_game(folder: Path, game_id: str = "computer") -> Game:
    return Game.create(CRISIS, folder, seats=[Seat(name="Red", countries=["CHN"])], game_id=game_id)


def test_a_held_state_follows_its_team_and_the_others_their_rule(tmp_path: Path) -> None:
    game = red_game(tmp_path)
    who = game.players()
    assert who["CHN"] == TEAM and who["AUS"] == RULE and who["USA"] == RULE
    decisions = yaml.safe_load(game.export_yaml())["decisions"]["countries"]
    assert decisions["CHN"]["strategy"] == "scripted"  # its team decides: the rule is off
    assert "played by the Red team" in decisions["CHN"]["source"]
    assert "AUS" not in decisions


def test_the_facilitator_gives_a_state_its_script_before_the_first_month(tmp_path: Path) -> None:
    game = red_game(tmp_path)
    game.set_player("AUS", rule=False)
    assert game.players()["AUS"] == SCRIPT and game.record.scripted == ["AUS"]
    assert load(session_path(tmp_path, game.id)).scripted == ["AUS"]
    exported = yaml.safe_load(game.export_yaml())["decisions"]["countries"]["AUS"]
    assert exported["strategy"] == "scripted" and "the facilitator" in exported["source"]
    game.advance(4)
    assert not [m for m in game.computer_moves() if m.record.decider == "AUS"]
    with pytest.raises(MoveError, match=r"^Player: chosen before the first month is played"):
        game.set_player("AUS", rule=True)


def test_a_state_a_team_holds_has_no_rule_to_switch(tmp_path: Path) -> None:
    with pytest.raises(MoveError, match=r"^Player: China has no decision rule to switch"):
        red_game(tmp_path).set_player("CHN", rule=True)


def test_a_computer_player_moves_and_the_facilitator_sees_why(tmp_path: Path) -> None:
    game = red_game(tmp_path)
    game.advance(4)
    [move] = game.computer_moves()
    record = move.record
    assert (record.decider, record.move, record.target, record.step) == (
        "AUS",
        "cut_exercises",
        "IND",
        4,
    )
    assert move.open and not move.overruled
    chair = [line.text for turn in turn_log(game) for line in turn.lines]
    told = next(text for text in chair if text.startswith("Computer: Australia cuts"))
    assert told.startswith("Computer: Australia cuts its exercises with India (-2): ")
    assert "weighed most" in told and "crisis-months" in told  # the reason, in words and numbers
    team = [line.text for turn in turn_log(game, seat="Red") for line in turn.lines]
    seen = next(text for text in team if text.startswith("Computer: Australia cuts"))
    assert "weighed most" not in seen  # a team sees what others did, not their reasons


def overruled_game(folder: Path) -> Game:
    """Australia's cut overruled at month 4; timed and lasting moves around it."""
    game = red_game(folder)
    game.advance(2)
    game.inject(
        Move.new("gray_zone_coercion", actor="CHN", partners=["PHL"], intensity=0.3, months=3)
    )
    game.inject(Move.new("arms_transfer", actor="USA", partners=["PHL"], value_usd_m=900))
    game.advance(2)
    move = next(m for m in game.computer_moves() if m.record.decider == "AUS")
    game.overrule(move.index, "Canberra keeps its drills with Delhi")
    game.inject(Move.new("dialogue", actor="CHN", partners=["PHL"]))
    game.advance(6)
    return game


def test_an_overrule_sets_the_move_back_from_the_next_month(tmp_path: Path) -> None:
    game = red_game(tmp_path)
    game.advance(4)
    [move] = game.computer_moves()
    cell = (0, LEVER_INDEX["exercises"], game.model.world.index("AUS"))
    india = game.model.world.index("IND")
    assert game.model.state.overlay[(*cell, india)] == -2.0  # the rule's own cut
    action = game.overrule(move.index, "not this year")
    assert action.origin == "facilitator" and action.entry == "moves[0]"
    assert action.summary == "overrules the computer: Australia cuts its exercises with India (-2)"
    assert game.model.state.overlay[(*cell, india)] == -2.0  # month 4 stands as played
    game.advance(1)
    assert game.model.state.overlay[(*cell, india)] == 0.0  # set back from month 5 on
    [after] = game.computer_moves()
    assert after.overruled and not after.open
    with pytest.raises(MoveError, match=r"^Overrule: that computer move can no longer be"):
        game.overrule(move.index)


def test_an_overrule_is_undone_without_replaying_the_game(tmp_path: Path, monkeypatch) -> None:
    game = red_game(tmp_path)
    game.advance(4)
    before = game.model.state.overlay.copy()
    game.overrule(game.computer_moves()[0].index)

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(sim.core.model, "compile_world", refuse)
    undone = game.undo()
    assert undone is not None and undone.move["kind"] == "overrule"
    assert game.model.labels == [] and game.computer_moves()[0].open
    game.advance(1)
    assert np.array_equal(game.model.state.overlay, before)


def test_the_export_replays_a_game_with_an_overrule_month_for_month(tmp_path: Path) -> None:
    game = overruled_game(tmp_path)
    exported = yaml.safe_load(game.export_yaml())
    kinds = [m["kind"] for m in exported["moves"]]
    assert kinds == ["gray_zone_coercion", "arms_transfer", "overrule", "dialogue"]
    assert exported["moves"][0]["months"] == 3 and exported["moves"][2]["decision"] == "exercises"
    path = tmp_path / "played.yaml"
    path.write_text(game.export_yaml(), encoding="utf-8")
    definition = load_scenario(path)
    run = simulate(compile_world(definition), [0], seed=definition.seed)
    rows = game.model.datacollector.get_model_vars_dataframe()
    assert len(rows) == game.month + 1 == 11
    for name in rows.columns:  # every month, to the last bit
        assert np.asarray(rows[name]).tobytes() == run.model[name][: len(rows), 0].tobytes(), name
    tension = np.array(game.model.tension_history)
    assert tension.tobytes() == run.tension[: len(rows), 0].tobytes()
    assert (
        np.array(game.model.milex_history).tobytes()
        == run.countries["milex_usd_bn"][: len(rows), 0].tobytes()
    )
