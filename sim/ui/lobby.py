"""The lobby: start a game, resume a saved one, or join one with a code.

Whoever reaches the page may use the lobby, so what it starts is bounded
(:meth:`sim.game.rooms.Lobby.create` with ``visitor``): a scenario of its list, a deck that is
shipped or lies in the sessions folder, texts of bounded length and numbers in plain digits
(:mod:`sim.game.limits`), and a limited number of games.
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import os
from collections.abc import Callable

import solara

from sim.core.model import MAX_SEED
from sim.game.limits import MAX_CODE, MAX_REFERENCE, MAX_TITLE, bounded, plain_whole
from sim.game.play import Game
from sim.game.rooms import SeatError, parse_seats
from sim.scenario.loader import shipped_scenarios
from sim.scenario.problems import ScenarioError
from sim.ui.actions import ActionButton
from sim.ui.shared import lobby
from sim.ui.widgets import Message, use_guard

#: Environment variables carrying the server's settings from :func:`sim.ui.app.serve`.
ENV_SCENARIO = "GEOSIM_DASHBOARD_SCENARIO"
ENV_SEATS = "GEOSIM_DASHBOARD_SEATS"
#: Scenario offered first.
DEFAULT_SCENARIO = "hub_and_spoke"
#: Seats offered for a new game of each shipped crisis scenario (else :data:`GENERIC_SEATS`).
GENERIC_SEATS = "Blue=USA,JPN,AUS,PHL;Red=CHN"
SCENARIO_SEATS = {
    "taiwan_strait_crisis": "Blue=USA,JPN,AUS,TWN;Red=CHN",
    "scs_crisis": "Blue=USA,PHL,JPN,AUS;Red=CHN;Green=VNM,MYS,IDN",
}


@solara.component
def NewGame(default: str, on_open: Callable[[Game, str], None]) -> None:
    """Start a game: scenario, seats, months per turn, seed."""
    names = list(shipped_scenarios())
    scenario = solara.use_reactive(default if default in names else DEFAULT_SCENARIO)
    seats = solara.use_reactive(
        os.environ.get(ENV_SEATS) or SCENARIO_SEATS.get(scenario.value, GENERIC_SEATS)
    )
    months = solara.use_reactive("1")
    seed = solara.use_reactive("")
    deck = solara.use_reactive("")
    title = solara.use_reactive("")
    failed = solara.use_reactive(((), ""))  # (the values it is about, the message)
    values = (scenario.value, seats.value, months.value, seed.value, deck.value)

    def fail(text: str) -> None:
        failed.set((values, text))

    def pick(name: str) -> None:
        scenario.set(name)
        seats.set(SCENARIO_SEATS.get(name, GENERIC_SEATS))

    def create(_seen: int) -> None:
        try:
            bounded(title.value, "Title", MAX_TITLE)
            parsed = parse_seats(seats.value)
            turn = _whole(months.value, "Months per turn", 1)
            if not 1 <= turn <= 12:
                raise SeatError("Months per turn: from 1 to 12")
            base_seed = _whole(seed.value, "Seed", None)
            if base_seed is not None and not 0 <= base_seed <= MAX_SEED:
                raise SeatError(f"Seed: a whole number from 0 to {MAX_SEED}")
            game = lobby().create(
                scenario.value,
                parsed,
                visitor=True,
                seed=base_seed,
                turn_months=turn,
                title=title.value.strip(),
                deck=bounded(deck.value.strip(), "Inject deck", MAX_REFERENCE),
            )
        except ValueError as exc:
            fail(str(exc))
            return
        except ScenarioError as exc:
            fail(str(exc).splitlines()[0])
            return
        on_open(game, game.record.facilitator_code)

    with solara.Card("New game", margin=0, classes=["geosim-card"]):
        solara.Select("Scenario", names, scenario.value, on_value=pick)
        solara.InputText("Title (optional)", title, continuous_update=True)
        solara.InputText("Seats (Team=ISO3,ISO3;…; blank: no teams)", seats, continuous_update=True)
        with solara.Columns([1, 1], gutters_dense=True):
            solara.InputText("Months per turn (1–12)", months, continuous_update=True)
            solara.InputText("Seed (blank: the scenario's)", seed, continuous_update=True)
        solara.InputText(
            "Inject deck: a shipped name or a file (blank: the scenario's)",
            deck,
            continuous_update=True,
        )
        # Once per click: a double click must not start two games (the lobby has no revision).
        ActionButton("Start the game", create, 0, color="primary")
        about, text = failed.value
        if text and about == values:  # a message about other values would be stale
            Message("error", text)


@solara.component
def SavedGames(on_open: Callable[[Game, str], None]) -> None:
    """The saved games, newest first; one resumes with its facilitator's code.

    (The list is seen by whoever opens the lobby, teams included, so resuming as the
    facilitator asks for the code that ``geosim sessions`` prints on the server.)
    """
    records = lobby().saved()
    asking = solara.use_reactive("")
    code = solara.use_reactive("")
    error = solara.use_reactive("")
    guard = use_guard()

    def ask(game_id: str) -> None:
        asking.set(game_id)
        code.set("")
        error.set("")

    def open_it() -> None:
        record = next((r for r in records if r.id == asking.value), None)
        typed = code.value.strip().upper()
        if record is None or typed != record.facilitator_code:
            error.set("Facilitator code: not this game's (geosim sessions prints it)")
            return
        try:
            game = lobby().open(record.id)
        except ScenarioError as exc:  # held by another server, or no longer replays
            error.set(exc.problems[0].message)
            return
        on_open(game, typed)

    with solara.Card("Saved games", margin=0, classes=["geosim-card"]):
        if not records:
            solara.Text("No saved game yet.", classes=["geosim-hint"])
        for record in records[:12]:
            horizon = _horizon(record.base)
            seats = ", ".join(s.name for s in record.seats) or "no teams"
            with solara.Row(gap="8px", style="align-items: center"):
                solara.Button(
                    "Resume",
                    on_click=guard(lambda r=record: ask(r.id)),
                    text=True,
                    color="primary",
                )
                solara.Text(
                    f"{record.title} · month {record.month} of {horizon} · {seats} · {record.id}"
                )
            if asking.value == record.id:
                with solara.Row(gap="8px", style="align-items: center"):
                    solara.InputText(
                        "Facilitator code",
                        code,
                        continuous_update=True,
                        on_value=lambda _: error.set(""),
                    )
                    solara.Button(
                        "Open",
                        on_click=guard(open_it),
                        color="primary",
                        disabled=not code.value.strip(),
                    )
                if error.value:
                    Message("error", error.value)


def _whole(text: str, label: str, blank: int | None) -> int | None:
    """A whole number typed in a field, in plain decimal digits (blank: ``blank``)."""
    return plain_whole(text, label) if text.strip() else blank


def _horizon(base: str) -> str:
    for line in base.splitlines():
        if line.startswith("horizon:"):
            return line.split(":", 1)[1].strip()
    return "?"


@solara.component
def JoinGame(on_open: Callable[[Game, str], None]) -> None:
    """Join a game with a code."""
    code = solara.use_reactive("")
    failed = solara.use_reactive(("", ""))  # the code that opened nothing, and why
    guard = use_guard()

    def join() -> None:
        try:
            role = lobby().join(code.value)
        except ScenarioError as exc:  # held by another server, or no longer replays
            failed.set((code.value, exc.problems[0].message))
            return
        if role is None:
            shown = code.value.strip().upper()
            if len(shown) > MAX_CODE:
                shown = shown[:MAX_CODE] + "…"
            failed.set((code.value, f"Join code: no game has the code {shown}"))
            return
        on_open(role.game, code.value.strip().upper())

    with solara.Card("Join a game", margin=0, classes=["geosim-card"]):
        solara.InputText("Join code", code, continuous_update=True)
        solara.Button(
            "Join", on_click=guard(join), color="primary", disabled=not code.value.strip()
        )
        typed, why = failed.value
        if why and typed == code.value:
            Message("error", why)


@solara.component
def LobbyView(on_open: Callable[[Game, str], None], notice: str = "") -> None:
    """The lobby."""
    if notice:
        Message("warning", notice)
    default = os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    with solara.Columns([5, 4, 3], gutters_dense=True):
        NewGame(default, on_open)
        SavedGames(on_open)
        JoinGame(on_open)
