"""Two coefficients at once: the grid, the rule of indifference on known answers, the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.outputs.plots import plot_surface
from sim.studies.calibrate import objective
from sim.studies.surface import Surface, grid, markdown, surface


def _made_up(loss: np.ndarray) -> Surface:
    rows, columns = loss.shape[1:]
    return Surface(
        target="alignment",
        names=("alignment.rate", "alignment.inducement_weight"),
        grids=(tuple(np.linspace(1, rows, rows)), tuple(np.linspace(1, columns, columns))),
        loss=loss,
        shipped=(2.0, 2.0),
        start=2015,
    )


def test_a_valley_along_the_diagonal_leaves_neither_coefficient_identified() -> None:
    """A loss that depends on a + b only: the record tells their sum, not each."""
    a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    shape = 1.0 + 0.2 * np.abs(a + b - 4)  # lowest on the anti-diagonal a + b = 4
    seeds = np.array([0.0, 0.3, -0.2])[:, None, None]  # every point of a seed shifted alike
    result = _made_up(shape[None] + seeds)
    assert np.array_equal(result.indifferent, a + b == 4)
    assert result.reaches_both_ends(0) and result.reaches_both_ends(1)
    assert np.allclose(result.paired_se, 0)  # common random numbers: no paired noise


def test_a_bowl_pins_both_and_noise_widens_what_cannot_be_told_apart() -> None:
    a, b = np.meshgrid(np.arange(7), np.arange(7), indexing="ij")
    bowl = 1.0 + 0.1 * ((a - 3) ** 2 + (b - 2) ** 2)
    quiet = _made_up(np.stack([bowl, bowl + 0.5]))
    assert quiet.best == (3, 2)
    assert quiet.indifferent.sum() == 1 and quiet.span(0) == (4.0, 4.0)
    assert not quiet.reaches_both_ends(0)
    rng = np.random.default_rng(1)
    noisy = _made_up(bowl[None] + rng.normal(0, 0.3, (5, 7, 7)))
    assert noisy.indifferent.sum() > 1  # paired noise of 0.3 hides rises of 0.1
    assert noisy.indifferent[noisy.best]


def test_the_floor_the_mean_and_the_connection_decide_what_cannot_be_told_apart() -> None:
    a, b = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    shallow = 1.0 + 0.005 * ((a - 2) ** 2 + (b - 2) ** 2)  # rises below 1% of the best near it
    result = _made_up(np.stack([shallow, shallow + 0.1]))
    assert result.indifferent[2, 1] and result.indifferent[1, 1]  # within the 1% floor
    assert not result.indifferent[0, 0]  # a rise of 0.04
    assert result.limit(0) == "an interval"
    # The best is the lowest mean, whichever seed is lowest where.
    loss = np.ones((2, 3, 3))
    loss[0, 0, 0], loss[1, 0, 0] = 0.5, 2.0  # seed 0 alone likes (0, 0)
    loss[:, 2, 2] = 0.9  # both like (2, 2) a little
    assert _made_up(loss).best == (2, 2)
    # A close point cut off from the best by a ridge is not part of its set.
    cut = np.full((5, 5), 2.0)
    cut[0, 0], cut[4, 4] = 1.0, 1.001
    made = _made_up(np.stack([cut, cut]))
    assert made.close[4, 4] and not made.indifferent[4, 4]
    assert made.span(0) == (1.0, 1.0) and made.limit(0) == "only an upper limit"


def test_the_limit_says_which_end_the_set_reaches() -> None:
    a, _ = np.meshgrid(np.arange(4), np.arange(4), indexing="ij")
    rising = _made_up(np.stack([1.0 + a, 1.0 + a]).astype(float))  # best along row 0
    assert rising.limit(0) == "only an upper limit" and rising.limit(1) == "no limit"
    falling = _made_up(np.stack([4.0 - a, 4.0 - a]).astype(float))
    assert falling.limit(0) == "only a lower limit"
    bowl = 1.0 + (a - 1.0) ** 2 + (a.T - 2.0) ** 2
    assert _made_up(np.stack([bowl, bowl])).limit(0) == "one grid point"


def test_the_grid_is_geometric_even_or_starts_at_zero() -> None:
    assert grid(0.002, 0.08, 3) == pytest.approx((0.002, (0.002 * 0.08) ** 0.5, 0.08))
    assert grid(0.0, 3.0, 4) == pytest.approx((0.0, 0.03, 0.3, 3.0))
    assert grid(-6.0, -2.0, 3) == pytest.approx((-6.0, -4.0, -2.0))
    with pytest.raises(ValueError, match="low < high"):
        grid(1.0, 1.0)


def test_a_small_surface_runs_the_objective_at_every_point() -> None:
    result = surface(
        "alignment", ("alignment.rate", "alignment.inducement_weight"),
        points=3, seeds=2, replicates=2, seed=4,
    )  # fmt: skip
    assert result.loss.shape == (2, 3, 3)
    assert result.shipped == (0.02, 0.06)  # the rate's judgement value and the fitted pull
    rate, pull = result.grids[0][1], result.grids[1][2]
    theta = np.array([rate, 1.0, 0.5, pull, 0.5, 0.5])  # the others where they ship
    assert result.loss[1, 1, 2] == objective(theta, replicates=2, seed=5, target="alignment")
    assert result.indifferent[result.best]
    text = markdown(result, "alignment RMSE")
    assert text.count("** |") == 1 and "ships at 0.02" in text
    # The coefficients outside the pair are held where they ship: the pull at its fitted 0.06.
    held = surface(
        "alignment", ("alignment.rate", "alignment.inertia"),
        points=3, seeds=1, replicates=2, seed=4, start=2013,
    )  # fmt: skip
    rate, inertia = held.grids[0][2], held.grids[1][1]
    theta = np.array([rate, 1.0, 0.5, 0.06, inertia, 0.5])
    expected = objective(theta, replicates=2, seed=4, target="alignment", start=2013)
    assert held.loss[0, 2, 1] == expected and held.start == 2013
    assert expected != objective(theta, replicates=2, seed=4, target="alignment")  # from 2015
    for bad in (("alignment.rate", "alignment.rate"), ("alignment.rate", "incidents.base_hazard")):
        with pytest.raises(ValueError, match="two different coefficients"):
            surface("alignment", bad, points=3, seeds=1, replicates=2)
    with pytest.raises(ValueError, match="starts in one of"):
        surface("alignment", ("alignment.rate", "alignment.inertia"), start=2019)


def test_the_picture_is_written_as_png_and_svg(tmp_path: Path) -> None:
    a, b = np.meshgrid(np.arange(4), np.arange(3), indexing="ij")
    files = plot_surface(_made_up((1.0 + a + b)[None] * np.ones((2, 1, 1))), tmp_path / "s", "x")
    assert [f.name for f in files] == ["s.png", "s.svg"] and all(f.stat().st_size for f in files)


def test_the_command_writes_the_grid_and_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    out = tmp_path / "surface"
    args = ["calibrate", "--surface", "alignment.rate, alignment.inducement_weight"]
    result = CliRunner().invoke(main, [*args, "-n", "2", "--points", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "surface.csv")
    assert len(table) == 9 and table["indifferent"].any()
    assert {"alignment.rate", "alignment.inducement_weight", "mean", "paired_se"} <= set(table)
    for name in ("surface.md", "surface.png", "surface.svg"):
        assert (out / name).stat().st_size > 0
    for bad, words in (
        (["--surface", "alignment.rate"], "two different coefficients"),
        (["--surface", "alignment.rate,incidents.base_hazard"], "hint: the coefficients are"),
        (["--surface", "alignment.rate,alignment.inertia", "--dry-run"], "leave out"),
        (["--out", str(tmp_path / "x")], "--out goes with --surface"),
    ):
        refused = CliRunner().invoke(main, ["calibrate", *bad])
        assert refused.exit_code == 2 and words in refused.output, refused.output
        assert "Traceback" not in refused.output
