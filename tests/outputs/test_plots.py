"""Plots: every figure is written, as PNG (and SVG where a report or a paper wants it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run

from sim.outputs import plots
from sim.studies.compare import run_comparison
from sim.studies.stylized import FACTS, Result


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


@pytest.fixture(scope="module")
def trajectory():
    return run(6, horizon=24)


def test_run_plots_are_images(tmp_path: Path, trajectory) -> None:
    plots.tension_plot(trajectory, tmp_path / "tension.png")
    plots.alignment_plot(trajectory, tmp_path / "alignment.png")
    assert _is_png(tmp_path / "tension.png") and _is_png(tmp_path / "alignment.png")


def test_comparison_plots_write_every_figure_as_png_and_svg(tmp_path: Path) -> None:
    from conftest import scenario

    a = scenario(name="a", horizon=12)
    b = scenario(name="b", horizon=12, policies={
        "tf": {"kind": "task_force", "actor": "USA", "partners": ["PHL"]}})  # fmt: skip
    written = plots.comparison_plots(run_comparison([a, b], 4), tmp_path)
    assert [p.stem for p in written] == ["tension", "alignment", "network", "escalation", "arms"]
    for png in written:
        assert _is_png(png)
        assert png.with_suffix(".svg").read_text().lstrip().startswith("<?xml")


def test_the_forest_plot_of_the_facts(tmp_path: Path) -> None:
    fact = FACTS[0]
    results = [Result(fact, 0.1, 0.05, 0.15, 10, 0.5, 0.1, "holds")]
    written = plots.plot_facts(results, tmp_path / "forest")
    assert all(_is_png(p) for p in written if p.suffix == ".png")


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path, trajectory) -> None:
    from conftest import scenario

    comparison = run_comparison([scenario(name="a", horizon=6), scenario(name="b", horizon=6)], 3)
    for folder in (tmp_path / "one", tmp_path / "two"):
        plots.comparison_plots(comparison, folder)
        plots.tension_plot(trajectory, folder / "run_tension.png")
    for first in sorted((tmp_path / "one").iterdir()):
        assert first.read_bytes() == (tmp_path / "two" / first.name).read_bytes(), first.name
