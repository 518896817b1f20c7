"""The status line and the turn log of a session, in plain words."""

from __future__ import annotations

import numpy as np

from sim.ui.injects import InjectForm, build_inject
from sim.ui.session import DashboardModel
from sim.ui.views import status_items, turn_log_html


def test_the_turn_log_shows_the_facilitators_inject_once_and_the_narrators_lines() -> None:
    model = DashboardModel("scs_crisis", seed="4")
    assert "Nothing yet" in turn_log_html(model)
    model.apply(build_inject(InjectForm(kind="incident", actor="CHN", other="PHL")))
    for _ in range(3):
        model.step()
    log = turn_log_html(model)
    assert log.count("Facilitator inject: Incident between China and the Philippines") == 1
    assert "event incident_m0" not in log  # its own record is not repeated
    assert log.index("Month 3") < log.index("Month 1")  # newest first
    assert "CHN–PHL" in log


def test_the_status_line_names_the_month_and_the_hottest_dyad() -> None:
    model = DashboardModel("hub_and_spoke", seed="4", incident_rate=2.0)
    items = dict(status_items(model))
    assert items["Month"] == "0 of 120"
    assert items["Scenario"] == "hub_and_spoke (incidents ×2)"
    # The run starts inside the status quo's incident process, so some dyad is already active;
    # the line names the highest rung and counts the others.
    world, state = model.world, model.state
    levels = state.level[0, world.dyad_i, world.dyad_j]
    active = int((levels > 0).sum())
    hottest = items["Hottest dyad"]
    if active == 0:
        assert hottest == "calm everywhere"
    else:
        d = int(np.argmax(levels))
        assert world.codes[world.dyad_i[d]] in hottest and world.codes[world.dyad_j[d]] in hottest
        assert (f"(+{active - 1} more)" in hottest) == (active > 1)
