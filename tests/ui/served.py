"""Served consoles for the browser tests: ``geosim dashboard`` in a subprocess, and a browser seat.

:class:`Server` starts the console on a free port of 127.0.0.1 and reads the addresses it
prints; :class:`Seat` is one browser context at the table (Debian's Chromium through
Playwright, the ``browser`` fixture of tests/conftest.py), which records script errors and any
call that leaves 127.0.0.1.
"""

from __future__ import annotations

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

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

SEATS = "Blue=USA,JPN,TWN;Red=CHN"
#: Months in the scenario played.
HORIZON = 36


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``geosim dashboard`` in a subprocess on 127.0.0.1, with its printed addresses."""

    def __init__(self, folder: Path, sessions: Path, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
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

    def button(self, name: str):
        """The first button called ``name`` (its label, exactly)."""
        return self.page.get_by_role("button", name=name, exact=True).first

    def settled(self, name: str, timeout: float = 60) -> None:
        """Wait until an action button is on again, or gone (a ruled move's): answered.

        Then a second press, had one been sent, has reached the server (a second).
        """
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, f"{name!r} stayed off"
            buttons = self.page.get_by_role("button", name=name, exact=True)
            if not buttons.count():
                break
            # found afresh each time: a redraw may replace the element, or remove it
            try:
                busy = buttons.first.evaluate(
                    "el => el.disabled || el.classList.contains('v-btn--loading')", timeout=2_000
                )
            except PlaywrightTimeoutError:
                continue  # gone between the count and the look: counted again
            if not busy:
                break
            self.page.wait_for_timeout(100)
        time.sleep(1.0)

    def double(self, name: str) -> None:
        """Double-click an action button and wait until the server has answered."""
        self.button(name).dblclick()
        self.settled(name)

    def tab(self, name: str, shows: str | None = None, timeout: float = 30_000) -> None:
        """Open a tab; with ``shows``, click again until that selector is on the page.

        A busy page can drop a click, and a tab does not say reliably that it is open
        (Vuetify marks the tabs' ``aria-selected`` inconsistently), so what it shows is waited for.
        """
        tab = self.page.get_by_role("tab", name=re.compile(f"^{re.escape(name)}")).first
        deadline = time.monotonic() + timeout / 1000
        while True:
            tab.click()
            if shows is None:
                return
            try:
                self.page.locator(shows).first.wait_for(timeout=3_000)
                return
            except PlaywrightTimeoutError:
                if time.monotonic() > deadline:
                    raise

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
