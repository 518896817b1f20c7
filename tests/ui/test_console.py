"""The wargame console served for real and played in Debian's Chromium through Playwright.

One facilitator and two teams (three browser contexts) play six turns of the Taiwan Strait
crisis with moves; the facilitator reloads mid-game; the server is killed and restarted with
``--resume`` and the game goes on where it stopped; the facilitator reads a computer player's
move with its reason and overrules it; a team asks what the model would do for it; a "what
if?" runs from the present; bad form input is refused in plain words; the export, the
overrule under ``moves:``, is replayed by ``geosim run``. Screenshots go
to tests/artifacts/ when GEOSIM_ARTIFACTS is set.
"""

from __future__ import annotations

import io
import os
import re
import signal

import numpy as np
import pandas as pd
from click.testing import CliRunner
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from served import Seat, Server

from sim.cli import main
from sim.game.record import load
from sim.game.sessions import saved_games

#: The teams: the United States is left to its decision rule, which moves within the game (it
#: cuts a small assistance programme in month 16: the calibrated inducement pull makes such a
#: programme buy little), so the facilitator has a computer move to read and overrule.
SEATS = "Blue=JPN,TWN;Red=CHN"


def _shows(locator, timeout: float = 3_000) -> bool:
    """Whether ``locator`` shows within ``timeout`` ms."""
    try:
        locator.first.wait_for(timeout=timeout)
    except PlaywrightTimeoutError:
        return False
    return True


def _team_move(seat: Seat, kind: str | None, rationale: str) -> None:
    if kind:
        seat.choose("Kind of move", kind)
    seat.fill("Rationale", rationale)
    seat.double("Submit move")  # double-clicked: sent once (checked in the session file)
    seat.message("Sent to the facilitator")


def _outage(server: Server, seats: tuple[Seat, ...]) -> None:
    """Freeze the server: every page says so and turns its buttons off; then thaw it."""
    os.killpg(server.process.pid, signal.SIGSTOP)
    try:
        for seat in seats:
            seat.page.locator(".geosim-offline-banner").wait_for(timeout=30_000)
            assert seat.page.get_by_role(
                "button", name=re.compile("Advance|Submit")
            ).first.is_disabled()
        seats[0].shot("outage")
    finally:
        os.killpg(server.process.pid, signal.SIGCONT)
    for seat in seats:
        seat.page.locator(".geosim-offline-banner").wait_for(state="detached", timeout=30_000)


def test_a_facilitator_and_two_teams_play_six_turns_through_reload_and_restart(browser, tmp_path):
    sessions = tmp_path / "sessions"
    server = Server(tmp_path, sessions, "--seats", SEATS).wait()
    try:
        urls = server.addresses()
        chair = Seat(browser, urls["Taiwan Strait crisis, facilitator"], tmp_path, "facilitator")
        blue = Seat(browser, urls["Blue team"], tmp_path, "blue")
        red = Seat(browser, urls["Red team"], tmp_path, "red")
        for seat in (chair, blue, red):
            assert seat.month() == 0
        chair.shot("0_start")
        blue.shot("0_start")

        # Bad input on a team's form: one plain line, and the move cannot be sent.
        blue.choose("Kind of move", "Exercises")
        blue.fill("Months", "-3")
        blue.message("Months: 0 (until the game ends) or more, not -3")
        assert blue.page.get_by_role("button", name="Submit move").is_disabled()
        blue.fill("Months", "999")
        blue.message("Months: at most 36")
        blue.shot("1_bad_input")
        blue.fill("Months", "12")
        blue.page.locator(".geosim-message.error").wait_for(state="detached", timeout=10_000)

        moves = [
            ("Blue", None, "reassure Manila and Tokyo"),
            ("Red", "Gray-zone pressure", "test the new government"),
            ("Blue", "Deconfliction channel", "keep the channel open"),
            ("Red", "Economic coercion", "squeeze trade"),
            ("Blue", "Assistance funding", "train the coast guard"),
            ("Red", "Dialogue", "offer talks"),
        ]
        for turn in range(6):
            team, kind, why = moves[turn]
            seat = blue if team == "Blue" else red
            _team_move(seat, kind, why)
            chair.tab("Team moves")
            chair.page.locator(".geosim-move", has_text=why).first.wait_for(timeout=20_000)
            if turn == 3:
                chair.fill("Ruling", "not this turn")
                chair.double("Reject")
            else:
                chair.double("Accept")
            # the ruling is on the page before the next click (a click on an older view of the
            # game does nothing: see test_an_action_on_an_old_view_of_the_game_does_nothing)
            chair.page.locator(".geosim-move", has_text=why).first.wait_for(state="detached")
            if turn == 1:  # a facilitator inject and a deck card, marked as theirs
                chair.tab("Deck")
                chair.click("Play card")
                chair.message("Card played")
            chair.double("Advance 1 month")  # one month, however many clicks
            for each in (chair, blue, red):
                each.at_month(turn + 1)
            assert load(sessions / f"{saved_games(sessions)[0].id}.yaml").month == turn + 1
            if turn == 4:  # the server hangs a while: shown everywhere, nothing lost
                _outage(server, (chair, blue, red))
            if turn == 2:  # a reload mid-game resumes the same game
                before = chair.status()
                chair.page.reload()
                chair.at_month(3)
                assert chair.status() == before
                chair.log("Blue team move")
                chair.shot("2_after_reload")
        chair.log("Red team move: China steps up gray-zone pressure")
        chair.log("Inject card:")
        # the team sees its ruling
        red.page.locator("td", has_text="rejected: not this turn").first.wait_for(timeout=20_000)
        chair.shot("3_six_turns")
        blue.shot("3_six_turns")
        red.shot("3_six_turns")
        for width, height in ((1024, 768), (1920, 1080)):  # as docs/wargame.md shows them
            for seat in (chair, red):
                seat.page.set_viewport_size({"width": width, "height": height})
                seat.page.wait_for_timeout(2_500)  # the charts are drawn for the new width
                seat.shot(f"width_{width}")
            chair.page.set_viewport_size({"width": 1366, "height": 768})
            red.page.set_viewport_size({"width": 1366, "height": 768})
        status_before = chair.status()

        # The server dies; it comes back with --resume and every seat goes on.
        [record] = saved_games(sessions)
        chair.page.evaluate("window.geosimBeforeRestart = true")
        server.stop(kill=True)
        server = Server(tmp_path, sessions, "--resume", record.id, port=server.port).wait()
        again = server.addresses()
        assert again["Blue team"] == blue.url and again["Red team"] == red.url
        # the open page reloads itself (a new page has no marker) and resumes the game
        chair.page.wait_for_function("() => !window.geosimBeforeRestart", timeout=90_000)
        chair.at_month(6, timeout=60_000)
        for seat in (blue, red):
            seat.page.goto(seat.url)
            seat.at_month(6, timeout=60_000)
        assert chair.status() == status_before
        chair.shot("4_resumed")

        # A computer player's move, with the reason its rule gives; the facilitator overrules it.
        # The rule moves when a move is worth it: play on, a month at a time, until one has.
        chair.tab("Computer", shows=".geosim-players")
        computer = chair.page.locator(".geosim-computer", has_text="weighed most").filter(
            has=chair.page.get_by_role("button", name="Overrule")
        )
        month = 6  # the page can lag a busy server: give each month its time to show a move
        while not _shows(computer, timeout=10_000) and month < 30:
            chair.click("Advance 1 month")
            month += 1
            chair.at_month(month)
        computer.first.wait_for(timeout=20_000)
        computer.first.get_by_role("button", name="Overrule").click()
        chair.message("Overruled: overrules the computer")
        chair.log("Facilitator inject: overrules the computer")
        chair.log("Computer: ")
        chair.shot("5_computer")
        # What would the model do for us? China's moves, ranked, with their terms.
        red.click("Ask the model")
        red.page.locator(".geosim-advice", has_text="ΔU").first.wait_for(timeout=60_000)
        assert "China " in red.page.locator(".geosim-advice").first.inner_text()
        red.shot("5_advice")
        chair.click("Advance 1 month")
        month += 1
        for seat in (chair, blue, red):
            seat.at_month(month)

        # What if, from the present.
        chair.tab("Inject")
        chair.choose("Kind of move", "Deconfliction channel")
        chair.page.locator(".v-slider").first.wait_for()
        chair.click("What if?")
        chair.page.get_by_text(f"What if, from month {month}").first.wait_for(timeout=60_000)
        assert "95% interval" in chair.page.locator(".geosim-table").first.inner_text()
        chair.shot("6_what_if")

        # Export; geosim run of the export replays the game.
        chair.tab("Report & export")
        scenario_yaml = chair.download("Scenario YAML")
        numbers = pd.read_csv(io.StringIO(chair.download("Game numbers (CSV)")))
        chair.click("Prepare the after-action report")
        report = chair.download("After-action report")
        chair.shot("7_export")
        assert f"Play stopped at month {month} of 36." in report  # month ≤ 31: not the end
        assert list(numbers["step"]) == list(range(month + 1))
        assert f"name: taiwan_strait_crisis_{record.id}" in scenario_yaml
        assert "Blue team" in scenario_yaml and "Red team" in scenario_yaml
        assert "kind: overrule" in scenario_yaml  # the overrule is a move of the export

        for seat in (chair, blue, red):
            assert seat.external == [], "the console must not leave 127.0.0.1"
            assert seat.errors == [], "no script errors in the page"
        assert "Could not load URL" not in server.log.read_text()
    finally:
        server.stop()

    saved = load(sessions / f"{record.id}.yaml")
    origins = [(a.origin, a.status) for a in saved.actions]
    assert origins.count(("team", "accepted")) == 5 and ("team", "rejected") in origins
    assert ("deck", "accepted") in origins
    assert [a.move["kind"] for a in saved.actions if a.origin == "facilitator"] == ["overrule"]

    exported = tmp_path / "game.yaml"
    exported.write_text(scenario_yaml, encoding="utf-8")
    out = tmp_path / "rerun"
    result = CliRunner().invoke(main, ["run", str(exported), "-n", "1", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rerun = pd.read_csv(out / "model.csv").iloc[: len(numbers)]
    for column in ("regional_tension", "us_credibility", "max_escalation", "hedgers"):
        np.testing.assert_allclose(
            rerun[column], numbers[column], rtol=1e-5, atol=1e-9
        )  # model.csv: 6 digits
