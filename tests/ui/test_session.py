"""The session model: injects through the Mesa model's own inject, branches on the same seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ui.injects import InjectForm, build_inject
from sim.ui.session import DashboardModel, load_definition, run_branch


def test_sidebar_settings_scale_their_coefficients_and_bad_ones_are_reported() -> None:
    definition, problems = load_definition("hub_and_spoke", seed="17", incident_rate=2.0)
    assert definition.seed == 17 and problems == []
    assert definition.parameters.incidents.base_hazard == pytest.approx(0.3)
    _, problems = load_definition("hub_and_spoke", seed="seventeen")
    assert problems == ["Seed 'seventeen' is not a whole number; using the scenario's seed."]
    _, problems = load_definition("hub_and_spoke", incident_rate=1e9)
    assert problems[0].startswith("Settings not applied: parameters.incidents.base_hazard:")


def test_an_applied_inject_is_recorded_and_replays_the_past_unchanged() -> None:
    model = DashboardModel("hub_and_spoke", seed="3")
    for _ in range(3):
        model.step()
    tension = list(model.tension_history)
    name = model.apply(build_inject(InjectForm(kind="incident", actor="CHN", other="PHL")))
    assert name == "incident_m3" and model.session_injects[-1].name == name
    assert model.definition.events[name].step == 3
    np.testing.assert_array_equal(model.tension_history[:3], tension[:3])
    assert len(model.session_table()) == 4
    with pytest.raises(ValueError, match="not a member"):
        model.apply(
            build_inject(InjectForm(kind="leave_alliance", alliance="us_japan", actor="VNM"))
        )


def test_a_branch_runs_both_futures_on_the_same_seeds() -> None:
    model = DashboardModel("hub_and_spoke", seed="3")
    inject = build_inject(InjectForm(kind="incident", actor="CHN", other="PHL", level="crisis"))
    branch = run_branch(model, inject, 12)
    assert branch.replicates == 12 and branch.month == 0
    assert (branch.with_inject["p_crisis"] == 1).all()
    assert branch.without["p_crisis"].mean() < 1
    labels = [row[0] for row in branch.rows()]
    assert labels[-1] == "Alignment of Philippines"
