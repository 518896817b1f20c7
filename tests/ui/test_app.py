"""The facilitator dashboard: Solara components in-process, then the served app in Chromium."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
from click.testing import CliRunner
from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

from sim.cli import main
from sim.core import metrics
from sim.ui import app, charts

# --------------------------------------------------------------------------------------------
# Component tests (solara.render, no browser)


@pytest.fixture
def quick_charts(monkeypatch):
    """Skip rasterising the charts (their figures are still built) to save time.

    The first component test and the browser test draw them for real.
    """
    monkeypatch.setattr(app, "png", lambda fig, dpi=130: b"")


def render(scenario: str = "hub_and_spoke"):
    """Render the dashboard (inside an AppLayout, so Mesa's sidebar shows) around a new model."""
    model = app.DashboardModel(scenario)
    _, rc = solara.render(
        solara.AppLayout(children=[app.Dashboard(scenario, model=model)]), handle_error=False
    )
    return model, rc


def button(rc, label: str) -> v.Btn:
    return rc.find(v.Btn, children=[label]).widget


def select(rc, label: str) -> v.Select:
    return rc.find(v.Select, label=label).widget


def html_of(rc, css_class: str) -> str:
    """Inner HTML of every solara.HTML with the class, joined."""
    found = [
        w.unsafe_innerHTML or ""
        for w in rc.find(solara.widgets.HTML).widgets
        if css_class in (w.attributes or {}).get("class", "").split()
    ]
    assert found, f"no element with class {css_class}"
    return "\n".join(found)


def downloads(rc) -> dict[str, str]:
    """The download links on the page: file name → data URL."""
    return {
        w.attributes["download"]: w.attributes["href"]
        for w in rc.find(solara.widgets.HTML).widgets
        if w.tag == "a" and "download" in w.attributes
    }


def test_mesa_controls_scenario_settings_and_geosim_panels_are_there():
    _, rc = render()
    for label in ("Reset", "▶", "Step", "Inject now", "What if?"):
        rc.find(v.Btn, children=[label]).assert_single()
    assert "hub_and_spoke" in select(rc, "Scenario (applies on Reset)").items
    rc.find(v.TextField, label="…or a scenario file (path)").assert_single()
    for label in ("Incident rate ×", "Deterrence ×", "Arms reaction ×"):
        rc.find(v.Slider, label=label).assert_single()
    assert [tab.children[0] for tab in rc.find(v.Tab).widgets] == list(app.TABS)
    status = html_of(rc, "geosim-status")
    assert "0 of 120" in status and "Regional tension" in status
    assert "press Step" in html_of(rc, "geosim-log")
    charts = rc.find(ipywidgets.Image).widgets
    assert len(charts) == 4 and all(bytes(c.value).startswith(b"\x89PNG") for c in charts)


@pytest.mark.usefixtures("quick_charts")
def test_step_advances_the_model_and_the_views():
    model, rc = render()
    for _ in range(2):
        button(rc, "Step").click()
    assert model.month == 2
    assert "2 of 120" in html_of(rc, "geosim-status")
    assert "Month 2" in html_of(rc, "geosim-log")
    assert len(model.tension_history) == len(model.milex_history) == 3


@pytest.mark.usefixtures("quick_charts")
def test_play_steps_on_its_own_until_paused():
    model, rc = render()
    button(rc, "▶").click()
    deadline = time.monotonic() + 20
    while model.month < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    button(rc, "❚❚").click()
    time.sleep(1.0)  # Mesa's loop may still finish the step it was waiting to take
    month = model.month
    assert month >= 2
    time.sleep(0.6)  # playing, it would step every 0.3 s
    assert model.month == month
    assert f"{month} of 120" in html_of(rc, "geosim-status")


@pytest.mark.usefixtures("quick_charts")
def test_an_incident_inject_is_logged_now_and_raises_that_dyad_on_the_next_step():
    model, rc = render()
    button(rc, "Step").click()
    button(rc, "Step").click()
    select(rc, "Rung").v_model = "crisis"
    button(rc, "Inject now").click()
    log = html_of(rc, "geosim-log")
    assert "Month 3 (next turn)" in log
    assert "Facilitator inject: Incident between China and the Philippines" in log
    assert "Injected as incident_m2" in html_of(rc, "geosim-message")
    assert model.definition.events["incident_m2"].step == 2

    button(rc, "Step").click()
    world = model.world
    dyad = world.dyad_index(world.index("CHN"), world.index("PHL"))
    assert model.state.max_level[0, dyad] >= 4  # crisis is rung 4
    fired = [e for e in model.events if e.type == "inject:incident"]
    assert [e.step for e in fired] == [3]
    assert "Month 3 (next turn)" not in html_of(rc, "geosim-log")


@pytest.mark.usefixtures("quick_charts")
def test_a_task_force_inject_creates_the_tie():
    model, rc = render()
    button(rc, "Step").click()
    usa, idn = model.world.index("USA"), model.world.index("IDN")
    assert metrics.alliance_strength(model.world, model.state)[0, usa, idn] == 0
    select(rc, "Kind of inject").v_model = "Task force"
    select(rc, "Partners").v_model = ["IDN"]
    button(rc, "Inject now").click()
    button(rc, "Step").click()
    assert metrics.alliance_strength(model.world, model.state)[0, usa, idn] > 0
    assert ("USA", "IDN", "task_force") in [tie[:3] for tie in charts.ties_in_force(model)]
    assert "Facilitator inject: The United States stands up a task force with Indonesia" in (
        html_of(rc, "geosim-log")
    )


@pytest.mark.usefixtures("quick_charts")
def test_a_bad_inject_is_refused_with_a_reason_and_changes_nothing():
    model, rc = render()
    select(rc, "Country B").v_model = "CHN"  # an incident of China with itself
    button(rc, "Inject now").click()
    assert "two different countries" in html_of(rc, "geosim-message")
    select(rc, "Kind of inject").v_model = "Leave an alliance"
    select(rc, "Alliance").v_model = "us_japan"
    select(rc, "Country").v_model = "KOR"
    button(rc, "Inject now").click()
    assert "South Korea is not a member of us_japan" in html_of(rc, "geosim-message")
    assert model.session_injects == [] and model.revision == 0


@pytest.mark.usefixtures("quick_charts")
def test_what_if_compares_both_branches_on_the_same_seeds():
    model, rc = render()
    select(rc, "Kind of inject").v_model = "Deconfliction channel"
    slider = next(w for w in rc.find(v.Slider).widgets if str(w.label).startswith("Runs per"))
    slider.v_model = 10
    button(rc, "What if?").click()
    assert "What if, at month 0" in html_of(rc, "geosim-branch-title")
    table = html_of(rc, "geosim-table")
    assert "Regional tension" in table and "Alignment of Philippines" in table
    assert model.session_injects == []  # a what-if injects nothing

    # Replicate 0 of the branch without the inject is the session itself.
    inject = app.build_inject(app.InjectForm().with_kind("ceasefire", model.definition))
    branch = app.run_branch(model, inject, 3)
    while model.running:
        model.step()
    assert branch.without["regional_tension"][0] == pytest.approx(
        model.metric("regional_tension"), rel=1e-12
    )
    assert not np.allclose(
        branch.without["regional_tension"], branch.with_inject["regional_tension"]
    )


@pytest.mark.usefixtures("quick_charts")
def test_export_tab_offers_the_scenario_the_numbers_and_the_report(tmp_path):
    short = tmp_path / "short.yaml"
    short.write_text("name: short\nextends: hub_and_spoke\nhorizon: 12\n")
    model = app.DashboardModel("hub_and_spoke", scenario_file=str(short))
    _, rc = solara.render(
        solara.AppLayout(children=[app.Dashboard(str(short), model=model)]), handle_error=False
    )
    button(rc, "Inject now").click()
    button(rc, "Step").click()
    rc.find(v.Tabs).widget.v_model = app.TABS.index("Export")
    links = downloads(rc)
    assert {"short_session.yaml", "short_session.csv"} <= set(links)
    assert links["short_session.yaml"].startswith("data:application/yaml;base64,")
    assert "incident_m0" in html_of(rc, "geosim-yaml")
    assert "incident_m0" in html_of(rc, "geosim-table")
    button(rc, "Prepare after-action report").click()
    links = downloads(rc)
    assert links["short_report.html"].startswith("data:text/html;base64,")


@pytest.mark.usefixtures("quick_charts")
def test_reset_builds_a_new_model_from_the_sidebar_settings():
    first, rc = render()
    button(rc, "Step").click()
    select(rc, "Scenario (applies on Reset)").v_model = "scs_crisis"
    button(rc, "Reset").click()
    status = html_of(rc, "geosim-status")
    assert "scs_crisis" in status and "0 of " in status
    assert first.month == 1  # the old session's model is left alone


def test_sidebar_settings_become_part_of_the_exported_scenario(tmp_path):
    model = app.DashboardModel("hub_and_spoke", seed="7", incident_rate=2.0)
    base = app.DashboardModel("hub_and_spoke")
    assert model.definition.seed == 7 and model.seed == 7
    hazard = model.definition.parameters.incidents.base_hazard
    assert hazard == pytest.approx(2 * base.definition.parameters.incidents.base_hazard)
    assert "seed: 7" in model.to_yaml()
    assert "incidents ×2" in dict(app.status_items(model))["Scenario"]

    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nhorizon: -3\n")
    fallback = app.DashboardModel("latticework", scenario_file=str(broken), seed="x")
    assert fallback.definition.name == "latticework"
    assert any("Could not load" in problem for problem in fallback.problems)
    assert any("not a whole number" in problem for problem in fallback.problems)


def test_serve_refuses_a_port_in_use():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(RuntimeError, match="already in use"):
            app.serve("hub_and_spoke", "127.0.0.1", port)


# --------------------------------------------------------------------------------------------
# End to end: the served app in Debian's Chromium


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the dashboard server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail(f"the dashboard server did not answer within {timeout} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """End the server we started: its process group, politely first."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """``sim.ui.app.serve`` on a free port of 127.0.0.1 and Debian's Chromium, headless.

    Yields the URL, the server's log file and the browser. The browser starts while the
    server is still loading.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}: install it with "
            "'sudo apt-get install -y chromium' (make test does it)"
        )
    from playwright.sync_api import sync_playwright

    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    code = f"from sim.ui.app import serve; serve('hub_and_spoke', '127.0.0.1', {port})"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            _wait_until_up(url, process, log)
            yield url, log, browser
            browser.close()
    finally:
        _stop(process)


class Session:
    """One browser context on the dashboard, with its screenshots and off-host requests."""

    def __init__(self, browser, url: str, folder: Path, name: str) -> None:
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768}, accept_downloads=True
        )
        self.host = url.rstrip("/")
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.folder, self.name = folder, name
        self.page.goto(url, wait_until="commit")  # see ready(): sessions load side by side

    def ready(self) -> Session:
        """Wait until the dashboard shows its first month."""
        self.status(" of 120").wait_for(timeout=45_000)
        return self

    def _only_local(self, route) -> None:
        url = route.request.url
        if url.startswith((self.host, "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:  # the page must work offline: anything else is recorded and refused
            self.external.append(url)
            route.abort()

    def charts_drawn(self) -> int:
        """Number of chart images the browser has decoded (wider than 200 px)."""
        self.page.wait_for_function(
            "[...document.images].filter(i => i.complete && i.naturalWidth > 200).length >= 4",
            timeout=20_000,
        )
        return self.page.evaluate(
            "[...document.images].filter(i => i.complete && i.naturalWidth > 200).length"
        )

    def status(self, text: str):
        return self.page.locator(".geosim-status").get_by_text(text)

    def log_entry(self, text: str):
        return self.page.locator(".geosim-log").get_by_text(text)

    def step(self, times: int = 1) -> None:
        for _ in range(times):
            month = int(self.page.locator(".geosim-status .value").nth(1).inner_text().split()[0])
            self.page.get_by_role("button", name="Step").click()
            self.status(f"{month + 1} of 120").wait_for(timeout=20_000)

    def choose(self, label: str, option: str) -> None:
        self.page.locator(".v-select", has_text=label).first.click()
        self.page.locator(".v-overlay .v-list-item", has_text=option).click()

    def download(self, label: str) -> str:
        with self.page.expect_download(timeout=20_000) as download:
            self.page.locator("a.geosim-download", has_text=label).click()
        return Path(download.value.path()).read_text(encoding="utf-8")

    def shot(self, stem: str) -> None:
        png = self.page.screenshot()
        (self.folder / f"{self.name}_{stem}.png").write_bytes(png)
        if os.environ.get("GEOSIM_ARTIFACTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"{self.name}_{stem}.png").write_bytes(png)


def test_a_facilitated_session_in_the_browser_exports_a_scenario_geosim_run_reproduces(
    dashboard, tmp_path
):
    url, log, browser = dashboard
    room = Session(browser, url, tmp_path, "session")
    other = Session(browser, url, tmp_path, "other")  # a second, concurrent browser session
    room.ready()
    other.ready()
    room.shot("0_loaded")
    assert room.charts_drawn() == 4

    room.step(5)
    room.shot("1_five_turns")
    room.page.get_by_role("button", name="Inject now").click()  # CHN–PHL clash, the default
    room.log_entry("Facilitator inject: Incident between China and the Philippines").wait_for()
    room.page.locator(".geosim-log").get_by_text("Month 6 (next turn)").wait_for()
    room.shot("2_injected")

    room.choose("Kind of inject", "Deconfliction channel")
    room.page.locator(".v-select", has_text="Partners").wait_for()
    room.page.get_by_role("button", name="What if?").click()
    title = room.page.locator(".geosim-branch-title")
    title.wait_for(timeout=30_000)
    assert "deconfliction channel" in title.inner_text()
    assert "Regional tension" in room.page.locator(".geosim-table").inner_text()
    room.shot("3_what_if")

    room.page.get_by_role("tab", name="Situation").click()
    room.step()  # month 6: the inject plays out
    room.log_entry("Facilitator inject").wait_for()
    room.page.get_by_role("tab", name="Export").click()
    scenario_yaml = room.download("Scenario YAML")
    numbers = pd.read_csv(io.StringIO(room.download("Session numbers (CSV)")))
    room.shot("4_export")
    assert "incident_m5" in scenario_yaml and "step: 5" in scenario_yaml
    assert list(numbers["step"]) == list(range(7))
    shown = room.page.locator(".geosim-status .value").nth(2).inner_text()
    assert float(shown) == pytest.approx(numbers["regional_tension"].iloc[-1], abs=5e-4)

    # The other session saw none of it.
    assert other.status("0 of 120").is_visible()
    assert other.log_entry("Facilitator inject").count() == 0
    other.page.get_by_role("tab", name="Export").click()
    assert "incident_m5" not in other.download("Scenario YAML")
    other.shot("independent")
    assert room.status("6 of 120").is_visible()

    assert room.external == [] and other.external == [], "the page must not leave 127.0.0.1"
    assert room.errors == [] and other.errors == [], "no script errors in the page"
    assert "Could not load URL" not in log.read_text()  # no asset fetched from a CDN

    # geosim run on the exported scenario reproduces the session's numbers.
    exported = tmp_path / "session.yaml"
    exported.write_text(scenario_yaml, encoding="utf-8")
    out = tmp_path / "rerun"
    result = CliRunner().invoke(main, ["run", str(exported), "-n", "1", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rerun = pd.read_csv(out / "model.csv").iloc[: len(numbers)]
    for column in ("regional_tension", "us_credibility", "max_escalation", "hedgers"):
        np.testing.assert_allclose(rerun[column], numbers[column], rtol=1e-5, atol=1e-9)
    room.context.close()
    other.context.close()
