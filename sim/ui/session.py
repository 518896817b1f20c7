"""The model behind one browser session, and its "what if" branches.

:class:`DashboardModel` is the scenario chosen in the sidebar, stepped by Mesa's controls; it
keeps what the dashboard shows and applies injects through the Mesa model's own
:meth:`~sim.core.model.IndoPacificModel.inject`. :func:`run_branch` runs the session's scenario
with and without a pending inject on the same seeds, with the batched engine.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.core import metrics
from sim.core.compile import compile_world
from sim.core.engine import final_outcomes, simulate
from sim.core.model import IndoPacificModel
from sim.outputs.narrative import NAMES, country_name
from sim.outputs.report import render_report
from sim.outputs.writers import write_run
from sim.scenario.loader import load_scenario
from sim.scenario.problems import ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.translate import first_problem
from sim.ui.injects import Inject, unique_name

#: Scenario shown when none is given.
DEFAULT_SCENARIO = "hub_and_spoke"


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
            problems.append(f"Settings not applied: {first_problem(exc)}")
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
            check_membership(self, inject)
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
        :func:`sim.outputs.writers.write_run` and rendered with
        :func:`sim.outputs.report.render_report`; the months played are exactly the session's.
        """
        with self.lock:
            world, definition, text = self.world, self.definition, self.to_yaml()
        trajectory = simulate(world, [self.replicate], seed=self.seed)
        with tempfile.TemporaryDirectory(prefix="geosim-report-") as tmp:
            write_run(Path(tmp), trajectory, definition, text)
            return render_report(Path(tmp))


def check_membership(model: IndoPacificModel, inject: Inject) -> None:
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
    each; replicate 0 is the session itself. The inject is validated by
    :meth:`~sim.core.model.IndoPacificModel.with_inject`, as applying it would be.

    Raises:
        ValueError: When the inject does not validate.
    """
    with model.lock:
        check_membership(model, inject)
        base, month, seed = model.definition, model.month, model.seed
        changed = model.with_inject(inject.block, unique_name(base, inject, month), inject.spec)
    without = final_outcomes(compile_world(base), replicates, seed=seed)
    with_inject = final_outcomes(compile_world(changed), replicates, seed=seed)
    return Branch(
        inject.summary, month, base.horizon, replicates, inject.target, without, with_inject
    )
