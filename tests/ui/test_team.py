"""A team's console in-process (solara.render, no browser)."""

from __future__ import annotations

import pytest
import solara
from rendered import button, field, html_of, messages, new_game, select

from sim.game.play import Game
from sim.scenario.moves import Move, MoveError
from sim.ui import facilitator
from sim.ui.team import TeamView

pytestmark = pytest.mark.usefixtures("no_polling")


@pytest.fixture
def game(tmp_path) -> Game:
    return new_game(tmp_path)


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
        chair, "geosim-log-month"
    )


def test_a_team_cannot_move_a_state_it_does_not_hold(game):
    with pytest.raises(MoveError, match="the Red team holds China, not the United States"):
        game.submit("Red", Move.new("exercises", actor="USA", partners=["PHL"]))


def test_a_rationale_longer_than_a_game_keeps_is_refused_not_sent(game):
    _, team = solara.render(TeamView(game, "Blue"), handle_error=False)
    field(team, "Rationale").v_model = "x" * 2_000_000
    button(team, "Submit move").click()
    assert messages(team) == "Rationale: at most 2,000 characters (this one has 2,000,000)"
    assert game.pending() == []
