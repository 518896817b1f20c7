"""A live game: the record of :mod:`sim.game.record` and the Mesa model it describes.

A :class:`Game` is what a facilitator and the teams share. Every action goes through it, under
one lock, and is saved before it returns: advancing a turn, an inject or a deck card, a team's
move and its adjudication (accept, amend, reject), an overrule of a computer player's move, an
undo, a note. The board is a :class:`GameModel` (the Mesa model, with the per-month history the
dashboard draws). An accepted move is played into it in array form
(:meth:`~sim.core.model.IndoPacificModel.play`): it acts from the start of the next month on
the running state, with nothing recompiled and no month replayed; only a move that forms a new
alliance (a pact, a task force) is an entry of the scenario language, compiled and replayed.
So that:

* resuming a saved game is replaying its record: the same numbers, month for month;
* undoing the last action takes its move back before it acts (or, for a new alliance,
  replays the record without it);
* the export (:meth:`Game.export_yaml`) is the scenario played, its moves under ``moves:``,
  which ``geosim run`` replays exactly, under a name of its own (``<scenario>_<game id>``).

Nothing confirmed is lost, and nothing unsaved is shown: before every action, and again as it
saves, a game checks that its session file is still the one it last read or wrote (another
program may have written it; :mod:`sim.game.holding` keeps other geosim servers away). If it
is not, or the save fails (a full disk), the action is refused and the game becomes its file
again, as it is now (:class:`FileChangedError`, :class:`NotSavedError`). What a person types is
bounded and numbers are read plainly (:mod:`sim.game.limits`).

States a team holds do not follow the scenario's script: its timed events whose actor a team
holds are left out of the game when it is created (listed in
:attr:`~sim.game.record.GameRecord.unscripted`); the other states keep theirs. A held state's
decision rule is off (its team decides); the others are computer players, played by their
rule unless the facilitator gives them their script before the first month
(:mod:`sim.game.computer`).

The module is over 800 lines because every action of a game is a method of one class: each
takes the game's lock, checks its session file and saves, and one place keeps that discipline.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.core import records
from sim.core.compile import MOVE_LEVERS, NeedsCompilingError
from sim.core.dynamics.levers import active_levers
from sim.core.model import IndoPacificModel
from sim.core.world import LEVER_INDEX
from sim.game.computer import (
    RULE,
    ComputerMove,
    computer_moves,
    overrule_move,
    players,
    with_players,
)
from sim.game.limits import MAX_TEXT, bounded, plain_move
from sim.game.record import (
    Action,
    GameRecord,
    Note,
    Seat,
    SessionChangedError,
    Stamp,
    TeamMessage,
    free_id,
    read,
    session_path,
    stamp_of,
    write,
)
from sim.outputs.narrative import decision_text
from sim.scenario.loader import load_scenario
from sim.scenario.moves import (
    MOVES,
    NAMES,
    Board,
    Entry,
    Move,
    MoveError,
    check_move,
    country_name,
    joined,
    move_entry,
    played_move,
)
from sim.scenario.problems import ScenarioError
from sim.scenario.schema import PlayedMove, Scenario
from sim.scenario.script import unscripted
from sim.scenario.yaml_io import scenario_to_yaml


class StaleError(MoveError):
    """An action asked for on a view of the game that is no longer the game (nothing done)."""

    def __init__(self) -> None:
        super().__init__(
            "Nothing done: the game changed a moment ago (another click or another browser); "
            "look again"
        )


class FileChangedError(MoveError):
    """The session file was written by someone else since this game saved it (nothing done)."""

    def __init__(self) -> None:
        super().__init__(
            "Nothing done: the session file of this game changed on disk since this server "
            "saved it (another program wrote it); the game now shows the file as it is"
        )


class NotSavedError(MoveError):
    """An action whose save failed (a full disk, say): it is not made."""


#: Longest turn timer, minutes.
MAX_TIMER_MINUTES = 240

#: Titles of the shipped scenarios, for a game that is not given one.
TITLES = {
    "scs_crisis": "South China Sea crisis",
    "taiwan_strait_crisis": "Taiwan Strait crisis",
    "taiwan_strait_clarity": "Taiwan Strait crisis, strategic clarity",
    "taiwan_strait_pact": "Taiwan Strait crisis, with a Pacific pact",
    "hub_and_spoke": "Hub-and-spoke status quo",
    "latticework": "The latticework",
    "formal_asian_nato": "A formal Asian NATO",
    "us_retrenchment": "US retrenchment",
    "peace_through_strength_2025": "Peace through strength, 2025",
    "sea_rebalance_2013": "The 2013 rebalance to Southeast Asia",
    "history_2015_2023": "History, 2015–2023",
}


def title_of(name: str) -> str:
    """A scenario's title in words (shipped ones by :data:`TITLES`)."""
    return TITLES.get(name) or name.replace("_", " ").capitalize()


class GameModel(IndoPacificModel):
    """The board: the Mesa model, keeping each month's dyad tension and spending.

    Attributes:
        tension_history: Dyad tension over upper-triangle dyads, one array per month.
        milex_history: Military spending per country, one array per month.
    """

    def __init__(self, definition: Scenario, seed: int) -> None:
        super().__init__(definition, rng=seed)
        self.tension_history: list[np.ndarray] = []
        self.milex_history: list[np.ndarray] = []
        self.record_month()

    def record_month(self, *, replace_last: bool = False) -> None:
        """Keep this month's dyad tension and spending (replacing the last, after an inject)."""
        if replace_last:
            self.tension_history.pop()
            self.milex_history.pop()
        world = self.world
        self.tension_history.append(self.state.tension[0, world.dyad_i, world.dyad_j].copy())
        self.milex_history.append(self.state.milex[0].copy())

    def step(self) -> None:
        """Advance one month (nothing happens past the horizon)."""
        before = self.month
        super().step()
        if self.month > before:
            self.record_month()

    def members_now(self) -> dict[str, frozenset[str]]:
        """Alliance name → its members this month."""
        world, members = self.world, self.state.members[0]
        return {
            name: frozenset(world.codes[i] for i in np.nonzero(members[k])[0])
            for k, name in enumerate(world.alliance_names)
        }


def _source(action: Action) -> str:
    why = f": {action.rationale.strip()}" if action.rationale.strip() else ""
    made = f"judgement: {action.who.lower()} in a geosim game, month {action.month}{why}"
    return f"{action.source}; {made}" if action.source else made


def entry_name(definition: Scenario, entry: Entry, month: int) -> str:
    """A fresh name for an entry, such as ``incident_m5`` or ``incident_m5_2``."""
    taken = set(definition.events) | set(definition.alliances)
    base = f"{entry.stem}_m{month}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def timed_spec(entry: Entry, action: Action) -> dict[str, Any]:
    """An entry's spec with its source and note, as it is written in the played scenario."""
    spec = dict(entry.spec)
    spec["source"] = _source(action)
    spec["note"] = f"{action.who}: {entry.summary}"
    if "policy" in spec:
        spec["policy"] = {**spec["policy"], "source": spec["source"]}
    return spec


class Game:
    """A game in play; see the module docstring.

    Args:
        record: The game's record.
        folder: The sessions folder it is saved in.
        stamp: The stamp of the session file the record was read from
            (:func:`sim.game.record.read`); None when it was not read from there, and then the
            first save writes whatever the file is.

    Attributes:
        record: The game's record (saved after every action).
        folder: Its sessions folder.
        base: The scenario as the game began (held states' scripts left out).
        model: The board.
        revision: Increases with every action (views redraw when it changes).
        lock: Held while the game changes or is read.
        stamp: The session file as this game last read or wrote it.
        unusable: Why this game can no longer be played from its file ("" while it can): its
            file changed, or a save failed, and the file could not be read back.
    """

    def __init__(self, record: GameRecord, folder: Path, *, stamp: Stamp | None = None) -> None:
        self.record = record
        self.folder = Path(folder)
        self.base = Scenario.model_validate(yaml.safe_load(record.base))
        self.lock = threading.RLock()
        self.revision = 0
        self.stamp = stamp
        self.unusable = ""
        self.model = self._replay()

    # ---------------------------------------------------------------------------------------
    # Creating

    @classmethod
    def create(
        cls,
        scenario: str,
        folder: Path,
        *,
        seats: Sequence[Seat] = (),
        seed: int | None = None,
        turn_months: int = 1,
        title: str = "",
        deck: str = "",
        game_id: str | None = None,
        keep_script: bool = False,
    ) -> Game:
        """Start a new game of a scenario (a shipped name or a file) and save it.

        Unless ``keep_script``, the scenario's timed events whose actor a team holds are left
        out: those states do what their team decides. A new game never replaces a saved one:
        a random id already taken is drawn again, and a given one is refused.

        Raises:
            ScenarioError: When the scenario cannot be loaded.
            ValueError: When two seats hold the same state, or ``game_id`` is already saved.
        """
        definition = load_scenario(scenario)
        held: list[str] = [c for seat in seats for c in seat.countries]
        unknown = [c for c in held if c not in NAMES]
        if unknown:
            raise ValueError(f"Seats: {unknown[0]!r} is not a country of the game")
        twice = sorted({c for c in held if held.count(c) > 1})
        if twice:
            raise ValueError(f"Seats: {joined([country_name(c) for c in twice])} held twice")
        if seed is not None:
            definition = definition.model_copy(update={"seed": int(seed)})
        definition, dropped = (definition, []) if keep_script else unscripted(definition, held)
        record = GameRecord(
            id=game_id or free_id(folder),
            title=title or title_of(definition.name),
            scenario=scenario,
            base=scenario_to_yaml(definition),
            seed=definition.seed,
            turn_months=turn_months,
            seats=list(seats),
            unscripted=dropped,
            deck=deck,
        )
        if game_id and os.path.lexists(session_path(folder, game_id)):
            raise ValueError(f"Game: a game {game_id} is already saved in {folder}")
        game = cls(record, folder)
        game.save()
        return game

    # ---------------------------------------------------------------------------------------
    # Reading

    @property
    def id(self) -> str:
        """The game's id."""
        return self.record.id

    @property
    def month(self) -> int:
        """Months played."""
        return self.model.month

    @property
    def horizon(self) -> int:
        """The game's last month."""
        return self.model.world.horizon

    @property
    def finished(self) -> bool:
        """Whether the game has reached its last month."""
        return self.model.finished

    @property
    def definition(self) -> Scenario:
        """The scenario played so far: the base, its players and every accepted action."""
        return self.model.played

    def board(self) -> Board:
        """The game as a move sees it."""
        with self.lock:
            model = self.model
            return Board(
                model.definition, model.month, model.members_now(), clarity=model.clarity_now()
            )

    def lever_now(self, kind: str, actor: str, partner: str) -> float | None:
        """What ``actor`` has in force towards ``partner`` now on a lever move's lever.

        In the move's own unit (US$ m a year for money; the share or strength otherwise): the
        scenario's script, the moves played and the actor's own decisions together, as the
        month's dynamics read them. A move of the kind *adds* its amount to this level for its
        months. None for a kind of move that is not a lever, or a state not in the world.
        """
        if kind not in MOVE_LEVERS:
            return None
        name, unit = MOVE_LEVERS[kind]
        with self.lock:
            world, state = self.model.world, self.model.state
            if actor not in world.codes or partner not in world.codes:
                return None
            levers = active_levers(world, state)
            value = levers[0, LEVER_INDEX[name], world.index(actor), world.index(partner)]
        return float(value) * unit

    def pending(self, seat: str | None = None) -> list[Action]:
        """Team moves awaiting adjudication (of one seat, or all)."""
        with self.lock:
            return [
                a
                for a in self.record.actions
                if a.status == "pending" and (seat is None or a.seat == seat)
            ]

    def accepted(self) -> list[Action]:
        """The actions on the board, in the order they were applied."""
        return sorted(
            (a for a in self.record.actions if a.status == "accepted"), key=_applied_order
        )

    # ---------------------------------------------------------------------------------------
    # Acting (each saves)

    def revision_now(self) -> int:
        """The game's revision now (:attr:`revision`), as a callable for the console's buttons."""
        return self.revision

    def check(self, expect: int | None) -> None:
        """Refuse an action asked for on an older view of the game (a double click, a second tab).

        Raises:
            StaleError: When ``expect`` is given and is not the game's revision.
        """
        if expect is not None and expect != self.revision:
            raise StaleError

    def _sequence(self) -> int:
        """The next place in the order of rulings and injects."""
        return 1 + max((max(a.applied, a.ruled) for a in self.record.actions), default=0)

    @property
    def path(self) -> Path:
        """The game's session file."""
        return session_path(self.folder, self.record.id)

    def guard(self) -> None:
        """Refuse to act on a game whose session file is no longer the one it last saw.

        Called before every action, under the lock: a file someone else wrote is read back
        (the game becomes the file as it is), and the action is refused.

        Raises:
            FileChangedError: When the file is not the one this game last read or wrote.
            MoveError: When the game can no longer be played from its file (:attr:`unusable`).
        """
        if self.unusable:
            raise MoveError(self.unusable)
        if self.stamp is not None and stamp_of(self.path) != self.stamp:
            self._read_back()
            raise MoveError(self.unusable) if self.unusable else FileChangedError()

    def save(self) -> Path:
        """Save the record now (every action does), unless its file changed meanwhile.

        Raises:
            FileChangedError: When the file is not the one this game last read or wrote.
            NotSavedError: When it cannot be written (the file keeps the last save).
            MoveError: As :meth:`guard`.
        """
        with self.lock:
            if self.unusable:
                raise MoveError(self.unusable)
            self.record.month = self.model.month
            try:
                path, self.stamp = write(self.record, self.folder, expect=self.stamp)
            except SessionChangedError:
                self._read_back()
                raise MoveError(self.unusable) if self.unusable else FileChangedError() from None
            except OSError as exc:
                self._read_back()
                raise NotSavedError(
                    f"Not saved: the session file cannot be written ({exc.strerror or exc}); "
                    "nothing done"
                ) from None
            self.revision += 1
            return path

    def _read_back(self) -> None:
        """Become the game its session file holds (after an action that is not made)."""
        try:
            record, stamp = read(self.path)
            base = Scenario.model_validate(yaml.safe_load(record.base))
            self.record, self.base, self.stamp = record, base, stamp
            self.model = self._replay()
        except (ScenarioError, ValueError, KeyError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.unusable = (
                f"Game {self.record.id} can no longer be played here: its session file cannot "
                f"be read back ({first}); nothing done"
            )
        self.revision += 1

    def advance(self, months: int | None = None, *, expect: int | None = None) -> int:
        """Play a turn (``turn_months`` months, or ``months``), to the horizon at most.

        Returns:
            The months played.
        """
        with self.lock:
            self.check(expect)
            self.guard()
            months = self.record.turn_months if months is None else months
            played = 0
            for _ in range(max(0, months)):
                if self.model.finished:
                    break
                self.model.step()
                played += 1
            self.save()
            return played

    def inject(
        self,
        move: Move,
        *,
        rationale: str = "",
        card: str = "",
        source: str = "",
        origin: str | None = None,
        expect: int | None = None,
    ) -> Action:
        """Put a facilitator inject (or a deck card, when ``card`` is given) on the board now.

        ``source`` is a citation of the move's sizes (a card's), carried into the export.

        Raises:
            MoveError: When the move cannot be made now.
        """
        with self.lock:
            self.check(expect)
            bounded(rationale, "Rationale", MAX_TEXT)
            bounded(source, "Source", 2 * MAX_TEXT)  # a deck card's citation
            move = plain_move(move)
            self.guard()
            origin = origin or ("deck" if card else "facilitator")
            action = Action(
                id=self.record.next_action_id(),
                month=self.model.month,
                origin=origin,  # type: ignore[arg-type]
                card=card,
                move=check_move(move, self.board()).to_data(),
                rationale=rationale,
                source=source,
            )
            self._apply(action, move)
            self.record.actions.append(action)
            self.save()
            return action

    def submit(
        self, seat: str, move: Move, rationale: str = "", *, expect: int | None = None
    ) -> Action:
        """A team's move, pending the facilitator's ruling.

        Raises:
            MoveError: When the seat does not hold the move's state, or the move cannot be made.
            StaleError: When ``expect`` is given and is not the game's revision (a double
                click: the first press changed it).
        """
        with self.lock:
            self.check(expect)
            bounded(rationale, "Rationale", MAX_TEXT)
            move = plain_move(move)
            self.guard()
            try:
                holding = self.record.seat(seat).countries
            except ValueError as exc:
                raise MoveError(str(exc)) from None
            if move.kind in MOVES and move.actor not in holding:
                states = joined([country_name(c) for c in holding])
                raise MoveError(
                    f"{move_field_label(move)}: the {seat} team holds {states}, "
                    f"not {country_name(move.actor)}"
                )
            if move.kind not in MOVES:
                raise MoveError(f"Kind of move: {move.kind!r} is not on the menu")
            board = self.board()
            checked = move_entry(move, board)
            data = check_move(move, board).to_data()
            if any(a.move == data and a.rationale == rationale for a in self.pending(seat)):
                raise MoveError("Already sent: this move awaits the facilitator's ruling")
            action = Action(
                id=self.record.next_action_id(),
                month=self.model.month,
                origin="team",
                seat=seat,
                move=data,
                rationale=rationale,
                status="pending",
                summary=checked.summary,
            )
            self.record.actions.append(action)
            self.save()
            return action

    def accept(
        self,
        action_id: int,
        move: Move | None = None,
        ruling: str = "",
        *,
        expect: int | None = None,
    ) -> Action:
        """Accept a pending team move (amended to ``move`` if given): it acts from next month.

        Raises:
            MoveError: When the move cannot be made now, or is not pending.
        """
        with self.lock:
            self.check(expect)
            bounded(ruling, "Ruling", MAX_TEXT)
            move = None if move is None else plain_move(move)
            self.guard()
            action = self._pending(action_id)
            submitted = Move.from_data(action.move)
            chosen = submitted if move is None else check_move(move, self.board())
            month, summary = action.month, action.summary
            if chosen.to_data() != submitted.to_data():
                action.original = action.move
            action.move = chosen.to_data()
            action.month = self.model.month
            action.ruling = ruling
            try:
                self._apply(action, chosen)
            except MoveError:
                action.move, action.original = submitted.to_data(), None
                action.month, action.summary, action.ruling = month, summary, ""
                raise
            action.status = "accepted"
            self.save()
            return action

    def reject(self, action_id: int, ruling: str = "", *, expect: int | None = None) -> Action:
        """Reject a pending team move, with the facilitator's reason."""
        with self.lock:
            self.check(expect)
            bounded(ruling, "Ruling", MAX_TEXT)
            self.guard()
            action = self._pending(action_id)
            action.status, action.ruling = "rejected", ruling
            action.month, action.ruled = self.model.month, self._sequence()
            self.save()
            return action

    def undo(self, *, expect: int | None = None) -> Action | None:
        """Take back the last ruling or inject of this turn.

        An inject or a card is removed; a team's move, accepted or rejected, goes back to
        awaiting a ruling (as the team submitted it). The board is replayed without it, to the
        same month. Only this turn's actions can be undone: a month played is not rewritten.

        Returns:
            The action taken back, or None when nothing was done this turn.

        Raises:
            MoveError: When the last action belongs to a month already played.
            StaleError: As :meth:`check`.
        """
        with self.lock:
            self.check(expect)
            self.guard()
            done = [a for a in self.record.actions if a.status != "pending"]
            if not done:
                return None
            last = max(done, key=lambda a: (max(a.applied, a.ruled), a.id))
            if last.month != self.model.month:
                raise MoveError(
                    f"Nothing to undo this turn: the last action (month {last.month}) has been "
                    "played; undo works before the turn is advanced"
                )
            if last.status == "accepted" and last.entry in self.model.labels:
                self.model.unplay(last.entry)  # this month's move, not acted yet: no replay
                replay = False
            else:
                replay = last.status == "accepted"
            if last.origin == "team":
                last.status, last.entry, last.applied, last.ruled = "pending", "", 0, 0
                last.ruling = ""
                if last.original is not None:
                    last.move, last.original = last.original, None
            else:
                self.record.actions.remove(last)
            if replay:
                self.model = self._replay(self.model.month)
            if last.origin == "team":  # the summary of the move as the team submitted it
                with contextlib.suppress(MoveError):
                    last.summary = move_entry(Move.from_data(last.move), self.board()).summary
            self.save()
            return last

    def add_note(self, text: str, *, expect: int | None = None) -> Note:
        """A facilitator's note at the current month."""
        with self.lock:
            self.check(expect)
            bounded(text.strip(), "Note", MAX_TEXT)
            self.guard()
            note = Note(month=self.model.month, text=text.strip())
            self.record.notes.append(note)
            self.save()
            return note

    def set_briefing(self, text: str, *, expect: int | None = None) -> None:
        """The facilitator's briefing to every team (empty: the scenario's question)."""
        with self.lock:
            self.check(expect)
            self.record.briefing = bounded(text.strip(), "Briefing", MAX_TEXT)
            self.guard()
            self.save()

    def set_objectives(self, seat: str, text: str, *, expect: int | None = None) -> None:
        """A team's objectives as the facilitator words them (empty: its states' starting brief).

        Raises:
            MoveError: When no team sits at ``seat``.
        """
        with self.lock:
            self.check(expect)
            try:
                chosen = self.record.seat(seat)
            except ValueError as exc:
                raise MoveError(str(exc)) from None
            chosen.objectives = bounded(text.strip(), "Objectives", MAX_TEXT)
            self.guard()
            self.save()

    def send_message(self, text: str, to: str = "", *, expect: int | None = None) -> TeamMessage:
        """A facilitator's message to every team (``to`` empty) or to the team ``to``.

        Raises:
            MoveError: When the message is empty or too long, or no team sits at ``to``.
        """
        with self.lock:
            self.check(expect)
            text = bounded(text.strip(), "Message", MAX_TEXT)
            if not text:
                raise MoveError("Message: write something to send")
            if to:
                try:
                    self.record.seat(to)
                except ValueError as exc:
                    raise MoveError(str(exc)) from None
            self.guard()
            message = TeamMessage(month=self.model.month, to=to, text=text)
            self.record.messages.append(message)
            self.save()
            return message

    def messages_for(self, seat: str | None = None) -> list[TeamMessage]:
        """The messages a team reads (to all, or to it), newest first; all for the facilitator."""
        return [m for m in self.record.messages if seat is None or m.to in ("", seat)][::-1]

    def set_timer(self, minutes: float | None, *, expect: int | None = None) -> str:
        """Start the turn's timer for ``minutes`` from now (None or 0 stops it).

        Returns:
            When it ends (UTC, ISO 8601), or empty when stopped.

        Raises:
            MoveError: When ``minutes`` is not from 0 to :data:`MAX_TIMER_MINUTES`.
        """
        with self.lock:
            self.check(expect)
            if minutes is not None and not 0 <= minutes <= MAX_TIMER_MINUTES:
                raise MoveError(f"Turn timer: from 0 to {MAX_TIMER_MINUTES} minutes")
            self.guard()
            if not minutes:
                self.record.deadline = ""
            else:
                ends = datetime.now(UTC) + timedelta(minutes=float(minutes))
                self.record.deadline = ends.isoformat(timespec="seconds")
            self.save()
            return self.record.deadline

    # ---------------------------------------------------------------------------------------
    # Building the board

    def _pending(self, action_id: int) -> Action:
        found = next((a for a in self.record.actions if a.id == action_id), None)
        if found is None or found.status != "pending":
            raise MoveError(f"Move {action_id}: there is no such move awaiting a ruling")
        return found

    def _apply(self, action: Action, move: Move) -> None:
        """Validate a move now and put it on the board (raises :class:`MoveError`).

        A move is played in array form from the next month (nothing recompiled or replayed);
        one that forms an alliance, or opens incidents where the scenario has none, becomes
        an entry of the scenario, compiled and replayed.
        """
        board = self.board()
        entry = move_entry(move, board)
        note = f"{action.who}: {entry.summary}"
        played = played_move(move, board, source=_source(action), note=note)
        label = ""
        if played is not None:
            try:
                label = self.model.play(played)
            except NeedsCompilingError:
                label = ""
            except ValueError as exc:
                raise MoveError(str(exc)) from None
        if not label:
            label = entry_name(board.definition, entry, board.month)
            try:
                self.model.inject(entry.block, label, timed_spec(entry, action))
            except ValueError as exc:  # the scenario's own check (rare: the menu checks first)
                raise MoveError(str(exc)) from None
            self.model.record_month(replace_last=True)
        action.entry, action.summary = label, entry.summary
        action.applied = self._sequence()

    def played(self, actions: Iterable[Action] | None = None) -> Scenario:
        """The base scenario with its players and the accepted actions, moves under ``moves:``."""
        definition, moves = self._played(actions)
        if not moves:
            return definition
        data = definition.model_dump(mode="json", exclude_none=True)
        data["moves"] = [
            *data.get("moves", []),
            *(m.model_dump(mode="json", exclude_none=True) for m in moves),
        ]
        return Scenario.model_validate(data)

    def _played(self, actions: Iterable[Action] | None = None) -> tuple[Scenario, list[PlayedMove]]:
        """The scenario the board compiles, and the accepted moves played into it, in order.

        The scenario is the base, its players (:func:`~sim.game.computer.with_players`) and the
        actions that form a new alliance, as entries.
        """
        actions = self.accepted() if actions is None else list(actions)
        data = self.base.model_dump(mode="json", exclude_none=True)
        seats = {seat.name: seat.countries for seat in self.record.seats}
        data["decisions"] = with_players(self.base, seats, self.record.scripted, self.record.id)
        moves: list[PlayedMove] = []
        start = len(self.base.moves)
        for action in sorted(actions, key=_applied_order):
            partial = Scenario.model_validate(data)
            if action.month >= partial.horizon:
                continue
            if action.move.get("kind") == "overrule":
                moves.append(_overrule_of(action))
                action.entry = f"moves[{start + len(moves) - 1}]"
                continue
            move = Move.from_data(action.move)
            members = _members_at(partial, action.month)
            board = Board(partial, action.month, members, replaying=True)
            entry = move_entry(move, board)
            action.summary = entry.summary
            if action.entry.startswith("moves["):
                note = f"{action.who}: {entry.summary}"
                played = played_move(move, board, source=_source(action), note=note)
                if played is not None:
                    moves.append(played)
                    action.entry = f"moves[{start + len(moves) - 1}]"
                    continue
            name = action.entry or entry_name(partial, entry, action.month)
            action.entry = name
            when = {"events": "step", "alliances": "start"}[entry.block]
            data.setdefault(entry.block, {})[name] = {
                **timed_spec(entry, action),
                when: action.month,
            }
        return Scenario.model_validate(data), moves

    def _replay(self, month: int | None = None) -> GameModel:
        """The board rebuilt from the record: the played scenario stepped to ``month``."""
        definition, moves = self._played()
        model = GameModel(definition, self.record.seed)
        for move in moves:
            model.play(move)
        for _ in range(self.record.month if month is None else month):
            model.step()
        return model

    # ---------------------------------------------------------------------------------------
    # Computer players

    def players(self) -> dict[str, str]:
        """Who plays each state: its team, its decision rule or its script (``team`` first)."""
        held = [c for seat in self.record.seats for c in seat.countries]
        return players(self.base, held, self.record.scripted)

    def set_player(self, code: str, rule: bool, *, expect: int | None = None) -> None:
        """Give a state no team holds its decision rule (``rule``) or its script.

        Chosen before the first month is played: the rule's menu is compiled with the
        scenario, and a month played is not rewritten (from then on, overrule its moves).

        Raises:
            MoveError: After month 0, or for a state a team holds or whose scenario gives it
                no decision rule.
        """
        with self.lock:
            self.check(expect)
            self.guard()
            if self.model.month > 0:
                raise MoveError(
                    "Player: chosen before the first month is played; from now on, overrule "
                    "the computer's moves instead"
                )
            who = players(self.base, [c for s in self.record.seats for c in s.countries], [])
            if who.get(code) != RULE:
                raise MoveError(f"Player: {country_name(code)} has no decision rule to switch")
            scripted = [c for c in self.record.scripted if c != code]
            self.record.scripted = scripted if rule else sorted([*scripted, code])
            self.model = self._replay(0)
            self.save()

    def computer_moves(self) -> list[ComputerMove]:
        """The computer players' moves on the board, oldest first (see :mod:`sim.game.computer`)."""
        with self.lock:
            return computer_moves(self.model.events, self.accepted())

    def overrule(self, index: int, ruling: str = "", *, expect: int | None = None) -> Action:
        """Overrule a computer player's move: its variable is set back from the next month.

        The month it was made in stays as played; from the next month the state's posture is
        where it stood before the move, and the export keeps the overrule under ``moves:``.

        Raises:
            MoveError: When there is no such move, or it can no longer be overruled.
        """
        with self.lock:
            self.check(expect)
            bounded(ruling, "Ruling", MAX_TEXT)
            self.guard()
            found = next((m for m in self.computer_moves() if m.index == index), None)
            if found is None or not found.open or self.model.finished:
                raise MoveError("Overrule: that computer move can no longer be overruled")
            record = found.record
            action = Action(
                id=self.record.next_action_id(),
                month=self.model.month,
                origin="facilitator",
                move={},
                rationale=ruling,
                summary=f"overrules the computer: {_decision_words(record)}",
            )
            try:
                move = overrule_move(self.model, record, source=_source(action), note="")
            except ValueError as exc:
                raise MoveError(f"Overrule: {exc}") from None
            note = f"Facilitator: {action.summary}"
            move = move.model_copy(update={"note": note})
            action.move = {
                "kind": "overrule",
                "decision": record.kind,
                "actor": record.decider,
                "target": record.target,
                "value": move.value,
                "step": record.step,
                "change": record.change,
            }
            action.entry = self.model.play(move)
            action.applied = self._sequence()
            self.record.actions.append(action)
            self.save()
            return action

    # ---------------------------------------------------------------------------------------
    # Out

    def export_name(self) -> str:
        """The exported scenario's name: the scenario's and the game's id."""
        return f"{self.base.name}_{self.record.id}"[:64]

    def export_yaml(self) -> str:
        """The game as a scenario that ``geosim run`` replays exactly, under its own name."""
        with self.lock:
            definition = self.model.played
            seats = (
                "; ".join(f"{s.name}: {', '.join(s.countries)}" for s in self.record.seats)
                or "none"
            )
            lines = [
                f"The geosim game {self.record.id} ({self.record.title}), played to month "
                f"{self.model.month} of {self.horizon} from {self.record.scenario}. "
                f"Seats: {seats}.",
            ]
            if self.record.unscripted:
                lines.append(
                    "Scripted events of held states left out: "
                    + ", ".join(self.record.unscripted)
                    + "."
                )
            counts = {
                origin: sum(a.origin == origin for a in self.accepted())
                for origin in ("facilitator", "deck", "team")
            }
            lines.append(
                f"Facilitator injects: {counts['facilitator']}; inject cards: {counts['deck']}; "
                f"team moves: {counts['team']} (each entry's note says whose)."
            )
            computer = [c for c, who in self.players().items() if who == RULE]
            if computer:
                lines.append("Computer players (their decision rule): " + ", ".join(computer) + ".")
            renamed = definition.model_copy(
                update={
                    "name": self.export_name(),
                    "description": " ".join(lines),
                    "extends": None,
                }
            )
            return scenario_to_yaml(renamed)


def _applied_order(action: Action) -> tuple[int, int, int]:
    """Where an action comes in the order the board took them (older records: by id)."""
    return (action.month, action.applied, action.id)


def _members_at(definition: Scenario, month: int) -> dict[str, frozenset[str]]:
    """Members of each alliance at a month, by replaying the scenario's membership events.

    Used when a game is rebuilt, for the country a recorded move's "what if" follows; whether
    the move was allowed is not checked again (``Board.replaying``): conditional events, which
    this cannot see, may have changed who was a member when it was made.
    """
    members = {name: set(pact.members) for name, pact in definition.alliances.items()}
    for event in sorted(
        (e for e in definition.events.values() if e.step is not None and e.step < month),
        key=lambda e: e.step,
    ):
        if event.kind == "join_alliance" and event.alliance in members:
            members[event.alliance].add(event.country)
        elif event.kind == "leave_alliance" and event.alliance in members:
            members[event.alliance].discard(event.country)
    return {name: frozenset(m) for name, m in members.items()}


def move_field_label(move: Move) -> str:
    """The label of a move's first field (the state making it)."""
    return MOVES[move.kind].fields[0].label


def _overrule_of(action: Action) -> PlayedMove:
    """The move in array form an overrule action recorded."""
    move = action.move
    target = str(move.get("target", ""))
    clarity = move.get("decision") == "clarity"
    dyadic = not clarity and move.get("decision") not in ("arms", "lean")
    return PlayedMove(
        month=action.month,
        kind="overrule",
        decision=move.get("decision"),
        actor=move.get("actor"),
        partners=[target] if dyadic else [],
        alliance=target if clarity else None,
        value=move.get("value"),
        source=_source(action),
        note=f"Facilitator: {action.summary}",
    )


def _decision_words(record: records.Decision) -> str:
    """A computer move in a few plain words, mid-sentence, for the overrule's summary."""
    text = decision_text(record, reason=False)
    return "the " + text[4:] if text.startswith("The ") else text
