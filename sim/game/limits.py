"""What a browser may put into a game: texts of bounded length, numbers in plain digits.

The console is a web page: whoever reaches it may type anything into its fields, or send any
value through its websocket. These bounds keep a game's session file small and readable, and
the sessions folder from filling up:

* every text a person types is bounded (:func:`bounded`): a rationale, a ruling or a note at
  most :data:`MAX_TEXT` characters, a title :data:`MAX_TITLE`, a team's name
  :data:`MAX_TEAM_NAME`, a scenario's or a deck's reference :data:`MAX_REFERENCE`; the record
  (:mod:`sim.game.record`) holds the same bounds, so a saved file cannot carry more either;
* a lobby starts at most :data:`MAX_GAMES` games in its sessions folder
  (:meth:`sim.game.rooms.Lobby.create`);
* a number typed in a form is read by the rule of scenario files (:func:`plain_number`): plain
  ASCII decimal digits, never what YAML 1.1 or Python would also read (``1_0`` as 10, ``٣`` as
  3, ``0x10`` as 16, ``1e400`` as infinity, ``nan``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from sim.scenario.moves import MOVES, Move, MoveError

#: A whole number in plain decimal digits: the first case of the scenario files' number rule.
WHOLE = re.compile(r"[-+]?(0|[1-9][0-9]*)")
#: A number as a scenario file takes one (:mod:`sim.scenario.yaml_io`): what YAML reads as a
#: number and is written plainly. A whole number; a decimal fraction, with an exponent (signed)
#: after its point; or a fraction that starts at its point, unsigned (``-.5`` is text to YAML).
#: ASCII digits only (``[0-9]``, not ``\d``).
PLAIN_NUMBER = re.compile(
    WHOLE.pattern + r"|[-+]?[0-9]+\.[0-9]*([eE][-+][0-9]+)?|\.[0-9]+([eE][-+][0-9]+)?"
)

#: Longest rationale, ruling or note (about a page of text).
MAX_TEXT = 2000
#: Longest title of a game.
MAX_TITLE = 120
#: Longest text field of a move (what an arms delivery delivers).
MAX_MOVE_TEXT = 200
#: Longest name of a team.
MAX_TEAM_NAME = 40
#: Longest reference to a scenario or a deck (a shipped name or a path).
MAX_REFERENCE = 300
#: Longest seats line (``Blue=USA,JPN;Red=CHN``): every state of the game held, with room.
MAX_SEATS = 1000
#: Longest number typed in a field (a seed has at most 19 digits).
MAX_NUMBER_TEXT = 40
#: Longest join code typed (codes have 6 letters).
MAX_CODE = 20
#: Most games the lobby starts in one sessions folder (saved games, live ones included); a game
#: started with ``geosim dashboard --seats`` is the server's operator's, and not counted against.
MAX_GAMES = 200


def bounded(text: str, label: str, limit: int) -> str:
    """``text``, if it has at most ``limit`` characters.

    Raises:
        MoveError: When it is longer (one line naming the field; the text is not echoed).
    """
    if len(text) > limit:
        raise MoveError(f"{label}: at most {limit:,} characters (this one has {len(text):,})")
    return text


def plain_number(text: str, label: str) -> float:
    """A number typed in a field, read by the rule of scenario files.

    Plain ASCII decimal digits, a sign, a decimal point, and an exponent with its sign after a
    decimal point (``1.5e+3``): :data:`PLAIN_NUMBER`, what a scenario file takes as a number
    (``tests/game/test_limits.py`` checks the two agree); finite.

    Raises:
        MoveError: On anything else, saying what was expected and what was typed.
    """
    written = text.strip()
    if len(written) > MAX_NUMBER_TEXT:
        raise MoveError(f"{label}: a number of at most {MAX_NUMBER_TEXT} characters")
    expected = f"{label}: a number in plain decimal digits, such as 12 or 0.5, not {written!r}"
    if not PLAIN_NUMBER.fullmatch(written):
        raise MoveError(expected)
    value = float(written)
    if not math.isfinite(value):
        raise MoveError(f"{label}: a finite number, not {written!r}")
    return value


def plain_whole(text: str, label: str) -> int:
    """A whole number typed in a field (a seed, months per turn), in plain decimal digits.

    Read exactly (a seed has up to 19 digits, more than a float keeps).

    Raises:
        MoveError: When it is longer than :data:`MAX_NUMBER_TEXT`, or not written so.
    """
    written = bounded(text.strip(), label, MAX_NUMBER_TEXT)
    if not WHOLE.fullmatch(written):
        raise MoveError(
            f"{label}: a whole number in plain decimal digits, such as 12, not {written!r}"
        )
    return int(written)


def plain_move(move: Move) -> Move:
    """A move whose typed numbers (text in its number and months fields) are read as numbers.

    A blank months field stays blank (it means "until the game ends"); numbers already numbers
    and the other fields are left as they are, for :func:`~sim.scenario.moves.check_move`; a
    text field (what an arms delivery delivers) is bounded by :data:`MAX_MOVE_TEXT`.

    Raises:
        MoveError: When a typed number is not written plainly (:func:`plain_number`), or a
            text is too long.
    """
    kind = MOVES.get(move.kind)
    if kind is None:
        return move
    params: dict[str, Any] = dict(move.params)
    for field in kind.fields:
        value = params.get(field.name)
        if field.kind in ("number", "months") and isinstance(value, str) and value.strip():
            params[field.name] = plain_number(value, field.label)
        elif field.kind == "text" and isinstance(value, str):
            bounded(value, field.label, MAX_MOVE_TEXT)
    return Move(move.kind, params)
