"""Scenario files for the tests of the scenario layer: a small base file and readers."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from sim.scenario.loader import load_scenario
from sim.scenario.problems import Problem, ScenarioError

BASE = """\
name: base
description: A small base scenario
horizon: 60
seed: 7
countries:
  PHL:
    alignment: 0.4
    source: SIPRI Milex 2025
alliances:
  quad:
    type: minilateral
    members: [USA, JPN, IND, AUS]
policies:
  us_phl:
    kind: security_assistance
    actor: USA
    partners: [PHL]
    usd_m_per_year: 500
  us_vnm:
    kind: exercises
    actor: USA
    partners: [VNM]
    per_year: 4
events:
  shoal:
    kind: incident
    step: 12
    actors: [CHN, PHL]
    level: standoff
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` (dedented) as ``folder/name``."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(ref: Any, overrides: tuple[str, ...] = ()) -> ScenarioError:
    """The error loading ``ref`` raises."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(ref, overrides)
    return info.value


def only(err: ScenarioError) -> Problem:
    """The one problem of an error."""
    assert len(err.problems) == 1, str(err)
    return err.problems[0]


def line_of(path: Path, needle: str) -> int:
    """The first line of a file that contains ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
