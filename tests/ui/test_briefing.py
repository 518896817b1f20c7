"""Briefings, messages and the turn timer in the console, in-process (solara.render)."""

from __future__ import annotations

import html
import re

import ipyvuetify as v
import pytest
import solara
from rendered import button, field, html_of, messages, new_game, select

from sim.game.briefing import state_aim
from sim.game.play import Game
from sim.ui import facilitator
from sim.ui.briefing import BriefingPanel, deadline_ms
from sim.ui.team import TeamView

pytestmark = pytest.mark.usefixtures("no_polling")


def shown(rc, css_class: str) -> str:
    """The text of the elements with the class, as a reader sees it (no tags, no entities)."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_of(rc, css_class)))


@pytest.fixture
def game(tmp_path) -> Game:
    return new_game(tmp_path)


@solara.component
def Panel(game: Game) -> None:  # noqa: N802  (a component, named like a class)
    """The facilitator's panel, redrawn at each change as the facilitator's page redraws it."""
    revision, set_revision = solara.use_state(game.revision)
    BriefingPanel(game, max(revision, game.revision), lambda: set_revision(game.revision))


def test_a_team_page_opens_with_its_briefing(game):
    _, team = solara.render(TeamView(game, "Red"), handle_error=False)
    brief = shown(team, "geosim-briefing")
    assert "The question. Does the China–Philippines standoff at the shoal escalate" in brief
    assert "You hold China." in brief
    assert "Your objectives (a starting brief)" in brief and state_aim("CHN") in brief
    assert "What the numbers mean" in brief and "Regional tension" in brief


def test_the_facilitator_briefs_messages_and_times_the_teams(game):
    _, chair = solara.render(Panel(game), handle_error=False)
    field(chair, "Briefing to every team").v_model = "Ten minutes a turn."
    button(chair, "Save briefing").click()
    assert "Briefing saved." in messages(chair)
    select(chair, "Team").v_model = "Red"
    field(chair, "Objectives of the Red team").v_model = "Take the shoal\nAvoid a war"
    button(chair, "Save objectives").click()
    assert game.record.seat("Red").objectives == "Take the shoal\nAvoid a war"
    select(chair, "Message to").v_model = "Red"
    field(chair, "Message").v_model = "Red, two minutes"
    button(chair, "Send message").click()
    assert "Sent to the Red team." in messages(chair)
    field(chair, "Turn timer, minutes").v_model = "5"
    button(chair, "Start timer").click()
    assert game.record.deadline and deadline_ms(game.record.deadline) > 0

    _, red = solara.render(TeamView(game, "Red"), handle_error=False)
    brief = shown(red, "geosim-briefing")
    assert "Ten minutes a turn." in brief
    assert "Your objectives (set by the facilitator)" in brief and "Avoid a war" in brief
    assert "Red, two minutes" in shown(red, "geosim-messages")
    timers = [w for w in red.find(v.VuetifyTemplate).widgets if hasattr(w, "deadline_ms")]
    assert [w.deadline_ms for w in timers] == [deadline_ms(game.record.deadline)]
    _, blue = solara.render(TeamView(game, "Blue"), handle_error=False)
    assert "Red, two minutes" not in shown(blue, "geosim-messages")


def test_an_empty_message_cannot_be_sent(game):
    _, chair = solara.render(Panel(game), handle_error=False)
    assert button(chair, "Send message").disabled
    field(chair, "Turn timer, minutes").v_model = "many"
    button(chair, "Start timer").click()
    assert "Minutes" in messages(chair) and game.record.deadline == ""


def test_the_room_tab_holds_the_briefing_panel(game):
    _, rc = solara.render(facilitator.FacilitatorView(game), handle_error=False)
    assert not [w for w in rc.find(v.Textarea).widgets if str(w.label).startswith("Briefing")]
    rc.find(v.Tabs).widgets[0].v_model = facilitator.MAIN_TABS.index("Room")
    field(rc, "Briefing to every team").v_model = "Play fast."
    button(rc, "Save briefing").click()
    assert game.record.briefing == "Play fast."
