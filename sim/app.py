"""The facilitator dashboard: a Solara app built on Mesa's ``SolaraViz``.

``geosim dashboard [SCENARIO]`` calls :func:`serve`, which runs ``solara run sim.app`` bound to
127.0.0.1 by default. The page (:data:`page`) is Mesa's ``SolaraViz`` for the shell, the
Step / Play-Pause / Reset controls and the scenario settings in the sidebar (settings apply on
Reset, Mesa's way), plus geosim's own views in the main area:

* a status line (month, regional tension, hottest dyad, US credibility, hedgers);
* four live charts: tension (region and hottest dyads), alignment on the China–US axis, the
  alliance network and arms spending;
* the inject panel: incidents, task forces, exercises, assistance funding, arms deliveries,
  trade deals, ceasefires, deconfliction channels and alliance moves, each taking effect at
  the current month (:meth:`sim.model.IndoPacificModel.inject`) and recorded;
* "what if": N replicates of the session's scenario with and without the pending inject, on the
  same seeds (the batched engine), compared side by side;
* the narrative turn log, newest month first;
* export: the session as a scenario YAML that ``geosim run`` reproduces, the session's numbers
  as CSV, and the after-action HTML report.

Every browser session renders its own :class:`DashboardModel`: nothing is shared between
sessions except read-only module constants.
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import base64
import html
import importlib.util
import io
import os
import socket
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import solara
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter
from pydantic import ValidationError

from sim import baseline, metrics
from sim.loader import ScenarioError, load_scenario, shipped_scenarios
from sim.model import IndoPacificModel
from sim.scenario import ESCALATION_LEVELS, Scenario

#: Environment variable carrying the initial scenario from :func:`serve` to the app.
ENV_SCENARIO = "GEOSIM_DASHBOARD_SCENARIO"
#: Scenario shown when none is given.
DEFAULT_SCENARIO = "hub_and_spoke"
#: Title in the app bar.
TITLE = "geosim · Indo-Pacific wargame"

#: Okabe & Ito (2008) colour-blind-safe palette (the same as :mod:`sim.plots`).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
US_COLOR, CHINA_COLOR, HEDGE_COLOR = PALETTE[0], PALETTE[3], "#8c8c8c"
WITHOUT_COLOR, WITH_COLOR = PALETTE[0], PALETTE[1]
ALIGNMENT_CMAP = LinearSegmentedColormap.from_list("alignment", [CHINA_COLOR, "#e8e8e8", US_COLOR])

#: Country names by ISO3 code.
NAMES = {c.iso3: c.name for c in baseline.countries()}
#: Names that take "the" in a sentence.
ARTICLED = {"United States", "Philippines"}
#: Escalation rungs, 0 (calm) to 5 (war), in plain words.
RUNGS = ("calm", *(level.replace("_", "-") for level in ESCALATION_LEVELS))
#: Rungs as the object of a sentence ("climb to a clash").
RUNG_PHRASES = {"standoff": "a standoff", "clash": "a clash", "crisis": "a crisis"}
#: Main actors in the arms-spending chart.
ARMS_ACTORS = ("USA", "CHN", "JPN", "IND", "KOR", "AUS", "PHL", "VNM")
#: Line style and colour of each alliance type in the network chart.
TIE_STYLES = {
    "bilateral_treaty": ("solid", PALETTE[0]),
    "collective_defence": ("solid", PALETTE[3]),
    "minilateral": ("dashed", PALETTE[2]),
    "partnership": ("dotted", "#777777"),
    "task_force": ("dashdot", PALETTE[4]),
}
#: Schematic map positions (longitude-like, latitude-like) that keep Southeast Asia legible;
#: the United States sits to the east of the region.
MAP_POSITIONS = {
    "IND": (78, 22),
    "MMR": (92, 22),
    "THA": (97, 13),
    "LAO": (102, 20),
    "KHM": (103, 10),
    "VNM": (109, 16),
    "MYS": (98, 3),
    "SGP": (104, -2),
    "IDN": (109, -9),
    "BRN": (115, 4),
    "PHL": (123, 12),
    "CHN": (110, 31),
    "PRK": (122, 39),
    "KOR": (129, 33),
    "JPN": (139, 36),
    "AUS": (139, -22),
    "USA": (158, 20),
}

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


def country_name(code: str) -> str:
    """Return the plain name of a country, as used mid-sentence ("the Philippines")."""
    name = NAMES.get(code, code)
    return f"the {name}" if name in ARTICLED else name


def _cap(text: str) -> str:
    """Capitalise the first letter of a sentence."""
    return text[:1].upper() + text[1:]


def _target(*codes: str) -> str:
    """The first country that is not one of the two poles (whose alignment never moves)."""
    return next((c for c in codes if c not in ("USA", "CHN")), "PHL")


def _and(words: list[str]) -> str:
    """Join words as plain English: ``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------------------------
# Injects: what the facilitator asks for, as a scenario entry


@dataclass(frozen=True)
class InjectKind:
    """One entry of the inject menu.

    Attributes:
        label: Menu text.
        fields: Form fields the kind uses (names of :class:`InjectForm` attributes).
        actor: Default actor (or first country).
        partners: Default partners (or second country).
        amount_label: Label of the amount field, when used.
        amount: Default amount.
        strength: Default strength (or commitment).
    """

    label: str
    fields: tuple[str, ...]
    actor: str = "USA"
    partners: tuple[str, ...] = ("PHL",)
    amount_label: str = ""
    amount: float = 0.0
    strength: float = 0.5


#: The inject menu, in display order.
INJECT_KINDS: dict[str, InjectKind] = {
    "incident": InjectKind("Incident", ("actor", "other", "level"), "CHN", ("PHL",)),
    "task_force": InjectKind("Task force", ("actor", "partners", "duration")),
    "exercises": InjectKind(
        "Exercises",
        ("actor", "partners", "amount", "duration"),
        amount_label="Exercises per year with each partner",
        amount=4,
    ),
    "security_assistance": InjectKind(
        "Assistance funding",
        ("actor", "partners", "amount", "duration"),
        amount_label="Added US$ m per year, to each partner",
        amount=500,
    ),
    "arms_transfer": InjectKind(
        "Arms delivery",
        ("actor", "partners", "amount", "item"),
        amount_label="Value delivered to each partner, US$ m",
        amount=1000,
    ),
    "trade_agreement": InjectKind(
        "Trade deal",
        ("actor", "partners", "amount", "duration"),
        "CHN",
        ("VNM",),
        amount_label="Added trade share with the actor (0–0.5)",
        amount=0.05,
    ),
    "ceasefire": InjectKind(
        "Ceasefire", ("actor", "partners", "strength", "duration"), "CHN", ("PHL",), strength=0.8
    ),
    "deconfliction_channel": InjectKind(
        "Deconfliction channel", ("actor", "partners", "strength", "duration"), "USA", ("CHN",)
    ),
    "form_alliance": InjectKind(
        "Form an alliance",
        ("alliance_type", "actor", "partners", "strength"),
        "USA",
        ("JPN", "PHL", "AUS"),
        strength=0.8,
    ),
    "join_alliance": InjectKind("Join an alliance", ("alliance", "actor"), "VNM", ()),
    "leave_alliance": InjectKind("Leave an alliance", ("alliance", "actor"), "THA", ()),
}
#: Policy kinds offered as injects, with the policy field their amount or strength sets.
POLICY_AMOUNTS = {
    "exercises": "per_year",
    "security_assistance": "usd_m_per_year",
    "trade_agreement": "trade_share_delta",
    "ceasefire": "strength",
    "deconfliction_channel": "strength",
    "task_force": None,
    "arms_transfer": None,
}
ALLIANCE_TYPES = ("collective_defence", "minilateral", "bilateral_treaty", "partnership")


@dataclass(frozen=True)
class InjectForm:
    """The inject panel's fields (only those of the chosen kind are used)."""

    kind: str = "incident"
    actor: str = "CHN"
    other: str = "PHL"
    partners: tuple[str, ...] = ("PHL",)
    level: str = "clash"
    amount: float = 0.0
    strength: float = 0.5
    duration: int = 0
    item: str = ""
    alliance: str = ""
    alliance_type: str = "collective_defence"

    def with_kind(self, kind: str, definition: Scenario) -> InjectForm:
        """The form switched to another kind, with that kind's defaults."""
        spec = INJECT_KINDS[kind]
        alliances = list(definition.alliances)
        alliance = self.alliance if self.alliance in alliances else ""
        if not alliance and alliances:
            alliance = alliances[0]
        actor = spec.actor
        if kind == "leave_alliance" and alliance:  # an alliance the actor can leave
            ours = [name for name, pact in definition.alliances.items() if actor in pact.members]
            if actor not in definition.alliances[alliance].members:
                alliance = ours[0] if ours else alliance
            members = definition.alliances[alliance].members
            actor = actor if actor in members else members[-1]
        return replace(
            self,
            kind=kind,
            actor=actor,
            other=spec.partners[0] if spec.partners else self.other,
            partners=spec.partners or self.partners,
            amount=spec.amount,
            strength=spec.strength,
            duration=0,
            item="",
            alliance=alliance,
        )


@dataclass(frozen=True)
class Inject:
    """A ready-to-apply inject: a scenario entry without its month.

    Attributes:
        block: ``"events"`` or ``"alliances"``.
        stem: Start of the entry's name (the month and a counter are added).
        spec: The entry as in a scenario file, without ``step``/``start``.
        summary: What it does, in plain words.
        target: The country whose alignment the "what if" follows.
    """

    block: str
    stem: str
    spec: dict[str, Any]
    summary: str
    target: str


def build_inject(form: InjectForm) -> Inject:
    """Turn the panel's fields into a scenario entry and a plain-words summary.

    Args:
        form: The inject panel's fields.

    Returns:
        The inject (not yet validated against a scenario: :func:`definition_with` does that).

    Raises:
        ValueError: When a required choice is missing.
    """
    kind, actor = form.kind, _cap(country_name(form.actor))
    partners = [p for p in form.partners if p != form.actor]
    names = _and([country_name(p) for p in partners]) if partners else ""
    lasting = f" for {form.duration} months" if form.duration > 0 else ""
    if kind == "incident":
        if form.actor == form.other:
            raise ValueError("an incident needs two different countries")
        spec = {"kind": "incident", "actors": [form.actor, form.other], "level": form.level}
        level = form.level.replace("_", "-")
        pair = f"{country_name(form.actor)} and {country_name(form.other)}"
        text = f"Incident between {pair} at the {level} rung"
        return Inject("events", "incident", spec, text, _target(form.other, form.actor))
    if kind in ("join_alliance", "leave_alliance"):
        if not form.alliance:
            raise ValueError("choose an alliance")
        spec = {"kind": kind, "alliance": form.alliance, "country": form.actor}
        verb = "joins" if kind == "join_alliance" else "leaves"
        return Inject("events", kind, spec, f"{actor} {verb} {form.alliance}", _target(form.actor))
    if not partners:
        raise ValueError("choose at least one partner other than the actor")
    if kind == "form_alliance":
        members = [form.actor, *partners]
        spec = {
            "type": form.alliance_type,
            "members": members,
            "hub": form.actor,
            "commitment": round(form.strength, 3),
        }
        kind_words = form.alliance_type.replace("_", "-")
        text = f"New {kind_words} pact of {_and([country_name(m) for m in members])}"
        return Inject("alliances", "pact", spec, text, _target(*partners, form.actor))
    policy: dict[str, Any] = {"kind": kind, "actor": form.actor, "partners": partners}
    amount_field = POLICY_AMOUNTS[kind]
    if amount_field == "strength":
        policy["strength"] = round(form.strength, 3)
    elif amount_field is not None:
        policy[amount_field] = form.amount
    if kind == "arms_transfer":
        delivery: dict[str, Any] = {"after": 0, "value_usd_m": form.amount}
        if form.item.strip():
            delivery["item"] = form.item.strip()
        policy["deliveries"] = [delivery]
    spec = {"kind": "policy", "policy": policy}
    if form.duration > 0 and kind != "arms_transfer":
        spec["duration"] = form.duration
    texts = {
        "task_force": f"{actor} stands up a task force with {names}{lasting}",
        "exercises": f"{actor} holds {form.amount:g} exercises a year with {names}{lasting}",
        "security_assistance": (
            f"{actor} adds US$ {form.amount:,.0f} m a year of security assistance to {names}"
            f"{lasting}"
        ),
        "arms_transfer": (
            f"{actor} delivers US$ {form.amount:,.0f} m of arms"
            + (f" ({form.item.strip()})" if form.item.strip() else "")
            + f" to {names}"
        ),
        "trade_agreement": (
            f"{actor} signs a trade deal with {names} (+{form.amount:.2f} trade share){lasting}"
        ),
        "ceasefire": (
            f"Ceasefire between {country_name(form.actor)} and {names}"
            f" (strength {form.strength:.2f}){lasting}"
        ),
        "deconfliction_channel": (
            f"{actor} and {names} open a deconfliction channel (strength {form.strength:.2f})"
            f"{lasting}"
        ),
    }
    return Inject("events", kind, spec, texts[kind], _target(*partners, form.actor))


def unique_name(definition: Scenario, inject: Inject, month: int) -> str:
    """A fresh entry name for an inject, such as ``incident_m5`` or ``incident_m5_2``."""
    taken = set(definition.events) | set(definition.alliances)
    base = f"{inject.stem}_m{month}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def definition_with(definition: Scenario, inject: Inject, name: str, month: int) -> Scenario:
    """The scenario plus the inject at ``month`` (the same logic as ``model.inject``).

    Raises:
        ValueError: When the entry does not validate (the message says what is wrong).
    """
    data = definition.model_dump(mode="json", exclude_none=True)
    when = {"events": "step", "alliances": "start"}[inject.block]
    data.setdefault(inject.block, {})[name] = {**inject.spec, when: month}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None


# --------------------------------------------------------------------------------------------
# The model behind one browser session


@dataclass(frozen=True)
class SessionInject:
    """An inject the facilitator applied.

    Attributes:
        month: Month at which it was applied (it acts in the following turn).
        name: Its entry name in the session's scenario.
        inject: What was injected.
    """

    month: int
    name: str
    inject: Inject


def load_definition(
    scenario_name: str,
    scenario_file: str = "",
    seed: str = "",
    incident_rate: float = 1.0,
    deterrence: float = 1.0,
    arms_reaction: float = 1.0,
) -> tuple[Scenario, list[str]]:
    """Load the scenario the sidebar settings describe.

    Args:
        scenario_name: A shipped scenario.
        scenario_file: A scenario file; when given it replaces ``scenario_name``.
        seed: Base seed as text (blank: the scenario's).
        incident_rate: Multiplier of the scenario's incident hazard.
        deterrence: Multiplier of the weight of allied deterrence on escalation.
        arms_reaction: Multiplier of the Richardson arms-race reaction.

    Returns:
        The scenario, and the problems met (each setting that could not be used is skipped,
        with a message saying why).
    """
    problems: list[str] = []
    definition = None
    if scenario_file.strip():
        try:
            definition = load_scenario(scenario_file.strip())
        except ScenarioError as exc:
            problems.append(f"Could not load {scenario_file.strip()!r}; showing {scenario_name}.")
            problems.append(str(exc))
    if definition is None:
        definition = load_scenario(scenario_name)
    data = definition.model_dump(mode="json", exclude_none=True)
    changed = False
    if str(seed).strip():
        try:
            data["seed"] = int(str(seed).strip())
            changed = True
        except ValueError:
            problems.append(f"Seed {seed!r} is not a whole number; using the scenario's seed.")
    params = data["parameters"]
    for group, key, factor in (
        ("incidents", "base_hazard", incident_rate),
        ("incidents", "escalation_deterrence", deterrence),
        ("arms", "reaction", arms_reaction),
    ):
        if factor != 1.0:
            params[group][key] = params[group][key] * factor
            changed = True
    if changed:
        try:
            definition = Scenario.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problems.append(f"Settings not applied: {where}: {first['msg']}")
    return definition, problems


class DashboardModel(IndoPacificModel):
    """The session model: the scenario chosen in the sidebar, stepped by Mesa's controls.

    Its keyword arguments are the sidebar settings (Mesa's ``model_params``), so that Mesa's
    Reset rebuilds it from them. It also keeps what the dashboard shows: per-month dyad
    tension and spending, and the injects applied. Stepping and injecting hold :attr:`lock`,
    because Mesa's Play steps from a worker thread.

    Args:
        scenario_name: A shipped scenario.
        scenario_file: A scenario file (replaces ``scenario_name`` when given).
        seed: Base seed as text (blank: the scenario's).
        incident_rate: Multiplier of the incident hazard.
        deterrence: Multiplier of the weight of allied deterrence.
        arms_reaction: Multiplier of the arms-race reaction.

    Attributes:
        problems: Settings that could not be used, in plain words.
        levers: The multipliers of the sidebar that differ from 1.
        session_injects: The injects applied, in order.
        tension_history: Dyad tension over upper-triangle dyads, one array per month.
        milex_history: Military spending per country, one array per month.
        revision: Increases with every inject (for caching views).
        lock: Held while the model changes.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        scenario_file: str = "",
        seed: str = "",
        incident_rate: float = 1.0,
        deterrence: float = 1.0,
        arms_reaction: float = 1.0,
    ) -> None:
        definition, problems = load_definition(
            scenario_name, scenario_file, seed, incident_rate, deterrence, arms_reaction
        )
        super().__init__(definition)
        self.problems = problems
        multipliers = {
            "incidents": incident_rate,
            "deterrence": deterrence,
            "arms reaction": arms_reaction,
        }
        self.levers = {name: value for name, value in multipliers.items() if value != 1.0}
        self.session_injects: list[SessionInject] = []
        self.tension_history: list[np.ndarray] = []
        self.milex_history: list[np.ndarray] = []
        self.revision = 0
        self.lock = threading.RLock()
        self._record()

    def _record(self, *, replace_last: bool = False) -> None:
        """Keep this month's dyad tension and spending."""
        if replace_last:
            self.tension_history.pop()
            self.milex_history.pop()
        world = self.world
        self.tension_history.append(self.state.tension[0, world.dyad_i, world.dyad_j].copy())
        self.milex_history.append(self.state.milex[0].copy())

    def step(self) -> None:
        """Advance one month (nothing happens past the horizon)."""
        with self.lock:
            before = self.month
            super().step()
            if self.month > before:
                self._record()

    def apply(self, inject: Inject) -> str:
        """Apply an inject now and record it.

        Returns:
            The name of the new entry in the session's scenario.

        Raises:
            ValueError: When the scenario has ended or the inject does not validate.
        """
        with self.lock:
            if self.finished:
                raise ValueError(
                    f"the scenario has ended (month {self.month}); press Reset to play again"
                )
            _check_membership(self, inject)
            name = unique_name(self.definition, inject, self.month)
            self.inject(inject.block, name, inject.spec)
            self.session_injects.append(SessionInject(self.month, name, inject))
            self.revision += 1
            self._record(replace_last=True)
            return name

    def session_table(self) -> pd.DataFrame:
        """The session's model metrics so far, one row per month (as ``model.csv``)."""
        with self.lock:
            frame = pd.DataFrame(
                {name: list(values) for name, values in self.datacollector.model_vars.items()}
            )
        frame.insert(0, "step", np.arange(len(frame)))
        return frame[["step", *metrics.MODEL_METRICS]]

    def session_csv(self) -> str:
        """:meth:`session_table` as CSV text (full precision)."""
        return self.session_table().to_csv(index=False, float_format="%.17g")

    def report_html(self) -> str:
        """The after-action HTML report of the session's scenario, run to its horizon.

        The session's own replicate is run with the batched engine, written with
        :func:`sim.output.write_run` and rendered with :func:`sim.report.render_report`; the
        months played are exactly the session's.
        """
        from sim.engine import simulate
        from sim.output import write_run
        from sim.report import render_report

        with self.lock:
            world, definition, text = self.world, self.definition, self.to_yaml()
        trajectory = simulate(world, [self.replicate], seed=self.seed)
        with tempfile.TemporaryDirectory(prefix="geosim-report-") as tmp:
            write_run(Path(tmp), trajectory, definition, text)
            return render_report(Path(tmp))


def _check_membership(model: IndoPacificModel, inject: Inject) -> None:
    """Refuse joining an alliance one is in, or leaving one one is not in."""
    kind = inject.spec.get("kind")
    if kind not in ("join_alliance", "leave_alliance"):
        return
    world, alliance, country = model.world, inject.spec["alliance"], inject.spec["country"]
    if alliance not in world.alliance_names:
        return  # the scenario's validation reports it
    member = bool(
        model.state.members[0, world.alliance_names.index(alliance), world.index(country)]
    )
    if kind == "join_alliance" and member:
        raise ValueError(f"{country_name(country)} is already a member of {alliance}")
    if kind == "leave_alliance" and not member:
        raise ValueError(f"{country_name(country)} is not a member of {alliance}")


def report_available() -> bool:
    """Whether the after-action report (:mod:`sim.report`) is installed."""
    return importlib.util.find_spec("sim.report") is not None


# --------------------------------------------------------------------------------------------
# "What if": the batched engine, with and without the pending inject


@dataclass(frozen=True)
class Branch:
    """Final-month outcomes of N replicates without and with an inject (same seeds).

    Attributes:
        summary: The inject, in plain words.
        month: Month at which it would act.
        horizon: Final month.
        replicates: Replicates per branch.
        target: Country whose alignment is compared.
        without: Outcome name → values over replicates, without the inject.
        with_inject: The same, with the inject.
    """

    summary: str
    month: int
    horizon: int
    replicates: int
    target: str
    without: dict[str, np.ndarray] = field(repr=False)
    with_inject: dict[str, np.ndarray] = field(repr=False)

    def rows(self) -> list[tuple[str, float, float, float]]:
        """Outcome label, mean without, mean with, and mean paired difference."""
        keys = {
            "Regional tension": "regional_tension",
            "Crisis or worse (share of runs)": "p_crisis",
            "Highest rung reached (0–5)": "max_escalation",
            "US credibility": "us_credibility",
            f"Alignment of {NAMES.get(self.target, self.target)}": f"alignment.{self.target}",
        }
        rows = []
        for label, key in keys.items():
            a, b = self.without[key], self.with_inject[key]
            rows.append((label, float(a.mean()), float(b.mean()), float((b - a).mean())))
        return rows


def run_branch(model: DashboardModel, inject: Inject, replicates: int) -> Branch:
    """Run the session's scenario N times with and without ``inject`` at the current month.

    Both branches use the session's seed, so replicate r meets the same random draws in
    each; replicate 0 is the session itself. The inject is validated the way
    :meth:`~sim.model.IndoPacificModel.inject` validates it.

    Raises:
        ValueError: When the inject does not validate.
    """
    from sim.engine import final_outcomes
    from sim.world import compile_world

    with model.lock:
        _check_membership(model, inject)
        base, month, seed = model.definition, model.month, model.seed
    name = unique_name(base, inject, month)
    changed = definition_with(base, inject, name, month)
    without = final_outcomes(compile_world(base), replicates, seed=seed)
    with_inject = final_outcomes(compile_world(changed), replicates, seed=seed)
    return Branch(
        inject.summary, month, base.horizon, replicates, inject.target, without, with_inject
    )


# --------------------------------------------------------------------------------------------
# Charts (matplotlib Figures, rendered to PNG: no browser-side plotting library needed)
#
# Sizes are in inches at 100 display pixels per inch: a 3.3-inch chart fills a ~330-pixel
# column at 1366 × 768 with 7–9 pt text that stays legible; PNGs are rendered at 130 dpi.

#: Size of each live chart, inches.
CHART_SIZE = (3.3, 2.45)
#: Legend of the time-series charts: top left, over a translucent background.
LEGEND = {
    "fontsize": 6,
    "loc": "upper left",
    "framealpha": 0.85,
    "edgecolor": "none",
    "handlelength": 1.2,
}


def _axes(fig: Figure, *args: int) -> Any:
    """Styled axes: light grid, no top/right spines, small ticks."""
    ax = fig.add_subplot(*args) if args else fig.add_subplot()
    ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=6.5, length=2, pad=2)
    return ax


def _title(ax: Any, text: str) -> None:
    # A fixed y (and fixed axis-label positions below) spares matplotlib measuring tick labels.
    ax.set_title(text, fontsize=8.5, pad=4, y=1.0)


def png(fig: Figure, dpi: int = 130) -> bytes:
    """Render a figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _inject_marks(ax: Any, model: DashboardModel) -> None:
    for record in model.session_injects:
        ax.axvline(record.month, color="#555555", linestyle=":", linewidth=0.9)


def tension_figure(model: DashboardModel) -> Figure:
    """Regional tension and the four currently most tense dyads, month by month."""
    with model.lock:
        regional = list(model.datacollector.model_vars["regional_tension"])
        dyads = np.array(model.tension_history)
        world = model.world
    months = np.arange(len(regional))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.13, right=0.96, top=0.9, bottom=0.14)
    ax = _axes(fig)
    dot = {"marker": "o", "markersize": 3} if len(months) == 1 else {}  # month 0 alone
    ax.plot(months, regional, color="black", linewidth=2.0, label="region", **dot)
    for rank, d in enumerate(np.argsort(dyads[-1])[::-1][:4]):
        label = f"{world.codes[world.dyad_i[d]]}–{world.codes[world.dyad_j[d]]}"
        color = PALETTE[(rank + 1) % 8]
        ax.plot(months, dyads[:, d], color=color, linewidth=1.2, label=label, **dot)
    _inject_marks(ax, model)
    ax.set_xlim(0, world.horizon)
    ax.set_ylim(0, 1)
    _title(ax, "Tension: region and hottest dyads")
    ax.set_xlabel("month", fontsize=7)
    ax.set_ylabel("0 calm – 1 maximal", fontsize=7)
    ax.xaxis.set_label_coords(0.5, -0.1)
    ax.yaxis.set_label_coords(-0.11, 0.5)
    ax.legend(**LEGEND, ncols=3)
    return fig


def alignment_figure(model: DashboardModel) -> Figure:
    """Every country's position on the China–US axis: month 0 and now."""
    with model.lock:
        start = model.world.alignment0.copy()
        now = model.state.alignment[0].copy()
        codes, month = model.world.codes, model.month
    order = np.argsort(start)
    rows = np.arange(len(order))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.08)
    ax = _axes(fig)
    ax.axvspan(-0.2, 0.2, color=HEDGE_COLOR, alpha=0.15, linewidth=0)
    ax.text(0, len(order) - 0.2, "hedging", ha="center", fontsize=6, color="#555555")
    for row, i in zip(rows, order, strict=True):
        ax.plot([start[i], now[i]], [row, row], color="#999999", linewidth=0.9)
    colors = [
        US_COLOR if a >= 0.2 else CHINA_COLOR if a <= -0.2 else HEDGE_COLOR for a in now[order]
    ]
    ax.scatter(start[order], rows, marker="|", color="#555555", s=30, label="month 0")
    ax.scatter(now[order], rows, color=colors, s=16, zorder=3, label=f"month {month}")
    ax.set_yticks(rows, [codes[i] for i in order], fontsize=6)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-0.7, len(order) + 0.3)
    _title(ax, "Alignment: China (−1) ↔ US (+1)")
    ax.legend(fontsize=6, loc="lower right", frameon=False, handlelength=1)
    return fig


def _ties(model: DashboardModel) -> list[tuple[str, str, str, float]]:
    """Alliance ties in force now: (a, b, type, commitment × credibility)."""
    world, state = model.world, model.state
    t = state.step
    ties = []
    for k, kind in enumerate(world.alliance_types):
        if not state.alliance_start[0, k] <= t < state.alliance_end[0, k]:
            continue
        members = [world.codes[i] for i in np.nonzero(state.members[0, k])[0]]
        if len(members) < 2:
            continue
        weight = float(state.commitment[0, k] * state.credibility[0, k])
        hub = world.codes[world.hub[k]]
        if kind in ("collective_defence", "minilateral"):
            pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        else:
            spokes = [m for m in members if m != hub]
            pairs = [(hub, m) for m in spokes] if hub in members else []
        ties += [(a, b, kind, weight) for a, b in pairs]
    return ties


def network_figure(model: DashboardModel) -> Figure:
    """The alliance network now: ties by type, width by commitment × credibility."""
    with model.lock:
        ties = _ties(model)
        alignment = dict(zip(model.world.codes, model.state.alignment[0], strict=True))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.01)
    ax = fig.add_subplot()
    ax.set_axis_off()
    for a, b, kind, weight in ties:
        (xa, ya), (xb, yb) = MAP_POSITIONS[a], MAP_POSITIONS[b]
        style, color = TIE_STYLES[kind]
        width = 0.5 + 3 * weight
        ax.plot([xa, xb], [ya, yb], linestyle=style, color=color, linewidth=width, alpha=0.8)
    codes = list(MAP_POSITIONS)
    xs, ys = zip(*(MAP_POSITIONS[c] for c in codes), strict=True)
    colors = [alignment[c] for c in codes]
    node = {"s": 60, "zorder": 3, "edgecolors": "#333333", "linewidths": 0.5}
    ax.scatter(xs, ys, c=colors, cmap=ALIGNMENT_CMAP, vmin=-1, vmax=1, **node)
    label = {"textcoords": "offset points", "ha": "center", "va": "top", "fontsize": 5.5}
    for code, x, y in zip(codes, xs, ys, strict=True):
        ax.annotate(code, (x, y), xytext=(0, -6), **label)
    present = sorted({kind for _, _, kind, _ in ties}, key=list(TIE_STYLES).index)
    handles = []
    for kind in present:
        style, color = TIE_STYLES[kind]
        handles.append(Line2D([], [], linestyle=style, color=color, label=kind.replace("_", " ")))
    ax.legend(handles=handles, fontsize=6, loc="lower left", frameon=False, handlelength=2)
    ax.set_xlim(70, 166)
    ax.set_ylim(-27, 44)
    _title(ax, "Alliances (width: commitment × credibility)")
    return fig


def arms_figure(model: DashboardModel) -> Figure:
    """Military spending of the main actors, % change since month 0."""
    with model.lock:
        milex = np.array(model.milex_history)
        world = model.world
    months = np.arange(len(milex))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.13, right=0.96, top=0.9, bottom=0.14)
    ax = _axes(fig)
    for rank, code in enumerate(ARMS_ACTORS):
        i = world.index(code)
        change = 100.0 * (milex[:, i] / milex[0, i] - 1.0)
        ax.plot(months, change, color=PALETTE[rank % 8], linewidth=1.2, label=code)
    _inject_marks(ax, model)
    ax.axhline(0, color="#555555", linewidth=0.7)
    ax.set_xlim(0, world.horizon)
    low, high = ax.get_ylim()
    ax.set_ylim(min(low, -1.0), max(high, 5.0))  # no magnified noise in the first months
    _title(ax, "Arms spending, % change since month 0")
    ax.set_xlabel("month", fontsize=7)
    ax.xaxis.set_label_coords(0.5, -0.1)
    ax.legend(**LEGEND, ncols=4)
    return fig


def branch_figure(branch: Branch) -> Figure:
    """The two branches' final-month distributions, side by side, outcome by outcome."""
    fig = Figure(figsize=(6.8, 2.3))
    fig.subplots_adjust(left=0.06, right=0.99, top=0.88, bottom=0.17, wspace=0.35)
    panels = (
        ("regional_tension", "Regional tension"),
        ("us_credibility", "US credibility"),
        (f"alignment.{branch.target}", f"Alignment of {branch.target}"),
    )
    rng = np.random.default_rng(0)
    for column, (key, title) in enumerate(panels, start=1):
        ax = _axes(fig, 1, 4, column)
        data = [branch.without[key], branch.with_inject[key]]
        box = ax.boxplot(data, widths=0.5, showfliers=False, patch_artist=True)
        for patch, color in zip(box["boxes"], (WITHOUT_COLOR, WITH_COLOR), strict=True):
            patch.set(facecolor=color, alpha=0.25, edgecolor=color)
        for median in box["medians"]:
            median.set(color="black")
        for position, (values, color) in enumerate(
            zip(data, (WITHOUT_COLOR, WITH_COLOR), strict=True), start=1
        ):
            jitter = rng.uniform(-0.12, 0.12, len(values))
            ax.scatter(position + jitter, values, s=5, color=color, alpha=0.7, zorder=3)
        ax.set_xticks([1, 2], ["without", "with"], fontsize=7)
        _title(ax, title)
    ax = _axes(fig, 1, 4, 4)
    rungs = range(2, 6)
    x = np.arange(len(rungs))
    for offset, (outcome, color, label) in zip(
        (-0.2, 0.2),
        ((branch.without, WITHOUT_COLOR, "without"), (branch.with_inject, WITH_COLOR, "with")),
        strict=True,
    ):
        shares = [float((outcome["max_escalation"] >= r).mean()) for r in rungs]
        ax.bar(x + offset, shares, width=0.4, color=color, alpha=0.8, label=label)
    ax.set_xticks(x, [RUNGS[r] for r in rungs], fontsize=6.5, rotation=30)
    ax.set_ylim(0, 1)
    _title(ax, "Share of runs reaching")
    ax.legend(fontsize=6, frameon=False)
    return fig


# --------------------------------------------------------------------------------------------
# The turn log, in plain words


def narrate(event: dict[str, Any], injects: dict[str, SessionInject]) -> tuple[str, str] | None:
    """One log record as (CSS class, sentence); None for records shown otherwise."""
    kind = event["type"]
    actors = [country_name(a) for a in event.get("actors") or []]
    pair = " and ".join(actors[:2])
    level = (event.get("level") or "calm").replace("_", "-")
    rung = RUNG_PHRASES.get(level, level)
    cause = event.get("cause") or ""
    if kind == "incident":
        return "entry", f"Incident between {pair} ({level}): {cause}"
    if kind == "escalation":
        return "entry escalation", f"Escalation: {pair} climb to {rung}"
    if kind == "deescalation":
        return "entry minor", f"De-escalation: {pair} step down to {rung}"
    if kind in ("alliance_response", "abandonment"):
        alliance, _, rest = cause.partition(": ")
        if kind == "alliance_response":
            return "entry minor", f"Alliance {alliance} stood by its members ({rest})"
        return "entry escalation", f"Allies felt abandoned: {alliance} did not respond ({rest})"
    if kind.startswith("inject:"):
        name = cause.removeprefix("event ").removesuffix(" (condition met)")
        if name in injects:
            return None  # shown as the facilitator's move
        what = kind.removeprefix("inject:").replace("_", " ")
        who = f" ({', '.join(actors)})" if actors else ""
        return "entry", f"Scheduled event {name}: {what}{who}"
    return "entry", f"{kind}: {pair} {cause}".strip()


def turn_log_html(model: DashboardModel) -> str:
    """The turn log as HTML, newest month first; injects head the turn they act in."""
    with model.lock:
        events = list(model.events)
        injects = {record.name: record for record in model.session_injects}
        month = model.month
    by_month: dict[int, list[tuple[str, str]]] = {}
    for record in injects.values():
        by_month.setdefault(record.month + 1, []).append(
            ("entry inject", f"Facilitator inject: {record.inject.summary}")
        )
    for event in events:
        line = narrate(event, injects)
        if line is not None:
            by_month.setdefault(int(event["step"]), []).append(line)
    parts = []
    for step in sorted(by_month, reverse=True):
        heading = f"Month {step}" + (" (next turn)" if step > month else "")
        parts.append(f'<div class="month">{html.escape(heading)}</div>')
        parts += [f'<div class="{css}">{html.escape(text)}</div>' for css, text in by_month[step]]
    if not parts:
        parts.append('<div class="entry minor">Nothing yet: press Step to play a month.</div>')
    return "".join(parts)


def status_items(model: DashboardModel) -> list[tuple[str, str]]:
    """The status line: (label, value) pairs."""
    with model.lock:
        world, state = model.world, model.state
        levels = state.level[0, world.dyad_i, world.dyad_j]
        values = {name: model.metric(name) for name in metrics.MODEL_METRICS}
        month, horizon, name = model.month, world.horizon, model.definition.name
    hottest = "calm everywhere"
    if levels.max() > 0:
        d = int(np.argmax(levels))
        pair = f"{world.codes[world.dyad_i[d]]}–{world.codes[world.dyad_j[d]]}"
        active = int((levels > 0).sum())
        more = f" (+{active - 1} more)" if active > 1 else ""
        hottest = f"{pair} {RUNGS[int(levels[d])]}{more}"
    levers = ", ".join(f"{key} ×{value:g}" for key, value in model.levers.items())
    return [
        ("Scenario", name + (f" ({levers})" if levers else "")),
        ("Month", f"{month} of {horizon}"),
        ("Regional tension", f"{values['regional_tension']:.3f}"),
        ("Hottest dyad", hottest),
        ("Incidents this month", f"{values['incidents']:.0f}"),
        ("US credibility", f"{values['us_credibility']:.2f}"),
        ("Hedgers", f"{values['hedgers']:.0f}"),
    ]


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
        except Exception as exc:  # the report module is someone else's: show, do not crash
            error.set(f"Could not make the report: {exc}")

    with solara.Row(gap="10px", style="align-items: center; flex-wrap: wrap; margin: 8px 0"):
        DownloadLink("Scenario YAML", f"{name}_session.yaml", text, "application/yaml")
        DownloadLink(
            "Session numbers (CSV)", f"{name}_session.csv", model.session_csv(), "text/csv"
        )
        if not report_available():
            solara.Text("(The after-action report needs sim.report.)", classes=["geosim-hint"])
        elif report.value is not None and report.value[:2] == current:
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
    """The page ``solara run sim.app`` serves."""
    Dashboard()


#: The page served by ``solara run sim.app`` (SolaraViz-based).
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
        "sim.app",
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

    Runs ``solara run sim.app`` (production mode) in this process, bound to ``host`` —
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
