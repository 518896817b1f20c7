"""The wargame console served for real and played in Debian's Chromium through Playwright.

One facilitator and two teams (three browser contexts) play six turns of the Taiwan Strait
crisis with moves; the facilitator reloads mid-game; the server is killed and restarted with
``--resume`` and the game goes on where it stopped; a "what if?" runs from the present; bad
form input is refused in plain words; the export is replayed by ``geosim run``. Screenshots go
to tests/artifacts/ when GEOSIM_ARTIFACTS is set.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ARTIFACTS

from sim.cli import main
from sim.game.record import load, saved_games

SEATS = "Blue=USA,JPN,TWN;Red=CHN"
#: Months in the scenario played.
HORIZON = 36


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``geosim dashboard`` in a subprocess on 127.0.0.1, with its printed addresses."""

    def __init__(self, folder: Path, sessions: Path, *extra: str, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.log = folder / f"server-{self.port}.log"
        command = [
            sys.executable,
            "-m",
            "sim",
            "dashboard",
            "taiwan_strait_crisis",
            "--sessions",
            str(sessions),
            "--port",
            str(self.port),
            *extra,
        ]
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait(self, timeout: float = 120) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the console server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        pytest.fail(f"the console did not answer within {timeout} s:\n{self.log.read_text()}")

    def addresses(self) -> dict[str, str]:
        """Label → address, as the server printed them."""
        found = {}
        for line in self.log.read_text().splitlines():
            match = re.match(r"\s+(.+?)(?: \(code \w+\))?: (http://\S+)$", line)
            if match:
                found[match.group(1)] = match.group(2)
        return found

    def stop(self, kill: bool = False) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Seat:
    """One browser context at the table (1366 × 768), recording script errors and off-host calls."""

    def __init__(self, browser, url: str, folder: Path, name: str) -> None:
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768}, accept_downloads=True
        )
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.folder, self.name, self.url = folder, name, url
        self.page.goto(url, wait_until="commit")

    def _only_local(self, route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:  # the console must work offline
            self.external.append(url)
            route.abort()

    def month(self, timeout: float = 60_000) -> int:
        value = self.page.locator(".geosim-status .value").first
        value.wait_for(timeout=timeout)
        return int(value.inner_text().split()[0])

    def at_month(self, month: int, timeout: float = 30_000) -> None:
        self.page.locator(".geosim-status .value", has_text=f"{month} of {HORIZON}").first.wait_for(
            timeout=timeout
        )

    def status(self) -> list[str]:
        return self.page.locator(".geosim-status .value").all_inner_texts()

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).first.click()

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=re.compile(f"^{re.escape(name)}")).first.click()

    def choose(self, label: str, option: str) -> None:
        """Pick an option of a select (its list is virtual: scroll until the option shows)."""
        self.page.locator(".v-select", has_text=label).first.click()
        items = self.page.locator(".v-overlay .v-list-item", has_text=option)
        listing = self.page.locator(".v-overlay .v-list").first
        listing.wait_for(timeout=10_000)
        listing.evaluate("el => { el.scrollTop = 0; }")
        for _ in range(40):
            if items.count():
                items.first.click()
                return
            listing.evaluate("el => { el.scrollTop += 120; }")
            self.page.wait_for_timeout(100)
        pytest.fail(f"no option {option!r} in {label!r}")

    def fill(self, label: str, text: str) -> None:
        box = self.page.get_by_label(label, exact=False).first
        box.fill(text)

    def message(self, text: str, timeout: float = 20_000) -> None:
        self.page.locator(".geosim-message", has_text=text).first.wait_for(timeout=timeout)

    def log(self, text: str, timeout: float = 20_000) -> None:
        self.page.locator(".geosim-log", has_text=text).first.wait_for(timeout=timeout)

    def download(self, label: str) -> str:
        with self.page.expect_download(timeout=60_000) as download:
            self.page.locator("a.geosim-download", has_text=label).first.click()
        return Path(download.value.path()).read_text(encoding="utf-8")

    def shot(self, stem: str) -> None:
        png = self.page.screenshot()
        (self.folder / f"{self.name}_{stem}.png").write_bytes(png)
        if os.environ.get("GEOSIM_ARTIFACTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"console_{self.name}_{stem}.png").write_bytes(png)


def _team_move(seat: Seat, kind: str | None, rationale: str) -> None:
    if kind:
        seat.choose("Kind of move", kind)
    seat.fill("Rationale", rationale)
    seat.click("Submit move")
    seat.message("Sent to the facilitator")


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
                chair.click("Reject")
            else:
                chair.click("Accept")
            # the ruling is on the page before the next click (a click on an older view of the
            # game does nothing: see test_an_action_on_an_old_view_of_the_game_does_nothing)
            chair.page.locator(".geosim-move", has_text=why).first.wait_for(state="detached")
            if turn == 1:  # a facilitator inject and a deck card, marked as theirs
                chair.tab("Deck")
                chair.click("Play card")
                chair.message("Card played")
            chair.click("Advance 1 month")
            for each in (chair, blue, red):
                each.at_month(turn + 1)
            if turn == 2:  # a reload mid-game resumes the same game
                before = chair.status()
                chair.page.reload()
                chair.at_month(3)
                assert chair.status() == before
                chair.log("Blue team move")
                chair.shot("2_after_reload")
        chair.log("Red team move: China steps up gray-zone pressure")
        chair.log("Inject card:")
        red.page.locator(
            "td", has_text="rejected: not this turn"
        )  # the team sees its ruling.first.wait_for(timeout=20_000)
        chair.shot("3_six_turns")
        blue.shot("3_six_turns")
        red.shot("3_six_turns")
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

        # What if, from the present.
        chair.tab("Inject")
        chair.choose("Kind of move", "Deconfliction channel")
        chair.page.locator(".v-slider").first.wait_for()
        chair.click("What if?")
        chair.page.get_by_text("What if, from month 6").first.wait_for(timeout=60_000)
        assert "95% interval" in chair.page.locator(".geosim-table").first.inner_text()
        chair.shot("5_what_if")

        # Export; geosim run of the export replays the game.
        chair.tab("Report & export")
        scenario_yaml = chair.download("Scenario YAML")
        numbers = pd.read_csv(io.StringIO(chair.download("Game numbers (CSV)")))
        chair.click("Prepare the after-action report")
        report = chair.download("After-action report")
        chair.shot("6_export")
        assert "Play stopped at month 6" in report or "month 6" in report
        assert list(numbers["step"]) == list(range(7))
        assert f"name: taiwan_strait_crisis_{record.id}" in scenario_yaml
        assert "Blue team" in scenario_yaml and "Red team" in scenario_yaml

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
