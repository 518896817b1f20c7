"""Identifiability: a flat profile is not identified, a curved one is, a bound is a bound."""

from __future__ import annotations

import numpy as np
import pytest

from sim.studies.identifiability import (
    FLOOR,
    Profile,
    precision_threshold,
    profile,
    profiles,
    table,
)


def bowl(theta: np.ndarray) -> float:
    """Curved in x (minimum at 1 on 0–2), flat in y, rising from its lower bound in z."""
    x, y, z = theta
    return 1.0 + (x - 1.0) ** 2 + 0.0 * y + 0.5 * z


BOUNDS = [(0.0, 2.0), (0.0, 6.0), (0.0, 1.0)]
OPTIMUM = np.array([1.0, 4.5, 0.0])


def found() -> dict[str, Profile]:
    return profiles(
        bowl,
        OPTIMUM,
        BOUNDS,
        ["x", "y", "z"],
        optimum_value=bowl(OPTIMUM),
        threshold=precision_threshold(bowl(OPTIMUM)),
    )


def test_a_flat_coordinate_is_not_identified_and_a_curved_one_is() -> None:
    result = found()
    assert result["x"].identified
    assert result["x"].optimum == "interior"
    assert not result["y"].identified
    assert result["y"].optimum == "flat"
    assert result["y"].relative_range == 0.0
    assert result["y"].indifferent == (0.0, 6.0)


def test_a_coordinate_the_data_push_to_a_bound_is_identified_at_that_bound() -> None:
    z = found()["z"]
    assert z.identified
    assert z.optimum == "lower bound"
    assert z.slope == pytest.approx(0.5)
    assert z.curvature == pytest.approx(0.0, abs=1e-9)


def test_curvature_and_slope_are_in_units_of_the_bounds_width() -> None:
    x = found()["x"]
    # f = 1 + (x − 1)², x = 2u on bounds 0–2: f = 1 + 4 (u − ½)², f'' = 8, f' = 0 at u = ½.
    assert x.curvature == pytest.approx(8.0)
    assert x.slope == pytest.approx(0.0, abs=1e-9)
    assert x.indifferent == (1.0, 1.0)  # 0.8 and 1.2 are 0.04 above, past the 1% threshold


def test_the_grid_covers_the_bounds_and_the_fit_without_scoring_the_fit_again() -> None:
    calls = []

    def counted(theta: np.ndarray) -> float:
        calls.append(theta.copy())
        return bowl(theta)

    y = profile(counted, OPTIMUM, 1, BOUNDS[1], optimum_value=2.0, threshold=0.01, points=11)
    assert len(calls) == 11
    assert y.grid[0] == 0.0 and y.grid[-1] == 6.0 and 4.5 in y.grid
    assert list(y.grid) == sorted(y.grid)
    assert all(c[0] == 1.0 and c[2] == 0.0 for c in calls)  # the others at their fitted values


def test_a_fit_that_is_not_its_profile_s_minimum_is_not_identified() -> None:
    start = np.array([1.6, 4.5, 0.0])
    x = profile(bowl, start, 0, BOUNDS[0], optimum_value=bowl(start), threshold=0.01)
    assert x.rise > x.threshold
    assert not x.converged
    assert not x.identified


def test_the_threshold_is_the_largest_of_a_share_of_the_optimum_the_noise_and_a_floor() -> None:
    assert precision_threshold(0.25) == pytest.approx(0.0025)
    assert precision_threshold(0.25, noise=0.002) == pytest.approx(0.004)
    assert precision_threshold(0.0) == FLOOR


def test_the_table_has_a_row_per_coefficient() -> None:
    text = table(found())
    assert text.count("\n") == 2 + 3
    assert "| `y` | 4.5 |" in text and "| flat | 0–6 | no |" in text
