"""A live game: every action is saved and replays exactly; undo, seats, scripts and the export.

The board of a game is what the teams see (the month, the per-month tension and spending, the
Mesa data collector's rows, the model's state); "the same board" below means all of it, to the
last bit. A "server restart" is a new :class:`Game` read from the session file on disk.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import sim.core.model
from sim.cli import main
from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.core.metrics import MODEL_METRICS
from sim.game import record as record_module
from sim.game.limits import MAX_TEXT
from sim.game.play import Game, StaleError
from sim.game.record import Seat, load, read, session_path
from sim.scenario.loader import load_scenario
from sim.scenario.moves import Move, MoveError

#: A shipped 36-month crisis game (China's quarantine at month 3, US carriers at month 4).
CRISIS = "taiwan_strait_crisis"


def seats() -> list[Seat]:
    return [Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["CHN"])]


def new_game(folder: Path, game_id: str = "test-game", **options: Any) -> Game:
    return Game.create(
        CRISIS, folder, seats=options.pop("seats", seats()), game_id=game_id, **options
    )


def restarted(game: Game) -> Game:
    """The game as a restarted server finds it: read back from its session file."""
    return Game(load(session_path(game.folder, game.id)), game.folder)


def board(game: Game) -> dict[str, Any]:
    """Everything the board shows, copied."""
    model = game.model
    state = {
        name: getattr(model.state, name).copy()
        for name in ("alignment", "tension", "milex", "members", "clarity", "credibility")
    }
    return {
        "month": model.month,
        "tension_history": np.array(model.tension_history),
        "milex_history": np.array(model.milex_history),
        "model_rows": model.datacollector.get_model_vars_dataframe().copy(),
        "agent_rows": model.datacollector.get_agent_vars_dataframe().copy(),
        "events": [record.to_json() for record in model.events],
        **state,
    }


def assert_same_board(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for key, value in a.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, b[key], check_exact=True)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, b[key], err_msg=key)
        else:
            assert value == b[key], key


def assert_resumes(game: Game) -> Game:
    """The session file on disk rebuilds this very game; return the rebuilt one."""
    again = restarted(game)
    assert again.record == game.record
    assert_same_board(board(again), board(game))
    return again


# -------------------------------------------------------------------------------------------
# Every action is saved and resumes exactly


def test_after_every_action_the_saved_file_resumes_the_same_game(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    assert_resumes(game)
    steps = [
        lambda: game.advance(2),
        lambda: game.inject(
            Move.new("incident", actor="CHN", other="PHL", level="clash"), rationale="a test"
        ),
        lambda: game.submit("Blue", Move.new("exercises", partners=["PHL"], months=12), "reassure"),
        lambda: game.accept(game.pending()[0].id),
        lambda: game.advance(),
        lambda: game.submit("Red", Move.new("gray_zone_coercion", partners=["TWN"]), "squeeze"),
        lambda: game.accept(
            game.pending()[0].id,
            Move.new("gray_zone_coercion", partners=["TWN"], intensity=0.6, months=6),
            ruling="harder, for six months",
        ),
        lambda: game.inject(Move.new("form_alliance", partners=["JPN", "PHL"]), card="c-7"),
        lambda: game.submit("Blue", Move.new("security_assistance", partners=["TWN"]), "arm"),
        lambda: game.reject(game.pending()[0].id, "not this turn"),
        lambda: game.add_note("Blue hesitates"),
        lambda: game.undo(),
        lambda: game.undo(),
        lambda: game.advance(3),
        lambda: game.advance(),
    ]
    for step in steps:
        step()
        assert_resumes(game)
    assert game.month == 7
    statuses = [(a.origin, a.status) for a in game.record.actions]
    assert statuses == [
        ("facilitator", "accepted"),
        ("team", "accepted"),
        ("team", "accepted"),
        ("team", "pending"),
    ]  # the undos took back the last ruling (the rejection), then the card
    assert [n.text for n in game.record.notes] == ["Blue hesitates"]


def test_a_resumed_game_goes_on_as_if_never_stopped(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.advance(2)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="crisis"))
    resumed = restarted(game)
    for g in (game, resumed):
        g.inject(Move.new("dialogue", actor="CHN", partners=["PHL"], months=6))
        g.advance(4)
    assert_same_board(board(resumed), board(game))


def test_moves_at_the_same_month_replay_in_the_order_they_were_applied(tmp_path: Path) -> None:
    # Two declarations of one pledge at one month: the one applied last must hold after a resume.
    game = new_game(tmp_path)
    game.advance(1)
    plain = game.submit(
        "Blue", Move.new("set_clarity", alliance="us_taiwan_tra", clarity=1.0), "defend Taiwan"
    )
    game.inject(Move.new("set_clarity", alliance="us_taiwan_tra", clarity=0.0), rationale="x")
    game.accept(plain.id)
    assert game.undo().id == plain.id  # the last applied is the first taken back
    game.accept(plain.id)
    game.advance(2)
    tra = list(game.model.world.alliance_names).index("us_taiwan_tra")
    assert game.model.state.clarity[0, tra] == 1.0
    assert_resumes(game)


# -------------------------------------------------------------------------------------------
# Undo


def test_an_accepted_move_is_played_without_recompiling_and_equals_the_replayed_game(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    game = new_game(tmp_path)
    game.advance(4)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the scenario was compiled again")

    monkeypatch.setattr(sim.core.model, "compile_world", refuse)
    moves = [
        Move.new("gray_zone_coercion", actor="CHN", partners=["PHL"], intensity=0.5, months=2),
        Move.new("economic_coercion", actor="CHN", partners=["JPN"], intensity=0.4),
        Move.new("incident", actor="CHN", other="TWN", level="standoff"),
        Move.new("arms_transfer", actor="USA", partners=["PHL"], value_usd_m=700),
        Move.new("set_clarity", actor="USA", alliance="us_taiwan_tra", clarity=0.9),
    ]
    for move in moves[:3]:
        game.inject(move, rationale="a test")
    for move in moves[3:]:
        game.accept(game.submit("Blue", move, "a move").id)
    assert game.model.labels == [f"moves[{i}]" for i in range(5)]
    game.advance(3)
    monkeypatch.undo()
    assert_resumes(game)  # the board rebuilt from the record: the same, to the last bit


def test_undo_restores_the_board_exactly(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.advance(3)
    pact = game.inject(Move.new("form_alliance", partners=["JPN", "PHL", "AUS"])).entry
    game.advance(1)
    moves = [
        lambda: game.inject(Move.new("incident", actor="CHN", other="JPN", level="crisis")),
        lambda: game.inject(Move.new("form_alliance", partners=["KOR", "PHL"])),
        lambda: game.inject(Move.new("join_alliance", actor="VNM", alliance=pact)),
        lambda: game.inject(Move.new("leave_alliance", actor="PHL", alliance="us_philippines")),
        lambda: game.inject(Move.new("set_clarity", alliance=pact, clarity=0.2)),
        lambda: game.accept(game.submit("Blue", Move.new("task_force", partners=["PHL"])).id),
    ]
    for move in moves:
        before = board(game)
        done = move()
        assert_resumes(game)
        undone = game.undo()
        assert undone is not None and undone.id == done.id
        assert_same_board(board(game), before)
        assert_resumes(game)
    assert [a.entry for a in game.accepted()] == [pact]


def test_undo_never_rewrites_a_month_already_played(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.advance(2)
    game.inject(Move.new("incident", actor="CHN", other="PHL"))
    game.inject(Move.new("economic_coercion", partners=["JPN"], intensity=0.9))
    game.advance(5)
    before = board(game)
    with pytest.raises(MoveError, match=r"Nothing to undo this turn: the last action \(month 2\)"):
        game.undo()
    assert_same_board(board(game), before)
    assert len(game.accepted()) == 2 and game.month == 7


def test_an_action_on_an_old_view_of_the_game_does_nothing(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    seen = game.revision
    game.advance(expect=seen)  # the first click
    with pytest.raises(StaleError, match="Nothing done: the game changed a moment ago"):
        game.advance(expect=seen)  # the second click of a double click
    with pytest.raises(StaleError):
        game.inject(Move.new("incident", actor="CHN", other="PHL"), expect=seen)
    assert game.month == 1 and game.accepted() == []
    move = Move.new("exercises", partners=["PHL"])
    game.submit("Blue", move, "drill")
    with pytest.raises(MoveError, match="Already sent"):
        game.submit("Blue", move, "drill")
    assert len(game.pending()) == 1


def test_an_undone_team_move_goes_back_to_pending_as_submitted(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.advance(2)
    submitted = game.submit("Blue", Move.new("exercises", partners=["PHL"], per_year=6), "drill")
    as_submitted = submitted.model_copy(deep=True)
    before = board(game)
    game.accept(submitted.id, Move.new("exercises", partners=["PHL"], per_year=2), "fewer")
    assert game.accepted()[-1].original == as_submitted.move
    game.undo()
    assert_same_board(board(game), before)
    (pending,) = game.pending("Blue")
    assert pending.id == submitted.id and pending.status == "pending"
    assert pending.move == as_submitted.move and pending.original is None
    assert pending.summary == as_submitted.summary and pending.entry == ""
    assert_resumes(game)
    game.accept(pending.id)  # it can be ruled on again
    assert game.accepted()[-1].move == as_submitted.move


# -------------------------------------------------------------------------------------------
# One writer: nothing confirmed is lost, nothing unsaved is shown


CLASH = Move.new("incident", actor="CHN", other="PHL", level="clash")


def test_a_game_whose_file_changed_under_it_refuses_to_overwrite_it(tmp_path: Path) -> None:
    one = new_game(tmp_path)
    path = session_path(tmp_path, one.id)
    record, stamp = read(path)
    other = Game(record, tmp_path, stamp=stamp)  # a second writer on the same file
    one.submit("Blue", Move.new("exercises", partners=["PHL"]), "first")
    with pytest.raises(MoveError, match="Nothing done: the session file of this game changed"):
        other.submit("Red", Move.new("gray_zone_coercion", partners=["PHL"]), "second")
    assert other.record == load(path)  # it now shows the game as the file has it
    other.submit("Red", Move.new("gray_zone_coercion", partners=["PHL"]), "second")
    saved = load(path).actions
    assert [(a.id, a.rationale) for a in saved] == [(1, "first"), (2, "second")]
    with pytest.raises(MoveError, match="changed"):
        one.advance()  # and now the first writer is the one behind
    assert load(path).month == 0 and [a.id for a in load(path).actions] == [1, 2]


def test_a_game_whose_file_is_gone_refuses_every_action_and_writes_nothing(
    tmp_path: Path,
) -> None:
    game = new_game(tmp_path)
    path = session_path(tmp_path, game.id)
    path.unlink()  # removed by hand while the game is live
    for attempt in (game.advance, lambda: game.add_note("still here?")):
        with pytest.raises(MoveError, match=f"Game {game.id} can no longer be played here"):
            attempt()
    assert not path.exists()


def test_an_action_that_cannot_be_saved_is_not_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    game = new_game(tmp_path)
    game.advance(1)
    before, path = board(game), session_path(tmp_path, game.id)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", full)
    with pytest.raises(MoveError, match=r"Not saved: .*No space left on device\); nothing done"):
        game.inject(CLASH, rationale="lost?")
    monkeypatch.undo()
    assert game.accepted() == [] and game.record == load(path)
    assert_same_board(board(game), before)
    game.inject(CLASH, rationale="kept")
    assert [a.rationale for a in load(path).actions] == ["kept"]


def test_a_new_game_never_replaces_a_saved_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = new_game(tmp_path, game_id="20261201-same")
    first.advance(2)
    with pytest.raises(ValueError, match="20261201-same is already saved"):
        new_game(tmp_path, game_id="20261201-same")
    ids = iter(["20261201-same", "20261201-next"])  # a random id that is taken is drawn again
    monkeypatch.setattr(record_module, "new_id", lambda: next(ids))
    assert Game.create(CRISIS, tmp_path).id == "20261201-next"
    assert load(session_path(tmp_path, "20261201-same")).month == 2


def test_texts_longer_than_the_console_takes_are_refused_in_one_line(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    long = "x" * (MAX_TEXT + 1)
    move = Move.new("exercises", partners=["PHL"])
    attempts = {
        "Rationale": lambda: game.inject(CLASH, rationale=long),
        "Rationale ": lambda: game.submit("Blue", move, long),
        "Note": lambda: game.add_note(long),
    }
    for label, attempt in attempts.items():
        with pytest.raises(MoveError, match=rf"^{label.strip()}: at most 2,000 characters"):
            attempt()
    pending = game.submit("Blue", move, "fine")
    with pytest.raises(MoveError, match=r"^Ruling: at most 2,000 characters"):
        game.reject(pending.id, long)
    with pytest.raises(MoveError, match=r"^Ruling: at most 2,000 characters"):
        game.accept(pending.id, ruling=long)
    assert game.record == load(session_path(tmp_path, game.id))
    assert [a.status for a in game.record.actions] == ["pending"] and game.record.notes == []


@pytest.mark.parametrize("typed", ["1_0", "٣", "0x10", "1e400", "nan", "１２"])
def test_a_number_not_in_plain_decimal_digits_is_refused(typed: str, tmp_path: Path) -> None:
    game = new_game(tmp_path)
    for field, value in (("per_year", typed), ("months", typed)):
        params = {"actor": "USA", "partners": ["PHL"], "per_year": "4", "months": "6"}
        move = Move("exercises", {**params, field: value})
        with pytest.raises(MoveError, match="plain decimal digits"):
            game.inject(move)
        with pytest.raises(MoveError, match="plain decimal digits"):
            game.submit("Blue", move)
    assert game.record.actions == []


# -------------------------------------------------------------------------------------------
# Seats and scripts


def test_a_team_cannot_move_a_state_it_does_not_hold(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    with pytest.raises(MoveError) as caught:
        game.submit("Red", Move.new("exercises", actor="USA"), "sneaky")
    message = str(caught.value)
    assert message == "Actor: the Red team holds China, not the United States"
    with pytest.raises(MoveError, match=r"^Team: there is no team called 'Green'"):
        game.submit("Green", Move.new("exercises"))
    assert game.record.actions == [] and restarted(game).record.actions == []


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        (
            [Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["JPN"])],
            "Japan",
        ),
        ([Seat(name="Blue", countries=["USA", "USA"])], "the United States"),
        ([Seat(name="Blue", countries=["USA", "XYZ"])], "'XYZ'"),
    ],
    ids=["two-seats", "one-seat-twice", "unknown-state"],
)
def test_seats_must_hold_distinct_states_of_the_game(
    teams: list[Seat], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"^Seats: ") as caught:
        new_game(tmp_path, seats=teams)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # nothing saved


def decided_by(event: Any) -> str:
    """The state whose decision a scripted event is."""
    if event.kind == "policy":
        return event.policy.actor
    if event.kind == "incident":
        return event.actors[0]
    return getattr(event, "country", "")


@pytest.mark.parametrize("held", [["USA"], ["CHN"], ["USA", "CHN"], ["VNM"]])
def test_held_states_leave_their_script_and_the_others_keep_theirs(
    held: list[str], tmp_path: Path
) -> None:
    script = load_scenario(CRISIS).events
    game = new_game(tmp_path, seats=[Seat(name="Team", countries=held)])
    left_out = {name for name, event in script.items() if decided_by(event) in held}
    assert set(game.record.unscripted) == left_out
    assert set(game.definition.events) == set(script) - left_out
    kept = new_game(
        tmp_path, "kept-script", seats=[Seat(name="T", countries=held)], keep_script=True
    )
    assert kept.record.unscripted == [] and set(kept.definition.events) == set(script)
    assert_resumes(game)


def test_without_seats_the_script_plays_as_geosim_run_plays_it(tmp_path: Path) -> None:
    game = Game.create(CRISIS, tmp_path, game_id="no-seats")
    game.advance(12)
    run = simulate(compile_world(load_scenario(CRISIS)), 1)
    for name in MODEL_METRICS:
        np.testing.assert_array_equal(
            game.model.datacollector.get_model_vars_dataframe()[name].to_numpy(),
            run.model[name][:13, 0],
        )


# -------------------------------------------------------------------------------------------
# The end of the game


def test_nothing_can_be_played_past_the_horizon(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    game.advance(30)
    late = game.submit("Blue", Move.new("exercises", partners=["PHL"]), "late")
    assert game.advance(100) == 6 and game.month == 36 and game.finished
    assert game.advance() == 0 and game.month == 36
    with pytest.raises(MoveError, match=r"^The game has ended \(month 36\)"):
        game.inject(Move.new("incident"))
    with pytest.raises(MoveError, match=r"^The game has ended"):
        game.submit("Blue", Move.new("exercises", partners=["PHL"]))
    with pytest.raises(MoveError, match=r"^The game has ended"):
        game.accept(late.id)
    assert game.pending() == [late] and late.month == 30 and late.ruling == ""
    game.add_note("debrief")  # notes are still taken
    assert_resumes(game)


def test_a_failed_ruling_leaves_the_move_pending_as_it_was(tmp_path: Path) -> None:
    game = new_game(tmp_path)
    move = game.submit("Blue", Move.new("exercises", partners=["PHL"], months=36), "long")
    game.advance(2)
    with pytest.raises(MoveError, match=r"^Months: at most 34"):
        game.accept(move.id, ruling="fine")
    (pending,) = game.pending()
    assert (pending.month, pending.ruling, pending.original) == (0, "", None)
    game.save()
    assert restarted(game).pending()[0] == pending


# -------------------------------------------------------------------------------------------
# The export


def played_game(folder: Path) -> Game:
    """A game with every kind of action: injects, a card, accepted, amended and rejected moves."""
    game = new_game(folder, "export-game", seed=7)
    game.advance(2)
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"), rationale="a clash")
    blue = game.submit("Blue", Move.new("exercises", partners=["PHL"], per_year=6, months=12), "r")
    game.accept(blue.id)
    game.advance(2)
    red = game.submit("Red", Move.new("gray_zone_coercion", partners=["TWN"], intensity=0.5), "")
    game.accept(red.id, Move.new("gray_zone_coercion", partners=["TWN"], intensity=0.8), "more")
    game.inject(Move.new("form_alliance", partners=["JPN", "AUS"], alliance_type="minilateral"))
    game.inject(Move.new("economic_coercion", partners=["JPN"]), card="card-3")
    no = game.submit("Blue", Move.new("arms_transfer", partners=["TWN"]), "arm")
    game.reject(no.id, "not now")
    game.add_note("a note")
    game.advance(3)
    return game


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Game, dict[str, Any]]:
    game = played_game(tmp_path_factory.mktemp("sessions"))
    return game, yaml.safe_load(game.export_yaml())


def test_the_export_has_a_name_of_its_own_and_says_whose_each_entry_is(exported) -> None:
    game, data = exported
    assert data["name"] not in (CRISIS, "hub_and_spoke", "")
    assert game.id in data["name"] and "extends" not in data
    other = new_game(game.folder, "other-game")
    assert yaml.safe_load(other.export_yaml())["name"] != data["name"]
    placed = game.accepted()
    assert len(placed) == 5
    for action in placed:
        spec = entry_of(data, action.entry)
        assert isinstance(spec["source"], str) and spec["source"].strip(), action.entry
        if "policy" in spec:
            assert spec["policy"]["source"].strip(), action.entry
        assert spec["note"].startswith(f"{action.who}: "), spec["note"]
    whose = {entry_of(data, a.entry)["note"].split(":")[0] for a in placed}
    assert whose == {"Facilitator", "Blue team", "Red team", "Inject card"}
    # every move is in array form but the new alliance, which is compiled
    assert [a.entry.startswith("moves[") for a in placed] == [True, True, True, False, True]
    assert [m["kind"] for m in data["moves"]] == [
        "incident",
        "exercises",
        "gray_zone_coercion",
        "economic_coercion",
    ]
    rejected = next(a for a in game.record.actions if a.status == "rejected")
    assert not any(m["kind"] == "arms_transfer" for m in data["moves"])
    assert rejected.entry == ""
    assert "Blue" in data["description"] and "Red" in data["description"]
    assert data["seed"] == 7
    amended = next(a for a in placed if a.original is not None)
    assert entry_of(data, amended.entry)["value"] == 0.8  # the ruling, not the proposal


def entry_of(data: dict[str, Any], entry: str) -> dict[str, Any]:
    """An action's place in an exported scenario: its move under ``moves:``, or its entry."""
    if entry.startswith("moves["):
        return data["moves"][int(entry[6:-1])]
    return {**data["events"], **data["alliances"]}[entry]


def geosim_run(text: str, folder: Path) -> Path:
    """``geosim run`` of a scenario text, one replicate; return its output folder."""
    folder.mkdir()
    scenario, out = folder / "played.yaml", folder / "out"
    scenario.write_text(text, encoding="utf-8")
    args = ["run", str(scenario), "--replicates", "1", "--out", str(out), "-q"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def assert_reproduces(game: Game, out: Path) -> None:
    """The run's files hold the game's months, to the last bit the files can hold.

    The metrics to the CSV's six digits, the events exactly, and the simulation behind them
    (the resolved scenario the run wrote, simulated again) exactly.
    """
    month = game.month
    rows = game.model.datacollector.get_model_vars_dataframe()
    with (out / "model.csv").open(newline="") as handle:
        table = [row for row in csv.DictReader(handle) if int(row["step"]) <= month]
    assert len(table) == len(rows) == month + 1
    for name in MODEL_METRICS:
        assert [float(f"{v:.6g}") for v in rows[name]] == [float(r[name]) for r in table], name
    lines = (out / "events.jsonl").read_text().splitlines()
    events = [e for e in map(json.loads, lines) if e["step"] <= month]
    assert events == [json.loads(json.dumps(r.to_json())) for r in game.model.events]
    resolved = load_scenario(str(out / "scenario.resolved.yaml"))
    run = simulate(compile_world(resolved), 1)
    for name in MODEL_METRICS:
        np.testing.assert_array_equal(run.model[name][: month + 1, 0], rows[name].to_numpy())


def test_geosim_run_of_the_export_reproduces_the_game(exported, tmp_path: Path) -> None:
    game, _ = exported
    assert_reproduces(game, geosim_run(game.export_yaml(), tmp_path / "live"))


def test_geosim_run_of_a_resumed_games_export_reproduces_it(exported, tmp_path: Path) -> None:
    game, _ = exported
    resumed = restarted(game)
    assert resumed.export_yaml() == game.export_yaml()
    assert_reproduces(resumed, geosim_run(resumed.export_yaml(), tmp_path / "resumed"))


def test_a_game_resumes_after_a_move_a_conditional_event_made_possible(tmp_path: Path) -> None:
    # Thailand joins the pact when a condition is met; its leaving again must survive a restart.
    scenario = tmp_path / "conditional.yaml"
    scenario.write_text(
        "name: conditional_join\nextends: taiwan_strait_pact\nhorizon: 12\nevents:\n"
        "  thailand_joins:\n    kind: join_alliance\n    when: 'step >= 2'\n"
        "    alliance: pacific_defence_pact\n    country: THA\n"
    )
    game = Game.create(str(scenario), tmp_path / "sessions", game_id="conditional")
    game.advance(4)
    assert "THA" in game.board().members["pacific_defence_pact"]
    game.inject(Move.new("leave_alliance", actor="THA", alliance="pacific_defence_pact"))
    game.advance(2)
    assert "THA" not in game.board().members["pacific_defence_pact"]
    assert_resumes(game)


def test_a_held_states_pledges_and_dated_policies_are_its_teams_to_decide(tmp_path: Path) -> None:
    usa = [Seat(name="Blue", countries=["USA"])]
    clarity = Game.create("taiwan_strait_clarity", tmp_path / "a", seats=usa)
    shipped = load_scenario("taiwan_strait_clarity")
    declared = [n for n, e in shipped.events.items() if e.kind in ("set_clarity", "set_commitment")]
    assert declared and set(declared) <= set(clarity.record.unscripted)
    retreat = Game.create("us_retrenchment", tmp_path / "b", seats=usa)
    dated = [n for n, p in load_scenario("us_retrenchment").policies.items() if p.start > 0]
    assert dated and set(dated) <= set(retreat.record.unscripted)
    assert not set(dated) & set(retreat.base.policies)
    standing = [n for n, p in retreat.base.policies.items() if p.actor == "USA"]
    assert standing  # the policies in force at month 0 are the world as the game finds it
