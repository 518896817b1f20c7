"""Located problems: how they are worded and that they travel (pickle)."""

from __future__ import annotations

import pickle

from sim.scenario.problems import Problem, ScenarioError


def test_problem_format() -> None:
    problem = Problem(
        "scenarios/my.yaml",
        14,
        "policies.us_vnm.usd_m_per_year",
        "expected a number >= 0, got -5",
        "security assistance is in US$ million per year",
    )
    assert problem.format() == (
        "scenarios/my.yaml:14: policies.us_vnm.usd_m_per_year: expected a number >= 0, got -5\n"
        "  hint: security assistance is in US$ million per year"
    )
    err = ScenarioError([problem, problem])
    assert str(err).count("scenarios/my.yaml:14") == 2
    assert pickle.loads(pickle.dumps(err)).problems == err.problems
    assert Problem("x.yaml", None, "(file)", "the file is empty").format() == (
        "x.yaml: the file is empty"
    )
