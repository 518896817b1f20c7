"""Safe clicks in Debian's Chromium: a double click acts once; an outage is shown, nothing lost.

Every action of a facilitator and a team is double-clicked (and clicked twice 250 ms apart, by
raw mouse events that do not wait for the button), and the session file, the game's own record,
is read to count what was done. Then the server is frozen (SIGSTOP: it looks alive to the
socket, as a hung or unplugged server does): the pages say so in a banner and turn their
buttons off; when it answers again (SIGCONT) the banner goes, nothing clicked during the outage
was done, and the game goes on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest
from served import Seat, Server

from sim.game.record import GameRecord, load
from sim.game.sessions import saved_games

SEATS = "Blue=JPN,TWN;Red=CHN"


def _button(seat: Seat, name: str):
    return seat.button(name)


def _double(seat: Seat, name: str) -> None:
    seat.double(name)


def _twice(seat: Seat, name: str, apart_ms: int = 250) -> None:
    """Two clicks ``apart_ms`` apart as raw mouse events (they do not wait for the button)."""
    box = _button(seat, name).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    seat.page.mouse.click(x, y)
    seat.page.wait_for_timeout(apart_ms)
    seat.page.mouse.click(x, y)
    seat.settled(name)


def _record(sessions) -> GameRecord:
    [record] = saved_games(sessions)
    return load(sessions / f"{record.id}.yaml")


def test_double_clicks_act_once_and_an_outage_is_shown(browser, tmp_path):
    sessions = tmp_path / "sessions"
    server = Server(tmp_path, sessions, "--seats", SEATS).wait()
    try:
        urls = server.addresses()
        chair = Seat(browser, urls["Taiwan Strait crisis, facilitator"], tmp_path, "facilitator")
        blue = Seat(browser, urls["Blue team"], tmp_path, "blue")
        assert chair.month() == 0 and blue.month() == 0

        # Advance: a double click plays one month; two clicks 250 ms apart play one month.
        _double(chair, "Advance 1 month")
        chair.at_month(1)
        assert _record(sessions).month == 1
        _twice(chair, "Advance 1 month")
        chair.at_month(2)
        assert _record(sessions).month == 2, "two clicks 250 ms apart played two months"

        # A team's move, double-clicked: sent once, with its rationale.
        blue.fill("Rationale", "reassure Tokyo")
        _double(blue, "Submit move")
        blue.message("Sent to the facilitator")
        sent = [a for a in _record(sessions).actions if a.origin == "team"]
        assert [a.rationale for a in sent] == ["reassure Tokyo"]

        # The facilitator's ruling, double-clicked: one ruling.
        chair.tab("Team moves")
        chair.page.locator(".geosim-move", has_text="reassure Tokyo").first.wait_for()
        _double(chair, "Accept")
        assert [a.status for a in _record(sessions).actions] == ["accepted"]

        # An inject and a card, double-clicked: one each.
        chair.tab("Inject", shows="text=Inject now")
        chair.fill("Rationale", "a test inject")
        _double(chair, "Inject now")
        chair.message("Injected")
        chair.tab("Deck", shows="text=Play card")
        _double(chair, "Play card")
        chair.message("Card played")
        origins = [a.origin for a in _record(sessions).actions]
        assert origins == ["team", "facilitator", "deck"], origins

        # Undo, double-clicked: the card only.
        _double(chair, "Undo last")
        chair.message("Undone")
        origins = [a.origin for a in _record(sessions).actions if a.status == "accepted"]
        assert origins == ["team", "facilitator"], origins

        # A note, double-clicked: kept once.
        chair.fill("Note for the report", "one note")
        _button(chair, "Add note").dblclick()
        chair.message("Note kept")
        time.sleep(1.5)
        assert [n.text for n in _record(sessions).notes] == ["one note"]

        # The outage: the server freezes. Each page says so and turns its buttons off; a click
        # during it does nothing, visibly; when the server answers again, nothing was lost.
        before = _record(sessions)
        os.killpg(server.process.pid, signal.SIGSTOP)
        try:
            for seat in (chair, blue):
                seat.page.locator(".geosim-offline-banner").wait_for(timeout=30_000)
            assert (
                "No word from the game server"
                in chair.page.locator(".geosim-offline-banner").inner_text()
            )
            advance = _button(chair, "Advance 1 month")
            assert advance.is_disabled()
            assert _button(blue, "Submit move").is_disabled()
            box = advance.bounding_box()
            chair.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            chair.shot("outage")
        finally:
            os.killpg(server.process.pid, signal.SIGCONT)
        for seat in (chair, blue):
            seat.page.locator(".geosim-offline-banner").wait_for(state="detached", timeout=30_000)
        time.sleep(1.5)
        after = _record(sessions)
        assert after.month == before.month == 2, "a click during the outage was acted on"
        assert after.actions == before.actions
        _button(chair, "Advance 1 month").click()
        chair.at_month(3)
        blue.at_month(3)

        for seat in (chair, blue):
            assert seat.errors == [], "no script errors in the page"
            assert seat.external == [], "the console must not leave 127.0.0.1"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGCONT)
        server.stop()


@pytest.mark.parametrize("data", [None, "7", True, -1, 2.5, [3]])
def test_a_press_that_names_no_revision_is_refused(data):
    from sim.ui.actions import seen_revision

    assert seen_revision(data) is None


def test_a_press_names_the_revision_its_page_showed():
    from sim.ui.actions import seen_revision

    assert seen_revision(7) == 7
    assert seen_revision(0) == 0
    assert seen_revision(3.0) == 3


def test_a_view_old_only_by_the_pages_own_changes_is_the_present_one():
    from sim.ui.actions import OwnChanges

    own = OwnChanges()
    own.made(3, 4)  # this page played a card (3 → 4), then advanced (4 → 5)
    own.made(4, 5)
    assert own.present(3, 5) == 5 and own.present(4, 5) == 5 and own.present(5, 5) == 5
    assert own.present(2, 5) == 2  # 2 → 3 was someone else's change: stale
    own.made(6, 7)  # 5 → 6 by another browser, then this page's 6 → 7
    assert own.present(4, 7) == 4  # the walk stops at 5: another's change lies between
    assert own.present(6, 7) == 7
    own.made(7, 7)  # a press that changed nothing is no change
    assert 7 not in own.moves
