"""The scenario layer: what an experiment is, before anything runs.

Baseline data (:mod:`~sim.scenario.baseline`), model coefficients
(:mod:`~sim.scenario.parameters`), the escalation ladder (:mod:`~sim.scenario.ladder`), the
condition grammar (:mod:`~sim.scenario.conditions`), the schema (:mod:`~sim.scenario.schema`),
safe YAML in and out (:mod:`~sim.scenario.yaml_io`), ``extends`` and ``--set``
(:mod:`~sim.scenario.loader`), and located problems (:mod:`~sim.scenario.problems`,
:mod:`~sim.scenario.translate`). Nothing here imports the layers above it.
"""

from sim.scenario.loader import (
    load_raw,
    load_scenario,
    resolve,
    resolve_reference,
    shipped_scenarios,
)
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import scenario_to_yaml

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_raw",
    "load_scenario",
    "resolve",
    "resolve_reference",
    "scenario_to_yaml",
    "shipped_scenarios",
]
