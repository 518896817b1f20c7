"""Typed records of what happened in a run: one record type per kind of event.

The dynamics write them (when a run is logged); the log writer (``events.jsonl``), the
after-action report and the dashboard read them, and one narrator
(:mod:`sim.outputs.narrative`) turns them into plain words. Every field a reader needs is a
field here: nobody parses text the model wrote.

Each record becomes one line of ``events.jsonl``: the keys ``replicate, step, type, actors,
level, cause`` that every reader can rely on, then the record's own fields
(:meth:`Record.to_json`); :func:`from_json` reads such a line back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from sim.scenario.ladder import LEVEL_VALUES, level_name

#: The keys every line of ``events.jsonl`` has, in this order.
JSON_KEYS = ("replicate", "step", "type", "actors", "level", "cause")

#: What starts an incident between two states without a standing dispute.
COERCION_CAUSE = "gray-zone coercion"


@dataclass(frozen=True, slots=True)
class Record:
    """Something that happened in one replicate, at the end of month ``step``.

    Attributes:
        replicate: Replicate index.
        step: The month whose end the record describes (events that fire at month t, and
            what month t's dynamics do, are recorded at step t + 1).
    """

    type: ClassVar[str] = ""

    replicate: int
    step: int

    @property
    def month(self) -> int:
        """The month whose step wrote it, counted as a scenario and a game count months.

        An event scripted for month t (``step: t``) and a move made at a game's month t act
        in month t's step, and what that step's dynamics do is seen from month t + 1 on:
        all are recorded at ``step`` t + 1 and have ``month`` t. A reader telling what was
        scripted or played tells it at ``month``, where the scenario and the deck put it.
        """
        return self.step - 1

    @property
    def actors(self) -> tuple[str, ...]:
        """The states involved (ISO3 codes)."""
        return ()

    @property
    def level(self) -> str | None:
        """The rung involved, by name, for records about incidents."""
        return None

    @property
    def cause(self) -> str:
        """A short machine-written reason, kept in ``events.jsonl`` for older readers."""
        return ""

    def to_json(self) -> dict[str, Any]:
        """The record as one ``events.jsonl`` object: the shared keys, then its own fields."""
        data: dict[str, Any] = {
            "replicate": self.replicate,
            "step": self.step,
            "type": self.type,
            "actors": list(self.actors),
            "level": self.level,
            "cause": self.cause,
        }
        for spec in dataclasses.fields(self):
            if spec.name not in data:
                value = getattr(self, spec.name)
                data[spec.name] = list(value) if isinstance(value, tuple) else value
        return data


# --------------------------------------------------------------------------------------------
# Incidents and the escalation ladder


@dataclass(frozen=True, slots=True)
class _DyadRecord(Record):
    """A move of a dyad's incident on the ladder.

    Attributes:
        pair: The two states (ISO3 codes, in country order).
        rung: The dyad's level after the move (0 calm … 5 war).
        dispute: What the standing dispute is about, or None without one (the incident then
            comes from gray-zone coercion).
    """

    pair: tuple[str, str] = ("", "")
    rung: int = 0
    dispute: str | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """Both states."""
        return self.pair

    @property
    def level(self) -> str:
        """The level reached, by name."""
        return level_name(self.rung)

    @property
    def cause(self) -> str:
        """The dispute, or gray-zone coercion."""
        return self.dispute or COERCION_CAUSE


@dataclass(frozen=True, slots=True)
class IncidentStarted(_DyadRecord):
    """A calm dyad has a new gray-zone incident."""

    type: ClassVar[str] = "incident"


@dataclass(frozen=True, slots=True)
class Escalated(_DyadRecord):
    """A dyad's incident stepped up one rung."""

    type: ClassVar[str] = "escalation"


@dataclass(frozen=True, slots=True)
class Deescalated(_DyadRecord):
    """A dyad's incident stepped down one rung (to calm at rung 0)."""

    type: ClassVar[str] = "deescalation"


# --------------------------------------------------------------------------------------------
# Alliances


@dataclass(frozen=True, slots=True)
class _AllianceRecord(Record):
    """An alliance's answer to a challenge to one of its members.

    Attributes:
        alliance: The alliance's key (a task force created by an event: ``<event>.policy``).
        label: The alliance as a reader knows it (a task force: its policy's or event's name).
        members: Its members in force.
        credibility_before: Credibility before the answer.
        credibility_after: Credibility after it.
    """

    alliance: str = ""
    label: str = ""
    members: tuple[str, ...] = ()
    credibility_before: float | None = None
    credibility_after: float | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """The members."""
        return self.members

    @property
    def cause(self) -> str:
        """The alliance and its credibility now."""
        after = "?" if self.credibility_after is None else f"{self.credibility_after:.2f}"
        return f"{self.alliance}: credibility now {after}"


@dataclass(frozen=True, slots=True)
class AllianceResponded(_AllianceRecord):
    """The alliance stood by a challenged member (credibility rises)."""

    type: ClassVar[str] = "alliance_response"


@dataclass(frozen=True, slots=True)
class AllianceFailed(_AllianceRecord):
    """The alliance did not respond to a challenge (abandonment: credibility falls)."""

    type: ClassVar[str] = "abandonment"


# --------------------------------------------------------------------------------------------
# Scenario events (scheduled or conditional injects)


@dataclass(frozen=True, slots=True)
class _EventRecord(Record):
    """A scenario event that fired.

    Attributes:
        event: The event's name in the scenario.
        condition: The ``when:`` condition that held, or None for an event due this month.
        source: The event's cited sources.
        note: The event's note.
    """

    event: str = ""
    condition: str | None = None
    source: tuple[str, ...] = ()
    note: str = ""

    @property
    def cause(self) -> str:
        """The event's name, and whether a condition fired it."""
        return f"event {self.event}" + (" (condition met)" if self.condition is not None else "")


@dataclass(frozen=True, slots=True)
class IncidentInjected(_EventRecord):
    """An incident put on the board at a given rung.

    Attributes:
        pair: The two states.
        rung: The rung it opens at (1 gray zone … 5 war).
    """

    type: ClassVar[str] = "inject:incident"

    pair: tuple[str, str] = ("", "")
    rung: int = 1

    @property
    def actors(self) -> tuple[str, ...]:
        """Both states."""
        return self.pair

    @property
    def level(self) -> str:
        """The rung, by name."""
        return level_name(self.rung)


@dataclass(frozen=True, slots=True)
class PolicyStarted(_EventRecord):
    """A policy put in force by an event.

    Attributes:
        policy_kind: The policy's kind (``security_assistance``, ``task_force``…).
        actor: Who pulls the lever.
        partners: Who it is aimed at.
        duration: Months in force, or None for the rest of the run.
    """

    type: ClassVar[str] = "inject:policy"

    policy_kind: str = ""
    actor: str = ""
    partners: tuple[str, ...] = ()
    duration: int | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """The actor (the partners are a field of their own)."""
        return (self.actor,) if self.actor else ()


@dataclass(frozen=True, slots=True)
class _MembershipRecord(_EventRecord):
    """A state joining or leaving an alliance.

    Attributes:
        alliance: The alliance.
        country: The state.
    """

    alliance: str = ""
    country: str = ""

    @property
    def actors(self) -> tuple[str, ...]:
        """The state."""
        return (self.country,) if self.country else ()


@dataclass(frozen=True, slots=True)
class JoinedAlliance(_MembershipRecord):
    """A state joined an alliance."""

    type: ClassVar[str] = "inject:join_alliance"


@dataclass(frozen=True, slots=True)
class LeftAlliance(_MembershipRecord):
    """A state left an alliance."""

    type: ClassVar[str] = "inject:leave_alliance"


@dataclass(frozen=True, slots=True)
class CommitmentSet(_EventRecord):
    """An alliance's commitment was set.

    Attributes:
        alliance: The alliance.
        value: Its new commitment, 0–1.
    """

    type: ClassVar[str] = "inject:set_commitment"

    alliance: str = ""
    value: float | None = None


@dataclass(frozen=True, slots=True)
class ClaritySet(_EventRecord):
    """The clarity of an alliance's pledge was set (ambiguity ended or restored).

    Attributes:
        alliance: The alliance.
        value: Its new clarity, 0–1.
    """

    type: ClassVar[str] = "inject:set_clarity"

    alliance: str = ""
    value: float | None = None


@dataclass(frozen=True, slots=True)
class TensionShocked(_EventRecord):
    """A dyad's tension was shocked.

    Attributes:
        pair: The two states.
        delta: The shock, −1 to 1.
    """

    type: ClassVar[str] = "inject:tension_shock"

    pair: tuple[str, str] = ("", "")
    delta: float | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """Both states."""
        return self.pair


@dataclass(frozen=True, slots=True)
class CredibilityShocked(_EventRecord):
    """An alliance's credibility was shocked.

    Attributes:
        alliance: The alliance.
        delta: The shock, −1 to 1.
    """

    type: ClassVar[str] = "inject:credibility_shock"

    alliance: str = ""
    delta: float | None = None


@dataclass(frozen=True, slots=True)
class Overruled(_EventRecord):
    """A decision variable of the rule set back: a facilitator overruled a computer's move.

    Attributes:
        decider: The state whose move was overruled.
        target: The state the variable acts on, the alliance of a clarity, or empty.
        kind: The kind of decision variable (``coercion``, ``arms``…).
        value: The value the variable was set back to, in its unit.
    """

    type: ClassVar[str] = "inject:overrule"

    decider: str = ""
    target: str = ""
    kind: str = ""
    value: float | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """The decider, then its target when that is a state."""
        return (self.decider, self.target) if len(self.target) == 3 else (self.decider,)


# --------------------------------------------------------------------------------------------
# Decisions


#: Plain words of each utility term of a decision (``docs/model.md`` §9).
TERM_WORDS = {
    "escalation": "the expected cost of escalation",
    "security": "the threat it lives under",
    "following": "the alignment of others",
    "value": "what it makes of this lever",
    "posture": "the pull of its standing posture",
}


@dataclass(frozen=True, slots=True)
class Decision(Record):
    """A state's own move, chosen by its decision rule (``docs/model.md`` §9).

    Attributes:
        decider: The state that moved (ISO3).
        target: The state it moved towards or against (ISO3), the alliance whose pledge it
            clarified, or empty for its own budget and lean.
        move: The move's name (``ease_coercion``, ``raise_arms``, …).
        kind: The kind of decision variable (``coercion``, ``arms``, …).
        change: How far the move moved the variable, in its unit.
        gain: ``ΔU`` of the move over holding, crisis-months.
        terms: The utility terms that make up ``gain``: ``(name, value)`` pairs, crisis-months
            (positive helps the move).
        refused: Whether the partner refused it (a channel proposed and turned down).
    """

    type: ClassVar[str] = "decision"

    decider: str = ""
    target: str = ""
    move: str = ""
    kind: str = ""
    change: float = 0.0
    gain: float = 0.0
    terms: tuple = ()
    refused: bool = False

    @property
    def actors(self) -> tuple[str, ...]:
        """The decider first, then its target when that is a state."""
        return (self.decider, self.target) if len(self.target) == 3 else (self.decider,)

    @property
    def cause(self) -> str:
        """The term that weighed most for the move, in words, with its value."""
        return self.reason

    @property
    def reason(self) -> str:
        """What made the move win, in words and numbers."""
        values = {str(name): float(value) for name, value in self.terms}
        if not values:
            return ""
        main = max(values, key=lambda name: abs(values[name]))
        listed = ", ".join(f"{name} {value:+.3g}" for name, value in values.items())
        return f"{TERM_WORDS.get(main, main)} weighed most ({listed}; crisis-months)"

    def to_json(self) -> dict[str, Any]:
        """The shared keys, the record's fields, and ``reason`` in words."""
        data = Record.to_json(self)
        data["terms"] = {str(name): value for name, value in self.terms}
        data["reason"] = self.reason
        return data


#: Every record type by its ``type``.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.type: cls
    for cls in (
        Decision,
        IncidentStarted,
        Escalated,
        Deescalated,
        AllianceResponded,
        AllianceFailed,
        IncidentInjected,
        PolicyStarted,
        JoinedAlliance,
        LeftAlliance,
        CommitmentSet,
        ClaritySet,
        TensionShocked,
        CredibilityShocked,
        Overruled,
    )
}


def from_json(data: dict[str, Any]) -> Record | None:
    """Read back one ``events.jsonl`` object; None if its type is unknown or it is malformed.

    Fields a line lacks take their defaults; a line written before records had fields of their
    own gets its states from ``actors`` and its rung from ``level``.
    """
    cls = RECORD_TYPES.get(str(data.get("type")))
    if cls is None:
        return None
    actors = list(data.get("actors") or [])
    data = {
        "pair": actors[:2],
        "members": actors,
        "actor": actors[0] if actors else "",
        "country": actors[0] if actors else "",
        "rung": LEVEL_VALUES.get(str(data.get("level")), 0),
        **data,
    }
    if isinstance(data.get("terms"), dict):
        data["terms"] = [[name, value] for name, value in data["terms"].items()]
    fields = {}
    for spec in dataclasses.fields(cls):
        if spec.name in data:
            value = data[spec.name]
            if isinstance(value, list):
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            fields[spec.name] = value
    try:
        return cls(**fields)
    except TypeError:  # no replicate or step
        return None
