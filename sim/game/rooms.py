"""The games a dashboard server holds, and who may join them.

A :class:`Lobby` keeps the live :class:`~sim.game.play.Game` of every game opened since the
server started, one object per game shared by every browser at its table, and opens saved
games from the sessions folder on demand, so that a game survives a server restart: the next
browser to ask for it (by its id, or by a join code) gets it back from its file, exactly.

Codes: each game has a facilitator code and one join code per seat
(:class:`~sim.game.record.Seat`). A browser holding a code sees the board; with the
facilitator's code it runs the game, with a seat's code it plays that team. Games are
isolated: a code opens one game only, and nothing of one game is reachable from another.

One writer per game: a lobby holds the lock of every game it has live
(:class:`~sim.game.holding.GameLock`), from the moment it opens or creates the game until the
server ends, so that a second server on the same sessions folder is refused the game
(:class:`~sim.game.holding.GameHeldError`) rather than overwriting its moves.

A lobby visitor is anyone who reaches the page, so what the lobby starts for one is bounded
(:meth:`Lobby.create` with ``visitor``): a shipped scenario, a deck that is shipped or lies in
the sessions folder (no other file of the server is read), texts of bounded length, and at
most :data:`~sim.game.limits.MAX_GAMES` games in the folder.

Seats are written ``Blue=USA,JPN,AUS;Red=CHN`` on the command line (:func:`parse_seats`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.game import limits
from sim.game.decks import SUFFIXES, load_deck, shipped_decks
from sim.game.holding import GameLock
from sim.game.limits import MAX_REFERENCE, MAX_SEATS, MAX_TEAM_NAME, MAX_TITLE, bounded
from sim.game.play import Game
from sim.game.record import ID_PATTERN, GameRecord, Seat, Stamp, free_id, load, read, session_path
from sim.game.sessions import scan
from sim.scenario.aliases import alias_hint
from sim.scenario.baseline import country_codes
from sim.scenario.loader import shipped_scenarios
from sim.scenario.moves import NAMES
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.resources import decks_dir
from sim.scenario.translate import first_problem

log = logging.getLogger(__name__)

#: Seats a new game offers when none are given: the three camps of the issue.
DEFAULT_SEATS = "Blue=USA,JPN,KOR,AUS,PHL,TWN;Red=CHN,PRK,RUS;Green=IDN,VNM,MYS,SGP,THA"


@dataclass(frozen=True)
class Role:
    """Who a browser is at a game: the facilitator, a team (its seat's name), or the board."""

    game: Game
    seat: str | None = None
    board: bool = False

    @property
    def facilitator(self) -> bool:
        """Whether this is the facilitator."""
        return self.seat is None and not self.board


class SeatError(ValueError):
    """Seats written wrongly, in one plain line."""


def parse_seats(text: str) -> list[Seat]:
    """Seats from ``Name=ISO3,ISO3;Name=ISO3``.

    Raises:
        SeatError: On an empty team, an unknown country or a state held twice.
    """
    if len(text) > MAX_SEATS:
        raise SeatError(f"Seats: at most {MAX_SEATS:,} characters (this one has {len(text):,})")
    seats: list[Seat] = []
    held: dict[str, str] = {}
    known = set(country_codes())
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, members = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SeatError(f"Seats: {part!r} should read Team=ISO3,ISO3 (e.g. Red=CHN,PRK)")
        if len(name) > MAX_TEAM_NAME:
            raise SeatError(f"Seats: a team's name has at most {MAX_TEAM_NAME} characters")
        codes = [c.strip().upper() for c in members.replace(" ", ",").split(",") if c.strip()]
        if not codes:
            raise SeatError(f"Seats: the {name} team holds no state")
        for code in codes:
            if code not in known:
                codes_known = ", ".join(sorted(known))
                alias = alias_hint(code)  # ROK: South Korea's code, not the closest spelling
                why = f"{alias}; codes: {codes_known}" if alias else codes_known
                raise SeatError(f"Seats: {code!r} is not a country of the game ({why})")
            if code in held:
                raise SeatError(f"Seats: {NAMES[code]} is held by both {held[code]} and {name}")
            held[code] = name
        if any(s.name == name for s in seats):
            raise SeatError(f"Seats: two teams are called {name}")
        seats.append(Seat(name=name, countries=codes))
    return seats


class Lobby:
    """The games of one server; see the module docstring.

    Args:
        folder: The sessions folder.
        server: This server in words (its address), recorded with the lock of each game it
            holds, for a refused server to say who holds the game.
    """

    def __init__(self, folder: Path, *, server: str = "") -> None:
        self.folder = Path(folder)
        self.server = server
        self._games: dict[str, Game] = {}
        self._locks: dict[str, GameLock] = {}
        self._warned: set[tuple[Path, str]] = set()
        self._lock = threading.Lock()
        self._creating = threading.Lock()

    # ---------------------------------------------------------------------------------------
    # Holding games

    def _hold(self, game_id: str) -> None:
        """Hold a game's lock (kept until :meth:`close` or the end of the process).

        Raises:
            GameHeldError: When another server holds it.
            ScenarioError: When its lock file cannot be made.
        """
        with self._lock:
            if game_id in self._locks:
                return
            try:
                self._locks[game_id] = GameLock.take(self.folder, game_id, server=self.server)
            except OSError as exc:
                where = str(session_path(self.folder, game_id))
                message = f"cannot hold game {game_id}: {exc.strerror or exc}"
                raise ScenarioError([Problem(where, None, "(file)", message, None)]) from None

    def _let_go(self, game_id: str) -> None:
        """Release a game's lock, unless it is live here."""
        with self._lock:
            if game_id not in self._games and game_id in self._locks:
                self._locks.pop(game_id).release()

    def close(self) -> None:
        """Let every game go (as the end of the server does): another server may take them."""
        with self._lock:
            for held in self._locks.values():
                held.release()
            self._locks.clear()
            self._games.clear()

    # ---------------------------------------------------------------------------------------
    # Games

    def create(
        self, scenario: str, seats: Sequence[Seat] = (), *, visitor: bool = False, **options: Any
    ) -> Game:
        """Start a new game (see :meth:`Game.create` for the options) and hold it.

        Args:
            scenario: A shipped scenario's name, or a file.
            seats: The teams.
            visitor: Whether a lobby visitor asks (see the module docstring): a shipped
                scenario, a reachable deck, bounded texts and at most
                :data:`~sim.game.limits.MAX_GAMES` games in the folder.
            **options: As :meth:`Game.create`.

        Raises:
            ValueError: A plain line on what a visitor may not do, or on bad seats.
            ScenarioError: When the scenario or the deck cannot be read.
        """
        with self._creating:  # one at a time: the count of games, and each new id
            if visitor:
                self._check_visitor(scenario, options)
            self.folder.mkdir(parents=True, exist_ok=True)
            game_id = options.pop("game_id", None) or free_id(self.folder)
            self._hold(game_id)
            try:
                game = Game.create(scenario, self.folder, seats=seats, game_id=game_id, **options)
            except BaseException:
                self._let_go(game_id)
                raise
            with self._lock:
                self._games[game.id] = game
        return game

    def _check_visitor(self, scenario: str, options: dict[str, Any]) -> None:
        """What a lobby visitor may start (see :meth:`create`); a plain ValueError if not."""
        if scenario not in shipped_scenarios():
            raise ValueError("Scenario: choose one of the list")
        bounded(str(options.get("title", "")), "Title", MAX_TITLE)
        deck = str(options.get("deck", "")).strip()
        if deck:
            self._check_deck(deck)
            load_deck(deck)  # a bad deck is said here, as one line
        records, _ = scan(self.folder)
        with self._lock:
            count = len({r.id for r in records} | set(self._games))
        if count >= limits.MAX_GAMES:
            raise ValueError(
                f"The sessions folder holds {count} games, the most a lobby starts "
                f"({limits.MAX_GAMES}): remove old session files (geosim sessions lists them), "
                "or start a game with geosim dashboard --seats"
            )

    def _check_deck(self, deck: str) -> None:
        """A deck a visitor may choose: a shipped one, or a file in the sessions folder.

        Any other file of the server is refused unread, by where it is (links followed), with
        the same words whether or not it exists.
        """
        bounded(deck, "Inject deck", MAX_REFERENCE)
        shipped = shipped_decks()
        if deck in shipped:
            return
        refused = ValueError(
            f"Inject deck: only a shipped deck ({', '.join(shipped)}) or a deck file in the "
            "sessions folder can be chosen here; another file is given to geosim dashboard "
            "--deck"
        )
        try:
            path = Path(deck).resolve()
            allowed = (decks_dir().resolve(), self.folder.resolve())
        except (OSError, ValueError, RuntimeError):
            raise refused from None
        inside = any(path.is_relative_to(folder) for folder in allowed)
        if not inside or path.suffix.lower() not in SUFFIXES:
            raise refused

    def open(self, game_id: str) -> Game:
        """The game with this id: live if it is, else loaded from its file and held.

        Raises:
            GameHeldError: When another server holds the game.
            ScenarioError: When there is no such game, or it cannot be rebuilt from its file
                (one line naming the game and what is wrong).
        """
        with self._lock:
            live = self._games.get(game_id)
        if live is not None and not live.unusable:
            return live
        if not ID_PATTERN.match(game_id):
            problem = Problem(
                game_id, None, "(file)", "not a game id", "ids look like 20261201-k7qf"
            )
            raise ScenarioError([problem])
        path = session_path(self.folder, game_id)
        if not os.path.lexists(path):
            read(path)  # the plain "no such saved game", before any lock file is made
        self._hold(game_id)
        try:
            record, stamp = read(path)
            game = _rebuilt(record, self.folder, str(path), stamp)  # outside the lock: a replay
        except BaseException:
            self._let_go(game_id)
            raise
        with self._lock:
            live = self._games.get(game_id)
            if live is None or live.unusable:
                self._games[game_id] = live = game
            return live

    def adopt(self, path: Path) -> Game:
        """Hold a game saved in any file (``--resume FILE``), saving it on in this folder.

        Raises:
            GameHeldError: As :meth:`open`.
            ScenarioError: As :meth:`open`.
        """
        record = load(Path(path))
        with self._lock:
            live = self._games.get(record.id)
        if live is not None and not live.unusable:
            return live
        self.folder.mkdir(parents=True, exist_ok=True)
        self._hold(record.id)
        try:
            game = _rebuilt(record, self.folder, str(path))
            game.save()  # from now on it lives in this folder, where codes are looked up
        except BaseException:
            self._let_go(record.id)
            raise
        with self._lock:
            live = self._games.get(record.id)
            if live is None or live.unusable:
                self._games[record.id] = live = game
            return live

    def saved(self) -> list[GameRecord]:
        """The games saved in the folder, newest first (live ones as they are now).

        An entry that is not a readable game is skipped, and named in the server's log with
        why, once.
        """
        records, skipped = scan(self.folder)
        for entry in skipped:
            if (entry.path, entry.reason) not in self._warned:
                self._warned.add((entry.path, entry.reason))
                log.warning("%s", entry)
        with self._lock:
            live = {g.id: g.record for g in self._games.values()}
        return [live.get(r.id, r) for r in records]

    def join(self, code: str) -> Role | None:
        """Who a join code makes its holder, in which game (None: no game has it).

        Raises:
            GameHeldError: When another server holds the game the code belongs to.
            ScenarioError: When that game cannot be rebuilt.
        """
        code = code.strip().upper()
        if not code or len(code) > limits.MAX_CODE:
            return None
        with self._lock:
            live = [g.record for g in self._games.values()]
        for record in live + self.saved():
            if record.facilitator_code == code:
                return Role(self.open(record.id))
            if record.board_code == code:
                return Role(self.open(record.id), board=True)
            for seat in record.seats:
                if seat.code == code:
                    return Role(self.open(record.id), seat.name)
        return None


def _rebuilt(record: GameRecord, folder: Path, where: str, stamp: Stamp | None = None) -> Game:
    """The live game of a record; a record that no longer replays is one plain problem."""
    try:
        return Game(record, folder, stamp=stamp)
    except ValidationError as exc:
        first = first_problem(exc)
    except (ValueError, KeyError) as exc:  # a move the menu no longer takes
        first = str(exc).splitlines()[0]
    message = f"game {record.id} ({record.title}) cannot be rebuilt: {first}"
    raise ScenarioError([Problem(where, None, "(file)", message, None)]) from None
