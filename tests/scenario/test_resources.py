"""Shipped data is found in the checkout, or inside the package once installed from a wheel."""

from __future__ import annotations

from sim.scenario import resources


def test_in_a_checkout_the_data_are_its_top_level_folders() -> None:
    root = resources.checkout()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert resources.seeds_dir() == root / "seeds"
    assert resources.scenarios_dir() == root / "scenarios"
    assert resources.sweeps_dir() == root / "scenarios" / "sweeps"
    assert resources.calibration_file().is_file()
    assert (resources.seeds_dir() / "countries.csv").is_file()
