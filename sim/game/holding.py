"""One writer per game: the lock a server holds on each game it serves.

A game's session file is rewritten whole after every action, so two servers playing one game
would each overwrite the other's actions. A server therefore holds an operating-system lock on
every game it has live (:class:`GameLock`): an exclusive ``flock`` on the game's hidden lock
file ``.<id>.lock`` in the sessions folder, taken without waiting. Another server asking for
the game is refused (:class:`GameHeldError`, naming the game and the server that holds it), and
plays nothing.

``fcntl.flock`` directly, not the ``filelock`` package: one exclusive lock taken without
waiting is a dozen lines of the standard library, and its guarantee is the kernel's: the lock
goes when the process that holds it ends, however it ends (Ctrl-C, a crash, ``kill -9``), so a
restarted server resumes its games at once, with nothing to clear. The lock file itself stays
(an unlocked file is no lock) and records who held it last, which a refusal quotes.
``filelock`` 4 brings what this does not need (ownership per thread by default, which the
many threads of a Solara server would trip over; soft lock files with staleness rules where
``flock`` is missing). Where the kernel cannot lock (a file system without ``flock``), the
server says so in its log and goes on, protected by the check every save makes
(:func:`sim.game.record.write`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import weakref
from datetime import UTC, datetime
from pathlib import Path

from sim.scenario.problems import Problem, ScenarioError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; the save's own check remains
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: Errors of a lock another process holds (EACCES on some file systems).
_HELD = (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)


def lock_path(folder: Path, game_id: str) -> Path:
    """The lock file of a game (hidden, beside its session file)."""
    return Path(folder) / f".{game_id}.lock"


class GameHeldError(ScenarioError):
    """A game another geosim server holds: one problem naming the game and that server."""


class GameLock:
    """The lock of one game, held by this process until :meth:`release` (or its end).

    Use :meth:`take`. An object that is dropped releases its lock.

    Attributes:
        path: The lock file.
    """

    def __init__(self, path: Path, handle: int | None) -> None:
        self.path = path
        self._handle = handle
        self._closer = weakref.finalize(self, os.close, handle) if handle is not None else None

    @classmethod
    def take(cls, folder: Path, game_id: str, *, server: str = "") -> GameLock:
        """Hold a game, or be refused at once.

        Args:
            folder: The sessions folder.
            game_id: The game.
            server: This server, in words (its address), recorded for a refused one to quote.

        Raises:
            GameHeldError: When another process holds the game.
            OSError: When the lock file cannot be made (the folder cannot be written).
        """
        path = lock_path(folder, game_id)
        if fcntl is None:  # pragma: no cover
            log.warning("%s: this system has no flock: one server per game is not enforced", path)
            return cls(path, None)
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(handle)
            os.close(handle)
            if exc.errno in _HELD:
                raise _held(folder, game_id, holder) from None
            log.warning(
                "%s: cannot lock it (%s): one server per game is not enforced for %s; "
                "every save still checks that the file is the one this server wrote",
                path,
                exc.strerror,
                game_id,
            )
            return cls(path, None)
        about = {
            "server": server,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(handle, 0)
        os.pwrite(handle, (json.dumps(about) + "\n").encode("utf-8"), 0)
        return cls(path, handle)

    @property
    def held(self) -> bool:
        """Whether this object still holds its lock."""
        return self._closer is not None and self._closer.alive

    def release(self) -> None:
        """Let the game go (closing the file releases the lock); twice is harmless."""
        if self._closer is not None:
            self._closer()


def _holder(handle: int) -> dict[str, object]:
    """Who holds a lock, as its holder recorded it (empty when unknown)."""
    try:
        found = json.loads(os.pread(handle, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _held(folder: Path, game_id: str, holder: dict[str, object]) -> GameHeldError:
    """The refusal: the game, the server that holds it, and what to do."""
    details = [str(holder[key]) for key in ("server",) if holder.get(key)]
    if holder.get("pid"):
        host = f" on {holder['host']}" if holder.get("host") else ""
        details.append(f"process {holder['pid']}{host}")
    if holder.get("since"):
        details.append(f"since {holder['since']}")
    which = f" ({', '.join(details)})" if details else ""
    message = (
        f"game {game_id} is held by another geosim server{which}: a game has one server at a "
        "time; play it there, or stop that server first"
    )
    where = str(Path(folder) / f"{game_id}.yaml")
    return GameHeldError([Problem(where, None, "(file)", message, None)])
