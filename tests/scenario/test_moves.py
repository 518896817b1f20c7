"""The move menu: what a game, a deck and a form may put on the board.

Every kind builds a valid entry, bad values get plain one-line messages, and a form is never
offered an impossible choice.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.compile import compile_world
from sim.core.dynamics.menu import KINDS
from sim.game.decks import load_deck
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.loader import load_scenario
from sim.scenario.moves import (
    JOINABLE,
    MOVES,
    NAMES,
    Board,
    Move,
    MoveError,
    alliance_label,
    check_move,
    choices,
    move_entry,
    move_problems,
    played_move,
)
from sim.scenario.problems import ScenarioError
from sim.scenario.schema import Scenario

#: A shipped 36-month game with a collective-defence pact (joinable), treaties and partnerships.
PACT = "taiwan_strait_pact"
#: A shipped scenario whose minilaterals come into force later (the Quad at month 28, AUKUS at 74).
HISTORY = "history_2015_2023"
#: What a message must never show: a dotted field path or pydantic's raw wording.
DOTTED = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*")
RAW = ("Input should", "validation error", "Traceback", "type=")


@pytest.fixture(scope="module")
def pact_game(tmp_path_factory: pytest.TempPathFactory) -> Game:
    """A fresh game of the pact scenario at month 0 (nobody holds a seat)."""
    return Game.create(PACT, tmp_path_factory.mktemp("sessions"), game_id="moves-test")


@pytest.fixture(scope="module")
def board(pact_game: Game) -> Board:
    return pact_game.board()


def filled(kind: str, board: Board) -> Move:
    """A move of ``kind`` from its defaults, an empty alliance set to the form's first choice."""
    params = MOVES[kind].defaults()
    for spec in MOVES[kind].fields:
        if params[spec.name] in ("", None):
            offered = choices(kind, spec.name, board, params)
            if offered:
                params[spec.name] = offered[0]
    return Move(kind, params)


def with_entry(definition: Scenario, block: str, spec: dict[str, Any], month: int) -> Scenario:
    """The scenario with one entry added at ``month`` (as an inject adds it), validated."""
    data = definition.model_dump(mode="json", exclude_none=True)
    when = {"events": "step", "alliances": "start"}[block]
    data.setdefault(block, {})["entry_under_test"] = {**spec, when: month}
    return Scenario.model_validate(data)


def assert_plain(message: str, label: str, typed: tuple[str, ...] = ()) -> None:
    """One line starting with the label: no path, raw wording or alliance key not typed."""
    assert message.startswith(f"{label}: "), message
    assert "\n" not in message, message
    assert not DOTTED.search(message), message
    assert not any(raw in message for raw in RAW), message
    keys = set(load_scenario(PACT).alliances) - set(typed)
    assert not any(key in message for key in keys), message


# -------------------------------------------------------------------------------------------
# Every kind of the menu


@pytest.mark.parametrize("kind", list(MOVES))
def test_every_kind_builds_an_entry_the_game_accepts_from_its_defaults(
    kind: str, tmp_path: Path
) -> None:
    game = Game.create(PACT, tmp_path, game_id="every-kind")
    game.advance(2)
    move = filled(kind, game.board())
    entry = move_entry(move, game.board())
    assert entry.summary and "_" not in entry.summary
    action = game.inject(move, rationale="a test of the menu")
    if kind in ("form_alliance", "task_force"):  # a new alliance is compiled: an entry
        block = game.definition.alliances if entry.block == "alliances" else game.definition.events
        placed = block[action.entry]
        assert (placed.start if entry.block == "alliances" else placed.step) == 2
    else:  # every other move is played in array form, from this month
        assert action.entry == "moves[0]"
        placed = game.definition.moves[0]
        assert placed.month == 2 and placed.kind == kind
    assert placed.source


def test_the_default_join_offers_only_groupings_that_take_members(tmp_path: Path) -> None:
    # Regression: one click on the default "Join an alliance" made Vietnam join us_japan.
    game = Game.create("taiwan_strait_crisis", tmp_path, game_id="no-joinable")
    board = game.board()
    offered = choices("join_alliance", "alliance", board, {"actor": "VNM"})
    pacts = board.definition.alliances
    assert offered and all(pacts[a].type in ("collective_defence", "minilateral") for a in offered)
    assert "us_japan" not in offered
    bare = Game.create(
        "taiwan_strait_crisis", tmp_path, game_id="bare-world"
    ).board()  # the same rule where nothing takes members: a plain refusal
    bare.definition.alliances.clear()
    assert choices("join_alliance", "alliance", bare, {"actor": "VNM"}) == []
    with pytest.raises(MoveError) as caught:
        check_move(Move.new("join_alliance"), bare)
    assert_plain(str(caught.value), "Alliance")
    assert "form a pact first" in str(caught.value)


# -------------------------------------------------------------------------------------------
# Messages

NAN, INF = float("nan"), float("inf")

BAD = [
    pytest.param("exercises", {"months": -3}, "Months", id="negative-months"),
    pytest.param("exercises", {"months": 999}, "Months", id="months-beyond-the-game"),
    pytest.param("exercises", {"months": 2.5}, "Months", id="fractional-months"),
    pytest.param("exercises", {"months": NAN}, "Months", id="nan-months"),
    pytest.param("exercises", {"months": INF}, "Months", id="inf-months"),
    pytest.param("exercises", {"months": "soon"}, "Months", id="months-not-a-number"),
    pytest.param("exercises", {"per_year": 100}, "Exercises a year", id="too-many-exercises"),
    pytest.param("security_assistance", {"usd_m_per_year": -5}, "Funding", id="negative-funds"),
    pytest.param("forward_presence", {"level": 1.5}, "Presence", id="share-above-one"),
    pytest.param("exercises", {"per_year": "lots"}, "Exercises a year", id="not-a-number"),
    pytest.param("exercises", {"per_year": None}, "Exercises a year", id="no-number"),
    pytest.param("exercises", {"per_year": NAN}, "Exercises a year", id="nan-number"),
    pytest.param("arms_transfer", {"value_usd_m": INF}, "Value", id="inf-number"),
    pytest.param("dialogue", {"strength": "-inf"}, "Strength", id="inf-text"),
    pytest.param("exercises", {"actor": "XXX"}, "Actor", id="unknown-actor"),
    pytest.param("exercises", {"actor": ["USA"]}, "Actor", id="actor-not-a-code"),
    pytest.param("exercises", {"partners": ["ZZZ"]}, "Partners", id="unknown-partner"),
    pytest.param("exercises", {"partners": ["USA"]}, "Partners", id="actor-as-partner"),
    pytest.param("exercises", {"partners": []}, "Partners", id="no-partner"),
    pytest.param("incident", {"actor": "CHN", "other": "CHN"}, "Country B", id="same-two"),
    pytest.param("incident", {"level": "nuke"}, "Rung", id="unknown-rung"),
    pytest.param("form_alliance", {"alliance_type": "empire"}, "Type", id="unknown-type"),
    pytest.param(
        "join_alliance", {"actor": "VNM", "alliance": "us_japan"}, "Alliance", id="join-bilateral"
    ),
    pytest.param(
        "join_alliance",
        {"actor": "JPN", "alliance": "pacific_defence_pact"},
        "Alliance",
        id="join-own",
    ),
    pytest.param(
        "leave_alliance",
        {"actor": "VNM", "alliance": "pacific_defence_pact"},
        "Alliance",
        id="leave-not-in",
    ),
    pytest.param(
        "join_alliance", {"actor": "VNM", "alliance": "atlantis"}, "Alliance", id="no-such-pact"
    ),
    pytest.param(
        "set_clarity", {"actor": "JPN", "alliance": "us_japan"}, "Pledge", id="clarity-not-lead"
    ),
    pytest.param("exercises", {"tempo": 3}, "Exercises", id="unknown-field"),
]


@pytest.mark.parametrize(("kind", "params", "label"), BAD)
def test_a_bad_value_is_refused_in_one_plain_line_naming_the_field(
    kind: str, params: dict[str, Any], label: str, board: Board
) -> None:
    move = Move(kind, {**MOVES[kind].defaults(), **params})
    with pytest.raises(MoveError) as caught:
        move_entry(move, board)
    typed = tuple(str(v) for v in params.values())
    assert_plain(str(caught.value), label, typed)


def test_the_months_message_says_how_long_the_game_still_runs(tmp_path: Path) -> None:
    game = Game.create(PACT, tmp_path, game_id="months-left")
    game.advance(10)
    with pytest.raises(MoveError, match=r"^Months: at most 26 \(the game ends at month 36\)"):
        check_move(Move.new("exercises", months=27), game.board())
    assert check_move(Move.new("exercises", months=26), game.board()).params["months"] == 26


@pytest.mark.parametrize("make", [Move.new, lambda kind: Move.from_data({"kind": kind})])
def test_an_unknown_kind_is_named_in_one_line(make, board: Board) -> None:
    with pytest.raises(MoveError) as caught:
        make("blockade")
    message = str(caught.value)
    assert message.startswith("Kind of move: 'blockade' is not one of incident, exercises")
    assert "\n" not in message
    with pytest.raises(MoveError, match=r"^Kind of move: unknown kind of move 'blockade'"):
        check_move(Move("blockade", {}), board)


def test_a_single_partner_may_be_given_as_a_code(board: Board) -> None:
    move = check_move(Move.new("exercises", partners="PHL"), board)
    assert move.params["partners"] == ["PHL"]


def test_the_actor_and_repeats_are_dropped_from_partners(board: Board) -> None:
    move = check_move(Move.new("exercises", partners=["PHL", "USA", "PHL", "JPN"]), board)
    assert move.params["partners"] == ["PHL", "JPN"]


# -------------------------------------------------------------------------------------------
# What a form offers


@st.composite
def boards(draw: st.DrawFn, definitions: dict[str, Scenario]) -> Board:
    """A board of a shipped scenario at any month, with some members having joined or left."""
    definition = definitions[draw(st.sampled_from(sorted(definitions)))]
    month = draw(st.integers(0, definition.horizon - 1))
    members = {name: set(pact.members) for name, pact in definition.alliances.items()}
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(sorted(members)))
        code = draw(st.sampled_from(sorted(NAMES)))
        if draw(st.booleans()):
            members[name].add(code)
        elif len(members[name]) > 2:
            members[name].discard(code)
    return Board(definition, month, {n: frozenset(m) for n, m in members.items()})


DEFINITIONS = {name: load_scenario(name) for name in (PACT, HISTORY, "latticework")}


def in_force(board: Board, name: str) -> bool:
    pact = board.definition.alliances[name]
    return pact.start <= board.month and (pact.end is None or board.month < pact.end)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(board=boards(DEFINITIONS), actor=st.sampled_from(sorted(NAMES)))
def test_the_alliances_offered_are_only_possible_ones(board: Board, actor: str) -> None:
    pacts = board.definition.alliances
    joinable = choices("join_alliance", "alliance", board, {"actor": actor})
    leavable = choices("leave_alliance", "alliance", board, {"actor": actor})
    declarable = choices("set_clarity", "alliance", board, {"actor": actor})
    for name in joinable:
        assert pacts[name].type in JOINABLE and in_force(board, name)
        assert actor not in board.members[name]
    for name in leavable:
        assert actor in board.members[name] and in_force(board, name)
    for name in declarable:
        pact = pacts[name]
        assert in_force(board, name) and actor in pact.members
    # Nothing possible is held back: every joinable pact in force that the actor is not in.
    assert set(joinable) == {
        n
        for n, p in pacts.items()
        if p.type in JOINABLE and in_force(board, n) and actor not in board.members[n]
    }
    for kind, offered in (("join_alliance", joinable), ("leave_alliance", leavable)):
        for name in offered:
            entry = move_entry(Move.new(kind, actor=actor, alliance=name), board)
            with_entry(board.definition, entry.block, entry.spec, board.month)


def test_a_pledge_is_declared_by_the_state_the_model_treats_as_its_hub() -> None:
    definition = scenario(
        alliances={
            "japan_us": {"type": "bilateral_treaty", "members": ["JPN", "USA"]},
            "seato": {"type": "collective_defence", "members": ["THA", "PHL", "AUS"]},
            "ru_kp": {"type": "bilateral_treaty", "members": ["PRK", "RUS"], "hub": "RUS"},
        }
    )
    world = compile_world(definition)
    board = Board(definition, 0, {n: frozenset(p.members) for n, p in definition.alliances.items()})
    for k, name in enumerate(world.alliance_names):
        hub = world.codes[world.hub[k]]
        for code in definition.alliances[name].members:
            offered = name in choices("set_clarity", "alliance", board, {"actor": code})
            assert offered == (code == hub), (name, code, hub)


def test_a_pledge_is_declared_by_its_lead_only(board: Board) -> None:
    pacts = board.definition.alliances
    assert "pacific_defence_pact" in choices("set_clarity", "alliance", board, {"actor": "USA"})
    assert choices("set_clarity", "alliance", board, {"actor": "JPN"}) == []
    led_by_china = choices("set_clarity", "alliance", board, {"actor": "CHN"})
    assert led_by_china and all("CHN" in pacts[n].members for n in led_by_china)


def test_whether_a_pledge_reads_as_ambiguous_follows_its_clarity_now(tmp_path: Path) -> None:
    shipped = load_scenario("taiwan_strait_crisis")
    assert "ambiguity" not in alliance_label("us_taiwan_tra", shipped)  # no words: no number
    for clarity, words in (
        (0.4, "ambiguity"),
        (0.49, "ambiguity"),
        (0.5, "clarity"),
        (0.9, "clarity"),
    ):
        label = alliance_label("us_taiwan_tra", shipped, clarity=clarity)
        assert label.endswith(f"(Taiwan Relations Act (1979), strategic {words})"), label
    assert alliance_label("us_japan", shipped, clarity=1.0) == alliance_label("us_japan", shipped)
    assert alliance_label("us_japan", shipped, clarity=0.3).endswith("strategic ambiguity)")
    game = Game.create(
        "taiwan_strait_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA"])]
    )
    assert game.board().alliance_label("us_taiwan_tra").endswith("strategic ambiguity)")
    declared = Move.new("set_clarity", actor="USA", alliance="us_taiwan_tra", clarity=0.9)
    game.accept(game.submit("Blue", declared, "defend Taiwan").id)
    game.advance(1)
    label = game.board().alliance_label("us_taiwan_tra")
    assert label.endswith("strategic clarity)") and "ambiguity" not in label


@settings(max_examples=40, deadline=None)
@given(board=boards(DEFINITIONS), actor=st.sampled_from(sorted(NAMES)))
def test_partners_offered_never_include_the_actor(board: Board, actor: str) -> None:
    for kind, name in (("exercises", "partners"), ("incident", "other")):
        offered = choices(kind, name, board, {"actor": actor})
        assert actor not in offered and set(offered) == set(NAMES) - {actor}


@settings(max_examples=60, deadline=None)
@given(
    month=st.integers(0, load_scenario(PACT).horizon),
    months=st.integers(-40, 80),
    kind=st.sampled_from([k for k in MOVES if any(f.kind == "months" for f in MOVES[k].fields)]),
)
def test_durations_are_accepted_exactly_within_the_game(month: int, months: int, kind: str) -> None:
    definition = DEFINITIONS[PACT]
    members = {n: frozenset(p.members) for n, p in definition.alliances.items()}
    board = Board(definition, month, members)
    move = Move.new(kind, months=months)
    if month >= definition.horizon:
        with pytest.raises(MoveError, match=r"^The game has ended"):
            move_entry(move, board)
        return
    if 0 <= months <= definition.horizon - month:
        entry = move_entry(move, board)
        placed = with_entry(definition, entry.block, entry.spec, month)
        assert placed.events["entry_under_test"].duration == (months or None)
    else:
        with pytest.raises(MoveError) as caught:
            move_entry(move, board)
        assert_plain(str(caught.value), "Months")


# -------------------------------------------------------------------------------------------
# Moves as data


@st.composite
def moves(draw: st.DrawFn) -> Move:
    kind = draw(st.sampled_from(list(MOVES)))
    params: dict[str, Any] = {}
    for spec in MOVES[kind].fields:
        if not draw(st.booleans()):
            continue
        if spec.kind == "countries":
            params[spec.name] = draw(st.lists(st.sampled_from(sorted(NAMES)), max_size=3))
        elif spec.kind in ("number", "months"):
            params[spec.name] = draw(st.integers(0, 50) | st.floats(0, 1, allow_nan=False))
        else:
            params[spec.name] = draw(st.text(max_size=12))
    return Move.new(kind, **params)


@settings(max_examples=80, deadline=None)
@given(move=moves())
def test_a_move_survives_its_data_and_a_yaml_file(move: Move) -> None:
    data = move.to_data()
    assert data["kind"] == move.kind
    again = Move.from_data(yaml.safe_load(yaml.safe_dump(data)))
    assert again.to_data() == data
    assert again.kind == move.kind and again.actor == move.actor


def test_a_checked_move_round_trips_unchanged(board: Board) -> None:
    for kind in MOVES:
        move = filled(kind, board)
        checked = check_move(move, board)
        assert check_move(Move.from_data(checked.to_data()), board) == checked
        assert all(not isinstance(v, float) or math.isfinite(v) for v in checked.params.values())


NUMBERS = [
    (kind, spec.name)
    for kind, menu in MOVES.items()
    for spec in menu.fields
    if spec.kind == "number"
]


@pytest.mark.parametrize(("kind", "name"), NUMBERS, ids=[f"{k}-{n}" for k, n in NUMBERS])
def test_the_bounds_a_form_shows_are_the_ones_the_scenario_takes(
    kind: str, name: str, board: Board
) -> None:
    spec = MOVES[kind].field(name)
    assert spec.low is not None and spec.high is not None and spec.unit
    for value in (spec.low, (spec.low + spec.high) / 2, spec.high):
        move = filled(kind, board)
        entry = move_entry(Move(kind, {**move.params, name: value}), board)
        with_entry(board.definition, entry.block, entry.spec, board.month)


# -------------------------------------------------------------------------------------------
# One checker for the teams, the facilitator and the decks

SAME = [
    pytest.param("gray_zone_coercion", "CHN", {"intensity": 1.5}, "intensity", id="share"),
    pytest.param("exercises", "USA", {"per_year": 100}, "per_year", id="number"),
    pytest.param("security_assistance", "USA", {"usd_m_per_year": -5}, "usd_m_per_year",
                 id="money"),
    pytest.param("exercises", "USA", {"partners": ["ZZZ"]}, "partners", id="country"),
    pytest.param("incident", "CHN", {"other": "CHN"}, "other", id="same-two"),
    pytest.param("incident", "CHN", {"level": "nuke"}, "level", id="rung"),
    pytest.param("exercises", "USA", {"tempo": 3}, "tempo", id="unknown-field"),
    pytest.param("exercises", "USA", {"months": 2.5}, "months", id="months"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "actor", "params", "field"), SAME)
def test_a_deck_card_and_a_team_move_get_the_same_words_for_the_same_mistake(
    kind: str, actor: str, params: dict[str, Any], field: str, tmp_path: Path
) -> None:
    move = {"kind": kind, "actor": actor, **params}
    deck = tmp_path / "deck.yaml"
    deck.write_text(
        yaml.safe_dump(
            {
                "deck": "d",
                "scenario": PACT,
                "cards": {
                    "c": {
                        "title": "A card",
                        "rationale": "Why.",
                        "source": "judgement: a test",
                        "move": move,
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as in_deck:
        load_deck(deck)
    [problem] = [p for p in in_deck.value.problems if p.path == f"cards.c.move.{field}"]
    seats = [Seat(name="Blue", countries=["USA"]), Seat(name="Red", countries=["CHN"])]
    game = Game.create(PACT, tmp_path, seats=seats, game_id="same-words")
    team = "Red" if actor == "CHN" else "Blue"
    with pytest.raises(MoveError) as in_game:
        game.submit(team, Move(kind, {**MOVES[kind].defaults(), **move}), "a test")
    label = MOVES[kind].field(field).label if field != "tempo" else MOVES[kind].label
    assert str(in_game.value) == f"{label}: {problem.message}"


def test_one_checker_reports_every_problem_of_a_move_at_once(board: Board) -> None:
    data = {"kind": "exercises", "actor": "USA", "partners": ["XYZ"], "per_year": 99}
    move, problems = move_problems(data, board)
    assert move is None and [p.field for p in problems] == ["partners", "per_year"]
    assert move_problems({"kind": "exercises"}, board)[1] == []  # every default is fine


def test_the_menus_kinds_are_the_models_decision_kinds_where_they_coincide() -> None:
    mapped = {k: m.decision for k, m in MOVES.items() if m.decision is not None}
    assert set(mapped.values()) <= set(KINDS)
    assert mapped == {
        "exercises": "exercises",
        "security_assistance": "assistance",
        "forward_presence": "presence",
        "economic_inducement": "inducement",
        "economic_coercion": "economic_coercion",
        "gray_zone_coercion": "coercion",
        "deconfliction_channel": "channel",
        "set_clarity": "clarity",
    }


@pytest.mark.parametrize("kind", list(MOVES))
def test_every_kind_but_a_new_alliance_becomes_a_move_in_array_form(kind: str, board) -> None:
    move = filled(kind, board)
    played = played_move(move, board, source="judgement: a test", note="Facilitator: x")
    if kind in ("form_alliance", "task_force"):
        assert played is None  # the alliances are compiled: an entry of the scenario instead
        return
    assert played is not None and played.month == board.month and played.kind == kind
    assert played.actor == move.params["actor"]
