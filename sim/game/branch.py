"""What if, from the board's present: the same past, R new futures, with and without a move.

:func:`branch_from_present` copies the game's state at its current month into R replicates
(:meth:`~sim.core.dynamics.state.State.fork`) and runs each to the horizon
(:func:`~sim.core.engine.outcomes_from`), once as the board stands and once with a proposed
move. Every replicate starts from exactly the board's month: the dyads at clash on the board
are at clash in every branch. Replicate r draws the random numbers of replicate r of the
game's seed, so both sides of the comparison meet the same draws (common random numbers), and
replicate 0, whose key is the game's own, is the game's own future had nothing more been
done: the game's own future is among the branches, as run 0 of "without".

Outcomes speak of the futures from now on: the highest rung counts from the board's present
rungs, not from a crisis already past, so that a move that heads off a crisis shows.

The change is the mean paired difference with a 95% percentile-bootstrap interval
(:func:`sim.studies.compare.difference_ci`), and for the share of futures reaching a crisis,
the Wilson interval of each side.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace

import numpy as np

from sim.core.compile import NeedsCompilingError, compile_move
from sim.core.dynamics.state import State, upper_triangle
from sim.core.engine import outcomes_from
from sim.core.model import IndoPacificModel
from sim.core.rng import replicate_keys
from sim.game.limits import plain_move
from sim.game.play import Game, entry_name, timed_spec
from sim.game.record import Action
from sim.scenario.moves import Move, country_name, move_entry, played_move
from sim.studies.compare import difference_ci, wilson

#: Most futures per side of a branch.
MAX_REPLICATES = 500


@dataclass(frozen=True)
class Row:
    """One outcome of a branch: both sides' means and the change with its 95% interval."""

    label: str
    without: float
    with_move: float
    change: float
    low: float
    high: float
    unit: str = ""


@dataclass(frozen=True)
class Branch:
    """Outcomes at the horizon of R futures from the board's present, without and with a move.

    Attributes:
        summary: The move, in plain words.
        month: The board's month (where every future starts).
        horizon: The final month.
        replicates: Futures per side.
        target: The country whose alignment is followed.
        without: Outcome name → values over futures, as the board stands.
        with_move: The same, with the move.
    """

    summary: str
    month: int
    horizon: int
    replicates: int
    target: str
    without: dict[str, np.ndarray] = field(repr=False)
    with_move: dict[str, np.ndarray] = field(repr=False)

    @property
    def with_inject(self) -> dict[str, np.ndarray]:
        """:attr:`with_move` (the name the charts use)."""
        return self.with_move

    def rows(self) -> list[Row]:
        """Each outcome: means without and with, and the change with its 95% interval."""
        keys = {
            "Regional tension (0–1)": "regional_tension",
            "Crisis or worse from now on (share of futures)": "p_crisis",
            "Highest rung from now on (0 calm … 5 war)": "max_escalation",
            "US credibility (0–1)": "us_credibility",
            f"Alignment of {_plain(self.target)} (−1 China … +1 US)": f"alignment.{self.target}",
        }
        diffs = np.column_stack([self.with_move[k] - self.without[k] for k in keys.values()])
        low, high = difference_ci(diffs)
        rows = []
        for j, (label, key) in enumerate(keys.items()):
            a, b = self.without[key], self.with_move[key]
            rows.append(
                Row(
                    label,
                    float(a.mean()),
                    float(b.mean()),
                    float(diffs[:, j].mean()),
                    float(np.atleast_1d(low)[j]),
                    float(np.atleast_1d(high)[j]),
                )
            )
        return rows

    def crisis_intervals(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Wilson 95% intervals of the share of futures reaching a crisis, without and with."""
        n = self.replicates
        return (
            wilson(int(self.without["p_crisis"].sum()), n),
            wilson(int(self.with_move["p_crisis"].sum()), n),
        )


def _plain(code: str) -> str:
    name = country_name(code)
    return name[4:] if name.startswith("the ") else name


def _fork(model: IndoPacificModel, keys: np.ndarray) -> tuple[State, float]:
    """R copies of a model's present state, and the incidents so far.

    The copies' highest rung reached starts at this month's rungs, so that the outcomes speak
    of what happens from now on (a crisis already past would otherwise pin every future's
    "crisis or worse" at 1, with or without the move).
    """
    state = model.state.fork(keys)
    state.max_level = upper_triangle(model.world, state.level).astype(state.max_level.dtype)
    past = float(np.sum(model.datacollector.model_vars["incidents"]))
    return state, past


def branch_from_present(game: Game, move: Move, replicates: int = 40) -> Branch:
    """Run R futures from the board's present, without and with ``move`` made now.

    Both sides go on from copies of the board's state with the moves already played (those
    accepted this month among them); the move is played into the copies in array form, as
    accepting it would play it, so nothing is recompiled or replayed — but for a move that
    forms a new alliance, whose side is the game replayed with it as an entry.

    Args:
        game: The game.
        move: The proposed move (validated as making it would be).
        replicates: Futures per side (1 … :data:`MAX_REPLICATES`).

    Raises:
        MoveError: When the move cannot be made now.
        ValueError: When the game has ended or ``replicates`` is out of range.
    """
    if not 1 <= replicates <= MAX_REPLICATES:
        raise ValueError(f"Futures: from 1 to {MAX_REPLICATES}, not {replicates}")
    move = plain_move(move)  # typed numbers by the rule of scenario files, as an inject's
    with game.lock:
        board = game.board()
        entry = move_entry(move, board)  # raises MoveError with a plain line
        seed, month = game.record.seed, game.model.month
        world = game.model.world_played()
        keys = replicate_keys(seed, range(replicates))
        now, past = _fork(game.model, keys)  # the copies are taken under the lock, run outside
        played = played_move(move, board)
        added = None
        if played is not None:
            with contextlib.suppress(NeedsCompilingError):
                added = compile_move(world, played, f"moves[{len(world.moves)}]")
        if added is not None:
            changed, then = replace(world, moves=(*world.moves, added)), _fork(game.model, keys)
        else:  # a new alliance is compiled: the game replayed with it
            name = entry_name(board.definition, entry, board.month)
            probe = Action(id=0, month=board.month, origin="facilitator", move=move.to_data())
            definition = game.model.with_inject(entry.block, name, timed_spec(entry, probe))
            replay = IndoPacificModel(definition, rng=seed)
            for live in game.model.moves:
                replay.play(live)
            for _ in range(month):
                replay.step()
            changed, then = replay.world_played(), _fork(replay, keys)
    without = outcomes_from(world, now, past)
    with_move = outcomes_from(changed, *then)
    return Branch(entry.summary, month, board.horizon, replicates, entry.target, without, with_move)
