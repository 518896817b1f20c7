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
from sim.core.dynamics.decisions import current_values
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.menu import KINDS
from sim.core.engine import simulate
from sim.game.computer import RULE, SCRIPT, TEAM
from sim.game.log import turn_log
from sim.game.play import Game
from sim.game.record import Seat, load, session_path
from sim.scenario.loader import load_scenario
from sim.scenario.moves import NAMES, Move, MoveError

#: China held by a team; the states no team holds play by their rule (one of them moves within
#: two years; which one and when is the model's business, so the tests read it from the record).
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


def until_a_computer_move(game: Game, months: int = 24) -> None:
    """Play month by month until a computer player has moved (within ``months``)."""
    for _ in range(months):
        game.advance(1)
        if game.computer_moves():
            return
    raise AssertionError(f"no computer move in {months} months")


def value_of(game: Game, record) -> float:
    """The current value of the decision variable a computer move changed (replicate 0)."""
    world, state = game.model.world, game.model.state
    menu = world.menu
    target = world.index(record.target) if record.target else -1
    [v] = [
        v
        for v in range(menu.size)
        if world.codes[menu.actor[v]] == record.decider
        and KINDS[menu.kind[v]] == record.kind
        and (target < 0 or menu.target[v] == target)
    ]
    levers = active_levers(world, state)
    return float(current_values(world, state, menu.take(np.array([v])), levers)[0, 0])


def test_a_computer_player_moves_and_the_facilitator_sees_why(tmp_path: Path) -> None:
    game = red_game(tmp_path)
    until_a_computer_move(game)
    [move] = game.computer_moves()
    record = move.record
    assert game.players()[record.decider] == RULE and record.step == game.month
    assert record.change != 0
    assert move.open and not move.overruled
    name = NAMES[record.decider]
    chair = [line.text for turn in turn_log(game) for line in turn.lines]
    told = next(t for t in chair if t.startswith("Computer: ") and f"{name} " in t)
    assert f"({record.change:+g}): " in told
    assert "weighed most" in told and "crisis-months" in told  # the reason, in words and numbers
    team = [line.text for turn in turn_log(game, seat="Red") for line in turn.lines]
    seen = next(t for t in team if t.startswith("Computer: ") and f"{name} " in t)
    assert "weighed most" not in seen  # a team sees what others did, not their reasons


def overruled_game(folder: Path) -> Game:
    """The first computer move overruled; timed and lasting moves around it."""
    game = red_game(folder)
    game.advance(2)
    game.inject(
        Move.new("gray_zone_coercion", actor="CHN", partners=["PHL"], intensity=0.3, months=3)
    )
    game.inject(Move.new("arms_transfer", actor="USA", partners=["PHL"], value_usd_m=900))
    until_a_computer_move(game)
    move = game.computer_moves()[0]
    game.overrule(move.index, "the facilitator keeps the state where it stood")
    game.inject(Move.new("dialogue", actor="CHN", partners=["PHL"]))
    game.advance(6)
    return game


def test_an_overrule_sets_the_move_back_from_the_next_month(tmp_path: Path) -> None:
    game = red_game(tmp_path)
    until_a_computer_move(game)
    [move] = game.computer_moves()
    record = move.record
    moved = value_of(game, record)
    before = moved - record.change
    action = game.overrule(move.index, "not this year")
    assert action.origin == "facilitator" and action.entry == "moves[0]"
    assert action.summary.startswith("overrules the computer: ")
    assert action.summary.endswith(f"({record.change:+g})")
    assert value_of(game, record) == pytest.approx(moved)  # its month stands as played
    game.advance(1)
    assert value_of(game, record) == pytest.approx(before)  # set back from the next month on
    [after] = [m for m in game.computer_moves() if m.index == move.index]
    assert after.overruled and not after.open
    with pytest.raises(MoveError, match=r"^Overrule: that computer move can no longer be"):
        game.overrule(move.index)


def test_an_overrule_is_undone_without_replaying_the_game(tmp_path: Path, monkeypatch) -> None:
    game = red_game(tmp_path)
    until_a_computer_move(game)
    record = game.computer_moves()[0].record
    moved = value_of(game, record)
    game.overrule(game.computer_moves()[0].index)

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(sim.core.model, "compile_world", refuse)
    undone = game.undo()
    assert undone is not None and undone.move["kind"] == "overrule"
    assert game.model.labels == [] and game.computer_moves()[0].open
    game.advance(1)
    assert value_of(game, record) == pytest.approx(moved)  # the move stands: not set back


def test_the_export_replays_a_game_with_an_overrule_month_for_month(tmp_path: Path) -> None:
    game = overruled_game(tmp_path)
    exported = yaml.safe_load(game.export_yaml())
    kinds = [m["kind"] for m in exported["moves"]]
    assert kinds == ["gray_zone_coercion", "arms_transfer", "overrule", "dialogue"]
    overruled = game.computer_moves()[0].record
    assert exported["moves"][0]["months"] == 3
    assert exported["moves"][2]["decision"] == overruled.kind
    path = tmp_path / "played.yaml"
    path.write_text(game.export_yaml(), encoding="utf-8")
    definition = load_scenario(path)
    run = simulate(compile_world(definition), [0], seed=definition.seed)
    rows = game.model.datacollector.get_model_vars_dataframe()
    assert len(rows) == game.month + 1
    for name in rows.columns:  # every month, to the last bit
        assert np.asarray(rows[name]).tobytes() == run.model[name][: len(rows), 0].tobytes(), name
    tension = np.array(game.model.tension_history)
    assert tension.tobytes() == run.tension[: len(rows), 0].tobytes()
    assert (
        np.array(game.model.milex_history).tobytes()
        == run.countries["milex_usd_bn"][: len(rows), 0].tobytes()
    )
