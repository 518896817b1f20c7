"""Computer players in the console, in-process (solara.render, no browser)."""

from __future__ import annotations

import re

import ipyvuetify as v
import pytest
import solara
from rendered import button, html_of, messages, page_text, select

from sim.game.play import Game, _decision_words
from sim.game.record import Seat
from sim.outputs.narrative import decision_text
from sim.ui import facilitator as app
from sim.ui.computer import AdvicePanel
from sim.ui.team import TeamView

pytestmark = pytest.mark.usefixtures("no_polling")


@pytest.fixture
def game(tmp_path) -> Game:
    """The Taiwan crisis with China held: a computer player moves in the first months."""
    seats = [Seat(name="Red", countries=["CHN"])]
    return Game.create("taiwan_strait_crisis", tmp_path / "sessions", seats=seats)


def _computer_tab(rc) -> None:
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Computer")


def test_the_facilitator_sees_a_computer_move_with_its_reason_and_overrules_it(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    _computer_tab(rc)
    assert "Played by their decision rule: United States, Japan, South Korea" in page_text(rc)
    for _ in range(24):  # until a computer player moves
        game.advance(1)
        if game.computer_moves():
            break
    [move] = game.computer_moves()
    said = decision_text(move.record, reason=False)  # e.g. "The United States cuts … (-0.03)"
    words = _decision_words(move.record)  # the same mid-sentence: "the United States cuts …"
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    _computer_tab(rc)
    told = f"Month {move.record.step - 1}: {said}: "
    assert told in page_text(rc).replace('<span class="who">', "").replace("</span>", "")
    assert f"Computer: {said}" in html_of(rc, "geosim-log-month")
    button(rc, "Overrule").click()
    assert messages(rc).startswith(f"Overruled: overrules the computer: {words}")
    assert [a.move["kind"] for a in game.accepted()] == ["overrule"]
    assert "Overruled by the facilitator." in page_text(rc)


def test_a_state_is_given_its_script_before_the_first_month(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    _computer_tab(rc)
    select(rc, "Give their script (before the first month)").v_model = ["Australia"]
    assert game.record.scripted == ["AUS"]
    assert "On their script: Australia" in messages(rc)


def test_a_team_asks_what_the_model_would_do_and_sees_its_moves_ranked(game):
    game.advance(3)
    _, rc = solara.render(TeamView(game, "Red"), handle_error=False)
    button(rc, "Ask the model").click()
    table = html_of(rc, "geosim-advice")
    assert "<th>ΔU</th>" in table and "China " in table and "Escalation" in table
    assert "(menu: " in table  # a move a team can make names its place on the console's menu
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in table.split("<tr>")[2:]]
    gains = [float(cells[1]) for cells in rows]
    assert gains == sorted(gains, reverse=True)  # best first
    _, alone = solara.render(AdvicePanel(game, "Green", game.revision), handle_error=False)
    button(alone, "Ask the model").click()
    assert "no team called 'Green'" in messages(alone)
