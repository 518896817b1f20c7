"""The turn log of a game, in plain words: names, never ids.

Each month lists what the model did (incidents, escalations, alliances answering a
challenge, the computer players' moves with their reasons) and what the players did, marked
by who did it: a facilitator's inject, an inject card, a team's move (with its rationale).
Scripted events of the scenario read by their note ("China declares a customs quarantine of
Taiwan"), alliances by their names, countries by theirs. :func:`turn_log` builds it from a
:class:`~sim.game.play.Game`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core import records
from sim.game.play import Game
from sim.game.record import Action
from sim.outputs.narrative import decision_text
from sim.scenario.ladder import rung_words
from sim.scenario.moves import alliance_label, country_name, joined, task_force_label
from sim.scenario.schema import Scenario

#: Kinds of line, for styling: a player's action, an escalation, routine, the model's own.
INJECT, ESCALATION, MINOR, MODEL = "inject", "escalation", "minor", "model"


@dataclass(frozen=True)
class Line:
    """One line of the log."""

    kind: str
    text: str


@dataclass(frozen=True)
class Turn:
    """The lines of one month, and whether it holds moves still to act (made this turn)."""

    month: int
    lines: tuple[Line, ...]
    upcoming: bool = False


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pair(pair: tuple[str, ...]) -> str:
    return " and ".join(country_name(c) for c in pair)


def _alliance(record: records.Record, definition: Scenario) -> str:
    key = getattr(record, "alliance", "")
    if key in definition.alliances:
        return "the " + alliance_label(key, definition)
    task_force = task_force_label(key, definition)
    if task_force is not None:
        return f"the {task_force}"
    label = getattr(record, "label", "") or key
    return label.replace("_", " ")


def record_line(
    record: records.Record, definition: Scenario, *, reason: bool = True
) -> Line | None:
    """One model record in plain words (None for records the log leaves out).

    A computer player's move (a ``decision`` record) is told with the reason its rule gives,
    unless ``reason`` is False (what a team reads of another state's move).
    """
    if isinstance(record, records.Decision):
        return Line(MODEL, f"Computer: {decision_text(record, reason=reason)}")
    if isinstance(record, records.IncidentStarted):
        return Line(MINOR, _cap(f"gray-zone incident between {_pair(record.pair)}"))
    if isinstance(record, records.Escalated):
        return Line(
            ESCALATION,
            _cap(
                f"{_pair(record.pair)}: the incident escalates to the "
                f"{rung_words(record.level)} rung"
            ),
        )
    if isinstance(record, records.Deescalated):
        words = "calms down" if record.rung == 0 else f"eases to {rung_words(record.level)}"
        return Line(MINOR, _cap(f"{_pair(record.pair)}: the incident {words}"))
    if isinstance(record, records.AllianceResponded | records.AllianceFailed):
        after = record.credibility_after
        credibility = "" if after is None else f" (credibility now {after:.2f})"
        verb = (
            "stands by its member"
            if isinstance(record, records.AllianceResponded)
            else ("fails to answer a challenge to a member")
        )
        kind = MODEL if isinstance(record, records.AllianceResponded) else ESCALATION
        return Line(kind, f"{_cap(_alliance(record, definition))} {verb}{credibility}")
    if getattr(record, "event", ""):  # a scenario event that fired
        return Line(MODEL, _cap(_scripted(record, definition)))
    return None


def _scripted(record: records.Record, definition: Scenario) -> str:
    """A scenario event that fired, by its note when it has one."""
    note = getattr(record, "note", "")
    if note:
        return f"scenario: {note}"
    if isinstance(record, records.IncidentInjected):
        rung = rung_words(record.rung)
        return f"scenario: incident between {_pair(record.pair)} at the {rung} rung"
    if isinstance(record, records.PolicyStarted):
        partners = joined([country_name(c) for c in record.partners])
        kind = record.policy_kind.replace("_", " ")
        return f"scenario: {country_name(record.actor)} starts {kind} with {partners}"
    if isinstance(record, records.JoinedAlliance | records.LeftAlliance):
        verb = "joins" if isinstance(record, records.JoinedAlliance) else "leaves"
        return f"scenario: {country_name(record.country)} {verb} {_alliance(record, definition)}"
    return f"scenario: {record.type.removeprefix('inject:').replace('_', ' ')}"


def action_line(action: Action, *, why: bool = True) -> Line:
    """A player's action as a log line: who, what, and (unless ``why`` is False) why."""
    why = f" — “{action.rationale.strip()}”" if why and action.rationale.strip() else ""
    what = action.summary or action.move.get("kind", "").replace("_", " ")
    if action.origin == "team":
        ruling = " (amended by the facilitator)" if action.original else ""
        return Line(INJECT, f"{action.seat} team move: {what}{ruling}{why}")
    who = "Inject card" if action.origin == "deck" else "Facilitator inject"
    return Line(INJECT, f"{who}: {what}{why}")


def turn_log(game: Game, *, routine: bool = True, seat: str | None = None) -> list[Turn]:
    """The game's log, newest month first.

    A month tells what the model did up to it (what its board shows anew: incidents,
    escalations, alliances' answers, the computer players' moves), then what was put on the
    board at it: the players' actions and the scenario's scripted events, each at the month
    it was made or scripted for, as the scenario and the deck count months. A quarantine
    scripted for month 3 (``step: 3``) and a card played at month 3 are both told at month 3;
    what they set off, at month 4.

    Args:
        game: The game.
        routine: Whether to keep routine lines (gray-zone incidents opening and calming).
        seat: The team reading it (None: the facilitator, who sees everything). A team sees
            its own moves with their rationale as soon as they are accepted, and what the
            others did only once it has happened, without their reasons.
    """
    with game.lock:
        definition = game.model.definition
        events = list(game.model.events)
        actions = game.accepted()
        month = game.model.month
    seen: dict[int, list[Line]] = {}  # what the model did, by the month its board shows it
    made: dict[int, list[Line]] = {}  # what was put on the board, by the month it acts from
    entries = {a.entry for a in actions}
    for action in actions:
        own = seat is None or (action.origin == "team" and action.seat == seat)
        if not own and action.month >= month:
            continue  # another player's move, not yet played: unknown to this team
        made.setdefault(action.month, []).append(action_line(action, why=own))
    for record in events:
        if getattr(record, "event", "") in entries:
            continue  # told as the player's action
        line = record_line(record, definition, reason=seat is None)
        if line is None or (line.kind == MINOR and not routine):
            continue
        if getattr(record, "event", ""):  # scripted: at the month the scenario gives it
            made.setdefault(record.month, []).append(line)
        else:
            seen.setdefault(record.step, []).append(line)
    return [
        Turn(
            step,
            (*seen.get(step, ()), *made.get(step, ())),
            upcoming=step == month and step in made,
        )
        for step in sorted(set(seen) | set(made), reverse=True)
    ]
