"""The lobby: start a game, resume a saved one, or join one with a code; and the room token."""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import os
from collections.abc import Callable

import solara

from sim.game.play import Game
from sim.game.rooms import SeatError, parse_seats
from sim.scenario.loader import shipped_scenarios
from sim.scenario.problems import ScenarioError
from sim.ui.shared import lobby
from sim.ui.widgets import Message

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
    title = solara.use_reactive("")
    error = solara.use_reactive("")

    def pick(name: str) -> None:
        scenario.set(name)
        seats.set(SCENARIO_SEATS.get(name, GENERIC_SEATS))

    def create() -> None:
        try:
            parsed = parse_seats(seats.value)
            turn = int(months.value.strip() or "1")
            if not 1 <= turn <= 12:
                raise SeatError("Months per turn: from 1 to 12")
            base_seed = int(seed.value) if seed.value.strip() else None
            if base_seed is not None and base_seed < 0:
                raise SeatError("Seed: a whole number of 0 or more")
            game = lobby().create(
                scenario.value, parsed, seed=base_seed, turn_months=turn, title=title.value
            )
        except ValueError as exc:
            text = str(exc)
            if "invalid literal" in text:
                text = "Months per turn and seed: whole numbers"
            error.set(text)
            return
        except ScenarioError as exc:
            error.set(str(exc).splitlines()[0])
            return
        on_open(game, game.record.facilitator_code)

    with solara.Card("New game", margin=0, classes=["geosim-card"]):
        solara.Select("Scenario", names, scenario.value, on_value=pick)
        solara.InputText("Title (optional)", title, continuous_update=True)
        solara.InputText("Seats (Team=ISO3,ISO3;…; blank: no teams)", seats, continuous_update=True)
        with solara.Columns([1, 1], gutters_dense=True):
            solara.InputText("Months per turn (1–12)", months, continuous_update=True)
            solara.InputText("Seed (blank: the scenario's)", seed, continuous_update=True)
        solara.Button("Start the game", on_click=create, color="primary")
        if error.value:
            Message("error", error.value)


@solara.component
def SavedGames(on_open: Callable[[Game, str], None]) -> None:
    """The saved games, newest first, to resume as facilitator."""
    records = lobby().saved()
    with solara.Card("Saved games", margin=0, classes=["geosim-card"]):
        if not records:
            solara.Text("No saved game yet.", classes=["geosim-hint"])
        for record in records[:12]:
            horizon = _horizon(record.base)
            seats = ", ".join(s.name for s in record.seats) or "no teams"
            with solara.Row(gap="8px", style="align-items: center"):
                solara.Button(
                    "Resume",
                    on_click=lambda r=record: on_open(lobby().open(r.id), r.facilitator_code),
                    text=True,
                    color="primary",
                )
                solara.Text(
                    f"{record.title} · month {record.month} of {horizon} · {seats} · {record.id}"
                )


def _horizon(base: str) -> str:
    for line in base.splitlines():
        if line.startswith("horizon:"):
            return line.split(":", 1)[1].strip()
    return "?"


@solara.component
def JoinGame(on_open: Callable[[Game, str], None]) -> None:
    """Join a game with a code."""
    code = solara.use_reactive("")
    error = solara.use_reactive("")

    def join() -> None:
        role = lobby().join(code.value)
        if role is None:
            error.set(f"Join code: no game has the code {code.value.strip().upper()!r}")
            return
        on_open(role.game, code.value.strip().upper())

    with solara.Card("Join a game", margin=0, classes=["geosim-card"]):
        solara.InputText("Join code", code, continuous_update=True)
        solara.Button("Join", on_click=join, color="primary", disabled=not code.value.strip())
        if error.value:
            Message("error", error.value)


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
