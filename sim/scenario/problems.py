"""Located problems: what is wrong with an input, where, and what to do about it.

Every error a user can cause — a scenario or sweep file that does not read or validate, a bad
``--set`` — is a :class:`ScenarioError` holding :class:`Problem` records that name the file, the
line, the dotted field path, what was expected and a hint. :mod:`sim.scenario.translate` turns
pydantic's validation errors into them; this module holds the records and the small helpers
that word them (close matches, values shown briefly, dotted paths).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: At most this many problems are reported at once.
MAX_PROBLEMS = 50

#: The file name used for problems caused by ``--set`` overrides.
SET_FILE = "--set"

PathKey = tuple[str | int, ...]
#: Field path (keys and list indices) → 1-based line number in one file.
LineMap = dict[PathKey, int]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as possible.

    Attributes:
        file: The file as shown to the user (relative to the working folder when inside it),
            or ``--set`` for a command-line override.
        line: 1-based line number, or ``None`` when there is no line to point at.
        path: Dotted field path such as ``policies.us_phl.usd_m_per_year`` (list items as
            ``deliveries[0]``), or ``extends`` / ``(file)``.
        message: What is wrong and what was expected.
        hint: A suggestion (a close match for a typo, the allowed values), or ``None``.
    """

    file: str
    line: int | None
    path: str
    message: str
    hint: str | None = None

    def format(self) -> str:
        """Render the problem as ``file:line: path: message`` plus an indented hint line.

        A user's text in it (a key, a value, a file name) cannot reach the terminal as a
        control sequence: control characters are shown escaped (:func:`printable`).
        """
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.message}"
        if self.path and self.path != "(file)":
            text = f"{where}: {self.path}: {self.message}"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return printable(text)

    def brief(self) -> str:
        """The problem on one line without the file: ``path: message (hint)``."""
        text = self.message if self.path in ("", "(file)") else f"{self.path}: {self.message}"
        return printable(f"{text} ({self.hint})" if self.hint else text)


class ScenarioError(Exception):
    """A scenario that cannot be read or is invalid; ``str()`` lists every problem.

    Attributes:
        problems: The problems found, in file and line order.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full human-readable report, one block per problem."""
        return "\n".join(problem.format() for problem in self.problems)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        return (ScenarioError, (self.problems,))


class SourceMap(dict[PathKey, tuple[str, int | None]]):
    """Field path → ``(file, line)`` of the file that last set it (``--set`` for overrides).

    Attributes:
        deleted: Paths set to null (which deletes a key), and where: a null key must still be
            a key the schema knows, and a field deleted by ``--set`` is blamed on ``--set``.
        files: The files read, the scenario first and then its ``extends`` chain.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deleted: dict[PathKey, tuple[str, int | None]] = {}
        self.files: list[Path] = []

    def locate(self, path: PathKey) -> tuple[str, int | None]:
        """Find where a field was set, falling back to its nearest located ancestor.

        Args:
            path: Field path as a tuple of keys and list indices.

        Returns:
            ``(file, line)``; the line is ``None`` for overrides and for the document root.
        """
        if tuple(path) in self.deleted and tuple(path) not in self:
            return self.deleted[tuple(path)]
        for end in range(len(path), -1, -1):
            origin = self.get(path[:end])
            if origin is not None and (origin[1] is not None or origin[0] == SET_FILE):
                return origin
        return self.get((), ("<scenario>", None))


class LocatedError(ValueError):
    """A cross-field error raised inside a schema validator that knows its field path.

    Attributes:
        loc: The field path it belongs to.
        more: Further cross-field errors found by the same check (all are reported).
    """

    def __init__(self, loc: PathKey, message: str, more: Sequence[LocatedError] = ()) -> None:
        super().__init__(message)
        self.loc = loc
        self.more = tuple(more)


class HintedError(ValueError):
    """A validator's error whose hint is worded apart, to become the problem's hint line.

    Attributes:
        hint: What to do about it (a close match, the allowed values).
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


# --------------------------------------------------------------------------------------------
# Wording

#: Control characters (C0 but tab and line feed, DEL, C1) and the Unicode line and paragraph
#: separators and bidirectional overrides, which can retitle a terminal or reorder what it shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, lines: bool = True) -> str:
    r"""``text`` safe to echo: control characters shown as ``\x1b``-style escapes.

    Args:
        text: A message that may hold a user's text.
        lines: Keep line feeds (a multi-line message); otherwise escape them too.
    """
    escaped = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return escaped if lines else escaped.replace("\n", "\\n")


def display_path(path: Path) -> str:
    """Show a path relative to the working folder when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def closest(word: str, choices: Sequence[str], cutoff: float = 0.5) -> str | None:
    """The choice closest to ``word`` (case-insensitive; prefixes count), or ``None``."""
    if not choices or not isinstance(word, str):
        return None
    lowered = {choice.lower(): choice for choice in choices}
    if len(word) >= 3:
        starts = [c for low, c in lowered.items() if low.startswith(word.lower())]
        if len(starts) == 1:
            return starts[0]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def choices_hint(word: Any, choices: Sequence[str], what: str) -> str:
    """A hint listing ``choices`` (as ``what``), led by the one closest to ``word``."""
    close = closest(word, choices) if isinstance(word, str) else None
    listing = f"{what}: {', '.join(choices)}" if choices else f"there are no {what} yet"
    return f"did you mean {close!r}? {listing}" if close else listing


def dotted(path: Sequence[str | int]) -> str:
    """A field path as users write it: ``policies.p.deliveries[0].after``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value: Any) -> str:
    """A value as the user wrote it, briefly."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return shorten(repr(value))
    if isinstance(value, str):
        return repr(shorten(value))
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return shorten(repr(value))
