"""Computer players: the states no team holds, played by their decision rule.

A state no team holds is played by its decision rule (``docs/model.md`` §9: its ``decisions``
strategy) unless the facilitator gives it its script (:func:`players`); a held state does
what its team decides, and its rule is off. The facilitator sees each computer move with the
reason the rule gives (:func:`computer_moves`, a ``decision`` record worded by
:func:`sim.outputs.narrative.decision_text`) and may overrule it: :func:`overrule_move` is the
move in array form that sets the decision variable back to where it stood before, from the
month it is made (a month played is not rewritten), which the game's export keeps under
``moves:`` so that ``geosim run`` replays the overrule exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.core import records
from sim.core.dynamics.menu import LEVER_OF
from sim.core.model import IndoPacificModel
from sim.core.world import LEVER_INDEX
from sim.game.record import Action
from sim.scenario.moves import NAMES
from sim.scenario.schema import PlayedMove, Scenario

#: Who plays a state: a team, its decision rule (a computer player), or its script.
TEAM, RULE, SCRIPT = "team", "rule", "script"


def players(definition: Scenario, held: Iterable[str], scripted: Iterable[str]) -> dict[str, str]:
    """Who plays each state of a game: :data:`TEAM`, :data:`RULE` or :data:`SCRIPT`.

    Args:
        definition: The scenario as the game began (its ``decisions`` block as written).
        held: The states the teams hold.
        scripted: The states the facilitator gave their script.
    """
    held, scripted = set(held), set(scripted)
    out = {}
    for code in NAMES:
        if code in held:
            out[code] = TEAM
        elif code in scripted or definition.decisions.strategy_of(code) != "expected_utility":
            out[code] = SCRIPT
        else:
            out[code] = RULE
    return out


def with_players(
    definition: Scenario, seats: dict[str, Sequence[str]], scripted: Iterable[str], game: str
) -> dict:
    """The ``decisions`` block of a game's scenario: held and scripted states follow no rule.

    Args:
        definition: The scenario as the game began.
        seats: Team name → the states it holds.
        scripted: The states the facilitator gave their script.
        game: The game's id, for the reason written beside each.

    Returns:
        The block as plain data (``decisions:``), for the played scenario and its export.
    """
    block = definition.decisions.model_dump(mode="json", exclude_none=True)
    countries = block.setdefault("countries", {})
    for team, held in seats.items():
        for code in held:
            own = countries.setdefault(code, {})
            own["strategy"] = "scripted"
            own["source"] = f"judgement: played by the {team} team in the geosim game {game}"
    for code in scripted:
        own = countries.setdefault(code, {})
        own["strategy"] = "scripted"
        own["source"] = f"judgement: the facilitator gave it its script in the geosim game {game}"
    return block


@dataclass(frozen=True)
class ComputerMove:
    """One move a computer player made, as the facilitator sees it.

    Attributes:
        index: Its place among the board's decision records (what :func:`overrule_move` and
            :meth:`sim.game.play.Game.overrule` are given).
        record: The decision record: the move, its target, the utility terms that made it win.
        overruled: Whether the facilitator has overruled it.
        open: Whether it may still be overruled: it was made (not refused), nothing later
            moved the same variable, and it was not overruled yet.
    """

    index: int
    record: records.Decision
    overruled: bool
    open: bool


def _variable(record: records.Record) -> tuple[str, str, str]:
    return (getattr(record, "decider", ""), getattr(record, "kind", ""), record.target)


def computer_moves(
    events: Sequence[records.Record], actions: Iterable[Action]
) -> list[ComputerMove]:
    """The computer players' moves on the board, oldest first.

    Args:
        events: The board's records (:attr:`~sim.core.model.IndoPacificModel.events`).
        actions: The game's accepted actions (its overrules among them).
    """
    decisions = [r for r in events if isinstance(r, records.Decision)]
    overruled = {
        (
            int(a.move.get("step", -1)),
            a.move.get("actor"),
            a.move.get("decision"),
            a.move.get("target"),
        )
        for a in actions
        if a.move.get("kind") == "overrule"
    }
    latest: dict[tuple[str, str, str], int] = {}
    for i, record in enumerate(decisions):
        if not record.refused:
            latest[_variable(record)] = i
    out = []
    for i, record in enumerate(decisions):
        key = (record.step, record.decider, record.kind, record.target)
        done = key in overruled
        standing = not record.refused and latest.get(_variable(record)) == i
        out.append(ComputerMove(i, record, done, standing and not done))
    return out


def overrule_move(
    model: IndoPacificModel, record: records.Decision, *, source: str, note: str
) -> PlayedMove:
    """The move that sets a computer move's variable back, from the board's month on.

    The variable's value now less the move's change: where it stood before the move (nothing
    has moved it since, :attr:`ComputerMove.open`).

    Raises:
        ValueError: When the move can no longer be taken back (a stance whose incident has
            ended).
    """
    world, state = model.world, model.state
    a = world.index(record.decider)
    kind = record.kind
    partners: list[str] = []
    alliance = None
    if kind in LEVER_OF:
        b = world.index(record.target)
        now = float(state.overlay[0, LEVER_INDEX[LEVER_OF[kind]], a, b])
        partners = [record.target]
    elif kind == "arms":
        now = float(state.posture[0, a])
    elif kind == "lean":
        now = float(state.lean[0, a])
    elif kind == "clarity":
        alliance = record.target
        now = float(state.clarity[0, world.alliance_labels.index(record.target)])
    else:  # a stance holds only while its incident does
        b = world.index(record.target)
        if state.level[0, a, b] == 0 or state.stance[0, a, b] == 0:
            raise ValueError("that incident has ended: its stance has nothing to take back")
        now = float(state.stance[0, a, b])
        partners = [record.target]
    return PlayedMove(
        month=model.month,
        kind="overrule",
        decision=kind,
        actor=record.decider,
        partners=partners,
        alliance=alliance,
        value=now - record.change,
        source=source,
        note=note,
    )
