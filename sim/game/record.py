"""A game as a file: everything needed to rebuild it exactly, saved after every action.

A :class:`GameRecord` holds the scenario played (its YAML text at the game's creation, so
that editing the scenario file later cannot change a saved game), the seed, the seats and
their join codes, every action (facilitator injects, deck cards and team moves, with their
status and rationale), the notes and the month reached. The board is *derived*: the Mesa model
stepped to :attr:`GameRecord.month` with the accepted actions as timed scenario entries
(:mod:`sim.game.play`), so a record is small, readable and diffable, and resuming, undoing and
exporting are all the same replay.

Records are YAML files ``<id>.yaml`` in a sessions folder (``results/sessions`` unless told
otherwise), written atomically (a temporary file renamed over the old one): a server killed
mid-write leaves the previous save intact.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


def new_code(length: int = 6) -> str:
    """A random join code such as ``K7QF2M``."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(length))


def new_id() -> str:
    """A new game id: the date and a random suffix, e.g. ``20261201-k7qf``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return f"{stamp}-{''.join(secrets.choice('abcdefghjkmnpqrstuvwxyz23456789') for _ in range(4))}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Seat(_Strict):
    """A team's seat: its name, the states it holds and its join code."""

    name: str = Field(min_length=1, max_length=40)
    countries: list[str] = Field(min_length=1)
    code: str = Field(default_factory=new_code)


class Action(_Strict):
    """One inject, card or move, with its fate.

    Attributes:
        id: Number, in order of submission.
        month: Month it acts from the next of (set when accepted; when submitted, for a move).
        origin: ``facilitator`` (an inject), ``deck`` (a card) or ``team`` (a seat's move).
        seat: The team that proposed it (team moves).
        card: The card's id (deck cards).
        move: The move as plain data (:meth:`sim.scenario.moves.Move.to_data`).
        original: The move as the team submitted it, when the facilitator amended it.
        rationale: Why, in the proposer's words.
        status: ``pending`` (a team move awaiting adjudication), ``accepted`` or ``rejected``.
        entry: Name of its entry in the played scenario (accepted actions).
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
    seat: str = ""
    card: str = ""
    move: dict[str, Any]
    original: dict[str, Any] | None = None
    rationale: str = ""
    status: Literal["pending", "accepted", "rejected"] = "accepted"
    entry: str = ""
    summary: str = ""
    ruling: str = ""
    source: str = ""
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
    text: str


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
        unscripted: The scenario's timed events dropped because a team holds their actor.
        actions: Injects, cards and moves, in order.
        notes: The facilitator's notes.
        deck: The inject deck in use (a shipped deck name or a file), if any.
    """

    geosim_session: int = FORMAT
    id: str = Field(pattern=ID_PATTERN.pattern)
    title: str = ""
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    scenario: str
    base: str
    seed: int = Field(ge=0)
    turn_months: int = Field(1, ge=1, le=12)
    month: int = Field(0, ge=0)
    seats: list[Seat] = Field(default_factory=list)
    facilitator_code: str = Field(default_factory=new_code)
    unscripted: list[str] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    deck: str = ""

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


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line text (the scenario) as a readable block."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML writes a NEL (U+0085) raw, and YAML 1.1 reads it back as a line break: escape it.
    style = '"' if "\x85" in text else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def session_path(folder: Path, game_id: str) -> Path:
    """Where the game ``game_id`` is saved."""
    return Path(folder) / f"{game_id}.yaml"


def save(record: GameRecord, folder: Path) -> Path:
    """Write a record atomically to ``<folder>/<id>.yaml``; return its path."""
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
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _error(
    where: str, message: str, line: int | None = None, hint: str | None = None
) -> ScenarioError:
    return ScenarioError([Problem(where, line, "(file)", message, hint)])


def load(path: Path) -> GameRecord:
    """Read a saved game.

    Raises:
        ScenarioError: When the file is missing, is not YAML, or is not a geosim session (one
            located message with a hint).
    """
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(
            where, "no such saved game", hint="geosim sessions lists the saved games"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
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
        return GameRecord.model_validate(data)
    except ValidationError as exc:
        raise _error(where, first_problem(exc, root=GameRecord)) from None


def saved_games(folder: Path) -> list[GameRecord]:
    """The readable games saved in ``folder``, most recently saved first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    paths = sorted(folder.glob("*.yaml"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in paths:
        try:
            found.append(load(path))
        except ScenarioError:
            continue
    return found
