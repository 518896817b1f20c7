"""Where geosim's shipped data lives: the seed tables, the shipped scenarios and inject decks.

In the repository they are the top-level folders ``seeds/`` and ``scenarios/`` (sweep specs and
inject decks in its subfolders ``sweeps/`` and ``decks/``). A wheel carries them inside the
package, as ``sim/data/seeds`` and ``sim/data/scenarios`` (see ``pyproject.toml``), found
through :mod:`importlib.resources`, so that an installed geosim runs its own scenarios from any
folder.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

#: The source checkout this module sits in (``sim/scenario/resources.py`` → the repository).
_CHECKOUT = Path(__file__).resolve().parents[2]


@cache
def data_folder(name: str) -> Path:
    """The folder of shipped data ``name`` (``seeds`` or ``scenarios``).

    The package's own copy when geosim is installed from a wheel, else the checkout's folder.
    """
    packaged = resources.files("sim") / "data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT / name


def seeds_dir() -> Path:
    """The seed tables: countries, disputes, treaties, ideal points, history, facts."""
    return data_folder("seeds")


def scenarios_dir() -> Path:
    """The shipped scenarios (referred to by file stem, e.g. ``hub_and_spoke``)."""
    return data_folder("scenarios")


def sweeps_dir() -> Path:
    """The shipped sweep specs."""
    return scenarios_dir() / "sweeps"


def decks_dir() -> Path:
    """The shipped inject decks (referred to by file stem, e.g. ``taiwan_strait_crisis``)."""
    return scenarios_dir() / "decks"


def calibration_file() -> Path:
    """The calibrated coefficients written by ``geosim calibrate``."""
    return seeds_dir() / "calibration.yaml"


def checkout() -> Path | None:
    """The source checkout geosim runs from, or None when it is installed from a wheel."""
    return None if (resources.files("sim") / "data").is_dir() else _CHECKOUT
