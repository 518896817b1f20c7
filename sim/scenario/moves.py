"""The move menu: what a state may do in a game, as an entry of the scenario language.

One menu (:data:`MOVES`) serves every way a move is made: the facilitator's injects, the
teams' moves, the cards of an inject deck, and (later) the model's own agents. A
:class:`Move` is a kind and its fields' values; :func:`check_move` validates it against the
game as it stands (a :class:`Board`: the scenario, the month, who is in which alliance), and
:func:`move_entry` turns it into an event or an alliance of the scenario language, with a
plain-words summary. :func:`choices` gives what a field may take *now*, so that a form offers
no impossible choice (joining only a collective or minilateral alliance one is not in,
durations within the game).

Messages name the field by its label and say what it takes, in one line, with no internal
path or id: ``Months: at most 26 (the game ends at month 36)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.scenario.baseline import countries
from sim.scenario.ladder import ESCALATION_LEVELS, rung_words
from sim.scenario.schema import Alliance, Scenario

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
    """

    key: str
    label: str
    fields: tuple[MoveField, ...]
    policy: Mapping[str, str] | None = None

    def field(self, name: str) -> MoveField:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    def defaults(self) -> dict[str, Any]:
        """The fields' default values."""
        return {f.name: f.default for f in self.fields}


def _policy_move(
    key: str, label: str, amount: MoveField | None, *, actor: str = "USA", partner: str = "PHL"
) -> MoveKind:
    fields = [_actor(default=actor), _partners(default=(partner,))]
    if amount is not None:
        fields.append(amount)
    fields.append(MONTHS)
    return MoveKind(key, label, tuple(fields), {} if amount is None else {amount.name: amount.name})


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
        ),
        _policy_move(
            "security_assistance",
            "Assistance funding",
            MoveField(
                "usd_m_per_year", "Funding", "number", "US$ m a year, each partner", 1, 5000, 100.0
            ),
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
            "economic_coercion",
            "Economic coercion",
            _share("intensity", "Intensity", 0.3, "1: a broad embargo"),
            actor="CHN",
            partner="PHL",
        ),
        _policy_move(
            "gray_zone_coercion",
            "Gray-zone pressure",
            _share("intensity", "Intensity", 0.3, "coast-guard and militia pressure"),
            actor="CHN",
            partner="PHL",
        ),
        _policy_move(
            "deconfliction_channel",
            "Deconfliction channel",
            _share("strength", "Strength", 0.5),
            partner="CHN",
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
    """What a move is checked against: the game as it stands.

    Attributes:
        definition: The scenario being played (with the moves made so far).
        month: The current month (a move acts from the next one).
        members: Alliance name → its members now.
        replaying: Whether the moves checked are a record being replayed: who is in which
            alliance is then not checked again (it was, against the model, when each move was
            made; a conditional event a replay cannot foresee may since have changed it).
    """

    definition: Scenario
    month: int
    members: Mapping[str, frozenset[str]]
    replaying: bool = False

    @property
    def horizon(self) -> int:
        """The game's last month."""
        return self.definition.horizon

    @property
    def remaining(self) -> int:
        """Months left to play."""
        return max(0, self.horizon - self.month)

    @property
    def codes(self) -> list[str]:
        """The states in play (every country of the baseline)."""
        return list(NAMES)


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


def alliance_label(name: str, definition: Scenario) -> str:
    """An alliance in plain words: its members and type, and its own name when short.

    E.g. ``US–Philippines bilateral treaty (Mutual Defense Treaty)``.
    """
    pact = definition.alliances.get(name)
    if pact is None:
        return name.replace("_", " ")
    members = "–".join(SHORT.get(m, NAMES.get(m, m)) for m in pact.members)
    label = f"{members} {TYPE_WORDS.get(pact.type, pact.type)}"
    if pact.note and len(pact.note) <= 48:
        label += f" ({pact.note})"
    return label


def _number(spec: MoveField, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value).strip()
        if not text:
            raise MoveError(f"{spec.label}: a number is needed")
        try:
            value = float(text)
        except ValueError:
            raise MoveError(f"{spec.label}: a number is needed, not {value!r}") from None
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise MoveError(f"{spec.label}: a finite number is needed")
    unit = f" {spec.unit}" if spec.unit and spec.unit != "0–1" else ""
    if spec.low is not None and value < spec.low:
        raise MoveError(f"{spec.label}: at least {spec.low:g}{unit} (got {value:g})")
    if spec.high is not None and value > spec.high:
        raise MoveError(f"{spec.label}: at most {spec.high:g}{unit} (got {value:g})")
    return value


def _months(spec: MoveField, value: Any) -> int:
    """A whole number of months, from a number or a form's text (blank: 0, until the end)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text) if text else 0
        except ValueError:
            raise MoveError(
                f"{spec.label}: a whole number of months is needed, not {text!r}"
            ) from None
    whole = isinstance(value, int | float) and not isinstance(value, bool)
    if not whole or not math.isfinite(value) or value != int(value):
        raise MoveError(f"{spec.label}: a whole number of months is needed, not {value!r}")
    return int(value)


def check_move(move: Move, board: Board) -> Move:
    """Validate a move against the game as it stands.

    Returns:
        The move with its values normalised (numbers as floats, partner lists without the
        actor or repeats).

    Raises:
        MoveError: The first problem, in one line naming the field by its label.
    """
    if move.kind not in MOVES:
        raise MoveError(f"Kind of move: {move.kind!r} is not one of {', '.join(MOVES)}")
    spec = MOVES[move.kind]
    names = {f.name for f in spec.fields}
    unknown = sorted(set(move.params) - names)
    if unknown:
        allowed = ", ".join(f.name for f in spec.fields)
        raise MoveError(f"{spec.label}: no field {unknown[0]!r} (it takes {allowed})")
    if board.remaining <= 0:
        raise MoveError(f"The game has ended (month {board.month}); no more moves")
    values: dict[str, Any] = {}
    for f in spec.fields:
        value = move.params.get(f.name, f.default)
        if f.kind in ("country", "countries", "rung", "type", "alliance"):
            allowed = choices(move.kind, f.name, board, values)
            if value in ("", None, [], ()):
                raise MoveError(_missing(move.kind, f, allowed))
            if f.kind == "countries" and isinstance(value, str):
                value = [value]
            picked = list(dict.fromkeys(value)) if f.kind == "countries" else [value]
            if f.kind == "countries":
                picked = [p for p in picked if p != values.get("actor")]
                if not picked:
                    raise MoveError(f"{f.label}: choose at least one, other than the actor")
            for item in picked:
                if item not in allowed:
                    raise MoveError(_not_allowed(move.kind, f, item, values, board))
            value = picked if f.kind == "countries" else picked[0]
        elif f.kind == "months":
            value = _months(f, value)
            if value < 0:
                raise MoveError(f"{f.label}: 0 (until the game ends) or more, not {value}")
            if value > board.remaining:
                raise MoveError(
                    f"{f.label}: at most {board.remaining} (the game ends at month "
                    f"{board.horizon}); 0 runs to the end"
                )
        elif f.kind == "number":
            value = _number(f, value)
        else:
            value = str(value or "").strip()
        values[f.name] = value
    return Move(move.kind, values)


def _missing(kind: str, f: MoveField, allowed: list[str]) -> str:
    if f.kind == "alliance" and not allowed:
        if kind == "join_alliance":
            return f"{f.label}: no alliance here takes new members; form a pact first"
        return f"{f.label}: there is none this state can choose"
    return f"{f.label}: choose one"


def _not_allowed(kind: str, f: MoveField, item: Any, values: dict[str, Any], board: Board) -> str:
    actor = country_name(str(values.get("actor", "")))
    if f.kind in ("country", "countries"):
        if not isinstance(item, str):
            return f"{f.label}: {item!r} is not a country of the game"
        if kind == "incident" and item == values.get("actor"):
            return f"{f.label}: an incident needs two different countries"
        if item in NAMES:
            return f"{f.label}: {country_name(item)} cannot be both actor and partner"
        return f"{f.label}: {item!r} is not a country of the game"
    if f.kind == "alliance":
        if item not in board.definition.alliances:
            return f"{f.label}: there is no alliance {item!r} in this game"
        label = alliance_label(item, board.definition)
        if kind == "join_alliance":
            pact = board.definition.alliances[item]
            if pact.type not in JOINABLE:
                words = TYPE_WORDS.get(pact.type, pact.type)
                return (
                    f"{f.label}: {label} is a {words}; only a pact or a minilateral takes members"
                )
            return f"{f.label}: {_cap(actor)} is already a member of {label}"
        if kind == "leave_alliance":
            return f"{f.label}: {_cap(actor)} is not a member of {label}"
        return f"{f.label}: only the lead of {label} can declare its pledge"
    allowed = ", ".join(map(str, choices(kind, f.name, board, values)))
    return f"{f.label}: {item!r} is not one of {allowed}"


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
