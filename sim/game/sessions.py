"""The sessions folder: the games saved in it, what else is in it, and whether it can be used.

A sessions folder (``results/sessions`` unless told otherwise) holds one ``<id>.yaml`` per game
(:mod:`sim.game.record`) and the hidden lock file of each game a server holds
(:mod:`sim.game.holding`). Whatever else ends in ``.yaml`` there (a link to a file that is gone,
a folder, a file that cannot be read, a file that is not a session) is skipped, and named with
why (:func:`scan`), so that one bad entry never hides the other games.

:func:`usable_folder` checks a folder before a server starts on it: it is a folder (or can be
made), and a file can be written in it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sim.game.record import GameRecord, read
from sim.scenario.problems import ScenarioError


@dataclass(frozen=True)
class Skipped:
    """An entry of the sessions folder that is not a readable saved game.

    Attributes:
        path: The entry.
        reason: Why it was skipped, in one line.
    """

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: skipped: {self.reason}"


def _entries(folder: Path) -> list[Path]:
    """The ``*.yaml`` entries of a folder, by name (none when there is no folder yet).

    Raises:
        OSError: When the folder cannot be listed.
    """
    try:
        with os.scandir(folder) as listing:
            names = sorted(entry.name for entry in listing if entry.name.endswith(".yaml"))
    except FileNotFoundError:
        return []
    return [folder / name for name in names]


def scan(folder: Path) -> tuple[list[GameRecord], list[Skipped]]:
    """The games saved in ``folder``, most recently saved first, and the entries skipped.

    Returns:
        The readable games, and each ``*.yaml`` entry that is not one, with why.
    """
    folder = Path(folder)
    found: list[tuple[int, GameRecord]] = []
    skipped: list[Skipped] = []
    try:
        paths = _entries(folder)
    except OSError as exc:
        return [], [Skipped(folder, f"cannot list the folder ({exc.strerror or exc})")]
    for path in paths:
        try:
            record, stamp = read(path)
        except ScenarioError as exc:
            problem = exc.problems[0]
            where = f"line {problem.line}: " if problem.line else ""
            skipped.append(Skipped(path, where + problem.message))
            continue
        found.append((stamp.modified_ns, record))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [record for _, record in found], skipped


def saved_games(folder: Path) -> list[GameRecord]:
    """The readable games saved in ``folder``, most recently saved first."""
    return scan(folder)[0]


class SessionsFolderError(ValueError):
    """A sessions folder that cannot be used, in one line naming it."""


def usable_folder(folder: Path, label: str = "--sessions") -> Path:
    """The sessions folder, made if need be, once a file could be written in it.

    Args:
        folder: The folder.
        label: How the user gave it, for the message (the option's name).

    Raises:
        SessionsFolderError: When it is not a folder, cannot be made, or cannot be written in.
    """
    folder = Path(folder)
    where = f"{label} {folder}"
    if folder.exists() and not folder.is_dir():
        kind = "a file" if folder.is_file() else "a device, a pipe or a socket"
        raise SessionsFolderError(f"{where} is not a folder (it is {kind})")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionsFolderError(
            f"{where}: cannot make the folder ({exc.strerror or exc})"
        ) from None
    try:
        handle, probe = tempfile.mkstemp(prefix=".geosim-probe-", dir=folder)
    except OSError as exc:
        raise SessionsFolderError(f"{where}: cannot write there ({exc.strerror or exc})") from None
    os.close(handle)
    Path(probe).unlink(missing_ok=True)
    return folder
