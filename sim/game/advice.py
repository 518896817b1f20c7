"""What would the model do for us? A team's states' moves, ranked by their decision rule.

A team's states do what the team decides: their decision rule is off in the game. Asked, the
rule scores their menu on the board as it stands (:func:`sim.core.dynamics.decisions.evaluate`
on a copy of the game's state: ``docs/model.md`` §9), and :func:`advise` ranks the moves by
their gain over holding (``ΔU``, in crisis-months), each with the utility terms that make it
up — the expected cost of escalation, the threat lived under, the alignment of others, the
state's own value of the lever, the pull of its standing posture — and the kind of the
console's menu that makes it, where there is one. Nothing on the board changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from sim.core import records
from sim.core.compile import compile_world
from sim.core.dynamics.decisions import evaluate, move_record
from sim.core.dynamics.menu import KINDS
from sim.core.world import World
from sim.game.play import Game
from sim.scenario.moves import MOVES as MENU
from sim.scenario.schema import Scenario

#: The console's kind of move for each kind of the model's menu, where the two coincide.
CONSOLE_KIND = {kind.decision: key for key, kind in MENU.items() if kind.decision is not None}
#: Moves shown to a team, at most.
SHOWN = 8

_WORLDS: dict[tuple[int, tuple[str, ...]], tuple[Scenario, World]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Advice:
    """One move the decision rule would weigh for a team's state.

    Attributes:
        record: The move as the rule would record it: the state, its target, the move, its
            change, its gain over holding and the utility terms (``records.Decision``).
        console: The kind of the console's menu that makes it (None: the team cannot make it
            from the menu, such as easing a lever or a budget).
    """

    record: records.Decision
    console: str | None


def advise(game: Game, seat: str, *, shown: int = SHOWN) -> list[Advice]:
    """The moves of a team's states that their rule would weigh now, best first.

    Only moves with a finite gain are listed (available, and on a lever the state attends
    to); a gain above zero is a move the rule prefers to holding.

    Raises:
        ValueError: When no team sits at ``seat``.
    """
    with game.lock:
        held = tuple(game.record.seat(seat).countries)
        definition, month = game.model.definition, game.model.month
        state = game.model.state.fork(game.model.state.keys)  # a copy: the board is not touched
    world = advice_world(definition, held)
    if world.menu.size == 0:
        return []
    scores, gains = evaluate(world, state)
    menu = world.menu
    mine = np.isin(menu.actor, [world.index(c) for c in held])
    found = []
    for v in np.flatnonzero(mine).tolist():
        for d in (0, 1):
            if not np.isfinite(gains[0, v, d]):
                continue
            kind = KINDS[menu.kind[v]]
            record = move_record(world, scores, gains, 0, v, d, step=month + 1)
            makes = CONSOLE_KIND.get(kind) if d == 0 or kind == "clarity" else None
            found.append(Advice(record, makes))
    found.sort(key=lambda a: -a.record.gain)
    return found[:shown]


def advice_world(definition: Scenario, held: tuple[str, ...]) -> World:
    """The game's world with the team's states deciding by their rule (compiled once a game).

    The same scenario with the held states' strategy ``expected_utility``: the same policies,
    events and alliances as the board's world, so its state reads the same, and a menu for
    the held states.
    """
    key = (id(definition), held)
    with _LOCK:
        cached = _WORLDS.get(key)
        if cached is not None and cached[0] is definition:
            return cached[1]
    data = definition.model_dump(mode="json", exclude_none=True)
    countries = data.setdefault("decisions", {}).setdefault("countries", {})
    for code in held:
        countries.setdefault(code, {})["strategy"] = "expected_utility"
    world = compile_world(Scenario.model_validate(data))
    with _LOCK:
        if len(_WORLDS) > 16:  # a server holds a few games; old boards' worlds go
            _WORLDS.clear()
        _WORLDS[key] = (definition, world)
    return world
