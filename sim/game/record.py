"""A game as a file: everything needed to rebuild it exactly, saved after every action.

A :class:`GameRecord` holds the scenario played (its YAML text at the game's creation, so
that editing the scenario file later cannot change a saved game), the seed, the seats and
their join codes, who plays the states no team holds, every action (facilitator injects, deck
cards, team moves and overrules, with their status and rationale), the notes and the month
reached. The board is *derived*: the Mesa model stepped to :attr:`GameRecord.month` with the
accepted actions played into it at their months (:mod:`sim.game.play`), so a record is small,
readable and diffable, and resuming and exporting are the same replay.

Records are YAML files ``<id>.yaml`` in a sessions folder (``results/sessions`` unless told
otherwise), written atomically (a temporary file renamed over the old one): a server killed
mid-write leaves the previous save intact. A file is read and written with its :class:`Stamp`
(which file it is, and when it was last written), so that a writer can refuse to replace a
file someone else wrote since (:func:`write`): no confirmed action is ever overwritten. The
texts a record holds are bounded as the console bounds them (:mod:`sim.game.limits`). The
folder as a whole (what is in it, whether it can be used) is :mod:`sim.game.sessions`.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.core.model import MAX_SEED
from sim.game.limits import MAX_REFERENCE, MAX_TEAM_NAME, MAX_TEXT, MAX_TITLE
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.translate import first_problem

#: Version of the session file format.
FORMAT = 1
#: Default sessions folder (under the working directory; git-ignored with ``results/``).
DEFAULT_SESSIONS = Path("results") / "sessions"
#: Environment variable naming the sessions folder (the dashboard's server reads it).
ENV_SESSIONS = "GEOSIM_SESSIONS"
#: Letters of join codes: no 0/O, 1/I/L, so that a code read aloud is typed right.
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: Pattern of a game id.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,40}$")
#: Largest session file read: a long game is a few hundred kB (the scenario and the actions).
MAX_SESSION_BYTES = 16 * 1024 * 1024


def new_code(length: int = 6) -> str:
    """A random join code such as ``K7QF2M``."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(length))


def new_id() -> str:
    """A new game id: the date and a random suffix, e.g. ``20261201-k7qf``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return f"{stamp}-{''.join(secrets.choice('abcdefghjkmnpqrstuvwxyz23456789') for _ in range(4))}"


def free_id(folder: Path) -> str:
    """A new game id whose session file does not exist yet in ``folder`` (:func:`new_id`)."""
    while True:
        game_id = new_id()
        if not os.path.lexists(session_path(folder, game_id)):
            return game_id


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Seat(_Strict):
    """A team's seat: its name, the states it holds, its join code and its objectives.

    ``objectives`` is the facilitator's text for the team's briefing; empty, the team reads the
    starting brief of its states (:mod:`sim.game.briefing`).
    """

    name: str = Field(min_length=1, max_length=MAX_TEAM_NAME)
    countries: list[str] = Field(min_length=1)
    code: str = Field(default_factory=new_code, max_length=12)
    objectives: str = Field("", max_length=MAX_TEXT)


class TeamMessage(_Strict):
    """A facilitator's message to every team (``to`` empty) or to one, sent at a month."""

    month: int = Field(ge=0)
    to: str = Field("", max_length=MAX_TEAM_NAME)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    sent: str = Field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"), max_length=40
    )


class Action(_Strict):
    """One inject, card or move, with its fate.

    Attributes:
        id: Number, in order of submission.
        month: Month it acts from the next of (set when accepted; when submitted, for a move).
        origin: ``facilitator`` (an inject, or an overrule of a computer player's move),
            ``deck`` (a card) or ``team`` (a seat's move).
        seat: The team that proposed it (team moves).
        card: The card's id (deck cards).
        move: The move as plain data (:meth:`sim.scenario.moves.Move.to_data`).
        original: The move as the team submitted it, when the facilitator amended it.
        rationale: Why, in the proposer's words.
        status: ``pending`` (a team move awaiting adjudication), ``accepted`` or ``rejected``.
        entry: Its place in the played scenario (accepted actions): its move's label under
            ``moves:`` (``moves[3]``), or the name of its entry (a new alliance).
        summary: What it does, in plain words.
        ruling: The facilitator's words on a rejection or amendment.
        source: A citation of the move's sizes (a deck card's), carried into the export.
        applied: Its place in the order the actions were put on the board (1, 2, …; 0 while
            it is not on the board), which replaying follows.
        ruled: Its place in the same order when it was rejected (0 otherwise), for undo.
    """

    id: int
    month: int = Field(ge=0)
    origin: Literal["facilitator", "deck", "team"]
    seat: str = Field("", max_length=MAX_TEAM_NAME)
    card: str = Field("", max_length=40)
    move: dict[str, Any]
    original: dict[str, Any] | None = None
    rationale: str = Field("", max_length=MAX_TEXT)
    status: Literal["pending", "accepted", "rejected"] = "accepted"
    entry: str = ""
    summary: str = ""
    ruling: str = Field("", max_length=MAX_TEXT)
    source: str = Field("", max_length=2 * MAX_TEXT)
    applied: int = Field(0, ge=0)
    ruled: int = Field(0, ge=0)

    @property
    def who(self) -> str:
        """Who made it, for a log: "Facilitator", "Deck card" or the team."""
        if self.origin == "team":
            return f"{self.seat} team"
        return "Facilitator" if self.origin == "facilitator" else "Inject card"


class Note(_Strict):
    """A facilitator's note at a month."""

    month: int = Field(ge=0)
    text: str = Field(max_length=MAX_TEXT)


class GameRecord(_Strict):
    """Everything a game is; see the module docstring.

    Attributes:
        geosim_session: File format version.
        id: The game's id (its file name without ``.yaml``).
        title: A title for lists and the report.
        created: When the game was created (UTC, ISO 8601).
        scenario: The scenario's reference (a shipped name or a file path), for display.
        base: The scenario's YAML text at creation (what is replayed).
        seed: Base seed of the random streams.
        turn_months: Months one turn advances.
        month: Months played.
        seats: The teams.
        facilitator_code: The facilitator's code (to take the chair from another browser).
        board_code: The code of the presenter view: the board and the public log, to show on
            a projector (it can do nothing).
        unscripted: The scenario's timed events dropped because a team holds their actor.
        scripted: The states no team holds that the facilitator gave their script instead of
            their decision rule (a computer player), chosen before the first month is played.
        actions: Injects, cards and moves, in order.
        notes: The facilitator's notes.
        deck: The inject deck in use (a shipped deck name or a file), if any.
        briefing: The facilitator's briefing to every team (empty: the scenario's question).
        messages: The facilitator's messages to the teams, in order.
        deadline: When the current turn's timer ends (UTC, ISO 8601), or empty (no timer).
    """

    geosim_session: int = FORMAT
    id: str = Field(pattern=ID_PATTERN.pattern)
    title: str = Field("", max_length=MAX_TITLE)
    created: str = Field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"), max_length=40
    )
    scenario: str = Field(max_length=MAX_REFERENCE)
    base: str
    seed: int = Field(ge=0, le=MAX_SEED)
    turn_months: int = Field(1, ge=1, le=12)
    month: int = Field(0, ge=0)
    seats: list[Seat] = Field(default_factory=list)
    facilitator_code: str = Field(default_factory=new_code, max_length=12)
    board_code: str = Field(default_factory=new_code, max_length=12)
    unscripted: list[str] = Field(default_factory=list)
    scripted: list[str] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    deck: str = Field("", max_length=MAX_REFERENCE)
    briefing: str = Field("", max_length=MAX_TEXT)
    messages: list[TeamMessage] = Field(default_factory=list)
    deadline: str = Field("", max_length=40)

    def seat(self, name: str) -> Seat:
        """The seat called ``name``.

        Raises:
            ValueError: When no team sits there (a plain line).
        """
        found = next((s for s in self.seats if s.name == name), None)
        if found is None:
            raise ValueError(f"Team: there is no team called {name!r} in this game")
        return found

    def next_action_id(self) -> int:
        """The id the next action takes."""
        return max((a.id for a in self.actions), default=0) + 1


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's: a save in ms
    """Safe YAML with multi-line text (the scenario) as a readable block.

    libyaml's emitter where PyYAML has it (a game is saved after every action, and the pure
    Python emitter took most of a month's redraw in the console), else PyYAML's own.
    """


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML writes a NEL (U+0085) raw, and YAML 1.1 reads it back as a line break: escape it.
    style = '"' if "\x85" in text else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def session_path(folder: Path, game_id: str) -> Path:
    """Where the game ``game_id`` is saved."""
    return Path(folder) / f"{game_id}.yaml"


class Stamp(NamedTuple):
    """Which file a path held when it was last read or written, and when it was written.

    A save renames a new file over the old one, so a file someone else saved since has another
    inode, and one edited in place another size or modification time.
    """

    device: int
    inode: int
    size: int
    modified_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> Stamp:
        """The stamp of a file's status (``os.stat``, ``os.fstat``)."""
        return cls(status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def stamp_of(path: Path) -> Stamp | None:
    """The stamp of the file at ``path`` now (None when there is none)."""
    try:
        return Stamp.of(os.stat(path))
    except OSError:
        return None


class SessionChangedError(Exception):
    """The session file is not the one its writer last read or wrote: someone else wrote it."""


def write(record: GameRecord, folder: Path, *, expect: Stamp | None = None) -> tuple[Path, Stamp]:
    """Write a record atomically to ``<folder>/<id>.yaml``.

    Args:
        record: The record.
        folder: The sessions folder (made if need be).
        expect: The stamp of the file as the writer last read or wrote it; when given, a file
            that is no longer that one (someone else saved it since, or removed it) is not
            replaced.

    Returns:
        The path written, and the stamp of the file now there.

    Raises:
        SessionChangedError: When ``expect`` is given and the file is no longer that one.
        OSError: When the file cannot be written (the previous one is left whole).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = session_path(folder, record.id)
    text = yaml.dump(
        record.model_dump(mode="json"),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    handle, tmp = tempfile.mkstemp(prefix=f".{record.id}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(
                f"# geosim game session (format {FORMAT}); resume: geosim dashboard "
                f"--resume {record.id}\n"
            )
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
            written = Stamp.of(os.fstat(out.fileno()))  # a rename keeps the inode and times
        if expect is not None and stamp_of(path) != expect:
            raise SessionChangedError(str(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path, written


def save(record: GameRecord, folder: Path) -> Path:
    """Write a record atomically to ``<folder>/<id>.yaml``, whatever is there; return its path."""
    return write(record, folder)[0]


def _error(
    where: str, message: str, line: int | None = None, hint: str | None = None
) -> ScenarioError:
    return ScenarioError([Problem(where, line, "(file)", message, hint)])


def _read_bytes(path: Path) -> tuple[bytes, Stamp]:
    """A session file's bytes and stamp; what is not a regular file is not read at all.

    Opened without waiting (a FIFO would wait for a writer for ever), checked to be a regular
    file of at most :data:`MAX_SESSION_BYTES`, and read from the descriptor checked.

    Raises:
        ScenarioError: Naming the file and why it cannot be read.
    """
    where = str(path)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise _error(where, "a broken symbolic link (what it points to is missing)") from None
        raise _error(
            where, "no such saved game", hint="geosim sessions lists the saved games"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _error(where, "a symbolic link that leads round in a loop") from None
        raise _error(where, f"cannot read it ({exc.strerror or exc})") from None
    try:
        status = os.fstat(handle)
        if stat.S_ISDIR(status.st_mode):
            raise _error(where, "a folder, not a session file")
        if not stat.S_ISREG(status.st_mode):
            raise _error(where, "not a regular file (a device, a pipe or a socket)")
        if status.st_size > MAX_SESSION_BYTES:
            raise _error(
                where,
                f"larger than {MAX_SESSION_BYTES // (1024 * 1024)} MiB: not a session file "
                "geosim wrote",
            )
        with os.fdopen(handle, "rb", closefd=False) as source:
            raw = source.read(MAX_SESSION_BYTES + 1)
    except OSError as exc:
        raise _error(where, f"cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(handle)
    return raw, Stamp.of(status)


def read(path: Path) -> tuple[GameRecord, Stamp]:
    """Read a saved game, with the stamp of the file read (for :func:`write`'s ``expect``).

    Raises:
        ScenarioError: When the file is missing or cannot be read, is not YAML, or is not a
            geosim session (one located message with a hint).
    """
    path = Path(path)
    where = str(path)
    raw, stamp = _read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(where, f"cannot read it ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise _error(where, "not valid YAML", line) from None
    if not isinstance(data, dict) or "geosim_session" not in data:
        raise _error(
            where,
            "not a geosim game session",
            hint="a session file starts with 'geosim_session:'; scenarios go to geosim run",
        )
    try:
        return GameRecord.model_validate(data), stamp
    except ValidationError as exc:
        raise _error(where, first_problem(exc, root=GameRecord)) from None


def load(path: Path) -> GameRecord:
    """Read a saved game (:func:`read`, without the stamp).

    Raises:
        ScenarioError: As :func:`read`.
    """
    return read(path)[0]
