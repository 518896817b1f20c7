"""Briefings, messages and the turn timer: what a team reads, and what the facilitator writes.

A team's page opens with its briefing (:func:`BriefingCard`: the game's question, the
situation, the facilitator's word to all, the team's objectives and what the numbers mean), the
facilitator's messages to it (:func:`MessagesCard`) and the turn's timer, counted down in the
browser (``countdown.vue``). The facilitator words the briefing and each team's objectives,
sends messages to every team or one, and starts or stops the timer (:func:`BriefingPanel`, in
the Room tab). Everything is saved in the game's record like any other action.
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

import solara

from sim.game.briefing import team_briefing
from sim.game.limits import plain_number
from sim.game.play import Game
from sim.scenario.moves import MoveError
from sim.ui.actions import ActionButton
from sim.ui.widgets import Message, use_message

#: Messages a team's page lists, newest first.
SHOWN_MESSAGES = 4
#: Who a message goes to, as the facilitator's select says "every team".
EVERY_TEAM = "Every team"


@solara.component_vue("countdown.vue")
def _Countdown(deadline_ms: int) -> None:
    """The browser side of :func:`TurnTimer` (``countdown.vue``)."""


def deadline_ms(deadline: str) -> int:
    """A record's deadline (ISO 8601) as milliseconds since the epoch (0: no timer)."""
    if not deadline:
        return 0
    return int(datetime.fromisoformat(deadline).timestamp() * 1000)


@solara.component
def TurnTimer(game: Game, revision: int) -> None:
    """The turn's timer, if the facilitator started one."""
    _Countdown(deadline_ms=deadline_ms(game.record.deadline))


def briefing_html(game: Game, seat: str) -> str:
    """A team's briefing as HTML (escaped)."""
    brief = team_briefing(game, seat)
    parts = [f"<p class='question'><b>The question.</b> {html.escape(brief.question)}</p>"]
    parts.append(f"<p>{html.escape(brief.situation)} You hold {html.escape(brief.states)}.</p>")
    if brief.general:
        parts.append(f"<p class='general'>{html.escape(brief.general)}</p>")
    whose = "set by the facilitator" if brief.worded else "a starting brief"
    aims = "".join(f"<li>{html.escape(line)}</li>" for line in brief.objectives)
    parts.append(f"<p><b>Your objectives</b> ({whose}):</p><ul>{aims}</ul>")
    meanings = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>" for name, text in brief.metrics
    )
    parts.append(f"<details><summary>What the numbers mean</summary><dl>{meanings}</dl></details>")
    return "".join(parts)


@solara.component
def BriefingCard(game: Game, seat: str, revision: int) -> None:
    """A team's briefing (see :func:`briefing_html`)."""
    text = solara.use_memo(lambda: briefing_html(game, seat), [game.id, seat, revision])
    with solara.Card("Briefing", margin=0, classes=["geosim-card"]):
        solara.HTML(unsafe_innerHTML=text, classes=["geosim-briefing"])


def messages_html(game: Game, seat: str | None) -> str:
    """The facilitator's messages a team reads (to it and to all), newest first, as HTML."""
    rows = []
    for message in game.messages_for(seat)[:SHOWN_MESSAGES]:
        whom = "to all" if not message.to else f"to {message.to}"
        rows.append(
            f"<div class='geosim-note'><span class='when'>Month {message.month}, {whom}:</span> "
            f"{html.escape(message.text)}</div>"
        )
    return "".join(rows)


@solara.component
def MessagesCard(game: Game, seat: str, revision: int) -> None:
    """The facilitator's messages to this team, if any."""
    text = messages_html(game, seat)
    if text:
        with solara.Card("From the facilitator", margin=0, classes=["geosim-card"]):
            solara.HTML(unsafe_innerHTML=text, classes=["geosim-messages"])


@solara.component
def BriefingPanel(game: Game, revision: int, on_change: Callable[[], None]) -> None:
    """The facilitator's briefing to all, each team's objectives, messages and the timer."""
    shown, say = use_message(game)
    general = solara.use_reactive(game.record.briefing)
    teams = [s.name for s in game.record.seats]
    team = solara.use_reactive(teams[0] if teams else "")
    objectives = solara.use_reactive(_objectives(game, teams[0]) if teams else "")
    message = solara.use_reactive("")
    to = solara.use_reactive(EVERY_TEAM)
    minutes = solara.use_reactive("10")

    def acted(done: Callable[[], str]) -> None:
        try:
            say("success", done())
        except MoveError as exc:
            say("warning", str(exc))
            return
        on_change()

    def save_general(seen: int) -> None:
        acted(lambda: (game.set_briefing(general.value, expect=seen), "Briefing saved.")[1])

    def save_objectives(seat: str, seen: int) -> None:
        def done() -> str:
            game.set_objectives(seat, objectives.value, expect=seen)
            return f"Objectives of the {seat} team saved."

        acted(done)

    def send(seen: int) -> None:
        def done() -> str:
            whom = "" if to.value == EVERY_TEAM else to.value
            game.send_message(message.value, whom, expect=seen)
            message.set("")
            return f"Sent {'to every team' if not whom else 'to the ' + whom + ' team'}."

        acted(done)

    def timer(seen: int, stop: bool = False) -> None:
        def done() -> str:
            value = None if stop else plain_number(minutes.value, "Minutes")
            ends = game.set_timer(value, expect=seen)
            return f"Timer runs to {ends[11:16]} UTC." if ends else "Timer stopped."

        acted(done)

    if not teams:
        solara.Text("No team seats: nothing to brief.", classes=["geosim-hint"])
        return
    seat = game.record.seat(team.value) if team.value in teams else game.record.seats[0]
    with solara.Card("Briefings, messages and the turn timer", margin=0, classes=["geosim-card"]):
        solara.InputTextArea(
            "Briefing to every team (blank: the scenario's question alone)",
            general,
            continuous_update=True,
            rows=2,
        )
        ActionButton("Save briefing", save_general, revision, outlined=True, now=game.revision_now)
        solara.Select(
            "Team",
            teams,
            team.value,
            on_value=lambda name: (team.set(name), objectives.set(_objectives(game, name))),
        )
        solara.InputTextArea(
            f"Objectives of the {seat.name} team, one a line (blank: its states' starting brief)",
            objectives,
            continuous_update=True,
            rows=3,
        )
        ActionButton(
            "Save objectives",
            lambda seen: save_objectives(seat.name, seen),
            revision,
            outlined=True,
            now=game.revision_now,
        )
        solara.Select("Message to", [EVERY_TEAM, *teams], to.value, on_value=to.set)
        solara.InputTextArea("Message", message, continuous_update=True, rows=2)
        ActionButton(
            "Send message",
            send,
            revision,
            color="primary",
            disabled=not message.value.strip(),
            now=game.revision_now,
        )
        with solara.Row(gap="8px", style="align-items: center; flex-wrap: wrap"):
            solara.InputText("Turn timer, minutes", minutes, continuous_update=True)
            ActionButton("Start timer", timer, revision, outlined=True, now=game.revision_now)
            ActionButton(
                "Stop timer",
                lambda seen: timer(seen, stop=True),
                revision,
                text=True,
                now=game.revision_now,
            )
            TurnTimer(game, revision)
        kind, text = shown
        if text:
            Message(kind, text)
        sent = messages_html(game, None)
        if sent:
            solara.HTML(unsafe_innerHTML=sent, classes=["geosim-messages"])


def _objectives(game: Game, seat: str) -> str:
    return game.record.seat(seat).objectives
