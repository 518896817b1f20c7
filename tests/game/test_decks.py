"""Inject decks: the shipped decks play, YAML and CSV say the same, bad decks say where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sim.game import decks
from sim.game.decks import Card, Deck, deck_for, fire, load_deck, shipped_decks
from sim.game.play import Game
from sim.game.record import load, session_path
from sim.scenario.citations import check_citation, shipped_sources
from sim.scenario.loader import load_scenario
from sim.scenario.moves import Move, MoveError
from sim.scenario.problems import Problem, ScenarioError, display_path
from sim.scenario.resources import checkout, decks_dir

SHIPPED = {name: load_deck(name) for name in shipped_decks()}
CARDS = [(deck, card) for deck in SHIPPED.values() for card in deck.cards]


def _fresh(deck: Deck, folder: Path, month: int) -> Game:
    game = Game.create(deck.scenario, folder)
    game.advance(month)
    return game


def _placed(data: dict, entry: str) -> dict:
    """Where a played card sits in a scenario's data: its move under ``moves:``, or its entry."""
    if entry.startswith("moves["):
        return data["moves"][int(entry[6:-1])]
    return {**data.get("events", {}), **data.get("alliances", {})}[entry]


# --------------------------------------------------------------------------------------------
# The shipped decks


def test_a_deck_is_shipped_for_each_crisis_game() -> None:
    assert set(SHIPPED) == {"scs_crisis", "taiwan_strait_crisis"}
    for name, deck in SHIPPED.items():
        assert deck.scenario == name and deck.description
        assert 8 <= len(deck.cards) <= 12, name
        assert len({c.id for c in deck.cards}) == len(deck.cards)
        assert all(c.title and c.rationale and c.source and c.month is not None for c in deck.cards)
        assert deck_for(name) == deck
    assert deck_for("scenarios/taiwan_strait_crisis.yaml") == SHIPPED["taiwan_strait_crisis"]
    assert deck_for("hub_and_spoke") is None


@pytest.mark.skipif(checkout() is None, reason="in a wheel the decks are package data")
def test_the_shipped_decks_are_the_checkout_folder() -> None:
    root = checkout()
    assert root is not None and decks_dir() == root / "scenarios" / "decks"
    assert set(shipped_decks()) == {p.stem for p in decks_dir().glob("*.yaml")}


def test_every_card_source_is_collected_for_the_citation_check() -> None:
    origins = [c.origin for c in shipped_sources() if c.origin.startswith("scenarios/decks/")]
    for name, deck in SHIPPED.items():
        for card in deck.cards:
            at = rf"^scenarios/decks/{name}\.yaml:\d+ cards\.{card.id}\.source"
            assert any(re.match(at, o) for o in origins), (name, card.id)


@pytest.mark.parametrize(("deck", "card"), CARDS, ids=[f"{d.name}-{c.id}" for d, c in CARDS])
def test_every_card_fires_on_a_fresh_game_of_its_scenario_at_its_month(
    deck: Deck, card: Card, tmp_path: Path
) -> None:
    game = _fresh(deck, tmp_path, card.month or 0)
    expected = card.summary(game.board())
    action = fire(game, card)
    assert (action.origin, action.card, action.rationale) == ("deck", card.id, card.rationale)
    assert action.status == "accepted" and action.month == card.month
    assert action.summary == expected
    assert _placed(game.definition.model_dump(mode="json"), action.entry)
    # Plain words: no ids, no codes, no snake_case names.
    assert "_" not in action.summary and card.id not in action.summary
    assert not re.search(r"\b[A-Z]{3}\b", action.summary), action.summary
    assert not re.search(r"\b[A-Z]{3}\b", card.title) and "_" not in card.title


# --------------------------------------------------------------------------------------------
# A fired card in the record and the export


def test_a_fired_card_is_marked_as_a_card_in_the_record_and_the_export(tmp_path: Path) -> None:
    deck = SHIPPED["taiwan_strait_crisis"]
    card = deck.card("quarantine_enforced")
    game = _fresh(deck, tmp_path, 3)
    by_card = fire(game, card)
    by_hand = game.inject(Move.new("incident", actor="CHN", other="TWN", level="standoff"))

    saved = load(session_path(tmp_path, game.id)).actions
    assert [(a.origin, a.card, a.rationale) for a in saved] == [
        ("deck", "quarantine_enforced", card.rationale),
        ("facilitator", "", ""),
    ]

    exported = yaml.safe_load(game.export_yaml())
    from_card = _placed(exported, by_card.entry)
    from_hand = _placed(exported, by_hand.entry)
    assert from_card["note"].startswith("Inject card: ")
    assert from_hand["note"].startswith("Facilitator: ")
    assert from_card["source"].strip() and card.rationale in from_card["source"]
    assert from_card["source"].startswith(card.source)  # the card's citation goes with it
    assert check_citation(from_card["source"]) == [] and check_citation(from_hand["source"]) == []
    assert "inject cards: 1" in exported["description"]
    path = tmp_path / "played.yaml"
    path.write_text(game.export_yaml(), encoding="utf-8")
    assert _placed(load_scenario(path).model_dump(mode="json"), by_card.entry)


def test_a_card_that_cannot_be_played_now_is_refused_in_one_plain_line(tmp_path: Path) -> None:
    deck = SHIPPED["taiwan_strait_crisis"]
    game = _fresh(deck, tmp_path, 30)
    with pytest.raises(MoveError) as caught:
        fire(game, deck.card("quarantine_enforced"))  # 12 months, 6 left
    assert str(caught.value) == "Months: at most 6 (the game ends at month 36); 0 runs to the end"
    assert game.record.actions == []


def test_a_deck_gives_its_cards_by_id() -> None:
    deck = SHIPPED["scs_crisis"]
    assert deck.card("boarding").move.params["level"] == "clash"
    with pytest.raises(KeyError, match="no card 'nope'"):
        deck.card("nope")


# --------------------------------------------------------------------------------------------
# YAML and CSV

YAML_DECK = """\
deck: mine
scenario: scs_crisis
description: Three cards.
cards:
  drills:
    title: Drills
    month: 2
    rationale: Why drills.
    source: "judgement: four a year"
    move: {kind: exercises, actor: JPN, partners: [PHL, VNM], per_year: 4, months: 12}
  cutter:
    title: A cutter
    rationale: Why a cutter.
    source: [fact:us_vietnam_coast_guard_cutters_delivered, "judgement: US$ 20 m"]
    move: {kind: arms_transfer, actor: USA, partners: [VNM], value_usd_m: 20, item: a cutter}
  clash:
    title: A clash
    month: 8
    rationale: Why a clash.
    source: "judgement: the clash rung"
    move: {kind: incident, other: PHL, level: clash}
"""

CSV_DECK = (
    "# deck: mine\n"
    "# scenario: scs_crisis\n"
    "# description: Three cards.\n"
    "id,title,month,rationale,source,kind,actor,other,partners,level,months,per_year,value_usd_m,"
    "item\n"
    "drills,Drills,2,Why drills.,judgement: four a year,exercises,JPN,,PHL;VNM,,12,4,,\n"
    "cutter,A cutter,,Why a cutter.,"
    "fact:us_vietnam_coast_guard_cutters_delivered; judgement: US$ 20 m,"
    "arms_transfer,USA,,VNM,,,,20,a cutter\n"
    "\n"
    "clash,A clash,8,Why a clash.,judgement: the clash rung,incident,,PHL,,clash,,,,\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_csv_decks_with_the_same_cards_give_the_same_moves(tmp_path: Path) -> None:
    from_yaml = load_deck(_write(tmp_path, "mine.yaml", YAML_DECK))
    from_csv = load_deck(str(_write(tmp_path, "mine.csv", CSV_DECK)))
    assert (from_csv.name, from_csv.scenario, from_csv.description) == (
        "mine",
        "scs_crisis",
        "Three cards.",
    )
    assert from_csv.cards == from_yaml.cards
    drills = from_yaml.card("drills")
    assert drills.move == Move.new(
        "exercises", actor="JPN", partners=["PHL", "VNM"], per_year=4.0, months=12
    )
    assert from_yaml.card("cutter").month is None
    assert from_yaml.card("clash").move.params["actor"] == "CHN"  # a blank takes the default


def test_partners_in_a_csv_deck_may_be_separated_by_spaces(tmp_path: Path) -> None:
    text = CSV_DECK.replace("PHL;VNM", "PHL VNM")
    assert load_deck(_write(tmp_path, "spaces.csv", text)).card("drills").move.params[
        "partners"
    ] == ["PHL", "VNM"]


def test_a_csv_deck_needs_no_header_notes(tmp_path: Path) -> None:
    body = "\n".join(line for line in CSV_DECK.splitlines() if not line.startswith("#"))
    deck = load_deck(_write(tmp_path, "plain.csv", body))
    assert (deck.name, deck.scenario, len(deck.cards)) == ("plain", "", 3)


# --------------------------------------------------------------------------------------------
# Bad decks: every problem says where

BASE = """\
deck: test
scenario: taiwan_strait_crisis
cards:
  c:
    title: A card
    month: 3
    rationale: Why.
    source: "judgement: a test"
    move:
      kind: gray_zone_coercion
      actor: CHN
      partners: [TWN]
      intensity: 0.5
      months: 12
"""


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_deck(path)
    return caught.value.problems


@pytest.mark.parametrize(
    ("old", "new", "line", "where", "message", "hint"),
    [
        (
            "kind: gray_zone_coercion",
            "kind: gray_zone",
            10,
            "cards.c.move.kind",
            "unknown kind of move 'gray_zone'",
            "did you mean 'gray_zone_coercion'?",
        ),
        (
            "intensity: 0.5",
            "intensty: 0.5",
            13,
            "cards.c.move.intensty",
            "a move of kind 'gray_zone_coercion' has no field 'intensty'",
            "did you mean 'intensity'?",
        ),
        (
            "intensity: 0.5",
            "intensity: 1.5",
            13,
            "cards.c.move.intensity",
            "expected a number from 0 to 1, got 1.5",
            "Intensity",
        ),
        (
            "intensity: 0.5",
            "intensity: high",
            13,
            "cards.c.move.intensity",
            "expected a number, got 'high'",
            "write a plain number",
        ),
        (
            "months: 12",
            "months: 40",
            14,
            "cards.c.move.months",
            "at most 33 months when fired at month 3 (the scenario ends at month 36), got 40",
            "0 runs to the end",
        ),
        (
            "partners: [TWN]",
            "partners: [TWM]",
            12,
            "cards.c.move.partners",
            "unknown country 'TWM'",
            "did you mean 'TWN'?",
        ),
        (
            "actor: CHN",
            "actor: China",
            11,
            "cards.c.move.actor",
            "unknown country 'China'",
            "CHN",
        ),
        (
            "partners: [TWN]",
            "partners: [CHN, TWN]",
            12,
            "cards.c.move.partners",
            "CHN is the actor and cannot be its own partner",
            None,
        ),
        (
            "    rationale: Why.\n",
            "",
            4,
            "cards.c.rationale",
            "required key 'rationale' is missing",
            "add 'rationale:'",
        ),
        (
            '    source: "judgement: a test"\n',
            '    source: ""\n',
            8,
            "cards.c.source",
            "a card needs its source",
            "judgement",
        ),
        (
            "    month: 3",
            "    month: 36",
            6,
            "cards.c.month",
            "the scenario ends at month 36: a card can be played until month 35, not 36",
            None,
        ),
        (
            "    month: 3",
            "    month: soon",
            6,
            "cards.c.month",
            "expected a whole number, got 'soon'",
            None,
        ),
        (
            "    title: A card",
            "    titel: A card",
            5,
            "cards.c.titel",
            "unknown key 'titel'",
            "did you mean 'title'?",
        ),
        ("  c:", "  c d:", 4, "cards.c d", "'c d' is not a valid card id", "letters, digits"),
        (
            "scenario: taiwan_strait_crisis",
            "scenario: taiwan_strat_crisis",
            2,
            "scenario",
            "the scenario 'taiwan_strat_crisis' does not load",
            "did you mean 'taiwan_strait_crisis'?",
        ),
        ("scenario: taiwan_strait_crisis\n", "", None, "scenario", "required key", "scenario:"),
        ("cards:", "cardz:", 3, "cardz", "unknown key 'cardz'", "did you mean 'cards'?"),
        ("      actor: CHN\n", "      actor: [CHN\n", 12, "(file)", "YAML syntax error", None),
    ],
)
def test_a_bad_yaml_deck_names_the_file_line_and_field(
    tmp_path: Path,
    old: str,
    new: str,
    line: int | None,
    where: str,
    message: str,
    hint: str | None,
) -> None:
    assert old in BASE
    path = _write(tmp_path, "bad.yaml", BASE.replace(old, new))
    found = [p for p in _problems(path) if p.path == where]
    assert found, _problems(path)
    problem = found[0]
    assert problem.file == display_path(path)
    assert problem.line == line
    assert problem.message.startswith(message), problem.message
    if hint is not None:
        assert problem.hint is not None and hint in problem.hint, problem.hint


def test_a_bad_alliance_is_refused_with_the_scenarios_alliances(tmp_path: Path) -> None:
    text = BASE.replace(
        "kind: gray_zone_coercion\n      actor: CHN\n      partners: [TWN]\n      intensity: 0.5\n"
        "      months: 12\n",
        "kind: set_clarity\n      actor: USA\n      alliance: us_taiwan\n      clarity: 0.9\n",
    )
    (problem,) = _problems(_write(tmp_path, "pledge.yaml", text))
    assert (problem.line, problem.path) == (12, "cards.c.move.alliance")
    assert problem.message == "taiwan_strait_crisis has no alliance 'us_taiwan'"
    assert problem.hint is not None and "did you mean 'us_taiwan_tra'?" in problem.hint


def test_every_problem_of_a_deck_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace("intensity: 0.5", "intensity: 2").replace("[TWN]", "[XYZ]")
    problems = _problems(_write(tmp_path, "two.yaml", text))
    assert [(p.line, p.path) for p in problems] == [
        (12, "cards.c.move.partners"),
        (13, "cards.c.move.intensity"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "where", "message"),
    [
        ("", None, "(file)", "the file is empty"),
        ("- a\n- b\n", 1, "(file)", "a deck is a mapping of keys, not a list"),
        ("deck: x\nscenario: scs_crisis\ncards: {}\n", 3, "cards", "expected at least 1 item"),
    ],
)
def test_a_deck_that_is_not_a_deck_says_so(
    tmp_path: Path, text: str, line: int | None, where: str, message: str
) -> None:
    (problem,) = _problems(_write(tmp_path, "odd.yaml", text))
    assert (problem.line, problem.path) == (line, where)
    assert problem.message.startswith(message), problem.message


@pytest.mark.parametrize(
    ("old", "new", "line", "where", "message", "hint"),
    [
        (",item\n", ",itme\n", 4, "itme", "unknown column 'itme'", "did you mean 'item'?"),
        ("rationale,", "", 4, "rationale", "the column 'rationale' is missing", "columns:"),
        (",JPN,", ",JPM,", 5, "cards.drills.move.actor", "unknown country 'JPM'", "'JPN'"),
        (",12,4,", ",12,400,", 5, "cards.drills.move.per_year", "expected a number from", None),
        ("clash,A clash", "cutter,A clash", 8, "cards.cutter", "the card id 'cutter' is", None),
        (",2,Why drills.,", ",2,,", 5, "cards.drills.rationale", "required key", "'rationale'"),
        (",incident,", ",incdent,", 8, "cards.clash.move.kind", "unknown kind", "'incident'"),
    ],
)
def test_a_bad_csv_deck_names_the_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, where: str, message: str, hint: str | None
) -> None:
    assert old in CSV_DECK
    path = _write(tmp_path, "bad.csv", CSV_DECK.replace(old, new, 1))
    found = [p for p in _problems(path) if p.path == where]
    assert found, _problems(path)
    problem = found[0]
    assert (problem.file, problem.line) == (display_path(path), line)
    assert problem.message.startswith(message), problem.message
    if hint is not None:
        assert problem.hint is not None and hint in problem.hint, problem.hint


@pytest.mark.parametrize("typed", ["1_0", "٣", "0x4", "4e0", "nan", "1e400"])
def test_a_csv_number_is_read_by_the_rule_of_scenario_files(typed: str, tmp_path: Path) -> None:
    # Python's int() and float() would read 1_0 as 10 and ٣ as 3; a scenario file would not.
    path = _write(tmp_path, "typed.csv", CSV_DECK.replace(",12,4,", f",12,{typed},", 1))
    [problem] = [p for p in _problems(path) if p.path == "cards.drills.move.per_year"]
    assert problem.message.startswith("expected a number"), problem.message


# --------------------------------------------------------------------------------------------
# Finding decks


def test_a_deck_is_found_by_its_shipped_name_or_by_a_path(tmp_path: Path) -> None:
    assert load_deck("scs_crisis") == SHIPPED["scs_crisis"]
    yml = _write(tmp_path, "mine.yml", YAML_DECK)
    assert load_deck(yml).name == "mine" and load_deck(yml).path == yml


@pytest.mark.parametrize(
    ("ref", "message", "hint"),
    [
        ("taiwan_strait", "no shipped deck named 'taiwan_strait'", "'taiwan_strait_crisis'"),
        ("", "no deck given", "shipped decks"),
        ("notes.txt", "a deck is a .yaml, .yml or .csv file", "README"),
        ("missing/deck.yaml", "file not found", "scs_crisis"),
    ],
)
def test_a_deck_that_cannot_be_found_says_what_there_is(ref: str, message: str, hint: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_deck(ref)
    (problem,) = caught.value.problems
    assert problem.message.startswith(message) and hint in (problem.hint or "")


def test_a_folder_is_not_a_deck(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    (problem,) = _problems(folder)
    assert problem.message.startswith("is not a deck file")


def test_a_deck_that_is_not_utf8_says_on_which_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"id,title\nc,caf\xe9\n")
    (problem,) = _problems(path)
    assert (problem.line, problem.message) == (2, "file is not valid UTF-8 text")


def test_the_csv_columns_are_the_card_columns_and_the_move_fields() -> None:
    assert decks.CARD_COLUMNS[:5] == ("id", "title", "month", "rationale", "source")
    assert {"actor", "other", "partners", "level", "months", "per_year", "clarity"} <= set(
        decks.FIELD_COLUMNS
    )


def test_a_card_citing_a_misspelt_seed_fact_is_refused_at_its_line(tmp_path: Path) -> None:
    shipped = (decks_dir() / "scs_crisis.yaml").read_text(encoding="utf-8")
    misspelt = "fact:scs_arbitraton_2016"  # the shipped card cites fact:scs_arbitration_2016
    text = shipped.replace("fact:scs_arbitration_2016", misspelt, 1)
    deck = tmp_path / "deck.yaml"
    deck.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_deck(str(deck))
    (problem,) = caught.value.problems
    assert problem.line == text[: text.index(misspelt)].count("\n") + 1
    assert problem.path.endswith(".source[0]")
    assert problem.message == f"unknown seed fact {misspelt!r}"
    assert (problem.hint or "").startswith("did you mean 'fact:scs_arbitration_2016'?")
