"""Inject decks: prepared cards a facilitator fires in one click, each with why it could happen.

A deck is a file of cards written for a scenario, in YAML (``deck:``, ``scenario:``,
``description:`` and ``cards:``, a mapping of card ids) or in CSV (one row per card, the deck's
name, scenario and description in ``# key: value`` lines above the header). A card is a move of
the menu (:data:`sim.scenario.moves.MOVES`) with a title, the month it is meant for (a hint: any
card may be fired at any time), a rationale the facilitator reads aloud and a source in the
citation grammar of :mod:`sim.scenario.citations`. The format is described for authors in
``scenarios/decks/README.md``; the shipped decks live beside it.

:func:`load_deck` reads a deck as strictly as a scenario is read and checks every move as far as
it can without a game: the kind and its fields, numbers within their bounds, country codes,
rungs, the alliances of the deck's scenario and durations within it. Every problem is a located
:class:`~sim.scenario.problems.Problem` (file, line, field path such as
``cards.quarantine.move.months``, a hint), raised together as one
:class:`~sim.scenario.problems.ScenarioError`. What depends on the game as it stands (the months
left, who is in which alliance now) is checked when the card is fired (:func:`fire`, through
:meth:`sim.game.play.Game.inject`), which refuses with one plain line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from sim.game.limits import WHOLE, plain_number
from sim.game.play import Game
from sim.game.record import Action
from sim.scenario.citations import fact_problems
from sim.scenario.loader import load_scenario, resolve_reference
from sim.scenario.moves import (
    MOVES,
    SEPARATORS,
    Board,
    Move,
    MoveError,
    move_entry,
    move_problems,
)
from sim.scenario.problems import (
    MAX_PROBLEMS,
    LineMap,
    PathKey,
    Problem,
    ScenarioError,
    SourceMap,
    choices_hint,
    display_path,
    dotted,
    show,
)
from sim.scenario.resources import decks_dir
from sim.scenario.schema import Scenario
from sim.scenario.translate import problems_from
from sim.scenario.yaml_io import MAX_BYTES, parse_document

#: File endings a deck may have.
SUFFIXES = (".yaml", ".yml", ".csv")
#: Most cards one deck may hold.
MAX_CARDS = 200
#: Columns of a CSV deck other than the move's fields.
CARD_COLUMNS = ("id", "title", "month", "rationale", "source", "kind")
#: Columns of a CSV deck that a card must fill in.
REQUIRED_COLUMNS = ("id", "title", "rationale", "source", "kind")
#: Every field of every move, in menu order: the other columns a CSV deck may have.
FIELD_COLUMNS = tuple(dict.fromkeys(f.name for kind in MOVES.values() for f in kind.fields))
#: What a card id may be: it names the card in the game's log.
CARD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
#: Keys of the ``# key: value`` lines above a CSV deck's header.
_CSV_KEYS = ("deck", "scenario", "description")
_FORMAT_HINT = "see scenarios/decks/README.md for the format of a deck"


# --------------------------------------------------------------------------------------------
# A deck


@dataclass(frozen=True, kw_only=True)
class Card:
    """One card of a deck.

    Attributes:
        id: The card's id, unique in its deck (recorded with the action it becomes).
        title: A few words on what happens, for the card's face.
        month: The month the card is written for: a hint, since any card may be fired at any
            time (None: whenever it fits).
        rationale: One or two sentences the facilitator reads aloud: why this could happen.
        source: Where its sizes and timing come from, in the citation grammar.
        move: The move it puts on the board.
    """

    id: str
    title: str
    month: int | None = None
    rationale: str
    source: str
    move: Move

    def summary(self, board: Board) -> str:
        """What the card does on this board, in plain words.

        Raises:
            MoveError: When it cannot be played on this board now.
        """
        return move_entry(self.move, board).summary


@dataclass(frozen=True, kw_only=True)
class Deck:
    """A deck of inject cards.

    Attributes:
        name: The deck's name.
        scenario: The scenario it is written for, as the deck names it (empty for a CSV deck
            that names none).
        description: What the deck is for.
        cards: Its cards, in the file's order.
        path: The file it was read from.
    """

    name: str
    scenario: str
    description: str = ""
    cards: list[Card] = field(default_factory=list)
    path: Path | None = None

    def card(self, card_id: str) -> Card:
        """The card called ``card_id``.

        Raises:
            KeyError: When the deck has no such card.
        """
        found = next((c for c in self.cards if c.id == card_id), None)
        if found is None:
            raise KeyError(f"the deck {self.name} has no card {card_id!r}")
        return found


def fire(game: Game, card: Card) -> Action:
    """Put a card on the board now, as an inject marked with the card's id and rationale.

    Raises:
        MoveError: When the card cannot be played now (one plain line).
    """
    return game.inject(card.move, rationale=card.rationale, card=card.id, source=card.source)


# --------------------------------------------------------------------------------------------
# Finding decks


def shipped_decks() -> dict[str, Path]:
    """The shipped decks, name (file stem) → path, sorted by name."""
    folder = decks_dir()
    if not folder.is_dir():
        return {}
    paths = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    return {path.stem: path for path in paths}


def _scenario_name(ref: str) -> str:
    """A scenario reference as a name: a shipped name as it is, a file by its stem."""
    text = str(ref).strip()
    return Path(text).stem if text.endswith((".yaml", ".yml")) or "/" in text else text


def deck_for(scenario: str) -> Deck | None:
    """The shipped deck written for a scenario (a name, or a file matched by its stem), if any."""
    name = _scenario_name(scenario)
    shipped = shipped_decks()
    ordered = sorted(shipped, key=lambda deck: deck != name)  # the deck named as it, first
    for deck_name in ordered:
        deck = load_deck(shipped[deck_name])
        if _scenario_name(deck.scenario) == name:
            return deck
    return None


def deck_path(ref: str | Path) -> Path:
    """The file a deck reference points to: a shipped deck's name, or a path.

    Raises:
        ScenarioError: When the name is empty or no shipped deck has it, or the path does not
            end in ``.yaml``, ``.yml`` or ``.csv``.
    """
    text = str(ref).strip()
    shipped = shipped_decks()
    listing = choices_hint(text, list(shipped), "shipped decks")
    if not text:
        raise _error("''", "no deck given (the name is empty)", hint=listing)
    if not isinstance(ref, Path) and text in shipped:
        return shipped[text]
    if isinstance(ref, Path) or "/" in text or "\\" in text or "." in text:
        path = Path(text).expanduser()
        if path.suffix.lower() not in SUFFIXES:
            raise _error(text, "a deck is a .yaml, .yml or .csv file", hint=_FORMAT_HINT)
        return path
    hint = f"{listing}; or give the path of a .yaml or .csv file"
    raise _error(text, f"no shipped deck named {text!r}", hint=hint)


def load_deck(ref: str | Path) -> Deck:
    """Read and check a deck: a shipped deck's name (``taiwan_strait_crisis``) or a file.

    Raises:
        ScenarioError: Listing every problem with file, line, field path and hint.
    """
    path = deck_path(ref)
    file = display_path(path)
    text = _read_text(path, file)
    if path.suffix.lower() == ".csv":
        data, lines = _csv_data(text, file, path.stem)
    else:
        data, lines = _yaml_data(text, file)
    sources = SourceMap({key: (file, line) for key, line in lines.items()})
    sources[()] = (file, None)
    return _checked(data, sources, path, csv_file=path.suffix.lower() == ".csv")


def _error(
    file: str, message: str, line: int | None = None, hint: str | None = None
) -> ScenarioError:
    return ScenarioError([Problem(file, line, "(file)", message, hint)])


def _read_text(path: Path, file: str) -> str:
    try:
        if not path.exists():
            names = ", ".join(shipped_decks())
            raise _error(file, "file not found", hint=f"shipped decks: {names}")
        if not path.is_file():
            raise _error(file, "is not a deck file (a folder, or not a regular file)")
        if path.stat().st_size > MAX_BYTES:
            raise _error(file, f"file is larger than {MAX_BYTES // 1024} KiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise _error(file, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _error(file, "file is not valid UTF-8 text", line, "save the file as UTF-8") from None


# --------------------------------------------------------------------------------------------
# Reading: YAML and CSV become the same plain data, with the line of every key


def _yaml_data(text: str, file: str) -> tuple[Any, LineMap]:
    data, lines, empty = parse_document(text, file)
    start = "a deck starts with 'deck: <name>', 'scenario: <scenario>' and 'cards:'"
    if empty:
        raise _error(file, "the file is empty", hint=start)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the value {show(data)}"
        raise _error(file, f"a deck is a mapping of keys, not {kind}", lines.get(()), start)
    return data, lines


def _csv_data(text: str, file: str, stem: str) -> tuple[dict[str, Any], LineMap]:
    """A CSV deck as the data a YAML deck would hold, and the line of every value."""
    rows = text.splitlines(keepends=True)
    notes = next((i for i, row in enumerate(rows) if not row.startswith("#")), len(rows))
    data: dict[str, Any] = {"deck": stem}
    lines: LineMap = {}
    for number, row in enumerate(rows[:notes], start=1):
        key, colon, value = row.lstrip("#").partition(":")
        if colon and key.strip() in _CSV_KEYS:
            data[key.strip()] = value.strip()
            lines[(key.strip(),)] = number
    reader = csv.DictReader(rows[notes:])
    header_line = notes + 1
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
    except csv.Error as exc:
        raise _error(file, f"not a readable CSV file ({exc})", header_line) from None
    if not columns:
        raise _error(file, "the file has no header row", header_line, _columns_hint())
    _check_columns(columns, file, header_line)
    reader.fieldnames = columns
    cards: dict[str, Any] = {}
    data["cards"] = cards
    lines[("cards",)] = header_line
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    end = header_line
    try:
        for row in reader:
            line = end + 1
            while line < len(rows) and not rows[line - 1].strip():
                line += 1  # the reader skips blank lines: the card starts after them
            end = notes + reader.line_num
            if None in row:
                problems.append(
                    Problem(file, line, "(file)", "the row has more cells than the header")
                )
                continue
            cells = {k: (v or "").strip() for k, v in row.items()}
            if not any(cells.values()):
                continue
            card_id = cells.get("id", "")
            if not card_id:
                problems.append(
                    Problem(file, line, "id", "a card without an id", "fill in its 'id' column")
                )
                continue
            if card_id in first_line:
                message = (
                    f"the card id {card_id!r} is used twice (also at line {first_line[card_id]})"
                )
                problems.append(Problem(file, line, f"cards.{card_id}", message))
                continue
            first_line[card_id] = line
            cards[card_id] = _csv_card(cells)
            for path in _paths(cards[card_id], ("cards", card_id)):
                lines[path] = line
    except csv.Error as exc:
        problems.append(Problem(file, end + 1, "(file)", f"not a readable CSV row ({exc})"))
    if problems:
        raise ScenarioError(problems)
    return data, lines


def _columns_hint() -> str:
    return (
        f"columns: {', '.join(CARD_COLUMNS)}, then the move's fields ({', '.join(FIELD_COLUMNS)})"
    )


def _check_columns(columns: list[str], file: str, line: int) -> None:
    known = (*CARD_COLUMNS, *FIELD_COLUMNS)
    problems = [
        Problem(
            file,
            line,
            column or "(file)",
            f"unknown column {column!r}",
            choices_hint(column, list(known), "columns"),
        )
        for column in columns
        if column not in known
    ]
    problems += [
        Problem(file, line, column, f"the column {column!r} is missing", _columns_hint())
        for column in REQUIRED_COLUMNS
        if column not in columns
    ]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    problems += [Problem(file, line, c, f"the column {c!r} appears twice") for c in twice]
    if problems:
        raise ScenarioError(problems)


def _csv_card(cells: Mapping[str, str]) -> dict[str, Any]:
    """One row as a YAML card: blank cells left out (the default applies), values typed."""
    card: dict[str, Any] = {k: cells[k] for k in ("title", "rationale", "source") if cells.get(k)}
    if cells.get("month"):
        card["month"] = _csv_number(cells["month"])
    kind = cells.get("kind", "")
    move: dict[str, Any] = {"kind": kind} if kind else {}
    spec = MOVES.get(kind)
    for name in FIELD_COLUMNS:
        value = cells.get(name, "")
        if not value:
            continue
        kind_of = spec.field(name).kind if spec and name in _field_names(kind) else "text"
        if kind_of == "countries":
            move[name] = [code for code in SEPARATORS.split(value) if code]
        elif kind_of in ("number", "months"):
            move[name] = _csv_number(value)
        else:
            move[name] = value
    card["move"] = move
    return card


def _csv_number(text: str) -> int | float | str:
    """A cell as a number where it reads as one (else the text, which the check refuses).

    Read by the rule of scenario files (:func:`sim.game.limits.plain_number`): Python's own
    ``int()`` and ``float()`` would read ``1_0`` as 10 and ``٣`` as 3.
    """
    try:
        value = plain_number(text, "")
    except MoveError:
        return text
    return int(value) if WHOLE.fullmatch(text.strip()) else value


def _paths(value: Any, prefix: PathKey) -> Iterator[PathKey]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))


# --------------------------------------------------------------------------------------------
# Checking


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CardSpec(_Strict):
    """A card as written in a deck (its move is checked against the menu on its own)."""

    title: Annotated[Text, StringConstraints(max_length=120)] = Field(
        description="a few words: what happens"
    )
    month: Annotated[int, Field(ge=0)] | None = Field(
        None, description="the month the card is meant for (a hint)"
    )
    rationale: Annotated[Text, StringConstraints(max_length=1000)] = Field(
        description="one or two sentences read aloud: why this could happen"
    )
    source: str | list[str] = Field(
        description="a citation: fact:<id>, 'judgement: <reason>' or 'background: ... recalled'"
    )
    move: dict[str, Any] = Field(description="kind: <a move of the menu>, then its fields")


class DeckSpec(_Strict):
    """A deck as written in a YAML file."""

    deck: Annotated[Text, StringConstraints(max_length=64)] = Field(description="the deck's name")
    scenario: str = Field("", description="the scenario the deck is written for")
    description: str = ""
    cards: Annotated[dict[str, CardSpec], Field(min_length=1, max_length=MAX_CARDS)] = Field(
        description="card id: {title, month, rationale, source, move}"
    )


Report = Callable[[PathKey, str, str | None], None]


def _checked(data: dict[str, Any], sources: SourceMap, path: Path, *, csv_file: bool) -> Deck:
    """Validate a deck's data; raise every problem at once."""
    problems: list[Problem] = []

    def report(where: PathKey, message: str, hint: str | None = None) -> None:
        file, line = sources.locate(where)
        problems.append(Problem(file, line, dotted(where) or "(file)", message, hint))

    spec: DeckSpec | None = None
    try:
        spec = DeckSpec.model_validate(data)
    except ValidationError as exc:
        found = problems_from(exc, sources, root=DeckSpec)
        problems += [_for_csv(p) for p in found] if csv_file else found
    problems += fact_problems(data, sources)  # a misspelt fact: id cites nothing
    scenario = data.get("scenario")
    if not csv_file and (not isinstance(scenario, str) or not scenario.strip()):
        report(
            ("scenario",),
            "required key 'scenario' is missing" if scenario is None else "no scenario given",
            "add 'scenario: <the scenario the deck is written for>'",
        )
    definition = _scenario(scenario, path, report)
    cards = data.get("cards") if isinstance(data.get("cards"), dict) else {}
    moves: dict[str, Move | None] = {}
    for card_id, card in cards.items():
        where = ("cards", card_id)
        if not CARD_ID.match(card_id):
            report(where, f"{card_id!r} is not a valid card id", "letters, digits, _ and -")
        if not isinstance(card, dict):
            continue
        if _empty_source(card.get("source")):
            report(
                (*where, "source"),
                "a card needs its source",
                CardSpec.model_fields["source"].description,
            )
        month = card.get("month")
        month = month if isinstance(month, int) and not isinstance(month, bool) else None
        if definition is not None and month is not None and month >= definition.horizon:
            report(
                (*where, "month"),
                f"the scenario ends at month {definition.horizon}: a card can be played until "
                f"month {definition.horizon - 1}, not {month}",
            )
            month = None
        if isinstance(card.get("move"), dict):
            moves[card_id] = _move(card["move"], (*where, "move"), month, definition, report)
    problems.sort(key=lambda p: (p.file, p.line or 0))
    if problems or spec is None:
        raise ScenarioError(problems[:MAX_PROBLEMS])
    return Deck(
        name=spec.deck,
        scenario=spec.scenario.strip(),
        description=spec.description.strip(),
        cards=[
            Card(
                id=card_id,
                title=card.title,
                month=card.month,
                rationale=card.rationale,
                source=card.source if isinstance(card.source, str) else "; ".join(card.source),
                move=moves[card_id],  # type: ignore[arg-type]
            )
            for card_id, card in spec.cards.items()
        ],
        path=path,
    )


def _for_csv(problem: Problem) -> Problem:
    """A YAML-worded hint ("add 'title:'") as a CSV author would act on it."""
    if problem.message.startswith("required key"):
        column = problem.path.rsplit(".", 1)[-1]
        return Problem(
            problem.file,
            problem.line,
            problem.path,
            problem.message,
            f"fill in its {column!r} cell",
        )
    return problem


def _empty_source(source: Any) -> bool:
    if isinstance(source, list):
        return not source or any(not isinstance(s, str) or not s.strip() for s in source)
    return isinstance(source, str) and not source.strip()


def _scenario(ref: Any, path: Path, report: Report) -> Scenario | None:
    """The deck's scenario, loaded (None when it names none or does not load)."""
    if not isinstance(ref, str) or not ref.strip():
        return None
    try:
        return load_scenario(resolve_reference(ref.strip(), path))
    except ScenarioError as exc:
        first = exc.problems[0]
        report(
            ("scenario",),
            f"the scenario {ref.strip()!r} does not load: {first.message}",
            first.hint,
        )
        return None


def _field_names(kind: str) -> list[str]:
    return [f.name for f in MOVES[kind].fields] if kind in MOVES else []


def _move(
    data: dict[str, Any],
    where: PathKey,
    month: int | None,
    definition: Scenario | None,
    report: Report,
) -> Move | None:
    """A card's move, checked by the menu's one checker without a game (None on problems).

    A ``null`` value takes the field's default, as a key left out does.
    """
    given = {name: value for name, value in data.items() if value is not None}
    move, problems = move_problems(given, Board.for_deck(definition, month))
    for problem in problems:
        report((*where, problem.field) if problem.field else where, problem.message, problem.hint)
    return None if move is None else Move.new(move.kind, **move.params)
