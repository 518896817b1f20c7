"""A team's console in-process (solara.render, no browser)."""

from __future__ import annotations

import html

import ipyvuetify as v
import pytest
import solara

from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move, MoveError
from sim.ui import facilitator
from sim.ui.team import TeamView

pytestmark = pytest.mark.usefixtures("no_polling")

SEATS = [Seat(name="Blue", countries=["USA", "JPN", "PHL"]), Seat(name="Red", countries=["CHN"])]


@pytest.fixture
def game(tmp_path) -> Game:
    return Game.create("scs_crisis", tmp_path / "sessions", seats=SEATS)


def button(rc, label: str) -> v.Btn:
    return rc.find(v.Btn, children=[label]).widget


def field(rc, label: str):
    found = [w for w in rc.find(v.TextField).widgets if str(w.label).startswith(label)]
    assert found, f"no field {label!r}"
    return found[0]


def select(rc, label: str):
    found = [
        w
        for w in rc.find(v.Select).widgets + rc.find(v.Autocomplete).widgets
        if str(w.label) == label
    ]
    assert found, f"no select {label!r}"
    return found[0]


def html_of(rc, css_class: str) -> str:
    found = [
        w.unsafe_innerHTML or ""
        for w in rc.find(solara.widgets.HTML).widgets
        if css_class in (w.attributes or {}).get("class", "").split()
    ]
    return "\n".join(found)


def messages(rc) -> str:
    return html.unescape(html_of(rc, "geosim-message"))


def test_a_team_move_is_submitted_ruled_on_and_logged_as_the_teams(game):
    _, team = solara.render(TeamView(game, "Blue"), handle_error=False)
    assert select(team, "Actor").items == ["United States", "Japan", "Philippines"]
    field(team, "Rationale").v_model = "reassure Manila"
    button(team, "Submit move").click()
    assert "Sent to the facilitator" in messages(team)
    [pending] = game.pending()
    assert pending.seat == "Blue" and pending.rationale == "reassure Manila"

    _, chair = solara.render(facilitator.FacilitatorView(game), handle_error=False)
    button(chair, "Accept").click()
    assert game.pending() == [] and game.accepted()[0].origin == "team"
    assert "Blue team move: The United States holds 4 exercises a year" in html_of(
        chair, "geosim-log"
    )


def test_a_team_cannot_move_a_state_it_does_not_hold(game):
    with pytest.raises(MoveError, match="the Red team holds China, not the United States"):
        game.submit("Red", Move.new("exercises", actor="USA", partners=["PHL"]))
