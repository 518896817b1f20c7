"""The facilitator's console in-process (solara.render, no browser)."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from rendered import button, field, html_of, messages, new_game, select

from sim.game.play import Game
from sim.game.record import load, session_path
from sim.scenario.moves import Move
from sim.ui import facilitator as app

pytestmark = pytest.mark.usefixtures("no_polling")


@pytest.fixture
def game(tmp_path) -> Game:
    return new_game(tmp_path)


def test_the_facilitator_advances_turns_and_every_action_is_saved(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    assert "0 of 36" in html_of(rc, "geosim-status")
    assert len(rc.find(ipywidgets.Image).widgets) == 4
    button(rc, "Advance 1 month").click()
    button(rc, "Advance 1 month").click()
    assert game.month == 2
    assert "2 of 36" in html_of(rc, "geosim-status")
    assert load(session_path(game.folder, game.id)).month == 2
    assert "Month 2" in html_of(rc, "geosim-log-month")


def test_an_inject_from_the_form_is_logged_as_the_facilitators_and_can_be_undone(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Inject")
    field(rc, "Rationale").v_model = "a coast-guard ramming"
    button(rc, "Inject now").click()
    assert "Injected: Incident between China and the Philippines" in messages(rc)
    log = html_of(rc, "geosim-log-month")
    assert "Facilitator inject: Incident between China and the Philippines" in log
    assert "a coast-guard ramming" in log and "incident_m0" not in log
    record = load(session_path(game.folder, game.id))
    assert [a.origin for a in record.actions] == ["facilitator"]
    button(rc, "Undo last").click()
    assert game.accepted() == []
    assert "Undone: Incident between China and the Philippines" in messages(rc)


def test_bad_values_give_one_plain_line_naming_the_field_and_disable_the_button(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Inject")
    select(rc, "Kind of move").v_model = "Exercises"
    field(rc, "Months").v_model = "-3"
    assert messages(rc) == "Months: 0 (until the game ends) or more, not -3"
    assert button(rc, "Inject now").disabled
    field(rc, "Months").v_model = "999"
    text = messages(rc)
    assert text.startswith("Months: at most 36") and "." not in text.split("(")[0]
    field(rc, "Months").v_model = "12"  # the message follows the value: no stale message
    assert messages(rc) == ""
    assert not button(rc, "Inject now").disabled
    field(rc, "Exercises a year").v_model = "lots"
    assert messages(rc) == (
        "Exercises a year: a number in plain decimal digits, such as 12 or 0.5, not 'lots'"
    )
    assert game.accepted() == []


def test_join_offers_only_alliances_that_take_members(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Inject")
    # The 2025 world's groupings (the Quad, the trilaterals) take members; treaties do not.
    assert "Join an alliance" in select(rc, "Kind of move").items
    assert "Leave an alliance" in select(rc, "Kind of move").items
    select(rc, "Kind of move").v_model = "Join an alliance"
    before = select(rc, "Alliance").items
    assert before and not any("bilateral treaty" in item for item in before)
    pact = Move.new("form_alliance", actor="USA", partners=["JPN", "PHL"])
    game.inject(pact)
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Inject")
    select(rc, "Kind of move").v_model = "Join an alliance"
    offered = select(rc, "Alliance").items
    assert len(offered) == len(before) + 1  # and the new pact, by its members
    assert any("US–Japan–Philippines collective-defence pact" in i for i in offered)
    assert "Vietnam" in select(rc, "Country").items
    select(rc, "Country").v_model = "Japan"  # members cannot join again
    assert not any("collective-defence pact" in i for i in select(rc, "Alliance").items)
    assert messages(rc) == ""


def test_the_deck_plays_a_card_with_its_rationale(tmp_path):
    game = Game.create("taiwan_strait_crisis", tmp_path / "sessions")
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Deck")
    button(rc, "Play card").click()
    [action] = game.accepted()
    assert action.origin == "deck" and action.card and action.rationale
    assert "Inject card:" in html_of(rc, "geosim-log-month")


def test_what_if_shows_futures_from_the_present_with_intervals(game):
    game.advance(3)
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[1].v_model = app.SIDE_TABS.index("Inject")
    slider = next(w for w in rc.find(v.Slider).widgets if str(w.label).startswith("Futures"))
    slider.v_model = 10
    button(rc, "What if?").click()
    text = "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)
    assert "What if, from month 3" in text and "95% interval" in text
    assert game.accepted() == []  # a what-if changes nothing
    # It explains itself: a headline first, each outcome read against its minimum meaningful
    # difference, and why the outcomes that did not move did not.
    headline = html_of(rc, "geosim-headline")
    assert headline.endswith(".") and headline.startswith(
        ("With the move, ", "No outcome clearly changes", "About unchanged on every outcome")
    ), headline
    assert "Reading" in text and ("about unchanged" in text or "rises" in text or "falls" in text)
    if "about unchanged" in text:
        assert "Why some outcomes did not move" in html_of(rc, "geosim-why")


def test_the_room_tab_lists_the_seats_and_their_codes(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[0].v_model = app.MAIN_TABS.index("Room")
    room = html_of(rc, "geosim-codes")
    for seat in game.record.seats:
        assert seat.code in room and seat.name in room
    assert game.record.facilitator_code in room


def test_the_export_tab_offers_the_report_and_a_scenario_under_its_own_name(game):
    game.advance(2)
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    rc.find(v.Tabs).widgets[0].v_model = app.MAIN_TABS.index("Report & export")
    links = {
        w.attributes["download"]
        for w in rc.find(solara.widgets.HTML).widgets
        if w.tag == "a" and "download" in (w.attributes or {})
    }
    name = game.export_name()
    assert {f"{name}.yaml", f"{name}.csv"} <= links and name != "scs_crisis"
    button(rc, "Prepare the after-action report").click()
    links = {
        w.attributes["download"]
        for w in rc.find(solara.widgets.HTML).widgets
        if w.tag == "a" and "download" in (w.attributes or {})
    }
    assert f"{name}_report.html" in links


def test_the_end_of_the_game_shows_a_banner_with_the_report(tmp_path):
    game = Game.create("scs_crisis", tmp_path / "sessions", turn_months=12)
    game.advance(36)
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    assert any(
        "The game has ended: month 36 of 36." in (w.unsafe_innerHTML or "")
        for w in rc.find(solara.widgets.HTML).widgets
    )
    assert button(rc, "Advance 12 months").disabled


def test_a_note_or_a_ruling_longer_than_a_game_keeps_is_refused_in_one_line(game):
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    field(rc, "Note for the report").v_model = "n" * 100_000
    button(rc, "Add note").click()
    assert messages(rc) == "Note: at most 2,000 characters (this one has 100,000)"
    assert game.record.notes == []
    game.submit("Blue", Move.new("exercises", partners=["PHL"]), "drill")
    _, rc = solara.render(app.FacilitatorView(game), handle_error=False)
    field(rc, "Ruling").v_model = "r" * 100_000
    button(rc, "Reject").click()
    assert "Ruling: at most 2,000 characters" in messages(rc)
    assert [a.status for a in load(session_path(game.folder, game.id)).actions] == ["pending"]
