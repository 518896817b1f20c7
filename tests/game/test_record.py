"""Game records as session files: saved atomically, read back exactly, refused plainly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.game import record as record_module
from sim.game.limits import MAX_REFERENCE, MAX_TEAM_NAME, MAX_TEXT, MAX_TITLE
from sim.game.record import (
    Action,
    GameRecord,
    Note,
    Seat,
    SessionChangedError,
    load,
    read,
    save,
    session_path,
    stamp_of,
    write,
)
from sim.scenario.moves import MOVES, Move
from sim.scenario.problems import ScenarioError

BASE = "name: small\nhorizon: 12\nseed: 4\n"


def game_record(game_id: str = "20261201-abcd", **fields) -> GameRecord:
    return GameRecord(**{"id": game_id, "scenario": "small", "base": BASE, "seed": 4, **fields})


def only_problem(exc: pytest.ExceptionInfo[ScenarioError]):
    """The one problem of a refused file (one clear message, not a list)."""
    assert len(exc.value.problems) == 1, str(exc.value)
    return exc.value.problems[0]


# -------------------------------------------------------------------------------------------
# Saving and loading

#: Whatever a team may type: any printable or control character, quotes, YAML markers.
TEXT = st.text(max_size=60) | st.sampled_from(
    ["yes", "null", "~", "- a", "a: b", "#", "'", '"', "|", "multi\nline\n", " lead", "trail "]
)


@st.composite
def actions(draw: st.DrawFn) -> list[Action]:
    found = []
    for number in range(1, draw(st.integers(0, 5)) + 1):
        kind = draw(st.sampled_from(list(MOVES)))
        origin = draw(st.sampled_from(["facilitator", "deck", "team"]))
        found.append(
            Action(
                id=number,
                month=draw(st.integers(0, 36)),
                origin=origin,
                seat="Blue" if origin == "team" else "",
                card="c1" if origin == "deck" else "",
                move=Move.new(kind).to_data(),
                rationale=draw(TEXT),
                status=draw(st.sampled_from(["pending", "accepted", "rejected"])),
                summary=draw(TEXT),
                ruling=draw(TEXT),
            )
        )
    return found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    played=actions(),
    notes=st.lists(st.builds(Note, month=st.integers(0, 36), text=TEXT), max_size=4),
    title=TEXT,
    base=st.sampled_from([BASE, BASE + "description: |\n  two\n  lines\n", "name: x\n\n\n"]),
)
def test_a_saved_record_loads_back_identical(
    played: list[Action], notes: list[Note], title: str, base: str, tmp_path: Path
) -> None:
    record = game_record(
        title=title,
        base=base,
        month=7,
        seats=[Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["CHN"])],
        actions=played,
        notes=notes,
        unscripted=["quarantine_declared"],
    )
    path = save(record, tmp_path)
    assert path == session_path(tmp_path, record.id)
    assert load(path) == record


def test_a_session_file_is_readable_yaml_with_the_scenario_as_a_block(tmp_path: Path) -> None:
    path = save(game_record(base=BASE), tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# geosim game session")
    assert "base: |\n  name: small\n  horizon: 12\n" in text
    assert yaml.safe_load(text)["geosim_session"] == record_module.FORMAT


@pytest.mark.parametrize("failing", ["replace", "fsync", "dump"])
def test_a_failing_save_leaves_the_previous_file_intact(
    failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = game_record(title="before")
    path = save(before, tmp_path)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    target = {"replace": (os, "replace"), "fsync": (os, "fsync"), "dump": (yaml, "dump")}[failing]
    monkeypatch.setattr(*target, broken)
    with pytest.raises(OSError, match="No space left"):
        save(game_record(title="after", month=3), tmp_path)
    monkeypatch.undo()
    assert load(path) == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_a_game_id_cannot_name_a_file_outside_the_sessions_folder(tmp_path: Path) -> None:
    for bad in ("../escape", "a/b", "", "UPPER", ".hidden"):
        with pytest.raises(ValueError, match="id"):
            game_record(game_id=bad)
    assert not (tmp_path.parent / "escape.yaml").exists()


# -------------------------------------------------------------------------------------------
# Refusing what is not a saved game


def test_a_missing_file_is_named_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError) as caught:
        load(path)
    problem = only_problem(caught)
    assert problem.file == str(path) and problem.message == "no such saved game"
    assert problem.hint and "geosim sessions" in problem.hint
    assert str(caught.value).splitlines()[0] == f"{path}: no such saved game"


def test_a_broken_yaml_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("geosim_session: 1\nid: abc-def\nseed: 4: 5\nscenario: x\n")
    with pytest.raises(ScenarioError) as caught:
        load(path)
    problem = only_problem(caught)
    assert (problem.file, problem.line, problem.message) == (str(path), 3, "not valid YAML")
    assert str(caught.value) == f"{path}:3: not valid YAML"


@pytest.mark.parametrize(
    "text",
    ["name: small\nhorizon: 12\n", "- a list\n", "just words\n", "", "\xff\xfe"],
    ids=["a-scenario", "a-list", "a-string", "empty", "not-utf8"],
)
def test_a_file_that_is_not_a_session_is_refused_in_one_line(text: str, tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load(path)
    problem = only_problem(caught)
    assert problem.file == str(path)
    assert "\n" not in problem.message
    assert "Traceback" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"seed": -1}, "seed"),
        ({"month": "soon"}, "month"),
        ({"turn_months": 0}, "turn_months"),
        ({"seats": [{"name": "Blue"}]}, "countries"),
        ({"actions": [{"id": 1, "month": 0, "origin": "spy", "move": {}}]}, "origin"),
        ({"bogus": 1}, "bogus"),
    ],
    ids=["negative-seed", "month-not-a-number", "turn-zero", "seat-holds-nothing", "origin", "key"],
)
def test_a_wrong_field_is_named_with_the_file(change: dict, named: str, tmp_path: Path) -> None:
    data = game_record().model_dump(mode="json") | change
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as caught:
        load(path)
    problem = only_problem(caught)
    assert problem.file == str(path)
    assert named in problem.message and "\n" not in problem.message
    # The session's own fields, not a scenario's, are what the file may hold.
    assert "baseline_year" not in str(caught.value)
    assert "Input should" not in str(caught.value)


def test_an_unknown_key_lists_the_session_keys(tmp_path: Path) -> None:
    data = {**game_record().model_dump(mode="json"), "notez": []}
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as caught:
        load(path)
    text = str(caught.value)
    assert "unknown key 'notez'" in text and "notes" in text and "actions" in text


# -------------------------------------------------------------------------------------------
# What a record may carry


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"title": "t" * (MAX_TITLE + 1)}, "title"),
        ({"deck": "d" * (MAX_REFERENCE + 1)}, "deck"),
        ({"scenario": "s" * (MAX_REFERENCE + 1)}, "scenario"),
        ({"seats": [{"name": "n" * (MAX_TEAM_NAME + 1), "countries": ["USA"]}]}, "name"),
        ({"notes": [{"month": 0, "text": "n" * (MAX_TEXT + 1)}]}, "text"),
        ({"seed": 2**63}, "seed"),
    ],
    ids=["title", "deck", "scenario", "team-name", "note", "seed"],
)
def test_a_record_cannot_carry_more_than_the_console_takes(fields: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        game_record(**fields)


@pytest.mark.parametrize("field", ["rationale", "ruling"])
def test_an_action_cannot_carry_a_longer_text_than_the_console_takes(field: str) -> None:
    fields = {"id": 1, "month": 0, "origin": "facilitator", "move": {"kind": "incident"}}
    Action(**fields, **{field: "x" * MAX_TEXT})
    with pytest.raises(ValueError, match=field):
        Action(**fields, **{field: "x" * (MAX_TEXT + 1)})


# -------------------------------------------------------------------------------------------
# One writer: a save checks that the file is still the one this writer last saw


def test_a_save_refuses_to_replace_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = save(game_record(title="first"), tmp_path)
    record, stamp = read(path)
    assert stamp == stamp_of(path)
    save(game_record(title="someone else's"), tmp_path)  # another writer, in between
    with pytest.raises(SessionChangedError):
        write(record.model_copy(update={"title": "mine"}), tmp_path, expect=stamp)
    assert load(path).title == "someone else's"
    _, mine = write(record.model_copy(update={"title": "mine"}), tmp_path, expect=stamp_of(path))
    assert mine == stamp_of(path) and load(path).title == "mine"
