"""Computer players in the console: the facilitator's panel and a team's advisor.

The facilitator sees who plays each state (a team, its decision rule, its script), gives a
state its script before the first month, reads each computer move with the reason its rule
gives and may overrule it (:mod:`sim.game.computer`). A team asks what the rule would do for
its states and sees the moves ranked by their gain over holding, with the utility terms
(:mod:`sim.game.advice`).
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from sim.game.advice import Advice, advise
from sim.game.computer import RULE, SCRIPT
from sim.game.play import Game
from sim.outputs.narrative import decision_text
from sim.scenario.moves import MOVES, NAMES, MoveError
from sim.ui.actions import ActionButton
from sim.ui.widgets import Message, use_guard, use_message

#: Computer moves listed, newest first.
LISTED = 12
#: The utility terms, as a table heads them.
TERM_HEADS = (
    ("escalation", "Escalation"),
    ("security", "Security"),
    ("following", "Following"),
    ("value", "Own value"),
    ("posture", "Posture"),
)


def _names(codes: list[str]) -> str:
    return ", ".join(NAMES.get(c, c) for c in codes) or "none"


@solara.component
def ComputerPanel(game: Game, revision: int, on_change: Callable[[], None]) -> None:
    """Who plays the states no team holds; their moves, with their reasons; overrules."""
    shown, say = use_message(game)
    guard = use_guard()
    ruling = solara.use_reactive("")
    who = game.players()
    computer = [c for c, p in who.items() if p == RULE]
    switchable = sorted(computer + list(game.record.scripted))

    def choose_script(picked: list[str]) -> None:
        wanted = {code for code, name in NAMES.items() if name in picked}
        try:
            for code in switchable:
                scripted = who[code] == SCRIPT
                if (code in wanted) != scripted:
                    game.set_player(code, rule=code not in wanted, expect=game.revision)
        except MoveError as exc:
            say("warning", str(exc))
            return
        say("success", f"On their script: {_names(sorted(wanted))}.")
        on_change()

    def overrule(index: int, seen: int) -> None:
        try:
            action = game.overrule(index, ruling.value, expect=seen)
        except MoveError as exc:
            say("warning", str(exc))
            return
        ruling.set("")
        say("success", f"Overruled: {action.summary}. It acts from month {game.month + 1}.")
        on_change()

    solara.Text(
        f"Played by their decision rule: {_names(computer)}. On their script: "
        f"{_names([c for c, p in who.items() if p == SCRIPT])}.",
        classes=["geosim-hint", "geosim-players"],
    )
    if game.month == 0 and switchable:
        solara.SelectMultiple(
            "Give their script (before the first month)",
            [NAMES[c] for c in switchable if who[c] == SCRIPT],
            [NAMES[c] for c in switchable],
            on_value=guard(choose_script),
        )
    solara.InputText("Ruling on an overrule (optional)", ruling, continuous_update=True)
    moves = game.computer_moves()[::-1][:LISTED]
    if not moves:
        solara.Text(
            "No computer move yet (the rule decides every few months).", classes=["geosim-hint"]
        )
    for move in moves:
        with solara.Div(classes=["geosim-move", "geosim-computer"]):
            record = move.record
            solara.HTML(
                unsafe_innerHTML=f'<span class="who">Month {record.step - 1}</span>: '
                + html.escape(decision_text(record)),
            )
            if move.overruled:
                solara.Text("Overruled by the facilitator.", classes=["geosim-hint"])
            elif move.open and not game.finished:
                ActionButton(
                    "Overrule",
                    lambda seen, index=move.index: overrule(index, seen),
                    revision,
                    outlined=True,
                    color="error",
                    now=game.revision_now,
                )
    kind, text = shown
    if text:
        Message(kind, text)


def advice_table(advice: list[Advice]) -> str:
    """The ranked moves as an HTML table: the move, its gain and its terms (crisis-months)."""
    head = "".join(f"<th>{h}</th>" for _, h in TERM_HEADS)
    rows = []
    for item in advice:
        record = item.record
        terms = dict(record.terms)
        cells = "".join(f"<td>{terms.get(name, 0.0):+.3g}</td>" for name, _ in TERM_HEADS)
        made = f" (menu: {MOVES[item.console].label})" if item.console else ""
        rows.append(
            f"<tr><td>{html.escape(decision_text(record, reason=False))}{html.escape(made)}</td>"
            f"<td>{record.gain:+.3g}</td>{cells}</tr>"
        )
    return f"<tr><th>Move</th><th>ΔU</th>{head}</tr>" + "".join(rows)


@solara.component
def AdvicePanel(game: Game, seat: str, revision: int) -> None:
    """What would the model do for us? The team's states' moves ranked by their rule."""
    asked = solara.use_reactive(None)
    shown, say = use_message(game)

    def ask(seen: int) -> None:
        try:
            asked.set((game.month, advise(game, seat)))
        except ValueError as exc:
            say("warning", str(exc))

    with solara.Card("What would the model do for us?", margin=0, classes=["geosim-card"]):
        ActionButton("Ask the model", ask, revision, outlined=True, now=game.revision_now)
        if asked.value is not None:
            month, advice = asked.value
            if not advice:
                solara.Text("The rule weighs no move for your states now.", classes=["geosim-hint"])
            else:
                solara.Text(
                    f"At month {month}, your states' rule would weigh these moves, best first: "
                    "ΔU is the gain over holding, in crisis-months, and the terms that make it "
                    "up (a move above 0 is one the rule prefers to holding).",
                    classes=["geosim-hint"],
                )
                solara.HTML(
                    tag="table",
                    unsafe_innerHTML=advice_table(advice),
                    classes=["geosim-table", "geosim-advice"],
                )
        kind, text = shown
        if text:
            Message(kind, text)
