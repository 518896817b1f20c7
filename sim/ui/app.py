"""The facilitator dashboard: a Solara app built on Mesa's ``SolaraViz``.

``geosim dashboard [SCENARIO]`` calls :func:`serve`, which runs ``solara run sim.ui.app`` bound
to 127.0.0.1 by default. The page (:data:`page`) is Mesa's ``SolaraViz`` for the shell, the
Step / Play-Pause / Reset controls and the scenario settings in the sidebar (settings apply on
Reset, Mesa's way), plus geosim's own views in the main area:

* a status line (month, regional tension, hottest dyad, US credibility, hedgers);
* four live charts: tension (region and hottest dyads), alignment on the China–US axis, the
  alliance network and arms spending;
* the inject panel: incidents, task forces, exercises, assistance funding, arms deliveries,
  trade deals, ceasefires, deconfliction channels and alliance moves, each taking effect at
  the current month (:meth:`sim.core.model.IndoPacificModel.inject`) and recorded;
* "what if": N replicates of the session's scenario with and without the pending inject, on the
  same seeds (the batched engine), compared side by side;
* the narrative turn log, newest month first;
* export: the session as a scenario YAML that ``geosim run`` reproduces, the session's numbers
  as CSV, and the after-action HTML report.

Every browser session renders its own :class:`~sim.ui.session.DashboardModel`: nothing is
shared between sessions except read-only module constants. The menu of injects is
:mod:`sim.ui.injects`, the session model :mod:`sim.ui.session`, the charts :mod:`sim.ui.charts`
and the status line and turn log :mod:`sim.ui.views`; this module lays them out.
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import base64
import html
import os
import socket
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.loader import shipped_scenarios
from sim.ui.charts import (
    alignment_figure,
    arms_figure,
    branch_figure,
    network_figure,
    png,
    tension_figure,
)
from sim.ui.injects import ALLIANCE_TYPES, INJECT_KINDS, InjectForm, build_inject
from sim.ui.session import DEFAULT_SCENARIO, Branch, DashboardModel, run_branch
from sim.ui.views import status_items, turn_log_html

#: Environment variable carrying the initial scenario from :func:`serve` to the app.
ENV_SCENARIO = "GEOSIM_DASHBOARD_SCENARIO"
#: Title in the app bar.
TITLE = "geosim · Indo-Pacific wargame"

#: Width of Mesa's sidebar, px.
SIDEBAR_PX = 330
#: Solara's AppLayout gives its drawer the width "min-content", which Vuetify 3 cannot lay out
#: (``--v-layout-left: NaN``): the drawer then covers the page and the app bar. Give it a fixed
#: width below the app bar, and pad the page by that width while the drawer is open.
LAYOUT_CSS = f"""
.v-navigation-drawer.solara-content-main {{
  width: {SIDEBAR_PX}px !important; min-width: {SIDEBAR_PX}px !important;
  top: 64px !important; height: calc(100% - 64px) !important;
}}
body:has(.v-navigation-drawer--active) .v-main {{ --v-layout-left: {SIDEBAR_PX}px !important; }}
"""
#: Dashboard-wide CSS (status line, turn log, tables).
CSS = (
    LAYOUT_CSS
    + """
.geosim-status { display: flex; flex-wrap: wrap; gap: 4px 22px; padding: 4px 8px; }
.geosim-status .item { display: flex; flex-direction: column; }
.geosim-status .label { font-size: 11px; opacity: 0.7; text-transform: uppercase; }
.geosim-status .value { font-size: 17px; font-weight: 600; }
.geosim-log { font-size: 13px; line-height: 1.35; overflow-y: auto; padding-right: 4px; }
.geosim-log .month { font-weight: 700; margin: 6px 0 2px; border-bottom: 1px solid #ccc; }
.geosim-log .entry { margin: 1px 0 1px 6px; }
.geosim-log .inject { color: #0072B2; font-weight: 600; }
.geosim-log .escalation { color: #D55E00; }
.geosim-log .minor { opacity: 0.65; }
.geosim-table { border-collapse: collapse; font-size: 13px; }
.geosim-table th, .geosim-table td { padding: 2px 10px; text-align: right; }
.geosim-table th:first-child, .geosim-table td:first-child { text-align: left; }
.geosim-table tr { border-bottom: 1px solid #ddd; }
.geosim-table.left th, .geosim-table.left td { text-align: left; }
.geosim-table.left { margin-bottom: 8px; }
.geosim-hint { font-size: 12px; opacity: 0.75; }
.geosim-log { max-height: max(160px, calc(100vh - 575px)); }
.geosim-card .v-card-title { font-size: 17px; padding-bottom: 4px; }
.geosim-card .v-card-text, .geosim-card .v-card__text { padding-top: 0; }
.geosim-card .v-input__details { display: none; }
.geosim-card .v-input { margin-bottom: 6px; }
.geosim-download {
  display: inline-block; padding: 6px 14px; border-radius: 4px; font-size: 13px;
  font-weight: 500; letter-spacing: 0.03em; text-transform: uppercase; text-decoration: none;
  color: rgb(var(--v-theme-on-primary)); background: rgb(var(--v-theme-primary));
}
.geosim-yaml {
  font-size: 12px; max-height: calc(100vh - 330px); overflow: auto; padding: 8px;
  border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 4px;
}
.geosim-message {
  font-size: 13px; padding: 6px 10px; margin-top: 6px; border-radius: 4px; white-space: pre-wrap;
  border-left: 4px solid;
}
.geosim-message.success { border-color: #009E73; background: rgba(0, 158, 115, 0.1); }
.geosim-message.warning { border-color: #E69F00; background: rgba(230, 159, 0, 0.12); }
.geosim-message.error { border-color: #D55E00; background: rgba(213, 94, 0, 0.1); }
.geosim-branch-title { font-size: 15px; margin: 8px 0 2px; }
/* Mesa's "Use Threads" checkbox repeats its label inside the box under Vuetify 3. */
.v-navigation-drawer .v-checkbox .v-selection-control__wrapper { font-size: 0; }
.v-navigation-drawer .v-checkbox .v-selection-control__input { font-size: 16px; }
"""
)


# --------------------------------------------------------------------------------------------
# Components


@solara.component
def Chart(build: Callable[[], Figure], dependencies: list[Any]) -> None:
    """A matplotlib figure as a PNG image, rebuilt only when ``dependencies`` change."""
    data = solara.use_memo(lambda: png(build()), dependencies)
    solara.Image(data, width="100%")


@solara.component
def Message(kind: str, text: str) -> None:
    """A coloured message (``kind``: success, warning or error).

    (Solara's ``Success``/``Warning``/``Error`` alerts fail under this Vuetify 3 front end.)
    """
    solara.HTML(unsafe_innerHTML=html.escape(text), classes=["geosim-message", kind])


@solara.component
def StatusBar(model: DashboardModel) -> None:
    """Key numbers of the current month, and any settings that could not be used."""
    update_counter.get()  # re-render when the model steps
    cells = "".join(
        f'<div class="item"><span class="label">{html.escape(label)}</span>'
        f'<span class="value">{html.escape(value)}</span></div>'
        for label, value in status_items(model)
    )
    solara.HTML(unsafe_innerHTML=cells, classes=["geosim-status"])
    for problem in model.problems:
        Message("warning", problem)


@solara.component
def Charts(model: DashboardModel) -> None:
    """The four live charts, two by two."""
    update_counter.get()  # re-render when the model steps
    deps = [id(model), model.month, model.revision]
    with solara.Columns([1, 1], gutters_dense=True):
        Chart(lambda: tension_figure(model), deps)
        Chart(lambda: alignment_figure(model), deps)
    with solara.Columns([1, 1], gutters_dense=True):
        Chart(lambda: network_figure(model), deps)
        Chart(lambda: arms_figure(model), deps)


@solara.component
def TurnLog(model: DashboardModel) -> None:
    """The narrative turn log (newest month first), scrolling."""
    update_counter.get()  # re-render when the model steps
    text = solara.use_memo(lambda: turn_log_html(model), [id(model), model.month, model.revision])
    with solara.Card("Turn log", margin=0, classes=["geosim-card"]):
        solara.HTML(unsafe_innerHTML=text, classes=["geosim-log"])


@solara.component
def InjectFields(form: solara.Reactive[InjectForm], model: DashboardModel) -> None:
    """The fields the chosen inject kind needs."""
    value = form.value
    spec = INJECT_KINDS[value.kind]
    codes = list(model.world.codes)

    def setter(name: str) -> Callable[[Any], None]:
        return lambda new: form.set(replace(form.value, **{name: new}))

    first = {
        "incident": "Country A",
        "join_alliance": "Country",
        "leave_alliance": "Country",
        "form_alliance": "Lead member",
    }.get(value.kind, "Actor")
    fields: list[Callable[[], Any]] = []  # small fields, laid out two by two
    if "alliance_type" in spec.fields:
        types = list(ALLIANCE_TYPES)
        fields.append(
            lambda: solara.Select("Type", types, value.alliance_type, setter("alliance_type"))
        )
    if "alliance" in spec.fields:
        alliances = list(model.definition.alliances)
        fields.append(
            lambda: solara.Select("Alliance", alliances, value.alliance, setter("alliance"))
        )
    fields.append(lambda: solara.Select(first, codes, value.actor, setter("actor")))
    if "other" in spec.fields:
        fields.append(lambda: solara.Select("Country B", codes, value.other, setter("other")))
    if "level" in spec.fields:
        rungs = list(ESCALATION_LEVELS)
        fields.append(lambda: solara.Select("Rung", rungs, value.level, setter("level")))
    if "duration" in spec.fields:
        fields.append(
            lambda: solara.InputInt("Months (0: to the end)", value.duration, setter("duration"))
        )
    for start in range(0, len(fields), 2):
        with solara.Columns([1, 1], gutters_dense=True):
            for make in fields[start : start + 2]:
                make()
    if "partners" in spec.fields:
        solara.SelectMultiple(
            "Other members" if value.kind == "form_alliance" else "Partners",
            list(value.partners),
            [c for c in codes if c != value.actor],
            on_value=lambda new: form.set(replace(form.value, partners=tuple(new))),
        )
    if "amount" in spec.fields:
        solara.InputFloat(spec.amount_label, value.amount, setter("amount"))
    if "item" in spec.fields:
        solara.InputText("Item (optional)", value.item, setter("item"))
    if "strength" in spec.fields:
        solara.SliderFloat(
            ("Commitment" if value.kind == "form_alliance" else "Strength")
            + f" ({value.strength:.2f})",
            value.strength,
            min=0.0,
            max=1.0,
            step=0.05,
            on_value=setter("strength"),
        )


@solara.component
def InjectPanel(
    model: DashboardModel,
    form: solara.Reactive[InjectForm],
    on_branch: Callable[[Branch], None],
) -> None:
    """Choose an inject; apply it now, or compare the futures with and without it."""
    update_counter.get()  # re-render when the model steps
    message = solara.use_reactive(("", ""))
    replicates = solara.use_reactive(40)
    labels = {spec.label: kind for kind, spec in INJECT_KINDS.items()}

    def choose(label: str) -> None:
        form.set(form.value.with_kind(labels[label], model.definition))
        message.set(("", ""))

    def inject_now() -> None:
        try:
            name = model.apply(build_inject(form.value))
        except ValueError as exc:
            message.set(("error", str(exc)))
            return
        message.set(("success", f"Injected as {name}: it acts in month {model.month + 1}."))
        force_update()

    def what_if() -> None:
        try:
            result = run_branch(model, build_inject(form.value), replicates.value)
        except ValueError as exc:
            message.set(("error", str(exc)))
            return
        message.set(("", ""))
        on_branch(result)

    with solara.Card("Inject", margin=0, classes=["geosim-card"]):
        solara.Select(
            "Kind of inject", list(labels), INJECT_KINDS[form.value.kind].label, on_value=choose
        )
        InjectFields(form, model)
        with solara.Row(gap="8px", style="align-items: center"):
            solara.Button(
                "Inject now", on_click=inject_now, color="primary", disabled=model.finished
            )
            solara.Button("What if?", on_click=what_if, outlined=True, color="primary")
        solara.SliderInt(
            f"Runs per branch ({replicates.value})", replicates, min=10, max=200, step=10
        )
        kind, text = message.value
        if text:
            Message(kind, text)


@solara.component
def BranchView(branch: Branch | None) -> None:
    """The "what if" comparison: two distributions per outcome, and a table of means."""
    if branch is None:
        solara.Text(
            "Set up an inject on the right and press “What if?” to compare the futures "
            "with and without it.",
            classes=["geosim-hint"],
        )
        return
    solara.HTML(
        tag="h3",
        unsafe_innerHTML=html.escape(f"What if, at month {branch.month}: {branch.summary}"),
        classes=["geosim-branch-title"],
    )
    solara.Text(
        f"{branch.replicates} runs without and {branch.replicates} with the inject, on the same "
        f"seeds (run 0 is this session's scenario); outcomes at month {branch.horizon}.",
        classes=["geosim-hint"],
    )
    Chart(lambda: branch_figure(branch), [id(branch)])
    header = "<tr><th>Outcome (mean)</th><th>Without</th><th>With</th><th>Change</th></tr>"
    body = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{a:.3f}</td><td>{b:.3f}</td><td>{d:+.3f}</td></tr>"
        for label, a, b, d in branch.rows()
    )
    solara.HTML(tag="table", unsafe_innerHTML=header + body, classes=["geosim-table"])


@solara.component
def DownloadLink(label: str, filename: str, data: str | bytes, mime_type: str) -> None:
    """A download button: a link carrying its file as a ``data:`` URL.

    (Solara's ``FileDownload`` renders its button through a child widget that this Vuetify 3
    front end does not show.)
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    href = f"data:{mime_type};base64,{base64.b64encode(raw).decode('ascii')}"
    solara.HTML(
        tag="a",
        unsafe_innerHTML=html.escape(label),
        attributes={"href": href, "download": filename, "title": f"Download {filename}"},
        classes=["geosim-download"],
    )


@solara.component
def ExportPanel(model: DashboardModel) -> None:
    """Downloads of the session scenario, its numbers and the after-action report."""
    update_counter.get()  # re-render when the model steps
    report = solara.use_reactive(None)  # (month, revision, html) of the last report made
    error = solara.use_reactive("")
    name, current = model.definition.name, (model.month, model.revision)
    text = model.to_yaml()

    def make_report() -> None:
        try:
            report.set((*current, model.report_html()))
            error.set("")
        except Exception as exc:  # a failed report must not end the game: show it
            error.set(f"Could not make the report: {exc}")

    with solara.Row(gap="10px", style="align-items: center; flex-wrap: wrap; margin: 8px 0"):
        DownloadLink("Scenario YAML", f"{name}_session.yaml", text, "application/yaml")
        DownloadLink(
            "Session numbers (CSV)", f"{name}_session.csv", model.session_csv(), "text/csv"
        )
        if report.value is not None and report.value[:2] == current:
            DownloadLink(
                f"After-action report (month {model.month})",
                f"{name}_report.html",
                report.value[2],
                "text/html",
            )
        else:
            solara.Button("Prepare after-action report", on_click=make_report, outlined=True)
    if error.value:
        Message("error", error.value)
    solara.Text(
        "The scenario YAML is the original plus every inject as a timed event: "
        "geosim run replays this session from it exactly. The report runs the session's "
        f"scenario to month {model.world.horizon}.",
        classes=["geosim-hint"],
    )
    if model.session_injects:
        rows = "".join(
            f"<tr><td>{html.escape(record.name)}</td><td>{record.month}</td>"
            f"<td>{html.escape(record.inject.summary)}</td></tr>"
            for record in model.session_injects
        )
        header = "<tr><th>Inject</th><th>Month</th><th>What</th></tr>"
        solara.HTML(tag="table", unsafe_innerHTML=header + rows, classes=["geosim-table", "left"])
    solara.HTML(tag="pre", unsafe_innerHTML=html.escape(text), classes=["geosim-yaml"])


#: Tabs of the main area.
TABS = ("Situation", "What if", "Export")


@solara.component
def MainView(model: DashboardModel) -> None:
    """Everything but Mesa's controls, for one session's model."""
    form = solara.use_reactive(InjectForm())
    branch = solara.use_reactive(None)
    tab = solara.use_reactive(0)

    def show_branch(result: Branch) -> None:
        branch.set(result)
        tab.set(TABS.index("What if"))

    solara.Style(CSS)
    StatusBar(model)
    with solara.Columns([8, 4], gutters_dense=True):
        with solara.Column(gap="0px"):
            # Vuetify tabs directly, as Mesa does (solara.lab.Tabs needs Vuetify 2).
            with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set, density="compact"):
                for label in TABS:
                    solara.v.Tab(children=[label])
            if TABS[tab.value] == "What if":
                BranchView(branch.value)
            elif TABS[tab.value] == "Export":
                ExportPanel(model)
            else:
                Charts(model)
        with solara.Column(gap="8px"):
            InjectPanel(model, form, show_branch)
            TurnLog(model)


def initial_scenario() -> str:
    """The scenario to start with: :data:`ENV_SCENARIO`, else :data:`DEFAULT_SCENARIO`."""
    return os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO


def model_params(scenario: str) -> dict[str, Any]:
    """Mesa ``model_params`` for the sidebar: scenario picker, file box, seed and levers.

    Args:
        scenario: Initial scenario: a shipped name, or a file path (shown in the file box).
    """
    shipped = list(shipped_scenarios())
    is_shipped = scenario in shipped
    pick = scenario if is_shipped else (DEFAULT_SCENARIO if DEFAULT_SCENARIO in shipped else "")
    pick = pick or (shipped[0] if shipped else scenario)
    return {
        "scenario_name": {
            "type": "Select",
            "value": pick,
            "values": shipped or [pick],
            "label": "Scenario (applies on Reset)",
        },
        "scenario_file": {
            "type": "InputText",
            "value": "" if is_shipped else scenario,
            "label": "…or a scenario file (path)",
        },
        "seed": {"type": "InputText", "value": "", "label": "Seed (blank: the scenario's)"},
        "incident_rate": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.25,
            "max": 3.0,
            "step": 0.25,
            "label": "Incident rate ×",
        },
        "deterrence": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": 2.0,
            "step": 0.25,
            "label": "Deterrence ×",
        },
        "arms_reaction": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": 3.0,
            "step": 0.25,
            "label": "Arms reaction ×",
        },
    }


@solara.component
def Dashboard(scenario: str | None = None, model: DashboardModel | None = None) -> None:
    """The whole dashboard for one browser session.

    Args:
        scenario: Initial scenario (shipped name or file path); default
            :func:`initial_scenario`.
        model: The model to start with (default: a new one of the initial scenario); Mesa's
            Reset replaces it with a new one built from the sidebar settings.
    """
    start = scenario or initial_scenario()
    params = solara.use_memo(lambda: model_params(start), [start])
    first = solara.use_memo(
        lambda: model or DashboardModel(**{key: spec["value"] for key, spec in params.items()}),
        [],
    )
    model = solara.use_reactive(first)
    # SolaraViz gets no components: it contributes the app bar and the sidebar (Mesa's
    # controls and settings), so its empty in-page placeholder is hidden.
    with solara.Div(style="display: none"):
        SolaraViz(model, components=[], model_params=params, name=TITLE, play_interval=300)
    MainView(model.value).key(f"session-{id(model.value)}")


@solara.component
def Page() -> None:
    """The page ``solara run sim.ui.app`` serves."""
    Dashboard()


#: The page served by ``solara run sim.ui.app`` (SolaraViz-based).
page = Page


# --------------------------------------------------------------------------------------------
# Serving


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def solara_arguments(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """Arguments of ``solara run`` that serve the dashboard.

    Production mode, no browser opened, and no version check against PyPI.
    """
    return [
        "sim.ui.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def serve(scenario: str | None = None, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the dashboard until interrupted (Ctrl-C).

    Runs ``solara run sim.ui.app`` (production mode) in this process, bound to ``host`` —
    127.0.0.1 unless told otherwise — with the initial scenario in :data:`ENV_SCENARIO`. The
    page works offline: its front-end assets come from ``solara-assets``, and Solara's
    telemetry is switched off.

    Args:
        scenario: Initial scenario, a shipped name or a file path (default ``hub_and_spoke``).
        host: Address to listen on.
        port: Port to listen on.

    Raises:
        RuntimeError: When the port is already in use.
    """
    if not _port_free(host, port):
        raise RuntimeError(f"{host}:{port} is already in use; choose another port (--port)")
    reference = scenario or DEFAULT_SCENARIO
    if reference not in shipped_scenarios() and Path(reference).exists():
        reference = str(Path(reference).resolve())
    os.environ[ENV_SCENARIO] = reference

    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # "This website runs on Solara" would cover the log
    # Solara warns on every plain-http host but "localhost"; 127.0.0.1 is the point here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    print(f"geosim dashboard: http://{host}:{port}  (Ctrl-C stops it)", flush=True)
    run.main(solara_arguments(host, port), prog_name="geosim dashboard", standalone_mode=False)
