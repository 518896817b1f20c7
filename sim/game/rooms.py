"""The games a dashboard server holds, and who may join them.

A :class:`Lobby` keeps the live :class:`~sim.game.play.Game` of every game opened since the
server started, one object per game shared by every browser at its table, and opens saved
games from the sessions folder on demand, so that a game survives a server restart: the next
browser to ask for it (by its id, or by a join code) gets it back from its file, exactly.

Codes: each game has a facilitator code and one join code per seat
(:class:`~sim.game.record.Seat`). A browser holding a code sees the board; with the
facilitator's code it runs the game, with a seat's code it plays that team. Games are
isolated: a code opens one game only, and nothing of one game is reachable from another.

Seats are written ``Blue=USA,JPN,AUS;Red=CHN`` on the command line (:func:`parse_seats`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from sim.game.play import Game
from sim.game.record import ID_PATTERN, GameRecord, Seat, load, saved_games, session_path
from sim.scenario.baseline import country_codes
from sim.scenario.moves import NAMES
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.translate import first_problem

#: Seats a new game offers when none are given: the three camps of the issue.
DEFAULT_SEATS = "Blue=USA,JPN,KOR,AUS,PHL,TWN;Red=CHN,PRK,RUS;Green=IDN,VNM,MYS,SGP,THA"


@dataclass(frozen=True)
class Role:
    """Who a browser is at a game: the facilitator, or a team (its seat's name)."""

    game: Game
    seat: str | None = None

    @property
    def facilitator(self) -> bool:
        """Whether this is the facilitator."""
        return self.seat is None


#: Longest team name.
MAX_TEAM_NAME = 40


class SeatError(ValueError):
    """Seats written wrongly, in one plain line."""


def parse_seats(text: str) -> list[Seat]:
    """Seats from ``Name=ISO3,ISO3;Name=ISO3``.

    Raises:
        SeatError: On an empty team, an unknown country or a state held twice.
    """
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
                raise SeatError(f"Seats: {code!r} is not a country of the game ({codes_known})")
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
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._games: dict[str, Game] = {}
        self._lock = threading.Lock()

    def create(self, scenario: str, seats: Sequence[Seat] = (), **options: object) -> Game:
        """Start a new game (see :meth:`Game.create` for the options) and hold it."""
        game = Game.create(scenario, self.folder, seats=seats, **options)  # type: ignore[arg-type]
        with self._lock:
            self._games[game.id] = game
        return game

    def open(self, game_id: str) -> Game:
        """The game with this id: live if it is, else loaded from its file.

        Raises:
            ScenarioError: When there is no such game, or it cannot be rebuilt from its file
                (one line naming the game and what is wrong).
        """
        with self._lock:
            if game_id in self._games:
                return self._games[game_id]
        if not ID_PATTERN.match(game_id):
            problem = Problem(
                game_id, None, "(file)", "not a game id", "ids look like 20261201-k7qf"
            )
            raise ScenarioError([problem])
        path = session_path(self.folder, game_id)
        game = _rebuilt(load(path), self.folder, str(path))  # outside the lock: a replay
        with self._lock:
            return self._games.setdefault(game_id, game)

    def adopt(self, path: Path) -> Game:
        """Hold a game saved in any file (``--resume FILE``), saving it on in this folder.

        Raises:
            ScenarioError: As :meth:`open`.
        """
        record = load(Path(path))
        with self._lock:
            if record.id in self._games:
                return self._games[record.id]
        game = _rebuilt(record, self.folder, str(path))
        game.save()  # from now on it lives in this folder, where codes are looked up
        with self._lock:
            return self._games.setdefault(record.id, game)

    def saved(self) -> list[GameRecord]:
        """The games saved in the folder, newest first (live ones as they are now)."""
        records = saved_games(self.folder)
        with self._lock:
            live = {g.id: g.record for g in self._games.values()}
        return [live.get(r.id, r) for r in records]

    def join(self, code: str) -> Role | None:
        """Who a join code makes its holder, in which game (None: no game has it).

        Raises:
            ScenarioError: When the game the code belongs to cannot be rebuilt.
        """
        code = code.strip().upper()
        if not code:
            return None
        with self._lock:
            live = [g.record for g in self._games.values()]
        for record in live + self.saved():
            if record.facilitator_code == code:
                return Role(self.open(record.id))
            for seat in record.seats:
                if seat.code == code:
                    return Role(self.open(record.id), seat.name)
        return None


def _rebuilt(record: GameRecord, folder: Path, where: str) -> Game:
    """The live game of a record; a record that no longer replays is one plain problem."""
    try:
        return Game(record, folder)
    except ValidationError as exc:
        first = first_problem(exc)
    except (ValueError, KeyError) as exc:  # a move the menu no longer takes
        first = str(exc).splitlines()[0]
    message = f"game {record.id} ({record.title}) cannot be rebuilt: {first}"
    raise ScenarioError([Problem(where, None, "(file)", message, None)]) from None
