"""The dashboard's charts are built from the session and drawn as PNG."""

from __future__ import annotations

from sim.ui import charts
from sim.ui.injects import InjectForm, build_inject
from sim.ui.session import DashboardModel, run_branch


def test_every_chart_draws_and_the_network_shows_the_ties_in_force() -> None:
    model = DashboardModel("hub_and_spoke", seed="2")
    for _ in range(2):
        model.step()
    for figure in (charts.tension_figure, charts.alignment_figure, charts.network_figure,
                   charts.arms_figure):  # fmt: skip
        assert charts.png(figure(model)).startswith(b"\x89PNG")
    ties = {(a, b, kind) for a, b, kind, _ in charts.ties_in_force(model)}
    assert ("USA", "JPN", "bilateral_treaty") in ties
    inject = build_inject(InjectForm(kind="incident", actor="CHN", other="PHL"))
    assert charts.png(charts.branch_figure(run_branch(model, inject, 10))).startswith(b"\x89PNG")
