"""The move form: one Solara form for every move, from the menu of :mod:`sim.scenario.moves`.

The same form makes a facilitator's inject, a team's move and the facilitator's amendment of
one. It shows each field with its unit and bounds, offers only the choices a move may take now
(:func:`~sim.scenario.moves.choices`: the alliances a state can join or leave, durations within
the game), shows countries and alliances by name, and checks the move as it is typed: the
message under the form is always about the values shown, in one plain line naming the field.
Numbers are typed as text and read by the rule of scenario files (plain decimal digits:
:func:`sim.game.limits.plain_move`), then checked by the menu, so that a typo is named, not
silently ignored or read as another number (``1_0`` is not 10, nor ``٣`` 3).
"""

# ruff: noqa: N802  (Solara components are named like classes)

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import solara

from sim.game.limits import plain_move
from sim.scenario.ladder import rung_words
from sim.scenario.moves import (
    MOVES,
    NAMES,
    TYPE_WORDS,
    Board,
    Move,
    MoveError,
    MoveField,
    check_move,
    choices,
)


def problem(move: Move, board: Board) -> str:
    """What is wrong with a move now, in one line ("" when it can be made)."""
    try:
        check_move(plain_move(move), board)
    except MoveError as exc:
        return str(exc)
    return ""


def field_label(spec: MoveField, board: Board) -> str:
    """A field's label with its unit and bounds, e.g. ``Months (0–26; 0: until the game ends)``."""
    if spec.kind == "months":
        return f"{spec.label} (0–{board.remaining}; {spec.help})"
    if spec.kind == "number":
        bounds = f"{spec.low:g}–{spec.high:g}"
        unit = "" if spec.unit in ("", "0–1") else f" {spec.unit}"
        return f"{spec.label} ({bounds}{unit})"
    if spec.kind == "text" and spec.help:
        return f"{spec.label} ({spec.help})"
    return spec.label


def _shown(spec: MoveField, value: str, board: Board) -> str:
    """How a choice reads in the form."""
    if spec.kind in ("country", "countries"):
        return NAMES.get(value, value)
    if spec.kind == "alliance":  # with its pledge's clarity now (ambiguity or clarity)
        return board.alliance_label(value)
    if spec.kind == "rung":
        return rung_words(value)
    if spec.kind == "type":
        return TYPE_WORDS.get(value, value)
    return value


#: What a form asks of the game: the level a lever move's actor has in force towards a partner
#: now, in the move's unit (:meth:`sim.game.play.Game.lever_now`), or None.
Levels = Callable[[str, str, str], float | None]


def _amount_words(value: float, spec: MoveField) -> str:
    unit = "" if spec.unit in ("", "0–1") else " " + spec.unit.split(",")[0]  # per partner here
    return (f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2f}") + unit


def level_words(move: Move, board: Board, levels: Levels) -> str:
    """What a lever move's actor has in force towards each partner now, and after the move.

    A move of the menu *adds* its amount to what is in force (the scenario's script, the moves
    played and the state's own decisions), for its months: the line says so in numbers, e.g.
    "Intensity in force: China → Taiwan 0.40 now; 0.70 with this move (it adds 0.30)". Empty
    for a move that is not a lever's.
    """
    kind = MOVES.get(move.kind)
    if kind is None or not kind.policy:
        return ""
    (amount,) = kind.policy.values()
    spec = kind.field(amount)
    try:
        checked: Move | None = check_move(plain_move(move), board)
    except MoveError:
        checked = None
    actor = str(move.params.get("actor", ""))
    parts = []
    for partner in move.params.get("partners") or []:
        now = levels(move.kind, actor, partner)
        if now is None:
            continue
        pair = f"{NAMES.get(actor, actor)} → {NAMES.get(partner, partner)}"
        text = f"{pair} {_amount_words(now, spec)} now"
        if checked is not None:
            added = float(checked.params[amount])
            text += (
                f"; {_amount_words(now + added, spec)} with this move "
                f"(it adds {_amount_words(added, spec)} from month {(board.month or 0) + 1})"
            )
        parts.append(text)
    return f"{spec.label} in force: " + "; ".join(parts) + "." if parts else ""


def able_actors(kind: str, board: Board, actors: list[str] | None = None) -> list[str]:
    """The states of ``actors`` that can make a ``kind`` move now (by its alliance fields)."""
    actors = list(actors or board.codes)
    needed = [f.name for f in MOVES[kind].fields if f.kind == "alliance"]
    able = [a for a in actors if all(choices(kind, n, board, {"actor": a}) for n in needed)]
    return able or actors


def possible_kinds(
    board: Board, actors: list[str] | None = None, kinds: list[str] | None = None
) -> list[str]:
    """The kinds of move some state of ``actors`` can make now.

    Joining needs an alliance that takes members, leaving one the state is in, declaring a
    pledge's clarity a pledge the state leads.
    """
    actors = actors or board.codes
    found = []
    for kind in kinds or list(MOVES):
        needed = [f.name for f in MOVES[kind].fields if f.kind == "alliance"]
        if all(
            any(choices(kind, name, board, {"actor": actor}) for actor in actors) for name in needed
        ):
            found.append(kind)
    return found


#: Moves aimed at a rival (pressure, incidents, channels, talks): a move of one of the game's
#: pair is aimed at the other by default (:func:`starting_move`); moves made with a partner
#: (exercises, aid, presence) keep the menu's stock partner.
AIMED = frozenset(
    (
        "gray_zone_coercion",
        "economic_coercion",
        "incident",
        "deconfliction_channel",
        "dialogue",
        "ceasefire",
    )
)


def starting_move(
    kind: str,
    board: Board,
    actors: list[str] | None = None,
    focus: tuple[str, str] | None = None,
) -> Move:
    """A new move of ``kind`` with defaults that can be made now where possible.

    ``focus`` is the pair of states the game turns on (its question's, e.g. China and Taiwan):
    a move of one of them aimed at a rival (:data:`AIMED`) is aimed at the other by default,
    not at the menu's stock partner.
    """
    params = dict(MOVES[kind].defaults())
    if actors and params.get("actor") not in actors:
        params["actor"] = actors[0]
    if focus and params.get("actor") in focus and kind in AIMED:
        other = focus[1] if params["actor"] == focus[0] else focus[0]
        for spec in MOVES[kind].fields:
            if spec.name != "actor" and other in choices(kind, spec.name, board, params):
                if spec.kind == "countries":
                    params[spec.name] = [other]
                elif spec.kind == "country":
                    params[spec.name] = other
    for spec in MOVES[kind].fields:
        if spec.kind == "alliance":
            offered = choices(kind, spec.name, board, params)
            params[spec.name] = offered[0] if offered else ""
        elif spec.kind in ("country", "countries") and spec.name != "actor":
            offered = choices(kind, spec.name, board, params)
            if spec.kind == "country" and params[spec.name] not in offered:
                params[spec.name] = offered[0]
            if spec.kind == "countries":
                params[spec.name] = [c for c in params[spec.name] if c in offered] or offered[:1]
        elif spec.kind in ("number", "months"):
            params[spec.name] = f"{params[spec.name]:g}"
    return Move(kind, params)


@solara.component
def ChoiceField(
    spec: MoveField, value: Any, offered: list[str], board: Board, on_value: Callable[[Any], None]
) -> None:
    """A select (or multi-select) over codes, showing names."""
    labels = {code: _shown(spec, code, board) for code in offered}
    if spec.kind == "countries":
        chosen = [labels[c] for c in value if c in labels]
        back = {label: code for code, label in labels.items()}
        solara.SelectMultiple(
            spec.label,
            chosen,
            list(labels.values()),
            on_value=lambda picked: on_value([back[p] for p in picked if p in back]),
        )
        return
    if not offered:
        solara.Select(spec.label, ["(none available)"], "(none available)", disabled=True)
        return
    back = {label: code for code, label in labels.items()}
    solara.Select(
        spec.label,
        list(labels.values()),
        labels.get(value),
        on_value=lambda label: on_value(back.get(label, "")),
    )


@solara.component
def MoveForm(
    move: solara.Reactive[Move],
    board: Board,
    actors: list[str] | None = None,
    kinds: list[str] | None = None,
    levels: Levels | None = None,
    focus: tuple[str, str] | None = None,
) -> None:
    """The fields of a move, laid out two by two, with the live check under them.

    Args:
        move: The move being edited.
        board: The game as it stands.
        actors: The states that may make it (a team's); default every state.
        kinds: The kinds offered; default the whole menu.
        levels: The game's levels in force, to show what a lever move adds to
            (:func:`level_words`); None shows nothing.
        focus: The pair of states the game turns on, for the defaults (:func:`starting_move`).
    """
    value = move.value
    kinds = possible_kinds(board, actors, kinds)
    if value.kind not in kinds:
        kinds.append(value.kind)  # shown while it is the move being edited
    labels = {MOVES[k].label: k for k in kinds}

    def choose(label: str) -> None:
        move.set(starting_move(labels[label], board, actors, focus))

    def setter(name: str) -> Callable[[Any], None]:
        def set_value(new: Any) -> None:
            params = {**move.value.params, name: new}
            if name == "actor":  # the choices of the other fields follow the actor
                fresh = starting_move(move.value.kind, board, [new])
                for spec in MOVES[move.value.kind].fields:
                    if spec.kind == "alliance":
                        params[spec.name] = fresh.params[spec.name]
            move.set(Move(move.value.kind, params))

        return set_value

    solara.Select("Kind of move", list(labels), MOVES[value.kind].label, on_value=choose)
    small: list[Callable[[], None]] = []
    wide: list[Callable[[], None]] = []
    for spec in MOVES[value.kind].fields:
        current = value.params.get(spec.name, spec.default)
        if spec.kind in ("country", "countries", "alliance", "rung", "type"):
            offered = (
                able_actors(value.kind, board, actors)
                if spec.name == "actor"
                else choices(value.kind, spec.name, board, value.params)
            )

            def make(
                spec: MoveField = spec, current: Any = current, offered: list = offered
            ) -> None:
                ChoiceField(spec, current, offered, board, setter(spec.name))

            (wide if spec.kind in ("countries", "alliance") else small).append(make)
        else:
            # The label is the field's name; its unit and bounds go under it, where they wrap
            # instead of being cut off in a narrow field.
            hint = field_label(spec, board).removeprefix(spec.label).strip()[1:-1]
            text = "" if current is None else str(current)
            small.append(
                lambda spec=spec, hint=hint, text=text: solara.InputText(
                    spec.label,
                    text,
                    on_value=setter(spec.name),
                    continuous_update=True,
                    message=hint or None,
                )
            )
    for start in range(0, len(small), 2):
        with solara.Columns([1, 1], gutters_dense=True):
            for make in small[start : start + 2]:
                make()
    for make in wide:
        make()
    if levels is not None:
        words = level_words(value, board, levels)
        if words:
            solara.HTML(
                unsafe_innerHTML=html.escape(words), classes=["geosim-hint", "geosim-level"]
            )
    for spec in MOVES[value.kind].fields:
        if spec.help and spec.kind not in ("months", "text"):
            solara.HTML(
                unsafe_innerHTML=html.escape(f"{spec.label}: {spec.help}"),
                classes=["geosim-hint"],
            )
