"""The move menu: what a state may do in a game, its one checker, and what a move becomes.

One menu (:data:`MOVES`) serves every way a move is made: the facilitator's injects, the
teams' moves and the cards of an inject deck; where a kind is also a move of the model's own
decision rule (``docs/model.md`` §9), :attr:`MoveKind.decision` names it. A :class:`Move` is a
kind and its fields' values. One checker, :func:`move_problems`, validates a move against the
game as it stands (a :class:`Board`: the scenario, the month, who is in which alliance) or a
deck's scenario (:meth:`Board.for_deck`), in the same words for both; :func:`check_move` is
its first problem as one line. A move then becomes a move in array form
(:func:`played_move`, the ``moves:`` block, applied to the running state) or, when it forms
an alliance, an entry of the scenario language (:func:`move_entry`), each with a plain-words
summary. :func:`choices` gives what a field may take *now*, so that a form offers no
impossible choice (joining only a collective or minilateral alliance one is not in,
durations within the game).

Messages name the field by its label and say what it takes, in one line, with no internal
path or id: ``Months: at most 26 (the game ends at month 36)``.

The module is over 800 lines because the menu's kinds, the words of their problems and what
each becomes are read together: a new kind is added in the three places at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.scenario.aliases import alias_hint
from sim.scenario.baseline import countries
from sim.scenario.ladder import ESCALATION_LEVELS, rung_words
from sim.scenario.problems import choices_hint, show
from sim.scenario.schema import Alliance, PlayedMove, Scenario

#: Plain names of the countries, by ISO3 code.
NAMES = {c.iso3: c.name for c in countries()}
#: Names that take "the" in a sentence.
ARTICLED = {"United States", "Philippines"}
#: Alliance types a state may join by a move (a bilateral treaty has exactly its two parties).
JOINABLE = ("collective_defence", "minilateral")
#: Alliance types a move may create.
NEW_ALLIANCE_TYPES = ("collective_defence", "minilateral", "bilateral_treaty", "partnership")
#: Plain words of each alliance type.
TYPE_WORDS = {
    "collective_defence": "collective-defence pact",
    "minilateral": "minilateral",
    "bilateral_treaty": "bilateral treaty",
    "partnership": "partnership",
    "task_force": "task force",
}


def country_name(code: str) -> str:
    """A country's plain name as used mid-sentence ("the Philippines")."""
    name = NAMES.get(code, code)
    return f"the {name}" if name in ARTICLED else name


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def joined(words: list[str]) -> str:
    """Words as plain English: ``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


class MoveError(ValueError):
    """A move that cannot be made, in one plain line naming the field (by its label)."""


@dataclass(frozen=True)
class MoveField:
    """One field of a move.

    Attributes:
        name: Key in :attr:`Move.params`.
        label: What a form calls it.
        kind: ``country``, ``countries``, ``alliance``, ``rung``, ``type``, ``months``,
            ``number`` or ``text``.
        unit: Unit shown beside the value.
        low: Smallest value (numbers).
        high: Largest value (numbers; ``months`` are bounded by the game instead).
        default: Value a new form starts with.
        help: One line shown under the field.
    """

    name: str
    label: str
    kind: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    default: Any = None
    help: str = ""


def _actor(label: str = "Actor", default: str = "USA") -> MoveField:
    return MoveField("actor", label, "country", default=default)


def _partners(label: str = "Partners", default: tuple[str, ...] = ("PHL",)) -> MoveField:
    return MoveField("partners", label, "countries", default=default)


MONTHS = MoveField(
    "months", "Months", "months", "months", low=0, default=0, help="0: until the game ends"
)


def _share(name: str, label: str, default: float, help: str = "") -> MoveField:
    return MoveField(name, label, "number", "0–1", low=0.0, high=1.0, default=default, help=help)


@dataclass(frozen=True)
class MoveKind:
    """One entry of the move menu.

    Attributes:
        key: Its name in scenario files and decks.
        label: Menu text.
        fields: Its fields, in form order; the first is the state that makes the move.
        policy: The scenario policy it puts in force (policy moves), and the policy field
            each of its number fields sets.
        decision: The kind of the model's own move menu (``docs/model.md`` §9) it is a move
            of, where the two coincide (None: the decision rule has no such move).
    """

    key: str
    label: str
    fields: tuple[MoveField, ...]
    policy: Mapping[str, str] | None = None
    decision: str | None = None

    def field(self, name: str) -> MoveField:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    def defaults(self) -> dict[str, Any]:
        """The fields' default values."""
        return {f.name: f.default for f in self.fields}


def _policy_move(
    key: str,
    label: str,
    amount: MoveField | None,
    *,
    actor: str = "USA",
    partner: str = "PHL",
    decision: str | None = None,
) -> MoveKind:
    fields = [_actor(default=actor), _partners(default=(partner,))]
    if amount is not None:
        fields.append(amount)
    fields.append(MONTHS)
    policy = {} if amount is None else {amount.name: amount.name}
    return MoveKind(key, label, tuple(fields), policy, decision)


#: The move menu, in display order.
MOVES: dict[str, MoveKind] = {
    kind.key: kind
    for kind in (
        MoveKind(
            "incident",
            "Incident",
            (
                _actor("Country A", "CHN"),
                MoveField("other", "Country B", "country", default="PHL"),
                MoveField("level", "Rung", "rung", default="standoff"),
            ),
        ),
        _policy_move(
            "exercises",
            "Exercises",
            MoveField(
                "per_year", "Exercises a year", "number", "per partner", 0.5, 52, default=4.0
            ),
            decision="exercises",
        ),
        _policy_move(
            "security_assistance",
            "Assistance funding",
            MoveField(
                "usd_m_per_year", "Funding", "number", "US$ m a year, each partner", 1, 5000, 100.0
            ),
            decision="assistance",
        ),
        MoveKind(
            "arms_transfer",
            "Arms delivery",
            (
                _actor(),
                _partners(),
                MoveField("value_usd_m", "Value", "number", "US$ m, each partner", 1, 20000, 500.0),
                MoveField("item", "What is delivered", "text", default="", help="optional"),
            ),
        ),
        _policy_move("task_force", "Task force", None),
        _policy_move(
            "forward_presence",
            "Forward presence",
            _share("level", "Presence", 0.3, "0.3: two carrier groups; 1: major permanent bases"),
            decision="presence",
        ),
        _policy_move(
            "trade_agreement",
            "Trade deal",
            MoveField(
                "trade_share_delta",
                "Added trade share",
                "number",
                "share of the partner's trade",
                0.01,
                0.5,
                0.05,
            ),
            actor="CHN",
            partner="VNM",
        ),
        _policy_move(
            "economic_inducement",
            "Economic inducements",
            MoveField(
                "usd_m_per_year", "Funding", "number", "US$ m a year, each partner", 1, 10000, 500.0
            ),
            actor="CHN",
            partner="KHM",
            decision="inducement",
        ),
        _policy_move(
            "economic_coercion",
            "Economic coercion",
            _share("intensity", "Intensity", 0.3, "1: a broad embargo"),
            actor="CHN",
            partner="PHL",
            decision="economic_coercion",
        ),
        _policy_move(
            "gray_zone_coercion",
            "Gray-zone pressure",
            _share("intensity", "Intensity", 0.3, "coast-guard and militia pressure"),
            actor="CHN",
            partner="PHL",
            decision="coercion",
        ),
        _policy_move(
            "deconfliction_channel",
            "Deconfliction channel",
            _share("strength", "Strength", 0.5),
            partner="CHN",
            decision="channel",
        ),
        _policy_move(
            "dialogue", "Dialogue", _share("strength", "Strength", 0.5), actor="CHN", partner="PHL"
        ),
        _policy_move(
            "ceasefire",
            "Ceasefire",
            _share("strength", "Strength", 0.8),
            actor="THA",
            partner="KHM",
        ),
        MoveKind(
            "form_alliance",
            "Form an alliance",
            (
                _actor("Lead member"),
                _partners("Other members", ("JPN", "PHL", "AUS")),
                MoveField("alliance_type", "Type", "type", default="collective_defence"),
                _share("commitment", "Commitment", 0.8, "1: an unconditional pledge"),
            ),
        ),
        MoveKind(
            "join_alliance",
            "Join an alliance",
            (_actor("Country", "VNM"), MoveField("alliance", "Alliance", "alliance", default="")),
        ),
        MoveKind(
            "leave_alliance",
            "Leave an alliance",
            (_actor("Country", "THA"), MoveField("alliance", "Alliance", "alliance", default="")),
        ),
        MoveKind(
            "set_clarity",
            "Declare a pledge's clarity",
            (
                _actor("Declared by (the pledge's lead)"),
                MoveField("alliance", "Pledge", "alliance", default=""),
                _share("clarity", "Clarity", 1.0, "0: strategic ambiguity; 1: a plain pledge"),
            ),
            decision="clarity",
        ),
    )
}


@dataclass(frozen=True)
class Move:
    """A move: a kind from :data:`MOVES` and its fields' values.

    Attributes:
        kind: Key of :data:`MOVES`.
        params: Field name → value (plain data: strings, numbers, lists of codes).
    """

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, kind: str, **params: Any) -> Move:
        """A move of ``kind`` with its defaults, updated by ``params``."""
        if kind not in MOVES:
            raise MoveError(f"Kind of move: {kind!r} is not one of {', '.join(MOVES)}")
        return cls(kind, {**MOVES[kind].defaults(), **params})

    @property
    def actor(self) -> str:
        """The state making the move."""
        return str(self.params.get("actor", ""))

    def to_data(self) -> dict[str, Any]:
        """The move as plain data: ``{"kind": …, <field>: <value>, …}``."""
        return {"kind": self.kind, **_plain(dict(self.params))}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Move:
        """The move :meth:`to_data` wrote (unknown fields are refused by :func:`check_move`)."""
        params = dict(data)
        kind = str(params.pop("kind", ""))
        if kind not in MOVES:
            raise MoveError(f"Kind of move: {kind!r} is not one of {', '.join(MOVES)}")
        return cls(kind, {**MOVES[kind].defaults(), **params})


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


@dataclass(frozen=True)
class Board:
    """What a move is checked against: the game as it stands, or a deck's scenario.

    Attributes:
        definition: The scenario being played (with the moves made so far); for a deck, the
            scenario it is written for (None: it names none).
        month: The current month (a move acts from the next one); for a deck, the month its
            card is written for (None: any).
        members: Alliance name → its members now (a deck: none known).
        clarity: Alliance name → the clarity of its pledge now (a deck: none known), for
            labels that say whether the pledge is ambiguous (:meth:`alliance_label`).
        replaying: Whether the moves checked are a record being replayed: who is in which
            alliance is then not checked again (it was, against the model, when each move was
            made; a conditional event a replay cannot foresee may since have changed it).
        in_game: Whether this is a game's board (False: a deck's file, checked without one).
    """

    definition: Scenario | None
    month: int | None
    members: Mapping[str, frozenset[str]]
    replaying: bool = False
    in_game: bool = True
    clarity: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def for_deck(cls, definition: Scenario | None, month: int | None) -> Board:
        """What a deck's card is checked against: its scenario, from the card's month."""
        return cls(definition, month, {}, in_game=False)

    @property
    def horizon(self) -> int:
        """The game's last month."""
        return self.definition.horizon if self.definition is not None else 0

    @property
    def remaining(self) -> int:
        """Months left to play."""
        return max(0, self.horizon - (self.month or 0))

    @property
    def codes(self) -> list[str]:
        """The states in play (every country of the baseline)."""
        return list(NAMES)

    def alliance_label(self, name: str) -> str:
        """An alliance as it stands: :func:`alliance_label` with its pledge's clarity now."""
        if self.definition is None:
            return name.replace("_", " ")
        return alliance_label(name, self.definition, clarity=self.clarity.get(name))


def choices(kind: str, name: str, board: Board, params: Mapping[str, Any]) -> list[str]:
    """What the field ``name`` of a ``kind`` move may take now (choice fields only).

    Args:
        kind: The move kind.
        name: The field.
        board: The game as it stands.
        params: The values chosen so far (the actor narrows the alliances offered).
    """
    spec = MOVES[kind].field(name)
    actor = str(params.get("actor", ""))
    if spec.kind in ("country", "countries"):
        return [c for c in board.codes if not (name != "actor" and c == actor)]
    if spec.kind == "rung":
        return list(ESCALATION_LEVELS)
    if spec.kind == "type":
        return list(NEW_ALLIANCE_TYPES)
    if spec.kind != "alliance":
        return []
    month = board.month
    alliances = {
        a: pact
        for a, pact in board.definition.alliances.items()
        if pact.start <= month and (pact.end is None or month < pact.end)
    }
    if kind == "join_alliance":
        return [
            a
            for a, pact in alliances.items()
            if pact.type in JOINABLE
            and (board.replaying or actor not in board.members.get(a, frozenset()))
        ]
    if kind == "leave_alliance":
        return [
            a for a in alliances if board.replaying or actor in board.members.get(a, frozenset())
        ]
    pledged = ("bilateral_treaty", "collective_defence", "task_force")
    return [
        a
        for a, pact in alliances.items()
        if lead(pact) == actor and (kind != "set_clarity" or pact.type in pledged)
    ]


def lead(pact: Alliance) -> str:
    """The state that leads an alliance (declares its pledge), as the model reads it.

    Its hub, else the US or China if a member, else its first member.
    """
    if pact.hub:
        return pact.hub
    return next((pole for pole in ("USA", "CHN") if pole in pact.members), pact.members[0])


#: Short names in alliance labels.
SHORT = {"USA": "US", "GBR": "UK"}


def members_label(codes: Iterable[str]) -> str:
    """The members of a tie, by their short names, without an article: ``US–Taiwan``.

    A name that takes "the" alone (``the Philippines``) does not take it inside a compound,
    which a sentence may itself put after "the" (``the US–Philippines task force``).
    """
    return "–".join(SHORT.get(code, NAMES.get(code, code)) for code in codes)


def task_force_label(key: str, definition: Scenario) -> str | None:
    """A task force stood up by an event (its tie's key is ``<event>.policy``) in plain words.

    E.g. ``US–Taiwan task force``; None when no event of ``definition`` stands one up as
    ``key``.
    """
    event = definition.events.get(key.removesuffix(".policy"))
    policy = getattr(event, "policy", None)
    if not key.endswith(".policy") or getattr(policy, "kind", "") != "task_force":
        return None
    return f"{members_label((policy.actor, *policy.partners))} task force"


#: Clarity of a pledge below which it is told as strategic ambiguity: the middle of the 0–1
#: scale (0: ambiguity; 1: a stated defence obligation). The Taiwan Relations Act's 0.4 is
#: below it; a president's word that the US would defend Taiwan (0.8) is above.
AMBIGUOUS_BELOW = 0.5


def pledge_words(clarity: float, stated: float = 1.0) -> str:
    """A pledge's clarity in words, or "" for a plain pledge that always was one.

    Args:
        clarity: Its clarity now, 0–1.
        stated: Its clarity as the scenario states it: a pledge stated ambiguously and now
            above :data:`AMBIGUOUS_BELOW` reads "strategic clarity" (the ambiguity ended).
    """
    if clarity < AMBIGUOUS_BELOW:
        return "strategic ambiguity"
    return "strategic clarity" if stated < AMBIGUOUS_BELOW else ""


def alliance_label(
    name: str, definition: Scenario, *, note: bool = True, clarity: float | None = None
) -> str:
    """An alliance in plain words: its members and type, and its own name when short.

    E.g. ``US–Philippines bilateral treaty (Mutual Defense Treaty)``; without its name
    (``note=False``) where a line names and does not cite. Given the clarity of its pledge
    now, whether the pledge is ambiguous (:func:`pledge_words`) follows it: the words come
    from the number, never from the scenario's note, which cannot follow a move.
    """
    pact = definition.alliances.get(name)
    if pact is None:
        return name.replace("_", " ")
    label = f"{members_label(pact.members)} {TYPE_WORDS.get(pact.type, pact.type)}"
    extra = [pact.note] if note and pact.note and len(pact.note) <= 48 else []
    if clarity is not None:
        extra += [w for w in [pledge_words(clarity, pact.clarity)] if w]
    return f"{label} ({', '.join(extra)})" if extra else label


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with a move, as the one checker (:func:`move_problems`) words it.

    The console shows it as one line naming the field by its label (:meth:`line`); a deck
    reports it at the card's field, with the hint, in its file.

    Attributes:
        field: The move's field (``kind`` for the kind), or "" for the move as a whole.
        message: What is wrong, without the field's label.
        hint: What to do, for a file's author (None: the message says it).
    """

    field: str
    message: str
    hint: str | None = None

    def line(self, kind: str) -> str:
        """The problem in one line for a form: ``Months: at most 26 (…)``."""
        if not self.field:
            return self.message
        if self.field == "kind":
            return f"Kind of move: {self.message}"
        spec = MOVES.get(kind)
        names = [f.name for f in spec.fields] if spec else []
        label = spec.field(self.field).label if self.field in names else (spec or _KIND).label
        return f"{label}: {self.message}"


_KIND = MoveKind("kind", "Kind of move", ())
#: What separates the codes of a list of countries written as one text (``JPN PHL``, ``JPN;PHL``).
SEPARATORS = re.compile(r"[\s;,]+")


def move_problems(data: Mapping[str, Any], board: Board) -> tuple[Move | None, list[FieldProblem]]:
    """The one move checker: every problem of a move, against a game or a deck's scenario.

    It serves the console's teams, the facilitator's injects and the inject decks alike, with
    the same words. On a game's board (:attr:`Board.in_game`) it checks the move as it could be
    made now: the months left, who is in which alliance now, and it drops the actor from its
    partners (a form's list may still hold a state that has become the actor). Without a game
    (a deck's file) it checks what a file can say: the scenario's alliances, durations within
    the scenario from the card's month, and the actor listed as its own partner is a mistake.

    Args:
        data: ``{"kind": …, <field>: <value>, …}``; a field left out takes its default.
        board: The game as it stands, or a deck's scenario (:meth:`Board.for_deck`).

    Returns:
        The move with its values normalised (numbers as floats, months as whole numbers,
        partner lists without repeats), or None when it has problems; and the problems.
    """
    kind = data.get("kind")
    if kind is None:
        return None, [FieldProblem("", "the move has no 'kind'", _kinds_hint(""))]
    if not isinstance(kind, str) or kind not in MOVES:
        return None, [FieldProblem("kind", f"unknown kind of move {show(kind)}", _kinds_hint(kind))]
    spec = MOVES[kind]
    names = [f.name for f in spec.fields]
    problems = [
        FieldProblem(
            name,
            f"a move of kind {kind!r} has no field {name!r}",
            choices_hint(name, names, "its fields"),
        )
        for name in data
        if name != "kind" and name not in names
    ]
    if problems:
        return None, problems
    if board.in_game and board.remaining <= 0:
        return None, [FieldProblem("", f"The game has ended (month {board.month}); no more moves")]
    values: dict[str, Any] = {}
    for f in spec.fields:
        value = data.get(f.name, f.default)
        checked, wrong = _field(kind, f, value, values, board)
        problems += wrong
        values[f.name] = checked
    if problems:
        return None, problems
    return Move(kind, values), []


def _kinds_hint(kind: Any) -> str:
    return choices_hint(kind, list(MOVES), "kinds of move")


def _field(
    kind: str, f: MoveField, value: Any, values: dict[str, Any], board: Board
) -> tuple[Any, list[FieldProblem]]:
    """One field's value checked and normalised, and what is wrong with it."""
    if f.kind in ("country", "countries"):
        return _countries(kind, f, value, values, board)
    if f.kind in ("rung", "type"):
        allowed = list(ESCALATION_LEVELS) if f.kind == "rung" else list(NEW_ALLIANCE_TYPES)
        if value in ("", None):
            return value, [FieldProblem(f.name, "choose one")]
        if value not in allowed:
            what = "rungs" if f.kind == "rung" else "alliance types"
            message = f"{show(value)} is not one of {', '.join(allowed)}"
            return value, [FieldProblem(f.name, message, choices_hint(value, allowed, what))]
        return value, []
    if f.kind == "alliance":
        return _alliance(kind, f, value, values, board)
    if f.kind == "months":
        return _months(f, value, board)
    if f.kind == "number":
        return _number(f, value)
    if not isinstance(value, str | None):
        return value, [
            FieldProblem(f.name, f"expected text, got {show(value)}", "put text in quotes")
        ]
    return (value or "").strip(), []


def _countries(
    kind: str, f: MoveField, value: Any, values: dict[str, Any], board: Board
) -> tuple[Any, list[FieldProblem]]:
    actor = values.get("actor")
    if value in ("", None, [], ()):
        needed = "choose at least one, other than the actor" if f.kind == "countries" else ""
        return value, [FieldProblem(f.name, needed or "choose one")]
    if f.kind == "countries":
        items = [c for c in SEPARATORS.split(value) if c] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            message = f"expected a list of country codes, got {show(value)}"
            return value, [FieldProblem(f.name, message, "e.g. [JPN, PHL]")]
    else:
        items = [value]
    wrong = [
        FieldProblem(f.name, f"unknown country {show(c)}", _country_hint(c))
        for c in items
        if not isinstance(c, str) or c not in NAMES
    ]
    if wrong:
        return value, wrong
    if f.kind == "country":
        if kind == "incident" and f.name != "actor" and value == actor:
            return value, [FieldProblem(f.name, "an incident needs two different countries")]
        return value, []
    picked = list(dict.fromkeys(items))
    if actor in picked:
        if not board.in_game:  # a file says what its author wrote
            message = f"{actor} is the actor and cannot be its own partner"
            return picked, [FieldProblem(f.name, message, "list the other states only")]
        picked = [c for c in picked if c != actor]
        if not picked:
            return picked, [FieldProblem(f.name, "choose at least one, other than the actor")]
    return picked, []


def _country_hint(text: Any) -> str:
    """The hint of an unknown country: the code it names, else the closest code; the codes.

    Another name of a state (``ROK``) gets that state's code (``KOR``), not the closest
    spelling (``PRK``).
    """
    alias = alias_hint(text)
    listing = f"codes: {', '.join(NAMES)}"
    return f"{alias}; {listing}" if alias else choices_hint(text, list(NAMES), "codes")


def _alliance(
    kind: str, f: MoveField, value: Any, values: dict[str, Any], board: Board
) -> tuple[Any, list[FieldProblem]]:
    definition = board.definition
    known = list(definition.alliances) if definition is not None else []
    if value not in ("", None) and not isinstance(value, str):
        hint = choices_hint("", known, "alliances") if definition is not None else None
        return value, [
            FieldProblem(f.name, f"expected an alliance's name, got {show(value)}", hint)
        ]
    if not board.in_game:
        if not value:
            hint = choices_hint("", known, "alliances") if definition is not None else None
            return value, [FieldProblem(f.name, f"the move needs its {f.name!r}", hint)]
        if definition is not None and value not in definition.alliances:
            hint = choices_hint(value, known, f"alliances of {definition.name}")
            return value, [
                FieldProblem(f.name, f"{definition.name} has no alliance {value!r}", hint)
            ]
        return value, []
    allowed = choices(kind, f.name, board, values)
    if not value:
        return value, [FieldProblem(f.name, _missing(kind, allowed))]
    if value not in allowed:
        return value, [FieldProblem(f.name, _not_allowed(kind, value, values, board))]
    return value, []


def _missing(kind: str, allowed: list[str]) -> str:
    if not allowed:
        if kind == "join_alliance":
            return "no alliance here takes new members; form a pact first"
        return "there is none this state can choose"
    return "choose one"


def _not_allowed(kind: str, item: str, values: dict[str, Any], board: Board) -> str:
    definition = board.definition
    if item not in definition.alliances:
        return f"{definition.name} has no alliance {item!r}"
    actor = country_name(str(values.get("actor", "")))
    label = board.alliance_label(item)
    pact = definition.alliances[item]
    if not (pact.start <= board.month and (pact.end is None or board.month < pact.end)):
        return f"{label} is not in force at month {board.month}"
    if kind == "join_alliance":
        if pact.type not in JOINABLE:
            words = TYPE_WORDS.get(pact.type, pact.type)
            return f"{label} is a {words}; only a pact or a minilateral takes members"
        return f"{_cap(actor)} is already a member of {label}"
    if kind == "leave_alliance":
        return f"{_cap(actor)} is not a member of {label}"
    return f"only the lead of {label} can declare its pledge"


def _months(f: MoveField, value: Any, board: Board) -> tuple[Any, list[FieldProblem]]:
    """A whole number of months (blank: 0, until the end), within the game or the scenario."""
    if value in ("", None):
        value = 0
    whole = isinstance(value, int | float) and not isinstance(value, bool)
    if not whole or not math.isfinite(value) or value != int(value):
        message = f"a whole number of months is needed, not {show(value)}"
        return value, [FieldProblem(f.name, message, "0 runs to the end of the game")]
    months = int(value)
    if months < 0:
        return months, [FieldProblem(f.name, f"0 (until the game ends) or more, not {months}")]
    if board.definition is None:
        return months, []
    if board.in_game:
        if months > board.remaining:
            message = (
                f"at most {board.remaining} (the game ends at month {board.horizon}); "
                "0 runs to the end"
            )
            return months, [FieldProblem(f.name, message)]
        return months, []
    start = board.month or 0
    most = board.horizon - start
    if months > most:
        when = f"fired at month {start}" if board.month is not None else "fired at the start"
        message = (
            f"at most {most} months when {when} (the scenario ends at month {board.horizon}), "
            f"got {months}"
        )
        return months, [FieldProblem(f.name, message, "0 runs to the end of the game")]
    return months, []


def _number(f: MoveField, value: Any) -> tuple[Any, list[FieldProblem]]:
    """A number within the field's bounds (text is read by the forms, never here)."""
    what = f.label + (f", {f.unit}" if f.unit and f.unit != "0–1" else "")
    if value in ("", None):
        return value, [FieldProblem(f.name, "a number is needed", f"{what}; write a plain number")]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        message = f"expected a number, got {show(value)}"
        return value, [FieldProblem(f.name, message, f"{what}; write a plain number")]
    if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
        unit = f" ({f.unit})" if f.unit and f.unit != "0–1" else ""
        message = f"expected a number from {f.low:g} to {f.high:g}{unit}, got {value:g}"
        return value, [FieldProblem(f.name, message, what)]
    return float(value), []


def check_move(move: Move, board: Board) -> Move:
    """Validate a move against the game as it stands (:func:`move_problems`, first problem).

    Returns:
        The move with its values normalised (numbers as floats, partner lists without the
        actor or repeats).

    Raises:
        MoveError: The first problem, in one line naming the field by its label.
    """
    checked, problems = move_problems({"kind": move.kind, **move.params}, board)
    if problems:
        raise MoveError(problems[0].line(move.kind))
    return checked  # type: ignore[return-value]


@dataclass(frozen=True)
class Entry:
    """A move as a scenario entry, not yet timed.

    Attributes:
        block: ``"events"`` or ``"alliances"``.
        stem: Start of the entry's name (the month and a counter are added).
        spec: The entry as in a scenario file, without ``step``/``start``.
        summary: What it does, in plain words.
        target: The country whose alignment a "what if" follows.
    """

    block: str
    stem: str
    spec: dict[str, Any]
    summary: str
    target: str


def _target(*codes: str) -> str:
    """The first country that is not one of the two poles (whose alignment never moves)."""
    return next((c for c in codes if c not in ("USA", "CHN")), "PHL")


def move_entry(move: Move, board: Board) -> Entry:
    """Validate a move and turn it into a scenario entry with a plain-words summary.

    Raises:
        MoveError: As :func:`check_move`.
    """
    move = check_move(move, board)
    p, kind = move.params, move.kind
    actor, who = p["actor"], _cap(country_name(p["actor"]))
    if kind == "incident":
        spec = {"kind": "incident", "actors": [actor, p["other"]], "level": p["level"]}
        text = (
            f"Incident between {country_name(actor)} and {country_name(p['other'])} "
            f"at the {rung_words(p['level'])} rung"
        )
        return Entry("events", "incident", spec, text, _target(p["other"], actor))
    if kind in ("join_alliance", "leave_alliance", "set_clarity"):
        label = alliance_label(p["alliance"], board.definition)
        if kind == "set_clarity":
            spec = {
                "kind": "set_clarity",
                "alliance": p["alliance"],
                "value": round(p["clarity"], 3),
            }
            text = f"{who} declares the clarity of its pledge ({label}) to be {p['clarity']:.2f}"
            members = board.members.get(p["alliance"], frozenset())
            return Entry("events", "clarity", spec, text, _target(*sorted(members), actor))
        spec = {"kind": kind, "alliance": p["alliance"], "country": actor}
        verb = "joins" if kind == "join_alliance" else "leaves"
        return Entry("events", kind, spec, f"{who} {verb} {label}", _target(actor))
    partners = list(p["partners"])
    names = joined([country_name(c) for c in partners])
    if kind == "form_alliance":
        members = [actor, *partners]
        spec = {
            "type": p["alliance_type"],
            "members": members,
            "hub": actor,
            "commitment": round(p["commitment"], 3),
        }
        words = TYPE_WORDS[p["alliance_type"]]
        text = f"New {words} of {joined([country_name(m) for m in members])}"
        return Entry("alliances", "pact", spec, text, _target(*partners, actor))
    policy: dict[str, Any] = {"kind": kind, "actor": actor, "partners": partners}
    for name, target in (MOVES[kind].policy or {}).items():
        policy[target] = round(p[name], 4)
    if kind == "arms_transfer":
        delivery: dict[str, Any] = {"after": 0, "value_usd_m": p["value_usd_m"]}
        if p["item"]:
            delivery["item"] = p["item"]
        policy["deliveries"] = [delivery]
    spec = {"kind": "policy", "policy": policy}
    months = p.get("months", 0)
    if months:
        spec["duration"] = months
    lasting = f" for {months} months" if months else ""
    texts = {
        "exercises": f"{who} holds {p.get('per_year', 0):g} exercises a year with {names}",
        "security_assistance": (
            f"{who} adds US$ {p.get('usd_m_per_year', 0):,.0f} m a year of security "
            f"assistance to {names}"
        ),
        "arms_transfer": (
            f"{who} delivers US$ {p.get('value_usd_m', 0):,.0f} m of arms"
            + (f" ({p['item']})" if p.get("item") else "")
            + f" to {names}"
        ),
        "task_force": f"{who} stands up a task force with {names}",
        "forward_presence": f"{who} deploys forces to {names} (presence {p.get('level', 0):.2f})",
        "trade_agreement": (
            f"{who} signs a trade deal with {names} (+{p.get('trade_share_delta', 0):.2f} of "
            "their trade)"
        ),
        "economic_inducement": (
            f"{who} offers US$ {p.get('usd_m_per_year', 0):,.0f} m a year of economic "
            f"inducements to {names}"
        ),
        "economic_coercion": (
            f"{who} puts economic pressure on {names} (intensity {p.get('intensity', 0):.2f})"
        ),
        "gray_zone_coercion": (
            f"{who} steps up gray-zone pressure on {names} (intensity {p.get('intensity', 0):.2f})"
        ),
        "deconfliction_channel": (
            f"{who} and {names} open a deconfliction channel (strength {p.get('strength', 0):.2f})"
        ),
        "dialogue": f"{who} opens a dialogue with {names} (strength {p.get('strength', 0):.2f})",
        "ceasefire": (
            f"Ceasefire between {country_name(actor)} and {names} "
            f"(strength {p.get('strength', 0):.2f})"
        ),
    }
    return Entry("events", kind, spec, texts[kind] + lasting, _target(*partners, actor))


def played_move(move: Move, board: Board, *, source: str = "", note: str = "") -> PlayedMove | None:
    """A move of the menu in array form (``moves:``), acting from the board's month.

    None for a move that forms an alliance (a new pact, a task force): the alliances are
    compiled, so such a move is a scenario entry (:func:`move_entry`) instead.

    Raises:
        MoveError: As :func:`check_move`.
    """
    move = check_move(move, board)
    p, kind = move.params, move.kind
    common: dict[str, Any] = {"month": board.month, "kind": kind, "source": source, "note": note}
    if kind in ("form_alliance", "task_force"):
        return None
    if kind == "incident":
        return PlayedMove(actor=p["actor"], partners=[p["other"]], level=p["level"], **common)
    if kind in ("join_alliance", "leave_alliance"):
        return PlayedMove(actor=p["actor"], alliance=p["alliance"], **common)
    if kind == "set_clarity":
        value = round(p["clarity"], 3)
        return PlayedMove(actor=p["actor"], alliance=p["alliance"], value=value, **common)
    if kind == "arms_transfer":
        return PlayedMove(
            actor=p["actor"], partners=list(p["partners"]), value=p["value_usd_m"], **common
        )
    (amount,) = (MOVES[kind].policy or {}).values()
    return PlayedMove(
        actor=p["actor"],
        partners=list(p["partners"]),
        value=round(p[amount], 4),
        months=p.get("months") or None,
        **common,
    )
