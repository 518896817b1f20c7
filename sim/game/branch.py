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

Beside the outcomes, a branch keeps what its futures did on the way (:class:`Course`: every
dyad's rung and the regional tension month by month, the pledges' clarity and the states' own
levers at the end), the board's present, and the scripted entries of held states left out of
the game, so that :mod:`sim.game.explain_branch` can say from the futures themselves why a move
changed what it did, or nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace

import numpy as np

from sim.core import metrics
from sim.core.compile import NeedsCompilingError, compile_move
from sim.core.dynamics.state import State, upper_triangle
from sim.core.engine import outcomes_from
from sim.core.model import IndoPacificModel
from sim.core.rng import replicate_keys
from sim.core.world import CompiledMove, World
from sim.game.limits import plain_move
from sim.game.play import Game, entry_name, timed_spec
from sim.game.record import Action
from sim.scenario.loader import load_scenario
from sim.scenario.moves import Move, country_name, move_entry, played_move
from sim.scenario.problems import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.script import acting_states
from sim.studies.compare import difference_ci, wilson

#: Most futures per side of a branch.
MAX_REPLICATES = 500


#: The outcomes a branch shows: label → outcome name (the followed country's alignment is added).
OUTCOMES = {
    "Regional tension (0–1)": "regional_tension",
    "Crisis or worse from now on (share of futures)": "p_crisis",
    "Highest rung from now on (0 calm … 5 war)": "max_escalation",
    "US credibility (0–1)": "us_credibility",
}


@dataclass(frozen=True)
class Row:
    """One outcome of a branch: both sides' means and the change with its 95% interval.

    ``key`` is the outcome's name (``regional_tension``, ``alignment.PHL``…).
    """

    label: str
    without: float
    with_move: float
    change: float
    low: float
    high: float
    unit: str = ""
    key: str = ""


@dataclass(frozen=True)
class Course:
    """What the futures of one side did on the way to the horizon, beyond the outcomes.

    Attributes:
        rungs: The rung of every dyad's incident (0 calm … 5 war) at the end of each month from
            the board's present to the horizon, ``(M, R, D)`` over upper-triangle dyads.
        tension: Regional tension at the end of each of those months, ``(M, R)``.
        clarity: Each pledge's clarity at the horizon, ``(R, K)``.
        decided: The states' own decisions' lever (``State.overlay``) at the horizon on the
            move's lever, actor → each partner, ``(R, P)``; None for a move that is no lever.
    """

    rungs: np.ndarray = field(repr=False)
    tension: np.ndarray = field(repr=False)
    clarity: np.ndarray = field(repr=False)
    decided: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LeftOut:
    """A scripted entry of the scenario left out of the game because a team holds its actor.

    Attributes:
        name: Its name in the scenario.
        acting: The states whose decision it is.
        states: Every state it names (its actor, partners, the parties of an incident).
        note: Its note, in words ('' when it has none).
    """

    name: str
    acting: tuple[str, ...]
    states: tuple[str, ...]
    note: str = ""


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
        move: The move (its kind and fields).
        world: The compiled world the futures with the move ran (the game's, with a new
            alliance if the move forms one).
        played: The move in array form, as the futures with it played it (None for a move
            that forms an alliance).
        courses: What the futures did on the way, without and with the move.
        present: The board's present: regional tension, US credibility and the followed
            country's alignment now, by outcome name.
        held: The states teams hold (their decision rules are off).
        left_out: The scripted entries of held states left out of the game.
    """

    summary: str
    month: int
    horizon: int
    replicates: int
    target: str
    without: dict[str, np.ndarray] = field(repr=False)
    with_move: dict[str, np.ndarray] = field(repr=False)
    move: Move | None = None
    world: World | None = field(default=None, repr=False)
    played: CompiledMove | None = None
    courses: tuple[Course, Course] | None = field(default=None, repr=False)
    present: dict[str, float] = field(default_factory=dict)
    held: tuple[str, ...] = ()
    left_out: tuple[LeftOut, ...] = ()

    @property
    def with_inject(self) -> dict[str, np.ndarray]:
        """:attr:`with_move` (the name the charts use)."""
        return self.with_move

    def rows(self) -> list[Row]:
        """Each outcome: means without and with, and the change with its 95% interval."""
        keys = OUTCOMES | {
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
                    key=key,
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


class _Watch:
    """Records every dyad's rung and the regional tension at the end of each month of a run."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.rungs: list[np.ndarray] = []
        self.tension: list[np.ndarray] = []

    def __call__(self, state: State) -> None:
        self.rungs.append(upper_triangle(self.world, state.level).astype(np.int8))
        self.tension.append(metrics.regional_tension(self.world, state))

    def course(self, state: State, played: CompiledMove | None) -> Course:
        """The course of the run, read from the state it ended in."""
        r, d = state.replicates, len(self.world.dyad_i)
        decided = None
        if played is not None and played.lever >= 0 and played.partners:
            overlay = state.overlay
            partners = list(played.partners)
            decided = (
                np.zeros((r, len(partners)))
                if overlay is None
                else overlay[:, played.lever, played.actor, partners].copy()
            )
        return Course(
            rungs=np.stack(self.rungs) if self.rungs else np.zeros((0, r, d), dtype=np.int8),
            tension=np.stack(self.tension) if self.tension else np.zeros((0, r)),
            clarity=state.clarity.copy(),
            decided=decided,
        )


def _present(model: IndoPacificModel, target: str) -> dict[str, float]:
    """The board's regional tension, US credibility and the target's alignment now."""
    world, state = model.world, model.state
    now = metrics.model_metrics(world, state)
    return {
        "regional_tension": float(now["regional_tension"][0]),
        "us_credibility": float(now["us_credibility"][0]),
        f"alignment.{target}": float(state.alignment[0, world.index(target)]),
    }


def _left_out(game: Game) -> tuple[LeftOut, ...]:
    """The scripted entries left out of the game because a team holds their actor.

    Read from the scenario as shipped (a file that no longer loads gives the names alone).
    """
    names = list(game.record.unscripted)
    if not names:
        return ()
    try:
        original = load_scenario(game.record.scenario)
    except (ScenarioError, OSError, ValueError):
        return tuple(LeftOut(name, (), ()) for name in names)
    return tuple(_entry(original, name) for name in names)


def _entry(original: Scenario, name: str) -> LeftOut:
    """One scripted entry of the shipped scenario, with the states it names."""
    if name in original.policies:
        policy = original.policies[name]
        states = (policy.actor, *policy.partners)
        return LeftOut(name, (policy.actor,), states, policy.note)
    event = original.events.get(name)
    if event is None:
        return LeftOut(name, (), ())
    acting = tuple(sorted(acting_states(event, original)))
    named: list[str] = list(getattr(event, "actors", []) or [])
    if getattr(event, "country", None):
        named.append(event.country)
    policy = getattr(event, "policy", None)
    if policy is not None:
        named += [policy.actor, *policy.partners]
    alliance = original.alliances.get(getattr(event, "alliance", "") or "")
    if alliance is not None:
        named += alliance.members
    return LeftOut(name, acting, tuple(dict.fromkeys([*acting, *named])), event.note)


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
        present = _present(game.model, entry.target)
        held = tuple(c for seat in game.record.seats for c in seat.countries)
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
    left_out = _left_out(game)
    watch_without, watch_with = _Watch(world), _Watch(changed)
    without = outcomes_from(world, now, past, watch=watch_without)
    with_move = outcomes_from(changed, *then, watch=watch_with)
    courses = (watch_without.course(now, added), watch_with.course(then[0], added))
    return Branch(
        entry.summary,
        month,
        board.horizon,
        replicates,
        entry.target,
        without,
        with_move,
        move=move,
        world=changed,
        played=added,
        courses=courses,
        present=present,
        held=held,
        left_out=left_out,
    )
