"""Two real consoles on one sessions folder: one writer per game, nothing confirmed lost.

Two ``geosim dashboard`` processes on different ports of 127.0.0.1 share a sessions folder. The
first serves a game (with a room token); the second is refused it (on the command line with
``--resume``, and in the browser at the game's address) while the first plays on; every action
the first confirmed is in the session file; once the first is killed (``kill -9``), the second
takes the game over and plays on. Solara's ``/resourcez`` answers only with the room token, and
a dangling link in the folder is named in the second server's log, not shown as a traceback.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request

from served import SEATS, Seat, Server, free_port

from sim.game.record import load, session_path

TOKEN = "s3cret-room"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_second_server_is_refused_the_game_until_the_first_is_killed(browser, tmp_path):
    sessions = tmp_path / "sessions"
    first = Server(tmp_path, sessions, "--seats", SEATS, "--token", TOKEN).wait()
    second = None
    try:
        urls = first.addresses()
        chair_url = urls["Taiwan Strait crisis, facilitator"]
        game_id = re.search(r"game=([a-z0-9-]+)", chair_url).group(1)
        code = re.search(r"code=(\w+)", chair_url).group(1)

        # Solara's status endpoint answers only with the room token.
        assert _status(first.url + "resourcez") == 403
        assert _status(first.url + f"resourcez?token={TOKEN}") == 200

        # The first server plays: every confirmed action is saved.
        chair = Seat(browser, chair_url, tmp_path, "first_chair")
        blue = Seat(browser, urls["Blue team"], tmp_path, "first_blue")
        chair.at_month(0)
        blue.fill("Rationale", "reassure Tokyo")
        blue.click("Submit move")
        blue.message("Sent to the facilitator")
        chair.tab("Team moves")
        chair.page.locator(".geosim-move", has_text="reassure Tokyo").first.wait_for()
        chair.click("Accept")
        chair.page.locator(".geosim-move", has_text="reassure Tokyo").first.wait_for(
            state="detached"
        )

        # A second server on the same folder is refused the game on the command line ...
        resume = ["--sessions", str(sessions), "--port", str(free_port()), "--resume", game_id]
        refused = subprocess.run(
            [sys.executable, "-m", "sim", "dashboard", *resume],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert f"game {game_id} is held by another geosim server" in refused.stderr
        assert f"http://127.0.0.1:{first.port}/" in refused.stderr
        assert "Traceback" not in refused.stdout + refused.stderr

        # ... and in the browser, at the game's address; a bad entry of the folder is skipped.
        (sessions / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
        second = Server(tmp_path, sessions).wait()
        intruder = Seat(browser, second.url + f"?game={game_id}&code={code}", tmp_path, "second")
        intruder.message("is held by another geosim server")
        intruder.message(f"http://127.0.0.1:{first.port}/")
        assert game_id in intruder.page.inner_text("body")  # the lobby lists it all the same

        # The first plays on, undisturbed: a card and a month.
        chair.tab("Deck")
        chair.click("Play card")
        chair.message("Card played")
        chair.click("Advance 1 month")
        for seat in (chair, blue):
            seat.at_month(1)
        saved = load(session_path(sessions, game_id))
        assert saved.month == 1
        assert [(a.origin, a.status) for a in saved.actions] == [
            ("team", "accepted"),
            ("deck", "accepted"),
        ]
        assert len({a.id for a in saved.actions}) == 2

        # The first server dies; the second takes the game over where it was.
        first.stop(kill=True)
        intruder.page.goto(second.url + f"?game={game_id}&code={code}")
        intruder.at_month(1, timeout=60_000)
        intruder.click("Advance 1 month")
        intruder.at_month(2)
        again = load(session_path(sessions, game_id))
        assert again.month == 2 and again.actions == saved.actions

        for seat in (chair, blue, intruder):
            assert seat.external == [] and seat.errors == []
        log = second.log.read_text()
        assert "dangling.yaml: skipped: a broken symbolic link" in log
        assert "Traceback" not in log and "Traceback" not in intruder.page.inner_text("body")
    finally:
        first.stop()
        if second is not None:
            second.stop()
